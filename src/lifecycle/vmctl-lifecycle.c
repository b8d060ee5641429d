/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle.c: starting, stopping and destroying VMs, autostart,
 * and running one operation on many VMs at once. Defining and undefining
 * (with their storage) are in vmctl-lifecycle-storage.c, the read-only
 * queries in vmctl-lifecycle-info.c.
 *
 * Every libvirt call goes through the sym_ pointers (vmctl-libvirt.h), and
 * its error is converted right where it fails: libvirt keeps one error per
 * thread and clears it on the next public call, virFree included. */
#include "vmctl-lifecycle-private.h"

#include "vmctl-connect.h"
#include "vmctl-lifecycle-host.h"

G_DEFINE_QUARK (vmctl-lifecycle-error-quark, vmctl_lifecycle_error)

/* how often stop looks at the domain while the guest shuts down */
#define STOP_POLL_MS 200

/* run_many: libvirt serves parallel calls on one connection, but a
 * daemon's worker pool (max_workers, 20 by default) is shared with every
 * other client; more threads would only queue there */
#define RUN_MANY_MAX_THREADS 8

/**
 * vmctl_lifecycle_set_virt_error:
 * @error: (nullable): where to put the error
 * @format: what failed, printf-style
 *
 * libvirt's last error of this thread as a VMCTL_VIRT_ERROR, prefixed with
 * @format, except that "no such domain" becomes
 * VMCTL_LIFECYCLE_ERROR_NO_VM. Call it right after the failing call.
 */
void
vmctl_lifecycle_set_virt_error (GError **error, const gchar *format, ...)
{
  g_autofree gchar *what = NULL;
  virErrorPtr last = sym_virGetLastError ();
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (last != NULL && last->code == VIR_ERR_NO_DOMAIN) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM,
                 "%s: no such VM", what);
    sym_virResetLastError ();
    return;
  }
  vmctl_virt_set_error (error, what);
}

/**
 * vmctl_lifecycle_set_storage_error:
 * @error: (nullable): where to put the error
 * @format: what failed, printf-style
 *
 * libvirt's last error of this thread as VMCTL_LIFECYCLE_ERROR_STORAGE,
 * with libvirt's message after @format. Call it right after the failing
 * storage call.
 */
void
vmctl_lifecycle_set_storage_error (GError **error, const gchar *format, ...)
{
  g_autoptr(GError) virt = NULL;
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  vmctl_virt_set_error (&virt, what);
  g_set_error_literal (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                       virt->message);
}

/**
 * vmctl_lifecycle_lookup:
 * @connection: an open connection
 * @name: a VM name
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM, or a VMCTL_VIRT_ERROR
 *
 * Returns: (transfer full): the domain, or NULL
 */
virDomainPtr
vmctl_lifecycle_lookup (virConnectPtr connection, const gchar *name, GError **error)
{
  virDomainPtr domain = sym_virDomainLookupByName (connection, name);
  g_autofree gchar *what = NULL;
  virErrorPtr last;

  if (domain != NULL)
    return domain;
  last = sym_virGetLastError ();
  if (last != NULL && last->code == VIR_ERR_NO_DOMAIN) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM,
                 "no VM named '%s'", name);
    sym_virResetLastError ();
    return NULL;
  }
  what = g_strdup_printf ("cannot look up VM '%s'", name);
  vmctl_virt_set_error (error, what);
  return NULL;
}

/**
 * vmctl_lifecycle_state_from_virt: (skip)
 * @state: a virDomainState, from virDomainGetState or virDomainGetInfo
 */
VmctlVmState
vmctl_lifecycle_state_from_virt (int state)
{
  switch (state) {
  case VIR_DOMAIN_RUNNING:
  case VIR_DOMAIN_BLOCKED:
    return VMCTL_VM_STATE_RUNNING;
  case VIR_DOMAIN_PAUSED:
  case VIR_DOMAIN_PMSUSPENDED:
    return VMCTL_VM_STATE_PAUSED;
  case VIR_DOMAIN_SHUTDOWN:
    return VMCTL_VM_STATE_SHUTDOWN;
  case VIR_DOMAIN_SHUTOFF:
    return VMCTL_VM_STATE_SHUTOFF;
  case VIR_DOMAIN_CRASHED:
    return VMCTL_VM_STATE_CRASHED;
  case VIR_DOMAIN_NOSTATE:
    return VMCTL_VM_STATE_UNKNOWN;
  default:
    return VMCTL_VM_STATE_OTHER;
  }
}

/**
 * vmctl_lifecycle_get_state:
 * @domain: a domain
 * @out_state: (out): its state
 * @error: a VMCTL_VIRT_ERROR, or VMCTL_LIFECYCLE_ERROR_NO_VM when the
 *   domain went away (a transient domain does when it stops)
 */
gboolean
vmctl_lifecycle_get_state (virDomainPtr domain, VmctlVmState *out_state, GError **error)
{
  int state = 0;
  int reason = 0;

  if (sym_virDomainGetState (domain, &state, &reason, 0) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the state of VM '%s'",
                                    sym_virDomainGetName (domain));
    return FALSE;
  }
  *out_state = vmctl_lifecycle_state_from_virt (state);
  return TRUE;
}

/**
 * vmctl_vm_state_to_string:
 * @state: a state
 *
 * Returns: the word `list` and `info` print ("running", "shut off", ...);
 *   part of the JSON output, never changed
 */
const gchar *
vmctl_vm_state_to_string (VmctlVmState state)
{
  switch (state) {
  case VMCTL_VM_STATE_RUNNING:
    return "running";
  case VMCTL_VM_STATE_PAUSED:
    return "paused";
  case VMCTL_VM_STATE_SHUTOFF:
    return "shut off";
  case VMCTL_VM_STATE_SHUTDOWN:
    return "shutting down";
  case VMCTL_VM_STATE_CRASHED:
    return "crashed";
  case VMCTL_VM_STATE_OTHER:
    return "other";
  case VMCTL_VM_STATE_UNKNOWN:
  default:
    return "unknown";
  }
}

/* a domain counts as down when libvirt has no process for it; a crashed
 * one keeps its QEMU only with on_crash=preserve, which destroy ends */
static gboolean
is_down (VmctlVmState state)
{
  return state == VMCTL_VM_STATE_SHUTOFF;
}

/* ---- the passthrough engine's steps ---- */

/* Before-start step: vmctl's metadata, when present, must be readable (a
 * start never acts on a plan it misread); then the host is prepared for
 * the plan (vmctl-lifecycle-passthrough.c). A domain without vmctl metadata
 * is not vmctl's and starts as it is. */
static gboolean after_stop (virDomainPtr domain, GError **error);

static gboolean
before_start (virDomainPtr domain, GError **error)
{
  g_autoptr(VmctlVmMetadata) metadata = NULL;

  if (!vmctl_lifecycle_read_metadata (domain, &metadata, error)
      || !vmctl_lifecycle_host_before_passthrough (domain, metadata, error))
    return FALSE;
  /* issue 13: the single-GPU hand-off (above) before the devices move,
   * CPU isolation and the sleep inhibitor once they have; each undone */
  if (!vmctl_lifecycle_before_start_passthrough (domain, metadata, error)) {
    (void) vmctl_lifecycle_host_after_stop (domain, NULL);
    return FALSE;
  }
  if (!vmctl_lifecycle_host_after_passthrough (domain, metadata, error)) {
    (void) after_stop (domain, NULL);
    return FALSE;
  }
  return TRUE;
}

/* After-stop step, also the undo of before_start() when the start fails:
 * every function vmctl holds for the VM goes back to its original driver.
 * It runs only once the domain is down, because QEMU holds the devices
 * until its process exits. Unreadable metadata does not stop it: the
 * journal, not the metadata, says what vmctl moved. */
static gboolean
after_stop (virDomainPtr domain, GError **error)
{
  g_autoptr(VmctlVmMetadata) metadata = NULL;

  gboolean ok;

  if (!vmctl_lifecycle_read_metadata (domain, &metadata, NULL))
    metadata = NULL;
  ok = vmctl_lifecycle_after_stop_passthrough (domain, metadata, error);
  /* issue 13: isolation, the inhibitor, the display handed off */
  return vmctl_lifecycle_host_after_stop (domain, ok ? error : NULL) && ok;
}

/* ---- start, stop, destroy ---- */

/**
 * vmctl_vm_start:
 * @connection: an open read-write connection
 * @name: the VM
 * @out_changed: (out) (optional): FALSE when the VM was already running
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM, VMCTL_LIFECYCLE_ERROR_METADATA, or a
 *   VMCTL_VIRT_ERROR from libvirt's start (QEMU refusing the definition)
 *
 * Runs the before-start step, then starts the domain; when the start
 * fails, the step is undone. A running or paused VM is left alone.
 *
 * Returns: TRUE when the VM is running (or paused) afterwards
 */
gboolean
vmctl_vm_start (virConnectPtr connection, const gchar *name, gboolean *out_changed,
                GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(VmctlDeviceLock) starting = NULL;
  VmctlVmState state;

  g_return_val_if_fail (connection != NULL && name != NULL, FALSE);
  domain = vmctl_lifecycle_lookup (connection, name, error);
  if (domain == NULL)
    return FALSE;
  /* held until the domain runs or the start is undone: two starts of one
   * VM take turns (the second then finds it running), and `gpu recover`
   * leaves the functions of a starting VM alone */
  if (!vmctl_lifecycle_hold_owner (name, &starting, error)) {
    g_prefix_error (error, "cannot start: ");
    return FALSE;
  }
  if (!vmctl_lifecycle_get_state (domain, &state, error))
    return FALSE;
  if (!is_down (state)) {
    if (out_changed != NULL)
      *out_changed = FALSE;
    return TRUE;
  }
  if (!vmctl_lifecycle_start_networks (domain, error)) {
    g_prefix_error (error, "cannot start: ");
    return FALSE;
  }
  if (!before_start (domain, error)) {
    /* the step's errors name the VM already */
    g_prefix_error (error, "cannot start: ");
    return FALSE;
  }
  if (sym_virDomainCreate (domain) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot start VM '%s'", name);
    /* the start's error is the one to report; an undo failure would hide it */
    (void) after_stop (domain, NULL);
    return FALSE;
  }
  if (out_changed != NULL)
    *out_changed = TRUE;
  return TRUE;
}

static gboolean
destroy_domain (virDomainPtr domain, const gchar *name, GError **error)
{
  if (sym_virDomainDestroy (domain) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot destroy VM '%s'", name);
    return FALSE;
  }
  return TRUE;
}

/* whether the domain is down now; a transient domain that shut down is
 * gone, which counts as down */
static gboolean
poll_down (virDomainPtr domain, gboolean *out_down, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  VmctlVmState state;

  if (!vmctl_lifecycle_get_state (domain, &state, &local_error)) {
    if (g_error_matches (local_error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM)) {
      *out_down = TRUE;
      return TRUE;
    }
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  *out_down = is_down (state);
  return TRUE;
}

/* The domain @name if it is up (stop and destroy have work to do), or
 * TRUE with *out_domain NULL and *out_changed FALSE when it is already down:
 * stopping a stopped VM succeeds. */
static gboolean
lookup_running (virConnectPtr connection, const gchar *name, virDomainPtr *out_domain,
                gboolean *out_changed, GError **error)
{
  g_autoptr(VmctlDomain) domain = vmctl_lifecycle_lookup (connection, name, error);
  gboolean down = FALSE;

  *out_domain = NULL;
  if (domain == NULL || !poll_down (domain, &down, error))
    return FALSE;
  if (down) {
    if (out_changed != NULL)
      *out_changed = FALSE;
    return TRUE;
  }
  *out_domain = g_steal_pointer (&domain);
  return TRUE;
}

/**
 * vmctl_vm_stop_full:
 * @connection: an open read-write connection
 * @name: the VM
 * @timeout_seconds: how long the guest gets to shut down
 * @force: destroy the VM when the guest has not shut down in time
 * @progress: (nullable): called about once a second with the seconds left
 * @user_data: for @progress
 * @out_result: (out) (optional): whether anything changed, and whether
 *   the VM had to be powered off (@force) after how many seconds
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM, VMCTL_LIFECYCLE_ERROR_TIMEOUT (still
 *   running, without @force), or a VMCTL_VIRT_ERROR
 *
 * Asks the guest to shut down (ACPI), waits, and destroys it only with
 * @force. Once the domain is down the after-stop step runs. A forced stop
 * succeeds (the VM is off, as asked), but says so in @out_result: the
 * guest lost what it had not written.
 */
gboolean
vmctl_vm_stop_full (virConnectPtr connection, const gchar *name, guint timeout_seconds,
                    gboolean force, VmctlStopProgress progress, gpointer user_data,
                    VmctlStopResult *out_result, GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  VmctlStopResult result = { 0 };
  gint64 started;
  gint64 deadline;
  gint64 next_progress;
  gboolean down = FALSE;

  g_return_val_if_fail (connection != NULL && name != NULL, FALSE);
  if (!lookup_running (connection, name, &domain, &result.changed, error))
    return FALSE;
  if (domain == NULL) {
    if (out_result != NULL)
      *out_result = result;
    return TRUE;
  }
  if (sym_virDomainShutdown (domain) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot shut down VM '%s'", name);
    return FALSE;
  }

  /* monotonic: a clock step while waiting must not cut the wait short */
  started = g_get_monotonic_time ();
  deadline = started + (gint64) timeout_seconds * G_USEC_PER_SEC;
  next_progress = started;
  for (;;) {
    gint64 now;

    if (!poll_down (domain, &down, error))
      return FALSE;
    now = g_get_monotonic_time ();
    if (down || now >= deadline)
      break;
    if (progress != NULL && now >= next_progress) {
      progress (name, (guint) ((deadline - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC), user_data);
      next_progress += G_USEC_PER_SEC;
    }
    g_usleep (MIN ((gint64) STOP_POLL_MS * 1000, deadline - now));
  }
  result.waited_seconds = (guint) ((g_get_monotonic_time () - started + G_USEC_PER_SEC / 2)
                                   / G_USEC_PER_SEC);

  if (!down) {
    if (!force) {
      g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_TIMEOUT,
                   "VM '%s' is still running after %u s; use --force or vmctl destroy",
                   name, timeout_seconds);
      return FALSE;
    }
    if (!destroy_domain (domain, name, error))
      return FALSE;
    result.forced = TRUE;
    result.waited_seconds = timeout_seconds;
  }
  if (!after_stop (domain, error))
    return FALSE;
  result.changed = TRUE;
  if (out_result != NULL)
    *out_result = result;
  return TRUE;
}

/**
 * vmctl_vm_stop:
 * @out_changed: (out) (optional): FALSE when the VM was already shut off
 *
 * vmctl_vm_stop_full() for callers that need not know whether the guest
 * had to be powered off.
 */
gboolean
vmctl_vm_stop (virConnectPtr connection, const gchar *name, guint timeout_seconds,
               gboolean force, VmctlStopProgress progress, gpointer user_data,
               gboolean *out_changed, GError **error)
{
  VmctlStopResult result = { 0 };

  if (!vmctl_vm_stop_full (connection, name, timeout_seconds, force, progress, user_data,
                           &result, error))
    return FALSE;
  if (out_changed != NULL)
    *out_changed = result.changed;
  return TRUE;
}

/**
 * vmctl_vm_destroy:
 * @connection: an open read-write connection
 * @name: the VM
 * @out_changed: (out) (optional): FALSE when the VM was already shut off
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM or a VMCTL_VIRT_ERROR
 *
 * Ends the VM at once (like pulling the plug), then runs the after-stop
 * step.
 */
gboolean
vmctl_vm_destroy (virConnectPtr connection, const gchar *name, gboolean *out_changed,
                  GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;

  g_return_val_if_fail (connection != NULL && name != NULL, FALSE);
  if (!lookup_running (connection, name, &domain, out_changed, error))
    return FALSE;
  if (domain == NULL)
    return TRUE;
  if (!destroy_domain (domain, name, error) || !after_stop (domain, error))
    return FALSE;
  if (out_changed != NULL)
    *out_changed = TRUE;
  return TRUE;
}

/**
 * vmctl_vm_set_autostart:
 * @connection: an open read-write connection
 * @name: the VM
 * @autostart: whether libvirt starts the VM when the host boots
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM or a VMCTL_VIRT_ERROR (a transient
 *   VM cannot autostart)
 */
gboolean
vmctl_vm_set_autostart (virConnectPtr connection, const gchar *name, gboolean autostart,
                        GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;

  g_return_val_if_fail (connection != NULL && name != NULL, FALSE);
  domain = vmctl_lifecycle_lookup (connection, name, error);
  if (domain == NULL)
    return FALSE;
  if (sym_virDomainSetAutostart (domain, autostart ? 1 : 0) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot %s autostart of VM '%s'",
                                    autostart ? "enable" : "disable", name);
    return FALSE;
  }
  return TRUE;
}

/* ---- many VMs at once ---- */

/* libvirtd serves at most max_client_requests (5 by default) calls of one
 * connection at a time and queues the rest: eight destroys on one connection
 * run in two waves. So every five concurrent operations get a connection. */
#define RUN_MANY_CALLS_PER_CONNECTION 5

typedef struct {
  virConnectPtr *connections;         /* [0] is the caller's */
  guint n_connections;
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
  virConnectPtr connection = run->connections[index % run->n_connections];

  if (!run->operation (connection, run->names[index], run->user_data, &local_error)
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
 * @connection: an open connection; beyond five concurrent operations
 *   (libvirtd's default max_client_requests) more connections to its URI
 *   are opened and closed here
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
vmctl_vm_run_many (virConnectPtr connection, const gchar * const *names,
                   VmctlVmOperation operation, gpointer user_data)
{
  guint count;
  guint threads;
  g_autofree GError **errors = NULL;
  g_autofree virConnectPtr *connections = NULL;
  g_autofree gchar *uri = NULL;
  GThreadPool *pool;
  GPtrArray *result;
  RunMany run = { 0 };

  g_return_val_if_fail (connection != NULL && names != NULL && operation != NULL, NULL);
  count = g_strv_length ((gchar **) names);
  errors = g_new0 (GError *, count + 1);
  threads = MIN (MAX (count, 1), RUN_MANY_MAX_THREADS);

  /* more connections to the same URI; if one cannot be opened, the ones
   * that could carry the work (slower, never wrong) */
  connections = g_new0 (virConnectPtr, (threads + RUN_MANY_CALLS_PER_CONNECTION - 1)
                                       / RUN_MANY_CALLS_PER_CONNECTION);
  connections[0] = connection;
  run.n_connections = 1;
  uri = sym_virConnectGetURI (connection);
  /* the test driver keeps its state per connection: another one would see
   * a fresh copy of the file, not the caller's VMs */
  while (uri != NULL && !g_str_has_prefix (uri, "test:")
         && run.n_connections * RUN_MANY_CALLS_PER_CONNECTION < threads) {
    virConnectPtr extra = vmctl_connect_open (uri, FALSE, NULL);

    if (extra == NULL)
      break;
    connections[run.n_connections++] = extra;
  }
  run.connections = connections;
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
  for (guint i = 1; i < run.n_connections; i++)
    vmctl_connect_close (connections[i]);

  result = g_ptr_array_new_full (count, free_error_or_null);
  for (guint i = 0; i < count; i++)
    g_ptr_array_add (result, errors[i]);
  return result;
}
