/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-private.h: what the lifecycle files share: finding a
 * domain, libvirt errors as lifecycle errors, and vmctl's metadata read
 * back from a defined domain. */
#pragma once

#include <libxml/xpath.h>

#include "vmctl-lifecycle.h"
#include "vmctl-autocleanups.h"
#include "vmctl-device-lock.h"
#include "vmctl-vfio.h"

G_BEGIN_DECLS

/* vmctl's <metadata> as later commands need it */
typedef struct {
  gchar *profile;                     /* NULL when the spec had none */
  GPtrArray *gpus;                    /* gchar* "DDDD:BB:SS.F", spec order */
  GPtrArray *functions;               /* gchar* "DDDD:BB:SS.F", plan order */
  gboolean dynamic_hugepages;         /* reserve at start, release after stop */
  /* issue 12 */
  GPtrArray *usb;                     /* gchar*: the USB devices, as info shows them */
  /* issue 13 */
  gboolean isolate_cpus;              /* keep the host's work off the VM's CPUs */
  gboolean single_gpu;                /* hand the host's only display over at start */
} VmctlVmMetadata;

void vmctl_vm_metadata_free (VmctlVmMetadata *metadata);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVmMetadata, vmctl_vm_metadata_free)

virDomainPtr vmctl_lifecycle_lookup (virConnectPtr connection, const gchar *name,
                                     GError **error);
void vmctl_lifecycle_set_virt_error (GError **error, const gchar *format,
                                     ...) G_GNUC_PRINTF (2, 3);
void vmctl_lifecycle_set_storage_error (GError **error, const gchar *format,
                                        ...) G_GNUC_PRINTF (2, 3);
gboolean vmctl_lifecycle_read_metadata (virDomainPtr domain, VmctlVmMetadata **out_metadata,
                                        GError **error);
gboolean vmctl_lifecycle_parse_metadata (const gchar *name, const gchar *text,
                                         VmctlVmMetadata **out_metadata, GError **error);
VmctlVmState vmctl_lifecycle_state_from_virt (int state);

/* vmctl-lifecycle-storage.c: reading domain XML, shared with undefine */
xmlXPathObjectPtr vmctl_lifecycle_select_nodes (xmlDocPtr document, const gchar *expression);
gint vmctl_lifecycle_node_count (xmlXPathObjectPtr result);
gchar *vmctl_lifecycle_child_prop (xmlNodePtr parent, const gchar *child, const gchar *name);

/* vmctl-lifecycle-network.c */
gboolean vmctl_lifecycle_start_networks (VmctlSession *session, virDomainPtr domain,
                                         GError **error);

/* vmctl-lifecycle-passthrough.c */
gboolean vmctl_lifecycle_hold_owner (VmctlSession *session, const gchar *name,
                                     VmctlDeviceLock **out_lock, GError **error);
gboolean vmctl_lifecycle_parse_functions (GPtrArray *texts, GArray **out_addresses,
                                          GError **error);
xmlDocPtr vmctl_lifecycle_domain_document (virDomainPtr domain, unsigned int flags);
gboolean vmctl_lifecycle_prepare_host (VmctlSession *session, virConnectPtr connection,
                                       const gchar *name, xmlDocPtr document,
                                       const VmctlVmMetadata *metadata, guint timeout_ms,
                                       GError **error);
gboolean vmctl_lifecycle_before_start_passthrough (VmctlSession *session, virDomainPtr domain,
                                                   const VmctlVmMetadata *metadata,
                                                   GError **error);
gboolean vmctl_lifecycle_get_state (virDomainPtr domain, VmctlVmState *out_state,
                                    GError **error);
/* issue 13: a yes/no attribute of <vmctl:spec> (vmctl-lifecycle-host.c) */
gboolean vmctl_lifecycle_spec_says_yes (xmlNodePtr spec, const gchar *attribute);

/* vmctl-lifecycle-release.c */
VmctlMoves *vmctl_moves_new (gboolean remote, gboolean dry_run);
void vmctl_moves_add (VmctlMoves *moves, const VmctlPciAddress *address, const gchar *from,
                      const gchar *to);
void vmctl_moves_add_given (VmctlMoves *moves, GPtrArray *given);
void vmctl_moves_add_actions (VmctlMoves *moves, GPtrArray *actions);
gboolean vmctl_lifecycle_give_back (VmctlSession *session, VmctlVfio *vfio, const gchar *owner,
                                    const VmctlPciAddress *address, gboolean check_users,
                                    VmctlMoves *moves, gboolean *out_refused, GError **error);
gboolean vmctl_lifecycle_reattach_remote (virConnectPtr connection, GArray *functions,
                                          VmctlReleaseFlags flags, VmctlMoves *moves,
                                          GError **error);
gboolean vmctl_lifecycle_release (VmctlSession *session, virDomainPtr domain, const gchar *name,
                                  VmctlReleaseFlags flags, VmctlMoves **out_moves,
                                  GError **error);

/* vmctl-lifecycle-hook.c: the libvirt hook's budget per wait */
guint vmctl_lifecycle_hook_wait_ms (void);

/* vmctl-lifecycle-desk.c (issue 12) */
gboolean vmctl_lifecycle_desk_before_start (VmctlSession *session, virDomainPtr domain,
                                            GPtrArray *functions, GError **error);
void vmctl_lifecycle_desk_after_stop (VmctlSession *session, VmctlVfio *vfio, const gchar *name);
GPtrArray *vmctl_lifecycle_desk_usb_from_metadata (xmlNodePtr spec);

G_END_DECLS
