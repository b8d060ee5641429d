/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-lifecycle.c: the fixture and helpers of the lifecycle tests
 * (test-lifecycle.c, test-lifecycle-run.c) on libvirt's test driver with
 * tests/data/libvirt/lifecycle.xml. */
#include "vmctl-test-lifecycle.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-connect.h"
#include "vmctl-domain-xml.h"

#include <libxml/parser.h>

void
vmctl_test_lifecycle_open (LifecycleFixture *fixture, const gchar *uri, const gchar *host_root,
                           const gchar *state_dir)
{
  g_autofree gchar *lifecycle = vmctl_test_libvirt_uri ("lifecycle");
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&fixture->session, vmctl_session_unref);
  fixture->session = vmctl_session_new (host_root, uri != NULL ? uri : lifecycle, state_dir,
                                        &error);
  g_assert_no_error (error);
  /* through vmctl, which also loads the library's sym_ pointers */
  fixture->connection = vmctl_session_get_connection (fixture->session, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->connection);
}

void
vmctl_test_lifecycle_setup (LifecycleFixture *fixture, gconstpointer data)
{
  vmctl_test_lifecycle_open (fixture, NULL, NULL, NULL);
}

void
vmctl_test_lifecycle_teardown (LifecycleFixture *fixture, gconstpointer data)
{
  if (fixture->domain.root != NULL)
    vmctl_test_domain_teardown (&fixture->domain, NULL);
  fixture->connection = NULL;
  g_clear_pointer (&fixture->session, vmctl_session_unref);
}

/* a fresh spec and plan named @name from the minimal profile */
void
vmctl_test_lifecycle_reset_spec (LifecycleFixture *fixture, const gchar *name)
{
  if (fixture->domain.root == NULL)
    vmctl_test_domain_setup_clean (&fixture->domain, NULL);
  vmctl_spec_free (fixture->domain.spec);
  vmctl_test_domain_plan_free (fixture->domain.plan);
  fixture->domain.spec = vmctl_spec_new ();
  fixture->domain.plan = vmctl_test_domain_plan_new ();
  vmctl_test_domain_profile_minimal (fixture->domain.spec, name);
}

void
vmctl_test_lifecycle_add_volume_disk (LifecycleFixture *fixture, guint64 size_bytes,
                                      const gchar *pool)
{
  vmctl_test_domain_spec_add_disk (fixture->domain.spec, NULL, size_bytes, pool, "qcow2");
}

gboolean
vmctl_test_lifecycle_define_spec (LifecycleFixture *fixture, GError **error)
{
  g_autoptr(xmlDoc) document = vmctl_test_domain_build_ok (&fixture->domain);

  return vmctl_vm_define (fixture->connection, fixture->domain.spec, document, error);
}

void
vmctl_test_lifecycle_define_gpu (LifecycleFixture *fixture)
{
  g_autoptr(GError) error = NULL;

  vmctl_test_domain_host_gpu (fixture->domain.spec, fixture->domain.plan, "clean-gpu-audio");
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);
}

gchar *
vmctl_test_lifecycle_empty_pool (const gchar *root)
{
  g_autofree gchar *pool = g_build_filename (root, "sys/kernel/mm/hugepages/hugepages-2048kB",
                                             NULL);
  g_autofree gchar *free_path = g_build_filename (pool, "free_hugepages", NULL);
  gchar *nr_path = g_build_filename (pool, "nr_hugepages", NULL);

  g_assert_true (g_file_set_contents (nr_path, "0\n", -1, NULL));
  g_assert_cmpint (g_unlink (free_path), ==, 0);
  g_assert_cmpint (symlink ("nr_hugepages", free_path), ==, 0);
  return nr_path;
}

void
vmctl_test_lifecycle_define_ok (LifecycleFixture *fixture, const gchar *name)
{
  g_autoptr(GError) error = NULL;

  vmctl_test_lifecycle_reset_spec (fixture, name);
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);
}

/* the capacity of @volume in @pool, 0 when it does not exist */
guint64
vmctl_test_lifecycle_volume_capacity (LifecycleFixture *fixture, const gchar *pool_name,
                                      const gchar *volume_name)
{
  g_autoptr(VmctlStoragePool) pool = virStoragePoolLookupByName (fixture->connection, pool_name);
  g_autoptr(VmctlStorageVol) volume = NULL;
  virStorageVolInfo info;

  if (pool == NULL)
    return 0;
  volume = virStorageVolLookupByName (pool, volume_name);
  if (volume == NULL)
    return 0;
  g_assert_cmpint (virStorageVolGetInfo (volume, &info), ==, 0);
  return info.capacity;
}

gboolean
vmctl_test_lifecycle_domain_exists (LifecycleFixture *fixture, const gchar *name)
{
  g_autoptr(VmctlDomain) domain = virDomainLookupByName (fixture->connection, name);

  return domain != NULL;
}

VmctlVmState
vmctl_test_lifecycle_state_of (LifecycleFixture *fixture, const gchar *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVmInfo) info = vmctl_vm_info (fixture->connection, name, &error);

  g_assert_no_error (error);
  return info->state;
}

void
vmctl_test_lifecycle_assert_message_has (const GError *error, const gchar *needle)
{
  g_assert_nonnull (error);
  if (strstr (error->message, needle) == NULL)
    g_error ("'%s' lacks '%s'", error->message, needle);
  g_assert_null (strchr (error->message, '\n'));
}

void
vmctl_test_lifecycle_assert_created (LifecycleFixture *fixture, const gchar *name,
                                     const gchar * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *xml = vmctl_vm_xml (fixture->connection, name, &error);
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GPtrArray) created = NULL;
  guint count = 0;

  g_assert_no_error (error);
  document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (document);
  g_assert_cmpint (vmctl_domain_xml_created_volumes (document, &created), ==,
                   VMCTL_STORAGE_RECORD_PRESENT);
  for (; expected[count * 3] != NULL; count++) {
    const VmctlCreatedVolume *volume;

    g_assert_cmpuint (count, <, created->len);
    volume = g_ptr_array_index (created, count);
    g_assert_cmpstr (volume->pool, ==, expected[count * 3]);
    g_assert_cmpstr (volume->volume, ==, expected[count * 3 + 1]);
    g_assert_cmpstr (volume->path, ==, expected[count * 3 + 2]);
  }
  g_assert_cmpuint (created->len, ==, count);
}
