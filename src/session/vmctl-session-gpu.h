/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-gpu.h: one function per PCI command (iommu list, gpu
 * list, gpu check, gpu detach, gpu reattach, gpu status, gpu recover, and
 * the libvirt hook's prepare), each the whole operation on the session's
 * host: its PCI functions under its host root, or a remote host's node
 * devices when vmctl_session_uses_nodedev(). Every one reports
 * VMCTL_ERROR (vmctl-error.h). */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

#include "vmctl-journal.h"
#include "vmctl-lifecycle.h"
#include "vmctl-pci-bars.h"
#include "vmctl-session.h"
#include "vmctl-verdict.h"
#include "vmctl-vfio.h"

G_BEGIN_DECLS

/**
 * VmctlGpuFlags:
 * @VMCTL_GPU_FLAGS_NONE: as asked, refusing what would hurt
 * @VMCTL_GPU_FORCE: detach: take functions the host uses (its console, a
 *   framebuffer, a mounted disk), never host-critical ones; reattach: give
 *   back functions a running VM uses
 * @VMCTL_GPU_DRY_RUN: change nothing; the result's actions say what would
 *   change
 * @VMCTL_GPU_HOOK: reattach of a VM's functions by the libvirt hook's
 *   release, once the VM's QEMU is gone: libvirt is asked nothing (it
 *   waits for the hook), waits are short
 */
typedef enum {
  VMCTL_GPU_FLAGS_NONE = 0,
  VMCTL_GPU_FORCE = 1 << 0,
  VMCTL_GPU_DRY_RUN = 1 << 1,
  VMCTL_GPU_HOOK = 1 << 2,
} VmctlGpuFlags;

/**
 * VmctlGpuReport:
 * @inventory: the host's PCI functions the verdicts were made on, with
 *   their names
 * @verdicts: (element-type VmctlVerdict): one per function judged, in
 *   address order
 * @bars: (nullable): gpu check only (issue 12): the function's BAR sizes
 *   and Resizable BAR; NULL on a remote host or when sysfs has no
 *   `resource`
 */
typedef struct {
  VmctlInventory *inventory;
  GPtrArray *verdicts;
  /* issue 12 */
  VmctlPciBars *bars;
} VmctlGpuReport;

void vmctl_gpu_report_free (VmctlGpuReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlGpuReport, vmctl_gpu_report_free)

VmctlInventory *vmctl_session_iommu_list (VmctlSession *session, GError **error);
VmctlGpuReport *vmctl_session_gpu_list (VmctlSession *session, GError **error);
VmctlGpuReport *vmctl_session_gpu_check (VmctlSession *session, const VmctlPciAddress *address,
                                         GError **error);

VmctlMoves *vmctl_session_gpu_detach (VmctlSession *session, const VmctlPciAddress *address,
                                      const VmctlPciAddress *hostdevs, guint n_hostdevs,
                                      VmctlGpuFlags flags, GError **error);
VmctlMoves *vmctl_session_gpu_reattach (VmctlSession *session, const VmctlPciAddress *address,
                                        VmctlGpuFlags flags, GError **error);
VmctlMoves *vmctl_session_gpu_reattach_vm (VmctlSession *session, const gchar *vm,
                                           VmctlGpuFlags flags, GError **error);
gboolean vmctl_session_gpu_hook_prepare (VmctlSession *session, const gchar *vm,
                                         const gchar *domain_xml, gsize length,
                                         GError **error);

/**
 * VmctlHeldFunction:
 * @entry: its journal entry
 * @driver: (nullable): the driver it is bound to now
 * @stale: the entry is from an earlier boot (which gave the function
 *   back already)
 */
typedef struct {
  VmctlJournalEntry *entry;
  gchar *driver;
  gboolean stale;
} VmctlHeldFunction;

/**
 * VmctlGpuStatus:
 * @functions: (element-type VmctlHeldFunction): what vmctl holds, by
 *   address
 * @problems: (element-type VmctlJournalProblem): journal entries that could
 *   not be read (left in place, never acted on)
 */
typedef struct {
  GPtrArray *functions;
  GPtrArray *problems;
} VmctlGpuStatus;

void vmctl_gpu_status_free (VmctlGpuStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlGpuStatus, vmctl_gpu_status_free)

VmctlGpuStatus *vmctl_session_gpu_status (VmctlSession *session, GError **error);
VmctlVfioRecovery *vmctl_session_gpu_recover (VmctlSession *session, VmctlGpuFlags flags,
                                              GError **error);

G_END_DECLS
