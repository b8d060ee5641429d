/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-vfio.c: the PCI commands that move functions, one library
 * call each: gpu detach, gpu reattach (one plan, or a VM's functions),
 * gpu status, gpu recover, and the libvirt hook's prepare. On the local
 * host they drive the journaled engine (passthrough/vmctl-vfio.h) under
 * the session's host root and state directory; on a remote host
 * (vmctl_session_uses_nodedev()) libvirt's node-device API moves the plan
 * there and keeps the bookkeeping, so no journal is kept here. */
#include "vmctl-session-gpu.h"

#include "vmctl-error.h"
#include "vmctl-lifecycle-hook.h"
#include "vmctl-lifecycle-private.h"
#include "vmctl-lifecycle-users.h"
#include "vmctl-plan.h"
#include "vmctl-session-private.h"
#include "vmctl-state-dir.h"
#include "vmctl-vfio-remote.h"

/* ---- what both hosts share ---- */

/* Named functions that are bad input, before any plan: unknown ones and
 * bridges (the plan would call a bridge "not passable", a failure, but
 * naming one is a mistake in the request). */
static gboolean
check_requested (const VmctlInventory *inventory, const VmctlPciAddress *address,
                 GError **error)
{
  const VmctlPciDevice *device = vmctl_inventory_find (inventory, address, error);

  if (device == NULL)
    return FALSE;
  if (vmctl_pci_device_is_bridge (device)) {
    g_autofree gchar *refusal = vmctl_pci_bridge_refusal (address);

    g_set_error_literal (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE, refusal);
    return FALSE;
  }
  return TRUE;
}

/* The functions that move with @address (and @hostdevs): the plan, from
 * the session's inventory. Host-critical functions stop it in any role;
 * host use is left to the engine, which checks it right before the move
 * (a remote host's is not known). */
static GArray *
plan_functions (VmctlSession *session, const VmctlPciAddress *address,
                const VmctlPciAddress *hostdevs, guint n_hostdevs, VmctlPlan **out_plan,
                GError **error)
{
  g_autoptr(VmctlInventory) inventory = vmctl_session_load_inventory (session,
                                                                      VMCTL_INVENTORY_FLAGS_NONE,
                                                                      error);
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(VmctlPlan) plan = NULL;
  GArray *functions;

  if (inventory == NULL || !check_requested (inventory, address, error))
    return NULL;
  for (guint i = 0; i < n_hostdevs; i++)
    if (!check_requested (inventory, &hostdevs[i], error))
      return NULL;
  quirks = vmctl_session_load_quirks (session, error);
  if (quirks == NULL)
    return NULL;
  plan = vmctl_plan_compute (inventory, address, 1, hostdevs, n_hostdevs, quirks, error);
  if (plan == NULL)
    return NULL;
  functions = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  for (guint i = 0; i < plan->functions->len; i++)
    g_array_append_val (functions, g_array_index (plan->functions, VmctlPlanFunction, i).address);
  if (out_plan != NULL)
    *out_plan = g_steal_pointer (&plan);
  return functions;
}

/* The state directory checked before anything else, dry runs and readers
 * included: one that is no directory would read as "holds nothing", and
 * one that is a symlink, someone else's or writable by others is refused
 * with the fix (vmctl-state-dir.h). A missing one is fine: it is created
 * on the first write. */
static gboolean
check_state_dir (VmctlSession *session, GError **error)
{
  return vmctl_state_dir_check (vmctl_session_get_state_dir (session), error);
}

/* the engine for the session's host, after its state directory passed */
static VmctlVfio *
open_engine (VmctlSession *session, VmctlGpuFlags flags, GError **error)
{
  VmctlVfio *vfio;

  if (!check_state_dir (session, error))
    return NULL;
  vfio = vmctl_session_new_engine (session, NULL, error);
  if (vfio == NULL)
    return NULL;
  vmctl_vfio_set_dry_run (vfio, (flags & VMCTL_GPU_DRY_RUN) != 0);
  vmctl_vfio_set_force (vfio, (flags & VMCTL_GPU_FORCE) != 0);
  return vfio;
}

/* the driver a function is bound to now, NULL when none */
static gchar *
current_driver (VmctlSession *session, const VmctlPciAddress *address)
{
  g_autofree gchar *name = vmctl_pci_address_to_string (address);
  g_autofree gchar *path = g_strdup_printf ("/sys/bus/pci/devices/%s/driver", name);

  return vmctl_host_read_link_name (vmctl_session_get_host (session), path);
}

static VmctlMoves *
converted (VmctlMoves *moves, GError **error)
{
  if (moves == NULL)
    vmctl_error_convert (error);
  return moves;
}

/* ---- gpu detach ---- */

static VmctlMoves *
detach_remote (VmctlSession *session, GArray *functions, gboolean dry_run, GError **error)
{
  g_autoptr(VmctlMoves) moves = vmctl_moves_new (TRUE, dry_run);
  virConnectPtr connection = vmctl_session_get_connection (session, dry_run, error);

  if (connection == NULL
      || !vmctl_vfio_remote_detach (connection, (const VmctlPciAddress *) functions->data,
                                    functions->len, moves->actions, dry_run, error))
    return NULL;
  return g_steal_pointer (&moves);
}

static VmctlMoves *
detach (VmctlSession *session, const VmctlPciAddress *address, const VmctlPciAddress *hostdevs,
        guint n_hostdevs, VmctlGpuFlags flags, GError **error)
{
  gboolean dry_run = (flags & VMCTL_GPU_DRY_RUN) != 0;
  g_autoptr(VmctlPlan) plan = NULL;
  g_autoptr(GArray) functions = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(VmctlMoves) moves = NULL;

  if (vmctl_session_uses_nodedev (session)) {
    functions = plan_functions (session, address, hostdevs, n_hostdevs, NULL, error);
    return functions != NULL ? detach_remote (session, functions, dry_run, error) : NULL;
  }
  /* the functions move on the host root's sysfs: the plan is made from
   * the same tree, once the state directory passed */
  if (!check_state_dir (session, error))
    return NULL;
  functions = plan_functions (session, address, hostdevs, n_hostdevs, &plan, error);
  if (functions == NULL)
    return NULL;
  vfio = open_engine (session, flags, error);
  if (vfio == NULL
      || !vmctl_vfio_detach (vfio, (const VmctlPciAddress *) functions->data, functions->len, "",
                             error))
    return NULL;
  moves = vmctl_moves_new (FALSE, dry_run);
  vmctl_moves_add_actions (moves, vmctl_vfio_get_actions (vfio));
  for (guint i = 0; i < plan->functions->len && !dry_run; i++) {
    const VmctlPlanFunction *function = &g_array_index (plan->functions, VmctlPlanFunction, i);
    g_autofree gchar *now = current_driver (session, &function->address);

    vmctl_moves_add (moves, &function->address, function->driver, now);
  }
  return g_steal_pointer (&moves);
}

/**
 * vmctl_session_gpu_detach:
 * @address: the function asked for
 * @hostdevs: (array length=n_hostdevs) (nullable): more functions to move,
 *   to clear a group shared with them
 * @flags: VMCTL_GPU_FORCE takes functions the host uses;
 *   VMCTL_GPU_DRY_RUN changes nothing
 * @error: VMCTL_ERROR_NOT_FOUND or VMCTL_ERROR_INVALID_INPUT (a bridge) for
 *   a function named, VMCTL_ERROR_NOT_PASSABLE, VMCTL_ERROR_HOST_CRITICAL,
 *   VMCTL_ERROR_HOST_IN_USE, VMCTL_ERROR_BUSY (another vmctl, or held for
 *   a VM), VMCTL_ERROR_STATE, VMCTL_ERROR_HOST (a move failed and was
 *   undone), VMCTL_ERROR_INCOMPLETE, VMCTL_ERROR_HYPERVISOR (remote)
 *
 * `gpu detach`: @address and every function that must go along (its
 * companions, its passable siblings, @hostdevs and theirs: the plan) to
 * vfio-pci as one transaction, none of it for a VM. On the local host each
 * move is journaled first under the state directory, so that a reattach
 * gives each function back to the driver it came from and a crash is
 * recovered; the steps go to the session's progress function. On a
 * remote host libvirt detaches them there.
 *
 * Returns: (transfer full): each function moved (from its driver, to the
 *   one it is on now) and the host changes; in a dry run, the changes that
 *   would be made
 */
VmctlMoves *
vmctl_session_gpu_detach (VmctlSession *session, const VmctlPciAddress *address,
                          const VmctlPciAddress *hostdevs, guint n_hostdevs, VmctlGpuFlags flags,
                          GError **error)
{
  g_return_val_if_fail (session != NULL && address != NULL, NULL);
  return converted (detach (session, address, hostdevs, n_hostdevs, flags, error), error);
}

/* ---- gpu reattach ---- */

static VmctlReleaseFlags
release_flags (VmctlGpuFlags flags)
{
  VmctlReleaseFlags release = VMCTL_RELEASE_FLAGS_NONE;

  if (flags & VMCTL_GPU_HOOK)
    release |= VMCTL_RELEASE_HOOK;
  else if (!(flags & VMCTL_GPU_FORCE))
    release |= VMCTL_RELEASE_CHECK_USERS;
  if (flags & VMCTL_GPU_DRY_RUN)
    release |= VMCTL_RELEASE_DRY_RUN;
  return release;
}

static VmctlMoves *
reattach (VmctlSession *session, const VmctlPciAddress *address, VmctlGpuFlags flags,
          GError **error)
{
  gboolean dry_run = (flags & VMCTL_GPU_DRY_RUN) != 0;
  gboolean refused = FALSE;
  g_autoptr(VmctlMoves) moves = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;

  if (vmctl_session_uses_nodedev (session)) {
    g_autoptr(GArray) functions = plan_functions (session, address, NULL, 0, NULL, error);
    virConnectPtr connection;

    if (functions == NULL)
      return NULL;
    connection = vmctl_session_get_connection (session, dry_run, error);
    moves = vmctl_moves_new (TRUE, dry_run);
    if (connection == NULL
        || !vmctl_lifecycle_reattach_remote (connection, functions, release_flags (flags), moves,
                                             error))
      return NULL;
    return g_steal_pointer (&moves);
  }
  vfio = open_engine (session, flags, error);
  if (vfio == NULL)
    return NULL;
  moves = vmctl_moves_new (FALSE, dry_run);
  if (!vmctl_lifecycle_give_back (session, vfio, NULL, address, !(flags & VMCTL_GPU_FORCE), moves,
                                  &refused, error))
    return NULL;
  return g_steal_pointer (&moves);
}

/**
 * vmctl_session_gpu_reattach:
 * @address: a function vmctl detached
 * @flags: VMCTL_GPU_FORCE gives back functions a running VM uses;
 *   VMCTL_GPU_DRY_RUN changes nothing
 * @error: VMCTL_ERROR_INVALID_INPUT when vmctl did not detach @address,
 *   VMCTL_ERROR_NOT_FOUND when the host has no such function,
 *   VMCTL_ERROR_BUSY when a running VM uses one of its plan (it is named)
 *   or another vmctl works on it, VMCTL_ERROR_HYPERVISOR when libvirt
 *   cannot say whether a VM uses them, VMCTL_ERROR_STATE for a corrupt
 *   journal entry, VMCTL_ERROR_INCOMPLETE naming what could not go back
 *
 * `gpu reattach ADDR`: every function detached together with @address
 * (its plan, never part of it) back to the driver it came from, unless a
 * running VM uses one: its owner VM while that runs, or any running domain
 * with it as a hostdev (libvirt asked read-only). On a remote host, the
 * plan of @address that the host has on vfio-pci, through its libvirt.
 *
 * Returns: (transfer full): each function given back (from vfio-pci to
 *   its driver), in the order given back, and the host changes
 */
VmctlMoves *
vmctl_session_gpu_reattach (VmctlSession *session, const VmctlPciAddress *address,
                            VmctlGpuFlags flags, GError **error)
{
  g_return_val_if_fail (session != NULL && address != NULL, NULL);
  return converted (reattach (session, address, flags, error), error);
}

static VmctlMoves *
reattach_vm (VmctlSession *session, const gchar *vm, VmctlGpuFlags flags, GError **error)
{
  VmctlMoves *moves = NULL;

  /* the hook always runs on the VM's own host, under its host root */
  if (((flags & VMCTL_GPU_HOOK) || !vmctl_session_uses_nodedev (session))
      && !check_state_dir (session, error))
    return NULL;
  if (!vmctl_vm_release (session, vm, release_flags (flags), &moves, error))
    return NULL;
  return moves;
}

/**
 * vmctl_session_gpu_reattach_vm:
 * @vm: the VM whose functions go back
 * @flags: VMCTL_GPU_FORCE gives them back even while a VM runs;
 *   VMCTL_GPU_HOOK for the libvirt hook's release (no libvirt, short
 *   waits); VMCTL_GPU_DRY_RUN changes nothing
 * @error: as vmctl_session_gpu_reattach()
 *
 * `gpu reattach --vm NAME`: the after-stop policy (vmctl_vm_release()) on
 * its own: every function journaled for @vm back to its driver and its
 * dynamic hugepages released, refused (nothing changed) while a running
 * VM uses the functions unless forced.
 *
 * Returns: (transfer full): each function given back and the host changes
 */
VmctlMoves *
vmctl_session_gpu_reattach_vm (VmctlSession *session, const gchar *vm, VmctlGpuFlags flags,
                               GError **error)
{
  g_return_val_if_fail (session != NULL && vm != NULL, NULL);
  return converted (reattach_vm (session, vm, flags, error), error);
}

/**
 * vmctl_session_gpu_hook_prepare:
 * @vm: the guest name libvirt passed to the hook
 * @domain_xml: (array length=length): the domain XML libvirt passed on
 *   the hook's stdin
 * @error: VMCTL_ERROR_STATE for a state directory vmctl cannot trust;
 *   VMCTL_ERROR_DATA for a name or XML vmctl cannot accept, or what a
 *   start would fail with, the message then starting "cannot start VM
 *   'NAME': " (libvirt shows it with the start it refuses)
 *
 * The libvirt hook's prepare (vmctl_lifecycle_hook_prepare()): for a
 * domain with vmctl's metadata, what `vmctl start` does before the start,
 * without asking libvirt anything. On failure nothing stays moved.
 *
 * Returns: TRUE when the domain may start (nothing to do, or its functions
 *   and hugepages are ready), FALSE with @error
 */
gboolean
vmctl_session_gpu_hook_prepare (VmctlSession *session, const gchar *vm, const gchar *domain_xml,
                                gsize length, GError **error)
{
  g_return_val_if_fail (session != NULL && vm != NULL, FALSE);
  if (!check_state_dir (session, error)) {
    vmctl_error_convert (error);
    return FALSE;
  }
  if (!vmctl_lifecycle_hook_prepare (session, vm, domain_xml, length, error)) {
    /* libvirt shows this line with the start it refuses */
    g_prefix_error (error, "cannot start VM '%s': ", vm);
    vmctl_error_convert (error);
    return FALSE;
  }
  return TRUE;
}

/* ---- gpu status ---- */

static void
held_function_free (VmctlHeldFunction *function)
{
  vmctl_journal_entry_free (function->entry);
  g_free (function->driver);
  g_free (function);
}

/**
 * vmctl_gpu_status_free:
 * @status: (nullable): a status
 */
void
vmctl_gpu_status_free (VmctlGpuStatus *status)
{
  if (status == NULL)
    return;
  g_clear_pointer (&status->functions, g_ptr_array_unref);
  g_clear_pointer (&status->problems, g_ptr_array_unref);
  g_free (status);
}

static VmctlGpuStatus *
status (VmctlSession *session, GError **error)
{
  /* as a dry run: reading must not create the state directory */
  g_autoptr(VmctlVfio) vfio = open_engine (session, VMCTL_GPU_DRY_RUN, error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree VmctlJournalEntry **taken = NULL;
  gsize n_taken = 0;
  VmctlGpuStatus *result;
  VmctlJournal *journal;

  if (vfio == NULL)
    return NULL;
  entries = vmctl_vfio_status (vfio, &problems, error);
  if (entries == NULL)
    return NULL;
  journal = vmctl_vfio_get_journal (vfio);
  result = g_new0 (VmctlGpuStatus, 1);
  result->functions = g_ptr_array_new_with_free_func ((GDestroyNotify) held_function_free);
  result->problems = g_steal_pointer (&problems);
  taken = (VmctlJournalEntry **) g_ptr_array_steal (entries, &n_taken);
  for (gsize i = 0; i < n_taken; i++) {
    VmctlHeldFunction *function = g_new0 (VmctlHeldFunction, 1);

    function->entry = taken[i];
    function->driver = current_driver (session, &function->entry->address);
    function->stale = journal != NULL && vmctl_journal_entry_is_stale (journal, function->entry);
    g_ptr_array_add (result->functions, function);
  }
  return result;
}

/**
 * vmctl_session_gpu_status:
 * @error: VMCTL_ERROR_STATE when the state directory cannot be trusted or
 *   the journal cannot be read
 *
 * `gpu status`: the functions vmctl holds on vfio-pci, from the journal,
 * with the driver each is on now. Changes nothing, the state directory
 * included.
 *
 * Returns: (transfer full): what is held, and the entries that could not
 *   be read
 */
VmctlGpuStatus *
vmctl_session_gpu_status (VmctlSession *session, GError **error)
{
  VmctlGpuStatus *result;

  g_return_val_if_fail (session != NULL, NULL);
  result = status (session, error);
  if (result == NULL)
    vmctl_error_convert (error);
  return result;
}

/* ---- gpu recover ---- */

static VmctlVfioRecovery *
recover (VmctlSession *session, VmctlGpuFlags flags, GError **error)
{
  g_autoptr(VmctlVfio) vfio = open_engine (session, flags & VMCTL_GPU_DRY_RUN, error);
  g_autoptr(VmctlVmUsers) users = NULL;
  g_autoptr(GPtrArray) held = NULL;
  g_autoptr(GError) local_error = NULL;
  VmctlVfioRecovery *recovery;
  GPtrArray *unknown;

  if (vfio == NULL)
    return NULL;
  held = vmctl_vfio_status (vfio, NULL, error);
  if (held == NULL)
    return NULL;
  users = vmctl_vm_users_new (session);
  if (!vmctl_vm_users_connect (users, vmctl_vfio_get_journal (vfio), held, &local_error)) {
    /* a failure to recover whatever the cause, a bad URI included: the
     * journal is intact and the command can be run again */
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_USERS_UNKNOWN,
                 "cannot tell which VMs still run, so nothing was given back: %s",
                 local_error->message);
    return NULL;
  }
  recovery = vmctl_vfio_recover (vfio, vmctl_vm_users_lookup, users, error);
  if (recovery == NULL)
    return NULL;
  unknown = vmctl_vm_users_get_unknown (users);
  for (guint i = 0; i < unknown->len; i++)
    g_ptr_array_add (recovery->failed, g_strdup (g_ptr_array_index (unknown, i)));
  return recovery;
}

/**
 * vmctl_session_gpu_recover:
 * @flags: VMCTL_GPU_DRY_RUN changes nothing
 * @error: VMCTL_ERROR_STATE when the journal cannot be read,
 *   VMCTL_ERROR_HYPERVISOR when libvirt cannot say which VMs run (nothing
 *   was given back); what a single function could not do is in the
 *   report's failed list, not here
 *
 * `gpu recover`: every function in the journal back to its driver unless
 * a running (or starting) VM uses it, a plan at a time; half-done moves
 * rolled back from the step they reached, entries of an earlier boot
 * dropped, corrupt ones named and left with their plan.
 *
 * Returns: (transfer full): what was given back, kept, dropped and what
 *   failed, with the host changes
 */
VmctlVfioRecovery *
vmctl_session_gpu_recover (VmctlSession *session, VmctlGpuFlags flags, GError **error)
{
  VmctlVfioRecovery *recovery;

  g_return_val_if_fail (session != NULL, NULL);
  recovery = recover (session, flags, error);
  if (recovery == NULL)
    vmctl_error_convert (error);
  return recovery;
}
