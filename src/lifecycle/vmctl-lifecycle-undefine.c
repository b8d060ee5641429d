/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-undefine.c: removing a VM's definition and, when asked,
 * its disks. --remove-storage removes the volumes vmctl created for the VM
 * (recorded in its metadata at define, each checked to be still where it
 * was made); --remove-all-storage the VM's other image files and volumes
 * too. A disk another defined domain references is never removed: that
 * refuses the whole command. Every decision is made before the definition
 * goes, so a refusal leaves everything as it was. */
#include "vmctl-lifecycle-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "vmctl-connect.h"
#include "vmctl-domain-xml.h"

/* One disk of the VM, and what undefine does with it. */
typedef struct {
  gchar *pool;                        /* type='volume' */
  gchar *volume;
  gchar *path;                        /* the file, the device, or the volume's path now;
                                       * NULL when libvirt knows no such volume */
  gboolean block;                     /* type='block': never removed */
  const VmctlCreatedVolume *created;  /* the record saying vmctl made it, or NULL */
  gchar *keep_reason;                 /* NULL: to remove */
  virStorageVolPtr handle;            /* removed through libvirt; NULL: a file unlinked
                                       * here (local connections only) */
} Disk;

static void
disk_clear (gpointer data)
{
  Disk *disk = data;

  g_free (disk->pool);
  g_free (disk->volume);
  g_free (disk->path);
  g_free (disk->keep_reason);
  g_clear_pointer (&disk->handle, vmctl_storage_vol_free);
}

static gchar *
disk_name (const Disk *disk)
{
  if (disk->path != NULL)
    return g_strdup (disk->path);
  return g_strdup_printf ("%s/%s", disk->pool, disk->volume);
}

void
vmctl_undefine_report_free (VmctlUndefineReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->removed, g_ptr_array_unref);
  g_clear_pointer (&report->kept, g_ptr_array_unref);
  g_free (report);
}

static void
storage_outcome_free (VmctlStorageOutcome *outcome)
{
  g_free (outcome->path);
  g_free (outcome->reason);
  g_free (outcome);
}

static void
add_outcome (GPtrArray *into, gchar *path, const gchar *reason)
{
  VmctlStorageOutcome *outcome = g_new0 (VmctlStorageOutcome, 1);

  outcome->path = path;
  outcome->reason = g_strdup (reason);
  g_ptr_array_add (into, outcome);
}

/* libvirt's strings are free()d, GLib's g_free()d: keep one kind */
static gchar *
from_libvirt (char *text)
{
  gchar *copy = g_strdup (text);

  free (text);
  return copy;
}

static gboolean
connection_is_local (virConnectPtr connection)
{
  g_autofree gchar *uri = from_libvirt (sym_virConnectGetURI (connection));

  if (uri == NULL)
    sym_virResetLastError ();
  return uri != NULL && vmctl_connect_uri_is_local (uri);
}

/* The volume @volume_name of pool @pool_name with its path now; NULL when
 * libvirt knows no such volume (or cannot say where it is) */
static virStorageVolPtr
find_volume (virConnectPtr connection, const gchar *pool_name, const gchar *volume_name,
             gchar **out_path)
{
  g_autoptr(VmctlStoragePool) pool = sym_virStoragePoolLookupByName (connection, pool_name);
  g_autoptr(VmctlStorageVol) volume = NULL;
  g_autofree gchar *path = NULL;

  volume = pool != NULL ? sym_virStorageVolLookupByName (pool, volume_name) : NULL;
  path = volume != NULL ? from_libvirt (sym_virStorageVolGetPath (volume)) : NULL;
  if (path == NULL) {
    sym_virResetLastError ();
    return NULL;
  }
  *out_path = g_steal_pointer (&path);
  return g_steal_pointer (&volume);
}

/* @domain's XML as libvirt has it (@flags: VIR_DOMAIN_XML_INACTIVE for the
 * definition); NULL with @error set */
static xmlDocPtr
domain_document (virDomainPtr domain, unsigned int flags, GError **error)
{
  g_autofree gchar *text = from_libvirt (sym_virDomainGetXMLDesc (domain, flags));
  xmlDocPtr document;

  if (text == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the XML of VM '%s'",
                                    sym_virDomainGetName (domain));
    return NULL;
  }
  /* NONET: the text comes from whoever can write domain definitions */
  document = xmlReadMemory (text, (int) strlen (text), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == NULL)
    g_set_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_FAILED,
                 "libvirt gave unreadable XML for VM '%s'", sym_virDomainGetName (domain));
  return document;
}

/* ---- the VM's disks, and what to do with each ---- */

/* The disks (device='disk': never a cdrom or floppy, shared installation
 * media) with an image file, a volume or a block device behind them.
 * Network disks name no file here and are left out. */
static GArray *
read_disks (virConnectPtr connection, xmlDocPtr document)
{
  g_autoptr(xmlXPathObject) nodes =
    vmctl_lifecycle_select_nodes (document, "/domain/devices/disk[@device='disk' or not(@device)]");
  GArray *disks = g_array_new (FALSE, TRUE, sizeof (Disk));

  g_array_set_clear_func (disks, disk_clear);
  for (gint i = 0; i < vmctl_lifecycle_node_count (nodes); i++) {
    xmlNodePtr node = nodes->nodesetval->nodeTab[i];
    g_autofree gchar *type = (gchar *) xmlGetProp (node, (const xmlChar *) "type");
    Disk disk = { 0 };

    if (g_strcmp0 (type, "volume") == 0) {
      disk.pool = vmctl_lifecycle_child_prop (node, "source", "pool");
      disk.volume = vmctl_lifecycle_child_prop (node, "source", "volume");
      if (disk.pool != NULL && disk.volume != NULL)
        disk.handle = find_volume (connection, disk.pool, disk.volume, &disk.path);
    } else if (g_strcmp0 (type, "file") == 0) {
      disk.path = vmctl_lifecycle_child_prop (node, "source", "file");
    } else if (g_strcmp0 (type, "block") == 0) {
      disk.path = vmctl_lifecycle_child_prop (node, "source", "dev");
      disk.block = TRUE;
    }
    if (disk.path != NULL || (disk.pool != NULL && disk.volume != NULL))
      g_array_append_val (disks, disk);
    else
      disk_clear (&disk);
  }
  return disks;
}

/* the record entry that says vmctl made @disk: the same pool and volume,
 * or (a disk someone switched to the file) the same path */
static const VmctlCreatedVolume *
find_created (const Disk *disk, GPtrArray *created)
{
  for (guint i = 0; i < created->len; i++) {
    const VmctlCreatedVolume *entry = g_ptr_array_index (created, i);

    if ((disk->volume != NULL && g_strcmp0 (disk->pool, entry->pool) == 0
         && g_strcmp0 (disk->volume, entry->volume) == 0)
        || (disk->path != NULL && g_strcmp0 (disk->path, entry->path) == 0))
      return entry;
  }
  return NULL;
}

/* A volume vmctl made is removed only while its pool still has it where it
 * was made: a record that no longer matches names someone else's file. */
static void
check_created (virConnectPtr connection, Disk *disk)
{
  const VmctlCreatedVolume *entry = disk->created;
  g_autofree gchar *path = NULL;
  g_autoptr(VmctlStorageVol) volume = find_volume (connection, entry->pool, entry->volume, &path);

  if (volume == NULL)
    disk->keep_reason = g_strdup_printf ("vmctl created it as volume %s/%s, which no longer "
                                         "exists", entry->pool, entry->volume);
  else if (strcmp (path, entry->path) != 0)
    disk->keep_reason = g_strdup_printf ("volume %s/%s is at %s now, not where vmctl created "
                                         "it (%s)", entry->pool, entry->volume, path, entry->path);
  else {
    g_clear_pointer (&disk->handle, vmctl_storage_vol_free);
    disk->handle = g_steal_pointer (&volume);
    if (disk->path == NULL)
      disk->path = g_steal_pointer (&path);
  }
}

/* A disk vmctl did not make, with --remove-all-storage: through the pool
 * that holds it, else (a file no pool knows) unlinked, which only this
 * machine's files may be. */
static gboolean
find_other (virConnectPtr connection, gboolean local, Disk *disk, GError **error)
{
  g_autofree gchar *name = disk_name (disk);
  virErrorPtr last;

  if (disk->handle != NULL)
    return TRUE;
  if (disk->volume != NULL) {
    disk->keep_reason = g_strdup_printf ("volume %s/%s does not exist", disk->pool, disk->volume);
    return TRUE;
  }
  disk->handle = sym_virStorageVolLookupByPath (connection, disk->path);
  if (disk->handle != NULL)
    return TRUE;
  last = sym_virGetLastError ();
  if (last == NULL || last->code != VIR_ERR_NO_STORAGE_VOL) {
    vmctl_lifecycle_set_storage_error (error, "cannot look up disk image %s", name);
    return FALSE;
  }
  sym_virResetLastError ();
  if (!local) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                 "cannot remove %s: no storage pool on the remote host holds it, and vmctl "
                 "deletes files only on this machine; nothing was removed", name);
    return FALSE;
  }
  if (!g_file_test (disk->path, G_FILE_TEST_EXISTS))
    disk->keep_reason = g_strdup ("it does not exist");
  return TRUE;
}

static const gchar *
not_created_reason (VmctlStorageRecord record)
{
  if (record == VMCTL_STORAGE_RECORD_MISSING)
    return "made by an older vmctl, which did not record the volumes it created "
           "(use --remove-all-storage)";
  return "not created by vmctl (use --remove-all-storage)";
}

/* Sets keep_reason on every disk that stays, finds the volume of every
 * disk that goes. Fails, changing nothing, when a disk to remove cannot be
 * removed at all. */
static gboolean
decide (virConnectPtr connection, GArray *disks, VmctlStorageRecord record, GPtrArray *created,
        VmctlUndefineStorage storage, GError **error)
{
  gboolean local = storage == VMCTL_UNDEFINE_REMOVE_ALL && connection_is_local (connection);

  for (guint i = 0; i < disks->len; i++) {
    Disk *disk = &g_array_index (disks, Disk, i);

    disk->created = find_created (disk, created);
    if (disk->block)
      disk->keep_reason = g_strdup ("a block device: vmctl never removes one");
    else if (storage == VMCTL_UNDEFINE_KEEP_STORAGE)
      disk->keep_reason = g_strdup (disk->created != NULL
                                    ? "created by vmctl (--remove-storage removes it)"
                                    : "not created by vmctl (--remove-all-storage removes it)");
    else if (disk->created != NULL)
      check_created (connection, disk);
    else if (storage == VMCTL_UNDEFINE_REMOVE_CREATED)
      disk->keep_reason = g_strdup (not_created_reason (record));
    else if (!find_other (connection, local, disk, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- other domains' disks ---- */

static void
add_reference (GHashTable *references, gboolean local, const gchar *path, const gchar *owner)
{
  g_autofree gchar *real = local ? realpath (path, NULL) : NULL;

  g_hash_table_insert (references, g_strdup (path), g_strdup (owner));
  /* /var/lib/libvirt/images may be a symlink: the file is the same */
  if (real != NULL)
    g_hash_table_insert (references, g_steal_pointer (&real), g_strdup (owner));
}

/* every file, device and volume @document's disks name, backing stores
 * included, as paths (volumes resolved through their pools) */
static void
add_references (virConnectPtr connection, gboolean local, xmlDocPtr document, const gchar *owner,
                GHashTable *references)
{
  g_autoptr(xmlXPathObject) sources =
    vmctl_lifecycle_select_nodes (document, "/domain/devices/disk//source");

  for (gint i = 0; i < vmctl_lifecycle_node_count (sources); i++) {
    xmlNodePtr source = sources->nodesetval->nodeTab[i];
    const gchar * const attributes[] = { "file", "dev" };
    g_autofree gchar *pool = (gchar *) xmlGetProp (source, (const xmlChar *) "pool");
    g_autofree gchar *volume = (gchar *) xmlGetProp (source, (const xmlChar *) "volume");

    for (gsize j = 0; j < G_N_ELEMENTS (attributes); j++) {
      g_autofree gchar *path = (gchar *) xmlGetProp (source, (const xmlChar *) attributes[j]);

      if (path != NULL)
        add_reference (references, local, path, owner);
    }
    if (pool != NULL && volume != NULL) {
      g_autofree gchar *path = NULL;
      g_autoptr(VmctlStorageVol) found = find_volume (connection, pool, volume, &path);

      if (found != NULL)
        add_reference (references, local, path, owner);
    }
  }
}

/* The XML of @domain as defined and, while it runs, as running (a disk
 * hot-plugged is in use too); a domain gone meanwhile has none. */
static gboolean
add_domain_references (virConnectPtr connection, gboolean local, virDomainPtr domain,
                       GHashTable *references, GError **error)
{
  const gchar *owner = sym_virDomainGetName (domain);
  unsigned int flags[] = { VIR_DOMAIN_XML_INACTIVE, 0 };
  guint views = sym_virDomainIsActive (domain) == 1 ? 2 : 1;

  for (guint i = 0; i < views; i++) {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(xmlDoc) document = domain_document (domain, flags[i], &local_error);

    if (g_error_matches (local_error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM))
      return TRUE;
    if (document == NULL) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    add_references (connection, local, document, owner, references);
  }
  return TRUE;
}

/* path -> name of the domain (other than @self, by UUID) that references
 * it: every domain, running or not, transient or defined */
static GHashTable *
other_references (virConnectPtr connection, virDomainPtr self, GError **error)
{
  g_autoptr(GHashTable) references = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             g_free);
  gboolean local = connection_is_local (connection);
  virDomainPtr *domains = NULL;
  char self_uuid[VIR_UUID_STRING_BUFLEN];
  gboolean ok = TRUE;
  int count;

  if (sym_virDomainGetUUIDString (self, self_uuid) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the UUID of VM '%s'",
                                    sym_virDomainGetName (self));
    return NULL;
  }
  count = sym_virConnectListAllDomains (connection, &domains, 0);
  if (count < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot list the VMs to check who uses the disks");
    return NULL;
  }
  for (int i = 0; i < count; i++) {
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (ok && sym_virDomainGetUUIDString (domains[i], uuid) == 0 && strcmp (uuid, self_uuid) != 0)
      ok = add_domain_references (connection, local, domains[i], references, error);
    sym_virDomainFree (domains[i]);
  }
  free (domains);
  return ok ? g_steal_pointer (&references) : NULL;
}

/* Refuses, before anything changes, to remove a disk another domain
 * references, naming the domain. */
static gboolean
refuse_shared (virConnectPtr connection, virDomainPtr self, GArray *disks, GError **error)
{
  g_autoptr(GHashTable) references = NULL;
  gboolean local;

  for (guint i = 0; i < disks->len && references == NULL; i++) {
    if (g_array_index (disks, Disk, i).keep_reason == NULL) {
      references = other_references (connection, self, error);
      if (references == NULL)
        return FALSE;
    }
  }
  if (references == NULL)
    return TRUE;
  local = connection_is_local (connection);
  for (guint i = 0; i < disks->len; i++) {
    const Disk *disk = &g_array_index (disks, Disk, i);
    g_autofree gchar *real = NULL;
    const gchar *owner;

    if (disk->keep_reason != NULL || disk->path == NULL)
      continue;
    real = local ? realpath (disk->path, NULL) : NULL;
    owner = g_hash_table_lookup (references, disk->path);
    if (owner == NULL && real != NULL)
      owner = g_hash_table_lookup (references, real);
    if (owner != NULL) {
      g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE_IN_USE,
                   "VM '%s' uses %s too: refusing to remove it; nothing was removed and VM "
                   "'%s' is still defined", owner, disk->path, sym_virDomainGetName (self));
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- removing ---- */

static gboolean
remove_disk (Disk *disk, GError **error)
{
  g_autofree gchar *name = disk_name (disk);

  if (disk->handle != NULL) {
    if (sym_virStorageVolDelete (disk->handle, 0) < 0) {
      vmctl_lifecycle_set_storage_error (error, "cannot delete %s", name);
      return FALSE;
    }
    return TRUE;
  }
  if (g_unlink (disk->path) < 0 && errno != ENOENT) {
    int saved = errno;

    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_STORAGE,
                 "cannot delete %s: %s", name, g_strerror (saved));
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

/* recorded volumes the VM no longer has as disks: not removed (the record
 * alone says nothing about who uses them now), but said */
static void
report_detached (GArray *disks, GPtrArray *created, GPtrArray *kept)
{
  for (guint i = 0; i < created->len; i++) {
    const VmctlCreatedVolume *entry = g_ptr_array_index (created, i);
    gboolean attached = FALSE;

    for (guint j = 0; j < disks->len && !attached; j++)
      attached = g_array_index (disks, Disk, j).created == entry;
    if (!attached)
      add_outcome (kept, g_strdup (entry->path),
                   "created by vmctl for this VM, but no longer one of its disks");
  }
}

/**
 * vmctl_vm_undefine:
 * @connection: an open read-write connection
 * @name: the VM, shut off
 * @storage: which disks to remove with it (block devices and cdroms never)
 * @out_report: (out) (transfer full): the disks removed and the disks kept,
 *   each with why
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM, VMCTL_LIFECYCLE_ERROR_RUNNING,
 *   VMCTL_LIFECYCLE_ERROR_STORAGE_IN_USE (another domain references a disk
 *   to remove: nothing changed), VMCTL_LIFECYCLE_ERROR_STORAGE (a disk to
 *   remove cannot be, and nothing changed; or the VM is undefined but
 *   deleting an image failed, the others still deleted), or a
 *   VMCTL_VIRT_ERROR
 *
 * Removes the definition with its NVRAM, managed-save image and snapshot
 * metadata. With VMCTL_UNDEFINE_REMOVE_CREATED, the volumes vmctl recorded
 * creating for the VM (vmctl_vm_define()) that are still its disks and
 * still where they were made; with VMCTL_UNDEFINE_REMOVE_ALL, its other
 * image files and volumes too (through the pool that holds them, or
 * unlinked when no pool does and the connection is local). The disks are
 * read and every check made before the definition is removed, and the
 * images are deleted after: a VM is never left pointing at deleted images.
 */
gboolean
vmctl_vm_undefine (virConnectPtr connection, const gchar *name, VmctlUndefineStorage storage,
                   VmctlUndefineReport **out_report, GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GArray) disks = NULL;
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(VmctlUndefineReport) report = g_new0 (VmctlUndefineReport, 1);
  g_autoptr(GError) first_error = NULL;
  VmctlStorageRecord record;
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
  document = domain_document (domain, VIR_DOMAIN_XML_INACTIVE, error);
  if (document == NULL)
    return FALSE;
  disks = read_disks (connection, document);
  record = vmctl_domain_xml_created_volumes (document, &created);
  if (!decide (connection, disks, record, created, storage, error)
      || !refuse_shared (connection, domain, disks, error)
      || !undefine_domain (domain, name, error))
    return FALSE;

  report->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) storage_outcome_free);
  report->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) storage_outcome_free);
  for (guint i = 0; i < disks->len; i++) {
    Disk *disk = &g_array_index (disks, Disk, i);
    g_autoptr(GError) local_error = NULL;

    if (disk->keep_reason != NULL)
      add_outcome (report->kept, disk_name (disk), disk->keep_reason);
    else if (remove_disk (disk, &local_error))
      add_outcome (report->removed, disk_name (disk), NULL);
    else if (first_error == NULL)
      first_error = g_steal_pointer (&local_error);
  }
  if (storage != VMCTL_UNDEFINE_KEEP_STORAGE)
    report_detached (disks, created, report->kept);
  if (first_error != NULL) {
    g_propagate_prefixed_error (error, g_steal_pointer (&first_error),
                                "VM '%s' undefined, but ", name);
    return FALSE;
  }
  *out_report = g_steal_pointer (&report);
  return TRUE;
}
