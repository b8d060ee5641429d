/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-lifecycle-run.c: start, stop, destroy, list, info, xml and many VMs
 * at once, on libvirt's test driver (see vmctl-test-lifecycle.h for the
 * fixture).
 *
 * What the test driver cannot show: its virDomainShutdown() shuts the
 * domain off at once, so the wait, the countdown and the timeout of stop
 * are left to the end-to-end suite (a guest without an OS ignores ACPI). */
#include <libvirt/libvirt.h>

#include "vmctl-connect.h"
#include "vmctl-test-lifecycle.h"

/* ---- start, stop, destroy ---- */

static void
test_start (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  g_assert_true (vmctl_vm_start (fixture->session, "stopped", &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "stopped"), ==, VMCTL_VM_STATE_RUNNING);

  /* running already: success, nothing changed */
  g_assert_true (vmctl_vm_start (fixture->session, "running", &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
}

static void
test_start_unknown (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = TRUE;

  g_assert_false (vmctl_vm_start (fixture->session, "nope", &changed, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
  vmctl_test_lifecycle_assert_message_has (error, "no VM named 'nope'");
}

static void
test_start_bad_metadata (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = NULL;

  g_assert_false (vmctl_vm_start (fixture->session, "broken-metadata", NULL, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA);
  vmctl_test_lifecycle_assert_message_has (error, "not-a-pci-address");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "broken-metadata"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  g_clear_error (&error);

  /* list still shows it */
  infos = vmctl_vm_list (fixture->connection, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (infos->len, ==, 3);
  g_assert_cmpstr (((VmctlVmInfo *) infos->pdata[0])->name, ==, "broken-metadata");
  g_assert_true (((VmctlVmInfo *) infos->pdata[0])->managed_by_vmctl);
}

static void
count_progress (const gchar *name, guint seconds_left, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_stop (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;
  guint calls = 0;

  /* the test driver's ACPI shutdown ends the domain at once */
  g_assert_true (vmctl_vm_stop (fixture->session, "running", 5, FALSE, count_progress, &calls,
                                &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "running"), ==, VMCTL_VM_STATE_SHUTOFF);
  g_assert_cmpuint (calls, <=, 1);
}

static void
test_stop_stopped (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = TRUE;

  g_assert_true (vmctl_vm_stop (fixture->session, "stopped", 5, FALSE, NULL, NULL,
                                &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
}

static void
test_stop_unknown (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vmctl_vm_stop (fixture->session, "nope", 1, TRUE, NULL, NULL, NULL, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
}

static void
test_destroy (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  g_assert_true (vmctl_vm_destroy (fixture->session, "running", &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "running"), ==, VMCTL_VM_STATE_SHUTOFF);

  g_assert_true (vmctl_vm_destroy (fixture->session, "running", &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);

  g_assert_false (vmctl_vm_destroy (fixture->session, "nope", &changed, &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
}

/* ---- list, info, xml ---- */

static void
test_list (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) running = vmctl_vm_list (fixture->connection, FALSE, &error);
  g_autoptr(GPtrArray) all = NULL;
  const VmctlVmInfo *info;

  g_assert_no_error (error);
  g_assert_cmpuint (running->len, ==, 1);
  info = running->pdata[0];
  g_assert_cmpstr (info->name, ==, "running");
  g_assert_cmpstr (info->uuid, ==, "6a1c0b3e-0b4e-4b0e-9a55-1f7d7f1a0001");
  g_assert_cmpint (info->state, ==, VMCTL_VM_STATE_RUNNING);
  g_assert_cmpstr (vmctl_vm_state_to_string (info->state), ==, "running");
  g_assert_cmpuint (info->vcpus, ==, 2);
  g_assert_cmpuint (info->memory_kib, ==, 524288);
  g_assert_true (info->persistent);
  g_assert_false (info->autostart);
  g_assert_false (info->managed_by_vmctl);
  g_assert_null (info->profile);
  g_assert_cmpuint (info->gpus->len, ==, 0);
  g_assert_cmpuint (info->hostdevs->len, ==, 0);

  all = vmctl_vm_list (fixture->connection, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (((VmctlVmInfo *) all->pdata[0])->name, ==, "broken-metadata");
  g_assert_cmpstr (((VmctlVmInfo *) all->pdata[1])->name, ==, "running");
  g_assert_cmpstr (((VmctlVmInfo *) all->pdata[2])->name, ==, "stopped");
  g_assert_cmpint (((VmctlVmInfo *) all->pdata[2])->state, ==, VMCTL_VM_STATE_SHUTOFF);
  g_assert_cmpstr (vmctl_vm_state_to_string (VMCTL_VM_STATE_SHUTOFF), ==, "shut off");
}

static void
test_info_metadata (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVmInfo) info = NULL;

  /* the real builder's metadata, read back from what libvirt kept */
  vmctl_test_lifecycle_reset_spec (fixture, "gamer");
  vmctl_test_domain_host_gpu (fixture->domain.spec, fixture->domain.plan, "clean-gpu-audio");
  g_assert_true (vmctl_test_lifecycle_define_spec (fixture, &error));
  g_assert_no_error (error);

  info = vmctl_vm_info (fixture->connection, "gamer", &error);
  g_assert_no_error (error);
  g_assert_true (info->managed_by_vmctl);
  g_assert_cmpstr (info->profile, ==, "minimal");
  g_assert_cmpuint (info->gpus->len, ==, 1);
  g_assert_cmpstr (info->gpus->pdata[0], ==, "0000:01:00.0");
  g_assert_cmpuint (info->hostdevs->len, ==, 2);
  g_assert_cmpstr (info->hostdevs->pdata[0], ==, "0000:01:00.0");
  g_assert_cmpstr (info->hostdevs->pdata[1], ==, "0000:01:00.1");

  /* without a host root, a test:/// URI's host is a remote one: asked
   * through libvirt's node-device API, and this test driver's host has no
   * such device, so nothing starts */
  g_assert_false (vmctl_vm_start (fixture->session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "cannot detach pci_0000_01_00_0: Node device not found");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "gamer"), ==, VMCTL_VM_STATE_SHUTOFF);
}

static void
test_info_unknown (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVmInfo) info = vmctl_vm_info (fixture->connection, "nope", &error);
  g_autofree gchar *xml = NULL;

  g_assert_null (info);
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
  g_clear_error (&error);
  xml = vmctl_vm_xml (fixture->connection, "nope", &error);
  g_assert_null (xml);
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
}

static void
test_xml (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *live = vmctl_vm_xml (fixture->connection, "running", &error);
  g_autofree gchar *inactive = NULL;
  g_autoptr(xmlDoc) live_document = NULL;
  g_autoptr(xmlDoc) inactive_document = NULL;

  g_assert_no_error (error);
  live_document = vmctl_test_domain_parse (live);
  assert_xpath (live_document, "/domain/name", "running");
  /* a running domain's live XML carries its id */
  g_assert_cmpint (vmctl_test_domain_xpath_count (live_document, "/domain/@id"), ==, 1);

  inactive = vmctl_vm_xml (fixture->connection, "stopped", &error);
  g_assert_no_error (error);
  inactive_document = vmctl_test_domain_parse (inactive);
  assert_xpath (inactive_document, "/domain/name", "stopped");
  g_assert_cmpint (vmctl_test_domain_xpath_count (inactive_document, "/domain/@id"), ==, 0);
}

static void
test_all_names (LifecycleFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  vmctl_test_lifecycle_define_ok (fixture, "alpha");
  names = vmctl_vm_all_names (fixture->connection, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_assert_cmpstr (names[0], ==, "alpha");
  g_assert_cmpstr (names[1], ==, "broken-metadata");
  g_assert_cmpstr (names[2], ==, "running");
  g_assert_cmpstr (names[3], ==, "stopped");
}

/* ---- many at once ---- */

static gboolean
start_operation (VmctlSession *session, const gchar *name, gpointer user_data, GError **error)
{
  return vmctl_vm_start (session, name, NULL, error);
}

static gboolean
destroy_operation (VmctlSession *session, const gchar *name, gpointer user_data, GError **error)
{
  return vmctl_vm_destroy (session, name, NULL, error);
}

static void
test_run_many (LifecycleFixture *fixture, gconstpointer data)
{
  static const gchar * const names[] = { "vm1", "vm2", "vm3", "vm4", NULL };
  g_autoptr(GPtrArray) started = NULL;
  g_autoptr(GPtrArray) destroyed = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    vmctl_test_lifecycle_define_ok (fixture, names[i]);

  started = vmctl_vm_run_many (fixture->session, names, start_operation, NULL);
  g_assert_cmpuint (started->len, ==, 4);
  for (guint i = 0; names[i] != NULL; i++) {
    g_assert_no_error (started->pdata[i]);
    g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, names[i]), ==, VMCTL_VM_STATE_RUNNING);
  }

  destroyed = vmctl_vm_run_many (fixture->session, names, destroy_operation, NULL);
  g_assert_cmpuint (destroyed->len, ==, 4);
  for (guint i = 0; names[i] != NULL; i++) {
    g_assert_no_error (destroyed->pdata[i]);
    g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, names[i]), ==, VMCTL_VM_STATE_SHUTOFF);
  }
}

static void
test_run_many_one_unknown (LifecycleFixture *fixture, gconstpointer data)
{
  static const gchar * const names[] = { "vm1", "vm2", "nope", "vm3", "stopped", NULL };
  g_autoptr(GPtrArray) results = NULL;

  for (guint i = 1; i <= 3; i++) {
    g_autofree gchar *name = g_strdup_printf ("vm%u", i);

    vmctl_test_lifecycle_define_ok (fixture, name);
  }
  results = vmctl_vm_run_many (fixture->session, names, start_operation, NULL);
  g_assert_cmpuint (results->len, ==, 5);
  g_assert_no_error (results->pdata[0]);
  g_assert_no_error (results->pdata[1]);
  g_assert_error ((GError *) results->pdata[2], VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM);
  vmctl_test_lifecycle_assert_message_has (results->pdata[2], "'nope'");
  g_assert_no_error (results->pdata[3]);
  g_assert_no_error (results->pdata[4]);
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "vm3"), ==, VMCTL_VM_STATE_RUNNING);
  g_assert_cmpint (vmctl_test_lifecycle_state_of (fixture, "stopped"), ==, VMCTL_VM_STATE_RUNNING);
}

static void
test_run_many_empty (LifecycleFixture *fixture, gconstpointer data)
{
  static const gchar * const names[] = { NULL };
  g_autoptr(GPtrArray) results = vmctl_vm_run_many (fixture->session, names, start_operation,
                                                    NULL);

  g_assert_cmpuint (results->len, ==, 0);
}

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);

  add_lifecycle_test ("/vmctl/lifecycle/start", test_start);
  add_lifecycle_test ("/vmctl/lifecycle/start/unknown", test_start_unknown);
  add_lifecycle_test ("/vmctl/lifecycle/start/bad-metadata", test_start_bad_metadata);
  add_lifecycle_test ("/vmctl/lifecycle/stop", test_stop);
  add_lifecycle_test ("/vmctl/lifecycle/stop/stopped", test_stop_stopped);
  add_lifecycle_test ("/vmctl/lifecycle/stop/unknown", test_stop_unknown);
  add_lifecycle_test ("/vmctl/lifecycle/destroy", test_destroy);
  add_lifecycle_test ("/vmctl/lifecycle/list", test_list);
  add_lifecycle_test ("/vmctl/lifecycle/info/metadata", test_info_metadata);
  add_lifecycle_test ("/vmctl/lifecycle/info/unknown", test_info_unknown);
  add_lifecycle_test ("/vmctl/lifecycle/xml", test_xml);
  add_lifecycle_test ("/vmctl/lifecycle/all-names", test_all_names);
  add_lifecycle_test ("/vmctl/lifecycle/run-many", test_run_many);
  add_lifecycle_test ("/vmctl/lifecycle/run-many/one-unknown", test_run_many_one_unknown);
  add_lifecycle_test ("/vmctl/lifecycle/run-many/empty", test_run_many_empty);

  return vmctl_test_domain_run ();
}
