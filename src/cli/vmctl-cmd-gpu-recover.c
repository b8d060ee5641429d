/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-recover.c: vmctl gpu recover: giving back what a crashed
 * vmctl or a VM that died without cleaning up left on vfio-pci, never a
 * function a running (or starting) VM uses; one library call
 * (vmctl_session_gpu_recover()), then its report. */
#include "vmctl-output.h"

#include "vmctl-session-gpu.h"

static const gchar gpu_recover_description[] =
  "Puts the host back in order after a crash or a VM that died without\n"
  "cleaning up: every function in the journal (STATE/journal/ under the state\n"
  "directory) goes back to its original driver unless a running VM uses it:\n"
  "the VM it was detached for, while that runs, or any running VM that has\n"
  "it as a hostdev (libvirt is asked read-only, -c/--connect), or a VM\n"
  "another vmctl is starting. Functions go back a plan at a time (all those\n"
  "detached together, never part of an IOMMU group); a plan another vmctl is\n"
  "detaching or giving back right now is left alone and named. Half-done\n"
  "moves are rolled back from the step they reached; manual detaches no VM\n"
  "uses are given back too; entries from an earlier boot are dropped; a\n"
  "corrupt entry (not a regular file, or a field vmctl would not use) is\n"
  "named and left in place, with its plan. If libvirt cannot be reached and\n"
  "an entry names a VM, nothing is given back. Exit status 1 when any\n"
  "function could not be given back or an entry is corrupt.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu recover --dry-run\n"
  "  vmctl gpu recover";

/* ---- gpu recover ----------------------------------------------------------- */

static void
print_recovery (VmctlContext *context, gboolean dry_run, const VmctlVfioRecovery *recovery)
{
  struct {
    const gchar *word;
    GPtrArray *lines;
  } sections[] = {
    { "reattached", recovery->reattached },
    { "kept", recovery->kept },
    { "dropped", recovery->dropped },
    { "failed", recovery->failed },
  };
  guint total = 0;

  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    if (dry_run)
      vmctl_json_add_actions (builder, recovery->actions);
    for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
      vmctl_json_add_string_array (builder, sections[i].word, sections[i].lines);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
    return;
  }
  if (dry_run)
    vmctl_output_print_actions (recovery->actions);
  for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
    for (guint j = 0; j < sections[i].lines->len; j++, total++)
      g_print ("%s%s: %s\n", dry_run && i == 0 ? "would be " : "", sections[i].word,
               (const gchar *) g_ptr_array_index (sections[i].lines, j));
  if (total == 0)
    g_print ("nothing to recover: vmctl holds no PCI functions\n");
}

gboolean
vmctl_cmd_gpu_recover (VmctlInvocation *invocation, GError **error)
{
  gboolean dry_run = FALSE;
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    VMCTL_GPU_RUN_OPTIONS (&dry_run, &verbose),
    { NULL }
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;

  if (!vmctl_invocation_start (invocation, entries, gpu_recover_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  vmctl_output_show_progress (context, verbose);
  recovery = vmctl_session_gpu_recover (context->session,
                                        dry_run ? VMCTL_GPU_DRY_RUN : VMCTL_GPU_FLAGS_NONE, error);
  if (recovery == NULL)
    return FALSE;
  print_recovery (context, dry_run, recovery);
  if (recovery->failed->len > 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "recovery incomplete, %u problem%s; the first: %s",
                 recovery->failed->len, recovery->failed->len == 1 ? "" : "s",
                 (const gchar *) g_ptr_array_index (recovery->failed, 0));
    return FALSE;
  }
  return TRUE;
}
