/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-journal.c: the crash-safe journal: round trips, atomic replace,
 * stale entries, malformed files, and state directories that cannot work. */
#include "vmctl-journal.h"
#include "vmctl-test-util.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#define BOOT_ID "/proc/sys/kernel/random/boot_id"

typedef struct {
  gchar *root;      /* copied host tree with proc/sys/kernel/random/boot_id */
  gchar *temp;      /* holds the state directory */
  gchar *state_dir; /* temp/state, not created yet */
  VmctlHost *host;
  VmctlJournal *journal;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario ("clean-gpu-audio");
  fixture->temp = g_dir_make_tmp ("vmctl-journal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->state_dir = g_build_filename (fixture->temp, "state", NULL);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->journal = vmctl_journal_open (fixture->state_dir, fixture->host, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_journal_free (fixture->journal);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->temp);
  g_free (fixture->root);
  g_free (fixture->temp);
  g_free (fixture->state_dir);
}

static VmctlPciAddress
parse (const gchar *text)
{
  VmctlPciAddress address = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_pci_address_parse (text, &address, &error));
  g_assert_no_error (error);
  return address;
}

static void
write_entry (Fixture *fixture, const gchar *address_text, const gchar *driver,
             const gchar *owner, VmctlJournalStep step)
{
  VmctlPciAddress address = parse (address_text);
  g_autoptr(VmctlJournalEntry) entry = vmctl_journal_entry_new (&address, driver, "", owner, step);
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_journal_write (fixture->journal, entry, &error));
  g_assert_no_error (error);
}

/* write a raw file into STATE/journal, as a crash, an editor or a bug would */
static void
write_raw (Fixture *fixture, const gchar *name, const gchar *contents)
{
  g_autofree gchar *path = g_build_filename (vmctl_journal_get_directory (fixture->journal), name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static guint
count_files (const gchar *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static void
test_steps (Fixture *fixture, gconstpointer data)
{
  const gchar *names[] = { "override-written", "unbound", "probed", "bound-vfio" };
  VmctlJournalStep step;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_assert_true (vmctl_journal_step_from_string (names[i], &step));
    g_assert_cmpint (step, ==, i);
    g_assert_cmpstr (vmctl_journal_step_to_string (step), ==, names[i]);
  }
  step = VMCTL_JOURNAL_STEP_PROBED;
  g_assert_false (vmctl_journal_step_from_string ("bound", &step));
  g_assert_false (vmctl_journal_step_from_string (NULL, &step));
  g_assert_cmpint (step, ==, VMCTL_JOURNAL_STEP_PROBED);
}

static void
test_open_creates_private_directory (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *expected = g_build_filename (fixture->state_dir, "journal", NULL);
  GStatBuf state_stat, journal_stat;

  g_assert_cmpstr (vmctl_journal_get_directory (fixture->journal), ==, expected);
  g_assert_cmpint (g_stat (fixture->state_dir, &state_stat), ==, 0);
  g_assert_cmpint (g_stat (expected, &journal_stat), ==, 0);
  g_assert_cmpint (state_stat.st_mode & 07777, ==, 0700);
  g_assert_cmpint (journal_stat.st_mode & 07777, ==, 0700);
  g_assert_cmpstr (vmctl_journal_get_boot_id (fixture->journal), ==,
                   "6869d801-9af6-5db7-9260-39d873d901fe");
}

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress gpu = parse ("0000:01:00.0");
  VmctlPciAddress audio = parse ("0000:01:00.1");
  g_autoptr(VmctlJournalEntry) entry =
    vmctl_journal_entry_new (&gpu, "nvidia", "", "win11", VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN);
  g_autoptr(VmctlJournalEntry) found = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = vmctl_journal_entry_path (fixture->journal, &gpu);
  g_autoptr(GDateTime) time = NULL;

  g_assert_true (g_str_has_suffix (path, "/journal/0000:01:00.0.entry"));
  g_assert_null (entry->boot_id);
  g_assert_null (entry->time);

  /* written out of order: the list comes back sorted */
  write_entry (fixture, "0000:01:00.1", "snd_hda_intel", "", VMCTL_JOURNAL_STEP_BOUND_VFIO);
  g_assert_true (vmctl_journal_write (fixture->journal, entry, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  /* write stamps what it wrote */
  g_assert_cmpstr (entry->boot_id, ==, vmctl_journal_get_boot_id (fixture->journal));
  g_assert_nonnull (entry->time);
  time = g_date_time_new_from_iso8601 (entry->time, NULL);
  g_assert_nonnull (time);
  g_assert_true (g_str_has_suffix (entry->time, "Z"));

  found = vmctl_journal_lookup (fixture->journal, &gpu, &error);
  g_assert_no_error (error);
  g_assert_true (vmctl_pci_address_equal (&found->address, &gpu));
  g_assert_cmpstr (found->original_driver, ==, "nvidia");
  g_assert_cmpstr (found->original_driver_override, ==, "");
  g_assert_cmpstr (found->owner, ==, "win11");
  g_assert_cmpstr (found->boot_id, ==, entry->boot_id);
  g_assert_cmpstr (found->time, ==, entry->time);
  g_assert_cmpint (found->step, ==, VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN);
  g_assert_false (vmctl_journal_entry_is_stale (fixture->journal, found));

  entries = vmctl_journal_list (fixture->journal, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_true (vmctl_pci_address_equal (&((VmctlJournalEntry *) entries->pdata[0])->address, &gpu));
  g_assert_true (vmctl_pci_address_equal (&((VmctlJournalEntry *) entries->pdata[1])->address, &audio));
  g_assert_cmpstr (((VmctlJournalEntry *) entries->pdata[1])->owner, ==, "");
  g_assert_cmpint (((VmctlJournalEntry *) entries->pdata[1])->step, ==, VMCTL_JOURNAL_STEP_BOUND_VFIO);

  g_assert_true (vmctl_journal_remove (fixture->journal, &gpu, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&found, vmctl_journal_entry_free);
  found = vmctl_journal_lookup (fixture->journal, &gpu, &error);
  g_assert_null (found);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* removing twice succeeds, so an interrupted recovery can be re-run */
  g_assert_true (vmctl_journal_remove (fixture->journal, &gpu, &error));
  g_assert_no_error (error);

  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = vmctl_journal_list (fixture->journal, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
}

static void
test_replace (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress gpu = parse ("0000:01:00.0");
  g_autoptr(VmctlJournalEntry) entry =
    vmctl_journal_entry_new (&gpu, "nvidia", "nouveau", "win11", VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN);
  g_autoptr(VmctlJournalEntry) update = NULL;
  g_autoptr(VmctlJournalEntry) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *path = vmctl_journal_entry_path (fixture->journal, &gpu);

  g_assert_true (vmctl_journal_write (fixture->journal, entry, &error));
  g_assert_no_error (error);

  /* the engine advances the step on a copy of what it wrote: the time
   * ("since when") is kept */
  update = vmctl_journal_entry_copy (entry);
  update->step = VMCTL_JOURNAL_STEP_UNBOUND;
  g_free (update->original_driver_override);
  update->original_driver_override = g_strdup ("");
  g_assert_true (vmctl_journal_write (fixture->journal, update, &error));
  g_assert_no_error (error);

  found = vmctl_journal_lookup (fixture->journal, &gpu, &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->step, ==, VMCTL_JOURNAL_STEP_UNBOUND);
  g_assert_cmpstr (found->original_driver_override, ==, "");
  g_assert_cmpstr (found->original_driver, ==, "nvidia");
  g_assert_cmpstr (found->time, ==, entry->time);

  /* the file was replaced whole: nothing of the old value survives, and
   * no temporary file is left beside it */
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_null (strstr (contents, "nouveau"));
  g_assert_nonnull (strstr (contents, "step=unbound"));
  g_assert_cmpuint (count_files (vmctl_journal_get_directory (fixture->journal)), ==, 1);
}

static void
test_awkward_strings (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress address = parse ("abcd:ef:1f.7");
  const gchar *bad[][3] = {
    /* owner, original driver, original driver_override */
    { "my vm = [test]\n# not a comment", "", "" },
    { "../../etc", "", "" },
    { "", "../../../../tmp/x", "" },
    { "", "nvidia", "../vfio-pci" },
    { "", "..", "" },
  };
  g_autoptr(VmctlJournalEntry) entry =
    vmctl_journal_entry_new (&address, NULL, "vfio-pci", "win-11_v2.0+test", VMCTL_JOURNAL_STEP_PROBED);
  g_autoptr(VmctlJournalEntry) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = vmctl_journal_entry_path (fixture->journal, &address);

  g_assert_true (g_str_has_suffix (path, "/abcd:ef:1f.7.entry"));
  g_assert_true (vmctl_journal_write (fixture->journal, entry, &error));
  g_assert_no_error (error);
  found = vmctl_journal_lookup (fixture->journal, &address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->owner, ==, "win-11_v2.0+test");
  g_assert_cmpstr (found->original_driver, ==, "");
  g_assert_cmpstr (found->original_driver_override, ==, "vfio-pci");
  /* what vmctl would refuse to read back (an owner that is no VM name, a
   * driver that is no driver name) is never written: the entry on disk
   * stays the previous one */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(VmctlJournalEntry) wrong =
      vmctl_journal_entry_new (&address, bad[i][1], bad[i][2], bad[i][0], VMCTL_JOURNAL_STEP_PROBED);
    g_autoptr(VmctlJournalEntry) still = NULL;

    g_assert_false (vmctl_journal_write (fixture->journal, wrong, &error));
    g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED);
    g_clear_error (&error);
    still = vmctl_journal_lookup (fixture->journal, &address, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (still->owner, ==, "win-11_v2.0+test");
  }
}

static void
test_stale (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress gpu = parse ("0000:01:00.0");
  g_autoptr(VmctlJournal) rebooted = NULL;
  g_autoptr(VmctlJournalEntry) found = NULL;
  g_autoptr(GError) error = NULL;

  write_entry (fixture, "0000:01:00.0", "nvidia", "win11", VMCTL_JOURNAL_STEP_BOUND_VFIO);
  /* the host reboots: a new boot id */
  vmctl_test_write (fixture->root, BOOT_ID + 1, "0b8c6a55-1111-4222-8333-944455556666\n");
  rebooted = vmctl_journal_open (fixture->state_dir, fixture->host, &error);
  g_assert_no_error (error);

  found = vmctl_journal_lookup (rebooted, &gpu, &error);
  g_assert_no_error (error);
  g_assert_true (vmctl_journal_entry_is_stale (rebooted, found));
  g_assert_false (vmctl_journal_entry_is_stale (fixture->journal, found));

  /* an entry written after the reboot is current again */
  g_clear_pointer (&found->boot_id, g_free);
  g_assert_true (vmctl_journal_write (rebooted, found, &error));
  g_assert_no_error (error);
  g_assert_false (vmctl_journal_entry_is_stale (rebooted, found));
}

static void
test_malformed (Fixture *fixture, gconstpointer data)
{
  const gchar *good_rest =
    "original_driver=nvidia\noriginal_driver_override=\nowner=\n"
    "boot_id=6869d801-9af6-5db7-9260-39d873d901fe\ntime=2026-11-21T10:00:00Z\n";
  g_autofree gchar *wrong_address = g_strconcat ("[entry]\naddress=0000:01:00.0\n", good_rest,
                                                 "step=unbound\n", NULL);
  g_autofree gchar *bad_step = g_strconcat ("[entry]\naddress=0000:06:00.0\n", good_rest,
                                            "step=sideways\n", NULL);
  g_autofree gchar *bad_time = g_strconcat ("[entry]\naddress=0000:07:00.0\n",
                                            "original_driver=nvidia\noriginal_driver_override=\nowner=\n"
                                            "boot_id=x\ntime=yesterday\nstep=unbound\n", NULL);
  const gchar *bad_names[] = {
    "0000:02:00.0.entry", "0000:03:00.0.entry", "0000:04:00.0.entry", "0000:05:00.0.entry",
    "0000:06:00.0.entry", "0000:07:00.0.entry", "README", "not-an-address.entry",
  };
  VmctlPciAddress empty_address = parse ("0000:02:00.0");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(VmctlJournalEntry) found = NULL;
  g_autoptr(GError) error = NULL;

  write_entry (fixture, "0000:01:00.0", "nvidia", "win11", VMCTL_JOURNAL_STEP_BOUND_VFIO);
  write_entry (fixture, "0000:0a:00.0", "", "", VMCTL_JOURNAL_STEP_PROBED);
  write_raw (fixture, "0000:02:00.0.entry", "");
  write_raw (fixture, "0000:03:00.0.entry", "\x01\x02 garbage [[[\n=");
  write_raw (fixture, "0000:04:00.0.entry", wrong_address);
  write_raw (fixture, "0000:05:00.0.entry", "[entry]\naddress=0000:05:00.0\n"); /* truncated */
  write_raw (fixture, "0000:06:00.0.entry", bad_step);
  write_raw (fixture, "0000:07:00.0.entry", bad_time);
  write_raw (fixture, "..etc.entry", "ignored: a dot file is an interrupted write");
  write_raw (fixture, ".entry-abc123", "ignored too");
  write_raw (fixture, "README", "not an entry");
  write_raw (fixture, "not-an-address.entry", "[entry]\n");

  entries = vmctl_journal_list (fixture->journal, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((VmctlJournalEntry *) entries->pdata[0])->original_driver, ==, "nvidia");
  g_assert_cmpstr (((VmctlJournalEntry *) entries->pdata[1])->original_driver, ==, "");
  /* six broken entries, README and not-an-address.entry */
  g_assert_cmpuint (problems->len, ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    gboolean reported = FALSE;

    for (guint j = 0; j < problems->len; j++) {
      VmctlJournalProblem *problem = problems->pdata[j];

      g_assert_true (g_str_has_prefix (problem->path, vmctl_journal_get_directory (fixture->journal)));
      g_assert_nonnull (problem->message);
      if (g_str_has_suffix (problem->path, bad_names[i]))
        reported = TRUE;
    }
    g_assert_true (reported);
  }
  for (guint j = 0; j < problems->len; j++) {
    VmctlJournalProblem *problem = problems->pdata[j];

    if (g_str_has_suffix (problem->path, "0000:04:00.0.entry"))
      g_assert_nonnull (strstr (problem->message, "does not match"));
    if (g_str_has_suffix (problem->path, "0000:06:00.0.entry"))
      g_assert_nonnull (strstr (problem->message, "sideways"));
  }

  found = vmctl_journal_lookup (fixture->journal, &empty_address, &error);
  g_assert_null (found);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "0000:02:00.0.entry"));
  g_clear_error (&error);
  /* a malformed entry can still be removed (after it was reported) */
  g_assert_true (vmctl_journal_remove (fixture->journal, &empty_address, &error));
  g_assert_no_error (error);
}

static void
test_state_dir_unwritable (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *file = g_build_filename (fixture->temp, "file", NULL);
  g_autofree gchar *below_file = g_build_filename (file, "state", NULL);
  g_autoptr(VmctlJournal) journal = NULL;
  g_autoptr(GError) error = NULL;

  /* tests run as root, and root ignores permission bits, so a chmod 0500
   * directory would still be writable. A path under a regular file fails
   * for root too (ENOTDIR), and so does a state "directory" that is a file:
   * the errors a real misconfiguration gives */
  g_assert_true (g_file_set_contents (file, "", 0, &error));
  journal = vmctl_journal_open (below_file, fixture->host, &error);
  g_assert_null (journal);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_STATE_DIR);
  g_assert_nonnull (strstr (error->message, below_file));
  g_assert_nonnull (strstr (error->message, "--state-dir"));
  g_clear_error (&error);

  journal = vmctl_journal_open (file, fixture->host, &error);
  g_assert_null (journal);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_STATE_DIR);
  g_assert_nonnull (strstr (error->message, file));
}

static void
test_no_boot_id (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *state_dir = g_build_filename (fixture->temp, "other-state", NULL);
  g_autoptr(VmctlJournal) journal = NULL;
  g_autoptr(GError) error = NULL;

  vmctl_test_unlink (fixture->root, BOOT_ID + 1);
  journal = vmctl_journal_open (state_dir, fixture->host, &error);
  g_assert_null (journal);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_BOOT_ID);
  g_assert_nonnull (strstr (error->message, fixture->root));
  g_clear_error (&error);
  /* nothing is created for a journal that cannot work */
  g_assert_false (g_file_test (state_dir, G_FILE_TEST_EXISTS));

  vmctl_test_write (fixture->root, BOOT_ID + 1, "\n");
  journal = vmctl_journal_open (state_dir, fixture->host, &error);
  g_assert_null (journal);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_BOOT_ID);
}

/* files in the journal that are not regular files: reported at once, never
 * read through, never hanging a reader */
static void
test_not_regular (Fixture *fixture, gconstpointer data)
{
  const gchar *directory = vmctl_journal_get_directory (fixture->journal);
  g_autofree gchar *fifo = g_build_filename (directory, "0000:02:00.0.entry", NULL);
  g_autofree gchar *link = g_build_filename (directory, "0000:03:00.0.entry", NULL);
  g_autofree gchar *target = g_build_filename (fixture->temp, "target", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(VmctlJournalEntry) found = NULL;
  g_autoptr(VmctlJournalEntry) over = NULL;
  g_autoptr(GError) error = NULL;
  VmctlPciAddress linked = parse ("0000:03:00.0");
  VmctlPciAddress piped = parse ("0000:02:00.0");
  gint64 started = g_get_monotonic_time ();

  write_entry (fixture, "0000:01:00.0", "nvidia", "win11", VMCTL_JOURNAL_STEP_BOUND_VFIO);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  vmctl_test_write (fixture->temp, "target", "[entry]\naddress=0000:03:00.0\n");
  g_assert_cmpint (symlink (target, link), ==, 0);

  entries = vmctl_journal_list (fixture->journal, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpuint (problems->len, ==, 2);
  for (guint i = 0; i < problems->len; i++) {
    VmctlJournalProblem *problem = problems->pdata[i];

    g_assert_true (problem->has_address);
    g_assert_nonnull (strstr (problem->message, g_str_has_suffix (problem->path, "0000:02:00.0.entry")
                                                ? "a FIFO" : "a symbolic link"));
  }
  found = vmctl_journal_lookup (fixture->journal, &piped, &error);
  g_assert_null (found);
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "0000:02:00.0.entry' is corrupt"));
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);

  /* writing an entry replaces the link itself; its target is untouched */
  over = vmctl_journal_entry_new (&linked, "ahci", "", "", VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN);
  g_assert_true (vmctl_journal_write (fixture->journal, over, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "[entry]\naddress=0000:03:00.0\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, setup, function, teardown)
  ADD ("/vmctl/journal/steps", test_steps);
  ADD ("/vmctl/journal/open", test_open_creates_private_directory);
  ADD ("/vmctl/journal/round-trip", test_round_trip);
  ADD ("/vmctl/journal/replace", test_replace);
  ADD ("/vmctl/journal/awkward-strings", test_awkward_strings);
  ADD ("/vmctl/journal/stale", test_stale);
  ADD ("/vmctl/journal/malformed", test_malformed);
  ADD ("/vmctl/journal/state-dir-unwritable", test_state_dir_unwritable);
  ADD ("/vmctl/journal/no-boot-id", test_no_boot_id);
  ADD ("/vmctl/journal/not-regular", test_not_regular);
#undef ADD
  return g_test_run ();
}
