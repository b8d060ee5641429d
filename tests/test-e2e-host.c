/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-e2e-host.c: vmctl against this machine and a real libvirtd.
 *
 * Set VMCTL_E2E_URI (tests/run-all.sh sets qemu:///system after starting the
 * daemon). Without it the tests skip, unless VMCTL_E2E_REQUIRED=1, in which
 * case a missing daemon is a failure: CI must not pass on skipped tests. */
#include "vmctl-inventory-nodedev.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-test-cli.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The "checks" entry with this id in host check's JSON. */
static JsonObject *
find_check (JsonNode *root, const gchar *id)
{
  JsonArray *checks = json_object_get_array_member (json_node_get_object (root), "checks");

  for (guint i = 0; i < json_array_get_length (checks); i++) {
    JsonObject *check = json_array_get_object_element (checks, i);

    if (g_strcmp0 (json_object_get_string_member (check, "id"), id) == 0)
      return check;
  }
  g_error ("host check reported no %s", id);
  return NULL;
}

/* The two inventory sources agree on real hardware: sysfs read directly,
 * and the node devices the daemon builds from udev. */
static void
test_sources_agree (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = NULL;
  g_autoptr(VmctlInventory) sysfs = NULL;
  g_autoptr(VmctlInventory) nodedev = NULL;
  virConnectPtr connection;

  if (uri == NULL)
    return;
  host = vmctl_host_new ("/", &error);
  g_assert_no_error (error);
  sysfs = vmctl_inventory_from_sysfs (host, &error);
  g_assert_no_error (error);
  connection = virConnectOpenReadOnly (uri);
  g_assert_nonnull (connection);
  nodedev = vmctl_inventory_from_nodedev (connection, &error);
  virConnectClose (connection);
  g_assert_no_error (error);

  g_test_message ("%u PCI functions on this host", sysfs->devices->len);
  g_assert_cmpuint (sysfs->devices->len, >, 0);
  g_assert_cmpuint (nodedev->devices->len, ==, sysfs->devices->len);
  for (guint i = 0; i < sysfs->devices->len; i++) {
    const VmctlPciDevice *a = g_ptr_array_index (sysfs->devices, i);
    const VmctlPciDevice *b = g_ptr_array_index (nodedev->devices, i);

    g_assert_true (vmctl_pci_address_equal (&a->address, &b->address));
    g_assert_cmphex (a->vendor_id, ==, b->vendor_id);
    g_assert_cmphex (a->device_id, ==, b->device_id);
    g_assert_cmphex (a->class_code, ==, b->class_code);
    g_assert_cmpint (a->iommu_group, ==, b->iommu_group);
    g_assert_cmpstr (a->driver, ==, b->driver);
    g_assert_cmpint (vmctl_pci_device_is_bridge (a), ==, vmctl_pci_device_is_bridge (b));
    g_assert_cmpuint (a->problems->len, ==, 0);
  }
}

static void
test_host_check_reaches_libvirt (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *check;

  if (uri == NULL)
    return;
  run = vmctl_test_run_vmctlv ("-c", uri, "host", "check", "--json", NULL);
  g_assert_cmpint (run->exit_status, <=, 1);   /* a host without an IOMMU: 1 is right */
  root = vmctl_test_parse_json (run->out);
  check = find_check (root, "libvirt.connection");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "pass");
  g_assert_nonnull (strstr (json_object_get_string_member (check, "message"), "libvirt"));
  /* ready exactly when no check failed */
  g_assert_cmpint (json_object_get_boolean_member (json_node_get_object (root), "ready"), ==,
                   run->exit_status == 0);
}

/* A daemon that is not there: one FAIL line that says how to start it. */
static void
test_host_check_daemon_down (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *check;

  if (uri == NULL)
    return;
  run = vmctl_test_run_vmctlv ("-c", "qemu:///system?socket=/nonexistent/libvirt-sock",
                               "host", "check", "--json", NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  root = vmctl_test_parse_json (run->out);
  check = find_check (root, "libvirt.connection");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "fail");
  g_assert_nonnull (strstr (json_object_get_string_member (check, "fix"), "libvirtd"));
}

/* iommu list and gpu list on the real /sys agree with what the kernel shows. */
static void
test_real_listings (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(VmctlTestRun) iommu = NULL;
  g_autoptr(VmctlTestRun) gpus = NULL;
  g_autoptr(JsonNode) iommu_root = NULL;
  g_autoptr(JsonNode) gpu_root = NULL;
  g_autoptr(GDir) groups = NULL;
  guint kernel_groups = 0;

  if (uri == NULL)
    return;
  groups = g_dir_open ("/sys/kernel/iommu_groups", 0, NULL);
  while (groups != NULL && g_dir_read_name (groups) != NULL)
    kernel_groups++;
  iommu = vmctl_test_run_vmctlv ("--host-root", "/", "iommu", "list", "--json", NULL);
  iommu_root = vmctl_test_parse_json (iommu->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (iommu_root), "groups")), ==, kernel_groups);
  g_assert_cmpint (iommu->exit_status, ==, kernel_groups > 0 ? 0 : 1);

  gpus = vmctl_test_run_vmctlv ("--host-root", "/", "gpu", "list", "--json", NULL);
  g_assert_cmpint (gpus->exit_status, ==, 0);
  gpu_root = vmctl_test_parse_json (gpus->out);
  g_assert_true (json_object_has_member (json_node_get_object (gpu_root), "gpus"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/e2e/host/sources-agree", test_sources_agree);
  g_test_add_func ("/vmctl/e2e/host/check-reaches-libvirt", test_host_check_reaches_libvirt);
  g_test_add_func ("/vmctl/e2e/host/check-daemon-down", test_host_check_daemon_down);
  g_test_add_func ("/vmctl/e2e/host/real-listings", test_real_listings);
  return g_test_run ();
}
