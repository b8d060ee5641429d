/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-state-dir.c: the trusted state directory: what it creates (0700,
 * nothing for a reader), what it refuses (symlinks, someone else's,
 * writable by others, at the top and below), and how files in it are
 * opened (never through a link, never blocking on a FIFO, never over the
 * size cap, never written through a hard link). */
#include "vmctl-state-dir.h"
#include "vmctl-test-util.h"

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

typedef struct {
  gchar *temp;     /* holds everything */
  gchar *state;    /* temp/state, not created yet */
  gchar *outside;  /* temp/outside, a directory nothing may be written in */
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->temp = g_dir_make_tmp ("vmctl-state-dir-XXXXXX", NULL);
  g_assert_nonnull (fixture->temp);
  fixture->state = g_build_filename (fixture->temp, "state", NULL);
  fixture->outside = g_build_filename (fixture->temp, "outside", NULL);
  g_assert_cmpint (g_mkdir (fixture->outside, 0700), ==, 0);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->temp);
  g_free (fixture->temp);
  g_free (fixture->state);
  g_free (fixture->outside);
}

static guint
mode_of (const gchar *path)
{
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
assert_refused (const gchar *path, gint code, const gchar *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlStateDir) dir = vmctl_state_dir_open (path, TRUE, &error);

  g_assert_null (dir);
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_nonnull (strstr (error->message, "--state-dir"));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_create (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlStateDir) reader = NULL;
  g_autoptr(VmctlStateDir) dir = NULL;
  g_autoptr(VmctlStateDir) journal = NULL;
  g_autofree gchar *journal_path = g_build_filename (fixture->state, "journal", NULL);
  mode_t old_umask;

  /* a reader (or a dry run) creates nothing */
  reader = vmctl_state_dir_open (fixture->state, FALSE, &error);
  g_assert_null (reader);
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_MISSING);
  g_clear_error (&error);
  g_assert_true (vmctl_state_dir_check (fixture->state, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (fixture->state, G_FILE_TEST_EXISTS));

  /* 0700 whatever the umask says */
  old_umask = umask (0);
  dir = vmctl_state_dir_open (fixture->state, TRUE, &error);
  g_assert_no_error (error);
  journal = vmctl_state_dir_open_subdir (dir, "journal", TRUE, &error);
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (fixture->state), ==, 0700);
  g_assert_cmpuint (mode_of (journal_path), ==, 0700);
  g_assert_cmpstr (vmctl_state_dir_get_path (journal), ==, journal_path);
}

static void
test_symlinks (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *slash = g_strconcat (fixture->state, "/", NULL);
  g_autofree gchar *journal = g_build_filename (fixture->state, "journal", NULL);
  g_autofree gchar *hugepages = g_build_filename (fixture->state, "hugepages", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlStateDir) dir = NULL;
  g_autoptr(VmctlStateDir) sub = NULL;

  g_assert_cmpint (symlink (fixture->outside, fixture->state), ==, 0);
  assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "is a symbolic link");
  assert_refused (slash, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "is a symbolic link");
  g_assert_false (vmctl_state_dir_check (fixture->state, NULL));
  g_assert_cmpint (g_unlink (fixture->state), ==, 0);

  /* below it: journal/ when it is used, any of vmctl's when the state
   * directory is opened */
  dir = vmctl_state_dir_open (fixture->state, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (symlink (fixture->outside, journal), ==, 0);
  sub = vmctl_state_dir_open_subdir (dir, "journal", TRUE, &error);
  g_assert_null (sub);
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED);
  g_clear_error (&error);
  assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "journal' is a symbolic link");
  g_assert_cmpint (g_unlink (journal), ==, 0);
  g_assert_cmpint (symlink (fixture->outside, hugepages), ==, 0);
  assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "hugepages' is a symbolic link");
}

static void
test_modes (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *locks = g_build_filename (fixture->state, "locks", NULL);
  g_autofree gchar *file = g_build_filename (fixture->temp, "file", NULL);

  g_assert_cmpint (g_mkdir (fixture->state, 0700), ==, 0);
  g_assert_cmpint (g_chmod (fixture->state, 0770), ==, 0);
  assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "is group-writable: chmod 700");
  g_assert_cmpint (g_chmod (fixture->state, 0757), ==, 0);
  assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "is world-writable");
  g_assert_cmpint (g_chmod (fixture->state, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (locks, 0777), ==, 0);
  g_assert_cmpint (g_chmod (locks, 0777), ==, 0);
  assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "locks' is group- and world-writable");
  g_assert_cmpint (g_chmod (locks, 0700), ==, 0);
  if (geteuid () == 0) {
    g_assert_cmpint (chown (fixture->state, 4242, 4242), ==, 0);
    assert_refused (fixture->state, VMCTL_STATE_DIR_ERROR_UNTRUSTED, "owned by uid 4242");
    g_assert_cmpint (chown (fixture->state, 0, 0), ==, 0);
  }
  /* not a directory at all */
  vmctl_test_write (fixture->temp, "file", "");
  assert_refused (file, VMCTL_STATE_DIR_ERROR_UNUSABLE, "is not a directory");
}

static void
test_files (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlStateDir) dir = vmctl_state_dir_open (fixture->state, TRUE, &error);
  g_autofree gchar *precious = g_build_filename (fixture->outside, "precious", NULL);
  g_autofree gchar *linked = g_build_filename (fixture->state, "linked", NULL);
  g_autofree gchar *hard = g_build_filename (fixture->state, "hard", NULL);
  g_autofree gchar *fifo = g_build_filename (fixture->state, "fifo", NULL);
  g_autofree gchar *big = g_build_filename (fixture->state, "big", NULL);
  g_autofree gchar *lock = g_build_filename (fixture->state, "a.lock", NULL);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *huge = g_malloc0 (VMCTL_STATE_DIR_FILE_MAX + 2);
  gsize length = 0;
  gint64 started;
  int fd;

  g_assert_no_error (error);
  vmctl_test_write (fixture->outside, "precious", "precious\n");
  g_assert_true (vmctl_state_dir_replace (dir, "good", "hello\n", 6, &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_state_dir_read (dir, "good", &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello\n");
  g_assert_cmpuint (length, ==, 6);
  g_clear_pointer (&contents, g_free);
  g_assert_false (vmctl_state_dir_read (dir, "absent", &contents, NULL, &error));
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a symlink: never read through, replaced as a name (its target stays) */
  g_assert_cmpint (symlink (precious, linked), ==, 0);
  g_assert_false (vmctl_state_dir_read (dir, "linked", &contents, NULL, &error));
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);
  g_assert_cmpint (vmctl_state_dir_open_lock (dir, "linked", TRUE, &error), ==, -1);
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR);
  g_clear_error (&error);
  g_assert_true (vmctl_state_dir_replace (dir, "linked", "new\n", 4, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (linked, G_FILE_TEST_IS_REGULAR)
                 && !g_file_test (linked, G_FILE_TEST_IS_SYMLINK));

  /* a hard link: read is harmless, a lock (written into) is refused */
  g_assert_cmpint (link (precious, hard), ==, 0);
  g_assert_cmpint (vmctl_state_dir_open_lock (dir, "hard", TRUE, &error), ==, -1);
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR);
  g_assert_nonnull (strstr (error->message, "hard-linked"));
  g_clear_error (&error);

  /* a FIFO: refused at once, for reading and for locking */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  started = g_get_monotonic_time ();
  g_assert_false (vmctl_state_dir_read (dir, "fifo", &contents, NULL, &error));
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR);
  g_assert_nonnull (strstr (error->message, "a FIFO"));
  g_clear_error (&error);
  g_assert_cmpint (vmctl_state_dir_open_lock (dir, "fifo", TRUE, &error), ==, -1);
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);

  /* over the cap */
  memset (huge, 'x', VMCTL_STATE_DIR_FILE_MAX + 1);
  g_assert_true (g_file_set_contents (big, huge, -1, NULL));
  g_assert_false (vmctl_state_dir_read (dir, "big", &contents, NULL, &error));
  g_assert_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR);
  g_clear_error (&error);

  /* a lock file of our own */
  fd = vmctl_state_dir_open_lock (dir, "a.lock", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpuint (mode_of (lock), ==, 0600);

  g_assert_true (vmctl_state_dir_remove (dir, "linked", &error));
  g_assert_true (vmctl_state_dir_remove (dir, "linked", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (precious, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/vmctl/state-dir/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("create", test_create);
  ADD ("symlinks", test_symlinks);
  ADD ("modes", test_modes);
  ADD ("files", test_files);
#undef ADD
  return g_test_run ();
}
