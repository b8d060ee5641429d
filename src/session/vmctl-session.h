/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session.h: one command's world, passed explicitly to every
 * library function that acts on a host: the host root whose files are
 * read, the libvirt URI (and its connection, opened once), the state
 * directory with the journal and locks, the host facts (asked once), and
 * where progress lines and notes go. Nothing of this is process-wide: two
 * sessions in one process (a test, a daemon serving two hosts) never see
 * each other's choices. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * VmctlSession:
 *
 * Opaque; reference counted with vmctl_session_ref() and
 * vmctl_session_unref(). Safe to use from several threads once its
 * callbacks are set (start, stop and destroy of several VMs run
 * concurrently through one session).
 */
typedef struct _VmctlSession VmctlSession;

/**
 * VmctlSessionLineFunc:
 * @subject: (nullable): what the line is about: a VM's name, or NULL
 * @line: one line of text, without a trailing newline
 * @user_data: what was given with the function
 *
 * Receives progress lines ("0000:01:00.0: nvidia -> vfio-pci") and notes
 * ("started network 'default'"). May be called from any thread the
 * session's operations run in, one line at a time.
 */
typedef void (*VmctlSessionLineFunc) (const gchar *subject, const gchar *line,
                                      gpointer user_data);

VmctlSession *vmctl_session_new (const gchar *host_root, const gchar *uri,
                                 const gchar *state_dir, GError **error);
VmctlSession *vmctl_session_ref (VmctlSession *session);
void vmctl_session_unref (VmctlSession *session);

void vmctl_session_set_progress_func (VmctlSession *session, VmctlSessionLineFunc func,
                                      gpointer user_data);
void vmctl_session_set_note_func (VmctlSession *session, VmctlSessionLineFunc func,
                                  gpointer user_data);

const gchar *vmctl_session_get_uri (VmctlSession *session);
const gchar *vmctl_session_get_state_dir (VmctlSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlSession, vmctl_session_unref)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-session-private.h"
#endif
