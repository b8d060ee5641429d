/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-hostcheck.c: fixture and assertions shared by the host-check
 * test programs. */
#include "vmctl-test-hostcheck.h"

#include <glib/gstdio.h>
#include <string.h>

/* every report lists every check, in this order */
const gchar * const vmctl_test_check_order[VMCTL_TEST_N_CHECKS] = {
  "cpu.virtualization", "kvm.modules", "kvm.device", "kvm.nested",
  "iommu.acpi", "iommu.groups", "iommu.cmdline", "iommu.interrupt_remapping",
  "vfio.modules", "vfio.device", "hugepages", "hugepages.mount",
  "firmware.ovmf", "firmware.tpm", "devices.vhost_net", "devices.tun", "libvirt.connection",
};

/* data: the scenario to copy, or NULL for an empty root */
void
vmctl_test_hostcheck_setup (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (data != NULL) {
    fixture->root = vmctl_test_copy_scenario (data);
  } else {
    fixture->root = g_dir_make_tmp ("vmctl-test-hostcheck-XXXXXX", &error);
    g_assert_no_error (error);
  }
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

void
vmctl_test_hostcheck_teardown (HostFixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->report, vmctl_host_report_free);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

/* Every report, whatever the host, keeps these promises. */
void
vmctl_test_hostcheck_assert_invariants (const VmctlHostReport *report)
{
  gboolean any_fail = FALSE;

  for (guint i = 0; i < report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (report->results, i);

    g_assert_cmpstr (result->id, ==, vmctl_test_check_order[i]);
    g_assert_nonnull (result->title);
    g_assert_nonnull (result->message);
    g_assert_cmpstr (result->message, !=, "");
    g_assert_null (strchr (result->message, '\n'));
    if (result->status == VMCTL_CHECK_PASS) {
      g_assert_null (result->fix);
    } else {
      g_assert_nonnull (result->fix);
      g_assert_null (strchr (result->fix, '\n'));
      /* outdated advice copied from virt-host-validate (FACTS.md) */
      g_assert_null (strstr (result->fix, "iommu=1"));
    }
    /* vfio_virqfd is part of vfio since 6.2 or built in: never ask for it */
    g_assert_null (strstr (result->message, "virqfd"));
    g_assert_true (result->fix == NULL || strstr (result->fix, "virqfd") == NULL);
    any_fail |= result->status == VMCTL_CHECK_FAIL;
  }
  g_assert_cmpint (report->ready, ==, !any_fail);
}

const VmctlHostReport *
vmctl_test_hostcheck_run (HostFixture *fixture, const gchar *uri)
{
  g_clear_pointer (&fixture->report, vmctl_host_report_free);
  fixture->report = vmctl_host_check_run (fixture->host, uri);
  g_assert_nonnull (fixture->report);
  g_assert_cmpuint (fixture->report->results->len, ==,
                    VMCTL_TEST_N_CHECKS - (uri == NULL ? 1 : 0));
  vmctl_test_hostcheck_assert_invariants (fixture->report);
  return fixture->report;
}

const VmctlCheckResult *
vmctl_test_hostcheck_result (HostFixture *fixture, const gchar *id)
{
  for (guint i = 0; i < fixture->report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (fixture->report->results, i);

    if (strcmp (result->id, id) == 0)
      return result;
  }
  g_error ("no result for %s", id);
  return NULL;
}

void
vmctl_test_assert_fix_contains (HostFixture *fixture, const gchar *id, const gchar *needle)
{
  const VmctlCheckResult *result = vmctl_test_hostcheck_result (fixture, id);

  g_assert_nonnull (result->fix);
  if (strstr (result->fix, needle) == NULL)
    g_error ("%s: fix lacks '%s': %s", id, needle, result->fix);
}

void
vmctl_test_assert_fix_lacks (HostFixture *fixture, const gchar *id, const gchar *needle)
{
  const VmctlCheckResult *result = vmctl_test_hostcheck_result (fixture, id);

  if (result->fix != NULL && strstr (result->fix, needle) != NULL)
    g_error ("%s: fix should not say '%s': %s", id, needle, result->fix);
}

void
vmctl_test_assert_message_contains (HostFixture *fixture, const gchar *id, const gchar *needle)
{
  const VmctlCheckResult *result = vmctl_test_hostcheck_result (fixture, id);

  if (strstr (result->message, needle) == NULL)
    g_error ("%s: message lacks '%s': %s", id, needle, result->message);
}

void
vmctl_test_hostcheck_write (HostFixture *fixture, const gchar *relative, const gchar *contents)
{
  vmctl_test_write (fixture->root, relative, contents);
}

void
vmctl_test_hostcheck_remove (HostFixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  vmctl_test_remove_tree (path);
}

void
vmctl_test_hostcheck_set_cmdline (HostFixture *fixture, const gchar *arguments)
{
  g_autofree gchar *line = g_strdup_printf ("%s %s\n", BOOT, arguments);

  vmctl_test_hostcheck_write (fixture, "proc/cmdline", line);
}

void
vmctl_test_hostcheck_add (const gchar *path, const gchar *scenario,
               void (*test) (HostFixture *, gconstpointer))
{
  g_test_add (path, HostFixture, scenario, vmctl_test_hostcheck_setup, test, vmctl_test_hostcheck_teardown);
}
