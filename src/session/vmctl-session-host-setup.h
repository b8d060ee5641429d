/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-host-setup.h: `vmctl host setup` and `vmctl host recover`
 * as library calls (issue 13). */
#pragma once

#include <glib.h>
#include "vmctl-host-recovery.h"
#include "vmctl-host-setup.h"
#include "vmctl-session.h"

G_BEGIN_DECLS

VmctlHostSetupReport *vmctl_session_host_setup (VmctlSession *session,
                                                const gchar * const *gpus,
                                                const gchar *hugepages,
                                                VmctlHostSetupMode mode, gboolean force,
                                                GError **error);
VmctlHostRecovery *vmctl_session_host_recover (VmctlSession *session, GError **error);

G_END_DECLS
