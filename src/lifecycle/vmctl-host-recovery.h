/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-recovery.h: what `vmctl host recover` did (issue 13): the
 * functions and host changes given back after a crash or a VM that died
 * without its stop, one line each. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GPtrArray *given_back;  /* gchar*: "0000:01:00.0 -> nvidia", "CPU isolation of VM 'x'" */
  GPtrArray *kept;        /* gchar*: what a running (or starting) VM still uses */
  GPtrArray *dropped;     /* gchar*: records of an earlier boot, which it undid */
  GPtrArray *failed;      /* gchar*: what could not be given back, and why */
} VmctlHostRecovery;

VmctlHostRecovery *vmctl_host_recovery_new (void);
void vmctl_host_recovery_free (VmctlHostRecovery *recovery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostRecovery, vmctl_host_recovery_free)

G_END_DECLS
