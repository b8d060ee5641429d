/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-inventory-nodedev.c: node-device XML as libvirt prints it, and the
 * same hosts served by libvirt's test driver. */
#include "vmctl-inventory-nodedev.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-test-util.h"

#include <string.h>

static const gchar gpu_xml[] =
  "<device>\n"
  "  <name>pci_0000_01_00_0</name>\n"
  "  <path>/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0</path>\n"
  "  <parent>pci_0000_00_01_0</parent>\n"
  "  <driver><name>nvidia</name></driver>\n"
  "  <capability type='pci'>\n"
  "    <class>0x030000</class>\n"
  "    <domain>0</domain><bus>1</bus><slot>0</slot><function>0</function>\n"
  "    <product id='0x2484'>GA104 [GeForce RTX 3070]</product>\n"
  "    <vendor id='0x10de'>NVIDIA Corporation</vendor>\n"
  "    <iommuGroup number='14'>\n"
  "      <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
  "      <address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>\n"
  "    </iommuGroup>\n"
  "    <numa node='1'/>\n"
  "  </capability>\n"
  "</device>\n";

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPciDevice) device = vmctl_pci_device_from_nodedev_xml (gpu_xml, &error);
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  g_assert_no_error (error);
  vmctl_pci_address_format (&device->address, text);
  g_assert_cmpstr (text, ==, "0000:01:00.0");
  g_assert_cmphex (device->vendor_id, ==, 0x10de);
  g_assert_cmphex (device->device_id, ==, 0x2484);
  g_assert_cmphex (device->class_code, ==, 0x030000);
  g_assert_cmpint (device->header_type, ==, VMCTL_PCI_HEADER_NORMAL);
  g_assert_cmpstr (device->driver, ==, "nvidia");
  g_assert_cmpint (device->iommu_group, ==, 14);
  g_assert_cmpint (device->numa_node, ==, 1);
  g_assert_true (device->has_parent);
  vmctl_pci_address_format (&device->parent, text);
  g_assert_cmpstr (text, ==, "0000:00:01.0");
  g_assert_cmpstr (device->vendor_name, ==, "NVIDIA Corporation");
  g_assert_cmpstr (device->device_name, ==, "GA104 [GeForce RTX 3070]");
  /* not in the XML: unknown, never guessed */
  g_assert_cmpint (device->boot_vga, ==, VMCTL_TRISTATE_UNKNOWN);
  g_assert_cmpint (device->can_reset, ==, VMCTL_TRISTATE_UNKNOWN);
  g_assert_null (device->reset_method);
}

static void
test_bridges (void)
{
  static const gchar bridge[] =
    "<device><name>pci_0000_00_1c_0</name><parent>computer</parent>"
    "<driver><name>pcieport</name></driver>"
    "<capability type='pci'><class>0x060400</class>"
    "<domain>0</domain><bus>0</bus><slot>28</slot><function>0</function>"
    "<product id='0xa290'/><vendor id='0x8086'/>"
    "<capability type='pci-bridge'/></capability></device>";
  static const gchar cardbus[] =
    "<device><name>pci_0000_00_1c_1</name><parent>computer</parent>"
    "<capability type='pci'><class>0x060700</class>"
    "<domain>0</domain><bus>0</bus><slot>28</slot><function>1</function>"
    "<product id='0x1234'/><vendor id='0x8086'/>"
    "<capability type='cardbus-bridge'/></capability></device>";
  g_autoptr(VmctlPciDevice) port = vmctl_pci_device_from_nodedev_xml (bridge, NULL);
  g_autoptr(VmctlPciDevice) card = vmctl_pci_device_from_nodedev_xml (cardbus, NULL);

  g_assert_nonnull (port);
  g_assert_cmpint (port->header_type, ==, VMCTL_PCI_HEADER_BRIDGE);
  g_assert_cmpuint (port->address.slot, ==, 0x1c);   /* decimal 28 in the XML */
  g_assert_false (port->has_parent);
  g_assert_cmpint (port->iommu_group, ==, VMCTL_PCI_NO_GROUP);
  g_assert_nonnull (card);
  g_assert_cmpint (card->header_type, ==, VMCTL_PCI_HEADER_CARDBUS);
  g_assert_null (card->driver);
}

static void
test_bad_xml (void)
{
  static const struct {
    const gchar *xml;
    gint code;
  } cases[] = {
    { "<device><name>pci_0000_01_00_0</name>", VMCTL_NODEDEV_ERROR_XML },
    { "not xml at all", VMCTL_NODEDEV_ERROR_XML },
    { "<device><name>net_eth0</name><capability type='net'/></device>", VMCTL_NODEDEV_ERROR_NOT_PCI },
    { "<device><name>pci_x</name><capability type='pci'><bus>1</bus></capability></device>",
      VMCTL_NODEDEV_ERROR_NOT_PCI },
    { "<device><capability type='pci'><domain>0</domain><bus>1</bus><slot>99</slot>"
      "<function>0</function></capability></device>", VMCTL_NODEDEV_ERROR_NOT_PCI },
    { "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><device><name>&x;</name></device>",
      VMCTL_NODEDEV_ERROR_NOT_PCI },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlPciDevice) device = vmctl_pci_device_from_nodedev_xml (cases[i].xml, &error);

    g_test_message ("case %" G_GSIZE_FORMAT, i);
    g_assert_null (device);
    g_assert_error (error, VMCTL_NODEDEV_ERROR, cases[i].code);
  }
}

/* A list with non-PCI devices keeps the PCI ones; a broken document fails. */
static void
test_list (void)
{
  g_autoptr(GError) error = NULL;
  const gchar *good[] = { "<device><name>computer</name><capability type='system'/></device>",
                          gpu_xml, NULL };
  const gchar *bad[] = { gpu_xml, "<device>", NULL };
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_from_nodedev_xmls ("x", good, &error);
  g_autoptr(VmctlInventory) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (inventory->devices->len, ==, 1);
  g_assert_true (inventory->iommu_enabled);
  none = vmctl_inventory_from_nodedev_xmls ("x", bad, &error);
  g_assert_null (none);
  g_assert_error (error, VMCTL_NODEDEV_ERROR, VMCTL_NODEDEV_ERROR_XML);
}

/* Every fixture host, through libvirt's test driver: the same functions,
 * groups, classes and bridges as the sysfs tree of the same scenario. */
static void
test_matches_sysfs (gconstpointer data)
{
  const gchar *scenario = data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *uri = vmctl_test_libvirt_uri (scenario);
  g_autofree gchar *relative = g_build_filename ("tests/data/sysfs", scenario, NULL);
  g_autofree gchar *root = vmctl_test_source_path (relative);
  g_autoptr(VmctlHost) host = vmctl_host_new (root, &error);
  g_autoptr(VmctlInventory) from_sysfs = vmctl_inventory_from_sysfs (host, &error);
  g_autoptr(VmctlInventory) from_libvirt = NULL;
  virConnectPtr connection = virConnectOpenReadOnly (uri);

  g_assert_no_error (error);
  g_assert_nonnull (connection);
  from_libvirt = vmctl_inventory_from_nodedev (connection, &error);
  virConnectClose (connection);
  g_assert_no_error (error);
  g_assert_cmpint (from_libvirt->source, ==, VMCTL_INVENTORY_SOURCE_NODEDEV);
  g_assert_cmpuint (from_libvirt->devices->len, ==, from_sysfs->devices->len);
  g_assert_cmpint (from_libvirt->iommu_enabled, ==, from_sysfs->iommu_enabled);
  for (guint i = 0; i < from_sysfs->devices->len; i++) {
    const VmctlPciDevice *a = g_ptr_array_index (from_sysfs->devices, i);
    const VmctlPciDevice *b = g_ptr_array_index (from_libvirt->devices, i);

    g_assert_true (vmctl_pci_address_equal (&a->address, &b->address));
    g_assert_cmphex (a->vendor_id, ==, b->vendor_id);
    g_assert_cmphex (a->device_id, ==, b->device_id);
    g_assert_cmphex (a->class_code, ==, b->class_code);
    g_assert_cmpint (a->iommu_group, ==, b->iommu_group);
    g_assert_cmpint (vmctl_pci_device_is_bridge (a), ==, vmctl_pci_device_is_bridge (b));
    g_assert_cmpint (a->has_parent, ==, b->has_parent);
    if (a->has_parent)
      g_assert_true (vmctl_pci_address_equal (&a->parent, &b->parent));
  }
}

/* Found by tests/fuzz/fuzz-nodedev: the group numbers of a remote host's
 * XML go up to G_MAXINT, and listing the groups computed group + 1, a
 * signed overflow (UBSan aborts the sanitizer build). */
static void
test_group_max (void)
{
  g_auto(GStrv) parts = g_strsplit (gpu_xml, "number='14'", 2);
  g_autofree gchar *xml = g_strjoinv ("number='2147483647'", parts);
  const gchar *xmls[] = { xml, NULL };
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(GArray) groups = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;

  inventory = vmctl_inventory_from_nodedev_xmls ("test", xmls, &error);
  g_assert_no_error (error);
  groups = vmctl_inventory_group_ids (inventory);
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpint (g_array_index (groups, gint, 0), ==, G_MAXINT);
  members = vmctl_inventory_group_members (inventory, G_MAXINT);
  g_assert_cmpuint (members->len, ==, 1);
}

static void
test_bad_uri (void)
{
  virConnectPtr connection = virConnectOpenReadOnly ("test:///nonexistent/host.xml");

  /* the test driver refuses a missing file at open time */
  g_assert_null (connection);
}

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

static const gchar *scenarios[] = {
  "clean-gpu-audio", "turing-4fn", "shared-chipset", "twin-gpus", "intel-igpu-boot",
  "amd-host", "idle-peer", "pcie-switch", "iommu-off",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, ignore_virt_error);
  g_test_add_func ("/vmctl/inventory/nodedev/parse", test_parse);
  g_test_add_func ("/vmctl/inventory/nodedev/bridges", test_bridges);
  g_test_add_func ("/vmctl/inventory/nodedev/bad-xml", test_bad_xml);
  g_test_add_func ("/vmctl/inventory/nodedev/list", test_list);
  g_test_add_func ("/vmctl/inventory/nodedev/bad-uri", test_bad_uri);
  g_test_add_func ("/vmctl/inventory/nodedev/group-max", test_group_max);
  for (gsize i = 0; i < G_N_ELEMENTS (scenarios); i++) {
    g_autofree gchar *path = g_strconcat ("/vmctl/inventory/nodedev/matches-sysfs/", scenarios[i], NULL);

    g_test_add_data_func (path, scenarios[i], test_matches_sysfs);
  }
  return g_test_run ();
}
