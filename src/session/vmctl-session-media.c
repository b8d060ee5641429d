/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-media.c: the session's entry points of issue 11, each one
 * call into the module that does the work, with its errors converted to
 * VMCTL_ERROR at the library boundary. */
#include "vmctl-session-media.h"

#include "vmctl-error.h"
#include "vmctl-lifecycle.h"

static void
convert (GError **error)
{
  if (error == NULL || *error == NULL)
    return;
  if ((*error)->domain == VMCTL_OS_ERROR) {
    VmctlError code = (*error)->code == VMCTL_OS_ERROR_UNKNOWN ? VMCTL_ERROR_INVALID_INPUT
                                                                : VMCTL_ERROR_FAILED;
    GError *converted = g_error_new_literal (VMCTL_ERROR, code, (*error)->message);

    g_error_free (*error);
    *error = converted;
    return;
  }
  vmctl_error_convert (error);
}

/**
 * vmctl_session_console_open:
 * @name: a running VM on the session's connection
 * @force: take the console over from another session
 * @error: VMCTL_ERROR_NOT_FOUND (no such VM), VMCTL_ERROR_FAILED (not
 *   running, or no console device: the message has the fix),
 *   VMCTL_ERROR_BUSY (another session has it, without @force),
 *   VMCTL_ERROR_HYPERVISOR
 *
 * Opens the VM's serial console on a connection of its own (the stream
 * needs libvirt's event loop, which must exist before a connection is
 * opened).
 *
 * Returns: (transfer full): the console; vmctl_console_close() it
 */
VmctlConsole *
vmctl_session_console_open (VmctlSession *session, const gchar *name, gboolean force,
                            GError **error)
{
  VmctlConsole *console;

  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  console = vmctl_console_open (vmctl_session_get_uri (session), name, force, error);
  convert (error);
  return console;
}

/**
 * vmctl_session_console_run:
 *
 * vmctl_console_run() with VMCTL_ERROR errors.
 */
gboolean
vmctl_session_console_run (VmctlSession *session, VmctlConsole *console,
                           const VmctlConsoleIo *io, VmctlConsoleEnd *out_end, GError **error)
{
  gboolean ran;

  g_return_val_if_fail (session != NULL && console != NULL, FALSE);
  ran = vmctl_console_run (console, io, out_end, error);
  convert (error);
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
  connection = vmctl_session_get_connection (session, TRUE, error);
  media = connection != NULL ? vmctl_vm_media (connection, name, error) : NULL;
  if (media == NULL) {
    convert (error);
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
 * vmctl_session_vm_media:
 * @error: VMCTL_ERROR_NOT_FOUND or VMCTL_ERROR_HYPERVISOR
 *
 * Returns: (transfer full): the VM's console, displays, drives and boot
 *   order, from its live XML while it runs
 */
VmctlVmMedia *
vmctl_session_vm_media (VmctlSession *session, const gchar *name, GError **error)
{
  virConnectPtr connection;
  VmctlVmMedia *media;

  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  connection = vmctl_session_get_connection (session, TRUE, error);
  media = connection != NULL ? vmctl_vm_media (connection, name, error) : NULL;
  convert (error);
  return media;
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
    convert (error);
    return NULL;
  }
  return vmctl_os_db_list (db);
}
