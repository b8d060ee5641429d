/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-host-setup.c: vmctl host setup [--dry-run|--apply|--undo]:
 * the boot-time configuration host check asks for, written by vmctl and
 * journaled (issue 13). Parse, one library call, print. */
#include "vmctl-output.h"

#include "vmctl-session-host-setup.h"

static const gchar setup_description[] =
  "Writes the boot-time configuration GPU passthrough needs, which 'vmctl host\n"
  "check' asks for: the IOMMU on the kernel command line (intel_iommu=on on Intel,\n"
  "iommu=pt), through the boot loader this host uses (GRUB, systemd-boot with\n"
  "kernel-install or loader entries, kernelstub), nested virtualization\n"
  "(/etc/modprobe.d/kvm-nested.conf), the vfio modules at boot\n"
  "(/etc/modules-load.d/vfio.conf) and, with --hugepages or VMs defined with\n"
  "hugepages, the hugepage pool (/etc/sysctl.d/80-vmctl-hugepages.conf).\n"
  "With --gpu ADDR the GPU and what goes with it (its companions and siblings,\n"
  "as create plans them) are bound to vfio-pci at boot by PCI address: a udev rule\n"
  "sets driver_override, a modprobe.d softdep loads vfio-pci before their drivers,\n"
  "both in the initramfs (initramfs-tools, dracut or mkinitcpio, which is rebuilt).\n"
  "vfio-pci.ids is used only for ids no other function on the host has.\n"
  "\n"
  "Without --apply nothing is changed: every file change is printed as a diff and\n"
  "every command as it would run. --apply backs up each file in the state\n"
  "directory and records it before writing it (atomically); any failure puts back\n"
  "what was written. --undo restores every file byte for byte and runs the\n"
  "regeneration commands again; a file changed since vmctl wrote it stops the\n"
  "undo unless --force. The settings count after a reboot: 'vmctl host check'\n"
  "says whether they are in effect.\n"
  "\n"
  "Examples:\n"
  "  vmctl host setup\n"
  "  vmctl host setup --gpu 01:00.0 --hugepages 16G --apply\n"
  "  vmctl host setup --undo --dry-run\n"
  "  vmctl host setup --undo";

typedef struct {
  gboolean dry_run;
  gboolean apply;
  gboolean undo;
  gboolean force;
  gchar **gpus;
  gchar *hugepages;
} SetupOptions;

static void
setup_options_clear (SetupOptions *options)
{
  g_strfreev (options->gpus);
  g_free (options->hugepages);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SetupOptions, setup_options_clear)

static gboolean
choose_mode (const SetupOptions *options, VmctlHostSetupMode *out_mode, GError **error)
{
  if (options->apply && (options->undo || options->dry_run)) {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "host setup: --apply goes with neither --undo nor --dry-run");
    return FALSE;
  }
  if (options->undo && (options->gpus != NULL || options->hugepages != NULL)) {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "host setup: --undo puts back what was recorded; it takes no --gpu "
                         "or --hugepages");
    return FALSE;
  }
  if (options->force && !options->undo) {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "host setup: --force goes with --undo only");
    return FALSE;
  }
  if (options->undo)
    *out_mode = options->dry_run ? VMCTL_HOST_SETUP_UNDO_DRY_RUN : VMCTL_HOST_SETUP_UNDO;
  else
    *out_mode = options->apply ? VMCTL_HOST_SETUP_APPLY : VMCTL_HOST_SETUP_DRY_RUN;
  return TRUE;
}

static const gchar *
mode_json (VmctlHostSetupMode mode)
{
  switch (mode) {
  case VMCTL_HOST_SETUP_APPLY:
    return "apply";
  case VMCTL_HOST_SETUP_UNDO:
    return "undo";
  case VMCTL_HOST_SETUP_UNDO_DRY_RUN:
    return "undo-dry-run";
  case VMCTL_HOST_SETUP_DRY_RUN:
  default:
    return "dry-run";
  }
}

static void
print_json (VmctlHostSetupMode mode, const VmctlHostSetupReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  vmctl_json_add_string_or_null (builder, "mode", mode_json (mode));
  json_builder_set_member_name (builder, "changed");
  json_builder_add_boolean_value (builder, report->changed);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->diffs->len; i++) {
    const VmctlHostSetupDiff *diff = g_ptr_array_index (report->diffs, i);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "path", diff->path);
    vmctl_json_add_string_or_null (builder, "diff", diff->diff);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  vmctl_json_add_string_array (builder, "commands", report->commands);
  vmctl_json_add_string_array (builder, "settings", report->settings);
  vmctl_json_add_string_array (builder, "notes", report->notes);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
print_human (VmctlHostSetupMode mode, const VmctlHostSetupReport *report)
{
  gboolean dry = mode == VMCTL_HOST_SETUP_DRY_RUN || mode == VMCTL_HOST_SETUP_UNDO_DRY_RUN;

  for (guint i = 0; i < report->diffs->len; i++) {
    const VmctlHostSetupDiff *diff = g_ptr_array_index (report->diffs, i);

    g_print ("%s", diff->diff);
  }
  if (report->commands->len > 0)
    g_print ("%s\n", dry ? "Would run:" : "Ran:");
  for (guint i = 0; i < report->commands->len; i++)
    g_print ("  %s\n", (const gchar *) g_ptr_array_index (report->commands, i));
  if (report->settings->len > 0 && mode != VMCTL_HOST_SETUP_UNDO
      && mode != VMCTL_HOST_SETUP_UNDO_DRY_RUN)
    g_print ("Sets (in effect after a reboot):\n");
  for (guint i = 0; i < report->settings->len; i++)
    g_print ("  %s\n", (const gchar *) g_ptr_array_index (report->settings, i));
  if (mode == VMCTL_HOST_SETUP_DRY_RUN && report->diffs->len > 0)
    g_print ("Nothing was changed: --apply writes it.\n");
  else if (mode == VMCTL_HOST_SETUP_APPLY && report->changed)
    g_print ("Applied: reboot for it to take effect ('vmctl host check' tells when it has); "
             "'vmctl host setup --undo' puts everything back.\n");
  else if (mode == VMCTL_HOST_SETUP_UNDO && report->changed)
    g_print ("Undone: every file is as it was before 'vmctl host setup --apply'.\n");
  else if (mode == VMCTL_HOST_SETUP_UNDO_DRY_RUN)
    g_print ("Nothing was changed: --undo without --dry-run puts it back.\n");
}

gboolean
vmctl_cmd_host_setup (VmctlInvocation *invocation, GError **error)
{
  g_auto(SetupOptions) options = { 0 };
  const GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &options.dry_run,
      "Print the file changes as diffs and the commands, change nothing (the default)", NULL },
    { "apply", 0, 0, G_OPTION_ARG_NONE, &options.apply,
      "Write the changes and run the commands, journaled", NULL },
    { "undo", 0, 0, G_OPTION_ARG_NONE, &options.undo,
      "Put back every file vmctl host setup wrote, byte for byte", NULL },
    { "gpu", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.gpus,
      "Bind this GPU and what goes with it to vfio-pci at boot (repeatable)", "ADDR" },
    { "hugepages", 0, 0, G_OPTION_ARG_STRING, &options.hugepages,
      "Reserve this much memory as hugepages at boot (default: what the VMs defined with "
      "hugepages need)", "SIZE" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &options.force,
      "With --undo: restore files even when they changed since vmctl wrote them", NULL },
    { NULL },
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlHostSetupReport) report = NULL;
  VmctlHostSetupMode mode = VMCTL_HOST_SETUP_DRY_RUN;

  if (!vmctl_invocation_parse (invocation, entries, setup_description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  if (!choose_mode (&options, &mode, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  report = vmctl_session_host_setup (context->session, (const gchar * const *) options.gpus,
                                     options.hugepages, mode, options.force, error);
  if (report == NULL)
    return FALSE;
  for (guint i = 0; i < report->notes->len; i++)
    vmctl_output_note_line (NULL, g_ptr_array_index (report->notes, i), NULL);
  if (context->json)
    print_json (mode, report);
  else
    print_human (mode, report);
  return TRUE;
}

/* ---- vmctl host recover ---- */

static const gchar recover_description[] =
  "Gives back what vmctl changed on this host for VMs that no longer run, after a\n"
  "crash or a VM that died without 'vmctl stop': the PCI functions on vfio-pci\n"
  "(as 'vmctl gpu recover' does), then CPU isolation (the host's CPUs, IRQs and\n"
  "governors), the sleep inhibitors, and a single-GPU hand-off (modules, console,\n"
  "framebuffer, display manager), each from what the journal recorded. What a\n"
  "running VM or one being started still uses is kept; records of an earlier\n"
  "boot are dropped (the reboot gave those back). When libvirt cannot say which\n"
  "VMs run (-c URI), nothing a VM holds is given back. Boot configuration from\n"
  "'vmctl host setup' is never touched: --undo there is the user's. Exit status\n"
  "1 when anything could not be given back.\n"
  "\n"
  "Examples:\n"
  "  vmctl host recover\n"
  "  vmctl host recover --json";

gboolean
vmctl_cmd_host_recover (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlHostRecovery) recovery = NULL;
  struct {
    const gchar *word;
    GPtrArray *lines;
  } sections[4];
  guint total = 0;

  if (!vmctl_invocation_start (invocation, NULL, recover_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  recovery = vmctl_session_host_recover (context->session, error);
  if (recovery == NULL)
    return FALSE;
  sections[0].word = "given back", sections[0].lines = recovery->given_back;
  sections[1].word = "kept", sections[1].lines = recovery->kept;
  sections[2].word = "dropped", sections[2].lines = recovery->dropped;
  sections[3].word = "failed", sections[3].lines = recovery->failed;
  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    for (gsize i = 0; i < G_N_ELEMENTS (sections); i++) {
      g_autofree gchar *member = g_strdelimit (g_strdup (sections[i].word), " ", '_');

      vmctl_json_add_string_array (builder, member, sections[i].lines);
    }
    json_builder_end_object (builder);
    vmctl_json_print (builder);
  } else {
    for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
      for (guint j = 0; j < sections[i].lines->len; j++, total++)
        g_print ("%s: %s\n", sections[i].word, (const gchar *) g_ptr_array_index (sections[i].lines, j));
    if (total == 0)
      g_print ("nothing to recover: vmctl holds nothing on this host\n");
  }
  if (recovery->failed->len > 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "recovery incomplete, %u problem%s; the first: %s", recovery->failed->len,
                 recovery->failed->len == 1 ? "" : "s",
                 (const gchar *) g_ptr_array_index (recovery->failed, 0));
    return FALSE;
  }
  return TRUE;
}
