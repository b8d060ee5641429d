/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-info.c: what `list`, `info` and `xml` show, and vmctl's
 * metadata read back from a defined domain (written by
 * vmctl-domain-metadata.c; schema in xml-templates/README.md). */
#include "vmctl-lifecycle-private.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "vmctl-domain-xml.h"
#include "vmctl-pci-address.h"
#include "vmctl-vm-media.h"

/* ---- vmctl's metadata ---- */

void
vmctl_vm_metadata_free (VmctlVmMetadata *metadata)
{
  if (metadata == NULL)
    return;
  g_free (metadata->profile);
  g_clear_pointer (&metadata->gpus, g_ptr_array_unref);
  g_clear_pointer (&metadata->functions, g_ptr_array_unref);
  g_clear_pointer (&metadata->usb, g_ptr_array_unref);
  g_free (metadata);
}

static gboolean
metadata_invalid (GError **error, const gchar *name, const gchar *why)
{
  g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
               "VM '%s' has invalid vmctl metadata: %s", name, why);
  return FALSE;
}

/* libvirt hands the element back without its namespace (it keys the
 * metadata by namespace and strips it), but the element as defined has it:
 * accept vmctl's namespace or none */
static gboolean
is_vmctl_element (xmlNodePtr node, const gchar *name)
{
  return node->type == XML_ELEMENT_NODE && g_strcmp0 ((const gchar *) node->name, name) == 0
         && (node->ns == NULL
             || g_strcmp0 ((const gchar *) node->ns->href, VMCTL_METADATA_NAMESPACE) == 0);
}

static xmlNodePtr
only_child (xmlNodePtr parent, const gchar *name)
{
  xmlNodePtr found = NULL;

  for (xmlNodePtr node = parent->children; node != NULL; node = node->next) {
    if (!is_vmctl_element (node, name))
      continue;
    if (found != NULL)
      return NULL;
    found = node;
  }
  return found;
}

/* every @address of @parent's <@name> children, each a full PCI address:
 * the passthrough engine builds sysfs paths from them, so nothing else
 * may pass */
static gboolean
collect_addresses (xmlNodePtr parent, const gchar *name, const gchar *vm, GPtrArray *into,
                   GError **error)
{
  xmlNodePtr first = parent != NULL ? parent->children : NULL;

  for (xmlNodePtr node = first; node != NULL; node = node->next) {
    g_autofree gchar *address = NULL;
    g_autofree gchar *why = NULL;
    VmctlPciAddress parsed;
    gchar formatted[VMCTL_PCI_ADDRESS_STRLEN];

    if (!is_vmctl_element (node, name))
      continue;
    address = (gchar *) xmlGetProp (node, (const xmlChar *) "address");
    if (address == NULL || !vmctl_pci_address_parse (address, &parsed, NULL)) {
      why = g_strdup_printf ("<%s> has %s address '%s'", name,
                             address == NULL ? "no" : "a bad", address != NULL ? address : "");
      return metadata_invalid (error, vm, why);
    }
    vmctl_pci_address_format (&parsed, formatted);
    g_ptr_array_add (into, g_strdup (formatted));
  }
  return TRUE;
}

/* also what the libvirt hook's prepare reads from the domain XML on stdin */
gboolean
vmctl_lifecycle_parse_metadata (const gchar *name, const gchar *text,
                                VmctlVmMetadata **out_metadata, GError **error)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(VmctlVmMetadata) metadata = g_new0 (VmctlVmMetadata, 1);
  g_autofree gchar *dynamic = NULL;
  xmlNodePtr root;
  xmlNodePtr spec;

  metadata->gpus = g_ptr_array_new_with_free_func (g_free);
  metadata->functions = g_ptr_array_new_with_free_func (g_free);
  /* NONET: the text comes from whoever can write domain definitions */
  document = xmlReadMemory (text, (int) strlen (text), "metadata.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == NULL)
    return metadata_invalid (error, name, "not well-formed XML");
  root = xmlDocGetRootElement (document);
  if (root == NULL || !is_vmctl_element (root, "vmctl"))
    return metadata_invalid (error, name, "the root element is not <vmctl:vmctl>");
  spec = only_child (root, "spec");
  if (spec == NULL)
    return metadata_invalid (error, name, "want exactly one <vmctl:spec>");
  metadata->profile = (gchar *) xmlGetProp (spec, (const xmlChar *) "profile");
  dynamic = (gchar *) xmlGetProp (spec, (const xmlChar *) "hugepages-dynamic");
  metadata->dynamic_hugepages = g_strcmp0 (dynamic, "yes") == 0;
  metadata->usb = vmctl_lifecycle_desk_usb_from_metadata (spec);
  metadata->isolate_cpus = vmctl_lifecycle_spec_says_yes (spec, "isolate-cpus");
  metadata->single_gpu = vmctl_lifecycle_spec_says_yes (spec, "single-gpu");
  if (!collect_addresses (spec, "gpu", name, metadata->gpus, error)
      || !collect_addresses (only_child (root, "plan"), "function", name, metadata->functions,
                             error))
    return FALSE;
  *out_metadata = g_steal_pointer (&metadata);
  return TRUE;
}

/**
 * vmctl_lifecycle_read_metadata:
 * @domain: a domain
 * @out_metadata: (out) (transfer full) (nullable): the metadata, NULL when
 *   the domain has none (it was not made by vmctl)
 * @error: VMCTL_LIFECYCLE_ERROR_METADATA when the metadata is present but
 *   unreadable, or a VMCTL_VIRT_ERROR
 */
gboolean
vmctl_lifecycle_read_metadata (virDomainPtr domain, VmctlVmMetadata **out_metadata,
                               GError **error)
{
  const gchar *name = sym_virDomainGetName (domain);
  char *text = sym_virDomainGetMetadata (domain, VIR_DOMAIN_METADATA_ELEMENT,
                                         VMCTL_METADATA_NAMESPACE, 0);
  g_autofree gchar *copy = NULL;

  if (text == NULL) {
    virErrorPtr last = sym_virGetLastError ();

    /* libvirt says "no metadata" with an error of its own: not a failure */
    if (last != NULL && last->code == VIR_ERR_NO_DOMAIN_METADATA) {
      sym_virResetLastError ();
      *out_metadata = NULL;
      return TRUE;
    }
    vmctl_lifecycle_set_virt_error (error, "cannot read the metadata of VM '%s'", name);
    return FALSE;
  }
  /* libvirt's strings are free()d, GLib's g_free()d: keep one kind */
  copy = g_strdup (text);
  free (text);
  return vmctl_lifecycle_parse_metadata (name, copy, out_metadata, error);
}

/* ---- info ---- */

/**
 * vmctl_vm_info_free:
 * @info: (nullable): what vmctl_vm_info() or vmctl_vm_list() gave
 */
void
vmctl_vm_info_free (VmctlVmInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->uuid);
  g_free (info->profile);
  g_clear_pointer (&info->gpus, g_ptr_array_unref);
  g_clear_pointer (&info->hostdevs, g_ptr_array_unref);
  g_clear_pointer (&info->media, vmctl_vm_media_free);
  g_clear_pointer (&info->usb, g_ptr_array_unref);
  g_free (info);
}

/* What one listing learns for every VM at once: two calls for all the
 * VMs instead of two per VM (list --all with 200 VMs was 2.8x virsh's time). */
typedef struct {
  GHashTable *autostart;              /* names of VMs started with the host */
  GHashTable *persistent;             /* names of defined (not transient) VMs */
} ListFacts;

static gboolean read_autostart_and_persistence (virDomainPtr domain, VmctlVmInfo *info,
                                                GError **error);
static VmctlVmInfo *finish_info (virDomainPtr domain, VmctlVmInfo *taken, GError **error);

static VmctlVmInfo *
info_from_domain (virDomainPtr domain, const ListFacts *facts, GError **error)
{
  g_autoptr(VmctlVmInfo) info = g_new0 (VmctlVmInfo, 1);
  char uuid[VIR_UUID_STRING_BUFLEN];
  virDomainInfo domain_info;

  info->name = g_strdup (sym_virDomainGetName (domain));
  info->gpus = g_ptr_array_new_with_free_func (g_free);
  info->hostdevs = g_ptr_array_new_with_free_func (g_free);
  info->usb = g_ptr_array_new_with_free_func (g_free);
  if (sym_virDomainGetUUIDString (domain, uuid) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the UUID of VM '%s'", info->name);
    return NULL;
  }
  info->uuid = g_strdup (uuid);
  /* one call for state, vCPUs and size */
  if (sym_virDomainGetInfo (domain, &domain_info) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot get information on VM '%s'", info->name);
    return NULL;
  }
  info->state = vmctl_lifecycle_state_from_virt (domain_info.state);
  /* maxMem: the configured size; memory is what the balloon left */
  info->vcpus = domain_info.nrVirtCpu;
  info->memory_kib = domain_info.maxMem;
  if (facts != NULL) {
    info->autostart = g_hash_table_contains (facts->autostart, info->name);
    info->persistent = g_hash_table_contains (facts->persistent, info->name);
  } else if (!read_autostart_and_persistence (domain, info, error)) {
    return NULL;
  }
  return finish_info (domain, g_steal_pointer (&info), error);
}

static gboolean
read_autostart_and_persistence (virDomainPtr domain, VmctlVmInfo *info, GError **error)
{
  int autostart = 0;
  int persistent;

  if (sym_virDomainGetAutostart (domain, &autostart) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the autostart of VM '%s'", info->name);
    return FALSE;
  }
  info->autostart = autostart != 0;
  persistent = sym_virDomainIsPersistent (domain);
  if (persistent < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot tell whether VM '%s' is persistent", info->name);
    return FALSE;
  }
  info->persistent = persistent != 0;
  return TRUE;
}

/* vmctl's metadata into @info (taken over) */
static VmctlVmInfo *
finish_info (virDomainPtr domain, VmctlVmInfo *taken, GError **error)
{
  g_autoptr(VmctlVmInfo) info = taken;
  g_autoptr(VmctlVmMetadata) metadata = NULL;
  g_autoptr(GError) metadata_error = NULL;

  /* Unreadable metadata must not hide the VM from list and info: it is
   * shown as vmctl's, without GPUs; start refuses it with the reason. */
  if (!vmctl_lifecycle_read_metadata (domain, &metadata, &metadata_error)) {
    if (!g_error_matches (metadata_error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA)) {
      g_propagate_error (error, g_steal_pointer (&metadata_error));
      return NULL;
    }
    info->managed_by_vmctl = TRUE;
    return g_steal_pointer (&info);
  }
  if (metadata != NULL) {
    info->managed_by_vmctl = TRUE;
    info->profile = g_steal_pointer (&metadata->profile);
    g_ptr_array_extend_and_steal (info->gpus, g_steal_pointer (&metadata->gpus));
    g_ptr_array_extend_and_steal (info->hostdevs, g_steal_pointer (&metadata->functions));
    g_ptr_array_extend_and_steal (info->usb, g_steal_pointer (&metadata->usb));
  }
  return g_steal_pointer (&info);
}

/**
 * vmctl_vm_info:
 * @connection: an open connection (read-only is enough)
 * @name: the VM
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM or a VMCTL_VIRT_ERROR
 *
 * The VM's state, size and vmctl metadata. gpus and hostdevs are never
 * NULL (empty for a VM vmctl did not make). Invalid metadata is not an
 * error here: managed_by_vmctl is TRUE and the lists are empty.
 *
 * Returns: (transfer full): free with vmctl_vm_info_free()
 */
VmctlVmInfo *
vmctl_vm_info (virConnectPtr connection, const gchar *name, GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;

  g_return_val_if_fail (connection != NULL && name != NULL, NULL);
  domain = vmctl_lifecycle_lookup (connection, name, error);
  return domain != NULL ? info_from_domain (domain, NULL, error) : NULL;
}

static gint
compare_info_names (gconstpointer a, gconstpointer b)
{
  const VmctlVmInfo *left = *(const VmctlVmInfo * const *) a;
  const VmctlVmInfo *right = *(const VmctlVmInfo * const *) b;

  return g_strcmp0 (left->name, right->name);
}

/* every domain of @connection (running ones only unless @all); the
 * caller frees each with sym_virDomainFree() and the array with free() */
static gint
list_domains (virConnectPtr connection, gboolean all, virDomainPtr **out_domains, GError **error)
{
  unsigned int flags = all ? 0 : VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  gint count = sym_virConnectListAllDomains (connection, out_domains, flags);

  if (count < 0)
    vmctl_lifecycle_set_virt_error (error, "cannot list VMs");
  return count;
}

static void
free_domains (virDomainPtr *domains, gint count)
{
  for (gint i = 0; i < count; i++)
    sym_virDomainFree (domains[i]);
  free (domains);
}

#define LIST_THREADS 5

/* The names of the VMs that @flags selects, in one call. */
static GHashTable *
names_with (virConnectPtr connection, unsigned int flags, GError **error)
{
  virDomainPtr *domains = NULL;
  gint count = sym_virConnectListAllDomains (connection, &domains, flags);
  GHashTable *names;

  if (count < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot list VMs");
    return NULL;
  }
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (gint i = 0; i < count; i++)
    g_hash_table_add (names, g_strdup (sym_virDomainGetName (domains[i])));
  free_domains (domains, count);
  return names;
}

typedef struct {
  virDomainPtr *domains;
  const ListFacts *facts;
  VmctlVmInfo **found;                /* one slot per domain, one writer each */
  GError **errors;
} ListRun;

static void
list_one (gpointer data, gpointer user_data)
{
  ListRun *run = user_data;
  /* pushed as index + 1: a thread pool refuses NULL data */
  gint index = GPOINTER_TO_INT (data) - 1;

  run->found[index] = info_from_domain (run->domains[index], run->facts, &run->errors[index]);
}

/**
 * vmctl_vm_list:
 * @connection: an open connection (read-only is enough)
 * @all: every defined VM; FALSE lists running (and paused) ones only
 * @error: a VMCTL_VIRT_ERROR
 *
 * Returns: (transfer full) (element-type VmctlVmInfo): sorted by name;
 *   free with g_ptr_array_unref(). A VM undefined while the list is made
 *   is left out.
 */
GPtrArray *
vmctl_vm_list (virConnectPtr connection, gboolean all, GError **error)
{
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GHashTable) autostart = NULL;
  g_autoptr(GHashTable) persistent = NULL;
  g_autofree VmctlVmInfo **found = NULL;
  g_autofree GError **errors = NULL;
  virDomainPtr *domains = NULL;
  ListFacts facts;
  ListRun run;
  GThreadPool *pool;
  gint count;

  g_return_val_if_fail (connection != NULL, NULL);
  autostart = names_with (connection, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, error);
  if (autostart == NULL)
    return NULL;
  persistent = names_with (connection, VIR_CONNECT_LIST_DOMAINS_PERSISTENT, error);
  if (persistent == NULL)
    return NULL;
  count = list_domains (connection, all, &domains, error);
  if (count < 0)
    return NULL;
  facts = (ListFacts) { autostart, persistent };
  found = g_new0 (VmctlVmInfo *, count + 1);
  errors = g_new0 (GError *, count + 1);
  run = (ListRun) { domains, &facts, found, errors };

  /* the two calls left per VM are round trips: overlap them, as many at a
   * time as libvirtd serves one connection (max_client_requests, 5) */
  pool = g_thread_pool_new (list_one, &run, MIN (MAX (count, 1), LIST_THREADS), FALSE, NULL);
  for (gint i = 0; i < count; i++)
    g_thread_pool_push (pool, GINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  free_domains (domains, count);

  infos = g_ptr_array_new_full (count, (GDestroyNotify) vmctl_vm_info_free);
  for (gint i = 0; i < count; i++) {
    if (found[i] != NULL)
      g_ptr_array_add (infos, found[i]);
  }
  /* a VM removed while listing is simply gone; anything else is an error */
  for (gint i = 0; i < count; i++) {
    if (errors[i] != NULL && error != NULL && *error == NULL
        && !g_error_matches (errors[i], VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM))
      g_propagate_error (error, g_steal_pointer (&errors[i]));
    g_clear_error (&errors[i]);
  }
  if (error != NULL && *error != NULL)
    return NULL;
  g_ptr_array_sort (infos, compare_info_names);
  return g_steal_pointer (&infos);
}

/**
 * vmctl_vm_xml:
 * @connection: an open connection (read-only is enough)
 * @name: the VM
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM or a VMCTL_VIRT_ERROR
 *
 * Returns: (transfer full): the live definition of a running VM (with
 *   what libvirt filled in at start), the persistent one otherwise
 */
gchar *
vmctl_vm_xml (virConnectPtr connection, const gchar *name, GError **error)
{
  g_autoptr(VmctlDomain) domain = NULL;
  char *text;
  gchar *copy;

  g_return_val_if_fail (connection != NULL && name != NULL, NULL);
  domain = vmctl_lifecycle_lookup (connection, name, error);
  if (domain == NULL)
    return NULL;
  /* flags 0: the live XML when running, the inactive one when not */
  text = sym_virDomainGetXMLDesc (domain, 0);
  if (text == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the XML of VM '%s'", name);
    return NULL;
  }
  copy = g_strdup (text);
  free (text);
  return copy;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * vmctl_vm_all_names:
 * @connection: an open connection
 * @error: a VMCTL_VIRT_ERROR
 *
 * Returns: (transfer full): every defined VM's name (running or not),
 *   sorted, NULL-terminated; free with g_strfreev()
 */
gchar **
vmctl_vm_all_names (virConnectPtr connection, GError **error)
{
  g_autoptr(GPtrArray) names = NULL;
  virDomainPtr *domains = NULL;
  gint count;

  g_return_val_if_fail (connection != NULL, NULL);
  count = list_domains (connection, TRUE, &domains, error);
  if (count < 0)
    return NULL;
  names = g_ptr_array_new_full (count + 1, g_free);
  for (gint i = 0; i < count; i++)
    g_ptr_array_add (names, g_strdup (sym_virDomainGetName (domains[i])));
  free_domains (domains, count);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
