/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-gpu.c: the read-only PCI commands, one library call each:
 * iommu list (the host's functions by group), gpu list (every display
 * function with its verdict) and gpu check (one function's verdict). The
 * verdict judges host use too, so each looks at how the host uses what
 * it judges, and at nothing else (reading every process's open files is
 * most of the cost). */
#include "vmctl-session-gpu.h"

#include "vmctl-error.h"
#include "vmctl-session-private.h"

/**
 * vmctl_gpu_report_free:
 * @report: (nullable): a report
 */
void
vmctl_gpu_report_free (VmctlGpuReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->inventory, vmctl_inventory_free);
  g_clear_pointer (&report->verdicts, g_ptr_array_unref);
  g_clear_pointer (&report->bars, vmctl_pci_bars_free);
  g_free (report);
}

static VmctlGpuReport *
report_new (VmctlInventory *inventory)
{
  VmctlGpuReport *report = g_new0 (VmctlGpuReport, 1);

  report->inventory = inventory;
  report->verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_verdict_free);
  return report;
}

/**
 * vmctl_session_iommu_list:
 * @error: VMCTL_ERROR_HYPERVISOR when a remote host's libvirt cannot be
 *   reached, VMCTL_ERROR_DATA for a broken host-critical list
 *
 * The session's host's PCI functions with their names (pci.ids), IOMMU
 * groups, drivers and host-critical marks: from sysfs under the host
 * root, or from a remote host's node devices.
 *
 * Returns: (transfer full): the inventory
 */
VmctlInventory *
vmctl_session_iommu_list (VmctlSession *session, GError **error)
{
  VmctlInventory *inventory;

  g_return_val_if_fail (session != NULL, NULL);
  inventory = vmctl_session_load_inventory (session, VMCTL_INVENTORY_NAMES, error);
  if (inventory == NULL)
    vmctl_error_convert (error);
  return inventory;
}

/* what both gpu commands judge with: the functions and the known-bad list */
static VmctlGpuReport *
load_for_verdicts (VmctlSession *session, VmctlQuirks **out_quirks, GError **error)
{
  g_autoptr(VmctlInventory) inventory = vmctl_session_load_inventory (session,
                                                                      VMCTL_INVENTORY_NAMES,
                                                                      error);

  if (inventory == NULL)
    return NULL;
  *out_quirks = vmctl_session_load_quirks (session, error);
  if (*out_quirks == NULL)
    return NULL;
  return report_new (g_steal_pointer (&inventory));
}

static VmctlGpuReport *
gpu_list (VmctlSession *session, GError **error)
{
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(VmctlGpuReport) report = load_for_verdicts (session, &quirks, error);
  g_autoptr(GArray) displays = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  GPtrArray *devices;

  if (report == NULL)
    return NULL;
  devices = report->inventory->devices;
  for (guint i = 0; i < devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (devices, i);

    if (vmctl_pci_device_is_display (device))
      g_array_append_val (displays, device->address);
  }
  /* their slots only: what would go along with them */
  vmctl_session_load_host_use (session, report->inventory,
                               (const VmctlPciAddress *) displays->data, displays->len);
  for (guint i = 0; i < displays->len; i++) {
    VmctlVerdict *verdict = vmctl_verdict_compute (report->inventory,
                                                   &g_array_index (displays, VmctlPciAddress, i),
                                                   quirks, error);

    if (verdict == NULL)
      return NULL;
    g_ptr_array_add (report->verdicts, verdict);
  }
  return g_steal_pointer (&report);
}

/**
 * vmctl_session_gpu_list:
 * @error: as vmctl_session_iommu_list(), or VMCTL_ERROR_DATA for a broken
 *   quirk list
 *
 * Every display-class function of the session's host with its verdict
 * (companions, bridges, blockers, peers, siblings, host-critical
 * functions, the host's use of what would move, boot VGA, reset).
 *
 * Returns: (transfer full): the inventory and one verdict per display
 *   function, in address order (none on a host without one)
 */
VmctlGpuReport *
vmctl_session_gpu_list (VmctlSession *session, GError **error)
{
  VmctlGpuReport *report;

  g_return_val_if_fail (session != NULL, NULL);
  report = gpu_list (session, error);
  if (report == NULL)
    vmctl_error_convert (error);
  return report;
}

static VmctlGpuReport *
gpu_check (VmctlSession *session, const VmctlPciAddress *address, GError **error)
{
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(VmctlGpuReport) report = load_for_verdicts (session, &quirks, error);
  VmctlVerdict *verdict;

  if (report == NULL || vmctl_inventory_find (report->inventory, address, error) == NULL)
    return NULL;
  vmctl_session_load_host_use (session, report->inventory, address, 1);
  verdict = vmctl_verdict_compute (report->inventory, address, quirks, error);
  if (verdict == NULL)
    return NULL;
  g_ptr_array_add (report->verdicts, verdict);
  /* issue 12: BAR sizes, Resizable BAR, vendor-reset (vmctl-session-gpu-desk.c) */
  report->bars = vmctl_session_gpu_check_desk (session, report->inventory, quirks, verdict);
  return g_steal_pointer (&report);
}

/**
 * vmctl_session_gpu_check:
 * @address: the function to judge
 * @error: VMCTL_ERROR_NOT_FOUND when the host has no such function, or as
 *   vmctl_session_gpu_list()
 *
 * The verdict for one PCI function of the session's host: whether it can
 * be given to a VM, and what goes along. A function that cannot is not an
 * error: its verdict says why.
 *
 * Returns: (transfer full): the inventory and the one verdict
 */
VmctlGpuReport *
vmctl_session_gpu_check (VmctlSession *session, const VmctlPciAddress *address, GError **error)
{
  VmctlGpuReport *report;

  g_return_val_if_fail (session != NULL && address != NULL, NULL);
  report = gpu_check (session, address, error);
  if (report == NULL)
    vmctl_error_convert (error);
  return report;
}
