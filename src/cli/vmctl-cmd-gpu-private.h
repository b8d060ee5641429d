/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-private.h: what the gpu detach/reattach/recover files share
 * beyond vmctl-output.h: which running VM uses a journaled function (asked
 * by recover and reattach alike), the remote reattach, and the libvirt
 * hook's limits. */
#pragma once

#include "vmctl-output.h"
#include "vmctl-journal.h"

G_BEGIN_DECLS

#include "vmctl-lifecycle-users.h"

/* vmctl-cmd-gpu-remote.c: reattach on a remote host, refusing functions a
 * running domain there uses unless @force */
gboolean vmctl_gpu_remote_reattach (VmctlContext *context, const VmctlPciAddress *address,
                                    gboolean force, gboolean dry_run, GError **error);

G_END_DECLS
