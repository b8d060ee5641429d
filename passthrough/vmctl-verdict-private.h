/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-verdict-private.h: computing verdicts (never installed); consumers
 * get them from vmctl_session_gpu_check() and vmctl_session_gpu_list(),
 * which judge the session's host with its quirks and host use. */
#pragma once

#include "vmctl-verdict.h"
#include "vmctl-quirks.h"

G_BEGIN_DECLS

VmctlVerdict *vmctl_verdict_compute (const VmctlInventory *inventory,
                                     const VmctlPciAddress *address,
                                     const VmctlQuirks *quirks,
                                     GError **error);
gboolean vmctl_verdict_add_host_use (const VmctlPciDevice *device, GPtrArray *out);

G_END_DECLS
