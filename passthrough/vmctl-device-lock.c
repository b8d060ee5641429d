/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-device-lock.c: flock(2) on a file kept open, one per PCI function.
 * The kernel drops an flock when the last descriptor of its open file
 * description closes, including on process death, so a killed vmctl never
 * leaves a stale lock: the lock file's existence means nothing. */
#include "vmctl-device-lock.h"
#include "vmctl-state-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

G_DEFINE_QUARK (vmctl-device-lock-error-quark, vmctl_device_lock_error)

#define POLL_INTERVAL_MS 50

struct _VmctlDeviceLock {
  int fd;
  gchar *path;
  VmctlPciAddress address;
};

/* STATE/locks, checked (vmctl-state-dir.h) and created 0700 when missing;
 * the state directory's errors in this module's domain */
static VmctlStateDir *
lock_directory (const gchar *state_dir, gboolean create, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VmctlStateDir) state = vmctl_state_dir_open (state_dir, create, &local_error);
  VmctlStateDir *directory = NULL;

  if (state != NULL)
    directory = vmctl_state_dir_open_subdir (state, "locks", create, &local_error);
  if (directory == NULL)
    g_set_error_literal (error, VMCTL_DEVICE_LOCK_ERROR,
                         g_error_matches (local_error, VMCTL_STATE_DIR_ERROR,
                                          VMCTL_STATE_DIR_ERROR_MISSING)
                         ? VMCTL_DEVICE_LOCK_ERROR_IO : VMCTL_DEVICE_LOCK_ERROR_STATE_DIR,
                         local_error->message);
  return directory;
}

/* The holder's PID as it wrote it, or NULL: the holder writes it just after
 * locking, so a reader can briefly see an empty file. */
static gchar *
read_holder (int fd)
{
  gchar buffer[32] = { 0 };
  gssize length = pread (fd, buffer, sizeof buffer - 1, 0);
  guint64 pid = 0;

  if (length <= 0)
    return NULL;
  buffer[length] = '\0';
  g_strstrip (buffer);
  if (!g_ascii_string_to_unsigned (buffer, 10, 1, G_MAXINT32, &pid, NULL))
    return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT, pid);
}

/* Locks STATE/locks/@file_name; @what names the thing in messages. */
static VmctlDeviceLock *
lock_file (const gchar *state_dir, const gchar *file_name, const gchar *what,
           guint timeout_ms, GError **error)
{
  g_autoptr(VmctlStateDir) directory = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *pid_text = NULL;
  gint64 deadline;
  VmctlDeviceLock *lock;
  int fd;

  directory = lock_directory (state_dir, TRUE, error);
  if (directory == NULL)
    return NULL;
  path = vmctl_state_dir_file_path (directory, file_name);
  /* the file is never unlinked: removing it while another process waits on
   * its descriptor would let a third process lock a new inode of the same
   * name, and both would believe they hold the function. Opened without
   * following a link and only when it is a single-linked regular file of
   * ours: the PID is written into it as root */
  fd = vmctl_state_dir_open_lock (directory, file_name, TRUE, &local_error);
  if (fd < 0) {
    g_set_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_IO,
                 "cannot use lock file '%s': %s; remove it (vmctl creates it again)", path,
                 local_error->message);
    return NULL;
  }

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  /* LOCK_NB and polling rather than a blocking flock(): a blocking call
   * cannot time out without signals */
  while (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int saved_errno = errno;

    if (saved_errno == EINTR)
      continue;
    if (saved_errno != EWOULDBLOCK) {
      close (fd);
      g_set_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_IO,
                   "cannot lock '%s': %s", path, g_strerror (saved_errno));
      return NULL;
    }
    if (timeout_ms == 0 || g_get_monotonic_time () >= deadline) {
      g_autofree gchar *holder = read_holder (fd);
      g_autofree gchar *waited = timeout_ms == 0 ? g_strdup ("")
                                 : g_strdup_printf (" after waiting %u ms", timeout_ms);

      close (fd);
      g_set_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY,
                   "%s is in use by another vmctl (PID %s)%s",
                   what, holder != NULL ? holder : "unknown", waited);
      return NULL;
    }
    g_usleep (POLL_INTERVAL_MS * G_TIME_SPAN_MILLISECOND);
  }

  /* the PID is for messages only; the flock is the truth. A write failure
   * here does not weaken the lock, so it is not an error */
  pid_text = g_strdup_printf ("%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) == 0 && pwrite (fd, pid_text, strlen (pid_text), 0) < 0)
    g_debug ("cannot record PID in '%s': %s", path, g_strerror (errno));

  lock = g_new0 (VmctlDeviceLock, 1);
  lock->fd = fd;
  lock->path = g_steal_pointer (&path);
  return lock;
}

/**
 * vmctl_device_lock_acquire:
 * @state_dir: the state directory (--state-dir); STATE/locks is created 0700
 * @timeout_ms: 0 tries once; otherwise retries every 50 ms for that long
 * @error: VMCTL_DEVICE_LOCK_ERROR_BUSY when another process holds the lock,
 *   VMCTL_DEVICE_LOCK_ERROR_STATE_DIR or VMCTL_DEVICE_LOCK_ERROR_IO
 *
 * The lock lives as long as the returned object (and dies with the process).
 * It belongs to an open file description: a child made by fork() without
 * exec shares it and keeps it held after the parent releases; exec drops it
 * (the descriptor is O_CLOEXEC).
 *
 * Returns: (transfer full): release with vmctl_device_lock_release()
 */
VmctlDeviceLock *
vmctl_device_lock_acquire (const gchar *state_dir, const VmctlPciAddress *address,
                           guint timeout_ms, GError **error)
{
  g_autofree gchar *file = NULL;
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];
  VmctlDeviceLock *lock;

  g_return_val_if_fail (state_dir != NULL && *state_dir != '\0', NULL);
  g_return_val_if_fail (address != NULL, NULL);
  /* named from the parsed address, never from user text */
  vmctl_pci_address_format (address, name);
  file = g_strconcat (name, ".lock", NULL);
  lock = lock_file (state_dir, file, name, timeout_ms, error);
  if (lock != NULL)
    lock->address = *address;
  return lock;
}

/* STATE/locks/vm-NAME.lock, the name escaped so that any VM name is one
 * plain file name */
static gchar *
owner_file (const gchar *owner)
{
  g_autofree gchar *escaped = g_uri_escape_string (owner, NULL, FALSE);

  return g_strconcat ("vm-", escaped, ".lock", NULL);
}

/**
 * vmctl_owner_lock_acquire:
 * @owner: a VM name
 *
 * The lock a start holds from before its first change to the host until
 * the domain runs or the start is undone, so that `gpu recover` (which
 * asks vmctl_owner_lock_is_held()) never gives back the functions of a VM
 * that is starting, and two starts of one VM take turns. Errors as
 * vmctl_device_lock_acquire().
 *
 * Returns: (transfer full): release with vmctl_device_lock_release()
 */
VmctlDeviceLock *
vmctl_owner_lock_acquire (const gchar *state_dir, const gchar *owner, guint timeout_ms,
                          GError **error)
{
  g_autofree gchar *file = NULL;
  g_autofree gchar *what = NULL;

  g_return_val_if_fail (state_dir != NULL && *state_dir != '\0', NULL);
  g_return_val_if_fail (owner != NULL && *owner != '\0', NULL);
  file = owner_file (owner);
  what = g_strdup_printf ("VM '%s'", owner);
  return lock_file (state_dir, file, what, timeout_ms, error);
}

/**
 * vmctl_owner_lock_is_held:
 *
 * Returns: TRUE when another process (or another lock of this one) holds
 * @owner's lock: a start of that VM is under way
 */
gboolean
vmctl_owner_lock_is_held (const gchar *state_dir, const gchar *owner)
{
  g_autofree gchar *file = owner_file (owner);
  g_autoptr(VmctlStateDir) directory = lock_directory (state_dir, FALSE, NULL);
  int fd = directory != NULL ? vmctl_state_dir_open_lock (directory, file, FALSE, NULL) : -1;
  gboolean held;

  /* never locked (no file), or no file anyone could hold a lock on */
  if (fd < 0)
    return FALSE;
  held = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}

/**
 * vmctl_device_lock_release:
 * Unlocks (by closing the descriptor) and frees; NULL is allowed.
 */
void
vmctl_device_lock_release (VmctlDeviceLock *lock)
{
  if (lock == NULL)
    return;
  /* the PID is left in the file: it is rewritten by the next holder and
   * truncating here would race with it. close() drops the flock */
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}

const VmctlPciAddress *
vmctl_device_lock_get_address (VmctlDeviceLock *lock)
{
  return &lock->address;
}

/**
 * vmctl_device_lock_get_path:
 * Returns: (transfer none): STATE/locks/DDDD:BB:SS.F.lock
 */
const gchar *
vmctl_device_lock_get_path (VmctlDeviceLock *lock)
{
  return lock->path;
}

static gint
compare_addresses (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return vmctl_pci_address_compare (a, b);
}

/**
 * vmctl_device_lock_acquire_all:
 * @addresses: (array length=n): the functions, in any order; duplicates are
 *   locked once
 * @timeout_ms: applies to each lock in turn
 * @error: as vmctl_device_lock_acquire(), prefixed with nothing else: the
 *   message names the busy function
 *
 * Locks every function, always in ascending address order so that two
 * processes locking overlapping sets cannot deadlock; all or none: on
 * failure the locks already taken are released.
 *
 * Returns: (transfer full) (element-type VmctlDeviceLock): the locks in
 * address order; unref the array to release them all
 */
GPtrArray *
vmctl_device_lock_acquire_all (const gchar *state_dir, const VmctlPciAddress *addresses,
                               gsize n, guint timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) locks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_device_lock_release);
  g_autofree VmctlPciAddress *sorted = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (addresses != NULL || n == 0, NULL);

  sorted = g_memdup2 (addresses, n * sizeof *addresses);
  g_qsort_with_data (sorted, (gint) n, sizeof *sorted, compare_addresses, NULL);
  for (gsize i = 0; i < n; i++) {
    VmctlDeviceLock *lock;

    /* flock conflicts between two descriptors of one process too: locking
     * a duplicate would report our own PID as busy */
    if (i > 0 && vmctl_pci_address_equal (&sorted[i - 1], &sorted[i]))
      continue;
    lock = vmctl_device_lock_acquire (state_dir, &sorted[i], timeout_ms, error);
    if (lock == NULL)
      return NULL; /* the autoptr array releases the locks taken so far */
    g_ptr_array_add (locks, lock);
  }
  return g_steal_pointer (&locks);
}
