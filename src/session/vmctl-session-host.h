/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-host.h: `vmctl host check` as one library call. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include "vmctl-hostcheck.h"
#include "vmctl-session.h"

G_BEGIN_DECLS

VmctlHostReport *vmctl_session_host_check (VmctlSession *session);

G_END_DECLS
