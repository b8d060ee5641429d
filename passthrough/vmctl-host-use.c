/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-use.c: signs that the host itself depends on a PCI function.
 * Everything here is advisory: a file that is missing, unreadable or
 * garbled gives no reason, and the caller decides what a reason means. */
#include "vmctl-host-use-private.h"
#include "vmctl-host-private.h"
#include "vmctl-pci-device.h"

#include <stdlib.h>
#include <string.h>

#define PCI_DEVICES "/sys/bus/pci/devices"
#define CLASS_BLOCK "/sys/class/block"

/* PCI_STD_NUM_BARS: lines 0-5 of `resource` are the BARs. Later lines are
 * the ROM, SR-IOV BARs and bridge windows, and their number depends on the
 * kernel's config; a bridge window spans every device below it, so reading
 * it would blame the root port above the boot GPU for its framebuffer */
#define STANDARD_BARS 6
/* include/linux/ioport.h: IORESOURCE_MEM. I/O port BARs live in another
 * address space, which /proc/iomem does not describe */
#define RESOURCE_FLAG_MEM 0x00000200

/* names the kernel gives a firmware framebuffer's region in /proc/iomem:
 * sysfb registers "BOOTFB" (x86) or a "simple-framebuffer.N" device; the
 * fbdev and DRM drivers claim the range under their own names */
static const gchar * const framebuffer_names[] = {
  "efifb", "simpledrm", "simple-framebuffer", "vesafb", "vga16fb", "BOOTFB", NULL,
};

typedef struct {
  guint64 start;
  guint64 end;
  gchar *name;
} IomemRange;

static void
iomem_range_clear (gpointer data)
{
  IomemRange *range = data;

  g_free (range->name);
}

static gchar *
attribute_path (const gchar *device_name, const gchar *attribute)
{
  return g_build_filename (PCI_DEVICES, device_name, attribute, NULL);
}

static void
add_boot_vga_reason (VmctlHost *host, const gchar *device_name, GPtrArray *reasons)
{
  g_autofree gchar *boot_vga_path = attribute_path (device_name, "boot_vga");
  g_autofree gchar *driver_path = attribute_path (device_name, "driver");
  g_autofree gchar *boot_vga = vmctl_host_read_line (host, boot_vga_path, NULL);
  g_autofree gchar *driver = NULL;

  if (g_strcmp0 (boot_vga, "1") != 0)
    return;
  /* without a driver only the firmware framebuffer can still be using it,
   * and the framebuffer check below reports that on its own */
  driver = vmctl_host_read_link_name (host, driver_path);
  /* vfio-pci or pci-stub hold it for a guest: no host console there */
  if (driver == NULL || vmctl_pci_driver_is_vfio_safe (driver))
    return;
  g_ptr_array_add (reasons, g_strdup_printf ("%s is the boot VGA device and is driven by %s: "
                                             "the host console would go dark",
                                             device_name, driver));
}

/* "0x%016llx 0x%016llx 0x%016llx": start, end, flags */
static gboolean
parse_resource_line (const gchar *line, guint64 *out_start, guint64 *out_end, guint64 *out_flags)
{
  g_autofree gchar *stripped = g_strstrip (g_strdup (line));
  g_auto(GStrv) fields = g_strsplit_set (stripped, " \t", -1);
  guint64 values[3] = { 0 };

  if (g_strv_length (fields) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++) {
    const gchar *digits = g_str_has_prefix (fields[i], "0x") ? fields[i] + 2 : fields[i];

    if (!g_ascii_string_to_unsigned (digits, 16, 0, G_MAXUINT64, &values[i], NULL))
      return FALSE;
  }
  *out_start = values[0];
  *out_end = values[1];
  *out_flags = values[2];
  return TRUE;
}

/* "  4020000000-40207e8fff : efifb", indented by nesting depth */
static gboolean
parse_iomem_line (const gchar *line, IomemRange *out_range)
{
  const gchar *colon = strstr (line, " : ");
  g_autofree gchar *span = NULL;
  g_auto(GStrv) bounds = NULL;
  guint64 start = 0;
  guint64 end = 0;

  if (colon == NULL)
    return FALSE;
  span = g_strstrip (g_strndup (line, colon - line));
  bounds = g_strsplit (span, "-", 2);
  if (g_strv_length (bounds) != 2
      || !g_ascii_string_to_unsigned (bounds[0], 16, 0, G_MAXUINT64, &start, NULL)
      || !g_ascii_string_to_unsigned (bounds[1], 16, 0, G_MAXUINT64, &end, NULL))
    return FALSE;
  out_range->start = start;
  out_range->end = end;
  out_range->name = g_strstrip (g_strdup (colon + 3));
  return TRUE;
}

static gboolean
is_framebuffer_name (const gchar *name)
{
  for (guint i = 0; framebuffer_names[i] != NULL; i++) {
    if (g_str_has_prefix (name, framebuffer_names[i]))
      return TRUE;
  }
  return FALSE;
}

/* Returns: the framebuffer regions of /proc/iomem, possibly none */
static GArray *
parse_framebuffers (const gchar *iomem)
{
  GArray *framebuffers = g_array_new (FALSE, TRUE, sizeof (IomemRange));
  g_auto(GStrv) lines = g_strsplit (iomem, "\n", -1);

  g_array_set_clear_func (framebuffers, iomem_range_clear);
  for (guint i = 0; lines[i] != NULL; i++) {
    IomemRange range = { 0 };

    if (!parse_iomem_line (lines[i], &range))
      continue;
    /* non-root readers see every range as 0-0; such a range overlaps no
     * BAR in use, since unused BARs, which read as 0-0 too, are skipped */
    if (is_framebuffer_name (range.name) && range.start <= range.end)
      g_array_append_val (framebuffers, range);
    else
      iomem_range_clear (&range);
  }
  return framebuffers;
}

static void
add_bar_overlaps (guint bar, guint64 start, guint64 end, GArray *framebuffers, GPtrArray *reasons)
{
  for (guint i = 0; i < framebuffers->len; i++) {
    const IomemRange *framebuffer = &g_array_index (framebuffers, IomemRange, i);

    if (framebuffer->start > end || framebuffer->end < start)
      continue;
    g_ptr_array_add (reasons, g_strdup_printf ("BAR %u (0x%" G_GINT64_MODIFIER "x-0x%"
                                               G_GINT64_MODIFIER "x) holds the firmware "
                                               "framebuffer '%s' in /proc/iomem",
                                               bar, start, end, framebuffer->name));
  }
}

/**
 * vmctl_host_use_framebuffer_reasons: (skip)
 * @resource: a function's sysfs `resource` file
 * @iomem: /proc/iomem
 * @reasons: (element-type utf8): receives one sentence per BAR that holds
 *   a firmware framebuffer
 */
void
vmctl_host_use_framebuffer_reasons (const gchar *resource, const gchar *iomem, GPtrArray *reasons)
{
  g_autoptr(GArray) framebuffers = parse_framebuffers (iomem);
  g_auto(GStrv) lines = NULL;

  if (framebuffers->len == 0)
    return;
  lines = g_strsplit (resource, "\n", -1);
  for (guint bar = 0; bar < STANDARD_BARS && lines[bar] != NULL; bar++) {
    guint64 start = 0;
    guint64 end = 0;
    guint64 flags = 0;

    if (!parse_resource_line (lines[bar], &start, &end, &flags))
      continue;
    /* unused BARs read as all zeros */
    if ((flags & RESOURCE_FLAG_MEM) == 0 || end == 0 || start > end)
      continue;
    add_bar_overlaps (bar, start, end, framebuffers, reasons);
  }
}

/* NULL when the file cannot be read: every check here is advisory */
static gchar *
read_text (VmctlHost *host, const gchar *absolute_path)
{
  gchar *contents = NULL;

  if (!vmctl_host_read (host, absolute_path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
add_framebuffer_reasons (VmctlHost *host, const gchar *device_name, GPtrArray *reasons)
{
  g_autofree gchar *resource_path = attribute_path (device_name, "resource");
  g_autofree gchar *resource = read_text (host, resource_path);
  g_autofree gchar *iomem = NULL;

  if (resource == NULL || (iomem = read_text (host, "/proc/iomem")) == NULL)
    return;
  vmctl_host_use_framebuffer_reasons (resource, iomem, reasons);
}

/* g_ptr_array_sort() passes pointers to the elements */
static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Returns: the entries of a host directory, sorted so reasons come out in
 * a stable order; empty when it cannot be read */
static GPtrArray *
list_directory (VmctlHost *host, const gchar *absolute_path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir == NULL)
    return names;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

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
  g_autoptr(GPtrArray) names = list_directory (host, CLASS_BLOCK);

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
  g_autoptr(GPtrArray) slaves = list_directory (host, slaves_path);

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
  g_autoptr(GPtrArray) names = list_directory (host, CLASS_BLOCK);
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
  mountinfo = read_text (host, "/proc/self/mountinfo");
  if (mountinfo != NULL)
    numbers = device_numbers (host, found);
  if (numbers == NULL || !vmctl_host_use_mountinfo_reasons (mountinfo, numbers, reasons)) {
    mounts = read_text (host, "/proc/mounts");
    if (mounts != NULL)
      vmctl_host_use_mount_reasons (mounts, found, aliases, reasons);
  }
  swaps = read_text (host, "/proc/swaps");
  if (swaps != NULL)
    vmctl_host_use_swap_reasons (swaps, found, aliases, reasons);
}

static void
add_block_reasons (VmctlHost *host, const gchar *device_name, GPtrArray *reasons)
{
  g_autoptr(GHashTable) found = find_block_devices (host, device_name);

  add_found_block_reasons (host, found, reasons);
}

/* ---- processes with the device open ---- */

#define MAX_OPENERS 5

/* The device nodes of @device_name: the DRM nodes the kernel lists under
 * it (drm/card1 -> /dev/dri/card1, drm/renderD128) and, for the NVIDIA
 * driver, /dev/nvidiaN with N from /proc/driver/nvidia/gpus/ADDR. */
static GHashTable *
device_nodes (VmctlHost *host, const gchar *device_name)
{
  GHashTable *nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gchar *drm = g_build_filename (PCI_DEVICES, device_name, "drm", NULL);
  g_autoptr(GPtrArray) entries = list_directory (host, drm);
  g_autofree gchar *information = g_build_filename ("/proc/driver/nvidia/gpus", device_name,
                                                    "information", NULL);
  g_autofree gchar *text = NULL;
  const gchar *minor;

  for (guint i = 0; i < entries->len; i++) {
    const gchar *entry = g_ptr_array_index (entries, i);

    if (g_str_has_prefix (entry, "card") || g_str_has_prefix (entry, "renderD"))
      g_hash_table_add (nodes, g_strconcat ("/dev/dri/", entry, NULL));
  }
  /* "Device Minor: 0" */
  if (vmctl_host_read (host, information, &text, NULL, NULL)
      && (minor = strstr (text, "Device Minor:")) != NULL) {
    guint64 number = g_ascii_strtoull (minor + strlen ("Device Minor:"), NULL, 10);

    g_hash_table_add (nodes, g_strdup_printf ("/dev/nvidia%" G_GUINT64_FORMAT, number));
  }
  return nodes;
}

/* the first of @pid's open files that is one of @nodes, or NULL */
static const gchar *
open_node (VmctlHost *host, const gchar *pid, GHashTable *nodes)
{
  g_autofree gchar *fd_dir = g_build_filename ("/proc", pid, "fd", NULL);
  g_autoptr(GPtrArray) fds = list_directory (host, fd_dir);

  for (guint i = 0; i < fds->len; i++) {
    g_autofree gchar *fd = g_build_filename (fd_dir, g_ptr_array_index (fds, i), NULL);
    g_autofree gchar *target = vmctl_host_read_link (host, fd);
    gpointer node = NULL;

    if (target != NULL && g_hash_table_lookup_extended (nodes, target, &node, NULL))
      return node;
  }
  return NULL;
}

/* A process holding the GPU open (a display server, a CUDA job,
 * nvidia-persistenced) makes the kernel's unbind wait for it to let go:
 * the write to unbind would hang. Name them instead. */
static void
add_opener_reasons (VmctlHost *host, const gchar *device_name, GPtrArray *reasons)
{
  g_autoptr(GHashTable) nodes = device_nodes (host, device_name);
  g_autoptr(GPtrArray) pids = NULL;
  guint named = 0, more = 0;

  if (g_hash_table_size (nodes) == 0)
    return;
  pids = list_directory (host, "/proc");
  for (guint i = 0; i < pids->len; i++) {
    const gchar *pid = g_ptr_array_index (pids, i);
    const gchar *node;

    if (!g_ascii_isdigit (pid[0]) || (node = open_node (host, pid, nodes)) == NULL)
      continue;
    if (named == MAX_OPENERS) {
      more++;
      continue;
    }
    {
      g_autofree gchar *comm_path = g_build_filename ("/proc", pid, "comm", NULL);
      g_autofree gchar *comm = vmctl_host_read_line (host, comm_path, NULL);

      g_ptr_array_add (reasons, g_strdup_printf ("%s is open in %s (PID %s)", node,
                                                 comm != NULL ? comm : "a process", pid));
      named++;
    }
  }
  if (more > 0)
    g_ptr_array_add (reasons, g_strdup_printf ("and %u more processes have it open", more));
}

/**
 * vmctl_host_use_reasons:
 * @host: the host to look at
 * @address: the PCI function about to be taken from the host
 *
 * Reads sysfs and procfs only; never fails.
 *
 * Returns: (transfer full) (element-type utf8): one sentence per reason,
 * empty when the host does not visibly use @address
 */
GPtrArray *
vmctl_host_use_reasons (VmctlHost *host, const VmctlPciAddress *address)
{
  GPtrArray *reasons = g_ptr_array_new_with_free_func (g_free);
  gchar device_name[VMCTL_PCI_ADDRESS_STRLEN];

  g_return_val_if_fail (host != NULL, reasons);
  g_return_val_if_fail (address != NULL, reasons);
  vmctl_pci_address_format (address, device_name);
  add_boot_vga_reason (host, device_name, reasons);
  add_framebuffer_reasons (host, device_name, reasons);
  add_block_reasons (host, device_name, reasons);
  add_opener_reasons (host, device_name, reasons);
  return reasons;
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
