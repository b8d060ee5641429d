/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-device.c: the device model and the inventory container. */
#include "vmctl-pci-device.h"

#include <string.h>

VmctlPciDevice *
vmctl_pci_device_new (void)
{
  VmctlPciDevice *device = g_new0 (VmctlPciDevice, 1);

  device->header_type = VMCTL_PCI_HEADER_UNKNOWN;
  device->boot_vga = VMCTL_TRISTATE_UNKNOWN;
  device->can_reset = VMCTL_TRISTATE_UNKNOWN;
  device->iommu_group = VMCTL_PCI_NO_GROUP;
  device->numa_node = -1;
  device->problems = g_ptr_array_new_with_free_func (g_free);
  return device;
}

void
vmctl_pci_device_free (VmctlPciDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->driver);
  g_free (device->driver_override);
  g_free (device->reset_method);
  g_free (device->vendor_name);
  g_free (device->device_name);
  g_ptr_array_unref (device->problems);
  g_free (device->host_critical);
  g_clear_pointer (&device->host_use, g_ptr_array_unref);
  g_free (device);
}

/**
 * vmctl_pci_header_is_bridge:
 * @header_type: config byte 0x0e without its multi-function bit, or
 *   VMCTL_PCI_HEADER_UNKNOWN when it could not be read
 * @class_code: the 24-bit class code
 *
 * The one rule for what a bridge is, whoever read the function (an
 * inventory, or the engine straight from sysfs): a PCI-to-PCI or CardBus
 * bridge, header type 1 or 2. vfio-pci refuses anything but type 0, and the
 * kernel lets bridges stay on pcieport in a group given to a VM. Only when
 * the header type could not be read does the class decide (0x0604 PCI
 * bridge, 0x0607 CardBus bridge).
 */
gboolean
vmctl_pci_header_is_bridge (gint header_type, guint32 class_code)
{
  guint32 base_sub = class_code >> 8;

  if (header_type != VMCTL_PCI_HEADER_UNKNOWN)
    return header_type == VMCTL_PCI_HEADER_BRIDGE || header_type == VMCTL_PCI_HEADER_CARDBUS;
  return base_sub == 0x0604 || base_sub == 0x0607;
}

/**
 * vmctl_pci_device_is_bridge:
 *
 * vmctl_pci_header_is_bridge() for an inventory's function.
 *
 * Returns: whether @device is a PCI-to-PCI bridge or a root port
 *   (vfio-pci refuses them)
 */
gboolean
vmctl_pci_device_is_bridge (const VmctlPciDevice *device)
{
  return vmctl_pci_header_is_bridge (device->header_type, device->class_code);
}

/**
 * vmctl_pci_bridge_refusal:
 * @address: the bridge
 *
 * The one sentence every layer (verdict, plan, engine, remote detach)
 * uses to refuse a bridge, as vmctl_host_critical_refusal() is for the
 * host's own functions; each caller picks its error code (naming a bridge
 * is bad input to `gpu detach`, a plan that would take one is not
 * passable).
 *
 * Returns: (transfer full): the sentence
 */
gchar *
vmctl_pci_bridge_refusal (const VmctlPciAddress *address)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (address, text);
  return g_strdup_printf ("%s is a PCI bridge: bridges stay with the host (vfio-pci only takes "
                          "endpoints)", text);
}

/* Display controllers: VGA, XGA, 3D, other (base class 0x03). */
gboolean
vmctl_pci_device_is_display (const VmctlPciDevice *device)
{
  return (device->class_code >> 16) == 0x03;
}

/**
 * vmctl_pci_driver_is_vfio_safe:
 *
 * Drivers the kernel accepts in a group handed to VFIO: the vfio drivers
 * and pci-stub (pre-5.19 vfio_driver_allowed[], 5.19+ driver_managed_dma).
 */
gboolean
vmctl_pci_driver_is_vfio_safe (const gchar *driver)
{
  return driver == NULL
         || g_str_has_prefix (driver, "vfio")
         || g_strcmp0 (driver, "pci-stub") == 0;
}

/**
 * vmctl_pci_device_describe:
 *
 * Returns: (transfer full): "Vendor Device" from pci.ids, or the ids in
 * brackets when the names are unknown
 */
gchar *
vmctl_pci_device_describe (const VmctlPciDevice *device)
{
  if (device->vendor_name != NULL && device->device_name != NULL)
    return g_strdup_printf ("%s %s", device->vendor_name, device->device_name);
  if (device->vendor_name != NULL)
    return g_strdup_printf ("%s [%04x:%04x]", device->vendor_name,
                            device->vendor_id, device->device_id);
  return g_strdup_printf ("[%04x:%04x]", device->vendor_id, device->device_id);
}

VmctlInventory *
vmctl_inventory_new (VmctlInventorySource source, const gchar *origin)
{
  VmctlInventory *inventory = g_new0 (VmctlInventory, 1);

  inventory->source = source;
  inventory->origin = g_strdup (origin);
  inventory->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_pci_device_free);
  return inventory;
}

void
vmctl_inventory_free (VmctlInventory *inventory)
{
  if (inventory == NULL)
    return;
  g_free (inventory->origin);
  g_ptr_array_unref (inventory->devices);
  g_free (inventory);
}

/* Takes ownership of @device. */
void
vmctl_inventory_add (VmctlInventory *inventory, VmctlPciDevice *device)
{
  if (device->iommu_group != VMCTL_PCI_NO_GROUP)
    inventory->iommu_enabled = TRUE;
  g_ptr_array_add (inventory->devices, device);
}

static gint
compare_devices (gconstpointer a, gconstpointer b)
{
  const VmctlPciDevice *da = *(const VmctlPciDevice * const *) a;
  const VmctlPciDevice *db = *(const VmctlPciDevice * const *) b;

  return vmctl_pci_address_compare (&da->address, &db->address);
}

/* Address order makes every listing and verdict list deterministic. */
void
vmctl_inventory_sort (VmctlInventory *inventory)
{
  g_ptr_array_sort (inventory->devices, compare_devices);
}

/**
 * vmctl_inventory_lookup:
 * Returns: (transfer none) (nullable): the device at @address
 */
const VmctlPciDevice *
vmctl_inventory_lookup (const VmctlInventory *inventory, const VmctlPciAddress *address)
{
  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (vmctl_pci_address_equal (&device->address, address))
      return device;
  }
  return NULL;
}

/**
 * vmctl_inventory_find:
 * Like vmctl_inventory_lookup(), with VMCTL_PCI_ERROR_NOT_FOUND naming
 * where vmctl looked.
 *
 * Returns: (transfer none): the device at @address, NULL with @error
 */
const VmctlPciDevice *
vmctl_inventory_find (const VmctlInventory *inventory, const VmctlPciAddress *address,
                      GError **error)
{
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  if (device != NULL)
    return device;
  vmctl_pci_address_format (address, text);
  g_set_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_NOT_FOUND,
               "no PCI device %s %s %s", text,
               inventory->source == VMCTL_INVENTORY_SOURCE_SYSFS ? "under host root" : "on",
               inventory->origin);
  return NULL;
}

static gint
compare_ints (gconstpointer a, gconstpointer b)
{
  gint ia = *(const gint *) a, ib = *(const gint *) b;

  return (ia > ib) - (ia < ib);
}

/**
 * vmctl_inventory_group_ids:
 * Returns: (transfer full): the distinct IOMMU group numbers, ascending
 */
GArray *
vmctl_inventory_group_ids (const VmctlInventory *inventory)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint));
  guint kept = 0;

  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (device->iommu_group != VMCTL_PCI_NO_GROUP)
      g_array_append_val (ids, device->iommu_group);
  }
  /* sorted, repeats are neighbours: no arithmetic on a number that can be
   * G_MAXINT (node-device XML and sysfs both allow it) */
  g_array_sort (ids, compare_ints);
  for (guint i = 0; i < ids->len; i++) {
    if (kept == 0 || g_array_index (ids, gint, i) != g_array_index (ids, gint, kept - 1))
      g_array_index (ids, gint, kept++) = g_array_index (ids, gint, i);
  }
  g_array_set_size (ids, kept);
  return ids;
}

/**
 * vmctl_inventory_group_members:
 * Returns: (transfer container): the devices of @group in address order;
 * the devices stay owned by the inventory
 */
GPtrArray *
vmctl_inventory_group_members (const VmctlInventory *inventory, gint group)
{
  GPtrArray *members = g_ptr_array_new ();

  for (guint i = 0; i < inventory->devices->len; i++) {
    VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (group != VMCTL_PCI_NO_GROUP && device->iommu_group == group)
      g_ptr_array_add (members, device);
  }
  return members;
}
