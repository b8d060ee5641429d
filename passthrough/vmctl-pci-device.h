/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-device.h: the host's PCI functions as one model, whichever
 * source (sysfs or libvirt node devices) filled it. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

typedef enum {
  VMCTL_TRISTATE_UNKNOWN = -1, /* the source cannot tell (node-device XML) */
  VMCTL_TRISTATE_NO = 0,
  VMCTL_TRISTATE_YES = 1,
} VmctlTristate;

#define VMCTL_PCI_HEADER_UNKNOWN  (-1)
#define VMCTL_PCI_HEADER_NORMAL   0x00 /* endpoint (host bridges too) */
#define VMCTL_PCI_HEADER_BRIDGE   0x01 /* PCI-to-PCI bridge, root port */
#define VMCTL_PCI_HEADER_CARDBUS  0x02

#define VMCTL_PCI_NO_GROUP (-1)

typedef enum {
  VMCTL_INVENTORY_SOURCE_SYSFS,
  VMCTL_INVENTORY_SOURCE_NODEDEV,
} VmctlInventorySource;

typedef struct {
  VmctlPciAddress address;
  guint16 vendor_id;
  guint16 device_id;
  guint16 subsystem_vendor_id;  /* 0 when unknown */
  guint16 subsystem_device_id;
  guint32 class_code;           /* 24 bits: base, sub, prog-if */
  gint header_type;             /* VMCTL_PCI_HEADER_*, low 7 bits of config 0x0e */
  gboolean multifunction;       /* bit 7 of config 0x0e */
  gchar *driver;                /* bound driver, NULL when none */
  gchar *driver_override;       /* NULL when none or unknown */
  VmctlTristate boot_vga;
  gint iommu_group;             /* VMCTL_PCI_NO_GROUP when none */
  VmctlTristate can_reset;      /* sysfs 'reset' or a non-empty reset_method */
  gchar *reset_method;          /* e.g. "flr bus"; NULL when unknown */
  gint numa_node;               /* -1 when none or unknown */
  gboolean has_parent;          /* parent is a PCI bridge/port */
  VmctlPciAddress parent;
  gchar *vendor_name;           /* from pci.ids (or the XML), NULL when unknown */
  gchar *device_name;
  GPtrArray *problems;          /* gchar*: attributes that could not be read */
  gchar *host_critical;         /* what it is when data/host-critical.conf lists it
                                 * (vmctl_host_critical_mark()), NULL when not */
  GPtrArray *host_use;          /* gchar*: how the host uses it now (mounted disk,
                                 * console, framebuffer, open device file); empty
                                 * when it does not; NULL when nobody looked (the
                                 * sources leave it so: a remote host cannot tell) */
} VmctlPciDevice;

typedef struct {
  VmctlInventorySource source;
  gchar *origin;                /* host root or libvirt URI, for messages */
  GPtrArray *devices;           /* VmctlPciDevice*, sorted by address */
  gboolean iommu_enabled;       /* at least one IOMMU group exists */
} VmctlInventory;

/**
 * vmctl_pci_device_free:
 * @device: (nullable): a device; those of an inventory belong to it
 *
 * Frees @device.
 */
void vmctl_pci_device_free (VmctlPciDevice *device);
gboolean vmctl_pci_device_is_bridge (const VmctlPciDevice *device);
/**
 * vmctl_pci_device_is_display:
 * @device: a device
 *
 * Returns: whether its class is a display controller (base class 0x03), the
 *   functions `gpu list` judges
 */
gboolean vmctl_pci_device_is_display (const VmctlPciDevice *device);
gchar *vmctl_pci_device_describe (const VmctlPciDevice *device);
/**
 * vmctl_inventory_free:
 * @inventory: (nullable): an inventory
 *
 * Frees @inventory and its devices.
 */
void vmctl_inventory_free (VmctlInventory *inventory);
const VmctlPciDevice *vmctl_inventory_lookup (const VmctlInventory *inventory,
                                              const VmctlPciAddress *address);
const VmctlPciDevice *vmctl_inventory_find (const VmctlInventory *inventory,
                                            const VmctlPciAddress *address,
                                            GError **error);
GArray *vmctl_inventory_group_ids (const VmctlInventory *inventory);
GPtrArray *vmctl_inventory_group_members (const VmctlInventory *inventory, gint group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlPciDevice, vmctl_pci_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlInventory, vmctl_inventory_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-pci-device-private.h"
#endif
