/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-metadata.c: vmctl's own <metadata> in the domain, the
 * spec as requested and the passthrough plan, so later commands on any
 * host (and over remote URIs) know what to detach and give back. The
 * schema is documented in xml-templates/README.md. */
#include "vmctl-domain-xml-private.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "vmctl-autocleanups.h"
#include "vmctl-config.h"

/* The names below come from vmctl_*_to_string() in vmctl-spec.c and
 * vmctl-plan.c, which document that they are stored here: they are part of
 * the metadata schema (xml-templates/README.md) and never change. */

static gboolean
build_metadata_spec (VmctlDomainBuilder *builder, xmlNodePtr spec_node, const VmctlSpec *spec,
                     const VmctlDomainLayout *layout, GError **error)
{
  g_autofree gchar *memory = vmctl_domain_format_uint (spec->memory_kib);
  g_autofree gchar *vcpus = vmctl_domain_format_uint (spec->vcpus);
  g_autofree gchar *page = layout->hugepage_kib > 0 ? vmctl_domain_format_uint (layout->hugepage_kib) : NULL;
  g_autofree gchar *pin_list = NULL;
  xmlNodePtr prototype;
  xmlNodePtr node;

  if (spec->cpu_pin == VMCTL_CPU_PIN_LIST && spec->cpu_pin_list != NULL) {
    g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);

    /* in vCPU order, as given: vmctl_cpu_list_format() would sort */
    for (guint i = 0; i < spec->cpu_pin_list->len; i++)
      g_ptr_array_add (numbers, vmctl_domain_format_uint (g_array_index (spec->cpu_pin_list, guint, i)));
    g_ptr_array_add (numbers, NULL);
    pin_list = g_strjoinv (",", (gchar **) numbers->pdata);
  }

  if (!vmctl_domain_builder_set_or_remove (builder, spec_node, "profile", spec->profile, error)
      || !vmctl_domain_builder_set (builder, spec_node, "memory-kib", memory, error)
      || !vmctl_domain_builder_set (builder, spec_node, "vcpus", vcpus, error)
      || !vmctl_domain_builder_set (builder, spec_node, "machine", spec->machine, error)
      || !vmctl_domain_builder_set (builder, spec_node, "virt-type",
                                    vmctl_virt_type_to_string (spec->virt_type), error)
      || !vmctl_domain_builder_set (builder, spec_node, "firmware",
                                    vmctl_firmware_kind_to_string (spec->firmware), error)
      || !vmctl_domain_builder_set (builder, spec_node, "hugepages", vmctl_domain_yes_no (spec->hugepages), error)
      || !vmctl_domain_builder_set (builder, spec_node, "cpu-pin",
                                    vmctl_cpu_pin_mode_to_string (spec->cpu_pin), error))
    return FALSE;
  /* what vmctl chose on this host, for `info` and for a remote host that
   * cannot see the local descriptors */
  if (!vmctl_domain_builder_set_or_remove (builder, spec_node, "cpu-pin-list", pin_list, error)
      || !vmctl_domain_builder_set_or_remove (builder, spec_node, "hugepage-kib", page, error)
      || !vmctl_domain_builder_set_or_remove (builder, spec_node, "hugepages-dynamic",
                                              spec->hugepages && spec->hugepages_dynamic
                                              ? "yes" : NULL, error)
      || !vmctl_domain_builder_set_or_remove (builder, spec_node, "firmware-descriptor",
                         layout->firmware != NULL ? layout->firmware->descriptor_path : NULL, error))
    return FALSE;
  /* issue 13: what start and stop change on the host beyond the devices */
  if (!vmctl_domain_builder_set_or_remove (builder, spec_node, "isolate-cpus",
                                           spec->isolate_cpus ? "yes" : NULL, error)
      || !vmctl_domain_builder_set_or_remove (builder, spec_node, "single-gpu",
                                              spec->single_gpu ? "yes" : NULL, error))
    return FALSE;

  prototype = vmctl_domain_builder_find (builder, spec_node, "vmctl:gpu[@prototype]", error);
  for (guint i = 0; prototype != NULL && spec->gpus != NULL && i < spec->gpus->len; i++) {
    const VmctlSpecGpu *gpu = &g_array_index (spec->gpus, VmctlSpecGpu, i);
    gchar address[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&gpu->address, address);
    node = vmctl_domain_builder_clone (builder, prototype, error);
    if (node == NULL || !vmctl_domain_builder_set (builder, node, "address", address, error)
        || !vmctl_domain_builder_set_or_remove (builder, node, "rom", gpu->rom_path, error))
      return FALSE;
  }
  prototype = prototype == NULL ? NULL
              : vmctl_domain_builder_find (builder, spec_node, "vmctl:hostdev[@prototype]", error);
  for (guint i = 0; prototype != NULL && spec->hostdevs != NULL && i < spec->hostdevs->len; i++) {
    gchar address[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&g_array_index (spec->hostdevs, VmctlPciAddress, i), address);
    node = vmctl_domain_builder_clone (builder, prototype, error);
    if (node == NULL || !vmctl_domain_builder_set (builder, node, "address", address, error))
      return FALSE;
  }
  prototype = prototype == NULL ? NULL
              : vmctl_domain_builder_find (builder, spec_node, "vmctl:disk[@prototype]", error);
  for (guint i = 0; prototype != NULL && i < layout->disks->len; i++) {
    const VmctlDomainDisk *disk = &g_array_index (layout->disks, VmctlDomainDisk, i);
    g_autofree gchar *size = disk->kind == VMCTL_DOMAIN_DISK_VOLUME
                             ? vmctl_domain_format_uint (disk->disk->size_bytes) : NULL;
    gboolean volume = disk->kind == VMCTL_DOMAIN_DISK_VOLUME;

    node = vmctl_domain_builder_clone (builder, prototype, error);
    if (node == NULL
        || !vmctl_domain_builder_set_or_remove (builder, node, "path", volume ? NULL : disk->disk->path, error)
        || !vmctl_domain_builder_set_or_remove (builder, node, "pool",
                           volume ? (disk->disk->pool != NULL ? disk->disk->pool : "default") : NULL,
                           error)
        || !vmctl_domain_builder_set_or_remove (builder, node, "volume", disk->volume, error)
        || !vmctl_domain_builder_set_or_remove (builder, node, "size-bytes", size, error)
        || !vmctl_domain_builder_set (builder, node, "format", disk->format, error))
      return FALSE;
  }
  prototype = prototype == NULL ? NULL
              : vmctl_domain_builder_find (builder, spec_node, "vmctl:cdrom[@prototype]", error);
  if (prototype != NULL && spec->cdrom != NULL) {
    node = vmctl_domain_builder_clone (builder, prototype, error);
    if (node == NULL || !vmctl_domain_builder_set (builder, node, "path", spec->cdrom, error))
      return FALSE;
  }
  if (prototype == NULL)
    return FALSE;
  node = vmctl_domain_builder_find (builder, spec_node, "vmctl:network", error);
  return node != NULL
         && vmctl_domain_builder_set (builder, node, "kind",
                                      vmctl_network_kind_to_string (spec->network), error)
         && vmctl_domain_builder_set_or_remove (builder, node, "bridge",
                           spec->network == VMCTL_NETWORK_BRIDGE ? spec->bridge : NULL, error);
}

static gboolean
build_metadata_plan (VmctlDomainBuilder *builder, xmlNodePtr plan_node, const VmctlPlan *plan,
                     GError **error)
{
  xmlNodePtr prototype = vmctl_domain_builder_find (builder, plan_node,
                                                    "vmctl:function[@prototype]", error);

  if (prototype == NULL)
    return FALSE;
  for (guint i = 0; plan != NULL && i < plan->functions->len; i++) {
    const VmctlPlanFunction *function = &g_array_index (plan->functions, VmctlPlanFunction, i);
    gchar address[VMCTL_PCI_ADDRESS_STRLEN];
    gchar owner[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *group = function->iommu_group >= 0
                              ? vmctl_domain_format_uint ((guint64) function->iommu_group) : NULL;
    xmlNodePtr node = vmctl_domain_builder_clone (builder, prototype, error);

    vmctl_pci_address_format (&function->address, address);
    vmctl_pci_address_format (&function->owner, owner);
    if (node == NULL
        || !vmctl_domain_builder_set (builder, node, "address", address, error)
        || !vmctl_domain_builder_set (builder, node, "role",
                                      vmctl_plan_role_to_string (function->role), error)
        || !vmctl_domain_builder_set (builder, node, "owner", owner, error)
        || !vmctl_domain_builder_set_or_remove (builder, node, "driver", function->driver, error)
        || !vmctl_domain_builder_set_or_remove (builder, node, "group", group, error))
      return FALSE;
  }
  return TRUE;
}

/* <metadata>: what later commands need to know without the local disk,
 * so `start` on another machine can detach exactly these functions. */
/* (skip) */
gboolean
vmctl_domain_build_metadata (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
                const VmctlPlan *plan, const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr placeholder = vmctl_domain_builder_find (builder, domain, "metadata", error);
  xmlNodePtr metadata = placeholder != NULL
                        ? vmctl_domain_builder_replace (builder, placeholder, "metadata.xml", error) : NULL;
  xmlNodePtr root;
  xmlNodePtr node;

  if (metadata == NULL)
    return FALSE;
  root = vmctl_domain_builder_find (builder, metadata, "vmctl:vmctl", error);
  if (root == NULL || !vmctl_domain_builder_set (builder, root, "version", VMCTL_VERSION, error))
    return FALSE;
  node = vmctl_domain_builder_find (builder, root, "vmctl:spec", error);
  if (node == NULL || !build_metadata_spec (builder, node, spec, layout, error))
    return FALSE;
  node = vmctl_domain_builder_find (builder, root, "vmctl:plan", error);
  if (node == NULL || !build_metadata_plan (builder, node, plan, error))
    return FALSE;
  vmctl_domain_builder_remove_prototypes (builder, root);
  return TRUE;
}

/* ---- the volumes vmctl created: written at define, read at undefine ---- */

void
vmctl_created_volume_free (VmctlCreatedVolume *volume)
{
  if (volume == NULL)
    return;
  g_free (volume->pool);
  g_free (volume->volume);
  g_free (volume->path);
  g_free (volume);
}

/* vmctl's elements of a whole domain document: <metadata> keeps the
 * namespace as defined (virDomainGetXMLDesc too, unlike
 * virDomainGetMetadata) */
static xmlNodePtr
find_metadata_node (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autoptr(xmlXPathObject) result = NULL;

  if (context == NULL)
    g_error ("libxml2: out of memory");
  xmlXPathRegisterNs (context, (const xmlChar *) VMCTL_METADATA_PREFIX,
                      (const xmlChar *) VMCTL_METADATA_NAMESPACE);
  result = xmlXPathEvalExpression ((const xmlChar *) expression, context);
  if (result == NULL || result->nodesetval == NULL || result->nodesetval->nodeNr == 0)
    return NULL;
  return result->nodesetval->nodeTab[0];
}

#define VMCTL_ROOT_XPATH "/domain/metadata/vmctl:vmctl"
#define STORAGE_XPATH VMCTL_ROOT_XPATH "/vmctl:storage"

/**
 * vmctl_domain_xml_record_volume:
 * @document: a domain built by vmctl_domain_xml_build(), about to be
 *   defined
 * @pool: the storage pool vmctl created the volume in
 * @volume: the volume's name in @pool
 * @path: where libvirt says the volume is (virStorageVolGetPath())
 * @error: VMCTL_DOMAIN_XML_ERROR_INVALID when @document has no vmctl
 *   metadata to record it in, or a value XML cannot carry
 *
 * Adds <vmctl:volume pool= volume= path=/> to the metadata's
 * <vmctl:storage>: the volumes vmctl made for this VM, which are the only
 * ones `undefine --remove-storage` deletes (after checking that @pool
 * still has @volume at @path).
 */
gboolean
vmctl_domain_xml_record_volume (xmlDocPtr document, const gchar *pool, const gchar *volume,
                                const gchar *path, GError **error)
{
  xmlNodePtr root = find_metadata_node (document, VMCTL_ROOT_XPATH);
  xmlNodePtr storage = find_metadata_node (document, STORAGE_XPATH);
  const gchar * const values[] = { pool, volume, path };
  xmlNodePtr node;

  g_return_val_if_fail (document != NULL && pool != NULL && volume != NULL && path != NULL, FALSE);
  if (root == NULL) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                 "the domain has no vmctl metadata to record volume '%s' in", volume);
    return FALSE;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (values); i++) {
    if (!g_utf8_validate (values[i], -1, NULL)) {
      g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                   "volume '%s': a name or path that is not UTF-8", volume);
      return FALSE;
    }
  }
  /* domains vmctl built before it kept this record have no <storage> */
  if (storage == NULL)
    storage = xmlNewChild (root, root->ns, (const xmlChar *) "storage", NULL);
  node = xmlNewChild (storage, root->ns, (const xmlChar *) "volume", NULL);
  xmlSetProp (node, (const xmlChar *) "pool", (const xmlChar *) pool);
  xmlSetProp (node, (const xmlChar *) "volume", (const xmlChar *) volume);
  xmlSetProp (node, (const xmlChar *) "path", (const xmlChar *) path);
  return TRUE;
}

/**
 * vmctl_domain_xml_created_volumes:
 * @document: a defined domain's XML (virDomainGetXMLDesc())
 * @out_volumes: (out) (transfer full): VmctlCreatedVolume*, in the order
 *   they were made; empty unless VMCTL_STORAGE_RECORD_PRESENT
 *
 * The volumes vmctl recorded creating for the domain. Entries without a
 * pool, volume and path are skipped: nothing can be checked against them.
 *
 * Returns: whether the domain has the record at all
 */
VmctlStorageRecord
vmctl_domain_xml_created_volumes (xmlDocPtr document, GPtrArray **out_volumes)
{
  GPtrArray *volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_created_volume_free);
  xmlNodePtr storage;

  *out_volumes = volumes;
  if (find_metadata_node (document, VMCTL_ROOT_XPATH) == NULL)
    return VMCTL_STORAGE_RECORD_NONE;
  storage = find_metadata_node (document, STORAGE_XPATH);
  if (storage == NULL)
    return VMCTL_STORAGE_RECORD_MISSING;
  for (xmlNodePtr node = storage->children; node != NULL; node = node->next) {
    g_autoptr(VmctlCreatedVolume) volume = NULL;

    if (node->type != XML_ELEMENT_NODE || node->ns == NULL
        || g_strcmp0 ((const gchar *) node->ns->href, VMCTL_METADATA_NAMESPACE) != 0
        || g_strcmp0 ((const gchar *) node->name, "volume") != 0)
      continue;
    volume = g_new0 (VmctlCreatedVolume, 1);
    volume->pool = (gchar *) xmlGetProp (node, (const xmlChar *) "pool");
    volume->volume = (gchar *) xmlGetProp (node, (const xmlChar *) "volume");
    volume->path = (gchar *) xmlGetProp (node, (const xmlChar *) "path");
    if (volume->pool != NULL && volume->volume != NULL && volume->path != NULL
        && volume->pool[0] != '\0' && volume->volume[0] != '\0' && volume->path[0] != '\0')
      g_ptr_array_add (volumes, g_steal_pointer (&volume));
  }
  return VMCTL_STORAGE_RECORD_PRESENT;
}
