/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup.h: `vmctl host setup` (issue 13): the boot-time
 * configuration `host check` asks for, written by vmctl instead of by
 * hand, journaled, and undone byte for byte:
 *  - the kernel command line (the IOMMU on for the CPU's vendor, iommu=pt,
 *    rd.driver.pre=vfio-pci on dracut hosts with --gpu) through the boot
 *    loader the host uses (GRUB, systemd-boot with kernel-install or
 *    loader entries, kernelstub), detected from its files, never guessed;
 *  - early vfio binding of a GPU and its companions by PCI address: a
 *    modprobe.d softdep so vfio-pci loads before their drivers, a udev rule
 *    setting driver_override at boot, both in the initramfs of the tool
 *    the host uses (initramfs-tools, dracut, mkinitcpio), which is rebuilt;
 *    vfio-pci.ids only for ids no other function on the host has;
 *  - nested virtualization, the vfio modules at boot, hugepages at boot.
 * Every file is backed up in the state directory and recorded before it
 * is written, and written atomically. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-device.h"

G_BEGIN_DECLS

#define VMCTL_HOST_SETUP_ERROR (vmctl_host_setup_error_quark ())

typedef enum {
  VMCTL_HOST_SETUP_ERROR_UNSUPPORTED, /* the boot loader or initramfs tool cannot be
                                       * told, or a file is too unusual to edit
                                       * safely; the message says what to do (exit 1) */
  VMCTL_HOST_SETUP_ERROR_APPLIED,     /* a setup is applied (or an apply was cut
                                       * short): undo it first (exit 1) */
  VMCTL_HOST_SETUP_ERROR_NOT_APPLIED, /* --undo with nothing applied (exit 1) */
  VMCTL_HOST_SETUP_ERROR_CHANGED,     /* a file changed since vmctl wrote it: undo
                                       * would lose that edit; --force (exit 1) */
  VMCTL_HOST_SETUP_ERROR_FAILED,      /* a step failed and everything done before it
                                       * was undone; the message names the step (exit 1) */
  VMCTL_HOST_SETUP_ERROR_INCOMPLETE,  /* a step failed and undoing failed too: the
                                       * record stays for --undo (exit 1) */
} VmctlHostSetupError;

GQuark vmctl_host_setup_error_quark (void);

typedef enum {
  VMCTL_HOST_SETUP_DRY_RUN,   /* print the diffs and commands, change nothing */
  VMCTL_HOST_SETUP_APPLY,
  VMCTL_HOST_SETUP_UNDO,
  VMCTL_HOST_SETUP_UNDO_DRY_RUN,
} VmctlHostSetupMode;

typedef struct {
  const VmctlInventory *inventory;  /* the host's functions (vendor:device uniqueness) */
  GArray *functions;                /* VmctlPciAddress: the GPUs and what goes with
                                     * them (the plan), bound early; may be empty */
  guint64 hugepages_kib;            /* memory to back with hugepages at boot; 0: none */
  gboolean force;                   /* --undo: restore files changed since */
} VmctlHostSetupRequest;

typedef struct {
  gchar *path;
  gchar *diff;                      /* unified diff, "--- a" "+++ b" "@@" lines */
} VmctlHostSetupDiff;

typedef struct {
  GPtrArray *diffs;                 /* VmctlHostSetupDiff*, in the order written */
  GPtrArray *commands;              /* gchar*: each command, as run or to be run */
  GPtrArray *settings;              /* gchar*: what is set ("kernel command line:
                                     * intel_iommu=on") */
  GPtrArray *notes;                 /* gchar*: what vmctl detected and decided */
  gboolean changed;                 /* apply or undo changed the host */
} VmctlHostSetupReport;

void vmctl_host_setup_report_free (VmctlHostSetupReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostSetupReport, vmctl_host_setup_report_free)

VmctlHostSetupReport *vmctl_host_setup_run (VmctlHost *host, const gchar *state_dir,
                                            const VmctlHostSetupRequest *request,
                                            VmctlHostSetupMode mode, GError **error);

/* what an applied setup set, and whether the running kernel has it:
 * for `host check` (setup.applied) */
typedef struct {
  gboolean applied;                 /* a complete setup record exists */
  gboolean interrupted;             /* a record of an apply cut short exists */
  gchar *time;                      /* when it was applied */
  GPtrArray *effective;             /* gchar*: settings the running host has */
  GPtrArray *pending;               /* gchar*: settings it does not have yet */
} VmctlHostSetupStatus;

void vmctl_host_setup_status_free (VmctlHostSetupStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostSetupStatus, vmctl_host_setup_status_free)
VmctlHostSetupStatus *vmctl_host_setup_status (VmctlHost *host, const gchar *state_dir,
                                               GError **error);

G_END_DECLS
