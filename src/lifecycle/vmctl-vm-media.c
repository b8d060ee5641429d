/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vm-media.c: a domain's displays, console, drives and boot order,
 * read back from libvirt's XML (the live XML of a running VM has the
 * ports and ptys libvirt allocated). The display URIs are what `virsh
 * domdisplay` prints for the same XML: VNC in display numbers (port -
 * 5900), a wildcard listen address replaced by the connection's host
 * ("localhost" locally), IPv6 addresses in brackets, SPICE's TLS port as
 * "?tls-port=", and a UNIX socket as "vnc+unix://PATH". */
#include "vmctl-vm-media.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "vmctl-autocleanups.h"
#include "vmctl-error.h"
#include "vmctl-lifecycle-private.h"

/* VNC's port for display :0 (RFB) */
#define VNC_BASE_PORT 5900

void
vmctl_display_free (VmctlDisplay *display)
{
  if (display == NULL)
    return;
  g_free (display->type);
  g_free (display->uri);
  g_free (display->listen);
  g_free (display);
}

void
vmctl_vm_drive_free (VmctlVmDrive *drive)
{
  if (drive == NULL)
    return;
  g_free (drive->device);
  g_free (drive->target);
  g_free (drive->bus);
  g_free (drive->source);
  g_free (drive);
}

void
vmctl_vm_media_free (VmctlVmMedia *media)
{
  if (media == NULL)
    return;
  g_free (media->console);
  g_free (media->console_path);
  g_free (media->console_log);
  g_clear_pointer (&media->displays, g_ptr_array_unref);
  g_clear_pointer (&media->drives, g_ptr_array_unref);
  g_clear_pointer (&media->boot, g_ptr_array_unref);
  g_free (media->kernel);
  g_free (media->initrd);
  g_free (media->cmdline);
  g_free (media->os);
  g_free (media);
}

static xmlDocPtr
parse_domain (const gchar *xml, GError **error)
{
  xmlDocPtr document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

  if (document == NULL)
    g_set_error_literal (error, VMCTL_ERROR, VMCTL_ERROR_HYPERVISOR,
                         "libvirt gave domain XML that does not parse");
  return document;
}

static gchar *
prop (xmlNodePtr node, const gchar *name)
{
  return (gchar *) xmlGetProp (node, (const xmlChar *) name);
}

/* the first string @expression selects, or NULL */
static gchar *
select_string (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathObject) result = vmctl_lifecycle_select_nodes (document, expression);
  g_autofree xmlChar *content = NULL;

  if (vmctl_lifecycle_node_count (result) == 0)
    return NULL;
  content = xmlNodeGetContent (result->nodesetval->nodeTab[0]);
  return g_strdup ((const gchar *) content);
}

static gint
int_prop (xmlNodePtr node, const gchar *name)
{
  g_autofree gchar *text = prop (node, name);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, -1, 65535, &value, NULL))
    return -1;
  return (gint) value;
}

/* The host part of the connection URI, or "localhost" for a local one. */
static gchar *
connection_host (const gchar *connection_uri)
{
  g_autoptr(GUri) uri = connection_uri != NULL
                        ? g_uri_parse (connection_uri, G_URI_FLAGS_NONE, NULL) : NULL;
  const gchar *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return g_strdup (host != NULL && host[0] != '\0' ? host : "localhost");
}

static VmctlDisplay *
read_display (xmlNodePtr graphics, const gchar *type, const gchar *connection_uri)
{
  VmctlDisplay *display = g_new0 (VmctlDisplay, 1);
  g_autofree gchar *listen_type = vmctl_lifecycle_child_prop (graphics, "listen", "type");
  g_autofree gchar *socket = vmctl_lifecycle_child_prop (graphics, "listen", "socket");
  g_autofree gchar *address = vmctl_lifecycle_child_prop (graphics, "listen", "address");
  g_autofree gchar *host = NULL;
  g_autoptr(GString) uri = g_string_new (NULL);

  display->type = g_strdup (type);
  display->port = int_prop (graphics, "port");
  display->tls_port = int_prop (graphics, "tlsPort");
  if (address == NULL)
    address = prop (graphics, "listen");
  if (socket == NULL)
    socket = prop (graphics, "socket");
  if (g_strcmp0 (listen_type, "socket") == 0 || (socket != NULL && listen_type == NULL)) {
    display->listen = g_strdup (socket);
    if (socket != NULL)
      display->uri = g_strdup_printf ("%s+unix://%s", type, socket);
    return display;
  }
  display->listen = g_strdup (address);
  if (g_strcmp0 (listen_type, "none") == 0 || display->port <= 0)
    return display;
  if (address == NULL || address[0] == '\0' || g_strcmp0 (address, "0.0.0.0") == 0
      || g_strcmp0 (address, "::") == 0)
    host = connection_host (connection_uri);
  else if (strchr (address, ':') != NULL)
    host = g_strdup_printf ("[%s]", address);
  else
    host = g_strdup (address);
  g_string_append_printf (uri, "%s://%s:%d", type, host,
                          g_strcmp0 (type, "vnc") == 0 ? display->port - VNC_BASE_PORT
                                                       : display->port);
  if (g_strcmp0 (type, "spice") == 0 && display->tls_port > 0)
    g_string_append_printf (uri, "?tls-port=%d", display->tls_port);
  display->uri = g_string_free (g_steal_pointer (&uri), FALSE);
  return display;
}

static GPtrArray *
list_displays (xmlDocPtr document, const gchar *connection_uri)
{
  static const gchar * const types[] = { "vnc", "spice" };
  GPtrArray *displays = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_display_free);

  for (gsize t = 0; t < G_N_ELEMENTS (types); t++) {
    g_autofree gchar *expression = g_strdup_printf ("/domain/devices/graphics[@type='%s']",
                                                    types[t]);
    g_autoptr(xmlXPathObject) found = vmctl_lifecycle_select_nodes (document, expression);

    for (gint i = 0; i < vmctl_lifecycle_node_count (found); i++)
      g_ptr_array_add (displays, read_display (found->nodesetval->nodeTab[i], types[t],
                                               connection_uri));
  }
  return displays;
}

/**
 * vmctl_display_list_from_xml:
 * @xml: a domain's XML (the live XML gives the ports)
 * @connection_uri: (nullable): the URI it came from: its host replaces a
 *   wildcard listen address
 * @error: VMCTL_ERROR_HYPERVISOR when @xml does not parse
 *
 * Returns: (transfer full) (element-type VmctlDisplay): every SPICE and
 *   VNC display, VNC first (virsh's order); empty when there is none
 */
GPtrArray *
vmctl_display_list_from_xml (const gchar *xml, const gchar *connection_uri, GError **error)
{
  g_autoptr(xmlDoc) document = parse_domain (xml, error);

  return document != NULL ? list_displays (document, connection_uri) : NULL;
}

/* ---- drives and boot order ---- */

typedef struct {
  guint order;
  gchar *what;
} BootEntry;

static gint
compare_boot (gconstpointer a, gconstpointer b)
{
  const BootEntry *x = a, *y = b;

  return (gint) x->order - (gint) y->order;
}

static gchar *
drive_source (xmlNodePtr disk)
{
  g_autofree gchar *file = vmctl_lifecycle_child_prop (disk, "source", "file");
  g_autofree gchar *dev = vmctl_lifecycle_child_prop (disk, "source", "dev");
  g_autofree gchar *pool = vmctl_lifecycle_child_prop (disk, "source", "pool");
  g_autofree gchar *volume = vmctl_lifecycle_child_prop (disk, "source", "volume");

  if (file != NULL)
    return g_steal_pointer (&file);
  if (dev != NULL)
    return g_steal_pointer (&dev);
  if (pool != NULL && volume != NULL)
    return g_strdup_printf ("%s/%s", pool, volume);
  return NULL;
}

static void
read_drives (xmlDocPtr document, VmctlVmMedia *media, GArray *boot)
{
  g_autoptr(xmlXPathObject) disks = vmctl_lifecycle_select_nodes (document, "/domain/devices/disk");
  g_autoptr(xmlXPathObject) nics = vmctl_lifecycle_select_nodes (document,
                                                                 "/domain/devices/interface");

  for (gint i = 0; i < vmctl_lifecycle_node_count (disks); i++) {
    xmlNodePtr node = disks->nodesetval->nodeTab[i];
    VmctlVmDrive *drive = g_new0 (VmctlVmDrive, 1);
    g_autofree gchar *order = vmctl_lifecycle_child_prop (node, "boot", "order");

    drive->device = prop (node, "device");
    drive->target = vmctl_lifecycle_child_prop (node, "target", "dev");
    drive->bus = vmctl_lifecycle_child_prop (node, "target", "bus");
    drive->source = drive_source (node);
    drive->boot_order = order != NULL ? (guint) g_ascii_strtoull (order, NULL, 10) : 0;
    if (drive->boot_order > 0) {
      BootEntry entry = { drive->boot_order, g_strdup_printf ("%s %s", drive->device,
                                                              drive->target) };
      g_array_append_val (boot, entry);
    }
    g_ptr_array_add (media->drives, drive);
  }
  for (gint i = 0; i < vmctl_lifecycle_node_count (nics); i++) {
    g_autofree gchar *order = vmctl_lifecycle_child_prop (nics->nodesetval->nodeTab[i], "boot",
                                                         "order");
    BootEntry entry = { order != NULL ? (guint) g_ascii_strtoull (order, NULL, 10) : 0,
                        g_strdup ("network") };

    if (entry.order > 0)
      g_array_append_val (boot, entry);
    else
      g_free (entry.what);
  }
}

/* the per-device order, or the older <os><boot dev> list */
static void
read_boot (xmlDocPtr document, VmctlVmMedia *media, GArray *boot)
{
  g_autoptr(xmlXPathObject) devices = NULL;

  g_array_sort (boot, compare_boot);
  for (guint i = 0; i < boot->len; i++)
    g_ptr_array_add (media->boot, g_steal_pointer (&g_array_index (boot, BootEntry, i).what));
  if (boot->len > 0)
    return;
  devices = vmctl_lifecycle_select_nodes (document, "/domain/os/boot/@dev");
  for (gint i = 0; i < vmctl_lifecycle_node_count (devices); i++) {
    g_autofree xmlChar *dev = xmlNodeGetContent (devices->nodesetval->nodeTab[i]);

    g_ptr_array_add (media->boot, g_strdup (g_strcmp0 ((const gchar *) dev, "hd") == 0
                                            ? "disk" : (const gchar *) dev));
  }
}

static void
read_console (xmlDocPtr document, VmctlVmMedia *media)
{
  g_autofree gchar *type = select_string (document, "/domain/devices/console[1]/@type");
  g_autofree gchar *serial = select_string (document, "/domain/devices/serial[1]/@type");
  g_autofree gchar *path = select_string (document, "/domain/devices/console[1]/source/@path");

  if (type == NULL)
    type = g_steal_pointer (&serial);
  if (type == NULL)
    return;
  media->console = g_steal_pointer (&type);
  if (media->running)
    media->console_path = g_steal_pointer (&path);
  media->console_log = select_string (document, "/domain/devices/serial[1]/log/@file");
}

/**
 * vmctl_vm_media_from_xml:
 * @xml: a domain's XML
 * @connection_uri: (nullable): for the display URIs
 * @running: whether @xml is a running domain's live XML
 * @error: VMCTL_ERROR_HYPERVISOR when @xml does not parse
 *
 * Returns: (transfer full): what @xml says of the VM's console, displays,
 *   drives and boot
 */
VmctlVmMedia *
vmctl_vm_media_from_xml (const gchar *xml, const gchar *connection_uri, gboolean running,
                         GError **error)
{
  g_autoptr(xmlDoc) document = parse_domain (xml, error);
  g_autoptr(GArray) boot = g_array_new (FALSE, FALSE, sizeof (BootEntry));
  VmctlVmMedia *media;

  if (document == NULL)
    return NULL;
  media = g_new0 (VmctlVmMedia, 1);
  media->running = running;
  media->displays = list_displays (document, connection_uri);
  media->drives = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_vm_drive_free);
  media->boot = g_ptr_array_new_with_free_func (g_free);
  read_console (document, media);
  read_drives (document, media, boot);
  read_boot (document, media, boot);
  media->kernel = select_string (document, "/domain/os/kernel");
  media->initrd = select_string (document, "/domain/os/initrd");
  media->cmdline = select_string (document, "/domain/os/cmdline");
  media->os = select_string (document, "/domain/metadata/*[local-name()='vmctl']"
                                       "/*[local-name()='spec']/@os");
  return media;
}

/**
 * vmctl_vm_media:
 * @connection: an open connection (read-only is enough)
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM or a VMCTL_VIRT_ERROR
 *
 * vmctl_vm_media_from_xml() for the VM's current XML: the live one while
 * it runs.
 *
 * Returns: (transfer full): the VM's media
 */
VmctlVmMedia *
vmctl_vm_media (virConnectPtr connection, const gchar *name, GError **error)
{
  g_autoptr(VmctlDomain) domain = vmctl_lifecycle_lookup (connection, name, error);
  g_autofree gchar *uri = NULL;
  g_autofree gchar *xml = NULL;
  char *text;
  char *connection_uri;
  VmctlVmState state;

  if (domain == NULL || !vmctl_lifecycle_get_state (domain, &state, error))
    return NULL;
  text = sym_virDomainGetXMLDesc (domain, 0);
  if (text == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the XML of VM '%s'", name);
    return NULL;
  }
  xml = g_strdup (text);
  free (text);
  connection_uri = sym_virConnectGetURI (connection);
  uri = g_strdup (connection_uri);
  free (connection_uri);
  return vmctl_vm_media_from_xml (xml, uri, state == VMCTL_VM_STATE_RUNNING
                                            || state == VMCTL_VM_STATE_PAUSED, error);
}
