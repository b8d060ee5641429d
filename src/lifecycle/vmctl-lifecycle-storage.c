/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-storage.c: defining a VM with the volumes its disks
 * need, each recorded in its metadata as vmctl's (undefining, which reads
 * that record, is in vmctl-lifecycle-undefine.c). Nothing half-made is
 * left behind: volumes created for a definition that fails are deleted. */
#include "vmctl-lifecycle-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

#include "vmctl-connect.h"
#include "vmctl-domain-xml.h"

/* where libvirt's packages put the "default" pool; vmctl makes the same
 * pool when it is missing, as virt-install does */
#define DEFAULT_POOL_NAME "default"
#define DEFAULT_POOL_PATH "/var/lib/libvirt/images"

typedef struct {
  gchar *pool;
  gchar *volume;
  gchar *format;
  guint64 capacity;
} VolumeRequest;

static void
volume_request_clear (gpointer data)
{
  VolumeRequest *request = data;

  g_free (request->pool);
  g_free (request->volume);
  g_free (request->format);
}

/* ---- XML for libvirt, through the tree API ---- */

static gchar *
dump_document (xmlDocPtr document)
{
  xmlChar *text = NULL;
  int length = 0;
  gchar *copy;

  xmlDocDumpMemory (document, &text, &length);
  copy = g_strndup ((const gchar *) text, length);
  xmlFree (text);
  return copy;
}

static gchar *
pool_xml (const gchar *name, const gchar *path)
{
  g_autoptr(xmlDoc) document = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNodePtr pool = xmlNewNode (NULL, (const xmlChar *) "pool");
  xmlNodePtr target;

  xmlDocSetRootElement (document, pool);
  xmlSetProp (pool, (const xmlChar *) "type", (const xmlChar *) "dir");
  xmlNewTextChild (pool, NULL, (const xmlChar *) "name", (const xmlChar *) name);
  target = xmlNewChild (pool, NULL, (const xmlChar *) "target", NULL);
  xmlNewTextChild (target, NULL, (const xmlChar *) "path", (const xmlChar *) path);
  return dump_document (document);
}

static gchar *
volume_xml (const VolumeRequest *request)
{
  g_autoptr(xmlDoc) document = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNodePtr volume = xmlNewNode (NULL, (const xmlChar *) "volume");
  g_autofree gchar *capacity = g_strdup_printf ("%" G_GUINT64_FORMAT, request->capacity);
  xmlNodePtr node;

  xmlDocSetRootElement (document, volume);
  xmlNewTextChild (volume, NULL, (const xmlChar *) "name", (const xmlChar *) request->volume);
  node = xmlNewTextChild (volume, NULL, (const xmlChar *) "capacity", (const xmlChar *) capacity);
  xmlSetProp (node, (const xmlChar *) "unit", (const xmlChar *) "bytes");
  /* allocation 0: a sparse image that grows as the guest writes */
  node = xmlNewTextChild (volume, NULL, (const xmlChar *) "allocation", (const xmlChar *) "0");
  xmlSetProp (node, (const xmlChar *) "unit", (const xmlChar *) "bytes");
  node = xmlNewChild (volume, NULL, (const xmlChar *) "target", NULL);
  node = xmlNewChild (node, NULL, (const xmlChar *) "format", NULL);
  xmlSetProp (node, (const xmlChar *) "type", (const xmlChar *) request->format);
  return dump_document (document);
}

/* ---- reading domain XML ---- */

/**
 * vmctl_lifecycle_select_nodes: (skip)
 * Returns: (transfer full) (nullable): what @expression selects in @document
 */
xmlXPathObjectPtr
vmctl_lifecycle_select_nodes (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);

  return xmlXPathEvalExpression ((const xmlChar *) expression, context);
}

/* (skip) the number of nodes @result holds, 0 for none or NULL */
gint
vmctl_lifecycle_node_count (xmlXPathObjectPtr result)
{
  return result != NULL && result->nodesetval != NULL ? result->nodesetval->nodeNr : 0;
}

/* (skip) @name of @parent's first <@child>, NULL when there is none */
gchar *
vmctl_lifecycle_child_prop (xmlNodePtr parent, const gchar *child, const gchar *name)
{
  for (xmlNodePtr node = parent->children; node != NULL; node = node->next) {
    if (node->type == XML_ELEMENT_NODE && g_strcmp0 ((const gchar *) node->name, child) == 0)
      return (gchar *) xmlGetProp (node, (const xmlChar *) name);
  }
  return NULL;
}

/* the size the spec asks for the volume the domain XML names @volume */
static guint64
requested_capacity (const VmctlSpec *spec, const gchar *volume)
{
  for (guint i = 0; spec != NULL && spec->disks != NULL && i < spec->disks->len; i++) {
    const VmctlSpecDisk *disk = g_ptr_array_index (spec->disks, i);
    g_autofree gchar *name = vmctl_domain_xml_volume_name (spec, i);

    if (disk->size_bytes > 0 && g_strcmp0 (name, volume) == 0)
      return disk->size_bytes;
  }
  return 0;
}

/* The volumes to create: the <disk type='volume'> of @document (so the
 * names are exactly the ones libvirt will look up) that the spec gives a
 * size. A volume disk without a size refers to an existing volume. */
static GArray *
volume_requests (const VmctlSpec *spec, xmlDocPtr document)
{
  g_autoptr(xmlXPathObject) disks = vmctl_lifecycle_select_nodes (document,
                                                  "/domain/devices/disk[@type='volume']");
  GArray *requests = g_array_new (FALSE, TRUE, sizeof (VolumeRequest));

  g_array_set_clear_func (requests, volume_request_clear);
  for (gint i = 0; i < vmctl_lifecycle_node_count (disks); i++) {
    xmlNodePtr disk = disks->nodesetval->nodeTab[i];
    VolumeRequest request = { 0 };

    request.volume = vmctl_lifecycle_child_prop (disk, "source", "volume");
    request.capacity = requested_capacity (spec, request.volume);
    if (request.volume == NULL || request.capacity == 0) {
      volume_request_clear (&request);
      continue;
    }
    request.pool = vmctl_lifecycle_child_prop (disk, "source", "pool");
    if (request.pool == NULL)
      request.pool = g_strdup (DEFAULT_POOL_NAME);
    request.format = vmctl_lifecycle_child_prop (disk, "driver", "type");
    if (request.format == NULL)
      request.format = g_strdup ("qcow2");
    g_array_append_val (requests, request);
  }
  return requests;
}

/* ---- pools and volumes ---- */

/* the "default" pool as libvirt's packages make it: a directory pool,
 * built (the directory created), started, and started at boot */
static virStoragePoolPtr
create_default_pool (virConnectPtr connection, GError **error)
{
  g_autofree gchar *xml = pool_xml (DEFAULT_POOL_NAME, DEFAULT_POOL_PATH);
  g_autoptr(VmctlStoragePool) pool = sym_virStoragePoolDefineXML (connection, xml, 0);

  if (pool == NULL) {
    vmctl_lifecycle_set_storage_error (error, "cannot define storage pool '%s'", DEFAULT_POOL_NAME);
    return NULL;
  }
  if (sym_virStoragePoolBuild (pool, 0) < 0) {
    vmctl_lifecycle_set_storage_error (error, "cannot build storage pool '%s' at %s",
                                       DEFAULT_POOL_NAME, DEFAULT_POOL_PATH);
    return NULL;
  }
  if (sym_virStoragePoolCreate (pool, 0) < 0) {
    vmctl_lifecycle_set_storage_error (error, "cannot start storage pool '%s'", DEFAULT_POOL_NAME);
    return NULL;
  }
  if (sym_virStoragePoolSetAutostart (pool, 1) < 0) {
    vmctl_lifecycle_set_storage_error (error, "cannot autostart storage pool '%s'",
                                       DEFAULT_POOL_NAME);
    return NULL;
  }
  return g_steal_pointer (&pool);
}

/* the pool named @name, started; "default" is created when missing */
static virStoragePoolPtr
find_pool (virConnectPtr connection, const gchar *name, GError **error)
{
  g_autoptr(VmctlStoragePool) pool = sym_virStoragePoolLookupByName (connection, name);
  int active;

  if (pool == NULL) {
    virErrorPtr last = sym_virGetLastError ();

    if (last == NULL || last->code != VIR_ERR_NO_STORAGE_POOL) {
      vmctl_lifecycle_set_storage_error (error, "cannot look up storage pool '%s'", name);
      return NULL;
    }
    sym_virResetLastError ();
    if (g_strcmp0 (name, DEFAULT_POOL_NAME) == 0)
      return create_default_pool (connection, error);
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                 "no storage pool named '%s' (see virsh pool-list --all)", name);
    return NULL;
  }
  active = sym_virStoragePoolIsActive (pool);
  if (active < 0) {
    vmctl_lifecycle_set_storage_error (error, "cannot get the state of storage pool '%s'", name);
    return NULL;
  }
  /* an inactive pool cannot hold new volumes */
  if (active == 0 && sym_virStoragePoolCreate (pool, 0) < 0) {
    vmctl_lifecycle_set_storage_error (error, "cannot start storage pool '%s'", name);
    return NULL;
  }
  return g_steal_pointer (&pool);
}

static virStorageVolPtr
create_volume (virConnectPtr connection, const VolumeRequest *request, GError **error)
{
  g_autoptr(VmctlStoragePool) pool = find_pool (connection, request->pool, error);
  g_autoptr(VmctlStorageVol) existing = NULL;
  g_autofree gchar *xml = NULL;
  virStorageVolPtr volume;

  if (pool == NULL)
    return NULL;
  /* someone else's image under the same name is never overwritten, and
   * never deleted by the cleanup below: refuse before creating anything */
  existing = sym_virStorageVolLookupByName (pool, request->volume);
  if (existing != NULL) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                 "volume '%s' already exists in storage pool '%s'; "
                 "delete it or use another VM name",
                 request->volume, request->pool);
    return NULL;
  }
  sym_virResetLastError ();
  xml = volume_xml (request);
  volume = sym_virStorageVolCreateXML (pool, xml, 0);
  if (volume == NULL)
    vmctl_lifecycle_set_storage_error (error, "cannot create volume '%s' in storage pool '%s'",
                                       request->volume, request->pool);
  return volume;
}

/* Writes @volume (just made from @request) into the metadata of
 * @document: `undefine --remove-storage` deletes only what is recorded,
 * at the path libvirt gave now. */
static gboolean
record_created (xmlDocPtr document, const VolumeRequest *request, virStorageVolPtr volume,
                GError **error)
{
  char *path = sym_virStorageVolGetPath (volume);
  g_autofree gchar *copy = NULL;

  if (path == NULL) {
    vmctl_lifecycle_set_storage_error (error, "cannot get the path of volume '%s'",
                                       request->volume);
    return FALSE;
  }
  /* libvirt's strings are free()d, GLib's g_free()d: keep one kind */
  copy = g_strdup (path);
  free (path);
  return vmctl_domain_xml_record_volume (document, request->pool, request->volume, copy, error);
}

/* the cleanup after a failed define: best effort, because the error the
 * caller reports is the one that made the define fail */
static void
delete_created (GPtrArray *created)
{
  for (guint i = 0; i < created->len; i++) {
    if (sym_virStorageVolDelete (g_ptr_array_index (created, i), 0) < 0)
      sym_virResetLastError ();
  }
}

static gboolean
refuse_existing (virConnectPtr connection, const gchar *name, GError **error)
{
  g_autoptr(VmctlDomain) domain = sym_virDomainLookupByName (connection, name);
  virErrorPtr last;

  if (domain != NULL) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_EXISTS,
                 "a VM named '%s' already exists", name);
    return FALSE;
  }
  last = sym_virGetLastError ();
  if (last != NULL && last->code == VIR_ERR_NO_DOMAIN) {
    sym_virResetLastError ();
    return TRUE;
  }
  vmctl_lifecycle_set_virt_error (error, "cannot look up VM '%s'", name);
  return FALSE;
}

/**
 * vmctl_vm_define:
 * @connection: an open read-write connection
 * @spec: (nullable): the finalized spec @document was built from; its
 *   size= disks give the capacities of the volumes to create (NULL: create
 *   none, every volume disk must exist already)
 * @document: the domain XML (vmctl_domain_xml_build()); the volumes
 *   created are recorded in its vmctl metadata
 * @error: VMCTL_LIFECYCLE_ERROR_EXISTS, VMCTL_LIFECYCLE_ERROR_STORAGE, or a
 *   VMCTL_VIRT_ERROR from libvirt's define (INVALID: it rejected the XML)
 *
 * Creates the volumes the domain's <disk type='volume'> elements name
 * (those with a size in @spec), in their pools; pool "default" is created
 * as a directory pool under /var/lib/libvirt/images when missing. Each is
 * recorded (pool, name, path) in the metadata's <vmctl:storage>, the list
 * `undefine --remove-storage` removes. Then defines the domain. On failure, the volumes created here are deleted
 * (a pool created here stays: it is the host's default pool, as the
 * distribution would have made it).
 */
gboolean
vmctl_vm_define (virConnectPtr connection, const VmctlSpec *spec, xmlDocPtr document,
                 GError **error)
{
  g_autoptr(xmlXPathObject) names = NULL;
  g_autoptr(GArray) requests = NULL;
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(VmctlDomain) domain = NULL;
  g_autofree gchar *xml = NULL;
  g_autofree gchar *name = NULL;

  g_return_val_if_fail (connection != NULL && document != NULL, FALSE);
  names = vmctl_lifecycle_select_nodes (document, "string(/domain/name)");
  name = g_strdup (names != NULL ? (const gchar *) names->stringval : NULL);
  if (name == NULL || name[0] == '\0') {
    g_set_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_INVALID,
                 "the domain XML has no <name>");
    return FALSE;
  }
  if (!refuse_existing (connection, name, error))
    return FALSE;

  requests = volume_requests (spec, document);
  created = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_storage_vol_free);
  for (guint i = 0; i < requests->len; i++) {
    const VolumeRequest *request = &g_array_index (requests, VolumeRequest, i);
    virStorageVolPtr volume = create_volume (connection, request, error);

    if (volume != NULL)
      g_ptr_array_add (created, volume);
    if (volume == NULL || !record_created (document, request, volume, error)) {
      g_prefix_error (error, "cannot define VM '%s': ", name);
      delete_created (created);
      return FALSE;
    }
  }

  xml = dump_document (document);
  domain = sym_virDomainDefineXML (connection, xml);
  if (domain == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot define VM '%s'", name);
    delete_created (created);
    return FALSE;
  }
  return TRUE;
}
