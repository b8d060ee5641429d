/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-users.h (private, never installed): which running VM
 * uses a function vmctl holds, asked by every path that gives functions
 * back while VMs may run (`gpu reattach`, `gpu reattach --vm`, `gpu
 * recover`): its owner VM while that runs, or any running domain that has
 * it as a hostdev. libvirt is asked read-only, through the session's
 * connection, at most once per VM and once for the hostdevs. */
#pragma once

#include "vmctl-journal.h"
#include "vmctl-session.h"

G_BEGIN_DECLS

typedef struct _VmctlVmUsers VmctlVmUsers;

VmctlVmUsers *vmctl_vm_users_new (VmctlSession *session);
void vmctl_vm_users_free (VmctlVmUsers *users);
gboolean vmctl_vm_users_connect (VmctlVmUsers *users, VmctlJournal *journal, GPtrArray *entries,
                                 GError **error);
gchar *vmctl_vm_users_lookup (const VmctlJournalEntry *entry, gpointer users);
GPtrArray *vmctl_vm_users_get_unknown (VmctlVmUsers *users);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVmUsers, vmctl_vm_users_free)

G_END_DECLS
