/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-lifecycle.c: defining VMs with the volumes they need, recorded as
 * vmctl's (and nothing left behind when that fails), and autostart, on
 * libvirt's test driver (see vmctl-test-lifecycle.h for the fixture).
 * Undefining, with or without storage: test-lifecycle-undefine.c. */
#include <libvirt/libvirt.h>
#include <string.h>

#include "vmctl-connect.h"
#include "vmctl-test-lifecycle.h"

#define MIB VMCTL_TEST_MIB

/* the capacity of a volume of pool "default", 0 when it does not exist */
#define assert_volume(fixture, volume, capacity) \
  g_assert_cmpuint (vmctl_test_lifecycle_volume_capacity ((fixture), "default", (volume)), ==, \
                    (capacity))

/* ---- define ---- */

static void
test_define_volume (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVmInfo) info = NULL;

  vmctl_test_lifecycle_reset_spec (fixture, "web");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);

  assert_volume (fixture, "web.qcow2", 64 * MIB);
  info = vmctl_vm_info (fixture->connection, "web", &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->state, ==, VMCTL_VM_STATE_SHUTOFF);
  g_assert_true (info->persistent);
  g_assert_true (info->managed_by_vmctl);
  g_assert_cmpstr (info->profile, ==, "minimal");
  g_assert_cmpuint (info->vcpus, ==, 1);
  g_assert_cmpuint (info->memory_kib, ==, 512 * 1024);
  g_assert_cmpuint (info->gpus->len, ==, 0);
}

static void
test_define_two_volumes (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  vmctl_test_lifecycle_reset_spec (fixture, "db");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  vmctl_test_lifecycle_add_volume_disk (fixture, 128 * MIB, "default");
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);
  assert_volume (fixture, "db.qcow2", 64 * MIB);
  assert_volume (fixture, "db-2.qcow2", 128 * MIB);
  /* both recorded as vmctl's, with the paths libvirt gave them */
  vmctl_test_lifecycle_assert_created (fixture, "db", (const gchar *[]) {
    "default", "db.qcow2", "/vmctl-test/images/db.qcow2",
    "default", "db-2.qcow2", "/vmctl-test/images/db-2.qcow2", NULL
  });
}

static void
test_define_exists (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* "stopped" already exists, and so does its volume stopped.qcow2: the
   * name is refused before any volume is touched */
  vmctl_test_lifecycle_reset_spec (fixture, "stopped");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  g_assert_false (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_EXISTS);
  vmctl_test_lifecycle_assert_message_has (error, "'stopped' already exists");
  assert_volume (fixture, "stopped.qcow2", 1024 * MIB);
}

static void
test_define_rejected_deletes_volumes (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_lifecycle_reset_spec (fixture, "web");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  document = vmctl_test_domain_build_ok (&fixture->domain);
  /* a hypervisor type no driver serves: libvirt refuses the define after
   * both volumes were made */
  xmlSetProp (xmlDocGetRootElement (document), (const xmlChar *) "type",
              (const xmlChar *) "no-such-hypervisor");
  g_assert_false (vmctl_vm_define (fixture->connection, fixture->domain.spec, document, &error));
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_INVALID);
  vmctl_test_lifecycle_assert_message_has (error, "cannot define VM 'web'");
  g_assert_false (vmctl_test_lifecycle_domain_exists (fixture, "web"));
  assert_volume (fixture, "web.qcow2", 0);
  assert_volume (fixture, "web-2.qcow2", 0);
}

static void
test_define_missing_pool_deletes_volumes (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* the first volume is made, the second disk's pool does not exist */
  vmctl_test_lifecycle_reset_spec (fixture, "web");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, "no-such-pool");
  g_assert_false (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE);
  vmctl_test_lifecycle_assert_message_has (error, "no storage pool named 'no-such-pool'");
  g_assert_false (vmctl_test_lifecycle_domain_exists (fixture, "web"));
  assert_volume (fixture, "web.qcow2", 0);
}

static void
test_define_volume_exists (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlStoragePool) pool = virStoragePoolLookupByName (fixture->connection, "default");
  g_autoptr(VmctlStorageVol) volume = NULL;

  /* somebody's image that happens to have the name vmctl would pick */
  g_assert_nonnull (pool);
  volume = virStorageVolCreateXML (pool,
                                   "<volume><name>clash.qcow2</name>"
                                   "<capacity unit='MiB'>16</capacity></volume>", 0);
  g_assert_nonnull (volume);

  vmctl_test_lifecycle_reset_spec (fixture, "clash");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  g_assert_false (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE);
  vmctl_test_lifecycle_assert_message_has (error, "volume 'clash.qcow2' already exists");
  g_assert_false (vmctl_test_lifecycle_domain_exists (fixture, "clash"));
  /* not vmctl's to delete */
  assert_volume (fixture, "clash.qcow2", 16 * MIB);
}

static void
test_define_creates_default_pool (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlStoragePool) pool = virStoragePoolLookupByName (fixture->connection, "default");
  g_autofree gchar *xml = NULL;
  int autostart = 0;

  g_assert_nonnull (pool);
  g_assert_cmpint (virStoragePoolDestroy (pool), ==, 0);
  g_assert_cmpint (virStoragePoolUndefine (pool), ==, 0);
  g_clear_pointer (&pool, virStoragePoolFree);

  vmctl_test_lifecycle_reset_spec (fixture, "web");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);

  pool = virStoragePoolLookupByName (fixture->connection, "default");
  g_assert_nonnull (pool);
  g_assert_cmpint (virStoragePoolIsActive (pool), ==, 1);
  g_assert_cmpint (virStoragePoolGetAutostart (pool, &autostart), ==, 0);
  g_assert_cmpint (autostart, ==, 1);
  xml = virStoragePoolGetXMLDesc (pool, 0);
  g_assert_nonnull (strstr (xml, "<path>/var/lib/libvirt/images</path>"));
  g_assert_nonnull (strstr (xml, "type='dir'"));
  assert_volume (fixture, "web.qcow2", 64 * MIB);
}

static void
test_define_without_volumes (LifecycleFixture *fixture, gconstpointer data)
{
  vmctl_test_lifecycle_define_ok (fixture, "plain");
  /* the record is there, empty: vmctl made nothing for this VM */
  vmctl_test_lifecycle_assert_created (fixture, "plain", (const gchar *[]) { NULL });
  g_assert_true (vmctl_test_lifecycle_domain_exists (fixture, "plain"));
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "plain"), ==, VMCTL_VM_STATE_SHUTOFF);
}

/* ---- autostart ---- */

static void
test_autostart (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVmInfo) info = NULL;

  g_assert_true (vmctl_vm_set_autostart (fixture->connection, "stopped", TRUE, &error));
  g_assert_no_error (error);
  info = vmctl_vm_info (fixture->connection, "stopped", &error);
  g_assert_no_error (error);
  g_assert_true (info->autostart);
  g_clear_pointer (&info, vmctl_vm_info_free);

  g_assert_true (vmctl_vm_set_autostart (fixture->connection, "stopped", FALSE, &error));
  g_assert_no_error (error);
  info = vmctl_vm_info (fixture->connection, "stopped", &error);
  g_assert_no_error (error);
  g_assert_false (info->autostart);

  g_assert_false (vmctl_vm_set_autostart (fixture->connection, "nope", TRUE, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
}

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);

  add_lifecycle_test ("/vmctl/lifecycle/define/volume", test_define_volume);
  add_lifecycle_test ("/vmctl/lifecycle/define/two-volumes", test_define_two_volumes);
  add_lifecycle_test ("/vmctl/lifecycle/define/exists", test_define_exists);
  add_lifecycle_test ("/vmctl/lifecycle/define/rejected-deletes-volumes",
                      test_define_rejected_deletes_volumes);
  add_lifecycle_test ("/vmctl/lifecycle/define/missing-pool-deletes-volumes",
                      test_define_missing_pool_deletes_volumes);
  add_lifecycle_test ("/vmctl/lifecycle/define/volume-exists", test_define_volume_exists);
  add_lifecycle_test ("/vmctl/lifecycle/define/creates-default-pool",
                      test_define_creates_default_pool);
  add_lifecycle_test ("/vmctl/lifecycle/define/without-volumes", test_define_without_volumes);
  add_lifecycle_test ("/vmctl/lifecycle/autostart", test_autostart);

  return vmctl_test_domain_run ();
}
