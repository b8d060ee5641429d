/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-passthrough.c: the passthrough engine's place in start and
 * stop. Before a start: re-check the plan against today's topology, refuse
 * an IOMMU group another running domain uses, make sure the hugepages are
 * there, then move the planned functions to vfio-pci. After a stop (or a
 * failed start): give them back and release what was reserved.
 *
 * Where the functions live is set once per process
 * (vmctl_lifecycle_set_passthrough): a host root read through sysfs and
 * driven by the engine, or, for a remote connection, libvirt's node-device
 * API on the remote host. */
#include "vmctl-lifecycle-private.h"

#include "vmctl-connect.h"
#include "vmctl-hugepages.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-plan.h"
#include "vmctl-vfio.h"
#include "vmctl-vfio-remote.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

/* ---- where the devices live ---- */

static struct {
  GMutex lock;
  VmctlHost *host;
  gchar *state_dir;
  gboolean sysfs;
  gboolean set;
  VmctlLifecycleProgressFunc progress;
  gpointer progress_data;
} binding;

/**
 * vmctl_lifecycle_set_progress:
 * @func: (nullable): called with a VM's name and one line per step of its
 *   devices' moves ("0000:01:00.0: nvidia -> vfio-pci"), from the thread
 *   running that VM
 */
void
vmctl_lifecycle_set_progress (VmctlLifecycleProgressFunc func, gpointer user_data)
{
  g_mutex_lock (&binding.lock);
  binding.progress = func;
  binding.progress_data = user_data;
  g_mutex_unlock (&binding.lock);
}

typedef struct {
  const gchar *vm;
  VmctlLifecycleProgressFunc func;
  gpointer data;
} Progress;

static void
forward_progress (const gchar *line, gpointer user_data)
{
  const Progress *progress = user_data;

  progress->func (progress->vm, line, progress->data);
}

/* an engine for @vm's functions, reporting its steps to the progress
 * function, if any (@progress must outlive it) */
static VmctlVfio *
engine_for (const gchar *vm, VmctlHost *host, const gchar *state_dir, Progress *progress,
            GError **error)
{
  VmctlVfio *vfio = vmctl_vfio_new (host, state_dir, error);

  g_mutex_lock (&binding.lock);
  progress->vm = vm;
  progress->func = binding.progress;
  progress->data = binding.progress_data;
  g_mutex_unlock (&binding.lock);
  if (vfio != NULL && progress->func != NULL)
    vmctl_vfio_set_progress (vfio, forward_progress, progress);
  return vfio;
}

/**
 * vmctl_lifecycle_set_passthrough:
 * @host: (nullable): the host root holding the planned functions; NULL
 *   forgets the binding
 * @state_dir: vmctl's state directory (journal, locks, reservations)
 * @sysfs: TRUE when the connection's host is @host (move functions through
 *   sysfs, journaled); FALSE for a remote host (libvirt's node-device
 *   detach and reattach there)
 *
 * Until this is called, start refuses a VM whose plan names host functions:
 * it would not know whose devices they are.
 */
void
vmctl_lifecycle_set_passthrough (VmctlHost *host, const gchar *state_dir, gboolean sysfs)
{
  g_mutex_lock (&binding.lock);
  g_clear_pointer (&binding.host, vmctl_host_unref);
  g_clear_pointer (&binding.state_dir, g_free);
  binding.set = host != NULL;
  if (host != NULL) {
    binding.host = vmctl_host_ref (host);
    binding.state_dir = g_strdup (state_dir);
    binding.sysfs = sysfs;
  }
  g_mutex_unlock (&binding.lock);
}

/* the binding's host and state dir, referenced; FALSE when unset */
static gboolean
get_binding (VmctlHost **out_host, gchar **out_state_dir, gboolean *out_sysfs)
{
  gboolean set;

  g_mutex_lock (&binding.lock);
  set = binding.set;
  if (set) {
    *out_host = vmctl_host_ref (binding.host);
    *out_state_dir = g_strdup (binding.state_dir);
    *out_sysfs = binding.sysfs;
  }
  g_mutex_unlock (&binding.lock);
  return set;
}

/**
 * vmctl_lifecycle_get_passthrough: (skip)
 *
 * The binding, for the host changes of issue 13 (vmctl-lifecycle-host.c).
 */
gboolean
vmctl_lifecycle_get_passthrough (VmctlHost **out_host, gchar **out_state_dir,
                                 gboolean *out_sysfs)
{
  return get_binding (out_host, out_state_dir, out_sysfs);
}

/**
 * vmctl_lifecycle_hold_owner:
 * @out_lock: (out) (transfer full) (nullable): the VM's owner lock, NULL
 *   when the host is remote or unset (nothing of this host to protect)
 *
 * Takes the lock a start holds until the domain runs (see
 * vmctl_owner_lock_acquire()); waits as long as a device lock would.
 */
gboolean
vmctl_lifecycle_hold_owner (const gchar *name, VmctlDeviceLock **out_lock, GError **error)
{
  g_autoptr(VmctlHost) host = NULL;
  g_autofree gchar *state_dir = NULL;
  gboolean sysfs = FALSE;
  const gchar *timeout_text = g_getenv ("VMCTL_LOCK_TIMEOUT_MS");
  guint64 timeout_ms = 30000;

  *out_lock = NULL;
  if (!get_binding (&host, &state_dir, &sysfs) || !sysfs)
    return TRUE;
  if (timeout_text != NULL)
    (void) g_ascii_string_to_unsigned (timeout_text, 10, 0, G_MAXUINT, &timeout_ms, NULL);
  *out_lock = vmctl_owner_lock_acquire (state_dir, name, (guint) timeout_ms, error);
  return *out_lock != NULL;
}

/* ---- checks ---- */

static gboolean
parse_functions (GPtrArray *texts, GArray **out_addresses, GError **error)
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

static gboolean
in_list (GArray *addresses, const VmctlPciAddress *address)
{
  for (guint i = 0; i < addresses->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (addresses, VmctlPciAddress, i), address))
      return TRUE;
  return FALSE;
}

/* The kernel hands a group to QEMU only when every endpoint in it is on
 * vfio-pci or pci-stub or driverless: today's topology may differ from the
 * one the plan was made on (a new card, a BIOS update regrouping slots). */
static gboolean
check_topology (const VmctlInventory *inventory, GArray *functions, GError **error)
{
  for (guint i = 0; i < functions->len; i++) {
    const VmctlPciAddress *address = &g_array_index (functions, VmctlPciAddress, i);
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);
    g_autoptr(GPtrArray) members = NULL;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (address, name);
    if (device == NULL) {
      /* not bad input: the host changed under a VM that was fine (exit 1) */
      g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE,
                   "%s, planned for this VM, is not on the host any more", name);
      return FALSE;
    }
    if (device->iommu_group == VMCTL_PCI_NO_GROUP) {
      g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE,
                   "%s has no IOMMU group: is the IOMMU on? see 'vmctl host check'", name);
      return FALSE;
    }
    members = vmctl_inventory_group_members (inventory, device->iommu_group);
    for (guint j = 0; j < members->len; j++) {
      const VmctlPciDevice *member = g_ptr_array_index (members, j);
      gchar member_name[VMCTL_PCI_ADDRESS_STRLEN];

      if (vmctl_pci_device_is_bridge (member) || in_list (functions, &member->address)
          || member->driver == NULL || vmctl_pci_driver_is_vfio_safe (member->driver))
        continue;
      vmctl_pci_address_format (&member->address, member_name);
      g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_BLOCKED,
                   "IOMMU group %d changed since the VM was made: %s (%s) shares it with %s "
                   "and is not in the VM; recreate it with '--hostdev %s'",
                   device->iommu_group, member_name, member->driver, name, member_name);
      return FALSE;
    }
  }
  return TRUE;
}

/* a domain's XML as a tree; NULL with libvirt's error reset when it cannot
 * be had (the domain went away meanwhile) */
static xmlDocPtr
domain_document (virDomainPtr domain, unsigned int flags)
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

/* the nodes @path selects; NULL when none */
static xmlXPathObjectPtr
select_nodes (xmlDocPtr document, const gchar *path)
{
  xmlXPathContextPtr context = xmlXPathNewContext (document);
  xmlXPathObjectPtr found = NULL;

  if (context != NULL)
    found = xmlXPathEvalExpression ((const xmlChar *) path, context);
  xmlXPathFreeContext (context);
  if (found != NULL && (found->nodesetval == NULL || found->nodesetval->nodeNr == 0))
    g_clear_pointer (&found, xmlXPathFreeObject);
  return found;
}

static guint64
number_prop (xmlNodePtr node, const gchar *name)
{
  xmlChar *text = xmlGetProp (node, (const xmlChar *) name);
  guint64 value = text != NULL ? g_ascii_strtoull ((const gchar *) text, NULL, 0) : G_MAXUINT64;

  xmlFree (text);
  return value;
}

/* the PCI hostdevs of a domain's live XML */
static GArray *
domain_hostdevs (virDomainPtr domain)
{
  GArray *addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  xmlDocPtr document = domain_document (domain, 0);
  xmlXPathObjectPtr found = NULL;

  if (document != NULL)
    found = select_nodes (document, "/domain/devices/hostdev[@type='pci']/source/address");
  for (int i = 0; found != NULL && i < found->nodesetval->nodeNr; i++) {
    xmlNodePtr node = found->nodesetval->nodeTab[i];
    guint64 domain_nr = number_prop (node, "domain"), bus = number_prop (node, "bus");
    guint64 slot = number_prop (node, "slot"), function = number_prop (node, "function");
    g_autofree gchar *text = NULL;
    VmctlPciAddress address;

    if (domain_nr > 0xffff || bus > 0xff || slot > 0x1f || function > 7)
      continue;
    text = g_strdup_printf ("%04x:%02x:%02x.%x", (guint) domain_nr, (guint) bus, (guint) slot,
                            (guint) function);
    if (vmctl_pci_address_parse (text, &address, NULL))
      g_array_append_val (addresses, address);
  }
  g_clear_pointer (&found, xmlXPathFreeObject);
  g_clear_pointer (&document, xmlFreeDoc);
  return addresses;
}

static gint
group_of (const VmctlInventory *inventory, const VmctlPciAddress *address)
{
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);

  return device != NULL ? device->iommu_group : VMCTL_PCI_NO_GROUP;
}

/**
 * vmctl_vm_running_hostdevs:
 * @except: (nullable): a VM to leave out
 *
 * Returns: (transfer full): every PCI function a running domain has as a
 * hostdev, "DDDD:BB:SS.F" to that domain's name; NULL with @error when the
 * running domains cannot be listed
 */
GHashTable *
vmctl_vm_running_hostdevs (virConnectPtr connection, const gchar *except, GError **error)
{
  g_autoptr(GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  virDomainPtr *domains = NULL;
  int n = sym_virConnectListAllDomains (connection, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

  if (n < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot list the running VMs");
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    const gchar *name = sym_virDomainGetName (domains[i]);
    g_autoptr(GArray) theirs = NULL;

    if (g_strcmp0 (name, except) != 0)
      theirs = domain_hostdevs (domains[i]);
    for (guint j = 0; theirs != NULL && j < theirs->len; j++)
      g_hash_table_insert (users,
                           vmctl_pci_address_to_string (&g_array_index (theirs, VmctlPciAddress, j)),
                           g_strdup (name));
    sym_virDomainFree (domains[i]);
  }
  free (domains);
  return g_steal_pointer (&users);
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

/* ---- steps ---- */

/* @connection NULL: the libvirt hook, which must not call libvirt (libvirt
 * itself then refuses a group another domain uses) */
static gboolean
detach_sysfs (virConnectPtr connection, const gchar *name, VmctlHost *host,
              const gchar *state_dir, GArray *functions, guint timeout_ms, GError **error)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_from_sysfs (host, error);
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GError) local_error = NULL;
  Progress progress;

  if (inventory == NULL
      || !check_topology (inventory, functions, error)
      || (connection != NULL
          && !check_groups_free (connection, name, inventory, functions, error)))
    return FALSE;
  vfio = engine_for (name, host, state_dir, &progress, error);
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

/* Hugepage backing in the domain's XML (NULL: unknown): how much (KiB) and
 * which page size; FALSE when the memory is not hugepage-backed. */
static gboolean
hugepage_needs (xmlDocPtr document, VmctlHost *host, guint64 *out_memory_kib,
                guint64 *out_page_kib)
{
  xmlXPathObjectPtr backing = NULL, memory = NULL, page = NULL;
  gboolean backed = FALSE;

  if (document != NULL)
    backing = select_nodes (document, "/domain/memoryBacking/hugepages");
  if (backing != NULL)
    memory = select_nodes (document, "/domain/memory");
  if (memory != NULL) {
    xmlNodePtr node = memory->nodesetval->nodeTab[0];
    xmlChar *unit = xmlGetProp (node, (const xmlChar *) "unit");
    xmlChar *text = xmlNodeGetContent (node);

    /* libvirt writes the XML back in KiB */
    backed = (unit == NULL || g_strcmp0 ((const gchar *) unit, "KiB") == 0) && text != NULL;
    if (backed)
      *out_memory_kib = g_ascii_strtoull ((const gchar *) text, NULL, 10);
    xmlFree (unit);
    xmlFree (text);
    page = select_nodes (document, "/domain/memoryBacking/hugepages/page[@size]");
  }
  *out_page_kib = page != NULL ? number_prop (page->nodesetval->nodeTab[0], "size")
                               : vmctl_hugepages_default_page_kib (host);
  g_clear_pointer (&page, xmlXPathFreeObject);
  g_clear_pointer (&memory, xmlXPathFreeObject);
  g_clear_pointer (&backing, xmlXPathFreeObject);
  return backed;
}

/* dynamic reservations (a profile option; one per VM, kept when it exists)
 * or a plain check */
static gboolean
prepare_hugepages (xmlDocPtr document, const gchar *name, VmctlHost *host,
                   const gchar *state_dir, gboolean dynamic, GError **error)
{
  guint64 memory_kib = 0, page_kib = 0;

  if (!hugepage_needs (document, host, &memory_kib, &page_kib) || memory_kib == 0)
    return TRUE;
  if (dynamic)
    return vmctl_hugepages_reserve (host, state_dir, name, memory_kib, page_kib, error);
  return vmctl_hugepages_check (host, memory_kib, page_kib, error);
}

/**
 * vmctl_lifecycle_prepare_host:
 * @connection: (nullable): the domain's connection, to refuse IOMMU groups
 *   other running domains use; NULL for the libvirt hook, which must not
 *   call libvirt
 * @document: (nullable): the domain's XML, for its hugepage backing
 * @timeout_ms: how long to wait for a driver link or another vmctl's lock;
 *   0 for the engine's defaults
 *
 * The start's passthrough step on this host for VM @name, the same for
 * `vmctl start` and for the hook's prepare (a start by libvirt autostart,
 * virsh or virt-manager): hugepages checked or reserved, the plan
 * re-checked against today's topology, the planned functions moved to
 * vfio-pci as one transaction for @name. Functions already detached for
 * @name are used as they are, so the hook's prepare inside a `vmctl
 * start` changes nothing. On failure nothing stays moved.
 */
gboolean
vmctl_lifecycle_prepare_host (virConnectPtr connection, const gchar *name, xmlDocPtr document,
                              const VmctlVmMetadata *metadata, VmctlHost *host,
                              const gchar *state_dir, guint timeout_ms, GError **error)
{
  g_autoptr(GArray) functions = NULL;

  if (!parse_functions (metadata->functions, &functions, error)
      || !prepare_hugepages (document, name, host, state_dir, metadata->dynamic_hugepages, error))
    return FALSE;
  if (functions->len == 0
      || detach_sysfs (connection, name, host, state_dir, functions, timeout_ms, error))
    return TRUE;
  if (metadata->dynamic_hugepages)
    (void) vmctl_hugepages_release (host, state_dir, name, NULL);
  return FALSE;
}

/**
 * vmctl_lifecycle_before_start_passthrough:
 * @metadata: (nullable): the VM's vmctl metadata; NULL: not vmctl's VM
 *
 * Everything a start needs from the host, in order, each undone when a
 * later one fails: hugepages (checked, or reserved when dynamic), the plan
 * re-checked, the functions moved to vfio-pci.
 */
gboolean
vmctl_lifecycle_before_start_passthrough (virDomainPtr domain, const VmctlVmMetadata *metadata,
                                          GError **error)
{
  g_autoptr(VmctlHost) host = NULL;
  g_autofree gchar *state_dir = NULL;
  g_autoptr(GArray) functions = NULL;
  virConnectPtr connection = sym_virDomainGetConnect (domain);
  const gchar *name = sym_virDomainGetName (domain);
  gboolean sysfs = FALSE;

  if (metadata == NULL)
    return TRUE;
  if (!get_binding (&host, &state_dir, &sysfs)) {
    if (metadata->functions->len == 0)
      return TRUE;
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
                 "VM '%s' passes through host devices, but no host was set for them "
                 "(vmctl_lifecycle_set_passthrough)", name);
    return FALSE;
  }
  if (sysfs) {
    g_autoptr(xmlDoc) document = domain_document (domain, VIR_DOMAIN_XML_INACTIVE);

    return vmctl_lifecycle_prepare_host (connection, name, document, metadata, host, state_dir,
                                         0, error);
  }
  if (!parse_functions (metadata->functions, &functions, error))
    return FALSE;
  return functions->len == 0
         || vmctl_vfio_remote_detach (connection, (VmctlPciAddress *) functions->data,
                                      functions->len, NULL, FALSE, error);
}

/**
 * vmctl_lifecycle_after_stop_passthrough:
 *
 * Gives back every function vmctl holds for the VM (the journal knows
 * which, whatever the metadata says now) and releases its dynamic
 * hugepages. Runs once the domain is down.
 */
gboolean
vmctl_lifecycle_after_stop_passthrough (virDomainPtr domain, const VmctlVmMetadata *metadata,
                                        GError **error)
{
  g_autoptr(VmctlHost) host = NULL;
  g_autofree gchar *state_dir = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GError) hugepages_error = NULL;
  g_autofree gchar *journal_dir = NULL;
  Progress progress;
  const gchar *name = sym_virDomainGetName (domain);
  gboolean sysfs = FALSE;

  if (!get_binding (&host, &state_dir, &sysfs))
    return TRUE;
  if (!sysfs) {
    g_autoptr(GArray) functions = NULL;

    if (metadata == NULL || metadata->functions->len == 0)
      return TRUE;
    return parse_functions (metadata->functions, &functions, error)
           && vmctl_vfio_remote_reattach (sym_virDomainGetConnect (domain),
                                          (VmctlPciAddress *) functions->data, functions->len,
                                          NULL, FALSE, error);
  }
  /* no journal yet: vmctl never moved anything here (and a user without
   * rights to the state directory can stop a VM without devices) */
  journal_dir = g_build_filename (state_dir, "journal", NULL);
  if (g_file_test (journal_dir, G_FILE_TEST_IS_DIR)) {
    vfio = engine_for (name, host, state_dir, &progress, error);
    if (vfio == NULL || !vmctl_vfio_reattach_owner (vfio, name, NULL, error))
      return FALSE;
  }
  if (!vmctl_hugepages_release (host, state_dir, name, &hugepages_error)) {
    g_propagate_error (error, g_steal_pointer (&hugepages_error));
    return FALSE;
  }
  return TRUE;
}
