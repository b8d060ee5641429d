/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-vm.h: one function per VM command (create, start, stop,
 * destroy, undefine, list, info, xml, autostart), each doing the whole
 * operation through a VmctlSession: its checks, its rollback, its notes.
 * Every one reports VMCTL_ERROR (vmctl-error.h). */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

#include "vmctl-lifecycle.h"
#include "vmctl-session.h"
#include "vmctl-spec.h"

G_BEGIN_DECLS

/**
 * VmctlCreateFlags:
 * @VMCTL_CREATE_FLAGS_NONE: define the VM
 * @VMCTL_CREATE_PRINT_XML: only build its XML; nothing is defined or
 *   created (`create --print-xml`)
 */
typedef enum {
  VMCTL_CREATE_FLAGS_NONE = 0,
  VMCTL_CREATE_PRINT_XML = 1 << 0,
} VmctlCreateFlags;

gchar *vmctl_session_create (VmctlSession *session, VmctlSpec *spec, VmctlCreateFlags flags,
                             GError **error);

/**
 * VmctlVmResult:
 * @name: the VM
 * @error: (nullable): why it failed (a VMCTL_ERROR), NULL when it succeeded
 * @changed: FALSE when the VM was in the asked state already
 * @forced: stop: the guest did not shut down in time and was powered off
 * @waited_seconds: stop: how long the guest was given
 *
 * What one VM of a start, stop or destroy of several came to.
 */
typedef struct {
  gchar *name;
  GError *error;
  gboolean changed;
  gboolean forced;
  guint waited_seconds;
} VmctlVmResult;

void vmctl_vm_result_free (VmctlVmResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVmResult, vmctl_vm_result_free)

GPtrArray *vmctl_session_start (VmctlSession *session, const gchar * const *names,
                                GError **error);
/**
 * VmctlStartFlags:
 * @VMCTL_START_FLAGS_NONE: start as the VM's metadata says
 * @VMCTL_START_SINGLE_GPU: the VM's GPU is the host's only display: mark
 *   the VM for the single-GPU hand-off (kept in its metadata for later
 *   starts) before it starts (issue 13, `start --single-gpu`)
 */
typedef enum {
  VMCTL_START_FLAGS_NONE = 0,
  VMCTL_START_SINGLE_GPU = 1 << 0,
} VmctlStartFlags;

GPtrArray *vmctl_session_start_full (VmctlSession *session, const gchar * const *names,
                                     VmctlStartFlags flags, GError **error);
GPtrArray *vmctl_session_stop (VmctlSession *session, const gchar * const *names,
                               guint timeout_seconds, gboolean force,
                               VmctlStopProgress countdown, gpointer user_data,
                               GError **error);
GPtrArray *vmctl_session_destroy (VmctlSession *session, const gchar * const *names,
                                  GError **error);

VmctlUndefineReport *vmctl_session_undefine (VmctlSession *session, const gchar *name,
                                             VmctlUndefineStorage storage, GError **error);
gboolean vmctl_session_set_autostart (VmctlSession *session, const gchar *name,
                                      gboolean autostart, GError **error);
GPtrArray *vmctl_session_list (VmctlSession *session, gboolean all, GError **error);
VmctlVmInfo *vmctl_session_info (VmctlSession *session, const gchar *name, GError **error);
gchar *vmctl_session_xml (VmctlSession *session, const gchar *name, GError **error);

G_END_DECLS
