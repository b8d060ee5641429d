/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle.h: defining, starting, stopping and removing VMs on any
 * libvirt connection, with honest results per VM and nothing left
 * half-made. The passthrough engine (issue 5) plugs into the before-start /
 * after-stop steps. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include "vmctl-libvirt.h"
#include "vmctl-host.h"
#include "vmctl-pci-address.h"
#include "vmctl-session.h"
#include "vmctl-spec.h"
#include "vmctl-vm-media.h"

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

typedef enum {
  VMCTL_VM_STATE_UNKNOWN,
  VMCTL_VM_STATE_RUNNING,
  VMCTL_VM_STATE_PAUSED,
  VMCTL_VM_STATE_SHUTOFF,
  VMCTL_VM_STATE_SHUTDOWN,            /* shutting down */
  VMCTL_VM_STATE_CRASHED,
  VMCTL_VM_STATE_OTHER,
} VmctlVmState;

typedef struct {
  gchar *name;
  gchar *uuid;
  VmctlVmState state;
  guint vcpus;
  guint64 memory_kib;
  gboolean autostart;
  gboolean persistent;
  gboolean managed_by_vmctl;          /* has vmctl metadata */
  gchar *profile;                     /* from vmctl metadata, or NULL */
  GPtrArray *gpus;                    /* gchar* "DDDD:BB:SS.F" from vmctl metadata */
  GPtrArray *hostdevs;                /* gchar* every planned function */

  /* issue 11 */
  VmctlVmMedia *media;                /* console, displays, drives, boot order: from
                                       * vmctl_session_info() only; NULL in lists */
  /* issue 12 */
  GPtrArray *usb;                     /* gchar* each USB device, "046d:c52b", or with
                                       * " at port 1-2 (by port: ...)" */
} VmctlVmInfo;

const gchar *vmctl_vm_state_to_string (VmctlVmState state);
void vmctl_vm_info_free (VmctlVmInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVmInfo, vmctl_vm_info_free)

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
typedef void (*VmctlStopProgress) (const gchar *name, guint seconds_left, gpointer user_data);
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

/* The after-stop policy (vmctl-lifecycle-release.c): what the functions a
 * VM held became, and the host changes. */
typedef struct {
  VmctlPciAddress address;
  gchar *from;                        /* the driver before, NULL for none */
  gchar *to;                          /* the driver after, NULL for none */
} VmctlMovedFunction;

typedef struct {
  gboolean remote;                    /* moved by a remote host's libvirt: @actions
                                       * say what, @functions is empty */
  gboolean dry_run;                   /* nothing changed: what would */
  GArray *functions;                  /* VmctlMovedFunction, in the order moved */
  GPtrArray *actions;                 /* gchar*: host changes made, or that a dry run
                                       * would make */
} VmctlMoves;

void vmctl_moves_free (VmctlMoves *moves);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlMoves, vmctl_moves_free)

typedef enum {
  VMCTL_RELEASE_FLAGS_NONE = 0,
  VMCTL_RELEASE_CHECK_USERS = 1 << 0, /* refuse functions a running VM uses */
  VMCTL_RELEASE_HOOK = 1 << 1,        /* the libvirt hook: no libvirt, short waits */
  VMCTL_RELEASE_DRY_RUN = 1 << 2,     /* change nothing */
} VmctlReleaseFlags;

gboolean vmctl_vm_release (VmctlSession *session, const gchar *name, VmctlReleaseFlags flags,
                           VmctlMoves **out_moves, GError **error);
/* What undefine does with the VM's disks (device='disk': cdroms are
 * installation media and always stay; block devices always stay). */
typedef enum {
  VMCTL_UNDEFINE_KEEP_STORAGE,        /* every disk stays */
  VMCTL_UNDEFINE_REMOVE_CREATED,      /* --remove-storage: the volumes vmctl created for the
                                       * VM (recorded in its metadata at define) */
  VMCTL_UNDEFINE_REMOVE_ALL,          /* --remove-all-storage: the other image files and
                                       * volumes too */
} VmctlUndefineStorage;

typedef struct {
  gchar *path;                        /* the image; "POOL/VOLUME" when libvirt knows no path */
  gchar *reason;                      /* why it was kept; NULL when removed */
} VmctlStorageOutcome;

typedef struct {
  GPtrArray *removed;                 /* VmctlStorageOutcome*, in the domain's disk order */
  GPtrArray *kept;                    /* VmctlStorageOutcome*, each with its reason */
} VmctlUndefineReport;

void vmctl_undefine_report_free (VmctlUndefineReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlUndefineReport, vmctl_undefine_report_free)

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

G_END_DECLS
