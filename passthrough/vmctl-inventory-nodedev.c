/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-inventory-nodedev.c: the inventory from libvirt node devices.
 *
 * virNodeDeviceGetXMLDesc works over every URI, so a remote host's groups
 * and drivers are known without a shell there. The XML carries the class
 * (libvirt >= 5.2), the driver when udev reports one, <iommuGroup>, and a
 * pci-bridge/cardbus-bridge capability for header types 1 and 2. It lacks
 * boot_vga and reset_method: those stay VMCTL_TRISTATE_UNKNOWN. */
#include "vmctl-inventory-nodedev.h"
#include "vmctl-pci-names.h"
#include "vmctl-libvirt.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-nodedev-error-quark, vmctl_nodedev_error)

typedef xmlDoc VmctlNodedevDoc;
typedef xmlXPathContext VmctlNodedevXPath;
typedef xmlXPathObject VmctlNodedevXPathObject;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlNodedevDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlNodedevXPath, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlNodedevXPathObject, xmlXPathFreeObject)

/* The string value of an XPath expression, NULL when empty. */
static gchar *
xpath_string (xmlXPathContext *context, const gchar *expression)
{
  g_autoptr(VmctlNodedevXPathObject) result =
    xmlXPathEvalExpression ((const xmlChar *) expression, context);
  g_autofree gchar *text = NULL;

  if (result == NULL)
    return NULL;
  if (result->type != XPATH_STRING) {
    xmlChar *converted = xmlXPathCastToString (result);

    text = g_strdup ((const gchar *) converted);
    xmlFree (converted);
  } else {
    text = g_strdup ((const gchar *) result->stringval);
  }
  if (text == NULL)
    return NULL;
  g_strstrip (text);
  if (text[0] == '\0')
    return NULL;
  return g_steal_pointer (&text);
}

static gboolean
xpath_exists (xmlXPathContext *context, const gchar *expression)
{
  g_autoptr(VmctlNodedevXPathObject) result =
    xmlXPathEvalExpression ((const xmlChar *) expression, context);

  return result != NULL && result->nodesetval != NULL && result->nodesetval->nodeNr > 0;
}

/* libvirt prints bus numbers in decimal in <capability type='pci'> and ids
 * as 0x-prefixed hex; accept both spellings wherever they appear. */
static gboolean
parse_number (const gchar *text, guint64 max, guint64 *out_value)
{
  if (text == NULL)
    return FALSE;
  if (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X"))
    return g_ascii_string_to_unsigned (text + 2, 16, 0, max, out_value, NULL);
  return g_ascii_string_to_unsigned (text, 10, 0, max, out_value, NULL);
}

static gboolean
read_number (xmlXPathContext *context, const gchar *expression, guint64 max,
             guint64 *out_value)
{
  g_autofree gchar *text = xpath_string (context, expression);

  return parse_number (text, max, out_value);
}

static gboolean
read_address (xmlXPathContext *context, VmctlPciAddress *address)
{
  guint64 domain, bus, slot, function;

  if (!read_number (context, "string(capability[@type='pci']/domain)", 0xffff, &domain)
      || !read_number (context, "string(capability[@type='pci']/bus)", 0xff, &bus)
      || !read_number (context, "string(capability[@type='pci']/slot)", 0x1f, &slot)
      || !read_number (context, "string(capability[@type='pci']/function)", 7, &function))
    return FALSE;
  address->domain = (guint16) domain;
  address->bus = (guint8) bus;
  address->slot = (guint8) slot;
  address->function = (guint8) function;
  return TRUE;
}

static void
read_ids_and_names (xmlXPathContext *context, VmctlPciDevice *device)
{
  guint64 value = 0;

  if (read_number (context, "string(capability[@type='pci']/vendor/@id)", 0xffff, &value))
    device->vendor_id = (guint16) value;
  if (read_number (context, "string(capability[@type='pci']/product/@id)", 0xffff, &value))
    device->device_id = (guint16) value;
  device->vendor_name = xpath_string (context, "string(capability[@type='pci']/vendor)");
  device->device_name = xpath_string (context, "string(capability[@type='pci']/product)");
  if (read_number (context, "string(capability[@type='pci']/class)", 0xffffff, &value))
    device->class_code = (guint32) value;
}

/**
 * vmctl_pci_device_from_nodedev_xml:
 * @xml: one node device as virNodeDeviceGetXMLDesc() returns it
 * @error: VMCTL_NODEDEV_ERROR_XML when it is not well-formed,
 *   VMCTL_NODEDEV_ERROR_NOT_PCI when it is not a PCI function
 *
 * Returns: (transfer full): the device; boot_vga and reset are unknown
 */
VmctlPciDevice *
vmctl_pci_device_from_nodedev_xml (const gchar *xml, GError **error)
{
  g_autoptr(VmctlNodedevDoc) document = NULL;
  g_autoptr(VmctlNodedevXPath) context = NULL;
  g_autoptr(VmctlPciDevice) device = vmctl_pci_device_new ();
  g_autofree gchar *name = NULL;
  g_autofree gchar *parent = NULL;
  guint64 value = 0;

  document = xmlReadMemory (xml, (int) strlen (xml), "nodedev.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == NULL || xmlDocGetRootElement (document) == NULL) {
    g_set_error (error, VMCTL_NODEDEV_ERROR, VMCTL_NODEDEV_ERROR_XML,
                 "node-device XML is not well-formed");
    return NULL;
  }
  context = xmlXPathNewContext (document);
  context->node = xmlDocGetRootElement (document);
  name = xpath_string (context, "string(/device/name)");
  if (!xpath_exists (context, "/device/capability[@type='pci']")
      || !read_address (context, &device->address)) {
    g_set_error (error, VMCTL_NODEDEV_ERROR, VMCTL_NODEDEV_ERROR_NOT_PCI,
                 "node device %s is not a PCI function with an address",
                 name != NULL ? name : "(unnamed)");
    return NULL;
  }

  read_ids_and_names (context, device);
  device->driver = xpath_string (context, "string(driver/name)");
  if (xpath_exists (context, "capability[@type='pci']/capability[@type='pci-bridge']"))
    device->header_type = VMCTL_PCI_HEADER_BRIDGE;
  else if (xpath_exists (context, "capability[@type='pci']/capability[@type='cardbus-bridge']"))
    device->header_type = VMCTL_PCI_HEADER_CARDBUS;
  else if (device->class_code != 0)
    device->header_type = VMCTL_PCI_HEADER_NORMAL;
  /* else unknown: an old libvirt without <class>; the class fallback cannot
   * help either, so the device counts as an endpoint */

  if (read_number (context, "string(capability[@type='pci']/iommuGroup/@number)", G_MAXINT, &value))
    device->iommu_group = (gint) value;
  {
    g_autofree gchar *numa = xpath_string (context, "string(capability[@type='pci']/numa/@node)");
    gint64 node = -1;

    if (numa != NULL && g_ascii_string_to_signed (numa, 10, -1, G_MAXINT, &node, NULL))
      device->numa_node = (gint) node;
  }
  parent = xpath_string (context, "string(parent)");
  if (parent != NULL && g_str_has_prefix (parent, "pci_"))
    device->has_parent = vmctl_pci_address_parse (parent, &device->parent, NULL);

  /* not in the XML, so not guessed */
  device->boot_vga = VMCTL_TRISTATE_UNKNOWN;
  device->can_reset = VMCTL_TRISTATE_UNKNOWN;
  return g_steal_pointer (&device);
}

static void
fill_missing_names (VmctlInventory *inventory)
{
  g_autoptr(VmctlPciNames) names = NULL;

  for (guint i = 0; i < inventory->devices->len; i++) {
    VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (device->vendor_name != NULL && device->device_name != NULL)
      continue;
    /* pci.ids is the same everywhere: the local copy names a remote device */
    if (names == NULL)
      names = vmctl_pci_names_new (NULL);
    if (device->vendor_name == NULL)
      device->vendor_name = vmctl_pci_names_vendor (names, device->vendor_id);
    if (device->device_name == NULL)
      device->device_name = vmctl_pci_names_device (names, device->vendor_id, device->device_id);
  }
}

/**
 * vmctl_inventory_from_nodedev_xmls:
 * @origin: where the XML came from, for messages
 * @xmls: NULL-terminated node-device XML documents; non-PCI ones are skipped
 *
 * Returns: (transfer full): the inventory; NULL when a document is not
 * well-formed
 */
VmctlInventory *
vmctl_inventory_from_nodedev_xmls (const gchar *origin, const gchar * const *xmls, GError **error)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_NODEDEV, origin);

  for (guint i = 0; xmls[i] != NULL; i++) {
    g_autoptr(GError) local_error = NULL;
    VmctlPciDevice *device = vmctl_pci_device_from_nodedev_xml (xmls[i], &local_error);

    if (device == NULL) {
      if (!g_error_matches (local_error, VMCTL_NODEDEV_ERROR, VMCTL_NODEDEV_ERROR_NOT_PCI)) {
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", origin);
        return NULL;
      }
      continue;
    }
    vmctl_inventory_add (inventory, device);
  }
  vmctl_inventory_sort (inventory);
  return g_steal_pointer (&inventory);
}

static void
set_virt_error (GError **error, const gchar *what)
{
  const gchar *message = sym_virGetLastErrorMessage ();

  g_set_error (error, VMCTL_NODEDEV_ERROR, VMCTL_NODEDEV_ERROR_VIRT, "%s: %s", what,
               message != NULL ? message : "unknown libvirt error");
}

static void
free_node_devices (virNodeDevicePtr *devices, int count)
{
  for (int i = 0; i < count; i++)
    sym_virNodeDeviceFree (devices[i]);
  free (devices);
}

/**
 * vmctl_inventory_from_nodedev:
 * @connection: any libvirt connection, local or remote
 * @error: VMCTL_NODEDEV_ERROR_VIRT when libvirt refuses
 *
 * Returns: (transfer full): every PCI node device of that host
 */
VmctlInventory *
vmctl_inventory_from_nodedev (virConnectPtr connection, GError **error)
{
  return vmctl_inventory_from_nodedev_full (connection, VMCTL_INVENTORY_NAMES, error);
}

/**
 * vmctl_inventory_from_nodedev_full:
 * @flags: VMCTL_INVENTORY_NAMES to fill names the XML lacks from the local
 *   pci.ids; the names the XML carries are kept either way
 *
 * Returns: (transfer full): every PCI node device of that host
 */
VmctlInventory *
vmctl_inventory_from_nodedev_full (virConnectPtr connection, VmctlInventoryFlags flags,
                                   GError **error)
{
  VmctlInventory *inventory;
  g_autoptr(GPtrArray) xmls = g_ptr_array_new_with_free_func (free);
  g_autofree gchar *origin = NULL;
  virNodeDevicePtr *devices = NULL;
  int count;

  /* the caller may have opened @connection with a linked libvirt (tests do) */
  if (!vmctl_libvirt_load (error))
    return NULL;
  origin = sym_virConnectGetURI (connection);
  count = sym_virConnectListAllNodeDevices (connection, &devices,
                                            VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV);
  if (count < 0) {
    /* some drivers (the test driver among them) reject capability filters:
     * list everything and keep what parses as PCI */
    count = sym_virConnectListAllNodeDevices (connection, &devices, 0);
    if (count < 0) {
      set_virt_error (error, "cannot list node devices");
      return NULL;
    }
  }
  for (int i = 0; i < count; i++) {
    const char *name = sym_virNodeDeviceGetName (devices[i]);
    char *xml;

    if (name == NULL || !g_str_has_prefix (name, "pci_"))
      continue;
    xml = sym_virNodeDeviceGetXMLDesc (devices[i], 0);
    if (xml == NULL) {
      g_autofree gchar *what = g_strdup_printf ("cannot read node device %s", name);

      set_virt_error (error, what);
      free_node_devices (devices, count);
      return NULL;
    }
    g_ptr_array_add (xmls, xml);
  }
  free_node_devices (devices, count);
  g_ptr_array_add (xmls, NULL);
  inventory = vmctl_inventory_from_nodedev_xmls (origin != NULL ? origin : "libvirt",
                                                 (const gchar * const *) xmls->pdata, error);
  if (inventory != NULL && (flags & VMCTL_INVENTORY_NAMES))
    fill_missing_names (inventory);
  return inventory;
}
