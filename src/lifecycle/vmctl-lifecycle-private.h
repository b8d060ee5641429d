/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-private.h: what the lifecycle files share: finding a
 * domain, libvirt errors as lifecycle errors, and vmctl's metadata read
 * back from a defined domain. */
#pragma once

#include <libxml/xpath.h>
#include <libxml/tree.h>
#include "vmctl-libvirt.h"
#include "vmctl-host.h"
#include "vmctl-session.h"
#include "vmctl-spec.h"

#include "vmctl-lifecycle.h"
#include "vmctl-autocleanups.h"
#include "vmctl-device-lock.h"
#include "vmctl-vfio.h"

G_BEGIN_DECLS

#define VMCTL_LIFECYCLE_ERROR (vmctl_lifecycle_error_quark ())

typedef enum {
  VMCTL_LIFECYCLE_ERROR_EXISTS,       /* a VM of that name is already defined (exit 2) */
  VMCTL_LIFECYCLE_ERROR_NO_VM,        /* no VM of that name (exit 2) */
  VMCTL_LIFECYCLE_ERROR_RUNNING,      /* the operation needs the VM shut off (exit 1) */
  VMCTL_LIFECYCLE_ERROR_TIMEOUT,      /* the guest did not shut down in time (exit 1) */
  VMCTL_LIFECYCLE_ERROR_METADATA,     /* vmctl's <metadata> is present but invalid (exit 1) */
  VMCTL_LIFECYCLE_ERROR_STORAGE,      /* a pool or volume could not be made or removed (exit 1) */
  VMCTL_LIFECYCLE_ERROR_STORAGE_IN_USE, /* a disk to remove is another domain's too; nothing
                                       * was changed (exit 1) */
  VMCTL_LIFECYCLE_ERROR_NETWORK,      /* a network the VM uses is missing or cannot
                                       * start; the message has libvirt's reason and
                                       * the fix (exit 1) */
  VMCTL_LIFECYCLE_ERROR_USERS_UNKNOWN, /* libvirt cannot say whether a running VM uses
                                       * the functions: nothing was given back (exit 1) */
} VmctlLifecycleError;

GQuark vmctl_lifecycle_error_quark (void);

/* Define @document on @connection, first creating the volumes the spec's
 * "size=" disks name (qcow2, in their pool; pool "default" is created as a
 * directory pool under /var/lib/libvirt/images when missing). Refuses an
 * existing name. On any failure, volumes created here are deleted again. */
gboolean vmctl_vm_define (virConnectPtr connection, const VmctlSpec *spec,
                          xmlDocPtr document, GError **error);

gchar *vmctl_network_note_missing (virConnectPtr connection, const gchar *name);

/* start: the inactive networks its interfaces use are started (a note
 * says so, through the session's note function); then the before-start
 * step (vmctl metadata read; the plan re-checked against the session's
 * host, hugepages checked or reserved, the planned functions moved to
 * vfio-pci), then virDomainCreate; on failure all of it is undone. A VM
 * that is already running is success (*out_changed FALSE). */
gboolean vmctl_vm_start (VmctlSession *session, const gchar *name,
                         gboolean *out_changed, GError **error);

/* stop: ACPI shutdown, wait up to @timeout_seconds (calling @progress once a
 * second with the seconds left, may be NULL), then destroy only with @force;
 * VMCTL_LIFECYCLE_ERROR_TIMEOUT if still running. After the domain is down,
 * the after-stop step runs. A VM already shut off is success
 * (*out_changed FALSE). */
gboolean vmctl_vm_stop (VmctlSession *session, const gchar *name, guint timeout_seconds,
                        gboolean force, VmctlStopProgress progress, gpointer user_data,
                        gboolean *out_changed, GError **error);
/* what stop did, for vmctl_vm_stop_full() */
typedef struct {
  gboolean changed;                   /* FALSE: it was shut off already */
  gboolean forced;                    /* the guest ignored the shutdown: destroyed */
  guint waited_seconds;               /* how long stop waited for the guest */
} VmctlStopResult;
gboolean vmctl_vm_stop_full (VmctlSession *session, const gchar *name, guint timeout_seconds,
                             gboolean force, VmctlStopProgress progress, gpointer user_data,
                             VmctlStopResult *out_result, GError **error);
gboolean vmctl_vm_destroy (VmctlSession *session, const gchar *name,
                           gboolean *out_changed, GError **error);

typedef enum {
  VMCTL_RELEASE_FLAGS_NONE = 0,
  VMCTL_RELEASE_CHECK_USERS = 1 << 0, /* refuse functions a running VM uses */
  VMCTL_RELEASE_HOOK = 1 << 1,        /* the libvirt hook: no libvirt, short waits */
  VMCTL_RELEASE_DRY_RUN = 1 << 2,     /* change nothing */
} VmctlReleaseFlags;

gboolean vmctl_vm_release (VmctlSession *session, const gchar *name, VmctlReleaseFlags flags,
                           VmctlMoves **out_moves, GError **error);
/* Refuses a running VM; removes its definition with its NVRAM; then the
 * disks @storage says. Nothing is removed that another defined domain
 * (running or not) references: that refuses the whole undefine before
 * anything changes, naming the domain. @out_report says what was removed
 * and what was kept, and why. */
gboolean vmctl_vm_undefine (virConnectPtr connection, const gchar *name,
                            VmctlUndefineStorage storage, VmctlUndefineReport **out_report,
                            GError **error);
gboolean vmctl_vm_set_autostart (virConnectPtr connection, const gchar *name,
                                 gboolean autostart, GError **error);
/* issue 13: start --single-gpu (vmctl-lifecycle-host.c) */
gboolean vmctl_vm_set_single_gpu (VmctlSession *session, const gchar *name, GError **error);

GPtrArray *vmctl_vm_list (virConnectPtr connection, gboolean all, GError **error); /* VmctlVmInfo*, by name */
VmctlVmInfo *vmctl_vm_info (virConnectPtr connection, const gchar *name, GError **error);
gchar *vmctl_vm_xml (virConnectPtr connection, const gchar *name, GError **error);
/* every PCI function running domains have as hostdevs: "DDDD:BB:SS.F" ->
 * domain name; @except (nullable) is left out */
GHashTable *vmctl_vm_running_hostdevs (virConnectPtr connection, const gchar *except,
                                       GError **error);
/* every defined VM's name (for --all), sorted */
gchar **vmctl_vm_all_names (virConnectPtr connection, GError **error);

/* Run @operation on each name concurrently, each worker thread with a
 * session like @session but a connection of its own past the first few
 * (libvirt serves parallel calls). Returns one GError* (NULL on success)
 * per name, in the order of @names. */
typedef gboolean (*VmctlVmOperation) (VmctlSession *session, const gchar *name,
                                      gpointer user_data, GError **error);
GPtrArray *vmctl_vm_run_many (VmctlSession *session, const gchar * const *names,
                              VmctlVmOperation operation, gpointer user_data);


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
