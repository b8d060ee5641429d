/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-mounts.c: /proc/mounts, /proc/self/mountinfo and /proc/swaps, which
 * say whether a disk below a PCI function is mounted or swapping, and
 * /proc/mounts once more as the host check reads it (hugetlbfs mounts).
 * Each input is read as all four, against a function with two NVMe
 * partitions and an LVM volume on them. */
#include "vmctl-fuzz.h"
#include "vmctl-host-use-private.h"
#include "vmctl-hostcheck-private.h"
#include "vmctl-hugepages-private.h"

static void
check_host_use (const gchar *text)
{
  g_autoptr(GHashTable) found = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) aliases = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) numbers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);

  g_hash_table_add (found, (gpointer) "nvme0n1");
  g_hash_table_add (found, (gpointer) "nvme0n1p1");
  g_hash_table_add (found, (gpointer) "nvme0n1p2");
  g_hash_table_add (found, (gpointer) "dm-0");
  g_hash_table_insert (aliases, (gpointer) "/dev/mapper/vg-root", (gpointer) "/dev/dm-0");
  g_hash_table_insert (numbers, (gpointer) "259:1", (gpointer) "nvme0n1p1");
  g_hash_table_insert (numbers, (gpointer) "259:2", (gpointer) "nvme0n1p2");
  g_hash_table_insert (numbers, (gpointer) "254:0", (gpointer) "dm-0");

  vmctl_host_use_mount_reasons (text, found, aliases, reasons);
  vmctl_host_use_mountinfo_reasons (text, numbers, reasons);
  vmctl_host_use_swap_reasons (text, found, aliases, reasons);
  for (guint i = 0; i < reasons->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (reasons, i), "/dev/"));
}

/* The hugetlbfs mounts' one reader (the host facts' page sizes, the
 * hugepages.mount check's mount points) reads /proc/mounts through the
 * host only. */
static void
check_hugepages_mount (const gchar *text)
{
  g_autoptr(GPtrArray) results =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_check_result_free);
  g_autoptr(GPtrArray) mounts = NULL;
  VmctlHostCheck check = { 0 };

  vmctl_fuzz_write_host_file ("mounts", text);
  check.host = vmctl_fuzz_host ();
  check.results = results;
  vmctl_host_check_hugepages_mount (&check);
  g_assert_cmpuint (results->len, ==, 1);
  mounts = vmctl_hugepages_read_mounts (check.host);
  g_assert_nonnull (mounts);
  for (guint i = 0; i < mounts->len; i++)
    g_assert_nonnull (((VmctlHugetlbfsMount *) g_ptr_array_index (mounts, i))->mount_point);
  /* the check passes exactly when the reader finds a mount */
  g_assert_cmpint (((VmctlCheckResult *) g_ptr_array_index (results, 0))->status == VMCTL_CHECK_PASS,
                   ==, mounts->len > 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);

  if (text == NULL)
    return 0;
  check_host_use (text);
  check_hugepages_mount (text);
  return 0;
}
