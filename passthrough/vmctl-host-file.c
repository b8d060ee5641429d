/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-file.c: configuration files under the host root, read and
 * replaced without ever leaving a torn one behind.
 *
 * A boot configuration half written when the power goes is a host that
 * does not boot (the trackers of the tools people use today are full of
 * those), so a file is never written in place: the new contents go to a
 * temporary file in the same directory (same file system, so rename is
 * atomic), get the old file's owner and mode, are synced, and are renamed
 * over the old name; then the directory is synced so the rename itself
 * survives. A reader sees the whole old file or the whole new one.
 *
 * The last component is never followed: a symbolic link where vmctl
 * expects /etc/default/grub is refused, not written through (replacing
 * the link by a file would silently change what the administrator set
 * up, and writing through it would edit a file vmctl never looked at). */
#include "vmctl-host-file.h"
#include "vmctl-state-dir-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

void
vmctl_host_file_free (VmctlHostFile *file)
{
  if (file == NULL)
    return;
  g_free (file->contents);
  g_free (file);
}

/**
 * vmctl_host_file_digest:
 * Returns: (transfer full): the SHA-256 of @data, 64 hexadecimal digits
 */
gchar *
vmctl_host_file_digest (const gchar *data, gsize length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

static gboolean
set_errno_error (GError **error, VmctlHostError code, int saved_errno, const gchar *what,
                 const gchar *absolute_path)
{
  g_set_error (error, VMCTL_HOST_ERROR, code, "cannot %s %s: %s", what, absolute_path,
               g_strerror (saved_errno));
  return FALSE;
}

/**
 * vmctl_host_file_read:
 * @absolute_path: a host path such as "/etc/default/grub"
 * @error: VMCTL_HOST_ERROR_READ when it is a symbolic link, not a regular
 *   file, larger than VMCTL_HOST_FILE_MAX, or unreadable
 *
 * A missing file (or a missing directory on the way to it) is no error:
 * the result says !exists, and vmctl may create it.
 *
 * Returns: (transfer full): the file with its owner and mode
 */
VmctlHostFile *
vmctl_host_file_read (VmctlHost *host, const gchar *absolute_path, GError **error)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);
  g_autoptr(VmctlHostFile) file = g_new0 (VmctlHostFile, 1);
  g_autoptr(GString) contents = g_string_new (NULL);
  struct stat st;
  int fd;

  /* O_NONBLOCK: a FIFO planted under that name opens at once and is
   * refused by the fstat() below instead of hanging the command */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int saved_errno = errno;

    if (saved_errno == ENOENT || saved_errno == ENOTDIR) {
      file->contents = g_strdup ("");
      return g_steal_pointer (&file);
    }
    if (saved_errno == ELOOP) {
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ,
                   "%s is a symbolic link: vmctl edits only regular files (edit the file it "
                   "points to by hand)", absolute_path);
      return NULL;
    }
    set_errno_error (error, VMCTL_HOST_ERROR_READ, saved_errno, "open", absolute_path);
    return NULL;
  }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > VMCTL_HOST_FILE_MAX) {
    gboolean regular = S_ISREG (st.st_mode);

    close (fd);
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ,
                 regular ? "%s is larger than %u bytes: not a configuration file vmctl edits"
                         : "%s is not a regular file", absolute_path, (guint) VMCTL_HOST_FILE_MAX);
    return NULL;
  }
  for (;;) {
    gchar buffer[4096];
    gssize got = read (fd, buffer, sizeof buffer);

    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int saved_errno = errno;

      close (fd);
      set_errno_error (error, VMCTL_HOST_ERROR_READ, saved_errno, "read", absolute_path);
      return NULL;
    }
    if (got == 0)
      break;
    g_string_append_len (contents, buffer, got);
    if (contents->len > VMCTL_HOST_FILE_MAX) {
      close (fd);
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ,
                   "%s grew past %u bytes while read", absolute_path,
                   (guint) VMCTL_HOST_FILE_MAX);
      return NULL;
    }
  }
  close (fd);
  file->exists = TRUE;
  file->mode = st.st_mode & 07777;
  file->uid = (guint) st.st_uid;
  file->gid = (guint) st.st_gid;
  file->length = contents->len;
  file->contents = g_string_free (g_steal_pointer (&contents), FALSE);
  return g_steal_pointer (&file);
}

/* the missing directories on the way to @absolute_path's directory,
 * created 0755 (what /etc's are), outermost first into @made */
static gboolean
make_parents (VmctlHost *host, const gchar *absolute_path, GPtrArray *made, GError **error)
{
  g_autofree gchar *directory = g_path_get_dirname (absolute_path);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

  while (g_strcmp0 (directory, "/") != 0 && !vmctl_host_exists (host, directory)) {
    gchar *parent = g_path_get_dirname (directory);

    g_ptr_array_insert (missing, 0, g_steal_pointer (&directory));
    directory = parent;
  }
  for (guint i = 0; i < missing->len; i++) {
    const gchar *name = g_ptr_array_index (missing, i);
    g_autofree gchar *path = vmctl_host_path (host, name);

    if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
      return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, errno, "create directory", name);
    if (made != NULL)
      g_ptr_array_add (made, g_strdup (name));
  }
  return TRUE;
}

/* a new temporary file in @dir_fd, O_EXCL so it is never one planted
 * there; its name starts with a dot and "vmctl", so a half-done write is
 * recognisable (and ignored by modprobe.d and sysctl.d, which want .conf) */
static int
create_temporary (int dir_fd, gchar **out_name)
{
  for (guint attempt = 0; attempt < 100; attempt++) {
    g_autofree gchar *name = g_strdup_printf (".vmctl-%08x.tmp", g_random_int ());
    int fd = openat (dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd >= 0 || errno != EEXIST) {
      if (fd >= 0)
        *out_name = g_steal_pointer (&name);
      return fd;
    }
  }
  errno = EEXIST;
  return -1;
}

/* what is at @name in @dir_fd may be replaced: nothing, or a regular file */
static gboolean
check_target (int dir_fd, const gchar *name, const gchar *absolute_path, GError **error)
{
  struct stat st;

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT
           || set_errno_error (error, VMCTL_HOST_ERROR_WRITE, errno, "inspect", absolute_path);
  if (S_ISREG (st.st_mode))
    return TRUE;
  g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
               "%s is %s: vmctl replaces only regular files", absolute_path,
               S_ISLNK (st.st_mode) ? "a symbolic link" : "not a regular file");
  return FALSE;
}

/* writes @data to the temporary file @fd with the wanted owner and mode,
 * durably; FALSE with errno set */
static gboolean
fill_temporary (int fd, const gchar *data, gsize length, guint mode, guint uid, guint gid)
{
  struct stat st;

  if (!vmctl_write_all (fd, data, length) || fstat (fd, &st) != 0)
    return FALSE;
  /* only when it differs: an unprivileged caller (tests) may not chown */
  if (((guint) st.st_uid != uid || (guint) st.st_gid != gid)
      && fchown (fd, (uid_t) uid, (gid_t) gid) != 0)
    return FALSE;
  /* after fchown, which clears set-id bits */
  if (fchmod (fd, (mode_t) mode) != 0)
    return FALSE;
  /* before the rename: otherwise the rename can reach the disk first and a
   * crash leaves an empty file under the real name */
  return fsync (fd) == 0;
}

/**
 * vmctl_host_file_replace:
 * @absolute_path: the host path to (re)place
 * @mode: permission bits for the new file (the old file's, to keep them)
 * @uid: its owner
 * @gid: its group
 * @made_directories: (nullable) (element-type utf8): receives the host
 *   paths of directories that had to be created, outermost first, so that
 *   an undo can remove them again
 * @error: VMCTL_HOST_ERROR_WRITE naming the file and the kernel's reason;
 *   the old file is then intact
 *
 * Replaces the file atomically and durably (temporary file, fsync,
 * rename, fsync of the directory).
 */
gboolean
vmctl_host_file_replace (VmctlHost *host, const gchar *absolute_path, const gchar *data,
                         gsize length, guint mode, guint uid, guint gid,
                         GPtrArray *made_directories, GError **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *directory = NULL;
  g_autofree gchar *base = NULL;
  g_autofree gchar *temporary = NULL;
  gboolean ok;
  int saved_errno;
  int dir_fd;
  int fd;

  g_return_val_if_fail (absolute_path != NULL && absolute_path[0] == '/', FALSE);
  if (!make_parents (host, absolute_path, made_directories, error))
    return FALSE;
  path = vmctl_host_path (host, absolute_path);
  directory = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  dir_fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, errno, "open the directory of",
                            absolute_path);
  if (!check_target (dir_fd, base, absolute_path, error)) {
    close (dir_fd);
    return FALSE;
  }
  fd = create_temporary (dir_fd, &temporary);
  if (fd < 0) {
    saved_errno = errno;
    close (dir_fd);
    return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, saved_errno,
                            "create a temporary file beside", absolute_path);
  }
  ok = fill_temporary (fd, data, length, mode, uid, gid);
  saved_errno = errno;
  /* close() releases the descriptor even when it fails (a deferred write
   * error): never close it twice, another thread may own the number */
  if (close (fd) != 0 && ok) {
    ok = FALSE;
    saved_errno = errno;
  }
  if (ok && renameat (dir_fd, temporary, dir_fd, base) != 0) {
    ok = FALSE;
    saved_errno = errno;
  }
  if (!ok) {
    (void) unlinkat (dir_fd, temporary, 0);
    close (dir_fd);
    return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, saved_errno, "write", absolute_path);
  }
  /* the rename is only a directory entry until the directory is synced */
  if (fsync (dir_fd) != 0) {
    saved_errno = errno;
    close (dir_fd);
    return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, saved_errno, "sync the directory of",
                            absolute_path);
  }
  close (dir_fd);
  return TRUE;
}

/* an unlink only changes the directory: until it is synced the name may
 * come back after a power loss */
static gboolean
sync_directory_of (const gchar *path, const gchar *absolute_path, GError **error)
{
  g_autofree gchar *directory = g_path_get_dirname (path);
  int dir_fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (dir_fd < 0)
    return TRUE;  /* the directory is gone too: nothing to sync */
  if (fsync (dir_fd) == 0) {
    close (dir_fd);
    return TRUE;
  }
  saved_errno = errno;
  close (dir_fd);
  return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, saved_errno, "sync the directory of",
                          absolute_path);
}

/**
 * vmctl_host_file_remove:
 * @error: VMCTL_HOST_ERROR_WRITE; an absent file is success (an undo may
 *   run twice)
 *
 * Removes a file vmctl created (never a symbolic link's target: unlink
 * removes the name), durably.
 */
gboolean
vmctl_host_file_remove (VmctlHost *host, const gchar *absolute_path, GError **error)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);

  if (unlink (path) != 0 && errno != ENOENT && errno != ENOTDIR)
    return set_errno_error (error, VMCTL_HOST_ERROR_WRITE, errno, "remove", absolute_path);
  return sync_directory_of (path, absolute_path, error);
}

/**
 * vmctl_host_file_remove_directory:
 *
 * Removes a directory vmctl created, when it is empty again.
 *
 * Returns: whether it is gone
 */
gboolean
vmctl_host_file_remove_directory (VmctlHost *host, const gchar *absolute_path)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);

  return g_rmdir (path) == 0 || errno == ENOENT;
}
