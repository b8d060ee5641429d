/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-state-dir.c: opening the state directory and the files in it
 * without trusting anything found there.
 *
 * vmctl runs as root and writes its journal and locks there. Whoever can
 * replace the directory, a subdirectory or an entry with a symlink could
 * otherwise make root truncate any file (a lock's PID write) or feed the
 * journal's restore a path of their choosing; a FIFO would hang every
 * command that reads the journal. So: directories are opened with
 * O_DIRECTORY|O_NOFOLLOW and checked with fstat() on the descriptor (not
 * the name, which can change between a check and a use); files are opened
 * with openat() relative to that descriptor, O_NOFOLLOW|O_NONBLOCK, and
 * checked with fstat() before one byte is read. */
#include "vmctl-state-dir-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

G_DEFINE_QUARK (vmctl-state-dir-error-quark, vmctl_state_dir_error)

/* the subdirectories vmctl keeps in the state directory: each is checked
 * when the state directory is opened, whoever uses it later */
static const gchar * const subdirectories[] = { "journal", "locks", "hugepages", "host" };

static VmctlStateDir *
state_dir_new (int fd, const gchar *path)
{
  VmctlStateDir *dir = g_new0 (VmctlStateDir, 1);

  dir->ref_count = 1;
  dir->fd = fd;
  dir->path = g_strdup (path);
  return dir;
}

VmctlStateDir *
vmctl_state_dir_ref (VmctlStateDir *dir)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_atomic_int_inc (&dir->ref_count);
  return dir;
}

void
vmctl_state_dir_unref (VmctlStateDir *dir)
{
  if (dir == NULL || !g_atomic_int_dec_and_test (&dir->ref_count))
    return;
  close (dir->fd);
  g_free (dir->path);
  g_free (dir);
}

/**
 * vmctl_state_dir_get_path:
 * Returns: (transfer none): the directory's path, for messages
 */
const gchar *
vmctl_state_dir_get_path (VmctlStateDir *dir)
{
  return dir->path;
}

/**
 * vmctl_state_dir_file_path:
 * Returns: (transfer full): DIR/NAME, for messages only: files are opened
 * relative to the directory's descriptor, never by this path
 */
gchar *
vmctl_state_dir_file_path (VmctlStateDir *dir, const gchar *name)
{
  return g_build_filename (dir->path, name, NULL);
}

/* ---- checks ---- */

/* what @what at @path is called in messages: the state directory itself or
 * one of its subdirectories */
static const gchar *
describe (gboolean top)
{
  return top ? "state directory" : "state subdirectory";
}

static void
set_symlink_error (GError **error, const gchar *path, gboolean top)
{
  if (top)
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED,
                 "state directory '%s' is a symbolic link: give the real directory with "
                 "--state-dir (vmctl follows no link there, so none can redirect its writes)",
                 path);
  else
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED,
                 "state subdirectory '%s' is a symbolic link: remove the link (vmctl "
                 "creates the directory again), or choose another with --state-dir", path);
}

/* a directory vmctl may write in as root: a directory, owned by the
 * effective user, writable by nobody else */
static gboolean
check_directory (const struct stat *st, const gchar *path, gboolean top, GError **error)
{
  guint euid = (guint) geteuid ();
  gboolean group = (st->st_mode & S_IWGRP) != 0;
  gboolean world = (st->st_mode & S_IWOTH) != 0;

  if (S_ISLNK (st->st_mode)) {
    set_symlink_error (error, path, top);
    return FALSE;
  }
  if (!S_ISDIR (st->st_mode)) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE,
                 "%s '%s' is not a directory (choose another with --state-dir)",
                 describe (top), path);
    return FALSE;
  }
  if ((guint) st->st_uid != euid) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED,
                 "%s '%s' is owned by uid %u, not by uid %u that runs vmctl: "
                 "chown %u '%s', or choose another with --state-dir",
                 describe (top), path, (guint) st->st_uid, euid, euid, path);
    return FALSE;
  }
  if (group || world) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED,
                 "%s '%s' is %s: chmod 700 '%s', or choose another with --state-dir",
                 describe (top), path,
                 group && world ? "group- and world-writable"
                 : group ? "group-writable" : "world-writable", path);
    return FALSE;
  }
  return TRUE;
}

/* the error for a directory that could not be opened */
static void
set_open_error (GError **error, int saved_errno, int parent_fd, const gchar *name,
                const gchar *path, gboolean top)
{
  struct stat st;

  /* O_NOFOLLOW on a symlink: ELOOP, or ENOTDIR with O_DIRECTORY when it
   * points to no directory; lstat says which */
  if ((saved_errno == ELOOP || saved_errno == ENOTDIR)
      && fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    (void) check_directory (&st, path, top, error);
    return;
  }
  if (saved_errno == ENOENT) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_MISSING,
                 "%s '%s' does not exist", describe (top), path);
    return;
  }
  g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE,
               "cannot open %s '%s': %s (choose another with --state-dir)", describe (top),
               path, g_strerror (saved_errno));
}

/* A directory a writer can use: access() alone does not do for root, who
 * passes every permission bit but still cannot write a read-only mount. */
static gboolean
check_writable (int fd, const struct stat *st, const gchar *path, GError **error)
{
  struct statvfs fs;

  if (fstatvfs (fd, &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE,
                 "state directory '%s' is on a read-only file system (choose another with "
                 "--state-dir)", path);
    return FALSE;
  }
  if (geteuid () != 0 && (st->st_mode & (S_IWUSR | S_IXUSR)) != (S_IWUSR | S_IXUSR)) {
    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE,
                 "state directory '%s' is not writable: chmod 700 '%s', or choose another "
                 "with --state-dir", path, path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
sync_fd (int fd, const gchar *path, GError **error)
{
  if (fsync (fd) != 0) {
    int saved_errno = errno;

    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_IO,
                 "cannot sync '%s': %s", path, g_strerror (saved_errno));
    return FALSE;
  }
  return TRUE;
}

/* Opens @name below @parent_fd as a checked directory, creating it 0700
 * when @create. A new directory is only a name in its parent until the
 * parent is synced: without that the first entry, although synced itself,
 * could vanish with its directory after a power loss. */
static int
open_directory (int parent_fd, const gchar *name, const gchar *path, gboolean top,
                gboolean create, GError **error)
{
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  gboolean created = FALSE;
  struct stat st;
  int fd = openat (parent_fd, name, flags);

  if (fd < 0 && errno == ENOENT && create) {
    if (mkdirat (parent_fd, name, 0700) != 0 && errno != EEXIST) {
      int saved_errno = errno;

      g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE,
                   "cannot create %s '%s': %s (choose another with --state-dir)",
                   describe (top), path, g_strerror (saved_errno));
      return -1;
    }
    created = TRUE;
    fd = openat (parent_fd, name, flags);
  }
  if (fd < 0) {
    set_open_error (error, errno, parent_fd, name, path, top);
    return -1;
  }
  /* the umask may have taken bits of 0700 away; nobody else gets any */
  if (created && fchmod (fd, 0700) != 0)
    g_debug ("cannot chmod '%s': %s", path, g_strerror (errno));
  if (fstat (fd, &st) != 0 || !check_directory (&st, path, top, error)
      || (create && !check_writable (fd, &st, path, error))
      || (created && !sync_fd (parent_fd, path, error))) {
    if (error != NULL && *error == NULL)
      g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_IO,
                   "cannot read the status of '%s': %s", path, g_strerror (errno));
    close (fd);
    return -1;
  }
  return fd;
}

/* each subdirectory vmctl keeps, when it exists: a real directory of ours */
static gboolean
check_subdirectories (VmctlStateDir *dir, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (subdirectories); i++) {
    g_autofree gchar *path = vmctl_state_dir_file_path (dir, subdirectories[i]);
    struct stat st;

    if (fstatat (dir->fd, subdirectories[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue;  /* created on first use, then checked */
    if (!check_directory (&st, path, FALSE, error))
      return FALSE;
  }
  return TRUE;
}

/* @path without trailing slashes: "dir/" would make open() follow a
 * symlink named dir despite O_NOFOLLOW */
static gchar *
strip_slashes (const gchar *path)
{
  gchar *copy = g_strdup (path);
  gsize length = strlen (copy);

  while (length > 1 && copy[length - 1] == '/')
    copy[--length] = '\0';
  return copy;
}

/**
 * vmctl_state_dir_open:
 * @path: the state directory (--state-dir)
 * @create: create it (and missing parents) 0700 when missing, and require
 *   it writable; FALSE for readers and dry runs, which create nothing
 * @error: VMCTL_STATE_DIR_ERROR_MISSING (only without @create),
 *   VMCTL_STATE_DIR_ERROR_UNTRUSTED or VMCTL_STATE_DIR_ERROR_UNUSABLE, each
 *   one line naming the path and the fix
 *
 * Opens and checks the directory and every subdirectory vmctl keeps in it
 * (journal, locks, hugepages, host) that exists.
 *
 * Returns: (transfer full): release with vmctl_state_dir_unref()
 */
VmctlStateDir *
vmctl_state_dir_open (const gchar *path, gboolean create, GError **error)
{
  g_autofree gchar *clean = NULL;
  g_autofree gchar *parent = NULL;
  g_autofree gchar *base = NULL;
  g_autoptr(VmctlStateDir) dir = NULL;
  int parent_fd;
  int fd;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  clean = strip_slashes (path);
  parent = g_path_get_dirname (clean);
  base = g_path_get_basename (clean);
  /* the parents are the administrator's (/var/lib): created when missing,
   * followed as they are; the state directory itself is the trust boundary */
  if (create && g_mkdir_with_parents (parent, 0700) != 0) {
    int saved_errno = errno;

    g_set_error (error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE,
                 "cannot create state directory '%s': %s (choose another with --state-dir)",
                 path, g_strerror (saved_errno));
    return NULL;
  }
  parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0) {
    int saved_errno = errno;

    g_set_error (error, VMCTL_STATE_DIR_ERROR,
                 saved_errno == ENOENT ? VMCTL_STATE_DIR_ERROR_MISSING
                                       : VMCTL_STATE_DIR_ERROR_UNUSABLE,
                 "cannot open state directory '%s': %s (choose another with --state-dir)",
                 path, g_strerror (saved_errno));
    return NULL;
  }
  /* "/" itself: the name "." below "/" */
  fd = open_directory (parent_fd, g_strcmp0 (clean, "/") == 0 ? "." : base, clean, TRUE,
                       create, error);
  close (parent_fd);
  if (fd < 0)
    return NULL;
  dir = state_dir_new (fd, clean);
  if (!check_subdirectories (dir, error))
    return NULL;
  return g_steal_pointer (&dir);
}

/**
 * vmctl_state_dir_open_subdir:
 * @name: one path component ("journal", "locks")
 * @create: mkdirat() it 0700 when missing
 *
 * Returns: (transfer full): the checked subdirectory; errors as
 * vmctl_state_dir_open()
 */
VmctlStateDir *
vmctl_state_dir_open_subdir (VmctlStateDir *parent, const gchar *name, gboolean create,
                             GError **error)
{
  g_autofree gchar *path = NULL;
  int fd;

  g_return_val_if_fail (parent != NULL, NULL);
  g_return_val_if_fail (name != NULL && strchr (name, '/') == NULL, NULL);
  path = vmctl_state_dir_file_path (parent, name);
  fd = open_directory (parent->fd, name, path, FALSE, create, error);
  return fd < 0 ? NULL : state_dir_new (fd, path);
}

/**
 * vmctl_state_dir_check:
 *
 * Returns: TRUE when @path is a state directory vmctl may use, or does not
 * exist yet (it is created on first write); FALSE with the error of
 * vmctl_state_dir_open() otherwise. Creates nothing.
 */
gboolean
vmctl_state_dir_check (const gchar *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VmctlStateDir) dir = vmctl_state_dir_open (path, FALSE, &local_error);

  if (dir != NULL
      || g_error_matches (local_error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_MISSING))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * vmctl_state_dir_sync:
 * fsync()s the directory, so that renames and unlinks in it are durable.
 */
gboolean
vmctl_state_dir_sync (VmctlStateDir *dir, GError **error)
{
  return sync_fd (dir->fd, dir->path, error);
}
