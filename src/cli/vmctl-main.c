/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-main.c: the command table, the global options, and the one place
 * that prints an error and picks the exit code.
 *
 * Global options are accepted before and after the command words:
 *   vmctl --host-root T gpu check 01:00.0 --json
 *   vmctl gpu check --json --host-root T 01:00.0
 * The leading ones are parsed here in strict POSIX mode (stop at the first
 * word), the longest run of words naming a command picks the handler, and
 * the handler parses the rest with its own options plus the same global
 * entries writing into the same VmctlGlobalOptions. */
#include "vmctl-options.h"
#include "vmctl-output.h"
#include "vmctl-options-single.h"

#include "vmctl-error.h"

#include <locale.h>
#include <string.h>

static const VmctlCommand commands[] = {
  /* name          synopsis  min max handler               summary */
  { "host check",  NULL,     0,  0,  vmctl_cmd_host_check, "Report whether this host is ready for GPU passthrough" },
  { "host setup",  NULL,     0,  0,  vmctl_cmd_host_setup, "Write the boot configuration host check asks for, journaled; --undo puts it back" },
  { "host recover", NULL,    0,  0,  vmctl_cmd_host_recover, "Give back what vmctl changed on the host for VMs that no longer run" },
  { "iommu list",  NULL,     0,  0,  vmctl_cmd_iommu_list, "List every IOMMU group and its devices" },
  { "gpu list",    NULL,     0,  0,  vmctl_cmd_gpu_list,   "List display devices and whether each can be passed through" },
  { "gpu check",   "ADDR",   1,  1,  vmctl_cmd_gpu_check,  "Tell whether one PCI device can be given to a VM, and what goes with it" },
  { "gpu detach",  "ADDR",   0,  1,  vmctl_cmd_gpu_detach, "Move a GPU and the functions that go with it to vfio-pci" },
  { "gpu reattach", "ADDR|--vm NAME", 0, 1, vmctl_cmd_gpu_reattach, "Give functions vmctl detached back to their original drivers" },
  { "gpu status",  NULL,     0,  0,  vmctl_cmd_gpu_status, "List the PCI functions vmctl holds on vfio-pci" },
  { "gpu recover", NULL,     0,  0,  vmctl_cmd_gpu_recover, "Give back what a crashed vmctl or a dead VM left on vfio-pci" },
  { "create",      "NAME",   1,  1,  vmctl_cmd_create,     "Define a VM with passed-through GPUs from a profile and options" },
  { "start",       "NAME...|--all", 0, G_MAXUINT, vmctl_cmd_start, "Boot VMs" },
  { "stop",        "NAME...|--all", 0, G_MAXUINT, vmctl_cmd_stop, "Shut VMs down cleanly, waiting up to a timeout" },
  { "destroy",     "NAME...|--all", 0, G_MAXUINT, vmctl_cmd_destroy, "Power VMs off at once" },
  { "undefine",    "NAME",   1,  1,  vmctl_cmd_undefine,   "Remove a shut-off VM's definition, and its storage if asked" },
  { "list",        NULL,     0,  0,  vmctl_cmd_list,       "List running VMs, or all with --all" },
  { "info",        "NAME",   1,  1,  vmctl_cmd_info,       "Show one VM's state, resources and GPUs" },
  { "xml",         "NAME",   1,  1,  vmctl_cmd_xml,        "Print one VM's domain XML" },
  { "autostart",   "NAME",   1,  1,  vmctl_cmd_autostart,  "Start a VM when the host boots, or not with --disable" },
  { "console",     "NAME",   1,  1,  vmctl_cmd_console,    "Attach this terminal to a running VM's serial console (Ctrl+] leaves)" },
  { "display",     "NAME",   1,  1,  vmctl_cmd_display,    "Print the SPICE/VNC URI of a running VM" },
  { "os list",     NULL,     0,  0,  vmctl_cmd_os_list,    "List the guest OS IDs create --os takes (libosinfo)" },
  /* issue 12 */
  { "input list",  NULL,     0,  0,  vmctl_cmd_input_list, "List the host's keyboards, mice and gamepads for --input" },
  { "usb list",    NULL,     0,  0,  vmctl_cmd_usb_list,   "List USB controllers with their verdict, and the devices on their ports" },
  { "gpu rom check", "FILE", 1,  1,  vmctl_cmd_gpu_rom_check, "Check a GPU ROM file for a VM: signature, images, checksum, ids, header" },
  { "gpu rom dump", "ADDR OUT", 2, 2, vmctl_cmd_gpu_rom_dump, "Read a card's ROM through sysfs into a new file" },
};

static gchar *
command_spelling (const VmctlCommand *command)
{
  if (command->synopsis == NULL)
    return g_strdup (command->name);
  return g_strconcat (command->name, " ", command->synopsis, NULL);
}

/* every command whose first word is @group, or all of them for NULL */
static void
print_command_list (const gchar *group)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (2);

  vmctl_table_set_indent (table, 2);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_autofree gchar *spelling = command_spelling (&commands[i]);
    g_auto(GStrv) words = g_strsplit (commands[i].name, " ", 2);

    if (group == NULL || g_strcmp0 (words[0], group) == 0)
      vmctl_table_add_row (table, (const gchar *[]) { spelling, commands[i].summary });
  }
  vmctl_table_print (table);
}

static void
print_usage (void)
{
  g_print ("Usage: vmctl [OPTION…] COMMAND [ARGUMENT…] [OPTION…]\n"
           "\n"
           "Build KVM virtual machines with GPU passthrough, safely, through libvirt.\n"
           "\n"
           "Commands:\n");
  print_command_list (NULL);
  g_print ("\n");
  g_print ("Global options (before or after the command):\n");
  vmctl_global_options_print_help ();
  g_print ("\n"
           "PCI addresses are accepted as 01:00.0, 0000:01:00.0 or pci_0000_01_00_0.\n"
           "\n"
           "Exit status:\n"
           "  0  success\n"
           "  1  the operation failed or a check is negative\n"
           "  2  bad usage or bad input (malformed address, unknown device or VM, unknown command)\n"
           "\n"
           "Examples:\n"
           "  vmctl host check                    is this host ready for passthrough?\n"
           "  vmctl gpu list                      which GPUs can be given to a VM\n"
           "  vmctl gpu check 01:00.0 --json      the verdict for one GPU, as JSON\n"
           "  vmctl gpu detach 01:00.0 --dry-run  the sysfs writes that would move it to vfio-pci\n"
           "  vmctl gpu recover                   give back what a crash left on vfio-pci\n"
           "  vmctl create gamer --gpu 01:00.0 --profile gaming --print-xml\n"
           "                                      the domain XML for a gaming VM with that GPU\n"
           "  vmctl create ci-1 --profile minimal --disk size=8G\n"
           "                                      define a small VM with a new 8 GiB volume\n"
           "  vmctl start ci-1 web db             boot three VMs at once\n"
           "  vmctl stop --all --timeout 30 --force\n"
           "                                      shut every VM down, powering off the stubborn\n"
           "  vmctl --host-root /tmp/host iommu list\n"
           "\n"
           "Run 'vmctl COMMAND --help' for one command's options and examples.\n");
}

static void
print_group_usage (const gchar *group)
{
  g_print ("Usage: vmctl %s COMMAND [ARGUMENT…] [OPTION…]\n"
           "\n"
           "Commands:\n", group);
  print_command_list (group);
  g_print ("\n"
           "Run 'vmctl %s COMMAND --help' for one command's options and examples.\n", group);
}

/* The command named by the longest run of leading words, or NULL. */
static const VmctlCommand *
match_command (gchar **words, guint *out_matched)
{
  const VmctlCommand *best = NULL;
  guint best_length = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_auto(GStrv) name = g_strsplit (commands[i].name, " ", -1);
    guint length = g_strv_length (name);
    guint matched = 0;

    while (matched < length && words[matched] != NULL
           && strcmp (words[matched], name[matched]) == 0)
      matched++;
    if (matched == length && length > best_length) {
      best = &commands[i];
      best_length = length;
    }
  }
  *out_matched = best_length;
  return best;
}

static gboolean
is_group_word (const gchar *word)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_auto(GStrv) name = g_strsplit (commands[i].name, " ", 2);

    if (name[1] != NULL && strcmp (name[0], word) == 0)
      return TRUE;
  }
  return FALSE;
}

static gboolean
asks_for_help (gchar **words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (strcmp (words[i], "--help") == 0 || strcmp (words[i], "-h") == 0)
      return TRUE;
  return FALSE;
}

/* No command matched: a group word alone ("vmctl gpu") lists its
 * subcommands, anything else is unknown. */
static gint
run_unmatched (gchar **words, VmctlGlobalOptions *options, GError **error)
{
  const gchar *group = words[0];

  if (!is_group_word (group)) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "unknown command '%s' (see vmctl --help)", group);
    return VMCTL_EXIT_USAGE;
  }
  if (words[1] != NULL && words[1][0] != '-') {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "unknown command '%s %s' (see vmctl --help)", group, words[1]);
    return VMCTL_EXIT_USAGE;
  }
  if (options->help || asks_for_help (words)) {
    print_group_usage (group);
    return VMCTL_EXIT_SUCCESS;
  }
  /* the words after the group were not parsed as options: look for --json
   * by hand, JSON mode keeps stdout clean */
  if (!options->json && !g_strv_contains ((const gchar * const *) words, "--json"))
    print_group_usage (group);
  g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
               "'%s' needs a subcommand (see vmctl %s --help)", group, group);
  return VMCTL_EXIT_USAGE;
}

static gint
run (gchar **argv, VmctlGlobalOptions *options, GError **error)
{
  g_auto(GStrv) arguments = g_strdupv (argv);
  g_autoptr(GOptionContext) option_context = g_option_context_new (NULL);
  g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func (g_free);
  g_autofree GOptionEntry *global_entries = vmctl_global_option_entries_new (options);
  VmctlInvocation invocation = { 0 };
  const VmctlCommand *command;
  gchar **words;
  guint matched = 0;

  g_option_context_set_help_enabled (option_context, FALSE);
  /* stop at the first command word: what follows is the handler's */
  g_option_context_set_strict_posix (option_context, TRUE);
  g_option_context_set_main_group (option_context, vmctl_global_option_group_new (options));
  if (!vmctl_options_check_single (arguments, (const GOptionEntry *[]) { global_entries }, 1, TRUE,
                                   error))
    return VMCTL_EXIT_USAGE;
  if (!g_option_context_parse_strv (option_context, &arguments, error))
    return VMCTL_EXIT_USAGE;

  words = arguments + 1;
  if (words[0] != NULL && strcmp (words[0], "help") == 0) {
    options->help = TRUE;
    words++;
  }
  if (options->version) {
    vmctl_print_version (options->json);
    return VMCTL_EXIT_SUCCESS;
  }
  if (words[0] == NULL) {
    if (options->help) {
      print_usage ();
      return VMCTL_EXIT_SUCCESS;
    }
    if (!options->json)
      print_usage ();
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "no command given (see vmctl --help)");
    return VMCTL_EXIT_USAGE;
  }

  command = match_command (words, &matched);
  if (command == NULL)
    return run_unmatched (words, options, error);

  g_ptr_array_add (rest, g_strconcat ("vmctl ", command->name, NULL));
  for (guint i = matched; words[i] != NULL; i++)
    g_ptr_array_add (rest, g_strdup (words[i]));
  g_ptr_array_add (rest, NULL);

  invocation.command = command;
  invocation.options = options;
  invocation.arguments = (gchar **) g_ptr_array_steal (rest, NULL);
  invocation.exit_status = VMCTL_EXIT_SUCCESS;
  if (!command->handler (&invocation, error)) {
    g_strfreev (invocation.arguments);
    return VMCTL_EXIT_FAILURE;
  }
  g_strfreev (invocation.arguments);
  return invocation.exit_status;
}

/* The one table from errors to exit statuses (DESIGN.md): bad usage and
 * bad input exit 2, every other failure 1. The library reports VMCTL_ERROR
 * (vmctl_error_convert() maps its modules' domains); the CLI adds its own
 * usage errors and GLib's option parser. */
static const struct {
  VmctlError code;
  gint exit_status;
} exit_statuses[] = {
  { VMCTL_ERROR_INVALID_INPUT, VMCTL_EXIT_USAGE },
  { VMCTL_ERROR_NOT_FOUND, VMCTL_EXIT_USAGE },
  { VMCTL_ERROR_EXISTS, VMCTL_EXIT_USAGE },
};

static gint
exit_status_for_error (GError **error)
{
  if ((*error)->domain == G_OPTION_ERROR
      || g_error_matches (*error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE))
    return VMCTL_EXIT_USAGE;
  vmctl_error_convert (error);
  for (gsize i = 0; i < G_N_ELEMENTS (exit_statuses); i++)
    if (g_error_matches (*error, VMCTL_ERROR, exit_statuses[i].code))
      return exit_statuses[i].exit_status;
  return VMCTL_EXIT_FAILURE;
}

/* One line, always: scripts read stderr line by line, and libvirt's
 * messages sometimes carry newlines. */
static void
print_error (const GError *error)
{
  g_autoptr(GString) message = g_string_new (NULL);
  gboolean space = FALSE;

  for (const gchar *p = error->message; *p != '\0'; p++) {
    if (*p == '\n' || *p == '\r' || *p == '\t') {
      space = message->len > 0;
      continue;
    }
    if (space)
      g_string_append_c (message, ' ');
    space = FALSE;
    g_string_append_c (message, *p);
  }
  g_printerr ("vmctl: %s\n", message->str);
}

int
main (int argc, char **argv)
{
  VmctlGlobalOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  gint status;

  setlocale (LC_ALL, "");
  g_set_prgname ("vmctl");

  status = run (argv, &options, &error);
  if (error != NULL) {
    print_error (error);
    status = exit_status_for_error (&error);
  }
  vmctl_global_options_clear (&options);
  return status;
}
