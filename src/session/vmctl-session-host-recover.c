/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-host-recover.c: vmctl host recover (issue 13): after a
 * crash, or a VM that died without its stop, every change vmctl made for
 * a VM that no longer runs is given back, in the order a stop gives them
 * back: the functions from vfio-pci first, as `vmctl gpu recover` gives
 * them back (a single-GPU hand-off can only give the display back once
 * the card is the host's), then CPU
 * isolation, the sleep inhibitors, the displays handed off. A VM that
 * runs, or is being started (its owner lock is held), keeps everything;
 * when libvirt cannot say which VMs run, nothing of a VM is given back. */
#include "vmctl-session-host-setup.h"

#include "vmctl-device-lock.h"
#include "vmctl-error.h"
#include "vmctl-lifecycle-host.h"
#include "vmctl-libvirt.h"
#include "vmctl-session-gpu.h"

typedef struct {
  VmctlSession *session;
  GHashTable *running;        /* VM names; NULL: libvirt could not say */
  gboolean unknown_reported;
  VmctlHostRecovery *recovery;
} Users;

static gboolean
vm_running (const gchar *vm, gpointer user_data)
{
  Users *users = user_data;

  if (vmctl_owner_lock_is_held (vmctl_session_get_state_dir (users->session), vm))
    return TRUE;
  if (users->running == NULL) {
    if (!users->unknown_reported)
      g_ptr_array_add (users->recovery->failed,
                       g_strdup ("libvirt cannot be asked which VMs run: what a VM holds was "
                                 "left as it is"));
    users->unknown_reported = TRUE;
    return TRUE;
  }
  return g_hash_table_contains (users->running, vm);
}

static void
ask_libvirt (Users *users)
{
  virConnectPtr connection = vmctl_session_get_connection (users->session, TRUE, NULL);
  virDomainPtr *domains = NULL;
  int n;

  if (connection == NULL)
    return;
  n = sym_virConnectListAllDomains (connection, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  if (n < 0) {
    sym_virResetLastError ();
    return;
  }
  users->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < n; i++) {
    g_hash_table_add (users->running, g_strdup (sym_virDomainGetName (domains[i])));
    sym_virDomainFree (domains[i]);
  }
  free (domains);
}

/* the functions: what `vmctl gpu recover` does, its report merged in */
static void
recover_functions (VmctlSession *session, VmctlHostRecovery *recovery)
{
  g_autofree gchar *journal_dir = g_build_filename (vmctl_session_get_state_dir (session),
                                                    "journal", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVfioRecovery) done = NULL;
  struct {
    GPtrArray *from;
    GPtrArray *to;
  } moves[4];

  /* no journal: vmctl never moved a function here */
  if (!g_file_test (journal_dir, G_FILE_TEST_IS_DIR))
    return;
  done = vmctl_session_gpu_recover (session, VMCTL_GPU_FLAGS_NONE, &error);
  if (done == NULL) {
    g_ptr_array_add (recovery->failed, g_strdup (error->message));
    return;
  }
  moves[0].from = done->reattached, moves[0].to = recovery->given_back;
  moves[1].from = done->kept, moves[1].to = recovery->kept;
  moves[2].from = done->dropped, moves[2].to = recovery->dropped;
  moves[3].from = done->failed, moves[3].to = recovery->failed;
  for (guint m = 0; m < G_N_ELEMENTS (moves); m++)
    for (guint i = 0; i < moves[m].from->len; i++)
      g_ptr_array_add (moves[m].to, g_strdup (g_ptr_array_index (moves[m].from, i)));
}

static void
check_setup (VmctlSession *session, VmctlHostRecovery *recovery)
{
  g_autoptr(VmctlHostSetupStatus) status = vmctl_host_setup_status (vmctl_session_get_host (session),
                                                                    vmctl_session_get_state_dir (session),
                                                                    NULL);

  /* boot files are not recovered behind the user's back: --undo is theirs */
  if (status != NULL && status->interrupted)
    g_ptr_array_add (recovery->failed,
                     g_strdup_printf ("'vmctl host setup --apply' was cut short (it started at "
                                      "%s): run 'vmctl host setup --undo'", status->time));
}

/**
 * vmctl_session_host_recover:
 * @error: VMCTL_ERROR_INVALID_INPUT on a remote host, VMCTL_ERROR_STATE
 *   when the state directory cannot be trusted; what could not be given
 *   back is in the report's failed list
 *
 * Returns: (transfer full): what was given back, kept and dropped
 */
VmctlHostRecovery *
vmctl_session_host_recover (VmctlSession *session, GError **error)
{
  g_autoptr(VmctlHostRecovery) recovery = vmctl_host_recovery_new ();
  g_autoptr(VmctlHostChanges) changes = NULL;
  g_autoptr(GError) local_error = NULL;
  Users users = { session, NULL, FALSE, recovery };

  g_return_val_if_fail (session != NULL, NULL);
  if (vmctl_session_uses_nodedev (session)) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT,
                 "host recover gives back this machine's changes: run it on the host that "
                 "runs the VMs, not over %s", vmctl_session_get_uri (session));
    return NULL;
  }
  ask_libvirt (&users);
  recover_functions (session, recovery);
  changes = vmctl_host_changes_new (vmctl_session_get_host (session),
                                    vmctl_session_get_state_dir (session), FALSE, &local_error);
  if (changes == NULL
      && !g_error_matches (local_error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    vmctl_error_convert (error);
    g_clear_pointer (&users.running, g_hash_table_unref);
    return NULL;
  }
  if (changes != NULL) {
    vmctl_isolation_recover (changes, vm_running, &users, recovery);
    vmctl_host_recover_owned (changes, VMCTL_HOST_RECORD_INHIBIT, vm_running, &users, recovery);
    vmctl_host_recover_owned (changes, VMCTL_HOST_RECORD_SINGLE_GPU, vm_running, &users,
                              recovery);
  }
  check_setup (session, recovery);
  g_clear_pointer (&users.running, g_hash_table_unref);
  return g_steal_pointer (&recovery);
}
