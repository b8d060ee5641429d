/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-recover.c: vmctl gpu recover: giving back what a crashed
 * vmctl or a VM that died without cleaning up left on vfio-pci, never a
 * function a running (or starting) VM uses. */
#include "vmctl-cmd-gpu-private.h"

#include "vmctl-vfio.h"

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
print_recovery (VmctlContext *context, VmctlVfio *vfio, gboolean dry_run,
                const VmctlVfioRecovery *recovery)
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
      vmctl_gpu_add_actions_json (builder, vmctl_vfio_get_actions (vfio));
    for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
      vmctl_gpu_add_string_array (builder, sections[i].word, sections[i].lines);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
    return;
  }
  if (dry_run)
    vmctl_gpu_print_actions (vmctl_vfio_get_actions (vfio));
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
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(VmctlVmUsers) users = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;
  g_autoptr(GPtrArray) held = NULL;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *unknown;

  if (!vmctl_invocation_start (invocation, entries, gpu_recover_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  if (!vmctl_gpu_check_state_dir (context, error))
    return FALSE;
  vfio = vmctl_gpu_open_engine (context, dry_run, verbose, error);
  if (vfio == NULL)
    return FALSE;
  held = vmctl_vfio_status (vfio, NULL, error);
  if (held == NULL)
    return FALSE;
  users = vmctl_vm_users_new (context->session);
  if (!vmctl_vm_users_connect (users, vmctl_vfio_get_journal (vfio), held, &local_error)) {
    /* a failure to recover (exit 1) whatever the cause, a bad URI
     * included: the journal is intact and the command can be rerun */
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "cannot tell which VMs still run, so nothing was given back: %s",
                 local_error->message);
    return FALSE;
  }
  recovery = vmctl_vfio_recover (vfio, vmctl_vm_users_lookup, users, error);
  if (recovery == NULL)
    return FALSE;
  unknown = vmctl_vm_users_get_unknown (users);
  for (guint i = 0; i < unknown->len; i++)
    g_ptr_array_add (recovery->failed, g_strdup (g_ptr_array_index (unknown, i)));

  print_recovery (context, vfio, dry_run, recovery);
  if (recovery->failed->len > 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "recovery incomplete, %u problem%s; the first: %s",
                 recovery->failed->len, recovery->failed->len == 1 ? "" : "s",
                 (const gchar *) g_ptr_array_index (recovery->failed, 0));
    return FALSE;
  }
  return TRUE;
}
