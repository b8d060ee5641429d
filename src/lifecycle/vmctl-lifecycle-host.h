/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-host.h: the host changes a VM's start and stop make
 * beyond its devices (issue 13): CPU isolation while it runs, the
 * single-GPU hand-off, a sleep inhibitor while it holds a GPU, and their
 * recovery after a crash. Not installed. */
#pragma once

#include "vmctl-host-changes.h"
#include "vmctl-host-recovery.h"
#include "vmctl-lifecycle-private.h"

G_BEGIN_DECLS

/* whether @vm runs or is being started (its owner lock is held): what
 * recovery must leave alone */
typedef gboolean (*VmctlHostRunningFunc) (const gchar *vm, gpointer user_data);

/* vmctl-lifecycle-isolation.c: the host's own work kept off the CPUs of
 * the VMs holding isolation, reference-counted by holder */
gboolean vmctl_isolation_available (VmctlHostChanges *changes, gchar **out_why);
gboolean vmctl_isolation_acquire (VmctlHostChanges *changes, const gchar *vm, GArray *vm_cpus,
                                  GError **error);
gboolean vmctl_isolation_release (VmctlHostChanges *changes, const gchar *vm, GError **error);
void vmctl_isolation_recover (VmctlHostChanges *changes, VmctlHostRunningFunc running,
                              gpointer user_data, VmctlHostRecovery *recovery);
GArray *vmctl_isolation_domain_cpus (virDomainPtr domain, GError **error);

/* vmctl-lifecycle-single-gpu.c: the host's only display handed to @vm */
gboolean vmctl_single_gpu_hand_off (VmctlHostChanges *changes, const gchar *vm,
                                    GArray *functions, GError **error);
gboolean vmctl_single_gpu_give_back (VmctlHostChanges *changes, const gchar *vm,
                                     GError **error);

/* vmctl-lifecycle-inhibit.c: a logind sleep inhibitor held for @vm */
gboolean vmctl_inhibit_acquire (VmctlHostChanges *changes, const gchar *vm, GError **error);
gboolean vmctl_inhibit_release (VmctlHostChanges *changes, const gchar *vm, GError **error);

/* the records of @kind owned by VMs: each given back unless its VM runs */
void vmctl_host_recover_owned (VmctlHostChanges *changes, VmctlHostRecordKind kind,
                               VmctlHostRunningFunc running, gpointer user_data,
                               VmctlHostRecovery *recovery);

/* vmctl-lifecycle-host.c: the calls from start and stop */
gboolean vmctl_lifecycle_host_before_passthrough (VmctlSession *session, virDomainPtr domain,
                                                  const VmctlVmMetadata *metadata,
                                                  GError **error);
gboolean vmctl_lifecycle_host_after_passthrough (VmctlSession *session, virDomainPtr domain,
                                                 const VmctlVmMetadata *metadata,
                                                 GError **error);
gboolean vmctl_lifecycle_host_after_stop (VmctlSession *session, const gchar *name,
                                          GError **error);

G_END_DECLS
