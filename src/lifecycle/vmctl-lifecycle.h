/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle.h: what the VM commands' session calls return: a VM's
 * state and info, the functions an after-stop gave back, what undefine did
 * with the disks. Defining, starting, stopping and removing VMs on a
 * libvirt connection is the library's own (vmctl-lifecycle-private.h). */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

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
  struct _VmctlVmMedia *media;        /* console, displays, drives, boot order: from
                                       * vmctl_session_info() only; NULL in lists
                                       * (vmctl-vm-media.h, not installed yet) */
  /* issue 12 */
  GPtrArray *usb;                     /* gchar* each USB device, "046d:c52b", or with
                                       * " at port 1-2 (by port: ...)" */
} VmctlVmInfo;

const gchar *vmctl_vm_state_to_string (VmctlVmState state);
void vmctl_vm_info_free (VmctlVmInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVmInfo, vmctl_vm_info_free)

typedef void (*VmctlStopProgress) (const gchar *name, guint seconds_left, gpointer user_data);
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

/**
 * vmctl_undefine_report_free:
 * @report: (nullable): a report from vmctl_session_undefine()
 *
 * Frees @report.
 */
void vmctl_undefine_report_free (VmctlUndefineReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlUndefineReport, vmctl_undefine_report_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-lifecycle-private.h"
#endif
