/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-reattach.c: vmctl gpu reattach: giving PCI functions vmctl
 * moved to vfio-pci back to the drivers they came from, a whole plan at a
 * time, never from under a running VM (unless --force), and the libvirt
 * hook's entry point for a VM whose QEMU is gone (--hook, no libvirt). */
#include "vmctl-cmd-gpu-private.h"

#include "vmctl-hugepages.h"
#include "vmctl-names.h"
#include "vmctl-pci-address.h"
#include "vmctl-vfio.h"
#include "vmctl-lifecycle.h"

#include <unistd.h>

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
print_reattached (VmctlContext *context, VmctlVfio *vfio, gboolean dry_run, GPtrArray *given,
                  const gchar *none)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (4);

  json_builder_begin_object (builder);
  if (dry_run)
    vmctl_gpu_add_actions_json (builder, vmctl_vfio_get_actions (vfio));
  json_builder_set_member_name (builder, "reattached");
  json_builder_begin_array (builder);
  /* in the order given back: last moved first */
  for (guint i = 0; i < given->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (given, i);
    const gchar *original = entry->original_driver[0] != '\0' ? entry->original_driver : NULL;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&entry->address, name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "address");
    json_builder_add_string_value (builder, name);
    vmctl_json_add_string_or_null (builder, "driver", original);
    json_builder_end_object (builder);
    vmctl_table_add_row (table, (const gchar *[]) {
      name, "vfio-pci", "->", vmctl_output_driver (original)
    });
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (context->json)
    vmctl_json_print (builder);
  else if (dry_run)
    vmctl_gpu_print_actions (vmctl_vfio_get_actions (vfio));
  else if (given->len == 0)
    g_print ("%s\n", none);
  else
    vmctl_table_print (table);
}

static void
print_line (const gchar *subject, const gchar *line, gpointer user_data)
{
  g_printerr ("%s\n", line);
}

static void
print_moves (VmctlContext *context, VmctlMoves *moves, const gchar *none)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (4);

  json_builder_begin_object (builder);
  if (moves->dry_run)
    vmctl_gpu_add_actions_json (builder, moves->actions);
  json_builder_set_member_name (builder, "reattached");
  json_builder_begin_array (builder);
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
      name, "vfio-pci", "->", vmctl_output_driver (function->to)
    });
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (context->json)
    vmctl_json_print (builder);
  else if (moves->dry_run)
    vmctl_gpu_print_actions (moves->actions);
  else if (moves->functions->len == 0)
    g_print ("%s\n", none);
  else
    vmctl_table_print (table);
}

/* the entries whose owners decide whether libvirt must answer: @address's
 * own (its plan shares its owner), or every one of @vm */
static GPtrArray *
relevant_entries (GPtrArray *held, const VmctlPciAddress *address, const gchar *vm)
{
  GPtrArray *relevant = g_ptr_array_new ();

  for (guint i = 0; i < held->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (held, i);

    if (vm != NULL ? g_strcmp0 (entry->owner, vm) == 0
                   : vmctl_pci_address_equal (&entry->address, address))
      g_ptr_array_add (relevant, entry);
  }
  return relevant;
}

/* The reattach, refused for functions running VMs use unless @force. When
 * libvirt could not say whether one does, the error says that instead of
 * naming a VM "(unknown)". */
static gboolean
reattach_checked (VmctlContext *context, VmctlVfio *vfio, const VmctlPciAddress *address,
                  const gchar *vm, gboolean force, GPtrArray **out_given, GError **error)
{
  g_autoptr(VmctlVmUsers) users = vmctl_vm_users_new (context->session);
  g_autoptr(GPtrArray) held = NULL;
  g_autoptr(GPtrArray) relevant = NULL;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *unknown;
  gboolean ok;

  if (!force) {
    held = vmctl_vfio_status (vfio, NULL, error);
    if (held == NULL)
      return FALSE;
    relevant = relevant_entries (held, address, vm);
    if (!vmctl_vm_users_connect (users, vmctl_vfio_get_journal (vfio), relevant, &local_error)) {
      g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                   "cannot tell whether a running VM uses them, so nothing was given back: "
                   "%s (--force gives them back anyway)", local_error->message);
      return FALSE;
    }
    vmctl_vfio_set_user (vfio, vmctl_vm_users_lookup, users);
  }
  ok = vm != NULL ? vmctl_vfio_reattach_owner (vfio, vm, out_given, &local_error)
                  : vmctl_vfio_reattach (vfio, address, 1, out_given, &local_error);
  vmctl_vfio_set_user (vfio, NULL, NULL);
  if (ok)
    return TRUE;
  unknown = vmctl_vm_users_get_unknown (users);
  if (g_error_matches (local_error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING)
      && unknown->len > 0)
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "cannot tell whether a running VM uses them, so nothing was given back: %s "
                 "(--force gives them back anyway)", (const gchar *) g_ptr_array_index (unknown, 0));
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* `gpu reattach --vm NAME [--hook]`: the after-stop policy */
static gboolean
reattach_vm (VmctlContext *context, const gchar *vm, VmctlReleaseFlags flags, GError **error)
{
  g_autoptr(VmctlMoves) moves = NULL;

  if (!vmctl_vm_release (context->session, vm, flags, &moves, error))
    return FALSE;
  print_moves (context, moves, "vmctl holds no PCI functions for that VM");
  return TRUE;
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
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GPtrArray) given = NULL;
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
  if (text != NULL && vmctl_session_uses_nodedev (context->session))
    return vmctl_gpu_remote_reattach (context, &address, force, dry_run, error);
  if (!vmctl_gpu_check_state_dir (context, error))
    return FALSE;
  if (vm != NULL) {
    VmctlReleaseFlags flags = hook ? VMCTL_RELEASE_HOOK
                                   : force ? VMCTL_RELEASE_FLAGS_NONE : VMCTL_RELEASE_CHECK_USERS;

    if (dry_run)
      flags |= VMCTL_RELEASE_DRY_RUN;
    if (!hook && !invocation->options->json && (verbose || isatty (STDERR_FILENO)))
      vmctl_session_set_progress_func (context->session, print_line, NULL);
    return reattach_vm (context, vm, flags, error);
  }
  vfio = vmctl_gpu_open_engine (context, dry_run, verbose, error);
  if (vfio == NULL)
    return FALSE;
  if (!reattach_checked (context, vfio, &address, NULL, force, &given, error))
    return FALSE;
  print_reattached (context, vfio, dry_run, given, "vmctl holds no PCI functions for that VM");
  return TRUE;
}
