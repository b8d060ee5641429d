/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-desk.c: what start and stop do for issue 12, each one
 * call from the lifecycle:
 *  - before start: USB devices given by port get the device number the
 *    port's device has now (a replug renumbers it, and libvirt looks the
 *    device up by bus and number); cards on the reset-bug list are
 *    reported with whether vendor-reset covers them;
 *  - after stop (the one release policy, vmctl-lifecycle-release.c):
 *    every function journaled for the VM must still answer (config
 *    space vendor id not 0xffff); a card that does not is reported with
 *    what to do, and nothing is done silently.
 *  - info: the VM's USB devices, the ones by port marked. */
#include "vmctl-lifecycle-private.h"

#include <libxml/xpathInternals.h>
#include <string.h>

#include "vmctl-data-dir.h"
#include "vmctl-domain-xml.h"
#include "vmctl-journal.h"
#include "vmctl-pci-bars.h"
#include "vmctl-reset-check.h"
#include "vmctl-usb.h"

static xmlXPathObjectPtr
select_nodes (xmlDocPtr document, xmlNodePtr context_node, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);

  xmlXPathRegisterNs (context, (const xmlChar *) VMCTL_METADATA_PREFIX,
                      (const xmlChar *) VMCTL_METADATA_NAMESPACE);
  if (context_node != NULL)
    context->node = context_node;
  return xmlXPathEvalExpression ((const xmlChar *) expression, context);
}

static guint
number_prop (xmlNodePtr node, const gchar *name, guint base)
{
  g_autofree xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  guint64 number = 0;

  if (value == NULL
      || !g_ascii_string_to_unsigned ((const gchar *) value + (base == 16 && g_str_has_prefix ((const gchar *) value, "0x") ? 2 : 0),
                                      base, 0, G_MAXUINT32, &number, NULL))
    return G_MAXUINT;
  return (guint) number;
}

/* ---- USB devices by port ---------------------------------------------- */

/* The <hostdev type='usb'> with these ids and bus/device address */
static xmlNodePtr
find_usb_hostdev (xmlDocPtr document, guint vendor, guint product, guint bus, guint device)
{
  g_autoptr(xmlXPathObject) result = select_nodes (document, NULL,
                                                   "/domain/devices/hostdev[@type='usb']/source");
  gint count = vmctl_lifecycle_node_count (result);

  for (gint i = 0; i < count; i++) {
    xmlNodePtr source = result->nodesetval->nodeTab[i];
    g_autoptr(xmlXPathObject) vendor_node = select_nodes (document, source, "vendor");
    g_autoptr(xmlXPathObject) product_node = select_nodes (document, source, "product");
    g_autoptr(xmlXPathObject) address = select_nodes (document, source, "address");

    if (vmctl_lifecycle_node_count (vendor_node) != 1 || vmctl_lifecycle_node_count (product_node) != 1
        || vmctl_lifecycle_node_count (address) != 1)
      continue;
    if (number_prop (vendor_node->nodesetval->nodeTab[0], "id", 16) == vendor
        && number_prop (product_node->nodesetval->nodeTab[0], "id", 16) == product
        && number_prop (address->nodesetval->nodeTab[0], "bus", 10) == bus
        && number_prop (address->nodesetval->nodeTab[0], "device", 10) == device)
      return address->nodesetval->nodeTab[0];
  }
  return NULL;
}

static void
set_number (xmlNodePtr node, const gchar *name, guint value)
{
  g_autofree gchar *text = g_strdup_printf ("%u", value);

  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) text);
}

/* One <vmctl:usb port=...>: point its hostdev at the device the port has
 * now. TRUE when the document changed. */
static gboolean
renew_port (VmctlSession *session, xmlDocPtr document, xmlNodePtr record,
            const VmctlUsbTopology *topology, const gchar *name)
{
  g_autofree xmlChar *port = xmlGetProp (record, (const xmlChar *) "port");
  g_auto(VmctlUsbSelector) selector = { 0 };
  guint vendor = number_prop (record, "vendor", 16);
  guint product = number_prop (record, "product", 16);
  guint bus = number_prop (record, "bus", 10);
  guint devnum = number_prop (record, "device", 10);
  const VmctlUsbDevice *device;
  xmlNodePtr address;
  g_autofree gchar *line = NULL;

  if (port == NULL || !vmctl_usb_selector_parse ((const gchar *) port, &selector, NULL)
      || !selector.by_port)
    return FALSE;
  address = find_usb_hostdev (document, vendor, product, bus, devnum);
  if (address == NULL)
    return FALSE;
  device = vmctl_usb_topology_find (topology, &selector, NULL);
  if (device == NULL || device->vendor_id != vendor || device->product_id != product) {
    line = g_strdup_printf ("USB port %s has no %04x:%04x now: the VM starts without it "
                            "(plug it back in there, or see vmctl usb list)",
                            (const gchar *) port, vendor, product);
    vmctl_session_note (session, name, "%s", line);
    return FALSE;
  }
  if (device->bus == bus && device->devnum == devnum)
    return FALSE;
  set_number (address, "bus", device->bus);
  set_number (address, "device", device->devnum);
  set_number (record, "bus", device->bus);
  set_number (record, "device", device->devnum);
  line = g_strdup_printf ("USB port %s: %04x:%04x is device %u now (was %u): the VM gets it "
                          "there", (const gchar *) port, vendor, product, device->devnum, devnum);
  vmctl_session_note (session, name, "%s", line);
  return TRUE;
}

static gboolean
renew_usb_ports (VmctlSession *session, virDomainPtr domain, GError **error)
{
  const gchar *name = sym_virDomainGetName (domain);
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlXPathObject) records = NULL;
  g_autoptr(VmctlUsbTopology) topology = NULL;
  g_autofree gchar *xml = NULL;
  gboolean changed = FALSE;

  document = vmctl_lifecycle_domain_document (domain, VIR_DOMAIN_XML_INACTIVE);
  if (document == NULL)
    return TRUE;
  records = select_nodes (document, NULL,
                          "/domain/metadata/vmctl:vmctl/vmctl:spec/vmctl:usb[@port]");
  if (vmctl_lifecycle_node_count (records) == 0)
    return TRUE;
  topology = vmctl_usb_topology_read (vmctl_session_get_host (session), NULL);
  if (topology == NULL)
    return TRUE;
  for (gint i = 0; i < vmctl_lifecycle_node_count (records); i++)
    changed |= renew_port (session, document, records->nodesetval->nodeTab[i], topology, name);
  if (!changed)
    return TRUE;
  {
    xmlChar *buffer = NULL;
    int length = 0;
    virDomainPtr defined;

    xmlDocDumpMemory (document, &buffer, &length);
    xml = g_strndup ((const gchar *) buffer, (gsize) length);
    xmlFree (buffer);
    defined = sym_virDomainDefineXML (sym_virDomainGetConnect (domain), xml);
    if (defined == NULL) {
      vmctl_lifecycle_set_virt_error (error, "cannot give VM '%s' its USB devices' new device "
                                      "numbers", name);
      return FALSE;
    }
    sym_virDomainFree (defined);
  }
  return TRUE;
}

/* ---- the reset bug ------------------------------------------------------ */

static void
report_reset_bugs (VmctlSession *session, const gchar *name, GPtrArray *functions)
{
  VmctlHost *host = vmctl_session_get_host (session);
  g_autofree gchar *path = vmctl_data_path ("quirks/reset-bug.conf");
  g_autoptr(VmctlQuirks) quirks = g_file_test (path, G_FILE_TEST_EXISTS)
                                  ? vmctl_quirks_load (path, NULL) : NULL;

  for (guint i = 0; quirks != NULL && i < functions->len; i++) {
    g_auto(VmctlResetState) state = { 0 };
    VmctlPciDevice device = { 0 };
    VmctlPciAddress address;

    if (!vmctl_pci_address_parse (g_ptr_array_index (functions, i), &address, NULL)
        || !vmctl_pci_read_ids (host, &address, &device.vendor_id, &device.device_id))
      continue;
    device.address = address;
    if (!vmctl_reset_state_read (host, &device, quirks, &state))
      continue;
    /* covered: nothing to say at every start */
    if (state.vendor_reset != VMCTL_TRISTATE_YES || state.device_specific == VMCTL_TRISTATE_NO) {
      g_autofree gchar *line = vmctl_reset_state_describe (&state, &address, device.vendor_id,
                                                           device.device_id);

      vmctl_session_note (session, name, "%s", line);
    }
  }
}

/**
 * vmctl_lifecycle_desk_before_start: (skip)
 * @session: the host the VM runs on (a local connection's); notes go to
 *   its note function, the VM the subject
 * @functions: (element-type utf8): the plan's functions
 *
 * Renews the device numbers of USB devices given by port, then reports
 * reset-bug cards vendor-reset does not cover. Only a failed redefine is
 * an error.
 */
gboolean
vmctl_lifecycle_desk_before_start (VmctlSession *session, virDomainPtr domain,
                                   GPtrArray *functions, GError **error)
{
  if (!renew_usb_ports (session, domain, error))
    return FALSE;
  report_reset_bugs (session, sym_virDomainGetName (domain), functions);
  return TRUE;
}

/**
 * vmctl_lifecycle_desk_after_stop: (skip)
 * @vfio: the session's engine for the release, before it gives anything
 *   back
 * @name: the VM that stopped
 *
 * Part of the after-stop policy (vmctl-lifecycle-release.c), whatever
 * ended the VM: does every function the journal holds for @name still
 * answer? A card with the reset bug reads all ones (vendor id 0xffff)
 * once the guest is gone; giving it back to its host driver then fails or
 * hangs, so the note says what to do (a remove/rescan, never done here).
 */
void
vmctl_lifecycle_desk_after_stop (VmctlSession *session, VmctlVfio *vfio, const gchar *name)
{
  g_autoptr(GPtrArray) held = vmctl_vfio_status (vfio, NULL, NULL);

  for (guint i = 0; held != NULL && i < held->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (held, i);

    if (g_strcmp0 (entry->owner, name) == 0
        && vmctl_reset_check_answers (vmctl_session_get_host (session), &entry->address)
           == VMCTL_TRISTATE_NO) {
      g_autofree gchar *line = vmctl_reset_dead_advice (&entry->address);

      vmctl_session_note (session, name, "%s", line);
    }
  }
}

/**
 * vmctl_lifecycle_desk_usb_from_metadata: (skip)
 * @spec: the metadata's <vmctl:spec>
 *
 * Returns: (transfer full) (element-type utf8): one line per USB device
 *   the VM has: "046d:c52b", or "046d:c52b at port 1-2 (by port: start
 *   renews its device number after a replug)"
 */
GPtrArray *
vmctl_lifecycle_desk_usb_from_metadata (xmlNodePtr spec)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (xmlNodePtr child = spec != NULL ? spec->children : NULL; child != NULL; child = child->next) {
    g_autofree xmlChar *vendor = NULL;
    g_autofree xmlChar *product = NULL;
    g_autofree xmlChar *port = NULL;

    /* virDomainGetMetadata() gives the element without its namespace */
    if (child->type != XML_ELEMENT_NODE || !xmlStrEqual (child->name, (const xmlChar *) "usb")
        || (child->ns != NULL
            && !xmlStrEqual (child->ns->href, (const xmlChar *) VMCTL_METADATA_NAMESPACE)))
      continue;
    vendor = xmlGetProp (child, (const xmlChar *) "vendor");
    product = xmlGetProp (child, (const xmlChar *) "product");
    port = xmlGetProp (child, (const xmlChar *) "port");
    /* ids and ports only, as vmctl wrote them: four hex digits, a port path */
    if (vendor == NULL || product == NULL
        || !g_regex_match_simple ("^[0-9a-f]{4}$", (const gchar *) vendor, 0, 0)
        || !g_regex_match_simple ("^[0-9a-f]{4}$", (const gchar *) product, 0, 0)
        || (port != NULL && !vmctl_usb_is_device_name ((const gchar *) port)))
      continue;
    if (port != NULL)
      g_ptr_array_add (lines, g_strdup_printf ("%s:%s at port %s (by port: start renews its "
                                               "device number after a replug)", vendor,
                                               product, port));
    else
      g_ptr_array_add (lines, g_strdup_printf ("%s:%s", vendor, product));
  }
  return lines;
}
