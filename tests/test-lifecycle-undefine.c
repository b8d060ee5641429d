/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-lifecycle-undefine.c: undefine and the VM's disks, on libvirt's
 * test driver (tests/data/libvirt/lifecycle.xml: "stopped" is not vmctl's
 * and has a volume, a file disk of pool "default" and a cdrom; see
 * vmctl-test-lifecycle.h). --remove-storage removes only the volumes vmctl
 * recorded creating, --remove-all-storage the other images too, and
 * nothing another domain references is ever removed: that refuses the
 * whole undefine before anything changes. */
#include <libvirt/libvirt.h>
#include <string.h>

#include "vmctl-test-lifecycle.h"

#define MIB VMCTL_TEST_MIB
#define IMAGES "/vmctl-test/images/"

#define assert_volume(fixture, volume, capacity) \
  g_assert_cmpuint (vmctl_test_lifecycle_volume_capacity ((fixture), "default", (volume)), ==, \
                    (capacity))

/* the outcome for @path in @outcomes, or NULL */
static const VmctlStorageOutcome *
find_outcome (GPtrArray *outcomes, const gchar *path)
{
  for (guint i = 0; i < outcomes->len; i++) {
    const VmctlStorageOutcome *outcome = g_ptr_array_index (outcomes, i);

    if (g_strcmp0 (outcome->path, path) == 0)
      return outcome;
  }
  return NULL;
}

static void
assert_removed (const VmctlUndefineReport *report, const gchar *path)
{
  const VmctlStorageOutcome *outcome = find_outcome (report->removed, path);

  if (outcome == NULL)
    g_error ("%s is not among the removed", path);
  g_assert_null (outcome->reason);
  g_assert_null (find_outcome (report->kept, path));
}

static void
assert_kept (const VmctlUndefineReport *report, const gchar *path, const gchar *reason)
{
  const VmctlStorageOutcome *outcome = find_outcome (report->kept, path);

  if (outcome == NULL)
    g_error ("%s is not among the kept", path);
  if (strstr (outcome->reason, reason) == NULL)
    g_error ("kept %s: '%s' lacks '%s'", path, outcome->reason, reason);
  g_assert_null (find_outcome (report->removed, path));
}

/* undefine @name with @storage, which must succeed and leave no
 * definition; the report */
static VmctlUndefineReport *
undefine_ok (LifecycleFixture *fixture, const gchar *name, VmctlUndefineStorage storage)
{
  g_autoptr(GError) error = NULL;
  VmctlUndefineReport *report = NULL;

  g_assert_true (vmctl_vm_undefine (fixture->connection, name, storage, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_false (vmctl_test_lifecycle_domain_exists (fixture, name));
  return report;
}

/* undefine @name with @storage, which must fail with @code and a message
 * holding @needle, changing nothing: @name stays defined */
static void
undefine_refused (LifecycleFixture *fixture, const gchar *name, VmctlUndefineStorage storage,
                  gint code, const gchar *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlUndefineReport) report = NULL;

  g_assert_false (vmctl_vm_undefine (fixture->connection, name, storage, &report, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, code);
  vmctl_test_lifecycle_assert_message_has (error, needle);
  g_assert_null (report);
  g_assert_true (vmctl_test_lifecycle_domain_exists (fixture, name));
}

/* a shut-off domain of the test driver with @metadata (may be "") and
 * @devices, defined directly through libvirt */
static void
define_raw (LifecycleFixture *fixture, const gchar *name, const gchar *metadata,
            const gchar *devices)
{
  g_autofree gchar *xml = g_strdup_printf (
    "<domain type='test'><name>%s</name>%s<memory unit='KiB'>262144</memory><vcpu>1</vcpu>"
    "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>",
    name, metadata, devices);
  g_autoptr(VmctlDomain) domain = virDomainDefineXML (fixture->connection, xml);

  g_assert_nonnull (domain);
}

/* "web" as vmctl create makes it: a 64 MiB volume it creates, plus (when
 * not NULL) an existing image file */
static void
define_web (LifecycleFixture *fixture, const gchar *file)
{
  g_autoptr(GError) error = NULL;

  vmctl_test_lifecycle_reset_spec (fixture, "web");
  vmctl_test_lifecycle_add_volume_disk (fixture, 64 * MIB, NULL);
  if (file != NULL)
    vmctl_test_domain_spec_add_disk (fixture->domain.spec, file, 0, NULL, "qcow2");
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);
  assert_volume (fixture, "web.qcow2", 64 * MIB);
}

static void
test_running (LifecycleFixture *fixture, gconstpointer data)
{
  undefine_refused (fixture, "running", VMCTL_UNDEFINE_REMOVE_ALL, VMCTL_LIFECYCLE_ERROR_RUNNING,
                    "'running' is running");
}

static void
test_keeps_storage (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlUndefineReport) report = NULL;

  report = undefine_ok (fixture, "stopped", VMCTL_UNDEFINE_KEEP_STORAGE);
  assert_volume (fixture, "stopped.qcow2", 1024 * MIB);
  assert_volume (fixture, "stopped-data.qcow2", 1024 * MIB);
  g_assert_cmpuint (report->removed->len, ==, 0);
  assert_kept (report, IMAGES "stopped.qcow2", "--remove-all-storage removes it");
  assert_kept (report, IMAGES "stopped-data.qcow2", "not created by vmctl");
  /* the cdrom is installation media, not the VM's storage */
  g_assert_cmpuint (report->kept->len, ==, 2);
  g_clear_pointer (&report, vmctl_undefine_report_free);

  g_assert_false (vmctl_vm_undefine (fixture->connection, "stopped", VMCTL_UNDEFINE_KEEP_STORAGE,
                                     &report, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
}

/* The bug: --remove-storage deleted every disk of a VM vmctl never made. */
static void
test_remove_storage_not_vmctls (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlUndefineReport) report = NULL;

  report = undefine_ok (fixture, "stopped", VMCTL_UNDEFINE_REMOVE_CREATED);
  assert_volume (fixture, "stopped.qcow2", 1024 * MIB);
  assert_volume (fixture, "stopped-data.qcow2", 1024 * MIB);
  g_assert_cmpuint (report->removed->len, ==, 0);
  assert_kept (report, IMAGES "stopped.qcow2", "not created by vmctl (use --remove-all-storage)");
  assert_kept (report, IMAGES "stopped-data.qcow2",
               "not created by vmctl (use --remove-all-storage)");
}

static void
test_remove_all_storage (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlUndefineReport) report = NULL;

  /* a volume disk, a file disk the pool holds (found by path), and a cdrom
   * from the same pool, which stays */
  report = undefine_ok (fixture, "stopped", VMCTL_UNDEFINE_REMOVE_ALL);
  assert_volume (fixture, "stopped.qcow2", 0);
  assert_volume (fixture, "stopped-data.qcow2", 0);
  assert_volume (fixture, "install.iso", 100 * MIB);
  assert_removed (report, IMAGES "stopped.qcow2");
  assert_removed (report, IMAGES "stopped-data.qcow2");
  g_assert_cmpuint (report->kept->len, ==, 0);
}

/* The volume vmctl made goes; the image file given with --disk PATH stays,
 * although another VM uses it: what stays is never refused. */
static void
test_remove_created (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlUndefineReport) report = NULL;

  define_web (fixture, IMAGES "stopped-data.qcow2");
  report = undefine_ok (fixture, "web", VMCTL_UNDEFINE_REMOVE_CREATED);
  assert_volume (fixture, "web.qcow2", 0);
  assert_volume (fixture, "stopped-data.qcow2", 1024 * MIB);
  assert_removed (report, IMAGES "web.qcow2");
  assert_kept (report, IMAGES "stopped-data.qcow2",
               "not created by vmctl (use --remove-all-storage)");
}

/* --remove-all-storage would take a disk "stopped" uses: refused, naming
 * it, before anything is removed or undefined. */
static void
test_shared_refused (LifecycleFixture *fixture, gconstpointer data)
{
  define_web (fixture, IMAGES "stopped-data.qcow2");
  undefine_refused (fixture, "web", VMCTL_UNDEFINE_REMOVE_ALL,
                    VMCTL_LIFECYCLE_ERROR_STORAGE_IN_USE,
                    "VM 'stopped' uses " IMAGES "stopped-data.qcow2 too: refusing to remove it; "
                    "nothing was removed");
  assert_volume (fixture, "web.qcow2", 64 * MIB);
  assert_volume (fixture, "stopped-data.qcow2", 1024 * MIB);
}

/* Even a volume vmctl made is not removed while another domain uses it,
 * whether that one names the file or the pool's volume. */
static void
test_created_shared_refused (LifecycleFixture *fixture, gconstpointer data)
{
  const gchar * const others[] = {
    "<disk type='file' device='disk'><source file='" IMAGES "web.qcow2'/>"
    "<target dev='vda' bus='virtio'/></disk>",
    "<disk type='volume' device='disk'><source pool='default' volume='web.qcow2'/>"
    "<target dev='vda' bus='virtio'/></disk>",
  };

  define_web (fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++) {
    g_autoptr(VmctlDomain) other = NULL;

    define_raw (fixture, "other", "", others[i]);
    undefine_refused (fixture, "web", VMCTL_UNDEFINE_REMOVE_CREATED,
                      VMCTL_LIFECYCLE_ERROR_STORAGE_IN_USE, "VM 'other' uses " IMAGES "web.qcow2");
    assert_volume (fixture, "web.qcow2", 64 * MIB);
    other = virDomainLookupByName (fixture->connection, "other");
    g_assert_cmpint (virDomainUndefine (other), ==, 0);
  }
}

/* The record names a volume that is somewhere else now: not ours. */
static void
test_path_changed (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlUndefineReport) report = NULL;
  g_autoptr(VmctlStoragePool) pool = virStoragePoolLookupByName (fixture->connection, "default");
  g_autoptr(VmctlStorageVol) volume = NULL;

  g_assert_nonnull (pool);
  volume = virStorageVolCreateXML (pool, "<volume><name>moved.qcow2</name>"
                                   "<capacity unit='MiB'>16</capacity></volume>", 0);
  g_assert_nonnull (volume);
  define_raw (fixture, "moved",
              "<metadata><vmctl:vmctl xmlns:vmctl='http://vmctl.dev/xmlns/domain/1'>"
              "<vmctl:spec/><vmctl:plan/><vmctl:storage>"
              "<vmctl:volume pool='default' volume='moved.qcow2' path='/old/place/moved.qcow2'/>"
              "</vmctl:storage></vmctl:vmctl></metadata>",
              "<disk type='volume' device='disk'><source pool='default' volume='moved.qcow2'/>"
              "<target dev='vda' bus='virtio'/></disk>");
  report = undefine_ok (fixture, "moved", VMCTL_UNDEFINE_REMOVE_CREATED);
  assert_volume (fixture, "moved.qcow2", 16 * MIB);
  assert_kept (report, IMAGES "moved.qcow2", "not where vmctl created it (/old/place/moved.qcow2)");
}

/* A VM an older vmctl made has metadata but no record: nothing is
 * removed, and the reason says so. */
static void
test_older_vmctl (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlUndefineReport) report = NULL;

  define_raw (fixture, "old",
              "<metadata><vmctl:vmctl xmlns:vmctl='http://vmctl.dev/xmlns/domain/1'>"
              "<vmctl:spec/><vmctl:plan/></vmctl:vmctl></metadata>",
              "<disk type='volume' device='disk'><source pool='default' volume='stopped.qcow2'/>"
              "<target dev='vda' bus='virtio'/></disk>");
  report = undefine_ok (fixture, "old", VMCTL_UNDEFINE_REMOVE_CREATED);
  assert_volume (fixture, "stopped.qcow2", 1024 * MIB);
  assert_kept (report, IMAGES "stopped.qcow2", "older vmctl");
  assert_kept (report, IMAGES "stopped.qcow2", "--remove-all-storage");
}

/* A file no pool holds, on a host that is not this machine (test:///):
 * not vmctl's to unlink, so --remove-all-storage refuses before anything
 * is removed or undefined. */
static void
test_remote_file_not_in_pool (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlStoragePool) pool = virStoragePoolLookupByName (fixture->connection, "default");
  g_autoptr(VmctlStorageVol) volume = NULL;

  g_assert_nonnull (pool);
  volume = virStorageVolLookupByName (pool, "stopped-data.qcow2");
  g_assert_nonnull (volume);
  g_assert_cmpint (virStorageVolDelete (volume, 0), ==, 0);

  undefine_refused (fixture, "stopped", VMCTL_UNDEFINE_REMOVE_ALL, VMCTL_LIFECYCLE_ERROR_STORAGE,
                    "cannot remove " IMAGES "stopped-data.qcow2: no storage pool on the remote "
                    "host holds it");
  assert_volume (fixture, "stopped.qcow2", 1024 * MIB);
}

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);

  add_lifecycle_test ("/vmctl/lifecycle/undefine/running", test_running);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/keeps-storage", test_keeps_storage);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/remove-storage-not-vmctls",
                      test_remove_storage_not_vmctls);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/remove-all-storage", test_remove_all_storage);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/remove-created", test_remove_created);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/shared-refused", test_shared_refused);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/created-shared-refused",
                      test_created_shared_refused);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/path-changed", test_path_changed);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/older-vmctl", test_older_vmctl);
  add_lifecycle_test ("/vmctl/lifecycle/undefine/remote-file-not-in-pool",
                      test_remote_file_not_in_pool);

  return vmctl_test_domain_run ();
}
