/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-use-block.c: the block devices below a PCI function (an NVMe
 * or SATA controller's disks, their partitions, dm and md devices stacked
 * on them) that the host mounts or swaps on, and the same for one block
 * device a VM would be given (vmctl_host_use_block_reasons()). Advisory,
 * as all of vmctl-host-use.c. */
#include "vmctl-host-use-private.h"
#include "vmctl-host-private.h"

#include <stdlib.h>
#include <string.h>

#define PCI_DEVICES "/sys/bus/pci/devices"
#define CLASS_BLOCK "/sys/class/block"

/* Returns: (nullable): where a host path really is, following the
 * relative symlinks sysfs is made of; inside the host root because the
 * fixtures' links are relative too */
static gchar *
resolve (VmctlHost *host, const gchar *absolute_path)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);

  return realpath (path, NULL);
}

/* The kernel names of block devices (disks and partitions) whose sysfs
 * directory lies under the function's: nvme/nvme0/nvme0n1/nvme0n1p2,
 * ata1/host0/.../block/sda/sda1. sys/class/block lists both kinds */
static void
add_block_devices_below (VmctlHost *host, const gchar *directory, GHashTable *found)
{
  g_autofree gchar *prefix = g_strconcat (directory, "/", NULL);
  g_autoptr(GPtrArray) names = vmctl_host_use_list_directory (host, CLASS_BLOCK);

  for (guint i = 0; i < names->len; i++) {
    const gchar *name = g_ptr_array_index (names, i);
    g_autofree gchar *link = g_build_filename (CLASS_BLOCK, name, NULL);
    g_autofree gchar *target = resolve (host, link);

    if (target != NULL && g_str_has_prefix (target, prefix))
      g_hash_table_add (found, g_strdup (name));
  }
}

static GHashTable *
find_block_devices (VmctlHost *host, const gchar *device_name)
{
  GHashTable *found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gchar *function_link = g_build_filename (PCI_DEVICES, device_name, NULL);
  g_autofree gchar *function_dir = resolve (host, function_link);

  if (function_dir != NULL)
    add_block_devices_below (host, function_dir, found);
  return found;
}

static gboolean
any_slave_found (VmctlHost *host, const gchar *name, GHashTable *found)
{
  g_autofree gchar *slaves_path = g_build_filename (CLASS_BLOCK, name, "slaves", NULL);
  g_autoptr(GPtrArray) slaves = vmctl_host_use_list_directory (host, slaves_path);

  for (guint i = 0; i < slaves->len; i++) {
    if (g_hash_table_contains (found, g_ptr_array_index (slaves, i)))
      return TRUE;
  }
  return FALSE;
}

/* Adds the devices stacked on @found to it: device-mapper (LVM, LUKS)
 * and md RAID list their members in slaves/. Maps "/dev/mapper/NAME" to
 * "/dev/dm-N" in @aliases, as /proc/mounts shows whichever spelling was
 * mounted. Repeats until nothing changes, because LVM on LUKS stacks one dm
 * device on another */
static void
add_stacked_devices (VmctlHost *host, GHashTable *found, GHashTable *aliases)
{
  g_autoptr(GPtrArray) names = vmctl_host_use_list_directory (host, CLASS_BLOCK);
  gboolean changed = TRUE;

  while (changed) {
    changed = FALSE;
    for (guint i = 0; i < names->len; i++) {
      const gchar *name = g_ptr_array_index (names, i);
      g_autofree gchar *name_path = NULL;
      g_autofree gchar *mapper_name = NULL;

      if (g_hash_table_contains (found, name) || !any_slave_found (host, name, found))
        continue;
      g_hash_table_add (found, g_strdup (name));
      changed = TRUE;
      name_path = g_build_filename (CLASS_BLOCK, name, "dm", "name", NULL);
      /* md devices have no dm/name */
      mapper_name = vmctl_host_read_line (host, name_path, NULL);
      if (mapper_name != NULL)
        g_hash_table_insert (aliases, g_strconcat ("/dev/mapper/", mapper_name, NULL),
                             g_strconcat ("/dev/", name, NULL));
    }
  }
}

/* whether @source ("/dev/nvme0n1p2", "/dev/mapper/root") is one of @found */
static gboolean
is_found_source (const gchar *source, GHashTable *found, GHashTable *aliases)
{
  const gchar *canonical = g_hash_table_lookup (aliases, source);

  if (canonical == NULL)
    canonical = source;
  return g_str_has_prefix (canonical, "/dev/")
         && g_hash_table_contains (found, canonical + strlen ("/dev/"));
}

/* Each line: whitespace-separated fields, octal escapes (\040) for white
 * space in names, as in /proc/mounts and /proc/swaps */
static GPtrArray *
parse_table (const gchar *contents)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
    GPtrArray *row = g_ptr_array_new ();

    for (guint j = 0; fields[j] != NULL; j++) {
      if (fields[j][0] != '\0')
        g_ptr_array_add (row, vmctl_host_unescape_field (fields[j]));
    }
    g_ptr_array_add (row, NULL);
    if (row->len > 2)
      g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
    else
      g_strfreev ((gchar **) g_ptr_array_free (row, FALSE));
  }
  return rows;
}

/**
 * vmctl_host_use_mount_reasons: (skip)
 * @mounts: /proc/mounts
 * @found: the kernel names of the block devices below the function
 * @aliases: "/dev/mapper/NAME" -> "/dev/dm-N"
 */
void
vmctl_host_use_mount_reasons (const gchar *mounts, GHashTable *found, GHashTable *aliases,
                              GPtrArray *reasons)
{
  g_autoptr(GPtrArray) rows = parse_table (mounts);

  /* one line per mount, so a device mounted twice is named twice: each
   * mount point is something the user will want to see */
  for (guint i = 0; i < rows->len; i++) {
    gchar **fields = g_ptr_array_index (rows, i);

    if (is_found_source (fields[0], found, aliases))
      g_ptr_array_add (reasons, g_strdup_printf ("%s under it is mounted on %s",
                                                 fields[0], fields[1]));
  }
}

/**
 * vmctl_host_use_mountinfo_reasons: (skip)
 * @mountinfo: /proc/self/mountinfo
 * @numbers: "MAJOR:MINOR" -> kernel name, for the block devices below the
 *   function
 *
 * /proc/self/mountinfo names each mount's device by number, whatever its
 * source says: "/dev/root" for a root= mount made without udev.
 *
 * Returns: FALSE when @mountinfo holds no mount (then /proc/mounts is the
 * source)
 */
gboolean
vmctl_host_use_mountinfo_reasons (const gchar *mountinfo, GHashTable *numbers, GPtrArray *reasons)
{
  g_autoptr(GPtrArray) rows = parse_table (mountinfo);

  if (rows->len == 0)
    return FALSE;
  /* ID PARENT MAJOR:MINOR ROOT MOUNT-POINT ...: one line per mount */
  for (guint i = 0; i < rows->len; i++) {
    gchar **fields = g_ptr_array_index (rows, i);
    const gchar *device;

    if (g_strv_length (fields) < 5)
      continue;
    device = g_hash_table_lookup (numbers, fields[2]);
    if (device != NULL)
      g_ptr_array_add (reasons, g_strdup_printf ("/dev/%s under it is mounted on %s",
                                                 device, fields[4]));
  }
  return TRUE;
}

/**
 * vmctl_host_use_swap_reasons: (skip)
 * @swaps: /proc/swaps
 *
 * As vmctl_host_use_mount_reasons(), for active swap.
 */
void
vmctl_host_use_swap_reasons (const gchar *swaps, GHashTable *found, GHashTable *aliases,
                             GPtrArray *reasons)
{
  g_autoptr(GPtrArray) rows = parse_table (swaps);

  /* the header line ("Filename Type ...") matches no device; swap files
   * live on a file system, which the mount check covers */
  for (guint i = 0; i < rows->len; i++) {
    gchar **fields = g_ptr_array_index (rows, i);

    if (is_found_source (fields[0], found, aliases))
      g_ptr_array_add (reasons, g_strdup_printf ("%s under it is active swap", fields[0]));
  }
}

/* "MAJOR:MINOR" (sys/class/block/NAME/dev) -> NAME, for each of @found */
static GHashTable *
device_numbers (VmctlHost *host, GHashTable *found)
{
  GHashTable *numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &name, NULL)) {
    g_autofree gchar *dev_path = g_build_filename (CLASS_BLOCK, name, "dev", NULL);
    gchar *number = vmctl_host_read_line (host, dev_path, NULL);

    if (number != NULL)
      g_hash_table_insert (numbers, number, g_strdup (name));
  }
  return numbers;
}

/* what the host does with the block devices in @found (kernel names), or
 * with the devices stacked on them */
static void
add_found_block_reasons (VmctlHost *host, GHashTable *found, GPtrArray *reasons)
{
  g_autoptr(GHashTable) aliases = NULL;
  g_autoptr(GHashTable) numbers = NULL;
  g_autofree gchar *mountinfo = NULL;
  g_autofree gchar *mounts = NULL;
  g_autofree gchar *swaps = NULL;

  if (g_hash_table_size (found) == 0)
    return;
  aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  add_stacked_devices (host, found, aliases);
  mountinfo = vmctl_host_use_read_text (host, "/proc/self/mountinfo");
  if (mountinfo != NULL)
    numbers = device_numbers (host, found);
  if (numbers == NULL || !vmctl_host_use_mountinfo_reasons (mountinfo, numbers, reasons)) {
    mounts = vmctl_host_use_read_text (host, "/proc/mounts");
    if (mounts != NULL)
      vmctl_host_use_mount_reasons (mounts, found, aliases, reasons);
  }
  swaps = vmctl_host_use_read_text (host, "/proc/swaps");
  if (swaps != NULL)
    vmctl_host_use_swap_reasons (swaps, found, aliases, reasons);
}

/**
 * vmctl_host_use_add_block_reasons: (skip)
 * @device_name: a PCI function, "0000:01:00.0"
 * @reasons: (element-type utf8): where the reasons go
 *
 * The disks below @device_name that the host mounts or swaps on.
 */
void
vmctl_host_use_add_block_reasons (VmctlHost *host, const gchar *device_name, GPtrArray *reasons)
{
  g_autoptr(GHashTable) found = find_block_devices (host, device_name);

  add_found_block_reasons (host, found, reasons);
}

/**
 * vmctl_host_use_block_reasons:
 * @host: the host the device node belongs to
 * @major: the block device's major number (st_rdev of its node)
 * @minor: its minor number
 *
 * Whether the host itself uses a block device a VM would be given: the
 * device, one of its partitions, or a dm/md device stacked on either is
 * mounted (/proc/self/mountinfo by device number, else /proc/mounts) or is
 * active swap (/proc/swaps). The kernel name comes from
 * /sys/dev/block/MAJOR:MINOR, partitions are the block devices below it
 * in sysfs. A device sysfs does not know gives no reason.
 *
 * Returns: (transfer full) (element-type utf8): one sentence per reason,
 * empty when the host does not visibly use the device
 */
GPtrArray *
vmctl_host_use_block_reasons (VmctlHost *host, guint major, guint minor)
{
  GPtrArray *reasons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gchar *link = g_strdup_printf ("/sys/dev/block/%u:%u", major, minor);
  g_autofree gchar *directory = NULL;

  g_return_val_if_fail (host != NULL, reasons);
  directory = resolve (host, link);
  if (directory == NULL)
    return reasons;
  g_hash_table_add (found, g_path_get_basename (directory));
  add_block_devices_below (host, directory, found);
  add_found_block_reasons (host, found, reasons);
  return reasons;
}
