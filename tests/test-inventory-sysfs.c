/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-inventory-sysfs.c: reading the kernel's sysfs ABI, including trees
 * that are broken in the ways real machines and bad tools break them. */
#include "vmctl-inventory-sysfs.h"
#include "vmctl-test-util.h"

#include <string.h>
#include <unistd.h>

typedef struct {
  gchar *root;
  VmctlHost *host;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer scenario)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static VmctlInventory *
load (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  VmctlInventory *inventory = vmctl_inventory_from_sysfs (fixture->host, &error);

  g_assert_no_error (error);
  g_assert_nonnull (inventory);
  return inventory;
}

static const VmctlPciDevice *
get (VmctlInventory *inventory, const gchar *text)
{
  VmctlPciAddress address;
  const VmctlPciDevice *device;

  g_assert_true (vmctl_pci_address_parse (text, &address, NULL));
  device = vmctl_inventory_lookup (inventory, &address);
  g_assert_nonnull (device);
  return device;
}

static void
test_fields (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) inventory = load (fixture);
  const VmctlPciDevice *gpu = get (inventory, "01:00.0");
  const VmctlPciDevice *audio = get (inventory, "01:00.1");
  const VmctlPciDevice *port = get (inventory, "00:01.0");
  const VmctlPciDevice *igpu = get (inventory, "00:02.0");
  const VmctlPciDevice *host_bridge = get (inventory, "00:00.0");
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  g_assert_true (inventory->iommu_enabled);
  g_assert_cmpint (inventory->source, ==, VMCTL_INVENTORY_SOURCE_SYSFS);
  g_assert_cmphex (gpu->vendor_id, ==, 0x10de);
  g_assert_cmphex (gpu->device_id, ==, 0x2484);
  g_assert_cmphex (gpu->subsystem_vendor_id, ==, 0x1458);
  g_assert_cmphex (gpu->subsystem_device_id, ==, 0x403d);
  g_assert_cmphex (gpu->class_code, ==, 0x030000);
  g_assert_cmpint (gpu->header_type, ==, VMCTL_PCI_HEADER_NORMAL);
  g_assert_true (gpu->multifunction);
  g_assert_cmpstr (gpu->driver, ==, "nvidia");
  g_assert_null (gpu->driver_override);
  g_assert_cmpint (gpu->boot_vga, ==, VMCTL_TRISTATE_NO);
  g_assert_cmpint (gpu->iommu_group, ==, 1);
  g_assert_cmpint (gpu->can_reset, ==, VMCTL_TRISTATE_YES);
  g_assert_cmpstr (gpu->reset_method, ==, "bus");
  g_assert_true (gpu->has_parent);
  vmctl_pci_address_format (&gpu->parent, text);
  g_assert_cmpstr (text, ==, "0000:00:01.0");
  g_assert_cmpuint (gpu->problems->len, ==, 0);
  /* names come from pci.ids through libpci */
  g_assert_cmpstr (gpu->vendor_name, ==, "NVIDIA Corporation");
  g_assert_nonnull (gpu->device_name);
  g_assert_nonnull (strstr (gpu->device_name, "RTX 3070"));

  g_assert_cmphex (audio->class_code, ==, 0x040300);
  g_assert_true (audio->multifunction);   /* set on every function of the slot */
  g_assert_cmpint (audio->boot_vga, ==, VMCTL_TRISTATE_NO);  /* not VGA: no file */
  g_assert_cmpint (port->header_type, ==, VMCTL_PCI_HEADER_BRIDGE);
  g_assert_true (vmctl_pci_device_is_bridge (port));
  g_assert_cmpstr (port->driver, ==, "pcieport");
  g_assert_false (port->has_parent);
  g_assert_cmpint (igpu->boot_vga, ==, VMCTL_TRISTATE_YES);
  g_assert_cmpstr (igpu->driver, ==, "i915");
  g_assert_null (host_bridge->driver);
  g_assert_false (vmctl_pci_device_is_bridge (host_bridge));
  g_assert_cmpint (host_bridge->header_type, ==, VMCTL_PCI_HEADER_NORMAL);

  /* sorted by address */
  for (guint i = 1; i < inventory->devices->len; i++) {
    const VmctlPciDevice *a = g_ptr_array_index (inventory->devices, i - 1);
    const VmctlPciDevice *b = g_ptr_array_index (inventory->devices, i);

    g_assert_cmpint (vmctl_pci_address_compare (&a->address, &b->address), <, 0);
  }
}

/* The kernel writes driver_override; the next read must show it. */
static void
test_override_and_reset_fallback (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) inventory = NULL;
  const VmctlPciDevice *gpu, *audio;

  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci\n");
  /* a pre-5.15 kernel: no reset_method, 'reset' decides */
  vmctl_test_unlink (fixture->root, "sys/bus/pci/devices/0000:01:00.0/reset_method");
  vmctl_test_unlink (fixture->root, "sys/bus/pci/devices/0000:01:00.1/reset_method");
  vmctl_test_unlink (fixture->root, "sys/bus/pci/devices/0000:01:00.1/reset");
  inventory = load (fixture);
  gpu = get (inventory, "01:00.0");
  audio = get (inventory, "01:00.1");
  g_assert_cmpstr (gpu->driver_override, ==, "vfio-pci");
  g_assert_null (gpu->reset_method);
  g_assert_cmpint (gpu->can_reset, ==, VMCTL_TRISTATE_YES);
  g_assert_cmpint (audio->can_reset, ==, VMCTL_TRISTATE_NO);
}

static gboolean
has_problem (const VmctlPciDevice *device, const gchar *needle)
{
  for (guint i = 0; i < device->problems->len; i++)
    if (strstr (g_ptr_array_index (device->problems, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

/* broken-sysfs: 01:00.1 lacks config and has an empty class; 00:14.0's
 * driver link dangles; 00:17.0 has no iommu_group link. */
static void
test_broken (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) inventory = load (fixture);
  const VmctlPciDevice *audio = get (inventory, "01:00.1");
  const VmctlPciDevice *usb = get (inventory, "00:14.0");
  const VmctlPciDevice *sata = get (inventory, "00:17.0");

  g_assert_true (has_problem (audio, "0000:01:00.1/config (missing)"));
  g_assert_true (has_problem (audio, "0000:01:00.1/class (empty)"));
  g_assert_cmpint (audio->header_type, ==, VMCTL_PCI_HEADER_UNKNOWN);
  g_assert_cmphex (audio->vendor_id, ==, 0x10de);   /* the text file still works */
  g_assert_true (has_problem (usb, "points to a missing driver"));
  g_assert_nonnull (usb->driver);                   /* busy is the safe reading */
  g_assert_cmpint (sata->iommu_group, ==, VMCTL_PCI_NO_GROUP);
}

/* config alone must be enough when the text attributes are gone */
static void
test_config_fallback (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) inventory = NULL;
  const VmctlPciDevice *gpu, *port;

  vmctl_test_unlink (fixture->root, "sys/bus/pci/devices/0000:01:00.0/vendor");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:01:00.0/device", "");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:01:00.0/class", "garbage\n");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:00:01.0/config", "short");
  inventory = load (fixture);
  gpu = get (inventory, "01:00.0");
  port = get (inventory, "00:01.0");
  g_assert_cmphex (gpu->vendor_id, ==, 0x10de);
  g_assert_cmphex (gpu->device_id, ==, 0x2484);
  g_assert_cmphex (gpu->class_code, ==, 0x030000);
  g_assert_true (has_problem (gpu, "vendor (missing)"));
  g_assert_true (has_problem (port, "config (truncated"));
  /* header type unknown: the class 0x0604 still says bridge */
  g_assert_cmpint (port->header_type, ==, VMCTL_PCI_HEADER_UNKNOWN);
  g_assert_true (vmctl_pci_device_is_bridge (port));
}

static void
test_iommu_off (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) inventory = load (fixture);

  g_assert_false (inventory->iommu_enabled);
  g_assert_cmpint (get (inventory, "01:00.0")->iommu_group, ==, VMCTL_PCI_NO_GROUP);
}

static void
test_switch_parents (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) inventory = load (fixture);
  const VmctlPciDevice *gpu = get (inventory, "04:00.0");
  const VmctlPciDevice *downstream = get (inventory, "03:08.0");
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&gpu->parent, text);
  g_assert_cmpstr (text, ==, "0000:03:08.0");
  vmctl_pci_address_format (&downstream->parent, text);
  g_assert_cmpstr (text, ==, "0000:02:00.0");
}

static void
test_not_a_host (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *empty = g_dir_make_tmp ("vmctl-empty-XXXXXX", &error);
  g_autoptr(VmctlHost) host = NULL;
  g_autoptr(VmctlInventory) inventory = NULL;

  g_assert_no_error (error);
  host = vmctl_host_new (empty, &error);
  g_assert_no_error (error);
  inventory = vmctl_inventory_from_sysfs (host, &error);
  g_assert_null (inventory);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/sys/bus/pci/devices"));
  vmctl_test_remove_tree (empty);
}

/* entries that are not PCI addresses are skipped, never parsed into paths */
static void
test_stray_entries (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlInventory) before = load (fixture);
  g_autoptr(VmctlInventory) after = NULL;

  vmctl_test_write (fixture->root, "sys/bus/pci/devices/README", "x");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:01:00.0.bak/vendor", "0x1234\n");
  after = load (fixture);
  g_assert_cmpuint (after->devices->len, ==, before->devices->len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vmctl/inventory/sysfs/fields", Fixture, "clean-gpu-audio", setup, test_fields, teardown);
  g_test_add ("/vmctl/inventory/sysfs/override-reset", Fixture, "clean-gpu-audio", setup,
              test_override_and_reset_fallback, teardown);
  g_test_add ("/vmctl/inventory/sysfs/broken", Fixture, "broken-sysfs", setup, test_broken, teardown);
  g_test_add ("/vmctl/inventory/sysfs/config-fallback", Fixture, "clean-gpu-audio", setup,
              test_config_fallback, teardown);
  g_test_add ("/vmctl/inventory/sysfs/iommu-off", Fixture, "iommu-off", setup, test_iommu_off, teardown);
  g_test_add ("/vmctl/inventory/sysfs/switch-parents", Fixture, "pcie-switch", setup,
              test_switch_parents, teardown);
  g_test_add ("/vmctl/inventory/sysfs/stray-entries", Fixture, "clean-gpu-audio", setup,
              test_stray_entries, teardown);
  g_test_add_func ("/vmctl/inventory/sysfs/not-a-host", test_not_a_host);
  return g_test_run ();
}
