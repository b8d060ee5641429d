/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hugepages-reserve.c: dynamic hugepages (--dynamic-hugepages):
 * nr_hugepages raised by what a VM lacks before start and lowered by as
 * much after stop, each reservation recorded in STATE/hugepages/OWNER.conf
 * under one lock, so that release gives back exactly what vmctl added,
 * from any later process. The pools are read as the start-time check
 * reads them (vmctl_hugepages_read_state()). */
#include "vmctl-hugepages-private.h"
#include "vmctl-glib-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define GROUP "reservation"
#define COMPACT_MEMORY "/proc/sys/vm/compact_memory"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

static void
set_io_error (GError **error, int saved_errno, const gchar *what, const gchar *path)
{
  g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO,
               "cannot %s '%s': %s", what, path, g_strerror (saved_errno));
}

static gboolean
write_count (VmctlHost *host, const gchar *absolute_path, guint64 value, GError **error)
{
  g_autofree gchar *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", value);
  g_autoptr(GError) local_error = NULL;

  if (!vmctl_host_write (host, absolute_path, text, &local_error)) {
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO, "cannot write %s",
                 local_error->message);
    return FALSE;
  }
  return TRUE;
}

/* a VM name with '/' and '%' escaped; ".conf" rules out "." and ".." */
static gchar *
record_path (const gchar *directory, const gchar *owner)
{
  g_autofree gchar *escaped = g_uri_escape_string (owner, " !$&'()*+,;=:@[]#?\"<>\\^`{|}", TRUE);
  g_autofree gchar *name = g_strconcat (escaped, ".conf", NULL);

  return g_build_filename (directory, name, NULL);
}

typedef struct {
  guint64 page_kib; /* 0: there is no record */
  guint64 pages;    /* added by vmctl; 0 when the free pages sufficed */
  gboolean current; /* written during this boot */
} Record;

/* no record is no error: @out_record->page_kib is 0 then; a malformed
 * one is, since nobody knows how many pages it stands for */
static gboolean
load_record (VmctlHost *host, const gchar *path, Record *out_record, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *boot_id = vmctl_host_read_line (host, BOOT_ID_PATH, NULL);
  g_autofree gchar *recorded_boot = NULL;
  Record record = { 0 };

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error)) {
    if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      *out_record = record;
      return TRUE;
    }
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO,
                 "cannot read hugepage record '%s': %s", path, local_error->message);
    return FALSE;
  }
  record.page_kib = g_key_file_get_uint64 (key_file, GROUP, "page_kib", NULL);
  record.pages = g_key_file_get_uint64 (key_file, GROUP, "pages", &local_error);
  if (local_error != NULL || record.page_kib == 0) {
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO,
                 "malformed hugepage record '%s': %s (check nr_hugepages, then remove it)",
                 path, local_error != NULL ? local_error->message : "no page_kib");
    return FALSE;
  }
  /* an unknown boot id on either side counts as this boot */
  recorded_boot = vmctl_key_file_get_string (key_file, GROUP, "boot_id", NULL);
  record.current = boot_id == NULL || recorded_boot == NULL || *recorded_boot == '\0'
                   || strcmp (boot_id, recorded_boot) == 0;
  *out_record = record;
  return TRUE;
}

static gboolean
release_locked (VmctlHost *host, const gchar *path, GError **error)
{
  Record record;
  guint64 lowered;
  VmctlHugepagesPoolState pool;

  if (!load_record (host, path, &record, error))
    return FALSE;
  if (record.page_kib == 0)
    return TRUE;
  /* run-time pages die with a reboot; lowering now would eat boot-time ones */
  if (record.current && record.pages > 0) {
    if (!vmctl_hugepages_read_state (host, record.page_kib, &pool, error))
      return FALSE;
    /* never below 0, never below the pages in use (total - free) */
    lowered = MAX (pool.total - MIN (record.pages, pool.total), pool.total - MIN (pool.free, pool.total));
    if (lowered != pool.total && !write_count (host, pool.control, lowered, error))
      return FALSE;
  }
  if (g_unlink (path) != 0 && errno != ENOENT) {
    set_io_error (error, errno, "remove hugepage record", path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
reserve_locked (VmctlHost *host, const gchar *path, const gchar *owner, guint64 memory_kib,
                guint64 page_kib, GError **error)
{
  g_autoptr(GKeyFile) fresh = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *boot_id = vmctl_host_read_line (host, BOOT_ID_PATH, NULL);
  g_autofree gchar *data = NULL;
  guint64 need, shortfall, added = 0;
  gsize length = 0;
  Record record;
  VmctlHugepagesPoolState pool, after;

  if (!load_record (host, path, &record, error))
    return FALSE;
  /* a retried start must not add pages again; a stale record or one of
   * another size is released first, or its pages would stay reserved */
  if (record.current && record.page_kib == page_kib)
    return TRUE;
  if ((record.page_kib != 0 && !release_locked (host, path, error))
      || !vmctl_hugepages_read_state (host, page_kib, &pool, error))
    return FALSE;

  need = vmctl_hugepages_needed (memory_kib, page_kib);
  if (pool.free < need) {
    shortfall = need - pool.free;
    /* compaction makes the contiguous runs hugepages need; best effort */
    write_count (host, COMPACT_MEMORY, 1, NULL);
    if (!write_count (host, pool.control, pool.total + shortfall, error)
        || !vmctl_hugepages_read_state (host, page_kib, &after, error))
      return FALSE;
    /* the kernel allocates what it can; the new pages must be free too */
    added = after.total > pool.total ? after.total - pool.total : 0;
    if (added < shortfall || after.free < need) {
      gboolean restored = write_count (host, pool.control, pool.total, NULL);

      vmctl_hugepages_check_state (&pool, memory_kib, error);
      g_prefix_error (error, "the kernel added %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                      " more hugepages asked for (%" G_GUINT64_FORMAT " free after), nr_hugepages %s: ",
                      added, shortfall, after.free, restored ? "was put back" : "could not be put back");
      return FALSE;
    }
  }

  g_key_file_set_string (fresh, GROUP, "owner", owner);
  g_key_file_set_uint64 (fresh, GROUP, "page_kib", page_kib);
  g_key_file_set_uint64 (fresh, GROUP, "pages", added);
  g_key_file_set_string (fresh, GROUP, "boot_id", boot_id != NULL ? boot_id : "");
  data = g_key_file_to_data (fresh, &length, NULL);
  /* Added before recorded: a crash in between leaves pages reserved, not a
   * record that makes release take pages vmctl never added. No directory
   * fsync as in the journal: a power loss resets the pool with the boot */
  if (!g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error)) {
    if (added > 0)
      write_count (host, pool.control, pool.total, NULL);
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO,
                 "cannot record the hugepage reservation in '%s': %s", path, local_error->message);
    return FALSE;
  }
  return TRUE;
}

/* Reserve or release with STATE/hugepages (0700) locked. flock() belongs to
 * the open file: threads (start --all) exclude each other like processes. */
static gboolean
run_locked (VmctlHost *host, const gchar *state_dir, const gchar *owner, gboolean reserve,
            guint64 memory_kib, guint64 page_kib, GError **error)
{
  g_autofree gchar *directory = g_build_filename (state_dir, "hugepages", NULL);
  g_autofree gchar *lock_path = g_build_filename (directory, ".lock", NULL);
  g_autofree gchar *path = record_path (directory, owner);
  gboolean ok;
  int fd;

  /* nothing to release: do not create a state directory just to say so */
  if (!reserve && !g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (g_mkdir_with_parents (directory, 0700) != 0) {
    set_io_error (error, errno, "create state directory", directory);
    return FALSE;
  }
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) != 0) {
    set_io_error (error, errno, "lock", lock_path);
    if (fd >= 0)
      close (fd);
    return FALSE;
  }
  ok = reserve ? reserve_locked (host, path, owner, memory_kib, page_kib, error)
               : release_locked (host, path, error);
  close (fd);
  return ok;
}

/**
 * vmctl_hugepages_reserve:
 * @owner: the VM name; one reservation per owner, kept if it already exists
 * @error: VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH when the kernel could not add
 *   enough pages (nr_hugepages is put back), _UNSUPPORTED, or _IO
 *
 * Raises nr_hugepages by what @memory_kib lacks and records how many pages
 * it added (possibly 0) in STATE/hugepages/OWNER.conf.
 */
gboolean
vmctl_hugepages_reserve (VmctlHost *host, const gchar *state_dir, const gchar *owner,
                         guint64 memory_kib, guint64 page_kib, GError **error)
{
  g_return_val_if_fail (host != NULL && page_kib > 0, FALSE);
  g_return_val_if_fail (state_dir != NULL && *state_dir != '\0' && owner != NULL && *owner != '\0', FALSE);
  return run_locked (host, state_dir, owner, TRUE, memory_kib, page_kib, error);
}

/**
 * vmctl_hugepages_release:
 * @error: VMCTL_HUGEPAGES_ERROR_IO when nr_hugepages cannot be lowered (the
 *   record stays for a retry) or the record cannot be read or removed
 *
 * Lowers nr_hugepages by the pages recorded for @owner, never below those
 * in use, and removes the record. No record (or one from an earlier boot,
 * only removed) is success, so every stop path may call it.
 */
gboolean
vmctl_hugepages_release (VmctlHost *host, const gchar *state_dir, const gchar *owner,
                         GError **error)
{
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (state_dir != NULL && *state_dir != '\0' && owner != NULL && *owner != '\0', FALSE);
  return run_locked (host, state_dir, owner, FALSE, 0, 0, error);
}
