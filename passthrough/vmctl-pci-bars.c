/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-bars.c: BAR sizes and Resizable BAR.
 *
 * sysfs `resource` (Documentation/ABI/testing/sysfs-bus-pci, written by
 * resource_show() in drivers/pci/pci-sysfs.c) has one line per resource,
 * "0x%016llx 0x%016llx 0x%016llx": start, end and the IORESOURCE_* flags;
 * lines 0-5 are the BARs, 6 the expansion ROM, then the SR-IOV BARs (and
 * the bridge windows). An unused resource is all zeros.
 *
 * Resizable BAR (PCIe base spec 7.8.6, include/uapi/linux/pci_regs.h)
 * is extended capability 0x0015 in the config space at 0x100 and up: after
 * the header, one capability/control register pair per resizable BAR. The
 * capability register's bits 31:4 say which sizes the BAR supports (bit 4
 * = 1 MiB, doubling upwards); the first control register's bits 7:5 count
 * the resizable BARs, each control register's bits 2:0 name its BAR and
 * bits 13:8 hold its current size (1 MiB << n). What the BAR is sized to
 * now is what a guest sees: vfio-pci does not expose the capability. */
#include "vmctl-pci-bars.h"

#include <string.h>

#define REBAR_CAP 4
#define REBAR_CTRL 8
#define REBAR_CTRL_BAR_INDEX 0x7
#define REBAR_CTRL_NBAR_MASK 0xe0
#define REBAR_CTRL_NBAR_SHIFT 5
#define REBAR_CTRL_SIZE_MASK 0x3f00
#define REBAR_CTRL_SIZE_SHIFT 8
#define MIB (G_GUINT64_CONSTANT (1) << 20)
/* a config space holds at most this many extended capabilities (4 KiB of
 * 4-byte headers): a loop in the list ends here instead of spinning */
#define EXT_CAP_LIMIT ((VMCTL_PCI_CONFIG_FULL - VMCTL_PCI_EXT_CAP_START) / 4)

/**
 * vmctl_pci_bars_free:
 * @bars: (nullable): BARs from a gpu check report
 *
 * Frees @bars and its arrays.
 */
void
vmctl_pci_bars_free (VmctlPciBars *bars)
{
  if (bars == NULL)
    return;
  g_clear_pointer (&bars->bars, g_array_unref);
  g_clear_pointer (&bars->rebar, g_array_unref);
  g_free (bars);
}

static gboolean
parse_number (const gchar *text, guint64 *out_value)
{
  gchar *end = NULL;
  guint64 value;

  if (!g_str_has_prefix (text, "0x"))
    return FALSE;
  value = g_ascii_strtoull (text + 2, &end, 16);
  if (end == text + 2 || *end != '\0')
    return FALSE;
  *out_value = value;
  return TRUE;
}

static gboolean
parse_resource (VmctlPciBars *bars, const gchar *resource, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (resource, "\n", -1);

  /* the six BARs only: the ROM and the SR-IOV BARs are no guest BARs */
  for (guint i = 0; i < 6 && lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
    guint64 start = 0, end = 0, flags = 0;
    VmctlPciBar bar = { 0 };

    if (g_strv_length (fields) != 3 || !parse_number (fields[0], &start)
        || !parse_number (fields[1], &end) || !parse_number (fields[2], &flags)) {
      g_set_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_UNREADABLE,
                   "resource line %u is not 'START END FLAGS'", i + 1);
      return FALSE;
    }
    if ((flags & VMCTL_IORESOURCE_MEM) == 0 || end <= start)
      continue;
    bar.index = i;
    bar.start = start;
    bar.size = end - start + 1;
    bar.is_64bit = (flags & VMCTL_IORESOURCE_MEM_64) != 0;
    bar.prefetchable = (flags & VMCTL_IORESOURCE_PREFETCH) != 0;
    g_array_append_val (bars->bars, bar);
  }
  return TRUE;
}

static guint32
read32 (const guint8 *config, gsize offset)
{
  return (guint32) config[offset] | (guint32) config[offset + 1] << 8
         | (guint32) config[offset + 2] << 16 | (guint32) config[offset + 3] << 24;
}

static guint64
largest_supported (guint32 supported)
{
  for (gint bit = 27; bit >= 0; bit--)
    if (supported & (1u << bit))
      return MIB << bit;
  return 0;
}

/* The ReBAR entries at @offset; a malformed one ends the list quietly:
 * it is a report, and the BAR sizes from `resource` stand on their own */
static void
parse_rebar (VmctlPciBars *bars, const guint8 *config, gsize length, gsize offset)
{
  guint count;

  if (offset + REBAR_CTRL + 4 > length)
    return;
  count = (read32 (config, offset + REBAR_CTRL) & REBAR_CTRL_NBAR_MASK) >> REBAR_CTRL_NBAR_SHIFT;
  for (guint i = 0; i < count && i < 6; i++) {
    gsize entry = offset + 8 * i;
    VmctlPciRebar rebar = { 0 };
    guint32 control;

    if (entry + REBAR_CTRL + 4 > length)
      return;
    control = read32 (config, entry + REBAR_CTRL);
    rebar.bar = control & REBAR_CTRL_BAR_INDEX;
    rebar.current = MIB << ((control & REBAR_CTRL_SIZE_MASK) >> REBAR_CTRL_SIZE_SHIFT);
    rebar.supported = (read32 (config, entry + REBAR_CAP) & 0xfffffff0u) >> 4;
    rebar.largest = largest_supported (rebar.supported);
    if (rebar.bar <= 5)
      g_array_append_val (bars->rebar, rebar);
  }
}

static void
parse_extended (VmctlPciBars *bars, const guint8 *config, gsize length)
{
  gsize offset = VMCTL_PCI_EXT_CAP_START;

  if (length < VMCTL_PCI_CONFIG_FULL)
    return;
  bars->extended_config = TRUE;
  for (guint steps = 0; steps < EXT_CAP_LIMIT && offset >= VMCTL_PCI_EXT_CAP_START
       && offset + 4 <= length; steps++) {
    guint32 header = read32 (config, offset);

    /* an empty list reads 0 (or all ones on a device that went away) */
    if (header == 0 || header == 0xffffffffu)
      return;
    if ((header & 0xffff) == VMCTL_PCI_EXT_CAP_REBAR) {
      parse_rebar (bars, config, length, offset);
      return;
    }
    offset = (header >> 20) & 0xffc;
  }
}

/**
 * vmctl_pci_bars_parse:
 * @resource: the text of sysfs `resource`
 * @config: (nullable): the bytes of sysfs `config`
 * @config_length: how many; below 4096 the ReBAR answer is unknown
 * @error: VMCTL_PCI_ERROR_UNREADABLE when a BAR line is malformed
 *
 * Returns: (transfer full): the memory BARs and ReBAR entries
 */
VmctlPciBars *
vmctl_pci_bars_parse (const gchar *resource, const guint8 *config, gsize config_length,
                      GError **error)
{
  g_autoptr(VmctlPciBars) bars = g_new0 (VmctlPciBars, 1);

  g_return_val_if_fail (resource != NULL, NULL);
  bars->bars = g_array_new (FALSE, FALSE, sizeof (VmctlPciBar));
  bars->rebar = g_array_new (FALSE, FALSE, sizeof (VmctlPciRebar));
  if (!parse_resource (bars, resource, error))
    return NULL;
  if (config != NULL)
    parse_extended (bars, config, config_length);
  return g_steal_pointer (&bars);
}

/**
 * vmctl_pci_bars_read:
 * @error: VMCTL_HOST_ERROR_NOT_FOUND when the function has no `resource`,
 *   VMCTL_PCI_ERROR_UNREADABLE when it is malformed
 *
 * The BARs of the function at @address under @host. A missing or short
 * `config` (a non-root reader gets 64 bytes) leaves ReBAR unknown.
 */
VmctlPciBars *
vmctl_pci_bars_read (VmctlHost *host, const VmctlPciAddress *address, GError **error)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *resource_path = NULL;
  g_autofree gchar *config_path = NULL;
  g_autofree gchar *resource = NULL;
  g_autofree gchar *config = NULL;
  gsize config_length = 0;

  vmctl_pci_address_format (address, text);
  resource_path = g_strdup_printf ("/sys/bus/pci/devices/%s/resource", text);
  config_path = g_strdup_printf ("/sys/bus/pci/devices/%s/config", text);
  if (!vmctl_host_read (host, resource_path, &resource, NULL, error))
    return NULL;
  if (!vmctl_host_read (host, config_path, &config, &config_length, NULL))
    g_clear_pointer (&config, g_free);
  return vmctl_pci_bars_parse (resource, (const guint8 *) config, config_length, error);
}

/**
 * vmctl_pci_read_ids:
 *
 * The function's vendor and device ids from sysfs, for a check that
 * needs no whole inventory (a ROM's ids, the reset-bug list).
 *
 * Returns: FALSE when they cannot be read
 */
gboolean
vmctl_pci_read_ids (VmctlHost *host, const VmctlPciAddress *address, guint16 *out_vendor_id,
                    guint16 *out_device_id)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *vendor_path = NULL;
  g_autofree gchar *device_path = NULL;
  guint64 vendor = 0, device = 0;

  vmctl_pci_address_format (address, text);
  vendor_path = g_strdup_printf ("/sys/bus/pci/devices/%s/vendor", text);
  device_path = g_strdup_printf ("/sys/bus/pci/devices/%s/device", text);
  if (!vmctl_host_read_hex (host, vendor_path, &vendor, NULL)
      || !vmctl_host_read_hex (host, device_path, &device, NULL) || vendor > 0xffff
      || device > 0xffff)
    return FALSE;
  *out_vendor_id = (guint16) vendor;
  *out_device_id = (guint16) device;
  return TRUE;
}

/**
 * vmctl_pci_round_up_power_of_two:
 * Returns: the smallest power of two >= @value (1 for 0)
 */
guint64
vmctl_pci_round_up_power_of_two (guint64 value)
{
  guint64 power = 1;

  while (power < value && power != 0)
    power <<= 1;
  return power != 0 ? power : value;
}

/**
 * vmctl_pci_bars_window:
 *
 * The 64-bit guest address space the function's 64-bit BARs take behind
 * the root port the guest puts it on: the firmware sizes a bridge window
 * to hold every BAR aligned to its own size, so the sum, rounded up to a
 * power of two, is what it must find free in its 64-bit aperture.
 *
 * Returns: bytes; 0 without 64-bit BARs
 */
guint64
vmctl_pci_bars_window (const VmctlPciBars *bars)
{
  guint64 sum = 0;

  for (guint i = 0; i < bars->bars->len; i++) {
    const VmctlPciBar *bar = &g_array_index (bars->bars, VmctlPciBar, i);

    if (bar->is_64bit)
      sum += bar->size;
  }
  return sum == 0 ? 0 : vmctl_pci_round_up_power_of_two (sum);
}

/**
 * vmctl_pci_bars_largest:
 * Returns: the size of the largest memory BAR, 0 when there is none
 */
guint64
vmctl_pci_bars_largest (const VmctlPciBars *bars)
{
  guint64 largest = 0;

  for (guint i = 0; i < bars->bars->len; i++)
    largest = MAX (largest, g_array_index (bars->bars, VmctlPciBar, i).size);
  return largest;
}

/**
 * vmctl_pci_size_format:
 *
 * "16 GiB", "256 MiB", "16 KiB", "4 bytes"; one decimal when the size is
 * no whole number of its unit.
 *
 * Returns: (transfer full): the text
 */
gchar *
vmctl_pci_size_format (guint64 bytes)
{
  static const gchar * const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
  guint unit = 0;
  guint64 scale = 1;

  while (unit + 1 < G_N_ELEMENTS (units) && bytes >= scale * 1024) {
    scale *= 1024;
    unit++;
  }
  if (bytes % scale == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", bytes / scale, units[unit]);
  return g_strdup_printf ("%.1f %s", (gdouble) bytes / (gdouble) scale, units[unit]);
}
