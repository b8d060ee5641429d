/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hugepages.c: the hugepage granularity rule, the one reader of
 * the pools (sysfs, or /proc/meminfo) and of the hugetlbfs mounts, the
 * start-time check and the choice of a page size for a domain. The
 * dynamic reservations are in vmctl-hugepages-reserve.c. */
#include "vmctl-hugepages-private.h"
#include "vmctl-host-facts-private.h"
#include "vmctl-host-private.h"
#include "vmctl-size.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-hugepages-error-quark, vmctl_hugepages_error)

#define HUGEPAGES_DIRECTORY "/sys/kernel/mm/hugepages"
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
           VmctlHugepagesPoolState *out_pool, GError **error)
{
  g_autofree gchar *size = vmctl_size_format (page_kib * 1024);
  VmctlHugepagesPoolState pool = { .page_kib = page_kib };
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
    g_strlcpy (pool.control, VMCTL_HUGEPAGES_PROC_NR, sizeof pool.control);
  } else {
    g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_UNSUPPORTED,
                 "the host has no %s hugepages (no %s)", size, directory);
    return FALSE;
  }
  *out_pool = pool;
  return TRUE;
}

/**
 * vmctl_hugepages_read_state: (skip)
 * @page_kib: a page size
 * @out_pool: (out caller-allocates): the pool and its control file
 * @error: VMCTL_HUGEPAGES_ERROR_UNSUPPORTED when the host has no such
 *   pool, _IO when a count cannot be read
 *
 * The pool as the start-time check and the reservations see it: every
 * count must be read.
 */
gboolean
vmctl_hugepages_read_state (VmctlHost *host, guint64 page_kib, VmctlHugepagesPoolState *out_pool,
                            GError **error)
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
  VmctlHugepagesPoolState pool;

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

/**
 * vmctl_hugetlbfs_mount_free:
 * @mount: (nullable): an entry of vmctl_hugepages_read_mounts()
 */
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
  VmctlHugepagesPoolState pool;

  g_return_val_if_fail (host != NULL && page_kib > 0, FALSE);
  if (!vmctl_hugepages_read_state (host, page_kib, &pool, error))
    return FALSE;
  *out_total = pool.total;
  *out_free = pool.free;
  return TRUE;
}

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
 * vmctl_hugepages_check_state: (skip)
 * @memory_kib: the guest's memory
 * @error: VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH, the message with the fix
 *
 * Returns: whether @pool has the free pages @memory_kib needs
 */
gboolean
vmctl_hugepages_check_state (const VmctlHugepagesPoolState *pool, guint64 memory_kib,
                             GError **error)
{
  guint64 need = vmctl_hugepages_needed (memory_kib, pool->page_kib);
  g_autofree gchar *memory = vmctl_size_format (memory_kib * 1024);
  g_autofree gchar *size = vmctl_size_format (pool->page_kib * 1024);
  g_autofree gchar *boot = NULL;
  guint64 want;

  if (pool->free >= need)
    return TRUE;
  /* nr_hugepages is the pool's total, pages other VMs use included */
  want = pool->total + (need - pool->free);
  boot = pool->is_default ? g_strdup_printf ("hugepages=%" G_GUINT64_FORMAT, want)
                          : boot_parameter (pool->page_kib, want);
  g_set_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH,
               "%s of guest memory needs %" G_GUINT64_FORMAT " hugepages of %s, but only %"
               G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " are free; fix: echo %" G_GUINT64_FORMAT
               " > %s, and add %s to the kernel command line to reserve them at boot%s",
               memory, need, size, pool->free, pool->total, want,
               pool->is_default ? VMCTL_HUGEPAGES_PROC_NR : pool->control, boot,
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
  VmctlHugepagesPoolState pool;

  g_return_val_if_fail (host != NULL && page_kib > 0, FALSE);
  return vmctl_hugepages_read_state (host, page_kib, &pool, error) && vmctl_hugepages_check_state (&pool, memory_kib, error);
}

/* ---- choosing the page size --------------------------------------------- */

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
