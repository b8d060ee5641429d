/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims-pci.c: every device the live XML gives a PCI address must
 * be in the guest at that place with the ids its model implies, and the
 * guest must have no PCI function the XML does not account for.
 *
 * libvirt's address bus is a controller index; the guest's bus numbers are
 * what the firmware assigned while enumerating. The guest reports each
 * bridge's secondary bus, so a controller's bus is found by walking from
 * the root: controller N sits at (bus of its parent):slot.function, and its
 * secondary bus is what the guest says that bridge leads to. */
#include "guest-claims-private.h"

#include <string.h>

#define GUEST "guest"

/* Functions QEMU's machine types always have and libvirt lists nowhere. */
static const gchar * const builtin_functions[] = {
  "0000:00:00.0=8086:29c0",  /* q35: MCH host bridge */
  "0000:00:1f.0=8086:2918",  /* q35: ICH9 LPC */
  "0000:00:1f.3=8086:2930",  /* q35: ICH9 SMBus */
  "0000:00:00.0=8086:1237",  /* pc: i440FX host bridge */
  "0000:00:01.0=8086:7000",  /* pc: PIIX3 ISA */
  "0000:00:01.1=8086:7010",  /* pc: PIIX3 IDE */
  "0000:00:01.3=8086:7113",  /* pc: PIIX4 ACPI */
};

static gchar *
attribute (xmlNode *node, const gchar *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  gchar *copy = g_strdup (value != NULL ? (const gchar *) value : "");

  xmlFree (value);
  return copy;
}

static xmlNode *
child (xmlNode *node, const gchar *name)
{
  for (xmlNode *each = node->children; each != NULL; each = each->next)
    if (each->type == XML_ELEMENT_NODE && xmlStrEqual (each->name, (const xmlChar *) name))
      return each;
  return NULL;
}

static gchar *
child_attribute (xmlNode *node, const gchar *name, const gchar *attribute_name)
{
  xmlNode *found = child (node, name);

  return found != NULL ? attribute (found, attribute_name) : g_strdup ("");
}

static guint
number (const gchar *text)
{
  return (guint) g_ascii_strtoull (text, NULL, 0);
}

/* "vendor:device:class" of a host PCI function, for <hostdev> */
static gchar *
host_function_ids (xmlNode *source_address)
{
  g_autofree gchar *domain = attribute (source_address, "domain");
  g_autofree gchar *bus = attribute (source_address, "bus");
  g_autofree gchar *slot = attribute (source_address, "slot");
  g_autofree gchar *function = attribute (source_address, "function");
  g_autofree gchar *path = g_strdup_printf ("/sys/bus/pci/devices/%04x:%02x:%02x.%x", number (domain),
                                            number (bus), number (slot), number (function));
  g_autofree gchar *vendor_path = g_build_filename (path, "vendor", NULL);
  g_autofree gchar *device_path = g_build_filename (path, "device", NULL);
  g_autofree gchar *class_path = g_build_filename (path, "class", NULL);
  g_autofree gchar *vendor = NULL;
  g_autofree gchar *device = NULL;
  g_autofree gchar *class = NULL;

  if (!g_file_get_contents (vendor_path, &vendor, NULL, NULL)
      || !g_file_get_contents (device_path, &device, NULL, NULL)
      || !g_file_get_contents (class_path, &class, NULL, NULL))
    return NULL;
  return g_strdup_printf ("%s:%s:%s", g_strstrip (vendor) + 2, g_strstrip (device) + 2,
                          g_strstrip (class));
}

/* What QEMU presents for a libvirt device element (modern virtio on PCIe),
 * or NULL when this table does not know the model. */
static gchar *
expected_ids (xmlNode *device)
{
  const gchar *element = (const gchar *) device->name;
  g_autofree gchar *type = attribute (device, "type");
  g_autofree gchar *model = attribute (device, "model");
  g_autofree gchar *bus = child_attribute (device, "target", "bus");
  g_autofree gchar *model_type = child_attribute (device, "model", "type");
  g_autofree gchar *primary = child_attribute (device, "model", "primary");

  if (strcmp (element, "interface") == 0)
    return strcmp (model_type, "virtio") == 0 ? g_strdup ("1af4:1041:0x020000")
           : strcmp (model_type, "e1000e") == 0 ? g_strdup ("8086:10d3:0x020000") : NULL;
  if (strcmp (element, "disk") == 0)
    return strcmp (bus, "virtio") == 0 ? g_strdup ("1af4:1042:0x010000") : NULL;
  if (strcmp (element, "memballoon") == 0 && strcmp (model, "virtio") == 0)
    return g_strdup ("1af4:1045:0x00ff00");
  if (strcmp (element, "rng") == 0 && strcmp (model, "virtio") == 0)
    return g_strdup ("1af4:1044:0x00ff00");
  if (strcmp (element, "video") == 0) {
    /* the primary virtio video is virtio-vga (VGA class), others
     * virtio-gpu-pci (display controller) */
    if (strcmp (model_type, "virtio") == 0)
      return g_strdup (strcmp (primary, "yes") == 0 ? "1af4:1050:0x030000" : "1af4:1050:0x038000");
    if (strcmp (model_type, "qxl") == 0)
      return g_strdup ("1b36:0100:0x030000");
    if (strcmp (model_type, "vga") == 0)
      return g_strdup ("1234:1111:0x030000");
    return NULL;
  }
  if (strcmp (element, "controller") == 0) {
    if (strcmp (type, "usb") == 0 && strcmp (model, "qemu-xhci") == 0)
      return g_strdup ("1b36:000d:0x0c0330");
    if (strcmp (type, "pci") == 0 && strcmp (model, "pcie-root-port") == 0)
      return g_strdup ("1b36:000c:0x060400");
    if (strcmp (type, "pci") == 0 && strcmp (model, "pcie-to-pci-bridge") == 0)
      return g_strdup ("1b36:000e:0x060400");
    if (strcmp (type, "sata") == 0)
      return g_strdup ("8086:2922:0x010601");
    if (strcmp (type, "virtio-serial") == 0)
      return g_strdup ("1af4:1043:0x078000");
    if (strcmp (type, "scsi") == 0 && strcmp (model, "virtio-scsi") == 0)
      return g_strdup ("1af4:1048:0x010000");
    return NULL;
  }
  /* issue 12: Looking Glass's IVSHMEM (RAM controller class) and the
   * ich9 HD Audio controller */
  if (strcmp (element, "shmem") == 0 && strcmp (model_type, "ivshmem-plain") == 0)
    return g_strdup ("1af4:1110:0x050000");
  if (strcmp (element, "sound") == 0 && strcmp (model, "ich9") == 0)
    return g_strdup ("8086:293e:0x040300");
  if (strcmp (element, "hostdev") == 0) {
    xmlNode *source = child (device, "source");
    xmlNode *address = source != NULL ? child (source, "address") : NULL;

    return address != NULL ? host_function_ids (address) : NULL;
  }
  return NULL;
}

/* The guest's bus number behind controller @index, or -1. */
static gint
guest_bus (xmlDoc *live, const GuestReport *report, guint index, guint depth)
{
  g_autofree gchar *base = g_strdup_printf ("/domain/devices/controller[@type='pci' and @index='%u']"
                                            "/address", index);
  g_autofree gchar *bus = guest_xml_string_at (live, base, "@bus");
  g_autofree gchar *slot = guest_xml_string_at (live, base, "@slot");
  g_autofree gchar *function = guest_xml_string_at (live, base, "@function");
  g_autofree gchar *domain = guest_xml_string_at (live, base, "@domain");
  g_autofree gchar *key = NULL;
  const gchar *secondary;
  gint parent;

  if (index == 0)
    return 0;
  if (depth > 16)
    return -1;
  if (*slot == '\0')
    return -1;
  parent = guest_bus (live, report, number (bus), depth + 1);
  if (parent < 0)
    return -1;
  key = g_strdup_printf ("pci_bridge.%04x:%02x:%02x.%x", number (domain), (guint) parent,
                         number (slot), number (function));
  secondary = guest_report_get (report, key);
  if (secondary == NULL || strchr (secondary, ':') == NULL)
    return -1;
  return (gint) g_ascii_strtoull (strchr (secondary, ':') + 1, NULL, 16);
}

static gchar *
describe (xmlNode *device)
{
  g_autofree gchar *type = attribute (device, "type");
  g_autofree gchar *model = attribute (device, "model");
  g_autofree gchar *index = attribute (device, "index");
  g_autofree gchar *model_type = child_attribute (device, "model", "type");
  g_autofree gchar *bus = child_attribute (device, "target", "bus");
  GString *text = g_string_new ("<");

  g_string_append (text, (const gchar *) device->name);
  if (*type != '\0')
    g_string_append_printf (text, " type='%s'", type);
  if (*model != '\0')
    g_string_append_printf (text, " model='%s'", model);
  if (*index != '\0')
    g_string_append_printf (text, " index='%s'", index);
  if (*model_type != '\0')
    g_string_append_printf (text, " model/type='%s'", model_type);
  if (*bus != '\0')
    g_string_append_printf (text, " bus='%s'", bus);
  g_string_append (text, ">");
  return g_string_free (text, FALSE);
}

/* One XML device with a PCI address: at its place in the guest, with the
 * ids its model implies. Returns the report key it accounts for, or NULL. */
static gchar *
check_device (GPtrArray *rows, xmlDoc *live, const GuestReport *report, xmlNode *device,
              xmlNode *address)
{
  g_autofree gchar *domain = attribute (address, "domain");
  g_autofree gchar *bus = attribute (address, "bus");
  g_autofree gchar *slot = attribute (address, "slot");
  g_autofree gchar *function = attribute (address, "function");
  gint guest_bus_number = guest_bus (live, report, number (bus), 0);
  g_autofree gchar *expected = expected_ids (device);
  g_autofree gchar *claim = describe (device);
  g_autofree gchar *key = NULL;
  g_autofree gchar *wanted = NULL;
  g_autofree gchar *where = NULL;
  const gchar *seen;

  if (guest_bus_number < 0) {
    where = g_strdup_printf ("bus %s: no bridge in the guest leads there", bus);
    guest_rows_add (rows, GUEST, FALSE, claim, expected, where);
    return NULL;
  }
  key = g_strdup_printf ("pci.%04x:%02x:%02x.%x", number (domain), (guint) guest_bus_number,
                         number (slot), number (function));
  seen = guest_report_get (report, key);
  wanted = g_strdup_printf ("%s %s", key + 4, expected != NULL ? expected : "(any ids)");
  where = g_strdup_printf ("%s %s", key + 4, seen != NULL ? seen : "absent");
  guest_rows_add (rows, GUEST, seen != NULL && (expected == NULL || strcmp (seen, expected) == 0),
                  claim, wanted, where);
  return g_steal_pointer (&key);
}

void
guest_claims_check_pci (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  xmlNode *devices = NULL;
  g_autoptr(GHashTable) accounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) keys = guest_report_keys_with_prefix (report, "pci.");

  for (xmlNode *node = xmlDocGetRootElement (live)->children; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && xmlStrEqual (node->name, (const xmlChar *) "devices"))
      devices = node;
  for (xmlNode *device = devices != NULL ? devices->children : NULL; device != NULL;
       device = device->next) {
    xmlNode *address = device->type == XML_ELEMENT_NODE ? child (device, "address") : NULL;
    g_autofree gchar *type = address != NULL ? attribute (address, "type") : NULL;
    gchar *key;

    if (g_strcmp0 (type, "pci") != 0)
      continue;
    key = check_device (rows, live, report, device, address);
    if (key != NULL)
      g_hash_table_add (accounted, key);
  }
  for (guint i = 0; i < keys->len; i++) {
    const gchar *key = g_ptr_array_index (keys, i);
    const gchar *ids = guest_report_get (report, key);
    g_autofree gchar *function = g_strdup_printf ("%s=%.9s", key + 4, ids);
    g_autofree gchar *seen = NULL;

    if (g_hash_table_contains (accounted, key)
        || g_strv_contains (builtin_functions, function))
      continue;
    seen = g_strdup_printf ("%s %s", key + 4, ids);
    guest_rows_add (rows, GUEST, FALSE, "no PCI function the XML does not list",
                    "only XML devices and the machine's built-ins", seen);
  }
}
