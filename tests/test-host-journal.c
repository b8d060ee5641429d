/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-journal.c: host-change records (issue 13) as bytes and on
 * disk. What vmctl writes reads back the same; nothing read back reaches a
 * path, a write or a command unless it is one vmctl makes: a planted
 * record naming /etc/shadow, a cgroup outside /sys/fs/cgroup, a governor
 * with a shell in it, a command vmctl never runs, is refused whole; a
 * record under another record's name, a symlink, a backup whose bytes are
 * not the recorded original, are refused too. */
#include "vmctl-host-journal.h"
#include "vmctl-host-file.h"
#include "vmctl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static VmctlHostRecord *
full_record (void)
{
  VmctlHostRecord *record = vmctl_host_record_new (VMCTL_HOST_RECORD_SINGLE_GPU, "gamer");
  VmctlHostChange *change;

  record->boot_id = g_strdup ("92dba73d-4c6b-598d-a835-8e3dac0d9bc6");
  record->time = g_strdup ("2026-01-02T03:04:05Z");
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_UNIT_STOP);
  change->name = g_strdup ("display-manager.service");
  change->done = TRUE;
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_WRITE);
  change->path = g_strdup ("/sys/class/vtconsole/vtcon1/bind");
  change->original = g_strdup ("1");
  change->value = g_strdup ("0");
  change->done = TRUE;
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_UNBIND);
  change->driver = g_strdup ("efi-framebuffer");
  change->name = g_strdup ("efi-framebuffer.0");
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_MODULE);
  change->name = g_strdup ("nvidia_drm");
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_SETTING);
  change->name = g_strdup ("gpu");
  change->original = g_strdup ("0000:01:00.0");
  return record;
}

static gchar *
to_data (const VmctlHostRecord *record)
{
  gsize length = 0;

  return vmctl_host_record_to_data (record, &length);
}

static void
test_round_trip (void)
{
  g_autoptr(VmctlHostRecord) record = full_record ();
  g_autoptr(VmctlHostRecord) isolation = vmctl_host_record_new (VMCTL_HOST_RECORD_ISOLATION, NULL);
  g_autoptr(VmctlHostRecord) setup = vmctl_host_record_new (VMCTL_HOST_RECORD_SETUP, NULL);
  VmctlHostChange *change;
  VmctlHostRecord *records[3];

  isolation->boot_id = g_strdup (record->boot_id);
  isolation->time = g_strdup (record->time);
  vmctl_host_record_add_holder (isolation, "first", "2-3");
  vmctl_host_record_add_holder (isolation, "second", "4,5");
  change = vmctl_host_record_add (isolation, VMCTL_HOST_CHANGE_UNIT_CPUS);
  change->name = g_strdup ("system.slice");
  change->original = g_strdup ("");
  change->value = g_strdup ("0-1,6-7");
  change = vmctl_host_record_add (isolation, VMCTL_HOST_CHANGE_WRITE);
  change->path = g_strdup ("/proc/irq/120/smp_affinity_list");
  change->original = g_strdup ("0-7");
  change->value = g_strdup ("0-1,6-7");
  setup->boot_id = g_strdup (record->boot_id);
  setup->time = g_strdup (record->time);
  setup->complete = TRUE;
  change = vmctl_host_record_add (setup, VMCTL_HOST_CHANGE_FILE);
  change->path = g_strdup ("/etc/modules-load.d/vfio.conf");
  change->existed = FALSE;
  change->original_digest = g_strdup ("");
  change->new_digest = vmctl_host_file_digest ("vfio\n", 5);
  change->mode = 0644;
  g_ptr_array_add (change->made_directories, g_strdup ("/etc/modules-load.d"));
  change = vmctl_host_record_add (setup, VMCTL_HOST_CHANGE_COMMAND);
  change->name = g_strdup ("grub2-mkconfig");
  change->original = g_strdup ("/boot/grub2/grub.cfg");
  records[0] = record, records[1] = isolation, records[2] = setup;
  for (guint i = 0; i < G_N_ELEMENTS (records); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree gchar *data = to_data (records[i]);
    g_autoptr(VmctlHostRecord) parsed = vmctl_host_record_parse (data, strlen (data), &error);
    g_autofree gchar *again = NULL;

    g_assert_no_error (error);
    again = to_data (parsed);
    g_assert_cmpstr (again, ==, data);
  }
}

/* each of these made into a record must be refused by the validator, and
 * so never written, and never acted on when planted */
static void
test_refused (void)
{
  static const struct {
    VmctlHostChangeType type;
    const gchar *path;
    const gchar *name;
    const gchar *driver;
    const gchar *original;
    const gchar *value;
  } bad[] = {
    { VMCTL_HOST_CHANGE_WRITE, "/etc/shadow", NULL, NULL, "1", "0" },
    { VMCTL_HOST_CHANGE_WRITE, "/sys/class/vtconsole/vtcon1/../../../../etc/x/bind", NULL, NULL, "1", "0" },
    { VMCTL_HOST_CHANGE_WRITE, "/sys/fs/cgroup/../../etc/cpuset.cpus", NULL, NULL, "", "0" },
    { VMCTL_HOST_CHANGE_WRITE, "/sys/fs/cgroup/a/b/cpuset.cpus", NULL, NULL, "", "0" },
    { VMCTL_HOST_CHANGE_WRITE, "/sys/class/vtconsole/vtcon1/bind", NULL, NULL, "1", "2" },
    { VMCTL_HOST_CHANGE_WRITE, "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", NULL,
      NULL, "powersave", "performance; reboot" },
    { VMCTL_HOST_CHANGE_WRITE, "/proc/irq/12/smp_affinity_list", NULL, NULL, "0-7", "0-1\n2" },
    { VMCTL_HOST_CHANGE_UNIT_STOP, NULL, "../../x.service", NULL, NULL, NULL },
    { VMCTL_HOST_CHANGE_UNIT_STOP, NULL, "system.slice", NULL, NULL, NULL },
    { VMCTL_HOST_CHANGE_UNIT_CPUS, NULL, "sshd.service", NULL, "", "0" },
    { VMCTL_HOST_CHANGE_UNBIND, NULL, "0000:00:02.0", "i915", NULL, NULL },
    { VMCTL_HOST_CHANGE_UNBIND, NULL, "../efi-framebuffer.0", "efi-framebuffer", NULL, NULL },
    { VMCTL_HOST_CHANGE_MODULE, NULL, "../../../tmp/x", NULL, NULL, NULL },
    { VMCTL_HOST_CHANGE_COMMAND, NULL, "sh", NULL, "", NULL },
    { VMCTL_HOST_CHANGE_COMMAND, NULL, "grub-mkconfig", NULL, "/boot/../etc/shadow.cfg", NULL },
    { VMCTL_HOST_CHANGE_COMMAND, NULL, "grub-mkconfig", NULL, "grub.cfg", NULL },
    { VMCTL_HOST_CHANGE_COMMAND, NULL, "kernel-install", NULL, "6.1/../../x", NULL },
    { VMCTL_HOST_CHANGE_COMMAND, NULL, "update-grub", NULL, "--output=/etc/x", NULL },
    { VMCTL_HOST_CHANGE_SETTING, NULL, "gpu", NULL, "../../x", NULL },
    { VMCTL_HOST_CHANGE_SETTING, NULL, "gpu-driver", NULL, "a/b", NULL },
    { VMCTL_HOST_CHANGE_SETTING, NULL, "shell", NULL, "x", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(VmctlHostRecord) record = vmctl_host_record_new (VMCTL_HOST_RECORD_SINGLE_GPU, "gamer");
    VmctlHostChange *change = vmctl_host_record_add (record, bad[i].type);
    g_autoptr(GError) error = NULL;

    change->path = g_strdup (bad[i].path);
    change->name = g_strdup (bad[i].name);
    change->driver = g_strdup (bad[i].driver);
    change->original = g_strdup (bad[i].original);
    change->value = g_strdup (bad[i].value);
    if (vmctl_host_record_validate (record, &error))
      g_error ("bad change %" G_GSIZE_FORMAT " was accepted", i);
    g_assert_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED);
  }
}

static void
test_refused_files (void)
{
  static const gchar * const bad_paths[] = {
    "/etc/passwd", "/etc/default/../shadow", "/boot/loader/entries/../../../etc/x.conf",
    "/root/.ssh/authorized_keys", "/etc/default/grub/", NULL,
  };

  for (guint i = 0; bad_paths[i] != NULL; i++)
    g_assert_false (vmctl_host_record_is_setup_file (bad_paths[i]));
  g_assert_true (vmctl_host_record_is_setup_file ("/etc/default/grub"));
  g_assert_true (vmctl_host_record_is_setup_file ("/boot/efi/loader/entries/arch.conf"));
  {
    g_autoptr(VmctlHostRecord) record = vmctl_host_record_new (VMCTL_HOST_RECORD_SETUP, NULL);
    VmctlHostChange *change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_FILE);
    g_autoptr(GError) error = NULL;

    /* a directory to remove that is not on the file's way */
    change->path = g_strdup ("/etc/modules-load.d/vfio.conf");
    change->original_digest = g_strdup ("");
    change->new_digest = vmctl_host_file_digest ("x", 1);
    g_ptr_array_add (change->made_directories, g_strdup ("/etc"));
    g_assert_false (vmctl_host_record_validate (record, &error));
  }
}

static void
test_parse_refuses (void)
{
  g_autoptr(VmctlHostRecord) record = full_record ();
  g_autofree gchar *data = to_data (record);
  g_autofree gchar *swapped = NULL;
  g_autofree gchar *renamed = NULL;
  const gchar *garbage[] = {
    "", "not a key file", "[record]\nkind=setup\n", "[record]\nkind=nope\nowner=\n",
    /* an unknown escape, then a trailing backslash, in a string and in a
     * list: GLib 2.74 sets its own error twice (a fatal warning here)
     * unless the value is refused before GLib parses it */
    "[record]\nkind=set\\:up\\\nowner=\n",
    "[record]\nkind=setup\nowner=\nboot_id=6f1c2a4e-9b7d-4c3e-8a21-5d0f3b9e7c14\n"
    "time=2026-12-01T10:00:00Z\ncomplete=true\n[change-000]\ntype=file\ndone=true\n"
    "path=/etc/modprobe.d/vmctl-vfio.conf\nexisted=false\nmode=0644\nuid=0\ngid=0\n"
    "made_directories=/etc\\:x;/etc/mod\\\n",
  };
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_autoptr(GError) local_error = NULL;

    g_assert_null (vmctl_host_record_parse (garbage[i], strlen (garbage[i]), &local_error));
    g_assert_error (local_error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED);
  }
  /* a change out of order (the undo order is the file's) */
  swapped = g_strdup (data);
  memcpy (strstr (swapped, "[change-001]"), "[change-009]", 12);
  g_assert_null (vmctl_host_record_parse (swapped, strlen (swapped), &error));
  g_clear_error (&error);
  /* a planted path in a well-formed record */
  renamed = g_strdup (data);
  memcpy (strstr (renamed, "/sys/class/vtconsole/vtcon1/bind"), "/etc/shadow\n#xxxxxxxxxxxxxxxxxxx", 32);
  g_assert_null (vmctl_host_record_parse (renamed, strlen (renamed), &error));
  g_assert_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED);
}

/* the fuzzer's seeds (tests/fuzz/corpus/host-record): valid-* parse and
 * read back as written, the rest are refused, so the seeds stay what their
 * names say */
static void
test_fuzz_seeds (void)
{
  g_autofree gchar *directory = vmctl_test_source_path ("tests/fuzz/corpus/host-record");
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const gchar *name;
  guint valid = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (directory, name, NULL);
    g_autofree gchar *contents = NULL;
    g_autoptr(VmctlHostRecord) record = NULL;
    g_autoptr(GError) error = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    record = vmctl_host_record_parse (contents, length, &error);
    g_test_message ("%s: %s", name, error != NULL ? error->message : "valid");
    if (g_str_has_prefix (name, "valid")) {
      g_autofree gchar *written = NULL;
      g_autoptr(VmctlHostRecord) again = NULL;

      g_assert_no_error (error);
      written = to_data (record);
      again = vmctl_host_record_parse (written, strlen (written), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (again->changes->len, ==, record->changes->len);
      valid++;
    } else {
      g_assert_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED);
    }
  }
  g_assert_cmpuint (valid, >=, 4);
}

typedef struct {
  gchar *root;
  gchar *state;
  VmctlHost *host;
  VmctlHostJournal *journal;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario ("grub-host");
  fixture->state = g_build_filename (fixture->root, "state", NULL);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->journal = vmctl_host_journal_open (fixture->state, fixture->host, TRUE, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_host_journal_free (fixture->journal);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->state);
}

static gchar *
state_path (Fixture *fixture, const gchar *name)
{
  return g_build_filename (fixture->state, "host", name, NULL);
}

static void
test_on_disk (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlHostRecord) record = full_record ();
  g_autoptr(VmctlHostRecord) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ours = state_path (fixture, "single-gpu@gamer.record");
  g_autofree gchar *other = state_path (fixture, "single-gpu@other.record");
  g_autofree gchar *contents = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) records = NULL;

  g_clear_pointer (&record->boot_id, g_free);
  g_assert_true (vmctl_host_journal_write (fixture->journal, record, &error));
  g_assert_no_error (error);
  loaded = vmctl_host_journal_load (fixture->journal, VMCTL_HOST_RECORD_SINGLE_GPU, "gamer", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->changes->len, ==, 5);
  g_assert_false (vmctl_host_journal_is_stale (fixture->journal, loaded));
  /* the same bytes under another VM's name: refused, never acted on */
  g_assert_true (g_file_get_contents (ours, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (other, contents, -1, NULL));
  g_clear_pointer (&loaded, vmctl_host_record_free);
  loaded = vmctl_host_journal_load (fixture->journal, VMCTL_HOST_RECORD_SINGLE_GPU, "other", &error);
  g_assert_null (loaded);
  g_assert_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (other), ==, 0);
  /* a symlink where a record should be is no record */
  g_assert_cmpint (symlink (ours, other), ==, 0);
  records = vmctl_host_journal_list (fixture->journal, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 0), "symbolic link"));
}

static void
test_backup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *digest = vmctl_host_file_digest ("original\n", 9);
  g_autofree gchar *out = NULL;
  g_autofree gchar *path = state_path (fixture, "setup-backup-3");
  gsize length = 0;

  g_assert_true (vmctl_host_journal_save_backup (fixture->journal, "setup-backup-3", "original\n",
                                                 9, &error));
  g_assert_true (vmctl_host_journal_load_backup (fixture->journal, "setup-backup-3", digest, &out,
                                                 &length, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "original\n");
  /* changed behind vmctl's back: not the original any more */
  g_assert_true (g_file_set_contents (path, "tampered\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_assert_false (vmctl_host_journal_load_backup (fixture->journal, "setup-backup-3", digest,
                                                  &out, &length, &error));
  g_assert_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (vmctl_host_journal_load_backup (fixture->journal, "../journal/x", digest, &out,
                                                  &length, &error));
}

/* a runtime record of an earlier boot is stale; setup's never is */
static void
test_stale (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlHostRecord) record = full_record ();
  g_autoptr(VmctlHostRecord) setup_record = vmctl_host_record_new (VMCTL_HOST_RECORD_SETUP, NULL);

  g_assert_true (vmctl_host_journal_is_stale (fixture->journal, record));
  setup_record->boot_id = g_strdup (record->boot_id);
  g_assert_false (vmctl_host_journal_is_stale (fixture->journal, setup_record));
}

/* a configuration file is replaced atomically with its owner and mode,
 * and a symlink in its place is refused, not followed */
static void
test_file_replace (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *grub = g_build_filename (fixture->root, "etc/default/grub", NULL);
  g_autofree gchar *link = g_build_filename (fixture->root, "etc/default/linked", NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VmctlHostFile) file = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_chmod (grub, 0640), ==, 0);
  g_assert_true (vmctl_host_file_replace (fixture->host, "/etc/default/grub", "new\n", 4, 0640,
                                          getuid (), getgid (), NULL, &error));
  file = vmctl_host_file_read (fixture->host, "/etc/default/grub", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file->contents, ==, "new\n");
  g_assert_cmpuint (file->mode, ==, 0640);
  g_assert_cmpint (symlink (grub, link), ==, 0);
  g_clear_pointer (&file, vmctl_host_file_free);
  file = vmctl_host_file_read (fixture->host, "/etc/default/linked", &error);
  g_assert_null (file);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ);
  g_clear_error (&error);
  g_assert_false (vmctl_host_file_replace (fixture->host, "/etc/default/linked", "x", 1, 0644,
                                           getuid (), getgid (), NULL, &error));
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE);
  g_clear_error (&error);
  g_assert_true (vmctl_host_file_replace (fixture->host, "/etc/a/b/new.conf", "x", 1, 0644,
                                          getuid (), getgid (), made, &error));
  g_assert_cmpuint (made->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (made, 0), ==, "/etc/a");
  g_assert_cmpstr (g_ptr_array_index (made, 1), ==, "/etc/a/b");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/host-journal/round-trip", test_round_trip);
  g_test_add_func ("/vmctl/host-journal/refused", test_refused);
  g_test_add_func ("/vmctl/host-journal/refused-files", test_refused_files);
  g_test_add_func ("/vmctl/host-journal/parse-refuses", test_parse_refuses);
  g_test_add_func ("/vmctl/host-journal/fuzz-seeds", test_fuzz_seeds);
  g_test_add ("/vmctl/host-journal/on-disk", Fixture, NULL, setup, test_on_disk, teardown);
  g_test_add ("/vmctl/host-journal/backup", Fixture, NULL, setup, test_backup, teardown);
  g_test_add ("/vmctl/host-journal/stale", Fixture, NULL, setup, test_stale, teardown);
  g_test_add ("/vmctl/host-journal/file-replace", Fixture, NULL, setup, test_file_replace,
              teardown);
  return g_test_run ();
}
