/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-state-dir-file.c: files in a checked state directory, opened
 * relative to its descriptor: never through a symlink (O_NOFOLLOW), never
 * blocking on a FIFO (O_NONBLOCK, then fstat), only regular files of the
 * effective user under a size cap; replaced atomically (a temporary file
 * and renameat(), which replaces a planted link, never its target) and
 * durably. */
#include "vmctl-state-dir-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static const gchar *
file_kind (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device";
  if (S_ISLNK (mode))
    return "a symbolic link";
  return "not a regular file";
}

/* Opens @name below @dir: never through a symlink, never blocking (a FIFO
 * opens at once and is then refused), and only a regular file of the
 * effective user passes; @single_link for files written in place (a hard
 * link would carry the write to another file). The messages say what is
 * wrong without the file's name: the caller names the file as what it is
 * (a journal entry, a lock file). */
static int
open_file (VmctlStateDir *dir, const gchar *name, int flags, mode_t mode, gboolean single_link,
           struct stat *out_stat, GError **error)
{
  int fd = openat (dir->fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);
  const gchar *why = NULL;
  g_autofree gchar *owned = NULL;

  if (fd < 0) {
    int saved_errno = errno;

    if (saved_errno == ENOENT)
      g_set_error_literal (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_FOUND,
                           "it does not exist");
    else if (saved_errno == ELOOP)
      g_set_error_literal (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR,
                           "it is a symbolic link, not a file vmctl wrote");
    else if (saved_errno == ENXIO || saved_errno == EISDIR || saved_errno == ETXTBSY)
      g_set_error_literal (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR,
                           "it is not a regular file");
    else
      g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_IO,
                   "cannot open it: %s", g_strerror (saved_errno));
    return -1;
  }
  if (fstat (fd, out_stat) != 0) {
    int saved_errno = errno;

    close (fd);
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_IO,
                 "cannot read its status: %s", g_strerror (saved_errno));
    return -1;
  }
  if (!S_ISREG (out_stat->st_mode))
    why = file_kind (out_stat->st_mode);
  else if ((guint) out_stat->st_uid != (guint) geteuid ())
    why = owned = g_strdup_printf ("owned by uid %u, not by uid %u that runs vmctl",
                                   (guint) out_stat->st_uid, (guint) geteuid ());
  else if (single_link && out_stat->st_nlink != 1)
    why = "hard-linked to another file";
  if (why != NULL) {
    close (fd);
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR,
                 "it is %s, not a file vmctl wrote", why);
    return -1;
  }
  return fd;
}

/**
 * vmctl_state_dir_read:
 * @out_contents: (out) (transfer full): the file, NUL-terminated
 * @error: VMCTL_STATE_DIR_ERROR_NOT_FOUND, _NOT_REGULAR (also for a file
 *   over VMCTL_STATE_DIR_FILE_MAX bytes) or _IO; the message says what is
 *   wrong with the file without naming it
 */
gboolean
vmctl_state_dir_read (VmctlStateDir *dir, const gchar *name, gchar **out_contents,
                      gsize *out_length, GError **error)
{
  g_autofree gchar *buffer = NULL;
  struct stat st;
  gsize length = 0;
  int fd = open_file (dir, name, O_RDONLY, 0, FALSE, &st, error);

  if (fd < 0)
    return FALSE;
  /* one byte more than the cap: a file that grew past it since fstat()
   * is caught too */
  buffer = g_malloc (VMCTL_STATE_DIR_FILE_MAX + 2);
  while (length <= VMCTL_STATE_DIR_FILE_MAX && (gsize) st.st_size <= VMCTL_STATE_DIR_FILE_MAX) {
    gssize got = read (fd, buffer + length, VMCTL_STATE_DIR_FILE_MAX + 1 - length);

    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_IO,
                   "cannot read it: %s", g_strerror (saved_errno));
      return FALSE;
    }
    if (got == 0)
      break;
    length += (gsize) got;
  }
  close (fd);
  if (length > VMCTL_STATE_DIR_FILE_MAX || (gsize) st.st_size > VMCTL_STATE_DIR_FILE_MAX) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR,
                 "it is larger than %u bytes, not a file vmctl wrote",
                 (guint) VMCTL_STATE_DIR_FILE_MAX);
    return FALSE;
  }
  buffer[length] = '\0';
  *out_contents = g_steal_pointer (&buffer);
  if (out_length != NULL)
    *out_length = length;
  return TRUE;
}

/**
 * vmctl_write_all: (skip)
 *
 * Writes all of @data to @fd, retrying short writes and EINTR; FALSE
 * otherwise (errno says why when write() failed). Shared with
 * vmctl-host-file.c.
 */
gboolean
vmctl_write_all (int fd, const gchar *data, gsize length)
{
  while (length > 0) {
    gssize written = write (fd, data, length);

    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return FALSE;
    data += written;
    length -= (gsize) written;
  }
  return TRUE;
}

static void
set_io_error (GError **error, int saved_errno, const gchar *what, VmctlStateDir *dir,
              const gchar *name)
{
  g_autofree gchar *path = vmctl_state_dir_file_path (dir, name);

  g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_IO,
               "cannot %s '%s': %s", what, path, g_strerror (saved_errno));
}

/* a new temporary file beside the target, O_EXCL so it is never one that
 * was planted: the name is .tmp-XXXXXXXX, which readers skip (dot file) */
static int
create_temporary (VmctlStateDir *dir, gchar **out_name, GError **error)
{
  for (guint attempt = 0; attempt < 100; attempt++) {
    g_autofree gchar *name = g_strdup_printf (".tmp-%08x", g_random_int ());
    int fd = openat (dir->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd >= 0) {
      *out_name = g_steal_pointer (&name);
      return fd;
    }
    if (errno != EEXIST) {
      set_io_error (error, errno, "create a temporary file in", dir, "");
      return -1;
    }
  }
  set_io_error (error, EEXIST, "create a temporary file in", dir, "");
  return -1;
}

/**
 * vmctl_state_dir_replace:
 * @error: VMCTL_STATE_DIR_ERROR_IO; the old file, if any, is then intact
 *
 * Replaces @name atomically and durably: a temporary file in the same
 * directory, fsync, renameat() over @name (which replaces a symlink planted
 * there, never its target), fsync of the directory.
 */
gboolean
vmctl_state_dir_replace (VmctlStateDir *dir, const gchar *name, const gchar *data,
                         gsize length, GError **error)
{
  g_autofree gchar *temporary = NULL;
  int fd = create_temporary (dir, &temporary, error);

  if (fd < 0)
    return FALSE;
  /* fsync before rename: otherwise the rename can reach the disk before the
   * data and a crash leaves an empty or partial file under the real name;
   * close() can report a deferred write error (NFS) */
  if (!vmctl_write_all (fd, data, length) || fsync (fd) != 0) {
    int saved_errno = errno;

    close (fd);
    unlinkat (dir->fd, temporary, 0);
    set_io_error (error, saved_errno, "write", dir, temporary);
    return FALSE;
  }
  if (close (fd) != 0) {
    int saved_errno = errno;

    unlinkat (dir->fd, temporary, 0);
    set_io_error (error, saved_errno, "write", dir, temporary);
    return FALSE;
  }
  /* rename replaces atomically: a reader sees the whole old file or the
   * whole new one */
  if (renameat (dir->fd, temporary, dir->fd, name) != 0) {
    int saved_errno = errno;

    unlinkat (dir->fd, temporary, 0);
    set_io_error (error, saved_errno, "rename into place", dir, name);
    return FALSE;
  }
  return vmctl_state_dir_sync (dir, error);
}

/**
 * vmctl_state_dir_remove:
 * @error: VMCTL_STATE_DIR_ERROR_IO; an absent file is success
 *
 * Removes @name (the name: a symlink, not its target) durably.
 */
gboolean
vmctl_state_dir_remove (VmctlStateDir *dir, const gchar *name, GError **error)
{
  if (unlinkat (dir->fd, name, 0) != 0 && errno != ENOENT) {
    set_io_error (error, errno, "remove", dir, name);
    return FALSE;
  }
  /* an unlink only changes the directory: until it is synced the name may
   * come back after a power loss */
  return vmctl_state_dir_sync (dir, error);
}

/**
 * vmctl_state_dir_list:
 *
 * Returns: (transfer full) (element-type utf8): the names in the directory
 * (without "." and ".."), unsorted; NULL with VMCTL_STATE_DIR_ERROR_IO
 */
GPtrArray *
vmctl_state_dir_list (VmctlStateDir *dir, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  /* a new open file description: a dup() would share (and advance) the
   * directory's read position */
  int fd = openat (dir->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *stream = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *item;

  if (stream == NULL) {
    set_io_error (error, errno, "read", dir, "");
    if (fd >= 0)
      close (fd);
    return NULL;
  }
  while ((item = readdir (stream)) != NULL)
    if (strcmp (item->d_name, ".") != 0 && strcmp (item->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (item->d_name));
  closedir (stream);
  return g_steal_pointer (&names);
}

/**
 * vmctl_state_dir_open_lock:
 * @create: open read-write and create it 0600 when missing; FALSE opens
 *   an existing file read-only (to test a lock)
 * @error: VMCTL_STATE_DIR_ERROR_NOT_FOUND (only without @create),
 *   _NOT_REGULAR for anything but a single-linked regular file of the
 *   effective user (its holder's PID is written into it), or _IO
 *
 * Returns: a descriptor for flock(), -1 on error
 */
int
vmctl_state_dir_open_lock (VmctlStateDir *dir, const gchar *name, gboolean create,
                           GError **error)
{
  struct stat st;

  return open_file (dir, name, create ? O_RDWR | O_CREAT : O_RDONLY, 0600, TRUE, &st, error);
}

