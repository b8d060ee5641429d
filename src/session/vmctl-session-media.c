/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-media.c: the session's entry points of issue 11, each one
 * call into the module that does the work, with its errors converted to
 * VMCTL_ERROR at the library boundary. */
#include "vmctl-session-media.h"

#include "vmctl-error.h"
#include "vmctl-lifecycle.h"

/**
 * vmctl_session_console:
 * @name: a running VM on the session's connection
 * @force: take the console over from another session
 * @io: where input comes from and output goes; its attached_func runs
 *   once the console is open, before anything is copied
 * @out_end: (out): why the session ended
 * @error: VMCTL_ERROR_NOT_FOUND (no such VM), VMCTL_ERROR_FAILED (not
 *   running, or no console device: the message has the fix),
 *   VMCTL_ERROR_BUSY (another session has it, without @force),
 *   VMCTL_ERROR_HYPERVISOR; or attached_func's own error
 *
 * Attaches to the VM's serial console and copies until the session ends
 * (vmctl_console_run()). The console has a connection of its own to the
 * session's URI: its stream needs libvirt's event loop, which must exist
 * before a connection is opened.
 *
 * Returns: TRUE when the session ran; *@out_end says how it ended
 */
gboolean
vmctl_session_console (VmctlSession *session, const gchar *name, gboolean force,
                       const VmctlConsoleIo *io, VmctlConsoleEnd *out_end, GError **error)
{
  g_autoptr(VmctlConsole) console = NULL;
  gboolean ran;

  g_return_val_if_fail (session != NULL && name != NULL && io != NULL, FALSE);
  console = vmctl_console_open (vmctl_session_get_uri (session), name, force, error);
  if (console == NULL) {
    vmctl_error_convert (error);
    return FALSE;
  }
  if (io->attached_func != NULL && !io->attached_func (io->input_data, error))
    return FALSE;
  ran = vmctl_console_run (console, io, out_end, error);
  vmctl_error_convert (error);
  return ran;
}

/**
 * vmctl_session_display:
 * @name: a running VM
 * @error: VMCTL_ERROR_NOT_FOUND (no such VM), VMCTL_ERROR_FAILED (not
 *   running, or no SPICE or VNC display: a VM whose GPU drives its own
 *   monitor), VMCTL_ERROR_HYPERVISOR
 *
 * Returns: (transfer full) (element-type VmctlDisplay): the VM's displays
 *   with their URIs, at least one
 */
GPtrArray *
vmctl_session_display (VmctlSession *session, const gchar *name, GError **error)
{
  virConnectPtr connection;
  g_autoptr(VmctlVmMedia) media = NULL;

  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  connection = vmctl_session_connect (session, TRUE, error);
  if (connection == NULL)
    return NULL;
  media = vmctl_vm_media (connection, name, error);
  if (media == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  if (media->displays->len == 0) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_FAILED,
                 "VM '%s' has no graphics (SPICE or VNC): a passed-through GPU drives its own "
                 "monitor; its serial console is 'vmctl console %s'", name, name);
    return NULL;
  }
  if (!media->running) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_FAILED,
                 "VM '%s' is not running: its display exists while it runs (vmctl start %s)",
                 name, name);
    return NULL;
  }
  return g_ptr_array_ref (media->displays);
}

/**
 * vmctl_session_os_list:
 * @error: VMCTL_ERROR_FAILED when libosinfo or its database is missing
 *
 * Returns: (transfer full) (element-type VmctlOs): every OS --os takes,
 *   by ID
 */
GPtrArray *
vmctl_session_os_list (VmctlSession *session, GError **error)
{
  g_autoptr(VmctlOsDb) db = NULL;

  g_return_val_if_fail (session != NULL, NULL);
  db = vmctl_os_db_load (error);
  if (db == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  return vmctl_os_db_list (db);
}
