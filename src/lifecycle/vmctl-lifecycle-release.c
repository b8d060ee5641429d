/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-release.c: the one after-stop policy. Whatever ended
 * the VM (`vmctl stop`, `vmctl destroy`, a start that failed after the
 * functions moved, `vmctl gpu reattach --vm`, the libvirt hook's release
 * once QEMU is gone), the same happens: every function journaled for the
 * VM goes back to the driver it came from, and its dynamic hugepages go
 * back to the kernel, and the host changes a start made for it (issue 13:
 * CPU isolation, the sleep inhibitor, the single-GPU hand-off) are given
 * back once its functions are on their drivers again.
 *
 * The hugepages go back even when a function could not be given back:
 * they are unrelated to it (a reservation is a count in nr_hugepages), the
 * pool is the scarcer resource, and the journal keeps the function for
 * `vmctl gpu recover` while nothing keeps the reservation's pages for
 * anyone once the VM is down. They stay only when the release was refused
 * because the VM (or another) may still be running. */
#include "vmctl-lifecycle-private.h"
#include "vmctl-lifecycle-host.h"
#include "vmctl-lifecycle-users.h"

#include "vmctl-hugepages.h"
#include "vmctl-session-private.h"
#include "vmctl-vfio.h"
#include "vmctl-vfio-remote.h"

static void
moved_function_clear (gpointer data)
{
  VmctlMovedFunction *function = data;

  g_free (function->from);
  g_free (function->to);
}

/**
 * vmctl_moves_new: (skip)
 *
 * Returns: (transfer full): an empty report
 */
VmctlMoves *
vmctl_moves_new (gboolean remote, gboolean dry_run)
{
  VmctlMoves *moves = g_new0 (VmctlMoves, 1);

  moves->remote = remote;
  moves->dry_run = dry_run;
  moves->functions = g_array_new (FALSE, TRUE, sizeof (VmctlMovedFunction));
  g_array_set_clear_func (moves->functions, moved_function_clear);
  moves->actions = g_ptr_array_new_with_free_func (g_free);
  return moves;
}

/**
 * vmctl_moves_free:
 * @moves: (nullable): a report
 */
void
vmctl_moves_free (VmctlMoves *moves)
{
  if (moves == NULL)
    return;
  g_array_unref (moves->functions);
  g_ptr_array_unref (moves->actions);
  g_free (moves);
}

/**
 * vmctl_moves_add: (skip)
 * @from: (nullable): the driver before
 * @to: (nullable): the driver after
 */
void
vmctl_moves_add (VmctlMoves *moves, const VmctlPciAddress *address, const gchar *from,
                 const gchar *to)
{
  VmctlMovedFunction function = { *address, g_strdup (from), g_strdup (to) };

  g_array_append_val (moves->functions, function);
}

/**
 * vmctl_moves_add_given: (skip)
 * @given: (element-type VmctlJournalEntry): functions given back, in order
 */
void
vmctl_moves_add_given (VmctlMoves *moves, GPtrArray *given)
{
  for (guint i = 0; given != NULL && i < given->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (given, i);

    vmctl_moves_add (moves, &entry->address, "vfio-pci",
                     entry->original_driver[0] != '\0' ? entry->original_driver : NULL);
  }
}

/**
 * vmctl_moves_add_actions: (skip)
 * @actions: (element-type utf8): host changes, copied
 */
void
vmctl_moves_add_actions (VmctlMoves *moves, GPtrArray *actions)
{
  for (guint i = 0; i < actions->len; i++)
    g_ptr_array_add (moves->actions, g_strdup (g_ptr_array_index (actions, i)));
}

/* the entries whose users decide: every one of @owner, or @address's own
 * (its plan shares its owner) */
static GPtrArray *
relevant_entries (GPtrArray *held, const gchar *owner, const VmctlPciAddress *address)
{
  GPtrArray *relevant = g_ptr_array_new ();

  for (guint i = 0; i < held->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (held, i);

    if (owner != NULL ? g_strcmp0 (entry->owner, owner) == 0
                      : vmctl_pci_address_equal (&entry->address, address))
      g_ptr_array_add (relevant, entry);
  }
  return relevant;
}

static void
set_users_unknown (GError **error, const gchar *why)
{
  g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_USERS_UNKNOWN,
               "cannot tell whether a running VM uses them, so nothing was given back: %s "
               "(--force gives them back anyway)", why);
}

/**
 * vmctl_lifecycle_give_back: (skip)
 * @vfio: the session's engine (vmctl_session_new_engine())
 * @owner: (nullable): give back every plan journaled for this VM...
 * @address: (nullable): ...or the plan holding this function
 * @check_users: refuse when a running VM uses a function to give back
 *   (libvirt asked read-only through the session)
 * @moves: gets the functions given back and the engine's actions
 * @out_refused: (out): TRUE when it failed because a running VM uses a
 *   function, or libvirt could not say: nothing was given back
 *
 * The one place that decides whether held functions may go back while
 * VMs run: `gpu reattach ADDR`, `gpu reattach --vm` and every after-stop
 * release come through here.
 */
gboolean
vmctl_lifecycle_give_back (VmctlSession *session, VmctlVfio *vfio, const gchar *owner,
                           const VmctlPciAddress *address, gboolean check_users,
                           VmctlMoves *moves, gboolean *out_refused, GError **error)
{
  g_autoptr(VmctlVmUsers) users = NULL;
  g_autoptr(GPtrArray) given = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  *out_refused = FALSE;
  if (check_users) {
    g_autoptr(GPtrArray) held = vmctl_vfio_status (vfio, NULL, error);
    g_autoptr(GPtrArray) relevant = NULL;

    if (held == NULL)
      return FALSE;
    relevant = relevant_entries (held, owner, address);
    users = vmctl_vm_users_new (session);
    if (!vmctl_vm_users_connect (users, vmctl_vfio_get_journal (vfio), relevant, &local_error)) {
      set_users_unknown (error, local_error->message);
      *out_refused = TRUE;
      return FALSE;
    }
    vmctl_vfio_set_user (vfio, vmctl_vm_users_lookup, users);
  }
  ok = owner != NULL ? vmctl_vfio_reattach_owner (vfio, owner, &given, &local_error)
                     : vmctl_vfio_reattach (vfio, address, 1, &given, &local_error);
  vmctl_vfio_set_user (vfio, NULL, NULL);
  vmctl_moves_add_given (moves, given);
  vmctl_moves_add_actions (moves, vmctl_vfio_get_actions (vfio));
  if (ok)
    return TRUE;
  *out_refused = g_error_matches (local_error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING);
  if (*out_refused && users != NULL && vmctl_vm_users_get_unknown (users)->len > 0)
    set_users_unknown (error, g_ptr_array_index (vmctl_vm_users_get_unknown (users), 0));
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Gives back what the journal holds for @name, asking first (with
 * VMCTL_RELEASE_CHECK_USERS) whether a running VM uses any of it. */
static gboolean
give_back_journaled (VmctlSession *session, const gchar *name, VmctlReleaseFlags flags,
                     VmctlMoves *moves, gboolean *out_refused, GError **error)
{
  g_autoptr(VmctlVfio) vfio = vmctl_session_new_engine (session, name, error);

  *out_refused = FALSE;
  if (vfio == NULL)
    return FALSE;
  vmctl_vfio_set_dry_run (vfio, (flags & VMCTL_RELEASE_DRY_RUN) != 0);
  /* issue 12: a card with the reset bug said so before it goes back */
  if (!(flags & VMCTL_RELEASE_DRY_RUN))
    vmctl_lifecycle_desk_after_stop (session, vfio, name);
  if (flags & VMCTL_RELEASE_HOOK) {
    vmctl_vfio_set_bind_timeout (vfio, vmctl_lifecycle_hook_wait_ms ());
    vmctl_vfio_set_lock_timeout (vfio, vmctl_lifecycle_hook_wait_ms ());
  }
  return vmctl_lifecycle_give_back (session, vfio, name, NULL,
                                    (flags & (VMCTL_RELEASE_CHECK_USERS | VMCTL_RELEASE_HOOK))
                                    == VMCTL_RELEASE_CHECK_USERS,
                                    moves, out_refused, error);
}

static gboolean
release_sysfs (VmctlSession *session, const gchar *name, VmctlReleaseFlags flags,
               VmctlMoves *moves, GError **error)
{
  g_autofree gchar *journal_dir = g_build_filename (vmctl_session_get_state_dir (session),
                                                    "journal", NULL);
  g_autoptr(GError) hugepages_error = NULL;
  gboolean refused = FALSE;
  gboolean ok = TRUE;

  /* no journal yet: vmctl never moved anything here (and a user without
   * rights to the state directory can stop a VM without devices) */
  if (g_file_test (journal_dir, G_FILE_TEST_IS_DIR))
    ok = give_back_journaled (session, name, flags, moves, &refused, error);
  if (refused || (flags & VMCTL_RELEASE_DRY_RUN))
    return ok;
  /* issue 13: each tried even when a function stayed on vfio-pci; the
   * first failure is the one reported */
  if (!vmctl_lifecycle_host_after_stop (session, name, ok ? error : NULL))
    ok = FALSE;
  if (!vmctl_hugepages_release (vmctl_session_get_host (session),
                                vmctl_session_get_state_dir (session), name,
                                &hugepages_error)) {
    if (ok)
      g_propagate_error (error, g_steal_pointer (&hugepages_error));
    return FALSE;
  }
  return ok;
}

/* a function of @functions a domain running on @connection has as a
 * hostdev: taking it from under the guest is refused, naming the domain */
static gboolean
check_not_running (virConnectPtr connection, GArray *functions, GError **error)
{
  g_autoptr(GHashTable) users = vmctl_vm_running_hostdevs (connection, NULL, error);

  if (users == NULL) {
    g_prefix_error (error, "cannot tell whether a running VM uses them, so nothing was given "
                           "back (--force gives them back anyway): ");
    return FALSE;
  }
  for (guint i = 0; i < functions->len; i++) {
    g_autofree gchar *name = vmctl_pci_address_to_string (&g_array_index (functions,
                                                                          VmctlPciAddress, i));
    const gchar *vm = g_hash_table_lookup (users, name);

    if (vm != NULL) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING,
                   "%s is in use by running VM '%s': stop it first, or give --force to take "
                   "it anyway", name, vm);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vmctl_lifecycle_reattach_remote: (skip)
 * @functions: (element-type VmctlPciAddress): what to give back
 * @moves: gets one action per libvirt call made (or, in a dry run, that
 *   would be made)
 *
 * Gives @functions back on the remote host @connection manages, refusing
 * (with VMCTL_RELEASE_CHECK_USERS) those a domain running there uses.
 */
gboolean
vmctl_lifecycle_reattach_remote (virConnectPtr connection, GArray *functions,
                                 VmctlReleaseFlags flags, VmctlMoves *moves, GError **error)
{
  if ((flags & VMCTL_RELEASE_CHECK_USERS) && !check_not_running (connection, functions, error))
    return FALSE;
  return vmctl_vfio_remote_reattach (connection, (const VmctlPciAddress *) functions->data,
                                     functions->len, moves->actions,
                                     (flags & VMCTL_RELEASE_DRY_RUN) != 0, error);
}

/* the remote host: the functions of the VM's plan (libvirt keeps no
 * journal of ours there), given back through its node devices */
static gboolean
release_remote (VmctlSession *session, virDomainPtr domain, VmctlReleaseFlags flags,
                VmctlMoves *moves, GError **error)
{
  g_autoptr(VmctlVmMetadata) metadata = NULL;
  g_autoptr(GArray) functions = NULL;

  /* unreadable metadata holds no plan vmctl would act on */
  if (!vmctl_lifecycle_read_metadata (domain, &metadata, NULL) || metadata == NULL
      || metadata->functions->len == 0)
    return TRUE;
  return vmctl_lifecycle_parse_functions (metadata->functions, &functions, error)
         && vmctl_lifecycle_reattach_remote (sym_virDomainGetConnect (domain), functions, flags,
                                             moves, error);
}

/**
 * vmctl_lifecycle_release: (skip)
 * @domain: (nullable): the VM's domain when the caller has it (stop,
 *   destroy, start); looked up through the session when a remote host
 *   needs it
 *
 * vmctl_vm_release() for the lifecycle's own callers.
 */
gboolean
vmctl_lifecycle_release (VmctlSession *session, virDomainPtr domain, const gchar *name,
                         VmctlReleaseFlags flags, VmctlMoves **out_moves, GError **error)
{
  gboolean remote = !(flags & VMCTL_RELEASE_HOOK) && vmctl_session_uses_nodedev (session);
  g_autoptr(VmctlMoves) moves = vmctl_moves_new (remote, (flags & VMCTL_RELEASE_DRY_RUN) != 0);
  g_autoptr(VmctlDomain) looked_up = NULL;

  if (!remote) {
    if (!release_sysfs (session, name, flags, moves, error))
      return FALSE;
  } else {
    if (domain == NULL) {
      virConnectPtr connection = vmctl_session_get_connection (
        session, (flags & VMCTL_RELEASE_DRY_RUN) != 0, error);

      if (connection == NULL)
        return FALSE;
      domain = looked_up = vmctl_lifecycle_lookup (connection, name, error);
      if (domain == NULL)
        return FALSE;
    }
    if (!release_remote (session, domain, flags, moves, error))
      return FALSE;
  }
  if (out_moves != NULL)
    *out_moves = g_steal_pointer (&moves);
  return TRUE;
}

/**
 * vmctl_vm_release:
 * @session: where the functions live (the host root's sysfs and the state
 *   directory's journal, or a remote host's libvirt), and where progress
 *   goes (@name the subject)
 * @name: the VM
 * @flags: VMCTL_RELEASE_CHECK_USERS refuses functions a running VM uses
 *   (libvirt asked read-only; `gpu reattach --vm` without --force);
 *   VMCTL_RELEASE_HOOK asks libvirt nothing and waits briefly (the libvirt
 *   hook's release, once QEMU is gone); VMCTL_RELEASE_DRY_RUN changes
 *   nothing
 * @out_moves: (out) (optional) (transfer full): the functions given back
 *   (or that would be), and the host changes
 * @error: VMCTL_LIFECYCLE_ERROR_USERS_UNKNOWN or VMCTL_VFIO_ERROR_RUNNING
 *   when refused (nothing given back, hugepages kept); a
 *   VMCTL_VFIO_ERROR naming the functions that could not be given back
 *   (the journal keeps them for `vmctl gpu recover`; the hugepages were
 *   released); a VMCTL_HUGEPAGES_ERROR when only the hugepages failed
 *
 * The after-stop policy, the same for every way a VM ends: every function
 * journaled for @name goes back to the driver it came from (on a remote
 * host: every function of its plan, through libvirt), the host changes
 * its start made are given back (CPU isolation, the sleep inhibitor, the
 * single-GPU hand-off), and its dynamic hugepages are released, even
 * when a function could not be given back. Only when the release is
 * refused because a running VM may use the functions do the host changes
 * and the hugepages stay. Nothing held is success.
 *
 * Returns: TRUE when everything was given back
 */
gboolean
vmctl_vm_release (VmctlSession *session, const gchar *name, VmctlReleaseFlags flags,
                  VmctlMoves **out_moves, GError **error)
{
  g_return_val_if_fail (session != NULL && name != NULL, FALSE);
  return vmctl_lifecycle_release (session, NULL, name, flags, out_moves, error);
}
