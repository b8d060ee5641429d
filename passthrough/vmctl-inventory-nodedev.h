/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-inventory-nodedev.h: the inventory read from libvirt's node-device
 * XML, over any URI, so a remote host needs no shell. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include "vmctl-pci-device.h"

G_BEGIN_DECLS

#define VMCTL_NODEDEV_ERROR (vmctl_nodedev_error_quark ())

typedef enum {
  VMCTL_NODEDEV_ERROR_XML,   /* node-device XML is not well-formed */
  VMCTL_NODEDEV_ERROR_VIRT,  /* libvirt refused a node-device call */
  VMCTL_NODEDEV_ERROR_NOT_PCI, /* well-formed, but not a PCI function with an address */
} VmctlNodedevError;

GQuark vmctl_nodedev_error_quark (void);

VmctlPciDevice *vmctl_pci_device_from_nodedev_xml (const gchar *xml, GError **error);
VmctlInventory *vmctl_inventory_from_nodedev_xmls (const gchar *origin,
                                                   const gchar * const *xmls,
                                                   GError **error);
VmctlInventory *vmctl_inventory_from_nodedev (virConnectPtr connection, GError **error);
VmctlInventory *vmctl_inventory_from_nodedev_full (virConnectPtr connection,
                                                   VmctlInventoryFlags flags, GError **error);

G_END_DECLS
