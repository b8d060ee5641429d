/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-gpu-desk.c: what gpu check reports for issue 12: the
 * card's BAR sizes and Resizable BAR (what guest address space it needs),
 * and for a card on the reset-bug list whether vendor-reset covers it,
 * as one of the verdict's reasons. Both read this host's sysfs: on a
 * remote host they are left out. */
#include "vmctl-session-private.h"

#include "vmctl-reset-check.h"
#include "vmctl-spec-desk.h"

/**
 * vmctl_session_gpu_check_desk: (skip)
 * @verdict: gets the reset-bug sentence in its reasons, and one more for
 *   a BAR that needs more 64-bit guest address space than OVMF's default
 *
 * Returns: (transfer full) (nullable): the BARs of the verdict's device;
 *   NULL on a remote host or when `resource` cannot be read
 */
VmctlPciBars *
vmctl_session_gpu_check_desk (VmctlSession *session, const VmctlInventory *inventory,
                              const VmctlQuirks *quirks, VmctlVerdict *verdict)
{
  g_auto(VmctlResetState) state = { 0 };
  VmctlHost *host = vmctl_session_get_host (session);
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, &verdict->address);
  g_autoptr(VmctlPciBars) bars = NULL;
  guint64 window;

  if (vmctl_session_uses_nodedev (session) || device == NULL)
    return NULL;
  if (vmctl_reset_state_read (host, device, quirks, &state))
    g_ptr_array_add (verdict->reasons,
                     vmctl_reset_state_describe (&state, &device->address, device->vendor_id,
                                                 device->device_id));
  bars = vmctl_pci_bars_read (host, &device->address, NULL);
  if (bars == NULL)
    return NULL;
  window = vmctl_pci_bars_window (bars);
  if (window > VMCTL_LARGE_BAR_THRESHOLD) {
    g_autofree gchar *size = vmctl_pci_size_format (window);

    g_ptr_array_add (verdict->reasons,
                     g_strdup_printf ("its 64-bit BARs need %s of guest address space, more "
                                      "than OVMF's default aperture leaves: vmctl create adds "
                                      "<maxphysaddr mode='passthrough'/> (or OVMF's "
                                      "X-PciMmio64Mb) so the guest boots", size));
  }
  return g_steal_pointer (&bars);
}
