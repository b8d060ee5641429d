/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-use.c: signs that the host itself depends on a PCI function:
 * the boot VGA device, a firmware framebuffer in its BARs, processes that
 * hold it open, and (vmctl-host-use-block.c) disks below it the host
 * mounts or swaps on. Everything here is advisory: a file that is
 * missing, unreadable or garbled gives no reason, and the caller decides
 * what a reason means. */
#include "vmctl-host-use-private.h"
#include "vmctl-host-private.h"
#include "vmctl-pci-device.h"

#include <stdlib.h>
#include <string.h>

#define PCI_DEVICES "/sys/bus/pci/devices"

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

/**
 * vmctl_host_use_read_text: (skip)
 * @absolute_path: a host path
 *
 * Returns: (transfer full) (nullable): the file's text; NULL when it
 *   cannot be read, since every check here is advisory
 */
gchar *
vmctl_host_use_read_text (VmctlHost *host, const gchar *absolute_path)
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
  g_autofree gchar *resource = vmctl_host_use_read_text (host, resource_path);
  g_autofree gchar *iomem = NULL;

  if (resource == NULL || (iomem = vmctl_host_use_read_text (host, "/proc/iomem")) == NULL)
    return;
  vmctl_host_use_framebuffer_reasons (resource, iomem, reasons);
}

/* g_ptr_array_sort() passes pointers to the elements */
static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * vmctl_host_use_list_directory: (skip)
 * @absolute_path: a host directory
 *
 * Returns: (transfer full) (element-type utf8): its entries, sorted so
 *   reasons come out in a stable order; empty when it cannot be read
 */
GPtrArray *
vmctl_host_use_list_directory (VmctlHost *host, const gchar *absolute_path)
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
  g_autoptr(GPtrArray) entries = vmctl_host_use_list_directory (host, drm);
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
  g_autoptr(GPtrArray) fds = vmctl_host_use_list_directory (host, fd_dir);

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
  pids = vmctl_host_use_list_directory (host, "/proc");
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
  vmctl_host_use_add_block_reasons (host, device_name, reasons);
  add_opener_reasons (host, device_name, reasons);
  return reasons;
}
