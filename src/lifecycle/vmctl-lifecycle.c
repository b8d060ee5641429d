/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle.c: starting, stopping and destroying VMs, autostart,
 * Many VMs at once are vmctl-lifecycle-many.c, what happens after a stop
 * vmctl-lifecycle-release.c. Defining and undefining (with their
 * storage) are in vmctl-lifecycle-storage.c, the read-only queries in
 * vmctl-lifecycle-info.c.
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

static gboolean after_stop (VmctlSession *session, virDomainPtr domain, GError **error);

/* Before-start step: vmctl's metadata, when present, must be readable (a
 * start never acts on a plan it misread); then the session's host is
 * prepared for the plan (vmctl-lifecycle-passthrough.c). A domain without
 * vmctl metadata is not vmctl's and starts as it is. */
static gboolean
before_start (VmctlSession *session, virDomainPtr domain, GError **error)
{
  g_autoptr(VmctlVmMetadata) metadata = NULL;

  if (!vmctl_lifecycle_read_metadata (domain, &metadata, error)
      || !vmctl_lifecycle_host_before_passthrough (session, domain, metadata, error))
    return FALSE;
  /* issue 13: the single-GPU hand-off (above) before the devices move,
   * CPU isolation and the sleep inhibitor once they have; each undone */
  if (!vmctl_lifecycle_before_start_passthrough (session, domain, metadata, error)) {
    (void) vmctl_lifecycle_host_after_stop (session, sym_virDomainGetName (domain), NULL);
    return FALSE;
  }
  if (!vmctl_lifecycle_host_after_passthrough (session, domain, metadata, error)) {
    (void) after_stop (session, domain, NULL);
    return FALSE;
  }
  return TRUE;
}

/* After-stop step, also the undo of before_start() when the start fails:
 * the one after-stop policy (vmctl_vm_release()). It runs only once the
 * domain is down, because QEMU holds the devices until its process exits. */
static gboolean
after_stop (VmctlSession *session, virDomainPtr domain, GError **error)
{
  return vmctl_lifecycle_release (session, domain, sym_virDomainGetName (domain),
                                  VMCTL_RELEASE_FLAGS_NONE, NULL, error);
}

/* ---- start, stop, destroy ---- */

/**
 * vmctl_vm_start:
 * @session: the connection (opened read-write) and the host the VM's
 *   planned functions live on; notes (a network started) and progress go
 *   to its functions, @name the subject
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
vmctl_vm_start (VmctlSession *session, const gchar *name, gboolean *out_changed,
                GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(VmctlDeviceLock) starting = NULL;
  virConnectPtr connection;
  VmctlVmState state;

  g_return_val_if_fail (session != NULL && name != NULL, FALSE);
  connection = vmctl_session_get_connection (session, FALSE, error);
  if (connection == NULL)
    return FALSE;
  domain = vmctl_lifecycle_lookup (connection, name, error);
  if (domain == NULL)
    return FALSE;
  /* held until the domain runs or the start is undone: two starts of one
   * VM take turns (the second then finds it running), and `gpu recover`
   * leaves the functions of a starting VM alone */
  if (!vmctl_lifecycle_hold_owner (session, name, &starting, error)) {
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
  if (!vmctl_lifecycle_start_networks (session, domain, error)) {
    g_prefix_error (error, "cannot start: ");
    return FALSE;
  }
  if (!before_start (session, domain, error)) {
    /* the step's errors name the VM already */
    g_prefix_error (error, "cannot start: ");
    return FALSE;
  }
  if (sym_virDomainCreate (domain) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot start VM '%s'", name);
    /* the start's error is the one to report; an undo failure would hide it */
    (void) after_stop (session, domain, NULL);
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
lookup_running (VmctlSession *session, const gchar *name, virDomainPtr *out_domain,
                gboolean *out_changed, GError **error)
{
  virConnectPtr connection = vmctl_session_get_connection (session, FALSE, error);
  g_autoptr(VmctlDomain) domain = NULL;
  gboolean down = FALSE;

  *out_domain = NULL;
  if (connection == NULL)
    return FALSE;
  domain = vmctl_lifecycle_lookup (connection, name, error);
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
 * @session: the connection (opened read-write) and the host for the
 *   after-stop step
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
vmctl_vm_stop_full (VmctlSession *session, const gchar *name, guint timeout_seconds,
                    gboolean force, VmctlStopProgress progress, gpointer user_data,
                    VmctlStopResult *out_result, GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  VmctlStopResult result = { 0 };
  gint64 started;
  gint64 deadline;
  gint64 next_progress;
  gboolean down = FALSE;

  g_return_val_if_fail (session != NULL && name != NULL, FALSE);
  if (!lookup_running (session, name, &domain, &result.changed, error))
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
  if (!after_stop (session, domain, error))
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
vmctl_vm_stop (VmctlSession *session, const gchar *name, guint timeout_seconds,
               gboolean force, VmctlStopProgress progress, gpointer user_data,
               gboolean *out_changed, GError **error)
{
  VmctlStopResult result = { 0 };

  if (!vmctl_vm_stop_full (session, name, timeout_seconds, force, progress, user_data,
                           &result, error))
    return FALSE;
  if (out_changed != NULL)
    *out_changed = result.changed;
  return TRUE;
}

/**
 * vmctl_vm_destroy:
 * @session: the connection (opened read-write) and the host for the
 *   after-stop step
 * @name: the VM
 * @out_changed: (out) (optional): FALSE when the VM was already shut off
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM or a VMCTL_VIRT_ERROR
 *
 * Ends the VM at once (like pulling the plug), then runs the after-stop
 * step.
 */
gboolean
vmctl_vm_destroy (VmctlSession *session, const gchar *name, gboolean *out_changed,
                  GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;

  g_return_val_if_fail (session != NULL && name != NULL, FALSE);
  if (!lookup_running (session, name, &domain, out_changed, error))
    return FALSE;
  if (domain == NULL)
    return TRUE;
  if (!destroy_domain (domain, name, error) || !after_stop (session, domain, error))
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
