/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-private.h: what the gpu detach/reattach/recover files share
 * beyond vmctl-output.h: which running VM uses a journaled function (asked
 * by recover and reattach alike), the remote reattach, and the libvirt
 * hook's limits. */
#pragma once

#include "vmctl-output.h"
#include "vmctl-journal.h"

G_BEGIN_DECLS

/* vmctl-cmd-gpu-users.c */
typedef struct _VmctlGpuUsers VmctlGpuUsers;

VmctlGpuUsers *vmctl_gpu_users_new (VmctlContext *context);
void vmctl_gpu_users_free (VmctlGpuUsers *users);
gboolean vmctl_gpu_users_connect (VmctlGpuUsers *users, VmctlJournal *journal, GPtrArray *entries,
                                  GError **error);
gchar *vmctl_gpu_users_lookup (const VmctlJournalEntry *entry, gpointer users);
GPtrArray *vmctl_gpu_users_get_unknown (VmctlGpuUsers *users);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlGpuUsers, vmctl_gpu_users_free)

/* vmctl-cmd-gpu-reattach.c */
gboolean vmctl_gpu_reattach_hook (VmctlContext *context, const gchar *vm, GError **error);

/* vmctl-cmd-gpu-remote.c: reattach on a remote host, refusing functions a
 * running domain there uses unless @force */
gboolean vmctl_gpu_remote_reattach (VmctlContext *context, const VmctlPciAddress *address,
                                    gboolean force, gboolean dry_run, GError **error);

/* The libvirt hook's budget per wait (a driver link to change, another
 * vmctl's lock), unless VMCTL_BIND_TIMEOUT_MS says otherwise: a reattach of
 * a 4-function card waits at most twice per function (unbind from
 * vfio-pci, bind the original driver), 8 x 3 s = 24 s, inside the hook's
 * default limit of 30 s (contrib/libvirt-hook/qemu), so vmctl reports a
 * stuck driver itself instead of being stopped. A driver binds in well
 * under a second. */
#define VMCTL_GPU_HOOK_WAIT_MS 3000
guint vmctl_gpu_hook_wait_ms (void);

G_END_DECLS
