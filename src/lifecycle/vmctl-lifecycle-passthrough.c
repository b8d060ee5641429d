/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-passthrough.c: the passthrough engine's place in a
 * start. Before the domain starts: the plan re-checked against today's
 * topology, an IOMMU group another running domain uses refused, the
 * hugepages made sure of, then the planned functions moved to vfio-pci.
 * What happens after a stop (or a failed start) is
 * vmctl-lifecycle-release.c.
 *
 * Where the functions live is the session's to say: a host root read
 * through sysfs and driven by the engine, or, for a remote connection
 * (vmctl_session_uses_nodedev()), libvirt's node-device API on the remote
 * host. */
#include "vmctl-lifecycle-private.h"

#include "vmctl-hugepages.h"
#include "vmctl-plan.h"
#include "vmctl-session-private.h"
#include "vmctl-vfio.h"
#include "vmctl-vfio-remote.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

/* how long a start waits for another vmctl holding the VM, unless
 * $VMCTL_LOCK_TIMEOUT_MS says otherwise: as long as a device lock */
#define OWNER_LOCK_TIMEOUT_MS 30000

/**
 * vmctl_lifecycle_hold_owner: (skip)
 * @out_lock: (out) (transfer full) (nullable): the VM's owner lock, NULL
 *   when the session's host is remote (nothing of this host to protect)
 *
 * Takes the lock a start holds until the domain runs (see
 * vmctl_owner_lock_acquire()); waits as long as a device lock would.
 */
gboolean
vmctl_lifecycle_hold_owner (VmctlSession *session, const gchar *name, VmctlDeviceLock **out_lock,
                            GError **error)
{
  const gchar *timeout_text = g_getenv ("VMCTL_LOCK_TIMEOUT_MS");
  guint64 timeout_ms = OWNER_LOCK_TIMEOUT_MS;

  *out_lock = NULL;
  if (vmctl_session_uses_nodedev (session))
    return TRUE;
  if (timeout_text != NULL)
    (void) g_ascii_string_to_unsigned (timeout_text, 10, 0, G_MAXUINT, &timeout_ms, NULL);
  *out_lock = vmctl_owner_lock_acquire (vmctl_session_get_state_dir (session), name,
                                        (guint) timeout_ms, error);
  return *out_lock != NULL;
}

/**
 * vmctl_lifecycle_parse_functions: (skip)
 * @texts: (element-type utf8): "DDDD:BB:SS.F" from vmctl's metadata
 * @out_addresses: (out) (transfer full): the parsed addresses
 */
gboolean
vmctl_lifecycle_parse_functions (GPtrArray *texts, GArray **out_addresses, GError **error)
{
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));

  for (guint i = 0; i < texts->len; i++) {
    VmctlPciAddress address;

    if (!vmctl_pci_address_parse (g_ptr_array_index (texts, i), &address, error))
      return FALSE;
    g_array_append_val (addresses, address);
  }
  *out_addresses = g_steal_pointer (&addresses);
  return TRUE;
}

/**
 * vmctl_lifecycle_domain_document: (skip)
 * @flags: virDomainGetXMLDesc's flags
 *
 * Returns: (transfer full) (nullable): the domain's XML as a tree; NULL,
 *   libvirt's error reset, when it cannot be had (the domain went away
 *   meanwhile)
 */
xmlDocPtr
vmctl_lifecycle_domain_document (virDomainPtr domain, unsigned int flags)
{
  char *xml = sym_virDomainGetXMLDesc (domain, flags);
  xmlDocPtr document;

  if (xml == NULL) {
    sym_virResetLastError ();
    return NULL;
  }
  document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  free (xml);
  return document;
}

static gint
group_of (const VmctlInventory *inventory, const VmctlPciAddress *address)
{
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);

  return device != NULL ? device->iommu_group : VMCTL_PCI_NO_GROUP;
}

/* libvirt refuses a group another domain uses, but only after vmctl moved
 * the functions; say it first, naming the domain */
static gboolean
check_groups_free (virConnectPtr connection, const gchar *self, const VmctlInventory *inventory,
                   GArray *functions, GError **error)
{
  g_autoptr(GHashTable) users = vmctl_vm_running_hostdevs (connection, self, error);
  GHashTableIter iter;
  gpointer key, value;

  if (users == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, users);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    VmctlPciAddress used;
    gint group;

    if (!vmctl_pci_address_parse (key, &used, NULL))
      continue;
    group = group_of (inventory, &used);
    for (guint k = 0; k < functions->len && group != VMCTL_PCI_NO_GROUP; k++) {
      if (group_of (inventory, &g_array_index (functions, VmctlPciAddress, k)) != group)
        continue;
      g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_RUNNING,
                   "IOMMU group %d is in use by running VM '%s' (%s): stop it first",
                   group, (const gchar *) value, (const gchar *) key);
      return FALSE;
    }
  }
  return TRUE;
}

/* @connection NULL: the libvirt hook, which must not call libvirt (libvirt
 * itself then refuses a group another domain uses) */
static gboolean
detach_sysfs (VmctlSession *session, virConnectPtr connection, const gchar *name,
              GArray *functions, guint timeout_ms, GError **error)
{
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GError) local_error = NULL;

  inventory = vmctl_session_load_sysfs_inventory (session, VMCTL_INVENTORY_FLAGS_NONE, error);
  /* the kernel hands a group over only when every endpoint in it is on
   * vfio-pci or pci-stub or driverless: the plan's rule, asked again */
  if (inventory == NULL
      || !vmctl_plan_recheck (inventory, (const VmctlPciAddress *) functions->data,
                              functions->len, error)
      || (connection != NULL
          && !check_groups_free (connection, name, inventory, functions, error)))
    return FALSE;
  vfio = vmctl_session_new_engine (session, name, error);
  if (vfio == NULL)
    return FALSE;
  if (timeout_ms > 0) {
    vmctl_vfio_set_bind_timeout (vfio, timeout_ms);
    vmctl_vfio_set_lock_timeout (vfio, timeout_ms);
  }
  if (!vmctl_vfio_detach (vfio, (VmctlPciAddress *) functions->data, functions->len, name,
                          &local_error)) {
    /* start has no --force: the way to hand over the host's console card
     * (single-GPU passthrough) is a deliberate detach, which start uses */
    if (g_error_matches (local_error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_IN_USE))
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_IN_USE,
                   "%s; to give it to the VM anyway, detach it first with "
                   "'vmctl gpu detach ADDR --force', then start again", local_error->message);
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  return TRUE;
}

static guint64
number_prop (xmlNodePtr node, const gchar *name)
{
  g_autofree gchar *text = (gchar *) xmlGetProp (node, (const xmlChar *) name);

  return text != NULL ? g_ascii_strtoull (text, NULL, 0) : G_MAXUINT64;
}

/* Hugepage backing in the domain's XML (NULL: unknown): how much (KiB) and
 * which page size; FALSE when the memory is not hugepage-backed. */
static gboolean
hugepage_needs (xmlDocPtr document, VmctlHost *host, guint64 *out_memory_kib,
                guint64 *out_page_kib)
{
  g_autoptr(xmlXPathObject) backing = NULL, memory = NULL, page = NULL;
  gboolean backed = FALSE;

  if (document != NULL)
    backing = vmctl_lifecycle_select_nodes (document, "/domain/memoryBacking/hugepages");
  if (vmctl_lifecycle_node_count (backing) > 0)
    memory = vmctl_lifecycle_select_nodes (document, "/domain/memory");
  if (memory != NULL && vmctl_lifecycle_node_count (memory) > 0) {
    xmlNodePtr node = memory->nodesetval->nodeTab[0];
    g_autofree gchar *unit = (gchar *) xmlGetProp (node, (const xmlChar *) "unit");
    g_autofree gchar *text = (gchar *) xmlNodeGetContent (node);

    /* libvirt writes the XML back in KiB */
    backed = (unit == NULL || g_strcmp0 (unit, "KiB") == 0) && text != NULL;
    if (backed)
      *out_memory_kib = g_ascii_strtoull (text, NULL, 10);
    page = vmctl_lifecycle_select_nodes (document, "/domain/memoryBacking/hugepages/page[@size]");
  }
  if (page != NULL && vmctl_lifecycle_node_count (page) > 0)
    *out_page_kib = number_prop (page->nodesetval->nodeTab[0], "size");
  else
    *out_page_kib = vmctl_hugepages_default_page_kib (host);
  return backed;
}

/* dynamic reservations (a profile option; one per VM, kept when it exists)
 * or a plain check */
static gboolean
prepare_hugepages (VmctlSession *session, xmlDocPtr document, const gchar *name,
                   gboolean dynamic, GError **error)
{
  VmctlHost *host = vmctl_session_get_host (session);
  guint64 memory_kib = 0, page_kib = 0;

  if (!hugepage_needs (document, host, &memory_kib, &page_kib) || memory_kib == 0)
    return TRUE;
  if (dynamic)
    return vmctl_hugepages_reserve (host, vmctl_session_get_state_dir (session), name,
                                    memory_kib, page_kib, error);
  return vmctl_hugepages_check (host, memory_kib, page_kib, error);
}

/**
 * vmctl_lifecycle_prepare_host: (skip)
 * @session: says where the functions live: its host root (sysfs) and
 *   state directory; its progress function gets the moves, @name the
 *   subject
 * @connection: (nullable): the domain's connection, to refuse IOMMU groups
 *   other running domains use; NULL for the libvirt hook, which must not
 *   call libvirt
 * @document: (nullable): the domain's XML, for its hugepage backing
 * @timeout_ms: how long to wait for a driver link or another vmctl's lock;
 *   0 for the engine's defaults
 *
 * The start's passthrough step on the session's host for VM @name, the
 * same for `vmctl start` and for the hook's prepare (a start by libvirt
 * autostart, virsh or virt-manager): hugepages checked or reserved, the
 * plan re-checked against today's topology, the planned functions moved
 * to vfio-pci as one transaction for @name. Functions already detached for
 * @name are used as they are, so the hook's prepare inside a `vmctl
 * start` changes nothing. On failure nothing stays moved.
 */
gboolean
vmctl_lifecycle_prepare_host (VmctlSession *session, virConnectPtr connection, const gchar *name,
                              xmlDocPtr document, const VmctlVmMetadata *metadata,
                              guint timeout_ms, GError **error)
{
  g_autoptr(GArray) functions = NULL;

  if (!vmctl_lifecycle_parse_functions (metadata->functions, &functions, error)
      || !prepare_hugepages (session, document, name, metadata->dynamic_hugepages, error))
    return FALSE;
  if (functions->len == 0
      || detach_sysfs (session, connection, name, functions, timeout_ms, error))
    return TRUE;
  if (metadata->dynamic_hugepages)
    (void) vmctl_hugepages_release (vmctl_session_get_host (session),
                                    vmctl_session_get_state_dir (session), name, NULL);
  return FALSE;
}

/**
 * vmctl_lifecycle_before_start_passthrough: (skip)
 * @metadata: (nullable): the VM's vmctl metadata; NULL: not vmctl's VM
 *
 * Everything a start needs from the session's host, in order, each undone
 * when a later one fails: hugepages (checked, or reserved when dynamic),
 * the plan re-checked, the functions moved to vfio-pci; on a remote host,
 * the functions detached through its libvirt.
 */
gboolean
vmctl_lifecycle_before_start_passthrough (VmctlSession *session, virDomainPtr domain,
                                          const VmctlVmMetadata *metadata, GError **error)
{
  g_autoptr(GArray) functions = NULL;
  virConnectPtr connection = sym_virDomainGetConnect (domain);
  const gchar *name = sym_virDomainGetName (domain);

  if (metadata == NULL)
    return TRUE;
  if (!vmctl_session_uses_nodedev (session)) {
    g_autoptr(xmlDoc) document = NULL;

    /* issue 12: USB ports renewed, reset-bug cards reported */
    if (!vmctl_lifecycle_desk_before_start (session, domain, metadata->functions, error))
      return FALSE;
    document = vmctl_lifecycle_domain_document (domain, VIR_DOMAIN_XML_INACTIVE);
    return vmctl_lifecycle_prepare_host (session, connection, name, document, metadata, 0,
                                         error);
  }
  if (!vmctl_lifecycle_parse_functions (metadata->functions, &functions, error))
    return FALSE;
  return functions->len == 0
         || vmctl_vfio_remote_detach (connection, (VmctlPciAddress *) functions->data,
                                      functions->len, NULL, FALSE, error);
}
