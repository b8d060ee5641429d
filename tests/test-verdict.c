/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-verdict.c: the isolation rule on hand-built inventories, then the
 * same expectations on every fixture host through every inventory source. */
#include "vmctl-verdict.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-inventory-nodedev.h"
#include "vmctl-test-verdict.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

/* ---- hand-built inventories ------------------------------------------ */

static void
test_rule_classes (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;

  vmctl_test_add_device (inventory, "00:01.0", VMCTL_PCI_HEADER_BRIDGE, 0x060400, "pcieport", 1);
  vmctl_test_add_device (inventory, "01:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "nvidia", 1);
  vmctl_test_add_device (inventory, "01:00.1", VMCTL_PCI_HEADER_NORMAL, 0x040300, "snd_hda_intel",
                         1);
  vmctl_test_add_device (inventory, "02:00.0", VMCTL_PCI_HEADER_NORMAL, 0x010601, NULL, 1);
  vmctl_test_add_device (inventory, "03:00.0", VMCTL_PCI_HEADER_NORMAL, 0x0c0330, "vfio-pci", 1);
  vmctl_test_add_device (inventory, "04:00.0", VMCTL_PCI_HEADER_NORMAL, 0x0c0330, "pci-stub", 1);
  /* a host bridge */
  vmctl_test_add_device (inventory, "00:00.0", VMCTL_PCI_HEADER_NORMAL, 0x060000, NULL, 1);
  vmctl_test_add_device (inventory, "00:1c.0", VMCTL_PCI_HEADER_CARDBUS, 0x060700, NULL, 1);
  vmctl_test_add_device (inventory, "05:00.0", VMCTL_PCI_HEADER_NORMAL, 0x020000, "igb", 2);
  verdict = vmctl_test_verdict (inventory, "01:00.0", NULL);

  g_assert_true (verdict->passable);
  g_assert_cmpint (verdict->iommu_group, ==, 1);
  vmctl_test_assert_list (verdict->companions, "0000:01:00.1");
  vmctl_test_assert_list (verdict->bridges, "0000:00:01.0 0000:00:1c.0");
  vmctl_test_assert_list (verdict->blockers, "");
  /* a host bridge is an endpoint: idle here, so a peer */
  vmctl_test_assert_list (verdict->peers, "0000:00:00.0 0000:02:00.0 0000:03:00.0 0000:04:00.0");
  vmctl_test_assert_list (verdict->siblings, "");
  g_assert_cmpstr (verdict->driver, ==, "nvidia");
  g_assert_true (vmctl_test_has_reason (verdict, "0000:02:00.0 shares IOMMU group 1"));
}

static void
test_rule_blockers (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;
  g_autoptr(VmctlVerdict) host_bridge = NULL;

  vmctl_test_add_device (inventory, "00:1c.0", VMCTL_PCI_HEADER_BRIDGE, 0x060400, "pcieport", 8);
  vmctl_test_add_device (inventory, "00:14.0", VMCTL_PCI_HEADER_NORMAL, 0x0c0330, "xhci_hcd", 8);
  vmctl_test_add_device (inventory, "00:00.0", VMCTL_PCI_HEADER_NORMAL, 0x060000, "skx_uncore", 8);
  vmctl_test_add_device (inventory, "05:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "nvidia", 8);
  vmctl_test_add_device (inventory, "05:00.1", VMCTL_PCI_HEADER_NORMAL, 0x040300, "snd_hda_intel",
                         8);
  verdict = vmctl_test_verdict (inventory, "05:00.0", NULL);

  g_assert_false (verdict->passable);
  vmctl_test_assert_list (verdict->blockers, "0000:00:00.0 0000:00:14.0");
  vmctl_test_assert_list (verdict->companions, "0000:05:00.1");
  g_assert_true (vmctl_test_has_reason (verdict, "--hostdev 0000:00:14.0"));
  /* companions never block, whatever driver they are on */
  host_bridge = vmctl_test_verdict (inventory, "05:00.1", NULL);
  vmctl_test_assert_list (host_bridge->companions, "0000:05:00.0");
  g_assert_false (host_bridge->passable);
}

static void
test_rule_bridge_requested (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;
  g_autoptr(VmctlVerdict) by_class = NULL;
  VmctlPciDevice *unknown;

  vmctl_test_add_device (inventory, "00:01.0", VMCTL_PCI_HEADER_BRIDGE, 0x060400, "pcieport", 1);
  unknown = vmctl_test_add_device (inventory, "00:01.1", VMCTL_PCI_HEADER_UNKNOWN, 0x060400,
                                   "pcieport", 2);
  verdict = vmctl_test_verdict (inventory, "00:01.0", NULL);
  g_assert_false (verdict->passable);
  g_assert_true (vmctl_test_has_reason (verdict, "PCI bridge"));
  /* config unreadable: the class decides */
  g_assert_true (vmctl_pci_device_is_bridge (unknown));
  by_class = vmctl_test_verdict (inventory, "00:01.1", NULL);
  g_assert_false (by_class->passable);
}

static void
test_rule_no_group (void)
{
  g_autoptr(VmctlInventory) off = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlInventory) partial = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;
  g_autoptr(VmctlVerdict) lonely = NULL;

  vmctl_test_add_device (off, "01:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "nvidia",
                         VMCTL_PCI_NO_GROUP);
  vmctl_test_add_device (off, "01:00.1", VMCTL_PCI_HEADER_NORMAL, 0x040300, "snd_hda_intel",
                         VMCTL_PCI_NO_GROUP);
  verdict = vmctl_test_verdict (off, "01:00.0", NULL);
  g_assert_false (off->iommu_enabled);
  g_assert_false (verdict->passable);
  g_assert_cmpint (verdict->iommu_group, ==, VMCTL_PCI_NO_GROUP);
  g_assert_true (vmctl_test_has_reason (verdict, "IOMMU is off"));
  vmctl_test_assert_list (verdict->siblings, "");

  vmctl_test_add_device (partial, "01:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "nvidia",
                         VMCTL_PCI_NO_GROUP);
  vmctl_test_add_device (partial, "02:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "nvidia", 3);
  lonely = vmctl_test_verdict (partial, "01:00.0", NULL);
  g_assert_false (lonely->passable);
  g_assert_true (vmctl_test_has_reason (lonely, "in no IOMMU group"));
}

static void
test_rule_siblings (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;

  vmctl_test_add_device (inventory, "0c:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "amdgpu", 5);
  vmctl_test_add_device (inventory, "0c:00.1", VMCTL_PCI_HEADER_NORMAL, 0x040300, "snd_hda_intel",
                         6);
  vmctl_test_add_device (inventory, "0c:01.0", VMCTL_PCI_HEADER_NORMAL, 0x040300, "snd_hda_intel",
                         7);
  vmctl_test_add_device (inventory, "0c:00.2", VMCTL_PCI_HEADER_NORMAL, 0x0c0330, "xhci_hcd",
                         VMCTL_PCI_NO_GROUP);
  verdict = vmctl_test_verdict (inventory, "0c:00.0", NULL);
  g_assert_true (verdict->passable);
  vmctl_test_assert_list (verdict->siblings, "0000:0c:00.1 0000:0c:00.2");
  g_assert_true (vmctl_test_has_reason (verdict,
                                        "0000:0c:00.2 is on the same card but in no IOMMU group"));
  g_assert_false (vmctl_test_has_reason (verdict, "group -1"));
  vmctl_test_assert_list (verdict->companions, "");
  g_assert_true (vmctl_test_has_reason (verdict, "same card in IOMMU group 6"));
}

static void
test_rule_reasons (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlQuirks) quirks = vmctl_quirks_load_from_data ("[1002:67df]\nname=Polaris\nproblem=reset bug\n", NULL);
  g_autoptr(VmctlVerdict) boot = NULL;
  g_autoptr(VmctlVerdict) bound_vfio = NULL;
  g_autoptr(VmctlVerdict) polaris = NULL;
  g_autoptr(VmctlVerdict) no_reset = NULL;
  VmctlPciDevice *device;

  device = vmctl_test_add_device (inventory, "00:02.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "i915",
                                  2);
  device->boot_vga = VMCTL_TRISTATE_YES;
  device = vmctl_test_add_device (inventory, "03:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000,
                                  "vfio-pci", 3);
  device->boot_vga = VMCTL_TRISTATE_YES;
  device = vmctl_test_add_device (inventory, "04:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000,
                                  "amdgpu", 4);
  device->vendor_id = 0x1002;
  device->device_id = 0x67df;
  device = vmctl_test_add_device (inventory, "05:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000,
                                  "nouveau", 5);
  device->can_reset = VMCTL_TRISTATE_NO;

  boot = vmctl_test_verdict (inventory, "00:02.0", quirks);
  g_assert_true (boot->passable);           /* a reason, not a blocker */
  g_assert_true (vmctl_test_has_reason (boot, "boot VGA device bound to i915"));
  g_assert_true (vmctl_test_has_reason (boot, "--force"));
  bound_vfio = vmctl_test_verdict (inventory, "03:00.0", quirks);
  g_assert_false (vmctl_test_has_reason (bound_vfio, "boot VGA"));
  polaris = vmctl_test_verdict (inventory, "04:00.0", quirks);
  g_assert_true (vmctl_test_has_reason (polaris, "Polaris: reset bug"));
  no_reset = vmctl_test_verdict (inventory, "05:00.0", quirks);
  g_assert_true (vmctl_test_has_reason (no_reset, "no reset method"));
}

static void
test_rule_not_found (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/fixture");
  g_autoptr(GError) error = NULL;
  VmctlPciAddress address = { 0, 9, 0, 0 };
  g_autoptr(VmctlVerdict) verdict = NULL;

  vmctl_test_add_device (inventory, "01:00.0", VMCTL_PCI_HEADER_NORMAL, 0x030000, "nvidia", 1);
  verdict = vmctl_verdict_compute (inventory, &address, NULL, &error);
  g_assert_null (verdict);
  g_assert_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "0000:09:00.0"));
  g_assert_nonnull (strstr (error->message, "/fixture"));
}

/* ---- every fixture host, every source --------------------------------- */

typedef struct {
  const gchar *scenario;
  const gchar *address;
  gboolean passable;
  gint group;
  const gchar *companions, *bridges, *blockers, *peers, *siblings;
  VmctlTristate boot_vga;
  const gchar *driver;
  const gchar *reason; /* a substring one reason must contain, or NULL */
} ScenarioCase;

static const ScenarioCase scenario_cases[] = {
  { "clean-gpu-audio", "01:00.0", TRUE, 1, "0000:01:00.1", "0000:00:01.0", "", "", "",
    VMCTL_TRISTATE_NO, "nvidia", NULL },
  { "clean-gpu-audio", "00:02.0", TRUE, 2, "", "", "", "", "",
    VMCTL_TRISTATE_YES, "i915", "boot VGA" },
  { "turing-4fn", "01:00.0", TRUE, 1, "0000:01:00.1 0000:01:00.2 0000:01:00.3", "0000:00:01.0",
    "", "", "", VMCTL_TRISTATE_YES, "nvidia", "boot VGA" },
  { "turing-4fn", "01:00.3", TRUE, 1, "0000:01:00.0 0000:01:00.1 0000:01:00.2", "0000:00:01.0",
    "", "", "", VMCTL_TRISTATE_NO, "nvidia-gpu", NULL },
  { "shared-chipset", "05:00.0", FALSE, 8, "0000:05:00.1", "0000:00:1c.0 0000:00:1c.4",
    "0000:00:14.0 0000:00:17.0 0000:03:00.0", "", "", VMCTL_TRISTATE_YES, "nvidia", "--hostdev" },
  { "twin-gpus", "01:00.0", TRUE, 1, "0000:01:00.1", "0000:00:01.0", "", "", "",
    VMCTL_TRISTATE_YES, "nvidia", "boot VGA" },
  { "twin-gpus", "02:00.0", TRUE, 2, "0000:02:00.1", "0000:00:01.1", "", "", "",
    VMCTL_TRISTATE_NO, "nvidia", NULL },
  { "intel-igpu-boot", "00:02.0", TRUE, 2, "", "", "", "", "",
    VMCTL_TRISTATE_YES, "i915", "boot VGA" },
  { "intel-igpu-boot", "01:00.0", TRUE, 1, "", "0000:00:01.0", "", "", "",
    VMCTL_TRISTATE_NO, "nvidia", NULL },
  { "amd-host", "0c:00.0", TRUE, 5, "", "", "", "", "0000:0c:00.1",
    VMCTL_TRISTATE_NO, "amdgpu", "same card" },
  { "amd-host", "0e:00.0", TRUE, 8, "0000:0e:00.1", "", "", "", "",
    VMCTL_TRISTATE_YES, "amdgpu", "reset bug" },
  { "amd-host", "00:01.1", FALSE, 2, "", "", "", "", "",
    VMCTL_TRISTATE_NO, "pcieport", "PCI bridge" },
  { "idle-peer", "01:00.0", TRUE, 1, "0000:01:00.1", "0000:00:01.0 0000:00:01.1 0000:00:01.2",
    "", "0000:02:00.0 0000:03:00.0", "", VMCTL_TRISTATE_YES, "nvidia", "nothing else can use it" },
  { "pcie-switch", "04:00.0", TRUE, 5, "0000:04:00.1", "", "", "", "",
    VMCTL_TRISTATE_YES, "nvidia", NULL },
  { "iommu-off", "01:00.0", FALSE, VMCTL_PCI_NO_GROUP, "", "", "", "", "",
    VMCTL_TRISTATE_NO, "nvidia", "IOMMU is off" },
};

static VmctlQuirks *
shipped_quirks (void)
{
  g_autofree gchar *path = vmctl_test_source_path ("data/quirks/reset-bug.conf");
  g_autoptr(GError) error = NULL;
  VmctlQuirks *quirks = vmctl_quirks_load (path, &error);

  g_assert_no_error (error);
  return quirks;
}

typedef enum {
  SOURCE_SYSFS,
  SOURCE_NODEDEV_XML,     /* the scenario's node-device XML, drivers included */
  SOURCE_TEST_DRIVER,     /* the same file served by libvirt's test driver */
} Source;

/* GPtrArray hands its comparator pointers to the elements */
static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
check_case (const ScenarioCase *expected, const VmctlInventory *inventory, Source source,
            const VmctlQuirks *quirks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVerdict) verdict = NULL;
  VmctlPciAddress address;
  g_autofree gchar *union_actual = NULL;
  g_autofree gchar *union_expected = NULL;

  g_test_message ("%s %s (source %d)", expected->scenario, expected->address, source);
  g_assert_true (vmctl_pci_address_parse (expected->address, &address, NULL));
  verdict = vmctl_verdict_compute (inventory, &address, quirks, &error);
  g_assert_no_error (error);

  g_assert_cmpint (verdict->iommu_group, ==, expected->group);
  vmctl_test_assert_list (verdict->companions, expected->companions);
  vmctl_test_assert_list (verdict->bridges, expected->bridges);
  vmctl_test_assert_list (verdict->siblings, expected->siblings);

  if (source == SOURCE_TEST_DRIVER) {
    /* libvirt's test driver drops <driver> on load, so it cannot tell a
     * blocker from a peer; everything else must still agree */
    g_autoptr(GArray) both = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
    g_auto(GStrv) expected_parts = NULL;
    g_autofree gchar *joined = g_strjoin (" ", expected->blockers, expected->peers, NULL);
    g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

    g_array_append_vals (both, verdict->blockers->data, verdict->blockers->len);
    g_array_append_vals (both, verdict->peers->data, verdict->peers->len);
    g_array_sort (both, (GCompareFunc) vmctl_pci_address_compare);
    union_actual = vmctl_test_join_addresses (both);
    expected_parts = g_strsplit (joined, " ", -1);
    for (guint i = 0; expected_parts[i] != NULL; i++)
      if (expected_parts[i][0] != '\0')
        g_ptr_array_add (sorted, expected_parts[i]);
    g_ptr_array_sort (sorted, compare_strings);
    g_ptr_array_add (sorted, NULL);
    union_expected = g_strjoinv (" ", (gchar **) sorted->pdata);
    g_assert_cmpstr (union_actual, ==, union_expected);
    g_assert_cmpint (verdict->boot_vga, ==, VMCTL_TRISTATE_UNKNOWN);
    return;
  }

  g_assert_cmpint (verdict->passable, ==, expected->passable);
  vmctl_test_assert_list (verdict->blockers, expected->blockers);
  vmctl_test_assert_list (verdict->peers, expected->peers);
  g_assert_cmpstr (verdict->driver, ==, expected->driver);
  if (source == SOURCE_SYSFS) {
    g_assert_cmpint (verdict->boot_vga, ==, expected->boot_vga);
    if (expected->reason != NULL)
      g_assert_true (vmctl_test_has_reason (verdict, expected->reason));
  } else {
    /* node-device XML has no boot_vga or reset_method: unknown, not guessed */
    g_assert_cmpint (verdict->boot_vga, ==, VMCTL_TRISTATE_UNKNOWN);
    g_assert_cmpint (verdict->can_reset, ==, VMCTL_TRISTATE_UNKNOWN);
    g_assert_false (vmctl_test_has_reason (verdict, "boot VGA"));
  }
}

/* The <device> elements of a test-driver file, each as its own document. */
static GPtrArray *
read_nodedev_xmls (const gchar *scenario)
{
  g_autofree gchar *name = g_strconcat ("tests/data/libvirt/", scenario, ".xml", NULL);
  g_autofree gchar *path = vmctl_test_source_path (name);
  xmlDocPtr document = xmlReadFile (path, NULL, XML_PARSE_NONET);
  GPtrArray *xmls = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (document);
  for (xmlNodePtr node = xmlDocGetRootElement (document)->children; node != NULL; node = node->next) {
    xmlBufferPtr buffer;

    if (node->type != XML_ELEMENT_NODE || g_strcmp0 ((const gchar *) node->name, "device") != 0)
      continue;
    buffer = xmlBufferCreate ();
    xmlNodeDump (buffer, document, node, 0, 0);
    g_ptr_array_add (xmls, g_strdup ((const gchar *) xmlBufferContent (buffer)));
    xmlBufferFree (buffer);
  }
  xmlFreeDoc (document);
  g_ptr_array_add (xmls, NULL);
  return xmls;
}

static VmctlInventory *
load (const gchar *scenario, Source source, gchar **out_tree)
{
  g_autoptr(GError) error = NULL;
  VmctlInventory *inventory = NULL;

  if (source == SOURCE_SYSFS) {
    g_autoptr(VmctlHost) host = NULL;

    *out_tree = vmctl_test_copy_scenario (scenario);
    host = vmctl_host_new (*out_tree, &error);
    g_assert_no_error (error);
    inventory = vmctl_inventory_from_sysfs (host, &error);
  } else if (source == SOURCE_NODEDEV_XML) {
    g_autoptr(GPtrArray) xmls = read_nodedev_xmls (scenario);

    inventory = vmctl_inventory_from_nodedev_xmls (scenario, (const gchar * const *) xmls->pdata, &error);
  } else {
    g_autofree gchar *uri = vmctl_test_libvirt_uri (scenario);
    virConnectPtr connection = virConnectOpenReadOnly (uri);

    g_assert_nonnull (connection);
    inventory = vmctl_inventory_from_nodedev (connection, &error);
    virConnectClose (connection);
  }
  g_assert_no_error (error);
  g_assert_nonnull (inventory);
  return inventory;
}

static void
test_scenarios (gconstpointer data)
{
  Source source = GPOINTER_TO_INT (data);
  g_autoptr(VmctlQuirks) quirks = shipped_quirks ();

  for (gsize i = 0; i < G_N_ELEMENTS (scenario_cases); i++) {
    g_autofree gchar *tree = NULL;
    g_autoptr(VmctlInventory) inventory = load (scenario_cases[i].scenario, source, &tree);

    check_case (&scenario_cases[i], inventory, source, quirks);
    vmctl_test_remove_tree (tree);
  }
}

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, ignore_virt_error);
  g_test_add_func ("/vmctl/verdict/rule/classes", test_rule_classes);
  g_test_add_func ("/vmctl/verdict/rule/blockers", test_rule_blockers);
  g_test_add_func ("/vmctl/verdict/rule/bridge-requested", test_rule_bridge_requested);
  g_test_add_func ("/vmctl/verdict/rule/no-group", test_rule_no_group);
  g_test_add_func ("/vmctl/verdict/rule/siblings", test_rule_siblings);
  g_test_add_func ("/vmctl/verdict/rule/reasons", test_rule_reasons);
  g_test_add_func ("/vmctl/verdict/rule/not-found", test_rule_not_found);
  g_test_add_data_func ("/vmctl/verdict/scenarios/sysfs", GINT_TO_POINTER (SOURCE_SYSFS), test_scenarios);
  g_test_add_data_func ("/vmctl/verdict/scenarios/nodedev-xml", GINT_TO_POINTER (SOURCE_NODEDEV_XML), test_scenarios);
  g_test_add_data_func ("/vmctl/verdict/scenarios/test-driver", GINT_TO_POINTER (SOURCE_TEST_DRIVER), test_scenarios);
  return g_test_run ();
}
