/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-options.c: what every command's parsing shares: the global
 * options (one definition for both option contexts and the usage text),
 * each command's own GOptionContext, the invocation a handler gets, and
 * --version. */
#include "vmctl-options.h"
#include "vmctl-output.h"
#include "vmctl-libvirt.h"
#include "vmctl-pci-address.h"

#include "vmctl-config.h"

#include <libvirt/libvirt.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-cli-error-quark, vmctl_cli_error)

/* ---- global options ---------------------------------------------------- */

#define N_GLOBAL_ENTRIES 6

/* One definition for both option contexts (before and after the command
 * words) and for the usage text, so they can never disagree. */
static void
global_entries_fill (VmctlGlobalOptions *options, GOptionEntry entries[N_GLOBAL_ENTRIES + 1])
{
  const GOptionEntry filled[N_GLOBAL_ENTRIES + 1] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &options->connect_uri,
      "Connect to libvirt at URI (default: $VMCTL_DEFAULT_URI, $LIBVIRT_DEFAULT_URI, qemu:///system)", "URI" },
    { "host-root", 0, 0, G_OPTION_ARG_FILENAME, &options->host_root,
      "Read /sys, /proc, /dev and /etc under DIR instead of / (default: $VMCTL_HOST_ROOT)", "DIR" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->state_dir,
      "Keep the journal and locks in DIR (default: $VMCTL_STATE_DIR, /var/lib/vmctl)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json,
      "Print JSON on stdout instead of text", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version,
      "Print the version and exit", NULL },
    /* GOption's own --help would exit() from inside the parser and print
     * only one group; vmctl prints its help itself */
    { "help", 'h', 0, G_OPTION_ARG_NONE, &options->help,
      "Show help (vmctl COMMAND --help for one command)", NULL },
    { NULL },
  };

  memcpy (entries, filled, sizeof filled);
}

void
vmctl_global_options_clear (VmctlGlobalOptions *options)
{
  g_clear_pointer (&options->connect_uri, g_free);
  g_clear_pointer (&options->host_root, g_free);
  g_clear_pointer (&options->state_dir, g_free);
}

static void
take_string (gchar **value, gchar **later)
{
  if (*later == NULL)
    return;
  g_free (*value);
  *value = g_steal_pointer (later);
}

/* The options after the command words override those before; @later is
 * emptied. */
static void
global_options_merge (VmctlGlobalOptions *options, VmctlGlobalOptions *later)
{
  take_string (&options->connect_uri, &later->connect_uri);
  take_string (&options->host_root, &later->host_root);
  take_string (&options->state_dir, &later->state_dir);
  options->json |= later->json;
  options->version |= later->version;
  options->help |= later->help;
}

/**
 * vmctl_global_option_group_new:
 * @options: where the parsed values go; must outlive the group
 *
 * Returns: (transfer full): the global options as a group, for a
 * GOptionContext
 */
GOptionGroup *
vmctl_global_option_group_new (VmctlGlobalOptions *options)
{
  GOptionEntry entries[N_GLOBAL_ENTRIES + 1];
  GOptionGroup *group = g_option_group_new ("global", "Global options (before or after the command):",
                                            "Show the global options", NULL, NULL);

  global_entries_fill (options, entries);
  g_option_group_add_entries (group, entries);
  return group;
}

/* "-c, --connect=URI" or "--json" */
static gchar *
entry_spelling (const GOptionEntry *entry)
{
  GString *text = g_string_new (NULL);

  if (entry->short_name != 0)
    g_string_append_printf (text, "-%c, ", entry->short_name);
  g_string_append_printf (text, "--%s", entry->long_name);
  if (entry->arg_description != NULL)
    g_string_append_printf (text, "=%s", entry->arg_description);
  return g_string_free (text, FALSE);
}

/* The global options as an indented two-column list on stdout. */
void
vmctl_global_options_print_help (void)
{
  VmctlGlobalOptions unused = { 0 };
  GOptionEntry entries[N_GLOBAL_ENTRIES + 1];
  g_autoptr(VmctlTable) table = vmctl_table_new (2);

  global_entries_fill (&unused, entries);
  vmctl_table_set_indent (table, 2);
  for (guint i = 0; entries[i].long_name != NULL; i++) {
    g_autofree gchar *spelling = entry_spelling (&entries[i]);

    vmctl_table_add_row (table, (const gchar *[]) { spelling, entries[i].description });
  }
  vmctl_table_print (table);
}

/* ---- per-command parsing ------------------------------------------------ */

static void
print_command_help (GOptionContext *option_context)
{
  g_autofree gchar *help = g_option_context_get_help (option_context, FALSE, NULL);

  fputs (help, stdout);
}

/**
 * vmctl_invocation_parse:
 * @entries: (nullable): the command's own options
 * @description: a paragraph and an example, for --help
 * @error: G_OPTION_ERROR for unknown options or bad values,
 *   VMCTL_CLI_ERROR_USAGE for a wrong number of arguments
 *
 * Parses the command's options together with the global ones, leaving
 * only the positional arguments in invocation->arguments. When --help or
 * --version was given it prints them and sets invocation->done.
 */
gboolean
vmctl_invocation_parse (VmctlInvocation *invocation, const GOptionEntry *entries,
                        const gchar *description, GError **error)
{
  return vmctl_invocation_parse_with_data (invocation, entries, NULL, description, error);
}

/**
 * vmctl_invocation_parse_with_data:
 * @callback_data: (nullable): what the callbacks of @entries get as data
 *
 * vmctl_invocation_parse() for a command whose options include a callback
 * (issue 12: an option whose value is optional is one): the callback finds
 * the command's own options through @callback_data, not a file-static.
 */
gboolean
vmctl_invocation_parse_with_data (VmctlInvocation *invocation, const GOptionEntry *entries,
                                  gpointer callback_data, const gchar *description,
                                  GError **error)
{
  const VmctlCommand *command = invocation->command;
  g_autoptr(GOptionContext) option_context = g_option_context_new (command->synopsis);
  g_autofree gchar *summary = g_strconcat (command->summary, ".", NULL);
  g_autofree gchar *prgname = g_strconcat ("vmctl ", command->name, NULL);
  VmctlGlobalOptions later = { 0 };
  gboolean parsed;
  guint count;

  g_option_context_set_help_enabled (option_context, FALSE);
  g_option_context_set_summary (option_context, summary);
  g_option_context_set_description (option_context, description);
  if (entries != NULL) {
    /* the main group of g_option_context_add_main_entries() has no data */
    GOptionGroup *main_group = g_option_group_new (NULL, NULL, NULL, callback_data, NULL);

    g_option_group_add_entries (main_group, entries);
    g_option_context_set_main_group (option_context, main_group);
  }
  /* GOption overwrites a string option without freeing a value it did not
   * allocate in the same parse: collect the options given after the
   * command words apart, then let them win */
  g_option_context_add_group (option_context, vmctl_global_option_group_new (&later));
  parsed = g_option_context_parse_strv (option_context, &invocation->arguments, error);
  global_options_merge (invocation->options, &later);
  if (!parsed) {
    g_prefix_error (error, "%s: ", command->name);
    return FALSE;
  }

  if (invocation->options->help) {
    /* the usage line names the program: make it "vmctl gpu check" */
    g_set_prgname (prgname);
    print_command_help (option_context);
    g_set_prgname ("vmctl");
    invocation->done = TRUE;
    return TRUE;
  }
  if (invocation->options->version) {
    vmctl_print_version (invocation->options->json);
    invocation->done = TRUE;
    return TRUE;
  }

  count = g_strv_length (invocation->arguments) - 1;
  if (count < command->min_arguments) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "%s: missing %s (usage: vmctl %s %s)", command->name, command->synopsis,
                 command->name, command->synopsis);
    return FALSE;
  }
  if (count > command->max_arguments) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "%s: unexpected argument '%s' (see vmctl %s --help)", command->name,
                 invocation->arguments[command->max_arguments + 1], command->name);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_invocation_open_context:
 * Returns: (transfer full): the context the global options chose; NULL
 * with VMCTL_HOST_ERROR_BAD_ROOT when the host root is not a directory
 */
VmctlContext *
vmctl_invocation_open_context (VmctlInvocation *invocation, GError **error)
{
  VmctlGlobalOptions *options = invocation->options;

  return vmctl_context_new (options->host_root, options->connect_uri, options->state_dir,
                            options->json, error);
}

/**
 * vmctl_invocation_start:
 * @out_context: (out) (transfer full): the command's context, or NULL when
 *   the invocation only asked for --help (already printed)
 *
 * The first steps of every handler: parse its options, then open the
 * context the global options describe.
 *
 * Returns: FALSE with @error set on bad options or a bad host root
 */
gboolean
vmctl_invocation_start (VmctlInvocation *invocation, const GOptionEntry *entries,
                        const gchar *description, VmctlContext **out_context, GError **error)
{
  *out_context = NULL;
  if (!vmctl_invocation_parse (invocation, entries, description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  *out_context = vmctl_invocation_open_context (invocation, error);
  return *out_context != NULL;
}

/**
 * vmctl_parse_addresses:
 * @texts: (nullable): the values of a repeatable address option
 * @option: its name, for the error ("--hostdev")
 * @out_addresses: (out) (transfer full): the parsed addresses, empty for
 *   none
 * @error: VMCTL_PCI_ERROR_INVALID_ADDRESS, prefixed with @option
 */
gboolean
vmctl_parse_addresses (gchar **texts, const gchar *option, GArray **out_addresses, GError **error)
{
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));

  for (guint i = 0; texts != NULL && texts[i] != NULL; i++) {
    VmctlPciAddress address;

    if (!vmctl_pci_address_parse (texts[i], &address, error)) {
      g_prefix_error (error, "%s: ", option);
      return FALSE;
    }
    g_array_append_val (addresses, address);
  }
  *out_addresses = g_steal_pointer (&addresses);
  return TRUE;
}

void
vmctl_print_version (gboolean json)
{
  unsigned long library = 0;
  g_autofree gchar *libvirt = NULL;

  if (vmctl_libvirt_load (NULL) && sym_virGetVersion (&library, NULL, NULL) == 0)
    libvirt = g_strdup_printf ("%lu.%lu.%lu", library / 1000000, library / 1000 % 1000,
                               library % 1000);
  if (json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "version");
    json_builder_add_string_value (builder, VMCTL_VERSION);
    vmctl_json_add_string_or_null (builder, "libvirt", libvirt);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
    return;
  }
  g_print ("vmctl %s\n", VMCTL_VERSION);
  g_print ("libvirt library %s\n", libvirt != NULL ? libvirt : "unknown");
}
