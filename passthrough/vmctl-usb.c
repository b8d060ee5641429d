/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-usb.c: the USB topology as sysfs shows it
 * (Documentation/ABI/stable/sysfs-bus-usb, drivers/usb/core/sysfs.c).
 *
 * /sys/bus/usb/devices holds links to every USB device and interface:
 *   usbN          the root hub of bus N, a child of its host controller's
 *                 PCI function (devices/pci0000:00/0000:00:14.0/usb1)
 *   N-P[.P...]    a device: bus N, then the port on each hub from the
 *                 root ("1-4.2": port 2 of the hub on root port 4); its
 *                 devpath file holds "4.2"
 *   N-P:C.I       interface I of configuration C of that device
 * Devices have busnum, devnum (renumbered at every replug), idVendor,
 * idProduct (four hex digits, no 0x), bDeviceClass, and product and
 * manufacturer when the device has those strings; root hubs have
 * maxchild (their port count) and speed. */
#include "vmctl-usb.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-usb-error-quark, vmctl_usb_error)

#define USB_DEVICES "/sys/bus/usb/devices"

static void
usb_device_free (VmctlUsbDevice *device)
{
  g_free (device->port);
  g_free (device->name);
  g_clear_pointer (&device->interface_classes, g_array_unref);
  g_free (device->manufacturer);
  g_free (device->product);
  g_free (device);
}

static void
usb_bus_free (VmctlUsbBus *bus)
{
  g_free (bus->speed);
  g_free (bus);
}

void
vmctl_usb_topology_free (VmctlUsbTopology *topology)
{
  if (topology == NULL)
    return;
  g_clear_pointer (&topology->buses, g_ptr_array_unref);
  g_clear_pointer (&topology->devices, g_ptr_array_unref);
  g_free (topology);
}

/**
 * vmctl_usb_is_device_name:
 * Returns: whether @name is a device's sysfs name, "BUS-PORT[.PORT...]"
 *   (a hub chain is at most 7 tiers deep: USB 2.0 spec 4.1.1)
 */
gboolean
vmctl_usb_is_device_name (const gchar *name)
{
  return g_regex_match_simple ("^[1-9][0-9]{0,2}-[1-9][0-9]{0,2}(\\.[1-9][0-9]{0,2}){0,6}$",
                               name, G_REGEX_DOLLAR_ENDONLY, 0);
}

static gchar *
attribute (VmctlHost *host, const gchar *name, const gchar *file)
{
  g_autofree gchar *path = g_build_filename (USB_DEVICES, name, file, NULL);

  return vmctl_host_read_line (host, path, NULL);
}

static gboolean
attribute_number (VmctlHost *host, const gchar *name, const gchar *file, guint base,
                  guint64 max, guint64 *out_value)
{
  g_autofree gchar *text = attribute (host, name, file);

  return text != NULL && g_ascii_string_to_unsigned (text, base, 0, max, out_value, NULL);
}

/* Only printable text from a device's own strings: they end up in a
 * terminal, and a device chooses them. */
static gchar *
device_string (VmctlHost *host, const gchar *name, const gchar *file)
{
  g_autofree gchar *text = attribute (host, name, file);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  for (gchar *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return g_steal_pointer (&text);
}

/* The PCI function a root hub hangs off: the component of its sysfs path
 * before "usbN"; FALSE for a bus without one (a virtual controller). */
static gboolean
bus_controller (VmctlHost *host, const gchar *root_hub, VmctlPciAddress *out_address)
{
  g_autofree gchar *link = g_build_filename (USB_DEVICES, root_hub, NULL);
  g_autofree gchar *target = vmctl_host_read_link (host, link);
  g_auto(GStrv) parts = NULL;
  guint count;

  if (target == NULL)
    return FALSE;
  parts = g_strsplit (target, "/", -1);
  count = g_strv_length (parts);
  return count >= 2 && g_strcmp0 (parts[count - 1], root_hub) == 0
         && vmctl_pci_address_parse (parts[count - 2], out_address, NULL);
}

static VmctlUsbBus *
read_bus (VmctlHost *host, const gchar *name)
{
  g_autofree VmctlUsbBus *bus = g_new0 (VmctlUsbBus, 1);
  guint64 number = 0, ports = 0;

  if (!attribute_number (host, name, "busnum", 10, 999, &number))
    return NULL;
  bus->bus = (guint) number;
  if (attribute_number (host, name, "maxchild", 10, 255, &ports))
    bus->ports = (guint) ports;
  bus->speed = attribute (host, name, "speed");
  bus->has_controller = bus_controller (host, name, &bus->controller);
  return g_steal_pointer (&bus);
}

static VmctlUsbDevice *
read_device (VmctlHost *host, const gchar *name)
{
  VmctlUsbDevice *device = g_new0 (VmctlUsbDevice, 1);
  guint64 bus = 0, devnum = 0, vendor = 0, product = 0, class_code = 0;
  const gchar *dash = strchr (name, '-');

  device->name = g_strdup (name);
  device->port = g_strdup (dash + 1);
  device->interface_classes = g_array_new (FALSE, FALSE, sizeof (guint8));
  /* a device mid-enumeration lacks its ids: skipped, as lsusb does */
  if (!attribute_number (host, name, "busnum", 10, 999, &bus)
      || !attribute_number (host, name, "devnum", 10, 999, &devnum)
      || !attribute_number (host, name, "idVendor", 16, 0xffff, &vendor)
      || !attribute_number (host, name, "idProduct", 16, 0xffff, &product)) {
    usb_device_free (device);
    return NULL;
  }
  device->bus = (guint) bus;
  device->devnum = (guint) devnum;
  device->vendor_id = (guint16) vendor;
  device->product_id = (guint16) product;
  if (attribute_number (host, name, "bDeviceClass", 16, 0xff, &class_code))
    device->device_class = (guint8) class_code;
  device->manufacturer = device_string (host, name, "manufacturer");
  device->product = device_string (host, name, "product");
  return device;
}

/* "1-4.2:1.0" belongs to device "1-4.2": its interface class */
static void
add_interface (VmctlHost *host, GHashTable *by_name, const gchar *name)
{
  g_autofree gchar *owner = g_strndup (name, strcspn (name, ":"));
  VmctlUsbDevice *device = g_hash_table_lookup (by_name, owner);
  guint64 class_code = 0;

  if (device != NULL && attribute_number (host, name, "bInterfaceClass", 16, 0xff, &class_code)) {
    guint8 value = (guint8) class_code;

    g_array_append_val (device->interface_classes, value);
  }
}

static gint
compare_ports (const gchar *a, const gchar *b)
{
  g_auto(GStrv) left = g_strsplit (a, ".", -1);
  g_auto(GStrv) right = g_strsplit (b, ".", -1);

  for (guint i = 0; left[i] != NULL || right[i] != NULL; i++) {
    guint64 x, y;

    if (left[i] == NULL || right[i] == NULL)
      return left[i] == NULL ? -1 : 1;
    x = g_ascii_strtoull (left[i], NULL, 10);
    y = g_ascii_strtoull (right[i], NULL, 10);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return 0;
}

static gint
compare_devices (gconstpointer a, gconstpointer b)
{
  const VmctlUsbDevice *left = *(VmctlUsbDevice * const *) a;
  const VmctlUsbDevice *right = *(VmctlUsbDevice * const *) b;

  if (left->bus != right->bus)
    return left->bus < right->bus ? -1 : 1;
  return compare_ports (left->port, right->port);
}

static gint
compare_buses (gconstpointer a, gconstpointer b)
{
  const VmctlUsbBus *left = *(VmctlUsbBus * const *) a;
  const VmctlUsbBus *right = *(VmctlUsbBus * const *) b;

  return left->bus < right->bus ? -1 : left->bus > right->bus;
}

static const VmctlUsbBus *
find_bus (const VmctlUsbTopology *topology, guint number)
{
  for (guint i = 0; i < topology->buses->len; i++) {
    const VmctlUsbBus *bus = g_ptr_array_index (topology->buses, i);

    if (bus->bus == number)
      return bus;
  }
  return NULL;
}

/**
 * vmctl_usb_topology_read:
 * @error: VMCTL_HOST_ERROR_READ when the directory exists but cannot be
 *   listed
 *
 * A host without USB (or without sysfs' USB bus) has an empty topology.
 *
 * Returns: (transfer full): buses and devices, sorted
 */
VmctlUsbTopology *
vmctl_usb_topology_read (VmctlHost *host, GError **error)
{
  g_autoptr(VmctlUsbTopology) topology = g_new0 (VmctlUsbTopology, 1);
  g_autofree gchar *directory = vmctl_host_path (host, USB_DEVICES);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) interfaces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *name;

  topology->buses = g_ptr_array_new_with_free_func ((GDestroyNotify) usb_bus_free);
  topology->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) usb_device_free);
  if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&topology);
  dir = g_dir_open (directory, 0, &local_error);
  if (dir == NULL) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ, "%s: %s", USB_DEVICES,
                 local_error->message);
    return NULL;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    if (g_regex_match_simple ("^usb[1-9][0-9]{0,2}$", name, G_REGEX_DOLLAR_ENDONLY, 0)) {
      VmctlUsbBus *bus = read_bus (host, name);

      if (bus != NULL)
        g_ptr_array_add (topology->buses, bus);
    } else if (vmctl_usb_is_device_name (name)) {
      VmctlUsbDevice *device = read_device (host, name);

      if (device != NULL) {
        g_ptr_array_add (topology->devices, device);
        g_hash_table_insert (by_name, device->name, device);
      }
    } else if (strchr (name, ':') != NULL) {
      g_ptr_array_add (interfaces, g_strdup (name));
    }
  }
  for (guint i = 0; i < interfaces->len; i++) {
    const gchar *interface = g_ptr_array_index (interfaces, i);
    g_autofree gchar *owner = g_strndup (interface, strcspn (interface, ":"));

    if (vmctl_usb_is_device_name (owner))
      add_interface (host, by_name, interface);
  }
  g_ptr_array_sort (topology->buses, compare_buses);
  g_ptr_array_sort (topology->devices, compare_devices);
  for (guint i = 0; i < topology->devices->len; i++) {
    VmctlUsbDevice *device = g_ptr_array_index (topology->devices, i);
    const VmctlUsbBus *bus = find_bus (topology, device->bus);

    if (bus != NULL && bus->has_controller) {
      device->controller = bus->controller;
      device->has_controller = TRUE;
    }
  }
  return g_steal_pointer (&topology);
}

/**
 * vmctl_usb_topology_devices_of:
 * Returns: (transfer container) (element-type VmctlUsbDevice): the
 *   devices behind the controller at @controller, in topology order
 */
GPtrArray *
vmctl_usb_topology_devices_of (const VmctlUsbTopology *topology,
                               const VmctlPciAddress *controller)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < topology->devices->len; i++) {
    VmctlUsbDevice *device = g_ptr_array_index (topology->devices, i);

    if (device->has_controller && vmctl_pci_address_equal (&device->controller, controller))
      g_ptr_array_add (found, device);
  }
  return found;
}

/**
 * vmctl_usb_device_has_class:
 * Returns: whether the device or one of its interfaces has @class_code
 */
gboolean
vmctl_usb_device_has_class (const VmctlUsbDevice *device, guint8 class_code)
{
  if (device->device_class == class_code)
    return TRUE;
  for (guint i = 0; i < device->interface_classes->len; i++)
    if (g_array_index (device->interface_classes, guint8, i) == class_code)
      return TRUE;
  return FALSE;
}

/**
 * vmctl_usb_device_describe:
 * Returns: (transfer full): "Logitech, Inc. USB Receiver", or the ids
 */
gchar *
vmctl_usb_device_describe (const VmctlUsbDevice *device)
{
  if (device->manufacturer != NULL && device->product != NULL)
    return g_strdup_printf ("%s %s", device->manufacturer, device->product);
  if (device->product != NULL)
    return g_strdup (device->product);
  return g_strdup_printf ("USB device %04x:%04x", device->vendor_id, device->product_id);
}

/**
 * vmctl_usb_selector_parse:
 * @text: "046d:c52b" (four hex digits each, as lsusb prints them) or
 *   "1-4.2" (bus, then the port path, as in /sys/bus/usb/devices)
 * @error: VMCTL_USB_ERROR_INVALID
 */
gboolean
vmctl_usb_selector_parse (const gchar *text, VmctlUsbSelector *out_selector, GError **error)
{
  VmctlUsbSelector selector = { 0 };

  if (g_regex_match_simple ("^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$", text,
                            G_REGEX_DOLLAR_ENDONLY, 0)) {
    selector.vendor_id = (guint16) g_ascii_strtoull (text, NULL, 16);
    selector.product_id = (guint16) g_ascii_strtoull (text + 5, NULL, 16);
  } else if (vmctl_usb_is_device_name (text)) {
    selector.by_port = TRUE;
    selector.bus = (guint) g_ascii_strtoull (text, NULL, 10);
    selector.port = g_strdup (strchr (text, '-') + 1);
  } else {
    g_set_error (error, VMCTL_USB_ERROR, VMCTL_USB_ERROR_INVALID,
                 "'%s' is neither VENDOR:PRODUCT (four hex digits each, as lsusb prints "
                 "them: 046d:c52b) nor BUS-PORT (1-4, or 1-4.2 behind a hub: see vmctl usb "
                 "list)", text);
    return FALSE;
  }
  *out_selector = selector;
  return TRUE;
}

void
vmctl_usb_selector_clear (VmctlUsbSelector *selector)
{
  g_clear_pointer (&selector->port, g_free);
}

/**
 * vmctl_usb_selector_to_string:
 * Returns: (transfer full): "046d:c52b" or "1-4.2"
 */
gchar *
vmctl_usb_selector_to_string (const VmctlUsbSelector *selector)
{
  if (selector->by_port)
    return g_strdup_printf ("%u-%s", selector->bus, selector->port);
  return g_strdup_printf ("%04x:%04x", selector->vendor_id, selector->product_id);
}

/**
 * vmctl_usb_topology_find:
 * @error: VMCTL_USB_ERROR_NOT_FOUND when nothing matches,
 *   VMCTL_USB_ERROR_AMBIGUOUS when an id matches several devices (libvirt
 *   would refuse to start: "Multiple USB devices for ..."), naming their
 *   ports
 *
 * Returns: (transfer none): the one device @selector names
 */
const VmctlUsbDevice *
vmctl_usb_topology_find (const VmctlUsbTopology *topology, const VmctlUsbSelector *selector,
                         GError **error)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  g_autofree gchar *text = vmctl_usb_selector_to_string (selector);

  for (guint i = 0; i < topology->devices->len; i++) {
    VmctlUsbDevice *device = g_ptr_array_index (topology->devices, i);

    if (selector->by_port ? device->bus == selector->bus
                            && g_strcmp0 (device->port, selector->port) == 0
                          : device->vendor_id == selector->vendor_id
                            && device->product_id == selector->product_id)
      g_ptr_array_add (matches, device);
  }
  if (matches->len == 1)
    return g_ptr_array_index (matches, 0);
  if (matches->len == 0) {
    g_set_error (error, VMCTL_USB_ERROR, VMCTL_USB_ERROR_NOT_FOUND,
                 selector->by_port ? "nothing is plugged in at USB port %s (see vmctl usb list)"
                                   : "no USB device %s on this host (see vmctl usb list)", text);
    return NULL;
  }
  {
    g_autoptr(GPtrArray) names = g_ptr_array_new ();

    for (guint i = 0; i < matches->len; i++)
      g_ptr_array_add (names, ((VmctlUsbDevice *) g_ptr_array_index (matches, i))->name);
    g_ptr_array_add (names, NULL);
    {
      g_autofree gchar *joined = g_strjoinv (", ", (gchar **) names->pdata);

      g_set_error (error, VMCTL_USB_ERROR, VMCTL_USB_ERROR_AMBIGUOUS,
                   "%u USB devices are %s (at ports %s): libvirt cannot tell them apart by "
                   "id; give the port instead, e.g. --usb %s", matches->len, text, joined,
                   (const gchar *) g_ptr_array_index (names, 0));
    }
  }
  return NULL;
}
