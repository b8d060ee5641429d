/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-private.h: what the library's own files ask of a session
 * beyond its public face (never installed): a session for another worker
 * thread, an engine for the session's host, host facts whose notes the
 * caller orders itself. */
#pragma once

#include "vmctl-session.h"
#include <libvirt/libvirt.h>
#include "vmctl-data-dir.h"
#include "vmctl-host.h"
#include "vmctl-host-facts.h"
#include "vmctl-pci-device.h"
#include "vmctl-quirks.h"
#include "vmctl-pci-bars.h"
#include "vmctl-verdict.h"
#include "vmctl-vfio.h"

G_BEGIN_DECLS

VmctlHost *vmctl_session_get_host (VmctlSession *session);
gboolean vmctl_session_host_root_given (VmctlSession *session);
gboolean vmctl_session_uses_nodedev (VmctlSession *session);

virConnectPtr vmctl_session_get_connection (VmctlSession *session, gboolean read_only,
                                            GError **error);
virConnectPtr vmctl_session_connect (VmctlSession *session, gboolean read_only,
                                     GError **error);
VmctlHostFacts *vmctl_session_get_facts (VmctlSession *session, GError **error);
VmctlQuirks *vmctl_session_load_quirks (VmctlSession *session, GError **error);

VmctlInventory *vmctl_session_load_inventory (VmctlSession *session, VmctlInventoryFlags flags,
                                              GError **error);
void vmctl_session_load_host_use (VmctlSession *session, VmctlInventory *inventory,
                                  const VmctlPciAddress *addresses, guint n);

void vmctl_session_progress (VmctlSession *session, const gchar *subject,
                             const gchar *format, ...) G_GNUC_PRINTF (3, 4);
void vmctl_session_note (VmctlSession *session, const gchar *subject,
                         const gchar *format, ...) G_GNUC_PRINTF (3, 4);
gboolean vmctl_session_has_progress (VmctlSession *session);

VmctlSession *vmctl_session_new_worker (VmctlSession *session);
VmctlVfio *vmctl_session_new_engine (VmctlSession *session, const gchar *subject,
                                     GError **error);
VmctlInventory *vmctl_session_load_sysfs_inventory (VmctlSession *session,
                                                    VmctlInventoryFlags flags, GError **error);
VmctlHostFacts *vmctl_session_get_facts_noting (VmctlSession *session, GPtrArray *notes,
                                                GError **error);

/* vmctl-session-gpu-desk.c (issue 12): gpu check's BARs and reset-bug reason */
VmctlPciBars *vmctl_session_gpu_check_desk (VmctlSession *session,
                                            const VmctlInventory *inventory,
                                            const VmctlQuirks *quirks,
                                            VmctlVerdict *verdict);

G_END_DECLS
