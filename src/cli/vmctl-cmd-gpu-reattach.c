/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-reattach.c: vmctl gpu reattach ADDR|--vm NAME [--hook]:
 * giving PCI functions vmctl moved to vfio-pci back to the drivers they
 * came from, one library call (vmctl-session-gpu.h), then what went back
 * printed. */
#include "vmctl-output.h"

#include "vmctl-pci-address.h"
#include "vmctl-session-gpu.h"

static const gchar gpu_reattach_description[] =
  "Gives PCI functions that vmctl moved to vfio-pci back to the drivers they\n"
  "came from (the ones recorded in the journal, STATE/journal/ under the state\n"
  "directory): unbinds each from vfio-pci, restores its driver_override and\n"
  "binds its original driver. With ADDR: every function detached together\n"
  "with it (its plan: the card's functions, its IOMMU group, --hostdev\n"
  "extras), never part of it; the output lists them. With --vm NAME: every\n"
  "function detached for that VM, and the hugepages vmctl reserved for it.\n"
  "A function vmctl did not detach is refused (exit status 2).\n"
  "\n"
  "A function a running VM uses (the VM it was detached for, or any running\n"
  "domain with it as a hostdev) is refused, naming the VM (exit status 1):\n"
  "libvirt is asked read-only (-c/--connect); --force gives it back anyway.\n"
  "A plan another vmctl is detaching or giving back right now is refused too.\n"
  "\n"
  "--hook is what the libvirt hook runs at 'release', when the VM's QEMU is\n"
  "gone: with --vm NAME, it asks libvirt nothing (libvirt waits for the hook,\n"
  "and a call back into it could deadlock) and waits at most 3 s for any\n"
  "driver (VMCTL_BIND_TIMEOUT_MS overrides), so that the hook's limit is not\n"
  "reached; see contrib/libvirt-hook/README.md.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu reattach 01:00.0\n"
  "  vmctl gpu reattach 01:00.0 --dry-run\n"
  "  vmctl gpu reattach --vm gamer";

static void
print_reattached (VmctlContext *context, const VmctlMoves *moves)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (4);

  if (moves->remote) {
    vmctl_output_print_remote_moves (context, moves, "reattached",
                                     "no function of it is on vfio-pci");
    return;
  }
  json_builder_begin_object (builder);
  if (moves->dry_run)
    vmctl_json_add_actions (builder, moves->actions);
  json_builder_set_member_name (builder, "reattached");
  json_builder_begin_array (builder);
  /* in the order given back: last moved first */
  for (guint i = 0; i < moves->functions->len; i++) {
    const VmctlMovedFunction *function = &g_array_index (moves->functions, VmctlMovedFunction, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&function->address, name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "address");
    json_builder_add_string_value (builder, name);
    vmctl_json_add_string_or_null (builder, "driver", function->to);
    json_builder_end_object (builder);
    vmctl_table_add_row (table, (const gchar *[]) {
      name, vmctl_output_driver (function->from), "->", vmctl_output_driver (function->to)
    });
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (context->json)
    vmctl_json_print (builder);
  else if (moves->dry_run)
    vmctl_output_print_actions (moves->actions);
  else if (moves->functions->len == 0)
    g_print ("vmctl holds no PCI functions for that VM\n");
  else
    vmctl_table_print (table);
}

gboolean
vmctl_cmd_gpu_reattach (VmctlInvocation *invocation, GError **error)
{
  g_autofree gchar *vm = NULL;
  gboolean dry_run = FALSE;
  gboolean verbose = FALSE;
  gboolean force = FALSE;
  gboolean hook = FALSE;
  const GOptionEntry entries[] = {
    { "vm", 0, 0, G_OPTION_ARG_STRING, &vm,
      "Give back every function detached for this VM, and its hugepages", "NAME" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      "Give back functions a running VM uses", NULL },
    { "hook", 0, 0, G_OPTION_ARG_NONE, &hook,
      "Called by the libvirt hook once the VM's QEMU is gone (with --vm): ask libvirt nothing",
      NULL },
    VMCTL_GPU_RUN_OPTIONS (&dry_run, &verbose),
    { NULL }
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlMoves) moves = NULL;
  VmctlGpuFlags flags = VMCTL_GPU_FLAGS_NONE;
  const gchar *text;
  VmctlPciAddress address;

  if (!vmctl_invocation_parse (invocation, entries, gpu_reattach_description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  text = invocation->arguments[1];
  if ((text == NULL) == (vm == NULL)) {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         text == NULL ? "gpu reattach: give ADDR or --vm NAME"
                                      : "gpu reattach: give ADDR or --vm NAME, not both");
    return FALSE;
  }
  if (vm != NULL && vm[0] == '\0') {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "gpu reattach: --vm needs a VM name");
    return FALSE;
  }
  if (hook && (vm == NULL || dry_run)) {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "gpu reattach: --hook goes with --vm NAME, and not with --dry-run");
    return FALSE;
  }
  if (text != NULL && !vmctl_pci_address_parse (text, &address, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  /* the hook's output goes to libvirt's log: no progress there */
  if (!hook)
    vmctl_output_show_progress (context, verbose);
  if (force)
    flags |= VMCTL_GPU_FORCE;
  if (dry_run)
    flags |= VMCTL_GPU_DRY_RUN;
  if (hook)
    flags |= VMCTL_GPU_HOOK;
  if (vm != NULL)
    moves = vmctl_session_gpu_reattach_vm (context->session, vm, flags, error);
  else
    moves = vmctl_session_gpu_reattach (context->session, &address, flags, error);
  if (moves == NULL)
    return FALSE;
  print_reattached (context, moves);
  return TRUE;
}
