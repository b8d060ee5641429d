/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hugepages.c: hugepage pools from sysfs (or /proc/meminfo); dynamic
 * reservations through nr_hugepages, recorded per owner under one lock. */
#include "vmctl-hugepages-private.h"
#include "vmctl-host-facts-private.h"
#include "vmctl-host-private.h"
#include "vmctl-size.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (vmctl-hugepages-error-quark, vmctl_hugepages_error)

#define GROUP "reservation"
#define HUGEPAGES_DIRECTORY "/sys/kernel/mm/hugepages"
#define PROC_NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define COMPACT_MEMORY "/proc/sys/vm/compact_memory"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define GIB_IN_KIB (VMCTL_GIB / VMCTL_KIB)

/**
 * vmctl_hugepages_whole:
 * @memory_kib: the guest's memory
 * @page_kib: a hugepage size
 *
 * The one rule for hugepage granularity, which vmctl_spec_finalize()
 * applies to x86's smallest size (VMCTL_HUGEPAGES_SMALLEST_KIB) and
 * vmctl_hugepages_choose() to each size it considers: the guest's memory
 * must be a whole number of pages. A partial last page is memory nobody
 * asked for (libvirt and QEMU round the backing up to whole pages) or a
 * refused start.
 *
 * Returns: whether @memory_kib is a whole, non-zero number of @page_kib
 *   pages
 */
gboolean
vmctl_hugepages_whole (guint64 memory_kib, guint64 page_kib)
{
  g_return_val_if_fail (page_kib > 0, FALSE);
  return memory_kib > 0 && memory_kib % page_kib == 0;
}

/**
 * vmctl_hugepages_needed:
 * @memory_kib: the guest's memory
 * @page_kib: a hugepage size
 *
 * Returns: the pages of @page_kib that back @memory_kib, a partial last
 *   page counted whole (a domain not made by vmctl may have one)
 */
guint64
vmctl_hugepages_needed (guint64 memory_kib, guint64 page_kib)
{
  g_return_val_if_fail (page_kib > 0, 0);
  return memory_kib / page_kib + (memory_kib % page_kib != 0);
}

typedef struct {
  guint64 page_kib;
  guint64 total;       /* nr_hugepages */
  guint64 free;        /* free_hugepages */
  gboolean is_default; /* the size /proc/sys/vm/nr_hugepages and hugepages= set */
  gchar control[128];  /* host path of this size's nr_hugepages */
} Pool;

static void
set_io_error (GError **error, int saved_errno, const gchar *what, const gchar *path)
{
  g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO,
               "cannot %s '%s': %s", what, path, g_strerror (saved_errno));
}

/* nr_hugepages or free_hugepages; @error NULL to read an unreadable or
 * garbled count as 0 */
static gboolean
read_count (VmctlHost *host, const gchar *path, guint64 *out_value, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *line = vmctl_host_read_line (host, path, &local_error);

  if (line == NULL || !g_ascii_string_to_unsigned (line, 10, 0, G_MAXUINT64, out_value, NULL)) {
    *out_value = 0;
    if (error == NULL)
      return TRUE;
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO, "cannot read '%s': %s",
                 path, local_error != NULL ? local_error->message : "not a number");
    return FALSE;
  }
  return TRUE;
}

/* The one reader of a hugepage pool: /sys/kernel/mm/hugepages for any
 * size, or /proc/meminfo's counts for the default size where sysfs has no
 * pools (some containers). @strict: an unreadable count is an error (the
 * start-time check and the reservations must not guess); else it counts
 * as 0 (the facts and the host check report what they can). */
static gboolean
read_pool (VmctlHost *host, guint64 page_kib, const VmctlMeminfo *meminfo, gboolean strict,
           Pool *out_pool, GError **error)
{
  g_autofree gchar *size = vmctl_size_format (page_kib * 1024);
  Pool pool = { .page_kib = page_kib };
  gchar directory[96];

  /* without /proc/meminfo the sysfs pools still answer */
  pool.is_default = page_kib == meminfo->hugepage_kib;
  g_snprintf (directory, sizeof directory,
              "/sys/kernel/mm/hugepages/hugepages-%" G_GUINT64_FORMAT "kB", page_kib);
  if (vmctl_host_exists (host, directory)) {
    g_autofree gchar *free_path = g_strconcat (directory, "/free_hugepages", NULL);

    g_snprintf (pool.control, sizeof pool.control, "%s/nr_hugepages", directory);
    if (!read_count (host, pool.control, &pool.total, strict ? error : NULL)
        || !read_count (host, free_path, &pool.free, strict ? error : NULL))
      return FALSE;
  } else if (pool.is_default && meminfo->hugepage_counts) {
    /* no sysfs (some containers): /proc shows and sets the default pool */
    pool.total = meminfo->hugepages_total;
    pool.free = meminfo->hugepages_free;
    g_strlcpy (pool.control, PROC_NR_HUGEPAGES, sizeof pool.control);
  } else {
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_UNSUPPORTED,
                 "the host has no %s hugepages (no %s)", size, directory);
    return FALSE;
  }
  *out_pool = pool;
  return TRUE;
}

static gboolean
read_pool_of_host (VmctlHost *host, guint64 page_kib, Pool *out_pool, GError **error)
{
  VmctlMeminfo meminfo;

  vmctl_meminfo_read (host, &meminfo);
  return read_pool (host, page_kib, &meminfo, TRUE, out_pool, error);
}

static gint
compare_pools (gconstpointer a, gconstpointer b)
{
  const VmctlHugepagePool *x = a, *y = b;

  return x->page_kib < y->page_kib ? -1 : x->page_kib > y->page_kib;
}

/**
 * vmctl_hugepages_read_pools:
 * @host: the host whose pools to read
 *
 * Every host-wide pool, for the host facts (FILES) and the host check:
 * each size in /sys/kernel/mm/hugepages (an unreadable count is 0), or,
 * without any there, the default size's pool from /proc/meminfo.
 *
 * Returns: (transfer full) (element-type VmctlHugepagePool): the pools,
 *   cell VMCTL_HUGEPAGE_ALL_CELLS, smallest size first; empty when the
 *   host has none
 */
GArray *
vmctl_hugepages_read_pools (VmctlHost *host)
{
  g_autofree gchar *path = vmctl_host_path (host, HUGEPAGES_DIRECTORY);
  g_autoptr(GDir) directory = g_dir_open (path, 0, NULL);
  GArray *pools = g_array_new (FALSE, TRUE, sizeof (VmctlHugepagePool));
  VmctlMeminfo meminfo;
  const gchar *name;
  Pool pool;

  vmctl_meminfo_read (host, &meminfo);
  while (directory != NULL && (name = g_dir_read_name (directory)) != NULL) {
    guint64 page_kib;

    if (!g_str_has_prefix (name, "hugepages-") || !g_str_has_suffix (name, "kB"))
      continue;
    page_kib = g_ascii_strtoull (name + strlen ("hugepages-"), NULL, 10);
    if (page_kib == 0 || !read_pool (host, page_kib, &meminfo, FALSE, &pool, NULL))
      continue;
    g_array_append_val (pools, ((VmctlHugepagePool) { VMCTL_HUGEPAGE_ALL_CELLS, page_kib,
                                                      pool.total, pool.free }));
  }
  if (pools->len == 0 && meminfo.hugepage_kib > 0
      && read_pool (host, meminfo.hugepage_kib, &meminfo, FALSE, &pool, NULL))
    g_array_append_val (pools, ((VmctlHugepagePool) { VMCTL_HUGEPAGE_ALL_CELLS, pool.page_kib,
                                                      pool.total, pool.free }));
  g_array_sort (pools, compare_pools);
  return pools;
}

/* hugetlbfs's pagesize= option in /proc/mounts: "2M", "1G", "2048k", or
 * bytes; 0 when garbled */
static guint64
parse_page_size (const gchar *text)
{
  gchar *end = NULL;
  guint64 value = g_ascii_strtoull (text, &end, 10);

  if (end == text || value == 0)
    return 0;
  switch (g_ascii_tolower (*end)) {
  case 'k':
    return value;
  case 'm':
    return value * 1024;
  case 'g':
    return value * 1024 * 1024;
  case '\0':
    return value / 1024;
  default:
    return 0;
  }
}

void
vmctl_hugetlbfs_mount_free (VmctlHugetlbfsMount *mount)
{
  if (mount == NULL)
    return;
  g_free (mount->mount_point);
  g_free (mount);
}

/**
 * vmctl_hugepages_read_mounts:
 * @host: the host whose /proc/mounts to read
 *
 * Every hugetlbfs mount, for the host facts and the host check. libvirt's
 * QEMU driver backs a guest with pages of size S only from a hugetlbfs
 * mount of size S ("Unable to find any usable hugetlbfs mount for 1048576
 * KiB"); a mount without pagesize= serves the default size (Hugepagesize).
 *
 * Returns: (transfer full) (element-type VmctlHugetlbfsMount): the mounts
 *   in /proc/mounts order (the mount point unescaped, page_kib 0 when
 *   unknown); NULL when /proc/mounts cannot be read
 */
GPtrArray *
vmctl_hugepages_read_mounts (VmctlHost *host)
{
  g_autofree gchar *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *mounts;
  VmctlMeminfo meminfo;

  if (!vmctl_host_read (host, "/proc/mounts", &text, NULL, NULL))
    return NULL;
  vmctl_meminfo_read (host, &meminfo);
  mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_hugetlbfs_mount_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit_set (lines[i], " \t", -1);
    VmctlHugetlbfsMount *mount;

    /* device mountpoint fstype options dump pass; the mount point has
     * spaces escaped as \040 */
    if (g_strv_length (fields) < 3 || strcmp (fields[2], "hugetlbfs") != 0)
      continue;
    mount = g_new0 (VmctlHugetlbfsMount, 1);
    mount->mount_point = vmctl_host_unescape_field (fields[1]);
    mount->page_kib = meminfo.hugepage_kib;
    if (fields[3] != NULL) {
      g_auto(GStrv) options = g_strsplit (fields[3], ",", -1);

      for (guint j = 0; options[j] != NULL; j++)
        if (g_str_has_prefix (options[j], "pagesize="))
          mount->page_kib = parse_page_size (options[j] + strlen ("pagesize="));
    }
    g_ptr_array_add (mounts, mount);
  }
  return mounts;
}

/**
 * vmctl_hugepages_default_page_kib:
 *
 * Returns: the host's default hugepage size in KiB (Hugepagesize in
 * /proc/meminfo), what a domain gets without a <page size>; 2048 when
 * unknown
 */
guint64
vmctl_hugepages_default_page_kib (VmctlHost *host)
{
  VmctlMeminfo meminfo;

  vmctl_meminfo_read (host, &meminfo);
  return meminfo.hugepage_kib > 0 ? meminfo.hugepage_kib : VMCTL_HUGEPAGES_SMALLEST_KIB;
}

/**
 * vmctl_hugepages_read:
 * @page_kib: the page size in KiB (2048, 1048576)
 * @error: VMCTL_HUGEPAGES_ERROR_UNSUPPORTED when the host has no such pool
 *   (sysfs, or /proc/meminfo for the default size), _IO when unreadable
 */
gboolean
vmctl_hugepages_read (VmctlHost *host, guint64 page_kib, guint64 *out_total, guint64 *out_free,
                      GError **error)
{
  Pool pool;

  g_return_val_if_fail (host != NULL && page_kib > 0, FALSE);
  if (!read_pool_of_host (host, page_kib, &pool, error))
    return FALSE;
  *out_total = pool.total;
  *out_free = pool.free;
  return TRUE;
}

static gboolean
check_pool (const Pool *pool, guint64 memory_kib, GError **error)
{
  guint64 need = vmctl_hugepages_needed (memory_kib, pool->page_kib);
  g_autofree gchar *memory = vmctl_size_format (memory_kib * 1024);
  g_autofree gchar *size = vmctl_size_format (pool->page_kib * 1024);
  g_autofree gchar *boot = NULL;
  gboolean gib = pool->page_kib % GIB_IN_KIB == 0;
  guint64 want;

  if (pool->free >= need)
    return TRUE;
  /* nr_hugepages is the pool's total, pages other VMs use included */
  want = pool->total + (need - pool->free);
  boot = pool->is_default ? g_strdup_printf ("hugepages=%" G_GUINT64_FORMAT, want)
    : g_strdup_printf ("hugepagesz=%" G_GUINT64_FORMAT "%s hugepages=%" G_GUINT64_FORMAT,
                       gib ? pool->page_kib / GIB_IN_KIB : pool->page_kib, gib ? "G" : "K", want);
  g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH,
               "%s of guest memory needs %" G_GUINT64_FORMAT " hugepages of %s, but only %"
               G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " are free; fix: echo %" G_GUINT64_FORMAT
               " > %s, and add %s to the kernel command line to reserve them at boot%s",
               memory, need, size, pool->free, pool->total, want,
               pool->is_default ? PROC_NR_HUGEPAGES : pool->control, boot,
               /* 1 GiB pages rarely allocate at run time (FACTS.md) */
               pool->page_kib >= GIB_IN_KIB ? " (1 GiB pages seldom allocate after boot)" : "");
  return FALSE;
}

/**
 * vmctl_hugepages_check:
 * @memory_kib: the guest's memory, rounded up to whole pages
 * @error: VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH (the message names need, free,
 *   the page size and the exact fix), _UNSUPPORTED or _IO
 */
gboolean
vmctl_hugepages_check (VmctlHost *host, guint64 memory_kib, guint64 page_kib, GError **error)
{
  Pool pool;

  g_return_val_if_fail (host != NULL && page_kib > 0, FALSE);
  return read_pool_of_host (host, page_kib, &pool, error) && check_pool (&pool, memory_kib, error);
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
  recorded_boot = g_key_file_get_string (key_file, GROUP, "boot_id", NULL);
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
  Pool pool;

  if (!load_record (host, path, &record, error))
    return FALSE;
  if (record.page_kib == 0)
    return TRUE;
  /* run-time pages die with a reboot; lowering now would eat boot-time ones */
  if (record.current && record.pages > 0) {
    if (!read_pool_of_host (host, record.page_kib, &pool, error))
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
  Pool pool, after;

  if (!load_record (host, path, &record, error))
    return FALSE;
  /* a retried start must not add pages again; a stale record or one of
   * another size is released first, or its pages would stay reserved */
  if (record.current && record.page_kib == page_kib)
    return TRUE;
  if ((record.page_kib != 0 && !release_locked (host, path, error))
      || !read_pool_of_host (host, page_kib, &pool, error))
    return FALSE;

  need = vmctl_hugepages_needed (memory_kib, page_kib);
  if (pool.free < need) {
    shortfall = need - pool.free;
    /* compaction makes the contiguous runs hugepages need; best effort */
    write_count (host, COMPACT_MEMORY, 1, NULL);
    if (!write_count (host, pool.control, pool.total + shortfall, error)
        || !read_pool_of_host (host, page_kib, &after, error))
      return FALSE;
    /* the kernel allocates what it can; the new pages must be free too */
    added = after.total > pool.total ? after.total - pool.total : 0;
    if (added < shortfall || after.free < need) {
      gboolean restored = write_count (host, pool.control, pool.total, NULL);

      check_pool (&pool, memory_kib, error);
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

/* ---- choosing the page size --------------------------------------------- */

/* "2 MiB", "1 GiB" */
static gchar *
page_name (guint64 page_kib)
{
  return vmctl_size_format (page_kib * 1024);
}

/* the kernel parameter that reserves @pages of @page_kib at boot */
static gchar *
boot_parameter (guint64 page_kib, guint64 pages)
{
  gboolean gib = page_kib % GIB_IN_KIB == 0;

  return g_strdup_printf ("hugepagesz=%" G_GUINT64_FORMAT "%s hugepages=%" G_GUINT64_FORMAT,
                          gib ? page_kib / GIB_IN_KIB : page_kib / 1024, gib ? "G" : "M", pages);
}

/**
 * vmctl_hugepages_choose:
 * @facts: the host that will run the VM
 * @memory_kib: the guest's memory
 * @cells: (nullable) (element-type guint): the NUMA cells the vCPUs are
 *   pinned to, whose pages the guest's memory comes from; NULL for any
 * @dynamic: the pages are reserved at each start (--dynamic-hugepages)
 *   rather than at boot
 * @out_page_kib: (out): the page size for <hugepages><page size>
 * @error: VMCTL_HOST_FACTS_ERROR_HUGEPAGES when no size fits, with the
 *   fix (the sysctl and boot lines, a mount, --dynamic-hugepages)
 *
 * The one rule for the hugepage size, largest first (1 GiB pages halve
 * the TLB misses again over 2 MiB): a size fits when the memory is a
 * whole number of its pages (vmctl_hugepages_whole()), a hugetlbfs of
 * that size is mounted where vmctl can see the mounts (libvirt backs
 * guest memory only from a mount of the page size: "Unable to find any
 * usable hugetlbfs mount for 1048576 KiB"), and its pool has enough free
 * pages in @cells. A size with no pages reserved never fits: that VM
 * could not start. With @dynamic the free pages do not matter (start
 * reserves them), but the size must have a mount and, being reserved at
 * run time, 2 MiB comes before 1 GiB, which seldom allocates after boot.
 */
gboolean
vmctl_hugepages_choose (VmctlHostFacts *facts, guint64 memory_kib, const GArray *cells,
                        gboolean dynamic, guint64 *out_page_kib, GError **error)
{
  g_autoptr(GArray) sizes = NULL;
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree gchar *memory = vmctl_size_format (memory_kib * 1024);
  guint64 fallback_kib;
  guint64 need;
  guint64 total = 0;
  guint64 free = 0;
  g_autofree gchar *boot = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *size = NULL;
  g_autofree gchar *mount = NULL;
  guint64 want;

  g_return_val_if_fail (facts != NULL && memory_kib > 0, FALSE);
  sizes = vmctl_host_facts_page_sizes (facts);
  /* smallest first for a run-time reservation */
  for (guint i = 0; dynamic && i < sizes->len / 2; i++) {
    guint64 swap = g_array_index (sizes, guint64, i);

    g_array_index (sizes, guint64, i) = g_array_index (sizes, guint64, sizes->len - 1 - i);
    g_array_index (sizes, guint64, sizes->len - 1 - i) = swap;
  }
  for (guint i = 0; i < sizes->len; i++) {
    guint64 page_kib = g_array_index (sizes, guint64, i);
    g_autofree gchar *page = page_name (page_kib);
    VmctlFact mounted = vmctl_host_facts_has_mount (facts, page_kib);

    vmctl_host_facts_pool (facts, page_kib, cells, &total, &free);
    need = vmctl_hugepages_needed (memory_kib, page_kib);
    if (!vmctl_hugepages_whole (memory_kib, page_kib)) {
      g_string_append_printf (why, "; %s is not a whole number of %s pages", memory, page);
      continue;
    }
    if (mounted == VMCTL_FACT_NO) {
      g_string_append_printf (why, "; no hugetlbfs of %s pages is mounted %s", page, facts->where);
      continue;
    }
    if (!dynamic && free < need) {
      g_string_append_printf (why, "; %s pages: %" G_GUINT64_FORMAT " free of %" G_GUINT64_FORMAT
                              " reserved, %" G_GUINT64_FORMAT " needed%s", page, free, total,
                              need, cells != NULL ? " in the pinned CPUs' NUMA cells" : "");
      continue;
    }
    *out_page_kib = page_kib;
    return TRUE;
  }

  /* the fix: a size whose free pages suffice and only lack a mount gets
   * the mount; else 2 MiB pages (every x86 host has them, on the mount
   * most hosts have), or whatever size the host has when it lacks 2 MiB */
  fallback_kib = 0;
  for (guint i = 0; i < sizes->len && fallback_kib == 0; i++) {
    guint64 page_kib = g_array_index (sizes, guint64, i);

    vmctl_host_facts_pool (facts, page_kib, cells, &total, &free);
    if (vmctl_hugepages_whole (memory_kib, page_kib)
        && free >= vmctl_hugepages_needed (memory_kib, page_kib))
      fallback_kib = page_kib;
  }
  if (fallback_kib == 0)
    fallback_kib = VMCTL_HUGEPAGES_SMALLEST_KIB;
  if (sizes->len > 0 && !vmctl_host_facts_pool (facts, fallback_kib, NULL, NULL, NULL))
    fallback_kib = g_array_index (sizes, guint64, 0);
  vmctl_host_facts_pool (facts, fallback_kib, cells, &total, &free);
  need = vmctl_hugepages_needed (memory_kib, fallback_kib);
  name = page_name (fallback_kib);
  size = fallback_kib % GIB_IN_KIB == 0
         ? g_strdup_printf ("%" G_GUINT64_FORMAT "G", fallback_kib / GIB_IN_KIB)
         : g_strdup_printf ("%" G_GUINT64_FORMAT "M", fallback_kib / 1024);
  want = total + (need > free ? need - free : 0);
  boot = boot_parameter (fallback_kib, want);
  if (sizes->len == 0)
    g_string_append_printf (why, "; the host has no hugepages %s", facts->where);
  if (free >= need && vmctl_host_facts_has_mount (facts, fallback_kib) == VMCTL_FACT_NO) {
    g_set_error (error, VMCTL_HOST_FACTS_ERROR, VMCTL_HOST_FACTS_ERROR_HUGEPAGES,
                 "no hugepage size can back %s of guest memory%s; fix: mount hugetlbfs for "
                 "the %s pages (mkdir -p /dev/hugepages%s && mount -t hugetlbfs -o pagesize=%s "
                 "hugetlbfs /dev/hugepages%s, and the same line in /etc/fstab), or create the "
                 "VM with --no-hugepages", memory, why->str, name, size, size, size);
    return FALSE;
  }
  if (vmctl_host_facts_has_mount (facts, fallback_kib) == VMCTL_FACT_NO)
    mount = g_strdup_printf (" and mount them (mkdir -p /dev/hugepages%s && mount -t hugetlbfs "
                             "-o pagesize=%s hugetlbfs /dev/hugepages%s)", size, size, size);
  g_set_error (error, VMCTL_HOST_FACTS_ERROR, VMCTL_HOST_FACTS_ERROR_HUGEPAGES,
               "no hugepage size can back %s of guest memory%s; fix: reserve %" G_GUINT64_FORMAT
               " pages of %s (echo %" G_GUINT64_FORMAT " > /sys/kernel/mm/hugepages/hugepages-%"
               G_GUINT64_FORMAT "kB/nr_hugepages now, %s on the kernel command line at boot)%s, "
               "or create the VM with --dynamic-hugepages, or with --no-hugepages",
               memory, why->str, want, name, want, fallback_kib, boot,
               mount != NULL ? mount : "");
  return FALSE;
}
