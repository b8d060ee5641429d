/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-vfio-plans.c: the engine gives functions back a plan at a time, on a
 * copy of turing-4fn under the simulated kernel: a reattach of one function
 * gives back every function detached with it; entries of an older vmctl
 * (no plan recorded) still load and go back by owner and card; a plan
 * another vmctl holds a lock of, or with a corrupt entry, is left alone
 * whole; a journaled driver that is no driver, or not loaded, is never
 * written to; a sysfs driver link naming ".." never becomes a path. */
#include "vmctl-test-util.h"
#include "vmctl-test-sim.h"
#include "vmctl-device-lock.h"
#include "vmctl-vfio.h"

#include <string.h>
#include <glib/gstdio.h>

static const gchar *const FUNCTIONS[] = {
  "0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3",
};
static const gchar *const ORIGINAL[] = {
  "nvidia", "snd_hda_intel", "xhci_hcd", "nvidia-gpu",
};
#define N_FUNCTIONS G_N_ELEMENTS (FUNCTIONS)

typedef struct {
  gchar *root;
  gchar *state;
  VmctlHost *host;
  VmctlVfio *vfio;
  VmctlPciAddress addresses[N_FUNCTIONS];
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->root = vmctl_test_copy_scenario ("turing-4fn");
  vmctl_test_write (fixture->root, ".sim/log", "");
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
  fixture->state = g_dir_make_tmp ("vmctl-plans-state-XXXXXX", NULL);
  g_assert_nonnull (fixture->state);
  fixture->host = vmctl_host_new (fixture->root, NULL);
  fixture->vfio = vmctl_vfio_new (fixture->host, fixture->state, NULL);
  vmctl_vfio_set_force (fixture->vfio, TRUE);
  vmctl_vfio_set_bind_timeout (fixture->vfio, 300);
  vmctl_vfio_set_lock_timeout (fixture->vfio, 0);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    g_assert_true (vmctl_pci_address_parse (FUNCTIONS[i], &fixture->addresses[i], NULL));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_vfio_free (fixture->vfio);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->state);
  g_free (fixture->root);
  g_free (fixture->state);
}

static void
assert_driver (Fixture *fixture, guint i, const gchar *expected)
{
  g_autofree gchar *driver = vmctl_test_sim_driver (fixture->root, FUNCTIONS[i]);

  g_assert_cmpstr (driver, ==, expected != NULL ? expected : ORIGINAL[i]);
}

static void
assert_log_empty (Fixture *fixture)
{
  g_auto(GStrv) log = vmctl_test_sim_take_log (fixture->root);

  g_assert_cmpuint (g_strv_length (log), ==, 0);
}

static void
detach_all (Fixture *fixture, const gchar *owner)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, N_FUNCTIONS, owner, &error));
  g_assert_no_error (error);
  g_strfreev (vmctl_test_sim_take_log (fixture->root));
}

static gchar *
entry_path (Fixture *fixture, guint i)
{
  g_autofree gchar *name = g_strconcat ("journal/", FUNCTIONS[i], ".entry", NULL);

  return g_build_filename (fixture->state, name, NULL);
}

/* naming one function gives back the four detached with it, last first */
static void
test_whole_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) given = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  VmctlJournalEntry *entry;

  detach_all (fixture, "");
  entries = vmctl_vfio_status (fixture->vfio, NULL, &error);
  g_assert_no_error (error);
  entry = g_ptr_array_index (entries, 2);
  g_assert_nonnull (entry->plan);
  g_assert_cmpuint (entry->plan->len, ==, N_FUNCTIONS);
  g_assert_true (vmctl_pci_address_equal (&g_array_index (entry->plan, VmctlPciAddress, 0),
                                          &fixture->addresses[0]));

  g_assert_true (vmctl_vfio_reattach (fixture->vfio, &fixture->addresses[2], 1, &given, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (given->len, ==, N_FUNCTIONS);
  g_assert_true (vmctl_pci_address_equal (&((VmctlJournalEntry *) g_ptr_array_index (given, 0))->address,
                                          &fixture->addresses[3]));
  for (guint i = 0; i < N_FUNCTIONS; i++)
    assert_driver (fixture, i, NULL);
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 0);
}

/* entries written before plans were recorded: still read, given back by
 * owner and card slot as reattach did then */
static void
test_old_format (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) given = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  detach_all (fixture, "oldvm");
  for (guint i = 0; i < N_FUNCTIONS; i++) {
    g_autofree gchar *path = entry_path (fixture, i);
    g_autofree gchar *contents = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) old = g_string_new (NULL);

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    for (guint j = 0; lines[j] != NULL; j++)
      if (!g_str_has_prefix (lines[j], "plan="))
        g_string_append_printf (old, "%s\n", lines[j]);
    g_assert_true (g_file_set_contents (path, old->str, -1, NULL));
  }
  entries = vmctl_vfio_status (fixture->vfio, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, N_FUNCTIONS);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_null (((VmctlJournalEntry *) g_ptr_array_index (entries, 0))->plan);
  g_assert_true (vmctl_vfio_reattach (fixture->vfio, &fixture->addresses[1], 1, &given, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (given->len, ==, N_FUNCTIONS);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    assert_driver (fixture, i, NULL);
}

/* another vmctl holds one function's lock: reattach and recover leave the
 * whole plan alone, at once, and say so */
static void
test_busy_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlDeviceLock) held = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;
  g_autoptr(GError) error = NULL;

  detach_all (fixture, "");
  held = vmctl_device_lock_acquire (fixture->state, &fixture->addresses[3], 0, &error);
  g_assert_no_error (error);
  /* a reattach that would wait, were it allowed to */
  vmctl_vfio_set_lock_timeout (fixture->vfio, 20000);
  g_assert_false (vmctl_vfio_reattach (fixture->vfio, &fixture->addresses[0], 1, NULL, &error));
  g_assert_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "plan 0000:01:00.0 0000:01:00.1 0000:01:00.2 "
                                            "0000:01:00.3 left alone"));
  g_clear_error (&error);
  recovery = vmctl_vfio_recover (fixture->vfio, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recovery->reattached->len, ==, 0);
  g_assert_cmpuint (recovery->kept->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (recovery->kept, 0), "left alone"));
  assert_log_empty (fixture);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    assert_driver (fixture, i, "vfio-pci");
}

/* one member's entry is garbage: nobody knows that function's driver, and
 * giving back the rest would split the group */
static void
test_corrupt_member (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = entry_path (fixture, 1);
  g_autoptr(VmctlVfioRecovery) recovery = NULL;
  g_autoptr(GError) error = NULL;

  detach_all (fixture, "");
  g_assert_true (g_file_set_contents (path, "[entry]\ngarbage\n", -1, NULL));
  g_assert_false (vmctl_vfio_reattach (fixture->vfio, &fixture->addresses[0], 1, NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "0000:01:00.1.entry"));
  g_clear_error (&error);
  recovery = vmctl_vfio_recover (fixture->vfio, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recovery->reattached->len, ==, 0);
  /* the corrupt file, and the plan it keeps */
  g_assert_cmpuint (recovery->failed->len, ==, 2);
  assert_log_empty (fixture);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    assert_driver (fixture, i, "vfio-pci");
}

/* a journaled driver that is a driver name but not loaded: checked before
 * anything changes, so the function stays on vfio-pci (not driverless) */
static void
test_driver_not_loaded (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = entry_path (fixture, 3);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("original_driver=nvidia-gpu", 0, 0, NULL);

  g_assert_true (vmctl_vfio_detach (fixture->vfio, &fixture->addresses[3], 1, "", &error));
  g_assert_no_error (error);
  g_strfreev (vmctl_test_sim_take_log (fixture->root));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  edited = g_regex_replace_literal (regex, contents, -1, 0, "original_driver=gone_driver", 0, NULL);
  g_assert_true (g_file_set_contents (path, edited, -1, NULL));
  g_assert_false (vmctl_vfio_reattach (fixture->vfio, &fixture->addresses[3], 1, NULL, &error));
  g_assert_nonnull (strstr (error->message, "driver 'gone_driver' is not loaded"));
  assert_log_empty (fixture);
  assert_driver (fixture, 3, "vfio-pci");
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 1);
}

/* a function's driver link that names "..": it becomes no path (the
 * unbind would be /sys/bus/pci/unbind) and no journal entry */
static void
test_driver_link_dotdot (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *link = g_build_filename (fixture->root,
                                             "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.2/driver",
                                             NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink ("../../../../bus/pci/drivers/..", link), ==, 0);
  g_assert_false (vmctl_vfio_detach (fixture->vfio, &fixture->addresses[2], 1, "", &error));
  g_assert_nonnull (strstr (error->message, "not a driver name"));
  assert_log_empty (fixture);
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 0);
}

static gchar *
gamer_runs (const VmctlJournalEntry *entry, gpointer data)
{
  return g_strcmp0 (entry->owner, "gamer") == 0 ? g_strdup ("gamer") : NULL;
}

/* reattach asks who uses the functions: a running VM's are refused */
static void
test_running_user (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  detach_all (fixture, "gamer");
  vmctl_vfio_set_user (fixture->vfio, gamer_runs, NULL);
  g_assert_false (vmctl_vfio_reattach (fixture->vfio, &fixture->addresses[0], 1, NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING);
  g_assert_nonnull (strstr (error->message, "in use by running VM 'gamer'"));
  g_clear_error (&error);
  g_assert_false (vmctl_vfio_reattach_owner (fixture->vfio, "gamer", NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING);
  g_clear_error (&error);
  assert_log_empty (fixture);
  vmctl_vfio_set_user (fixture->vfio, NULL, NULL);
  g_assert_true (vmctl_vfio_reattach_owner (fixture->vfio, "gamer", NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    assert_driver (fixture, i, NULL);
}

/* a second detach for the same VM (the hook's prepare inside `vmctl
 * start`) uses what the first did; another VM is still refused */
static void
test_same_owner (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  detach_all (fixture, "gamer");
  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, N_FUNCTIONS, "gamer", &error));
  g_assert_no_error (error);
  assert_log_empty (fixture);
  g_assert_false (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 1, "other", &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_HELD);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim ("test-vfio-plans");
  g_unsetenv ("VMCTL_SIM_ROOT");
#define ADD(path, fn) g_test_add ("/vmctl/vfio/plans/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("whole-plan", test_whole_plan);
  ADD ("old-format", test_old_format);
  ADD ("busy-plan", test_busy_plan);
  ADD ("corrupt-member", test_corrupt_member);
  ADD ("driver-not-loaded", test_driver_not_loaded);
  ADD ("driver-link-dotdot", test_driver_link_dotdot);
  ADD ("running-user", test_running_user);
  ADD ("same-owner", test_same_owner);
#undef ADD
  return g_test_run ();
}
