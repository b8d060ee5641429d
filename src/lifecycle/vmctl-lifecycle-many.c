/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-many.c: one operation (start, stop, destroy) on many VMs
 * at once, each in a worker thread with a session of its own connection
 * once one connection's share of calls is used. */
#include "vmctl-lifecycle-private.h"

#include "vmctl-connect.h"
#include "vmctl-session-private.h"

/* libvirt serves parallel calls on one connection, but a daemon's worker
 * pool (max_workers, 20 by default) is shared with every other client;
 * more threads would only queue there */
#define RUN_MANY_MAX_THREADS 8

/* libvirtd serves at most max_client_requests (5 by default) calls of one
 * connection at a time and queues the rest: eight destroys on one connection
 * run in two waves. So every five concurrent operations get a connection. */
#define RUN_MANY_CALLS_PER_CONNECTION 5

typedef struct {
  VmctlSession **sessions;            /* [0] is the caller's; the others share all
                                       * but the connection */
  guint n_sessions;
  VmctlVmOperation operation;
  gpointer user_data;
  const gchar * const *names;
  GError **errors;                    /* one slot per name, written by one thread each */
} RunMany;

static void
run_one (gpointer data, gpointer user_data)
{
  RunMany *run = user_data;
  /* pushed as index + 1: a thread pool refuses NULL data */
  guint index = GPOINTER_TO_UINT (data) - 1;
  GError *local_error = NULL;

  /* round robin: each connection carries an even share */
  VmctlSession *session = run->sessions[index % run->n_sessions];

  if (!run->operation (session, run->names[index], run->user_data, &local_error)
      && local_error == NULL)
    g_set_error (&local_error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_FAILED,
                 "VM '%s': the operation failed without saying why", run->names[index]);
  run->errors[index] = local_error;
}

static void
free_error_or_null (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

/**
 * vmctl_vm_run_many:
 * @session: its connection carries the first five concurrent operations;
 *   beyond that (libvirtd's default max_client_requests) workers get
 *   sessions like it with connections of their own, opened and closed
 *   here. The test driver keeps its state per connection, so a test:///
 *   URI uses the one connection only
 * @names: NULL-terminated VM names
 * @operation: what to do with each; called from worker threads, so it
 *   must not touch state shared between names without locking
 * @user_data: for @operation
 *
 * Runs @operation for every name concurrently (at most
 * RUN_MANY_MAX_THREADS at a time) and waits for all of them.
 *
 * Returns: (transfer full) (element-type GError): one entry per name in
 *   the order of @names, NULL where the operation succeeded; free with
 *   g_ptr_array_unref(), which frees the errors
 */
GPtrArray *
vmctl_vm_run_many (VmctlSession *session, const gchar * const *names,
                   VmctlVmOperation operation, gpointer user_data)
{
  guint count;
  guint threads;
  g_autofree GError **errors = NULL;
  g_autofree VmctlSession **sessions = NULL;
  const gchar *uri;
  GThreadPool *pool;
  GPtrArray *result;
  RunMany run = { 0 };

  g_return_val_if_fail (session != NULL && names != NULL && operation != NULL, NULL);
  count = g_strv_length ((gchar **) names);
  errors = g_new0 (GError *, count + 1);
  threads = MIN (MAX (count, 1), RUN_MANY_MAX_THREADS);

  /* more connections to the same URI; if one cannot be opened, the ones
   * that could carry the work (slower, never wrong) */
  sessions = g_new0 (VmctlSession *, (threads + RUN_MANY_CALLS_PER_CONNECTION - 1)
                                     / RUN_MANY_CALLS_PER_CONNECTION);
  sessions[0] = session;
  run.n_sessions = 1;
  uri = vmctl_session_get_uri (session);
  /* the test driver keeps its state per connection: another one would see
   * a fresh copy of the file, not the caller's VMs */
  while (!g_str_has_prefix (uri, "test:")
         && run.n_sessions * RUN_MANY_CALLS_PER_CONNECTION < threads) {
    g_autoptr(VmctlSession) worker = vmctl_session_new_worker (session);

    if (vmctl_session_get_connection (worker, FALSE, NULL) == NULL)
      break;
    sessions[run.n_sessions++] = g_steal_pointer (&worker);
  }
  run.sessions = sessions;
  run.operation = operation;
  run.user_data = user_data;
  run.names = names;
  run.errors = errors;

  /* not exclusive: GLib reuses idle threads, and a non-exclusive pool
   * cannot fail to be made (so no GError here) */
  pool = g_thread_pool_new (run_one, &run, threads, FALSE, NULL);
  for (guint i = 0; i < count; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  /* wait for every queued name before reading the results */
  g_thread_pool_free (pool, FALSE, TRUE);
  for (guint i = 1; i < run.n_sessions; i++)
    vmctl_session_unref (sessions[i]);

  result = g_ptr_array_new_full (count, free_error_or_null);
  for (guint i = 0; i < count; i++)
    g_ptr_array_add (result, errors[i]);
  return result;
}
