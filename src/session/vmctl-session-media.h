/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-media.h: the session's entry points of issue 11: a VM's
 * serial console (vmctl console), its display URI (vmctl display), and
 * the guest OSes vmctl knows (vmctl os list). What a VM boots and how it
 * is reached comes with vmctl_session_info(). Errors are VMCTL_ERROR. */
#pragma once

#include <glib.h>

#include "vmctl-console.h"
#include "vmctl-os.h"
#include "vmctl-session.h"
#include "vmctl-vm-media.h"

G_BEGIN_DECLS

gboolean vmctl_session_console (VmctlSession *session, const gchar *name, gboolean force,
                                const VmctlConsoleIo *io, VmctlConsoleEnd *out_end,
                                GError **error);
GPtrArray *vmctl_session_display (VmctlSession *session, const gchar *name, GError **error);
GPtrArray *vmctl_session_os_list (VmctlSession *session, GError **error);

G_END_DECLS
