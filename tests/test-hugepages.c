/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hugepages.c: reading hugepage pools, the free-pages check and its
 * fix, and dynamic reservations through nr_hugepages with their records. */
#include "vmctl-hugepages.h"
#include "vmctl-test-util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define POOL_2M "sys/kernel/mm/hugepages/hugepages-2048kB"
#define POOL_1G "sys/kernel/mm/hugepages/hugepages-1048576kB"
#define GIB_KIB (G_GUINT64_CONSTANT (1) << 20)

typedef struct {
  gchar *root;      /* copied host tree */
  gchar *temp;      /* holds the state directory */
  gchar *state_dir; /* temp/state, not created yet */
  gchar *record;    /* state/hugepages/gamer.conf */
  VmctlHost *host;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* clean-gpu-audio: 8192 of 8192 2 MiB pages free, 0 of 0 1 GiB pages */
  fixture->root = vmctl_test_copy_scenario (data != NULL ? data : "clean-gpu-audio");
  fixture->temp = g_dir_make_tmp ("vmctl-hugepages-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->state_dir = g_build_filename (fixture->temp, "state", NULL);
  fixture->record = g_build_filename (fixture->state_dir, "hugepages", "gamer.conf", NULL);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->temp);
  g_free (fixture->root);
  g_free (fixture->temp);
  g_free (fixture->state_dir);
  g_free (fixture->record);
}

static guint64
read_number (Fixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return g_ascii_strtoull (contents, NULL, 10);
}

static void
set_pool (Fixture *fixture, const gchar *pool, guint64 total, guint64 free_pages)
{
  g_autofree gchar *nr = g_build_filename (pool, "nr_hugepages", NULL);
  g_autofree gchar *free_path = g_build_filename (pool, "free_hugepages", NULL);
  g_autofree gchar *total_text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", total);
  g_autofree gchar *free_text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", free_pages);

  /* g_file_set_contents renames over the name, so this also undoes
   * emulate_allocation's symlink */
  vmctl_test_write (fixture->root, nr, total_text);
  vmctl_test_write (fixture->root, free_path, free_text);
}

/* The fake sysfs does not react to writes. A kernel that grants a larger
 * nr_hugepages adds that many free pages; with no page in use, nr and free
 * are the same number, so make nr_hugepages a link to free_hugepages */
static void
emulate_allocation (Fixture *fixture, const gchar *pool)
{
  g_autofree gchar *nr = g_build_filename (fixture->root, pool, "nr_hugepages", NULL);
  g_autofree gchar *nr_relative = g_build_filename (pool, "nr_hugepages", NULL);
  g_autofree gchar *free_relative = g_build_filename (pool, "free_hugepages", NULL);

  g_assert_cmpuint (read_number (fixture, nr_relative), ==, read_number (fixture, free_relative));
  g_assert_cmpint (g_unlink (nr), ==, 0);
  g_assert_cmpint (symlink ("free_hugepages", nr), ==, 0);
}

static void
assert_record (Fixture *fixture, guint64 page_kib, guint64 pages)
{
  g_autoptr(GKeyFile) record = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *owner = NULL;

  g_assert_true (g_key_file_load_from_file (record, fixture->record, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  owner = g_key_file_get_string (record, "reservation", "owner", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (owner, ==, "gamer");
  g_assert_cmpuint (g_key_file_get_uint64 (record, "reservation", "page_kib", NULL), ==, page_kib);
  g_assert_cmpuint (g_key_file_get_uint64 (record, "reservation", "pages", NULL), ==, pages);
}

static void
reserve_ok (Fixture *fixture, guint64 memory_kib, guint64 page_kib)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_hugepages_reserve (fixture->host, fixture->state_dir, "gamer",
                                          memory_kib, page_kib, &error));
  g_assert_no_error (error);
}

static void
release_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_hugepages_release (fixture->host, fixture->state_dir, "gamer", &error));
  g_assert_no_error (error);
}

static void
test_read (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *pool_2m = g_build_filename (fixture->root, POOL_2M, NULL);
  g_autofree gchar *pool_1g = g_build_filename (fixture->root, POOL_1G, NULL);
  g_autoptr(GError) error = NULL;
  guint64 total = 1, free_pages = 1;

  g_assert_true (vmctl_hugepages_read (fixture->host, 2048, &total, &free_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 8192);
  g_assert_cmpuint (free_pages, ==, 8192);
  set_pool (fixture, POOL_1G, 4, 3);
  g_assert_true (vmctl_hugepages_read (fixture->host, GIB_KIB, &total, &free_pages, &error));
  g_assert_cmpuint (total, ==, 4);
  g_assert_cmpuint (free_pages, ==, 3);

  /* no sysfs pool directory: the default size falls back to /proc/meminfo,
   * which this tree says has 8192 of 8192 free; another size cannot */
  set_pool (fixture, POOL_2M, 1, 1);
  vmctl_test_remove_tree (pool_2m);
  g_assert_true (vmctl_hugepages_read (fixture->host, 2048, &total, &free_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 8192);
  g_assert_cmpuint (free_pages, ==, 8192);
  vmctl_test_remove_tree (pool_1g);
  g_assert_false (vmctl_hugepages_read (fixture->host, GIB_KIB, &total, &free_pages, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_UNSUPPORTED);
}

static void
test_check (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* 16 GiB is exactly the 8192 free 2 MiB pages */
  g_assert_true (vmctl_hugepages_check (fixture->host, 16 * GIB_KIB, 2048, &error));
  g_assert_no_error (error);

  /* one KiB more needs a whole extra page */
  g_assert_false (vmctl_hugepages_check (fixture->host, 16 * GIB_KIB + 1, 2048, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "8193 hugepages of 2 MiB"));
  g_assert_nonnull (strstr (error->message, "echo 8193 > /proc/sys/vm/nr_hugepages"));
  g_assert_nonnull (strstr (error->message, "hugepages=8193 "));
  g_clear_error (&error);

  /* a size other than the default is set through its sysfs pool */
  g_assert_false (vmctl_hugepages_check (fixture->host, 16 * GIB_KIB, GIB_KIB, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "16 hugepages of 1 GiB, but only 0 of 0 are free"));
  g_assert_nonnull (strstr (error->message,
                            "echo 16 > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"));
  g_assert_nonnull (strstr (error->message, "hugepagesz=1G hugepages=16 "));
}

static void
test_check_none_reserved (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vmctl_hugepages_check (fixture->host, 8 * GIB_KIB, 2048, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH);
  g_assert_nonnull (strstr (error->message, "echo 4096 > /proc/sys/vm/nr_hugepages"));
  g_assert_nonnull (strstr (error->message, "hugepages=4096"));
}

static void
test_unsupported (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* no 16 GiB pool on this host, nor in /proc/meminfo */
  g_assert_false (vmctl_hugepages_check (fixture->host, GIB_KIB, 16 * GIB_KIB, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "hugepages-16777216kB"));
  g_clear_error (&error);
  g_assert_false (vmctl_hugepages_reserve (fixture->host, fixture->state_dir, "gamer", GIB_KIB,
                                           16 * GIB_KIB, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_UNSUPPORTED);
  g_assert_false (g_file_test (fixture->record, G_FILE_TEST_EXISTS));
}

static void
test_reserve_shortfall (Fixture *fixture, gconstpointer data)
{
  vmctl_test_write (fixture->root, "proc/sys/vm/compact_memory", "0\n");
  emulate_allocation (fixture, POOL_2M);
  /* 24 GiB = 12288 pages, 8192 free: 4096 more */
  reserve_ok (fixture, 24 * GIB_KIB, 2048);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 12288);
  g_assert_cmpuint (read_number (fixture, "proc/sys/vm/compact_memory"), ==, 1);
  assert_record (fixture, 2048, 4096);

  /* a second reserve (a retried start) does not add them again */
  reserve_ok (fixture, 24 * GIB_KIB, 2048);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 12288);
  assert_record (fixture, 2048, 4096);

  /* the VM ran and stopped: all pages are free again; release puts the
   * pool back where it was and forgets the reservation */
  release_ok (fixture);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
  g_assert_false (g_file_test (fixture->record, G_FILE_TEST_EXISTS));
  release_ok (fixture);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
}

static void
test_reserve_enough_free (Fixture *fixture, gconstpointer data)
{
  /* plain files: a write to nr_hugepages would show */
  set_pool (fixture, POOL_2M, 8192, 8192);
  reserve_ok (fixture, 8 * GIB_KIB, 2048);
  assert_record (fixture, 2048, 0);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
  release_ok (fixture);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
  g_assert_false (g_file_test (fixture->record, G_FILE_TEST_EXISTS));
}

static void
test_release_in_use (Fixture *fixture, gconstpointer data)
{
  emulate_allocation (fixture, POOL_2M);
  reserve_ok (fixture, 24 * GIB_KIB, 2048);
  /* another VM still uses 10240 pages: the pool may shrink to that, not
   * to 8192 */
  set_pool (fixture, POOL_2M, 12288, 2048);
  release_ok (fixture);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 10240);
  g_assert_false (g_file_test (fixture->record, G_FILE_TEST_EXISTS));
}

static void
test_release_no_record (Fixture *fixture, gconstpointer data)
{
  release_ok (fixture);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
  /* nothing is created just to find there is nothing to release */
  g_assert_false (g_file_test (fixture->state_dir, G_FILE_TEST_EXISTS));
}

static void
test_release_other_boot (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *relative = g_build_filename ("state", "hugepages", "gamer.conf", NULL);

  /* pages added before a reboot are gone with it; lowering the pool now
   * would eat the boot-time reservation */
  vmctl_test_write (fixture->temp, relative,
                    "[reservation]\nowner=gamer\npage_kib=2048\npages=4096\n"
                    "boot_id=00000000-0000-0000-0000-000000000000\n");
  release_ok (fixture);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
  g_assert_false (g_file_test (fixture->record, G_FILE_TEST_EXISTS));
}

static void
test_reserve_other_boot (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *relative = g_build_filename ("state", "hugepages", "gamer.conf", NULL);

  /* the host crashed with the VM running: the record says 4096 pages were
   * added, but the reboot took them; a new start must add them again */
  vmctl_test_write (fixture->temp, relative,
                    "[reservation]\nowner=gamer\npage_kib=2048\npages=4096\n"
                    "boot_id=00000000-0000-0000-0000-000000000000\n");
  emulate_allocation (fixture, POOL_2M);
  reserve_ok (fixture, 24 * GIB_KIB, 2048);
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 12288);
  assert_record (fixture, 2048, 4096);
}

static void
test_reserve_kernel_gave_fewer (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* without emulate_allocation the written nr_hugepages brings no free
   * page: a kernel that could not allocate them */
  g_assert_false (vmctl_hugepages_reserve (fixture->host, fixture->state_dir, "gamer",
                                           24 * GIB_KIB, 2048, &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "4096 more"));
  g_assert_nonnull (strstr (error->message, "echo 12288 > /proc/sys/vm/nr_hugepages"));
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
  g_assert_false (g_file_test (fixture->record, G_FILE_TEST_EXISTS));
}

static void
test_reserve_state_dir_unwritable (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *file = g_build_filename (fixture->temp, "file", NULL);
  g_autofree gchar *below_file = g_build_filename (file, "state", NULL);
  g_autoptr(GError) error = NULL;

  /* root ignores permission bits; a path under a regular file fails even
   * for root (ENOTDIR), as a real misconfiguration would */
  g_assert_true (g_file_set_contents (file, "", 0, &error));
  emulate_allocation (fixture, POOL_2M);
  g_assert_false (vmctl_hugepages_reserve (fixture->host, below_file, "gamer", 24 * GIB_KIB, 2048,
                                           &error));
  g_assert_error (error, VMCTL_HUGEPAGES_ERROR, VMCTL_HUGEPAGES_ERROR_IO);
  g_assert_nonnull (strstr (error->message, below_file));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
  /* checked before the pool is touched */
  g_assert_cmpuint (read_number (fixture, POOL_2M "/nr_hugepages"), ==, 8192);
}

static void
test_owner_is_one_file (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *escaped = g_build_filename (fixture->state_dir, "hugepages", "..%2Fevil.conf", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_hugepages_reserve (fixture->host, fixture->state_dir, "../evil",
                                          GIB_KIB, 2048, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (escaped, G_FILE_TEST_IS_REGULAR));
  g_assert_true (vmctl_hugepages_release (fixture->host, fixture->state_dir, "../evil", &error));
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
}

/* what a domain without <page size> gets: the fixture's 2 MiB, a 1 GiB
 * default when the kernel says so, 2 MiB when /proc/meminfo is gone */
static void
test_default_page_size (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *meminfo_path = g_build_filename (fixture->root, "proc/meminfo", NULL);
  g_autofree gchar *meminfo = NULL;
  g_autofree gchar *big = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_cmpuint (vmctl_hugepages_default_page_kib (fixture->host), ==, 2048);
  g_assert_true (g_file_get_contents (meminfo_path, &meminfo, NULL, NULL));
  parts = g_strsplit (meminfo, "Hugepagesize:       2048 kB", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  big = g_strjoinv ("Hugepagesize:    1048576 kB", parts);
  vmctl_test_write (fixture->root, "proc/meminfo", big);
  g_assert_cmpuint (vmctl_hugepages_default_page_kib (fixture->host), ==, 1048576);
  vmctl_test_unlink (fixture->root, "proc/meminfo");
  g_assert_cmpuint (vmctl_hugepages_default_page_kib (fixture->host), ==, 2048);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, scenario, function) \
  g_test_add (path, Fixture, scenario, setup, function, teardown)
  ADD ("/vmctl/hugepages/read", NULL, test_read);
  ADD ("/vmctl/hugepages/default-page-size", NULL, test_default_page_size);
  ADD ("/vmctl/hugepages/check", NULL, test_check);
  ADD ("/vmctl/hugepages/check/none-reserved", "no-hugepages", test_check_none_reserved);
  ADD ("/vmctl/hugepages/unsupported", NULL, test_unsupported);
  ADD ("/vmctl/hugepages/reserve/shortfall", NULL, test_reserve_shortfall);
  ADD ("/vmctl/hugepages/reserve/enough-free", NULL, test_reserve_enough_free);
  ADD ("/vmctl/hugepages/reserve/other-boot", NULL, test_reserve_other_boot);
  ADD ("/vmctl/hugepages/reserve/kernel-gave-fewer", NULL, test_reserve_kernel_gave_fewer);
  ADD ("/vmctl/hugepages/reserve/state-dir-unwritable", NULL, test_reserve_state_dir_unwritable);
  ADD ("/vmctl/hugepages/reserve/owner-is-one-file", NULL, test_owner_is_one_file);
  ADD ("/vmctl/hugepages/release/in-use", NULL, test_release_in_use);
  ADD ("/vmctl/hugepages/release/no-record", NULL, test_release_no_record);
  ADD ("/vmctl/hugepages/release/other-boot", NULL, test_release_other_boot);
#undef ADD
  return g_test_run ();
}
