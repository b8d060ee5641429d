/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-vm.c: the VM commands but create, one library call each:
 * start, stop and destroy of several VMs at once (each VM's own result),
 * undefine, autostart, and the read-only list, info and xml. Errors leave
 * as VMCTL_ERROR. */
#include "vmctl-session-vm.h"

#include "vmctl-error.h"
#include "vmctl-vm-media.h"

/**
 * vmctl_vm_result_free:
 * @result: (nullable): a result
 */
void
vmctl_vm_result_free (VmctlVmResult *result)
{
  if (result == NULL)
    return;
  g_free (result->name);
  g_clear_error (&result->error);
  g_free (result);
}

/* ---- several VMs at once ---- */

typedef enum {
  RUN_START,
  RUN_STOP,
  RUN_DESTROY,
} RunKind;

typedef struct {
  RunKind kind;
  GPtrArray *results;         /* VmctlVmResult*, in the order of the names */
  guint timeout_seconds;
  gboolean force;
  VmctlStopProgress countdown;
  gpointer countdown_data;
  VmctlStartFlags start_flags;    /* issue 13 */
} Run;

static VmctlVmResult *
result_of (Run *run, const gchar *name)
{
  for (guint i = 0; i < run->results->len; i++) {
    VmctlVmResult *result = g_ptr_array_index (run->results, i);

    if (g_strcmp0 (result->name, name) == 0)
      return result;
  }
  g_assert_not_reached ();
}

/* one VM, in a worker thread: each writes its own result only */
static gboolean
run_one (VmctlSession *session, const gchar *name, gpointer user_data, GError **error)
{
  Run *run = user_data;
  VmctlVmResult *result = result_of (run, name);
  VmctlStopResult stop = { 0 };

  switch (run->kind) {
  case RUN_START:
    if ((run->start_flags & VMCTL_START_SINGLE_GPU)
        && !vmctl_vm_set_single_gpu (session, name, error))
      return FALSE;
    return vmctl_vm_start (session, name, &result->changed, error);
  case RUN_DESTROY:
    return vmctl_vm_destroy (session, name, &result->changed, error);
  case RUN_STOP:
  default:
    if (!vmctl_vm_stop_full (session, name, run->timeout_seconds, run->force, run->countdown,
                             run->countdown_data, &stop, error))
      return FALSE;
    result->changed = stop.changed;
    result->forced = stop.forced;
    result->waited_seconds = stop.waited_seconds;
    return TRUE;
  }
}

/* The names given, without repeats (one VM is never worked on twice at
 * once), or every defined VM for NULL. */
static gchar **
select_names (VmctlSession *session, const gchar * const *names, GError **error)
{
  g_autoptr(GPtrArray) unique = g_ptr_array_new_with_free_func (g_free);
  virConnectPtr connection;

  if (names != NULL) {
    for (guint i = 0; names[i] != NULL; i++)
      if (!g_ptr_array_find_with_equal_func (unique, names[i], g_str_equal, NULL))
        g_ptr_array_add (unique, g_strdup (names[i]));
    g_ptr_array_add (unique, NULL);
    return (gchar **) g_ptr_array_steal (unique, NULL);
  }
  connection = vmctl_session_get_connection (session, FALSE, error);
  if (connection == NULL)
    return NULL;
  return vmctl_vm_all_names (connection, error);
}

static GPtrArray *
run_many_unconverted (VmctlSession *session, const gchar * const *names, Run *run,
                      GError **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_vm_result_free);
  g_auto(GStrv) selected = NULL;
  g_autoptr(GPtrArray) errors = NULL;

  /* the connection first: when libvirt cannot be reached, that is the one
   * error, not one per VM */
  if (vmctl_session_get_connection (session, FALSE, error) == NULL)
    return NULL;
  selected = select_names (session, names, error);
  if (selected == NULL)
    return NULL;
  for (guint i = 0; selected[i] != NULL; i++) {
    VmctlVmResult *result = g_new0 (VmctlVmResult, 1);

    result->name = g_strdup (selected[i]);
    g_ptr_array_add (results, result);
  }
  run->results = results;
  errors = vmctl_vm_run_many (session, (const gchar * const *) selected, run_one, run);
  for (guint i = 0; i < results->len; i++) {
    VmctlVmResult *result = g_ptr_array_index (results, i);

    result->error = g_steal_pointer (&errors->pdata[i]);
    vmctl_error_convert (&result->error);
  }
  return g_steal_pointer (&results);
}

static GPtrArray *
run_many (VmctlSession *session, const gchar * const *names, Run *run, GError **error)
{
  GPtrArray *results = run_many_unconverted (session, names, run, error);

  if (results == NULL)
    vmctl_error_convert (error);
  return results;
}

/**
 * vmctl_session_start:
 * @session: the VMs' connection (opened read-write) and the host their
 *   planned functions live on; notes (a network started) and the
 *   functions' moves go to its functions, each VM the subject
 * @names: (nullable) (array zero-terminated=1): the VMs, repeats ignored;
 *   NULL for every VM defined on the connection (`--all`)
 * @error: a VMCTL_ERROR when libvirt cannot be reached or the VMs cannot
 *   be listed; a VM's own failure is in its result
 *
 * Boots each VM concurrently, each with the whole of a start (networks,
 * the plan re-checked, hugepages, the functions moved to vfio-pci, all
 * undone when the start fails). A running VM is a success that changed
 * nothing.
 *
 * Returns: (transfer full) (element-type VmctlVmResult): one result per
 *   VM, in the order named (by name for NULL)
 */
GPtrArray *
vmctl_session_start (VmctlSession *session, const gchar * const *names, GError **error)
{
  return vmctl_session_start_full (session, names, VMCTL_START_FLAGS_NONE, error);
}

/**
 * vmctl_session_start_full:
 * @session: the session (host, connection, state directory)
 * @names: (nullable) (array zero-terminated=1): as for vmctl_session_start()
 * @flags: VMCTL_START_SINGLE_GPU marks each VM for the single-GPU
 *   hand-off first (a VM not made by vmctl fails with
 *   VMCTL_ERROR_DATA: it has no plan naming its GPU)
 * @error: return location for a #GError
 *
 * vmctl_session_start() with what `vmctl start` may ask beyond it.
 *
 * Returns: (transfer full) (element-type VmctlVmResult): one result per
 *   VM, in the order named (by name for NULL)
 */
GPtrArray *
vmctl_session_start_full (VmctlSession *session, const gchar * const *names,
                          VmctlStartFlags flags, GError **error)
{
  Run run = { RUN_START };

  g_return_val_if_fail (session != NULL, NULL);
  run.start_flags = flags;
  return run_many (session, names, &run, error);
}

/**
 * vmctl_session_stop:
 * @session: as vmctl_session_start()
 * @names: (nullable) (array zero-terminated=1): as vmctl_session_start()
 * @timeout_seconds: how long each guest gets to shut down
 * @force: power off a guest still running after the timeout
 * @countdown: (nullable) (scope call): called about once a second per VM
 *   with the seconds left, from that VM's thread
 * @user_data: for @countdown
 * @error: as vmctl_session_start()
 *
 * Asks each guest to shut down (ACPI), concurrently, waits, powers off
 * only with @force (the result says so), then gives back what the VM
 * held (vmctl_vm_release()). A VM shut off already changed nothing; one
 * still running without @force fails with VMCTL_ERROR_TIMEOUT.
 *
 * Returns: (transfer full) (element-type VmctlVmResult): one result per VM
 */
GPtrArray *
vmctl_session_stop (VmctlSession *session, const gchar * const *names, guint timeout_seconds,
                    gboolean force, VmctlStopProgress countdown, gpointer user_data,
                    GError **error)
{
  Run run = { RUN_STOP, NULL, timeout_seconds, force, countdown, user_data };

  g_return_val_if_fail (session != NULL, NULL);
  return run_many (session, names, &run, error);
}

/**
 * vmctl_session_destroy:
 * @session: as vmctl_session_start()
 * @names: (nullable) (array zero-terminated=1): as vmctl_session_start()
 * @error: as vmctl_session_start()
 *
 * Powers each VM off at once, concurrently, then gives back what it held
 * (vmctl_vm_release()).
 *
 * Returns: (transfer full) (element-type VmctlVmResult): one result per VM
 */
GPtrArray *
vmctl_session_destroy (VmctlSession *session, const gchar * const *names, GError **error)
{
  Run run = { RUN_DESTROY };

  g_return_val_if_fail (session != NULL, NULL);
  return run_many (session, names, &run, error);
}

/* ---- one VM ---- */

/**
 * vmctl_session_undefine:
 * @storage: which disks go too
 * @error: VMCTL_ERROR_NOT_FOUND, VMCTL_ERROR_RUNNING, VMCTL_ERROR_BUSY when
 *   a disk to remove is another domain's (nothing was changed), or
 *   VMCTL_ERROR_HYPERVISOR
 *
 * vmctl_vm_undefine() on the session's connection (read-write).
 *
 * Returns: (transfer full): what was removed and what was kept, and why
 */
VmctlUndefineReport *
vmctl_session_undefine (VmctlSession *session, const gchar *name, VmctlUndefineStorage storage,
                        GError **error)
{
  virConnectPtr connection;
  VmctlUndefineReport *report = NULL;

  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  connection = vmctl_session_connect (session, FALSE, error);
  if (connection == NULL)
    return NULL;
  if (!vmctl_vm_undefine (connection, name, storage, &report, error))
    vmctl_error_convert (error);
  return report;
}

/**
 * vmctl_session_set_autostart:
 * @autostart: whether libvirt starts the VM when the host boots
 * @error: VMCTL_ERROR_NOT_FOUND or VMCTL_ERROR_HYPERVISOR
 *
 * Returns: TRUE when libvirt has the flag as asked, FALSE with @error
 */
gboolean
vmctl_session_set_autostart (VmctlSession *session, const gchar *name, gboolean autostart,
                             GError **error)
{
  virConnectPtr connection;

  g_return_val_if_fail (session != NULL && name != NULL, FALSE);
  connection = vmctl_session_connect (session, FALSE, error);
  if (connection == NULL)
    return FALSE;
  if (vmctl_vm_set_autostart (connection, name, autostart, error))
    return TRUE;
  vmctl_error_convert (error);
  return FALSE;
}

/**
 * vmctl_session_list:
 * @all: shut-off VMs too, not only running ones
 * @error: VMCTL_ERROR_HYPERVISOR
 *
 * Read-only: works for users who may look but not touch.
 *
 * Returns: (transfer full) (element-type VmctlVmInfo): by name
 */
GPtrArray *
vmctl_session_list (VmctlSession *session, gboolean all, GError **error)
{
  virConnectPtr connection;
  GPtrArray *vms;

  g_return_val_if_fail (session != NULL, NULL);
  connection = vmctl_session_connect (session, TRUE, error);
  if (connection == NULL)
    return NULL;
  vms = vmctl_vm_list (connection, all, error);
  if (vms == NULL)
    vmctl_error_convert (error);
  return vms;
}

/**
 * vmctl_session_info:
 * @error: VMCTL_ERROR_NOT_FOUND or VMCTL_ERROR_HYPERVISOR
 *
 * Read-only.
 *
 * Returns: (transfer full): what libvirt and vmctl's metadata say of
 *   @name, with how it is reached and what it boots (info->media)
 */
VmctlVmInfo *
vmctl_session_info (VmctlSession *session, const gchar *name, GError **error)
{
  virConnectPtr connection;
  g_autoptr(VmctlVmInfo) info = NULL;

  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  connection = vmctl_session_connect (session, TRUE, error);
  if (connection == NULL)
    return NULL;
  info = vmctl_vm_info (connection, name, error);
  if (info != NULL)
    info->media = vmctl_vm_media (connection, name, error);  /* issue 11 */
  if (info == NULL || info->media == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  return g_steal_pointer (&info);
}

/**
 * vmctl_session_xml:
 * @error: VMCTL_ERROR_NOT_FOUND or VMCTL_ERROR_HYPERVISOR
 *
 * Read-only.
 *
 * Returns: (transfer full): @name's domain XML as libvirt holds it
 */
gchar *
vmctl_session_xml (VmctlSession *session, const gchar *name, GError **error)
{
  virConnectPtr connection;
  gchar *xml;

  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  connection = vmctl_session_connect (session, TRUE, error);
  if (connection == NULL)
    return NULL;
  xml = vmctl_vm_xml (connection, name, error);
  if (xml == NULL)
    vmctl_error_convert (error);
  return xml;
}
