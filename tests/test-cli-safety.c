/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-safety.c: the gpu commands against a hostile or careless host
 * (issue 8), the built binary run on a copied fixture under the simulated
 * kernel (libvmctl-kernel-sim.so in LD_PRELOAD):
 *  - a journal entry whose original driver climbs out of the host root
 *    ("../../../../../vmctl-outside-X/x") never makes recover or reattach
 *    write there; it is named as corrupt and the other plans go back;
 *  - a state directory, journal/ or locks/ that is a symlink, someone
 *    else's or writable by others is refused with one line; a planted
 *    symlink or hard link never carries a write;
 *  - a FIFO in the journal hangs no command;
 *  - a recover racing a detach never splits its plan;
 *  - reattach refuses functions a running domain uses, naming it.
 * Every run goes through timeout(1): a hang is a failure, not a stuck
 * test. */
#include "vmctl-test-cli.h"
#include "vmctl-test-sim.h"
#include "vmctl-vfio.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* seconds one vmctl run may take before it counts as hung */
#define RUN_LIMIT 20

typedef struct {
  gchar *root;     /* a copy of tests/data/sysfs/<scenario> */
  gchar *state;    /* --state-dir */
  gchar *outside;  /* a directory outside both: nothing may be written there */
} Fixture;

static const gchar *const CLEAN[] = { "0000:01:00.0", "0000:01:00.1", NULL };
static const gchar *const CLEAN_DRIVERS[] = { "nvidia", "snd_hda_intel", NULL };

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *sim = NULL;

  fixture->root = vmctl_test_copy_scenario (data);
  sim = g_build_filename (fixture->root, ".sim", NULL);
  g_assert_cmpint (g_mkdir (sim, 0755), ==, 0);
  vmctl_test_write (fixture->root, ".sim/log", "");
  fixture->state = g_dir_make_tmp ("vmctl-safety-state-XXXXXX", NULL);
  fixture->outside = g_dir_make_tmp ("vmctl-outside-XXXXXX", NULL);
  g_assert_nonnull (fixture->state);
  g_assert_nonnull (fixture->outside);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->state);
  vmctl_test_remove_tree (fixture->outside);
  g_free (fixture->root);
  g_free (fixture->state);
  g_free (fixture->outside);
}

static gint
finish (GSubprocess *process, gchar **out_stdout, gchar **out_stderr)
{
  g_autoptr(GError) error = NULL;
  gint status;

  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, out_stderr,
                                                &error));
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                : 128 + g_subprocess_get_term_sig (process);
  /* timeout(1) says 124 when it had to stop vmctl: it hung */
  g_assert_cmpint (status, !=, 124);
  return status;
}

/* vmctl ARGS... on this tree and @state_dir, not waiting for locks */
static VmctlTestRun *
run_full (Fixture *fixture, const gchar *state_dir, const gchar *first, va_list args)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  VmctlTestRun *run = g_new0 (VmctlTestRun, 1);

  for (const gchar *arg = first; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (words, (gpointer) arg);
  g_ptr_array_add (words, NULL);
  process = vmctl_test_sim_spawn (fixture->root, state_dir, "1", RUN_LIMIT,
                                  (const gchar * const *) words->pdata);
  run->exit_status = finish (process, &run->out, &run->err);
  return run;
}

static VmctlTestRun *
run_in (Fixture *fixture, const gchar *state_dir, const gchar *first, ...) G_GNUC_NULL_TERMINATED;

static VmctlTestRun *
run_in (Fixture *fixture, const gchar *state_dir, const gchar *first, ...)
{
  VmctlTestRun *run;
  va_list args;

  va_start (args, first);
  run = run_full (fixture, state_dir, first, args);
  va_end (args);
  return run;
}

#define run(fixture, ...) run_in ((fixture), (fixture)->state, __VA_ARGS__, NULL)

static gchar *
driver_of (Fixture *fixture, const gchar *address)
{
  return vmctl_test_sim_driver (fixture->root, address);
}

static void
assert_drivers (Fixture *fixture, const gchar *const *addresses, const gchar *driver_or_null,
                const gchar *const *drivers)
{
  for (guint i = 0; addresses[i] != NULL; i++) {
    g_autofree gchar *driver = driver_of (fixture, addresses[i]);

    g_assert_cmpstr (driver, ==, driver_or_null != NULL ? driver_or_null : drivers[i]);
  }
}

static void
assert_log_empty (Fixture *fixture)
{
  g_auto(GStrv) log = vmctl_test_sim_take_log (fixture->root);

  g_assert_cmpuint (g_strv_length (log), ==, 0);
}

static gchar *
read_file (const gchar *path)
{
  gchar *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* a file outside the host root and the state directory, with @contents */
static gchar *
outside_file (Fixture *fixture, const gchar *relative, const gchar *contents)
{
  vmctl_test_write (fixture->outside, relative, contents);
  return g_build_filename (fixture->outside, relative, NULL);
}

static void
assert_failed_with (VmctlTestRun *run, const gchar *needle)
{
  g_test_message ("stderr: %s", run->err);
  g_assert_cmpint (run->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (run);
  g_assert_nonnull (strstr (run->err, needle));
}

/* ---- 1. a journaled driver that climbs out of the host root ---- */

/* what vmctl would write for 0000:02:00.0 (nvme) had it detached it, but
 * with an original driver that leads from ROOT/sys/bus/pci/drivers/ to
 * OUTSIDE/x */
static void
plant_escaping_entry (Fixture *fixture)
{
  g_autofree gchar *base = g_path_get_basename (fixture->outside);
  g_autofree gchar *driver = g_strdup_printf ("../../../../../%s/x", base);
  g_autofree gchar *boot_id_path = g_build_filename (fixture->root,
                                                     "proc/sys/kernel/random/boot_id", NULL);
  g_autofree gchar *boot_id = read_file (boot_id_path);
  g_autofree gchar *entry = g_strdup_printf ("[entry]\naddress=0000:02:00.0\n"
                                             "original_driver=%s\noriginal_driver_override=\n"
                                             "owner=\nboot_id=%s\ntime=2026-11-21T10:00:00Z\n"
                                             "step=bound-vfio\n", driver, g_strstrip (boot_id));
  g_autofree gchar *journal = g_build_filename (fixture->state, "journal", NULL);
  g_autofree gchar *root_parent = g_path_get_dirname (fixture->root);
  g_autofree gchar *outside_parent = g_path_get_dirname (fixture->outside);

  /* the parent of ROOT is the directory OUTSIDE sits in */
  g_assert_cmpstr (root_parent, ==, outside_parent);
  g_assert_cmpint (g_mkdir_with_parents (journal, 0700), ==, 0);
  vmctl_test_write (fixture->state, "journal/0000:02:00.0.entry", entry);
}

static void
test_driver_escape (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *target = outside_file (fixture, "x/bind", "untouched\n");
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) status = NULL;
  g_autoptr(VmctlTestRun) reattach = NULL;
  g_autoptr(VmctlTestRun) recover = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *problems;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *nvme = NULL;

  g_assert_cmpint (detach->exit_status, ==, 0);
  plant_escaping_entry (fixture);
  g_strfreev (vmctl_test_sim_take_log (fixture->root));

  /* status names it as corrupt, and lists the good ones */
  status = run (fixture, "gpu", "status", "--json");
  g_assert_cmpint (status->exit_status, ==, 0);
  node = vmctl_test_parse_json (status->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "functions")), ==, 2);
  problems = json_object_get_array_member (json_node_get_object (node), "problems");
  g_assert_cmpuint (json_array_get_length (problems), ==, 1);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (json_array_get_object_element (problems, 0),
                                                                  "path"), "0000:02:00.0.entry"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (problems, 0),
                                                           "message"), "original_driver"));

  /* reattach of that function: refused, nothing written */
  reattach = run (fixture, "gpu", "reattach", "02:00.0");
  assert_failed_with (reattach, "0000:02:00.0.entry");
  g_assert_nonnull (strstr (reattach->err, "corrupt"));
  assert_log_empty (fixture);

  /* recover: the good plan goes back, the bad entry is named and left */
  recover = run (fixture, "gpu", "recover");
  g_test_message ("recover: %s%s", recover->out, recover->err);
  g_assert_cmpint (recover->exit_status, ==, 1);
  g_assert_nonnull (strstr (recover->out, "reattached: 0000:01:00.1 -> snd_hda_intel"));
  g_assert_nonnull (strstr (recover->out, "reattached: 0000:01:00.0 -> nvidia"));
  g_assert_nonnull (strstr (recover->out, "0000:02:00.0.entry"));
  assert_drivers (fixture, CLEAN, NULL, CLEAN_DRIVERS);
  nvme = driver_of (fixture, "0000:02:00.0");
  g_assert_cmpstr (nvme, ==, "nvme");
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 1);

  /* and never a byte outside the host root */
  contents = read_file (target);
  g_assert_cmpstr (contents, ==, "untouched\n");
}

/* ---- 2. the state directory ---- */

static void
assert_untouched_detach (Fixture *fixture, const gchar *state_dir, const gchar *needle)
{
  g_autoptr(VmctlTestRun) detach = run_in (fixture, state_dir, "gpu", "detach", "01:00.0", NULL);
  g_autoptr(VmctlTestRun) dry = run_in (fixture, state_dir, "gpu", "detach", "01:00.0",
                                        "--dry-run", NULL);
  g_autoptr(VmctlTestRun) status = run_in (fixture, state_dir, "gpu", "status", NULL);
  g_autoptr(VmctlTestRun) recover = run_in (fixture, state_dir, "gpu", "recover", NULL);

  assert_failed_with (detach, needle);
  g_assert_nonnull (strstr (detach->err, "--state-dir"));
  assert_failed_with (dry, needle);
  assert_failed_with (status, needle);
  assert_failed_with (recover, needle);
  assert_log_empty (fixture);
  assert_drivers (fixture, CLEAN, NULL, CLEAN_DRIVERS);
}

static gboolean
directory_is_empty (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  return g_dir_read_name (dir) == NULL;
}

static void
test_state_symlink (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *link = g_build_filename (fixture->state, "link", NULL);
  g_autofree gchar *slash = g_strconcat (link, "/", NULL);

  g_assert_cmpint (symlink (fixture->outside, link), ==, 0);
  assert_untouched_detach (fixture, link, "is a symbolic link");
  /* a trailing slash makes open() follow the link: not here */
  assert_untouched_detach (fixture, slash, "is a symbolic link");
  g_assert_true (directory_is_empty (fixture->outside));
}

static void
test_subdir_symlink (Fixture *fixture, gconstpointer data)
{
  const gchar *subdirectories[] = { "journal", "locks" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirectories); i++) {
    g_autofree gchar *link = g_build_filename (fixture->state, subdirectories[i], NULL);
    g_autofree gchar *message = g_strdup_printf ("'%s' is a symbolic link", link);

    g_assert_cmpint (symlink (fixture->outside, link), ==, 0);
    assert_untouched_detach (fixture, fixture->state, message);
    g_assert_true (directory_is_empty (fixture->outside));
    g_assert_cmpint (g_unlink (link), ==, 0);
  }
}

static void
test_state_modes (Fixture *fixture, gconstpointer data)
{
  const struct {
    const gchar *subdirectory;  /* NULL: the state directory itself */
    mode_t mode;
    const gchar *says;
  } cases[] = {
    { NULL, 0770, "is group-writable: chmod 700" },
    { NULL, 0703, "is world-writable: chmod 700" },
    { NULL, 0777, "is group- and world-writable" },
    { "journal", 0720, "journal' is group-writable" },
    { "locks", 0702, "locks' is world-writable" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *path = cases[i].subdirectory != NULL
                             ? g_build_filename (fixture->state, cases[i].subdirectory, NULL)
                             : g_strdup (fixture->state);

    g_test_message ("%s mode %o", path, (guint) cases[i].mode);
    g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
    g_assert_cmpint (g_chmod (path, cases[i].mode), ==, 0);
    assert_untouched_detach (fixture, fixture->state, cases[i].says);
    g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  }
}

static void
test_state_owner (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *journal = g_build_filename (fixture->state, "journal", NULL);

  if (geteuid () != 0) {
    g_test_skip ("chown to another user needs root");
    return;
  }
  g_assert_cmpint (chown (fixture->state, 12345, 12345), ==, 0);
  assert_untouched_detach (fixture, fixture->state, "is owned by uid 12345, not by uid 0");
  g_assert_cmpint (chown (fixture->state, 0, 0), ==, 0);
  g_assert_cmpint (g_mkdir (journal, 0700), ==, 0);
  g_assert_cmpint (chown (journal, 12345, 12345), ==, 0);
  assert_untouched_detach (fixture, fixture->state, "journal' is owned by uid 12345");
}

/* files planted in a state directory that is otherwise fine */
static void
test_planted_links (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *precious = outside_file (fixture, "precious", "precious\n");
  g_autofree gchar *entry = g_build_filename (fixture->state, "journal/0000:01:00.0.entry", NULL);
  g_autofree gchar *lock = g_build_filename (fixture->state, "locks/0000:01:00.0.lock", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(VmctlTestRun) linked_entry = NULL;
  g_autoptr(VmctlTestRun) linked_lock = NULL;
  g_autoptr(VmctlTestRun) hard_lock = NULL;
  g_autoptr(VmctlTestRun) status = NULL;

  g_autofree gchar *journal = g_build_filename (fixture->state, "journal", NULL);
  g_autofree gchar *locks = g_build_filename (fixture->state, "locks", NULL);

  g_assert_cmpint (g_mkdir (journal, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (locks, 0700), ==, 0);
  /* a symlink where an entry would be: never followed */
  g_assert_cmpint (symlink (precious, entry), ==, 0);
  linked_entry = run (fixture, "gpu", "detach", "01:00.0");
  assert_failed_with (linked_entry, "is a symbolic link");
  g_assert_nonnull (strstr (linked_entry->err, "0000:01:00.0.entry"));
  status = run (fixture, "gpu", "status");
  g_assert_cmpint (status->exit_status, ==, 0);
  g_assert_nonnull (strstr (status->out, "0000:01:00.0.entry: it is a symbolic link"));
  g_assert_cmpint (g_unlink (entry), ==, 0);

  /* a symlink, then a hard link, where a lock file would be: the PID
   * written into a lock would truncate the file */
  if (g_file_test (lock, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (symlink (precious, lock), ==, 0);
  linked_lock = run (fixture, "gpu", "detach", "01:00.0");
  assert_failed_with (linked_lock, "is a symbolic link");
  g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (link (precious, lock), ==, 0);
  hard_lock = run (fixture, "gpu", "detach", "01:00.0");
  assert_failed_with (hard_lock, "hard-linked");

  assert_log_empty (fixture);
  assert_drivers (fixture, CLEAN, NULL, CLEAN_DRIVERS);
  contents = read_file (precious);
  g_assert_cmpstr (contents, ==, "precious\n");
}

/* ---- 3. a FIFO in the journal ---- */

static void
test_fifo (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *fifo = g_build_filename (fixture->state, "journal/0000:02:00.0.entry", NULL);
  g_autofree gchar *member = g_build_filename (fixture->state, "journal/0000:01:00.1.entry", NULL);
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) status = NULL;
  g_autoptr(VmctlTestRun) reattach = NULL;
  g_autoptr(VmctlTestRun) reattach_vm = NULL;
  g_autoptr(VmctlTestRun) recover = NULL;
  g_autoptr(VmctlTestRun) refused = NULL;
  g_autoptr(VmctlTestRun) again = NULL;
  g_autoptr(VmctlTestRun) member_recover = NULL;

  /* a FIFO beside a good plan: named by every command, hanging none */
  g_assert_cmpint (detach->exit_status, ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  status = run (fixture, "gpu", "status");
  g_assert_cmpint (status->exit_status, ==, 0);
  g_assert_nonnull (strstr (status->out, "0000:02:00.0.entry: it is a FIFO"));
  reattach = run (fixture, "gpu", "reattach", "02:00.0");
  assert_failed_with (reattach, "it is a FIFO");
  reattach_vm = run (fixture, "gpu", "reattach", "--vm", "nobody", "--hook");
  g_assert_cmpint (reattach_vm->exit_status, ==, 0);
  recover = run (fixture, "gpu", "recover");
  g_assert_cmpint (recover->exit_status, ==, 1);
  g_assert_nonnull (strstr (recover->out, "0000:02:00.0.entry: it is a FIFO"));
  g_assert_nonnull (strstr (recover->out, "reattached: 0000:01:00.0 -> nvidia"));
  assert_drivers (fixture, CLEAN, NULL, CLEAN_DRIVERS);
  g_assert_cmpint (g_unlink (fifo), ==, 0);

  /* a FIFO where a function's entry would be: nobody can tell whether it
   * is held, so a detach of its plan is refused */
  g_assert_cmpint (mkfifo (member, 0600), ==, 0);
  g_strfreev (vmctl_test_sim_take_log (fixture->root));
  refused = run (fixture, "gpu", "detach", "01:00.0");
  assert_failed_with (refused, "it is a FIFO");
  assert_log_empty (fixture);
  g_assert_cmpint (g_unlink (member), ==, 0);

  /* and once the plan is detached, a FIFO in place of a member's entry
   * keeps the whole plan where it is */
  again = run (fixture, "gpu", "detach", "01:00.0");
  g_assert_cmpint (again->exit_status, ==, 0);
  g_assert_cmpint (g_unlink (member), ==, 0);
  g_assert_cmpint (mkfifo (member, 0600), ==, 0);
  g_strfreev (vmctl_test_sim_take_log (fixture->root));
  member_recover = run (fixture, "gpu", "recover");
  g_test_message ("recover: %s", member_recover->out);
  g_assert_cmpint (member_recover->exit_status, ==, 1);
  g_assert_nonnull (strstr (member_recover->out, "0000:01:00.1.entry"));
  g_assert_null (strstr (member_recover->out, "reattached"));
  assert_log_empty (fixture);
  assert_drivers (fixture, CLEAN, "vfio-pci", NULL);
}

/* ---- 4. recover racing a detach ---- */

static void
test_race_recover (Fixture *fixture, gconstpointer data)
{
  const gchar *detach_words[] = { "gpu", "detach", "01:00.0", NULL };
  const gchar *recover_words[] = { "gpu", "recover", NULL };
  g_autofree gchar *first = g_build_filename (fixture->state, "journal/0000:01:00.0.entry", NULL);
  g_autofree gchar *detach_out = NULL, *detach_err = NULL;
  g_autofree gchar *recover_out = NULL, *recover_err = NULL;
  g_autoptr(GSubprocess) detach = NULL;
  g_autoptr(GSubprocess) recover = NULL;
  gint64 deadline;
  gint recover_status;

  /* the detach lingers once its first function is moved, before it starts
   * on the second: the journal then holds 0000:01:00.0 only */
  vmctl_test_write (fixture->root, ".sim/delay-after", "drivers_probe=0000:01:00.0 2000\n");
  detach = vmctl_test_sim_spawn (fixture->root, fixture->state, "1", RUN_LIMIT, detach_words);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_file_test (first, G_FILE_TEST_EXISTS)) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_usleep (5000);
  }
  /* a recover that would wait for the locks as long as it likes */
  recover = vmctl_test_sim_spawn (fixture->root, fixture->state, "20000", RUN_LIMIT,
                                  recover_words);
  recover_status = finish (recover, &recover_out, &recover_err);
  g_assert_cmpint (finish (detach, &detach_out, &detach_err), ==, 0);
  g_test_message ("recover (%d): %s%s", recover_status, recover_out, recover_err);
  g_assert_cmpstr (detach_err, ==, "");
  /* the plan is named and left alone: a detach under way is no debris */
  g_assert_cmpint (recover_status, ==, 0);
  g_assert_nonnull (strstr (recover_out, "kept: plan 0000:01:00.0 0000:01:00.1 left alone"));
  g_assert_null (strstr (recover_out, "reattached"));
  /* never split: both functions on vfio-pci, both journaled */
  assert_drivers (fixture, CLEAN, "vfio-pci", NULL);
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 2);
}

/* ---- 5. reattach refuses functions a running domain uses ---- */

static void
test_reattach_running (Fixture *fixture, gconstpointer data)
{
  const gchar *const gamer[] = { "0000:01:00.0", "0000:01:00.1", NULL };
  const gchar *const gamer_drivers[] = { "nvidia", "snd_hda_intel", NULL };
  g_autoptr(VmctlHost) host = vmctl_host_new (fixture->root, NULL);
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("vms");
  g_autoptr(VmctlTestRun) by_address = NULL;
  g_autoptr(VmctlTestRun) by_vm = NULL;
  g_autoptr(VmctlTestRun) hostdev = NULL;
  g_autoptr(VmctlTestRun) forced = NULL;
  g_autoptr(VmctlTestRun) forced_vm = NULL;
  VmctlPciAddress addresses[4];

  for (guint i = 0; i < 4; i++) {
    g_autofree gchar *text = g_strdup_printf ("0000:01:00.%u", i);

    g_assert_true (vmctl_pci_address_parse (text, &addresses[i], NULL));
  }
  /* gamer runs (vms.xml) with 01:00.0-1 detached for it, and 01:00.3,
   * detached by hand, as a hostdev */
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
  vfio = vmctl_vfio_new (host, fixture->state, &error);
  g_assert_no_error (error);
  vmctl_vfio_set_force (vfio, TRUE);
  g_assert_true (vmctl_vfio_detach (vfio, addresses, 2, "gamer", &error));
  g_assert_true (vmctl_vfio_detach (vfio, addresses + 3, 1, "", &error));
  g_assert_no_error (error);
  g_unsetenv ("VMCTL_SIM_ROOT");
  g_strfreev (vmctl_test_sim_take_log (fixture->root));

  by_address = run (fixture, "-c", uri, "gpu", "reattach", "01:00.1");
  assert_failed_with (by_address, "in use by running VM 'gamer'");
  by_vm = run (fixture, "-c", uri, "gpu", "reattach", "--vm", "gamer");
  assert_failed_with (by_vm, "in use by running VM 'gamer'");
  hostdev = run (fixture, "-c", uri, "gpu", "reattach", "01:00.3");
  assert_failed_with (hostdev, "0000:01:00.3 is in use by running VM 'gamer'");
  assert_log_empty (fixture);
  assert_drivers (fixture, gamer, "vfio-pci", NULL);

  forced = run (fixture, "-c", uri, "gpu", "reattach", "01:00.3", "--force");
  g_assert_cmpstr (forced->err, ==, "");
  g_assert_cmpint (forced->exit_status, ==, 0);
  forced_vm = run (fixture, "-c", uri, "gpu", "reattach", "--vm", "gamer", "--force");
  g_assert_cmpstr (forced_vm->err, ==, "");
  g_assert_cmpint (forced_vm->exit_status, ==, 0);
  assert_drivers (fixture, gamer, NULL, gamer_drivers);
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim ("test-cli-safety");
  g_unsetenv ("VMCTL_SIM_ROOT");
#define ADD(path, scenario, fn) \
  g_test_add ("/vmctl/cli/safety/" path, Fixture, scenario, setup, fn, teardown)
  ADD ("driver-escape", "clean-gpu-audio", test_driver_escape);
  ADD ("state/symlink", "clean-gpu-audio", test_state_symlink);
  ADD ("state/subdir-symlink", "clean-gpu-audio", test_subdir_symlink);
  ADD ("state/modes", "clean-gpu-audio", test_state_modes);
  ADD ("state/owner", "clean-gpu-audio", test_state_owner);
  ADD ("state/planted-links", "clean-gpu-audio", test_planted_links);
  ADD ("fifo", "clean-gpu-audio", test_fifo);
  ADD ("race/recover-detach", "clean-gpu-audio", test_race_recover);
  ADD ("reattach-running", "turing-4fn", test_reattach_running);
#undef ADD
  return g_test_run ();
}
