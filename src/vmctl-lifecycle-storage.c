/* vmctl-lifecycle-storage.c: defining a VM with the volumes its disks
 * need, and undefining it, optionally with its disks. Nothing half-made is
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

static xmlXPathObjectPtr
select_nodes (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);

  return xmlXPathEvalExpression ((const xmlChar *) expression, context);
}

static gint
node_count (xmlXPathObjectPtr result)
{
  return result != NULL && result->nodesetval != NULL ? result->nodesetval->nodeNr : 0;
}

static gchar *
child_prop (xmlNodePtr parent, const gchar *child, const gchar *name)
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
  g_autoptr(xmlXPathObject) disks = select_nodes (document,
                                                  "/domain/devices/disk[@type='volume']");
  GArray *requests = g_array_new (FALSE, TRUE, sizeof (VolumeRequest));

  g_array_set_clear_func (requests, volume_request_clear);
  for (gint i = 0; i < node_count (disks); i++) {
    xmlNodePtr disk = disks->nodesetval->nodeTab[i];
    VolumeRequest request = { 0 };

    request.volume = child_prop (disk, "source", "volume");
    request.capacity = requested_capacity (spec, request.volume);
    if (request.volume == NULL || request.capacity == 0) {
      volume_request_clear (&request);
      continue;
    }
    request.pool = child_prop (disk, "source", "pool");
    if (request.pool == NULL)
      request.pool = g_strdup (DEFAULT_POOL_NAME);
    request.format = child_prop (disk, "driver", "type");
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
 * @document: the domain XML (vmctl_domain_xml_build())
 * @error: VMCTL_LIFECYCLE_ERROR_EXISTS, VMCTL_LIFECYCLE_ERROR_STORAGE, or a
 *   VMCTL_VIRT_ERROR from libvirt's define (INVALID: it rejected the XML)
 *
 * Creates the volumes the domain's <disk type='volume'> elements name
 * (those with a size in @spec), in their pools; pool "default" is created
 * as a directory pool under /var/lib/libvirt/images when missing. Then
 * defines the domain. On failure, the volumes created here are deleted
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
  names = select_nodes (document, "string(/domain/name)");
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

    if (volume == NULL) {
      g_prefix_error (error, "cannot define VM '%s': ", name);
      delete_created (created);
      return FALSE;
    }
    g_ptr_array_add (created, volume);
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

/* ---- undefine ---- */

typedef struct {
  gchar *pool;                        /* type='volume' */
  gchar *volume;
  gchar *path;                        /* type='file' (and block: never deleted) */
} DiskSource;

static void
disk_source_clear (gpointer data)
{
  DiskSource *source = data;

  g_free (source->pool);
  g_free (source->volume);
  g_free (source->path);
}

/* the images of the domain's disks (device='disk': never a cdrom or a
 * floppy, which are shared installation media), from its inactive XML */
static GArray *
disk_sources (virDomainPtr domain, GError **error)
{
  char *text = sym_virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlXPathObject) disks = NULL;
  g_autoptr(GArray) sources = NULL;

  if (text == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the XML of VM '%s'",
                                    sym_virDomainGetName (domain));
    return NULL;
  }
  document = xmlReadMemory (text, (int) strlen (text), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  free (text);
  if (document == NULL) {
    g_set_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_FAILED,
                 "libvirt gave unreadable XML for VM '%s'", sym_virDomainGetName (domain));
    return NULL;
  }
  sources = g_array_new (FALSE, TRUE, sizeof (DiskSource));
  g_array_set_clear_func (sources, disk_source_clear);
  disks = select_nodes (document, "/domain/devices/disk[@device='disk' or not(@device)]");
  for (gint i = 0; i < node_count (disks); i++) {
    xmlNodePtr disk = disks->nodesetval->nodeTab[i];
    g_autofree gchar *type = (gchar *) xmlGetProp (disk, (const xmlChar *) "type");
    DiskSource source = { 0 };

    if (g_strcmp0 (type, "volume") == 0) {
      source.pool = child_prop (disk, "source", "pool");
      source.volume = child_prop (disk, "source", "volume");
    } else if (g_strcmp0 (type, "file") == 0) {
      source.path = child_prop (disk, "source", "file");
    }
    /* block devices and network disks are never vmctl's to delete */
    if ((source.pool != NULL && source.volume != NULL) || source.path != NULL)
      g_array_append_val (sources, source);
    else
      disk_source_clear (&source);
  }
  return g_steal_pointer (&sources);
}

static gboolean
delete_volume (virStorageVolPtr volume, const gchar *what, GError **error)
{
  if (sym_virStorageVolDelete (volume, 0) < 0) {
    vmctl_lifecycle_set_storage_error (error, "cannot delete %s", what);
    return FALSE;
  }
  return TRUE;
}

static gboolean
connection_is_local (virConnectPtr connection)
{
  char *uri = sym_virConnectGetURI (connection);
  gboolean local = uri != NULL && vmctl_connect_uri_is_local (uri);

  if (uri == NULL)
    sym_virResetLastError ();
  free (uri);
  return local;
}

static gboolean
remove_source (virConnectPtr connection, const DiskSource *source, GError **error)
{
  g_autoptr(VmctlStoragePool) pool = NULL;
  g_autoptr(VmctlStorageVol) volume = NULL;
  g_autofree gchar *what = NULL;
  virErrorPtr last;

  if (source->volume != NULL) {
    what = g_strdup_printf ("volume '%s' of storage pool '%s'", source->volume, source->pool);
    pool = sym_virStoragePoolLookupByName (connection, source->pool);
    volume = pool != NULL ? sym_virStorageVolLookupByName (pool, source->volume) : NULL;
    if (volume == NULL) {
      vmctl_lifecycle_set_storage_error (error, "cannot find %s", what);
      return FALSE;
    }
    return delete_volume (volume, what, error);
  }

  what = g_strdup_printf ("disk image %s", source->path);
  volume = sym_virStorageVolLookupByPath (connection, source->path);
  if (volume != NULL)
    return delete_volume (volume, what, error);
  last = sym_virGetLastError ();
  if (last == NULL || last->code != VIR_ERR_NO_STORAGE_VOL) {
    vmctl_lifecycle_set_storage_error (error, "cannot look up %s", what);
    return FALSE;
  }
  sym_virResetLastError ();
  /* No pool knows the file. Only on this machine is the path ours to
   * unlink; on a remote host it names a file over there. */
  if (!connection_is_local (connection)) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                 "cannot delete %s: no storage pool on the remote host holds it", what);
    return FALSE;
  }
  if (g_unlink (source->path) < 0 && errno != ENOENT) {
    int saved = errno;

    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                 "cannot delete %s: %s", what, g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

/* Everything libvirt keeps beside the definition, so nothing is left
 * behind: NVRAM (FACTS.md: undefine needs a flag for it), a managed-save
 * image, snapshot and checkpoint metadata. Drivers reject flags they do
 * not know (the test driver: NVRAM and CHECKPOINTS_METADATA), so retry
 * with fewer; a driver without NVRAM has none to keep. */
static const unsigned int undefine_flags[] = {
  VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
  | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
  VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
  | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  0,
};

static gboolean
undefine_domain (virDomainPtr domain, const gchar *name, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (undefine_flags); i++) {
    g_autoptr(GError) local_error = NULL;

    if (sym_virDomainUndefineFlags (domain, undefine_flags[i]) == 0)
      return TRUE;
    vmctl_lifecycle_set_virt_error (&local_error, "cannot undefine VM '%s'", name);
    /* "unsupported flags" is INVALID_ARG; some drivers say NO_SUPPORT */
    if (i + 1 == G_N_ELEMENTS (undefine_flags)
        || !(g_error_matches (local_error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_INVALID)
             || g_error_matches (local_error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_UNSUPPORTED))) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  }
  g_assert_not_reached ();
}

/**
 * vmctl_vm_undefine:
 * @connection: an open read-write connection
 * @name: the VM, shut off
 * @remove_storage: also delete the images of its disks (volumes, or files
 *   found through the pool that holds them, or unlinked when no pool does
 *   and the connection is local); cdroms are never touched
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM, VMCTL_LIFECYCLE_ERROR_RUNNING,
 *   VMCTL_LIFECYCLE_ERROR_STORAGE (the VM is undefined, but an image could
 *   not be deleted; the others still are), or a VMCTL_VIRT_ERROR
 *
 * Removes the definition with its NVRAM, managed-save image and snapshot
 * metadata. The disks are read before, and deleted after, the definition
 * is removed: a VM must never be left pointing at deleted images.
 */
gboolean
vmctl_vm_undefine (virConnectPtr connection, const gchar *name, gboolean remove_storage,
                   GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(GArray) sources = NULL;
  g_autoptr(GError) first_error = NULL;
  VmctlVmState state;

  g_return_val_if_fail (connection != NULL && name != NULL, FALSE);
  domain = vmctl_lifecycle_lookup (connection, name, error);
  if (domain == NULL || !vmctl_lifecycle_get_state (domain, &state, error))
    return FALSE;
  if (state != VMCTL_VM_STATE_SHUTOFF) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_RUNNING,
                 "VM '%s' is %s; stop or destroy it first", name, vmctl_vm_state_to_string (state));
    return FALSE;
  }
  if (remove_storage) {
    sources = disk_sources (domain, error);
    if (sources == NULL)
      return FALSE;
  }
  if (!undefine_domain (domain, name, error))
    return FALSE;

  for (guint i = 0; sources != NULL && i < sources->len; i++) {
    g_autoptr(GError) local_error = NULL;

    if (!remove_source (connection, &g_array_index (sources, DiskSource, i), &local_error)
        && first_error == NULL)
      first_error = g_steal_pointer (&local_error);
  }
  if (first_error != NULL) {
    g_propagate_prefixed_error (error, g_steal_pointer (&first_error),
                                "VM '%s' undefined, but ", name);
    return FALSE;
  }
  return TRUE;
}
