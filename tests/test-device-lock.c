/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-device-lock.c: per-function flock locks across processes: busy with
 * the holder's PID, waiting, holders killed with SIGKILL, all-or-none. */
#include "vmctl-device-lock.h"
#include "vmctl-test-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

typedef struct {
  gchar *temp;
  gchar *state_dir; /* temp/state, created by the first acquire */
  VmctlPciAddress a, b, c;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->temp = g_dir_make_tmp ("vmctl-lock-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->state_dir = g_build_filename (fixture->temp, "state", NULL);
  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &fixture->a, NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:01:00.1", &fixture->b, NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:02:00.0", &fixture->c, NULL));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->temp);
  g_free (fixture->temp);
  g_free (fixture->state_dir);
}

/* Child exit codes: 0 = as expected; anything else names what went wrong.
 * Children only _exit(): GLib's test harness must not run in them. */
enum { CHILD_OK, CHILD_UNEXPECTED_LOCK, CHILD_WRONG_ERROR, CHILD_NO_LOCK, CHILD_TOO_FAST };

static void
wait_child (pid_t pid, gint expected_status)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, expected_status);
}

/* fork a child that takes @address, reports through a pipe, and then holds
 * the lock until it is killed */
static pid_t
spawn_holder (Fixture *fixture, const VmctlPciAddress *address)
{
  int ready[2];
  gchar byte = 0;
  pid_t pid;

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    VmctlDeviceLock *lock = vmctl_device_lock_acquire (fixture->state_dir, address, 0, NULL);

    if (lock == NULL)
      _exit (CHILD_NO_LOCK);
    if (write (ready[1], "x", 1) != 1)
      _exit (CHILD_NO_LOCK);
    for (;;)
      pause ();
  }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  return pid;
}

static void
kill_holder (pid_t pid)
{
  int status = 0;

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
}

static void
assert_busy_by (GError *error, pid_t pid)
{
  g_autofree gchar *expected = g_strdup_printf ("PID %ld)", (long) pid);

  g_assert_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_lock_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_autofree gchar *expected = g_build_filename (fixture->state_dir, "locks", "0000:01:00.0.lock", NULL);
  g_autofree gchar *locks = g_build_filename (fixture->state_dir, "locks", NULL);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *pid = g_strdup_printf ("%ld\n", (long) getpid ());
  GStatBuf buf;

  g_assert_no_error (error);
  g_assert_cmpstr (vmctl_device_lock_get_path (lock), ==, expected);
  g_assert_true (vmctl_pci_address_equal (vmctl_device_lock_get_address (lock), &fixture->a));
  g_assert_true (g_file_get_contents (expected, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, pid);
  g_assert_cmpint (g_stat (locks, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 07777, ==, 0700);

  /* release, then the same process can take it again; the file stays */
  g_clear_pointer (&lock, vmctl_device_lock_release);
  g_assert_true (g_file_test (expected, G_FILE_TEST_EXISTS));
  lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
}

static void
test_busy (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_autoptr(VmctlDeviceLock) again = NULL;
  g_autoptr(VmctlDeviceLock) other = NULL;
  pid_t pid;

  g_assert_no_error (error);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    g_autoptr(GError) child_error = NULL;
    g_autofree gchar *expected = g_strdup_printf ("PID %ld)", (long) getppid ());
    VmctlDeviceLock *child_lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &child_error);

    if (child_lock != NULL)
      _exit (CHILD_UNEXPECTED_LOCK);
    if (!g_error_matches (child_error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY)
        || strstr (child_error->message, expected) == NULL
        || strstr (child_error->message, "0000:01:00.0") == NULL)
      _exit (CHILD_WRONG_ERROR);
    _exit (CHILD_OK);
  }
  wait_child (pid, CHILD_OK);

  /* flock conflicts between two open files of one process too */
  again = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_null (again);
  assert_busy_by (error, getpid ());
  g_clear_error (&error);
  /* another function is independent */
  other = vmctl_device_lock_acquire (fixture->state_dir, &fixture->b, 0, &error);
  g_assert_no_error (error);
}

static void
test_timeout_expires (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) lock = NULL;
  pid_t holder = spawn_holder (fixture, &fixture->a);
  gint64 start = g_get_monotonic_time ();

  lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 200, &error);
  g_assert_null (lock);
  assert_busy_by (error, holder);
  g_assert_nonnull (strstr (error->message, "after waiting 200 ms"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * G_TIME_SPAN_MILLISECOND);
  kill_holder (holder);
}

static void
test_wait_for_release (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) lock = NULL;
  int locked[2];
  gchar byte = 0;
  pid_t pid;

  /* fork before locking: a child forked while the parent holds the lock
   * would share its open file description and keep it locked after the
   * parent's release (the reason the engine must not fork without exec
   * while holding locks) */
  g_assert_cmpint (pipe (locked), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    VmctlDeviceLock *child_lock;
    gint64 start;

    close (locked[1]);
    if (read (locked[0], &byte, 1) != 1)
      _exit (CHILD_NO_LOCK);
    start = g_get_monotonic_time ();
    child_lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 10000, NULL);
    if (child_lock == NULL)
      _exit (CHILD_NO_LOCK);
    /* the parent holds it for 300 ms after signalling */
    if (g_get_monotonic_time () - start < 150 * G_TIME_SPAN_MILLISECOND)
      _exit (CHILD_TOO_FAST);
    vmctl_device_lock_release (child_lock);
    _exit (CHILD_OK);
  }
  close (locked[0]);
  lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (locked[1], "x", 1), ==, 1);
  close (locked[1]);
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  g_clear_pointer (&lock, vmctl_device_lock_release);
  wait_child (pid, CHILD_OK);
}

static void
test_killed_holder (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) lock = NULL;
  pid_t holder = spawn_holder (fixture, &fixture->a);

  lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_null (lock);
  assert_busy_by (error, holder);
  g_clear_error (&error);

  /* the kernel drops the flock with the process; the file left behind,
   * still naming the dead PID, does not matter */
  kill_holder (holder);
  lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
}

static void
test_acquire_all (Fixture *fixture, gconstpointer data)
{
  /* unsorted with a duplicate: locked once each, in address order */
  VmctlPciAddress addresses[] = { fixture->c, fixture->a, fixture->b, fixture->a };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(VmctlDeviceLock) a = NULL;
  g_autoptr(VmctlDeviceLock) c = NULL;
  pid_t holder = spawn_holder (fixture, &fixture->b);

  locks = vmctl_device_lock_acquire_all (fixture->state_dir, addresses, G_N_ELEMENTS (addresses), 0, &error);
  g_assert_null (locks);
  assert_busy_by (error, holder);
  g_assert_nonnull (strstr (error->message, "0000:01:00.1"));
  g_clear_error (&error);

  /* none kept: a (locked before b failed) and c are free */
  a = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_no_error (error);
  c = vmctl_device_lock_acquire (fixture->state_dir, &fixture->c, 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&a, vmctl_device_lock_release);
  g_clear_pointer (&c, vmctl_device_lock_release);

  kill_holder (holder);
  locks = vmctl_device_lock_acquire_all (fixture->state_dir, addresses, G_N_ELEMENTS (addresses), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (locks->len, ==, 3);
  g_assert_true (vmctl_pci_address_equal (vmctl_device_lock_get_address (locks->pdata[0]), &fixture->a));
  g_assert_true (vmctl_pci_address_equal (vmctl_device_lock_get_address (locks->pdata[1]), &fixture->b));
  g_assert_true (vmctl_pci_address_equal (vmctl_device_lock_get_address (locks->pdata[2]), &fixture->c));

  /* releasing the array releases every lock */
  g_clear_pointer (&locks, g_ptr_array_unref);
  a = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 0, &error);
  g_assert_no_error (error);
}

static void
test_state_dir_unwritable (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *file = g_build_filename (fixture->temp, "file", NULL);
  g_autofree gchar *below_file = g_build_filename (file, "state", NULL);
  g_autoptr(VmctlDeviceLock) lock = NULL;
  g_autoptr(GError) error = NULL;

  /* root ignores permission bits (chmod 0500 would not fail), but not
   * ENOTDIR: a state directory below a regular file fails for root too */
  g_assert_true (g_file_set_contents (file, "", 0, &error));
  lock = vmctl_device_lock_acquire (below_file, &fixture->a, 0, &error);
  g_assert_null (lock);
  g_assert_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_STATE_DIR);
  g_assert_nonnull (strstr (error->message, below_file));
  g_assert_nonnull (strstr (error->message, "--state-dir"));
}

/* VM owner locks: any name is one file; held means held by anyone */
static void
test_owner_lock (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) lock = NULL;
  g_autoptr(VmctlDeviceLock) again = NULL;
  g_autofree gchar *expected = NULL;

  g_assert_false (vmctl_owner_lock_is_held (fixture->state_dir, "a/b c"));
  lock = vmctl_owner_lock_acquire (fixture->state_dir, "a/b c", 0, &error);
  g_assert_no_error (error);
  expected = g_build_filename (fixture->state_dir, "locks", "vm-a%2Fb%20c.lock", NULL);
  g_assert_cmpstr (vmctl_device_lock_get_path (lock), ==, expected);
  g_assert_true (vmctl_owner_lock_is_held (fixture->state_dir, "a/b c"));
  g_assert_false (vmctl_owner_lock_is_held (fixture->state_dir, "a"));
  again = vmctl_owner_lock_acquire (fixture->state_dir, "a/b c", 0, &error);
  g_assert_null (again);
  g_assert_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "VM 'a/b c' is in use by another vmctl (PID "));
  g_clear_pointer (&lock, vmctl_device_lock_release);
  g_assert_false (vmctl_owner_lock_is_held (fixture->state_dir, "a/b c"));
}

/* whatever is planted where a lock file would be (a symlink, a hard link
 * or a FIFO) is refused at once: the holder's PID is written into the
 * lock, and through a link that write would truncate another file */
static void
test_planted (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *locks = g_build_filename (fixture->state_dir, "locks", NULL);
  g_autofree gchar *lock_path = g_build_filename (locks, "0000:01:00.0.lock", NULL);
  g_autofree gchar *precious = g_build_filename (fixture->temp, "precious", NULL);
  g_autofree gchar *contents = NULL;
  const gchar *kinds[] = { "symlink", "hard link", "FIFO" };

  g_assert_cmpint (g_mkdir_with_parents (locks, 0700), ==, 0);
  g_assert_true (g_file_set_contents (precious, "precious\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
    g_autoptr(VmctlDeviceLock) lock = NULL;
    g_autoptr(GError) error = NULL;
    gint64 started = g_get_monotonic_time ();

    g_test_message ("a %s", kinds[i]);
    if (i == 0)
      g_assert_cmpint (symlink (precious, lock_path), ==, 0);
    else if (i == 1)
      g_assert_cmpint (link (precious, lock_path), ==, 0);
    else
      g_assert_cmpint (mkfifo (lock_path, 0600), ==, 0);
    lock = vmctl_device_lock_acquire (fixture->state_dir, &fixture->a, 1000, &error);
    g_assert_null (lock);
    g_assert_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_IO);
    g_assert_nonnull (strstr (error->message, lock_path));
    g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
    g_assert_false (vmctl_owner_lock_is_held (fixture->state_dir, "x"));
    g_assert_cmpint (g_unlink (lock_path), ==, 0);
  }
  g_assert_true (g_file_get_contents (precious, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, setup, function, teardown)
  ADD ("/vmctl/device-lock/lock-file", test_lock_file);
  ADD ("/vmctl/device-lock/busy", test_busy);
  ADD ("/vmctl/device-lock/timeout-expires", test_timeout_expires);
  ADD ("/vmctl/device-lock/wait-for-release", test_wait_for_release);
  ADD ("/vmctl/device-lock/killed-holder", test_killed_holder);
  ADD ("/vmctl/device-lock/acquire-all", test_acquire_all);
  ADD ("/vmctl/device-lock/state-dir-unwritable", test_state_dir_unwritable);
  ADD ("/vmctl/device-lock/owner-lock", test_owner_lock);
  ADD ("/vmctl/device-lock/planted", test_planted);
#undef ADD
  return g_test_run ();
}
