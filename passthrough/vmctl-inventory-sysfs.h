/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-inventory-sysfs.h: the inventory read from /sys under the host
 * root, names from libpci's pci.ids. */
#pragma once

#include "vmctl-host.h"
#include "vmctl-pci-device.h"

G_BEGIN_DECLS

VmctlInventory *vmctl_inventory_from_sysfs (VmctlHost *host, GError **error);
VmctlInventory *vmctl_inventory_from_sysfs_full (VmctlHost *host, VmctlInventoryFlags flags,
                                                 GError **error);

G_END_DECLS
