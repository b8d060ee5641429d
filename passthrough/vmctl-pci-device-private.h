/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-device-private.h: building an inventory and the PCI rules the
 * library applies to it (never installed); consumers get inventories
 * from vmctl_session_iommu_list() and vmctl_session_gpu_list(). */
#pragma once

#include "vmctl-pci-device.h"

G_BEGIN_DECLS

/* What an inventory load fills besides the facts the verdict needs. */
typedef enum {
  VMCTL_INVENTORY_FLAGS_NONE = 0,
  VMCTL_INVENTORY_NAMES = 1 << 0,  /* vendor/device names from pci.ids: parsing
                                    * the whole file is most of a load's cost */
} VmctlInventoryFlags;

VmctlPciDevice *vmctl_pci_device_new (void);
gboolean vmctl_pci_header_is_bridge (gint header_type, guint32 class_code);
gchar *vmctl_pci_bridge_refusal (const VmctlPciAddress *address);
gboolean vmctl_pci_driver_is_vfio_safe (const gchar *driver);

VmctlInventory *vmctl_inventory_new (VmctlInventorySource source, const gchar *origin);
void vmctl_inventory_add (VmctlInventory *inventory, VmctlPciDevice *device);
void vmctl_inventory_sort (VmctlInventory *inventory);

G_END_DECLS
