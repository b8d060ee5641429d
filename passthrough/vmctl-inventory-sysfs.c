/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-inventory-sysfs.c: every PCI function under the host root's
 * /sys/bus/pci/devices, read the way the kernel's sysfs ABI defines it
 * (Documentation/ABI/testing/sysfs-bus-pci). A file that cannot be read is
 * noted on the device and never aborts the listing: one broken attribute
 * must not hide the rest of the host. */
#include "vmctl-inventory-sysfs.h"
#include "vmctl-pci-names.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* the first 64 bytes: the standard header of types 0 and 1 */
#define CONFIG_HEADER_SIZE 64
#define CONFIG_VENDOR_ID   0x00
#define CONFIG_DEVICE_ID   0x02
#define CONFIG_CLASS_PROG  0x09
#define CONFIG_HEADER_TYPE 0x0e
#define CONFIG_SUBSYSTEM_VENDOR_ID 0x2c
#define CONFIG_SUBSYSTEM_ID 0x2e

typedef struct {
  VmctlHost *host;
  const gchar *name;       /* "0000:01:00.0", as listed by the kernel */
  gchar *directory;        /* "/sys/bus/pci/devices/0000:01:00.0" (host view) */
  guint8 config[CONFIG_HEADER_SIZE];
  gboolean have_config;
} DeviceReader;

static gchar *
attribute_path (DeviceReader *reader, const gchar *attribute)
{
  return g_build_filename (reader->directory, attribute, NULL);
}

static void
note_problem (VmctlPciDevice *device, DeviceReader *reader, const gchar *attribute,
              const GError *error)
{
  g_ptr_array_add (device->problems,
                   g_strdup_printf ("%s/%s (%s)", reader->name, attribute,
                                    error->code == VMCTL_HOST_ERROR_EMPTY ? "empty"
                                    : error->code == VMCTL_HOST_ERROR_NOT_FOUND ? "missing"
                                    : "unreadable"));
}

static guint16
config_u16 (DeviceReader *reader, gsize offset)
{
  return (guint16) (reader->config[offset] | reader->config[offset + 1] << 8);
}

/* config is binary and may be shorter than 256 bytes for unprivileged
 * readers (the kernel cuts it to 64); the header is all vmctl needs. */
static void
read_config (DeviceReader *reader, VmctlPciDevice *device)
{
  g_autofree gchar *relative = attribute_path (reader, "config");
  g_autofree gchar *path = vmctl_host_path (reader->host, relative);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t count;

  if (fd < 0) {
    g_ptr_array_add (device->problems,
                     g_strdup_printf ("%s/config (%s)", reader->name,
                                      errno == ENOENT ? "missing" : g_strerror (errno)));
    return;
  }
  count = read (fd, reader->config, sizeof reader->config);
  close (fd);
  if (count < CONFIG_HEADER_SIZE) {
    g_ptr_array_add (device->problems,
                     g_strdup_printf ("%s/config (truncated: %zd bytes)", reader->name,
                                      count < 0 ? (gssize) 0 : (gssize) count));
    return;
  }
  reader->have_config = TRUE;
}

/* A hex attribute, falling back to config space when the text file fails. */
static guint64
read_number (DeviceReader *reader, VmctlPciDevice *device, const gchar *attribute,
             gboolean *out_ok)
{
  g_autofree gchar *relative = attribute_path (reader, attribute);
  g_autoptr(GError) error = NULL;
  guint64 value = 0;

  *out_ok = vmctl_host_read_hex (reader->host, relative, &value, &error);
  if (!*out_ok)
    note_problem (device, reader, attribute, error);
  return value;
}

static void
read_ids (DeviceReader *reader, VmctlPciDevice *device)
{
  gboolean ok;
  guint64 value;

  value = read_number (reader, device, "vendor", &ok);
  device->vendor_id = ok ? (guint16) value
                      : reader->have_config ? config_u16 (reader, CONFIG_VENDOR_ID) : 0;
  value = read_number (reader, device, "device", &ok);
  device->device_id = ok ? (guint16) value
                      : reader->have_config ? config_u16 (reader, CONFIG_DEVICE_ID) : 0;
  value = read_number (reader, device, "class", &ok);
  if (ok)
    device->class_code = (guint32) value & 0xffffff;
  else if (reader->have_config)
    device->class_code = (guint32) (reader->config[CONFIG_CLASS_PROG]
                                    | reader->config[CONFIG_CLASS_PROG + 1] << 8
                                    | reader->config[CONFIG_CLASS_PROG + 2] << 16);

  if (reader->have_config) {
    guint8 header = reader->config[CONFIG_HEADER_TYPE];

    device->header_type = header & 0x7f;
    device->multifunction = (header & 0x80) != 0;
  }

  /* subsystem ids: bridges have none in sysfs, that is not a problem */
  if (device->header_type == VMCTL_PCI_HEADER_NORMAL || device->header_type == VMCTL_PCI_HEADER_UNKNOWN) {
    g_autofree gchar *vendor_path = attribute_path (reader, "subsystem_vendor");
    g_autofree gchar *device_path = attribute_path (reader, "subsystem_device");
    guint64 sub_vendor = 0, sub_device = 0;

    if (vmctl_host_read_hex (reader->host, vendor_path, &sub_vendor, NULL)
        && vmctl_host_read_hex (reader->host, device_path, &sub_device, NULL)) {
      device->subsystem_vendor_id = (guint16) sub_vendor;
      device->subsystem_device_id = (guint16) sub_device;
    } else if (reader->have_config && device->header_type == VMCTL_PCI_HEADER_NORMAL) {
      device->subsystem_vendor_id = config_u16 (reader, CONFIG_SUBSYSTEM_VENDOR_ID);
      device->subsystem_device_id = config_u16 (reader, CONFIG_SUBSYSTEM_ID);
    }
  }
}

static void
read_driver (DeviceReader *reader, VmctlPciDevice *device)
{
  g_autofree gchar *link = attribute_path (reader, "driver");
  g_autofree gchar *override_path = attribute_path (reader, "driver_override");
  g_autofree gchar *override = NULL;

  device->driver = vmctl_host_read_link_name (reader->host, link);
  /* A link to a driver that is not registered cannot come from the kernel;
   * keep the name (treating the device as busy is the safe reading) and say so. */
  if (device->driver != NULL && !vmctl_host_exists (reader->host, link))
    g_ptr_array_add (device->problems,
                     g_strdup_printf ("%s/driver (points to a missing driver '%s')",
                                      reader->name, device->driver));

  override = vmctl_host_read_line (reader->host, override_path, NULL);
  /* the kernel prints "(null)" when no override is set */
  if (override != NULL && g_strcmp0 (override, "(null)") != 0)
    device->driver_override = g_steal_pointer (&override);
}

static void
read_group_and_reset (DeviceReader *reader, VmctlPciDevice *device)
{
  g_autofree gchar *group_link = attribute_path (reader, "iommu_group");
  g_autofree gchar *group = vmctl_host_read_link_name (reader->host, group_link);
  g_autofree gchar *boot_vga_path = attribute_path (reader, "boot_vga");
  g_autofree gchar *reset_method_path = attribute_path (reader, "reset_method");
  g_autofree gchar *reset_path = attribute_path (reader, "reset");
  g_autofree gchar *numa_path = attribute_path (reader, "numa_node");
  g_autofree gchar *boot_vga = NULL;
  g_autofree gchar *numa = NULL;
  guint64 number = 0;

  if (group != NULL && g_ascii_string_to_unsigned (group, 10, 0, G_MAXINT, &number, NULL))
    device->iommu_group = (gint) number;

  /* boot_vga exists only on VGA-class devices: absent means "not the boot VGA" */
  boot_vga = vmctl_host_read_line (reader->host, boot_vga_path, NULL);
  device->boot_vga = g_strcmp0 (boot_vga, "1") == 0 ? VMCTL_TRISTATE_YES : VMCTL_TRISTATE_NO;

  /* Since 5.15 reset_method lists the methods and is hidden when there are
   * none; older kernels only have 'reset', present when any method exists. */
  device->reset_method = vmctl_host_read_line (reader->host, reset_method_path, NULL);
  if (device->reset_method != NULL)
    device->can_reset = VMCTL_TRISTATE_YES;
  else
    device->can_reset = vmctl_host_exists (reader->host, reset_path)
                        ? VMCTL_TRISTATE_YES : VMCTL_TRISTATE_NO;

  numa = vmctl_host_read_line (reader->host, numa_path, NULL);
  if (numa != NULL) {
    gint64 node = -1;

    if (g_ascii_string_to_signed (numa, 10, -1, G_MAXINT, &node, NULL))
      device->numa_node = (gint) node;
  }
}

/* The parent is the directory the device sits in, when that is a PCI
 * function (a bridge or root port) rather than the pciDDDD:BB root. */
static void
read_parent (DeviceReader *reader, VmctlPciDevice *device)
{
  g_autofree gchar *path = vmctl_host_path (reader->host, reader->directory);
  g_autofree gchar *resolved = realpath (path, NULL);
  g_autofree gchar *parent_dir = NULL;
  g_autofree gchar *parent_name = NULL;

  if (resolved == NULL)
    return;
  parent_dir = g_path_get_dirname (resolved);
  parent_name = g_path_get_basename (parent_dir);
  device->has_parent = vmctl_pci_address_parse (parent_name, &device->parent, NULL)
                       && strlen (parent_name) == VMCTL_PCI_ADDRESS_STRLEN - 1;
}

static VmctlPciDevice *
read_device (VmctlHost *host, VmctlPciNames *names /* nullable */, const gchar *name,
             const VmctlPciAddress *address)
{
  g_autoptr(VmctlPciDevice) device = vmctl_pci_device_new ();
  g_autofree gchar *directory = g_build_filename ("/sys/bus/pci/devices", name, NULL);
  DeviceReader reader = { .host = host, .name = name, .directory = directory };

  device->address = *address;
  read_config (&reader, device);
  read_ids (&reader, device);
  read_driver (&reader, device);
  read_group_and_reset (&reader, device);
  read_parent (&reader, device);
  if (names != NULL && device->vendor_id != 0) {
    device->vendor_name = vmctl_pci_names_vendor (names, device->vendor_id);
    device->device_name = vmctl_pci_names_device (names, device->vendor_id, device->device_id);
  }
  return g_steal_pointer (&device);
}

/**
 * vmctl_inventory_from_sysfs:
 * @host: the host root
 * @error: VMCTL_HOST_ERROR_NOT_FOUND when the root has no
 *   /sys/bus/pci/devices (not a Linux host, or a wrong --host-root)
 *
 * vmctl_inventory_from_sysfs_full() with names.
 *
 * Returns: (transfer full): every PCI function, in address order
 */
VmctlInventory *
vmctl_inventory_from_sysfs (VmctlHost *host, GError **error)
{
  return vmctl_inventory_from_sysfs_full (host, VMCTL_INVENTORY_NAMES, error);
}

/**
 * vmctl_inventory_from_sysfs_full:
 * @flags: VMCTL_INVENTORY_NAMES to look names up in pci.ids; without it the
 *   name fields stay NULL (a verdict never needs them)
 *
 * Returns: (transfer full): every PCI function, in address order
 */
VmctlInventory *
vmctl_inventory_from_sysfs_full (VmctlHost *host, VmctlInventoryFlags flags, GError **error)
{
  g_autofree gchar *devices_path = vmctl_host_path (host, "/sys/bus/pci/devices");
  g_autofree gchar *bus_path = vmctl_host_path (host, "/sys/bus/pci");
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS,
                                                             vmctl_host_get_root (host));
  g_autoptr(VmctlPciNames) names = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *name;

  dir = g_dir_open (devices_path, 0, &local_error);
  if (dir == NULL) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_NOT_FOUND,
                 "cannot list PCI devices: /sys/bus/pci/devices under host root %s: %s",
                 vmctl_host_get_root (host), local_error->message);
    return NULL;
  }
  if (flags & VMCTL_INVENTORY_NAMES)
    names = vmctl_pci_names_new (bus_path);
  while ((name = g_dir_read_name (dir)) != NULL) {
    VmctlPciAddress address;

    /* the kernel names entries DDDD:BB:SS.F; anything else is not ours */
    if (strlen (name) != VMCTL_PCI_ADDRESS_STRLEN - 1
        || !vmctl_pci_address_parse (name, &address, NULL))
      continue;
    vmctl_inventory_add (inventory, read_device (host, names, name, &address));
  }
  vmctl_inventory_sort (inventory);
  return g_steal_pointer (&inventory);
}
