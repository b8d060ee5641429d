/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-facts-libvirt.c: the LOCAL and REMOTE sources of the host
 * facts: what the libvirt that will run the VM says of its host, from
 * virConnectGetCapabilities (CPU, topology, NUMA cells and their pages,
 * IOMMU), virConnectGetDomainCapabilities for kvm and qemu on q35
 * (firmware, TPM, hostdevs, Hyper-V), virNodeGetFreePages and
 * virNodeGetMemoryStats. All of these work over remote URIs. */
#include "vmctl-host-facts-private.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-libvirt.h"

/* what vmctl builds: x86_64 guests on q35, whose loader list is the one
 * with the Secure Boot builds (libvirt lists per machine type) */
#define GUEST_ARCH "x86_64"
#define GUEST_MACHINE "q35"

static xmlDocPtr
parse (const gchar *xml, const gchar *what, GError **error)
{
  xmlDocPtr document = xml != NULL
    ? xmlReadMemory (xml, (int) strlen (xml), what, NULL,
                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
    : NULL;

  if (document == NULL)
    g_set_error (error, VMCTL_HOST_FACTS_ERROR, VMCTL_HOST_FACTS_ERROR_LIBVIRT,
                 "libvirt's %s is not XML", what);
  return document;
}

/* the string values of @path (attributes or element text), NULL when none */
static GStrv
strings_at (xmlXPathContextPtr context, xmlNodePtr node, const gchar *path)
{
  g_autoptr(xmlXPathObject) found = xmlXPathNodeEval (node, (const xmlChar *) path, context);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  if (found == NULL || found->nodesetval == NULL || found->nodesetval->nodeNr == 0)
    return NULL;
  for (int i = 0; i < found->nodesetval->nodeNr; i++) {
    xmlChar *text = xmlNodeGetContent (found->nodesetval->nodeTab[i]);

    g_ptr_array_add (values, g_strstrip (g_strdup ((const gchar *) text)));
    xmlFree (text);
  }
  g_ptr_array_add (values, NULL);
  return (GStrv) g_ptr_array_steal (values, NULL);
}

static gchar *
string_at (xmlXPathContextPtr context, xmlNodePtr node, const gchar *path)
{
  g_auto(GStrv) values = strings_at (context, node, path);

  return values != NULL ? g_strdup (values[0]) : NULL;
}

static guint64
number_at (xmlXPathContextPtr context, xmlNodePtr node, const gchar *path, guint64 fallback)
{
  g_autofree gchar *text = string_at (context, node, path);
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &value, NULL))
    return fallback;
  return value;
}

/* yes/no from supported='...' and the like; UNKNOWN when absent */
static VmctlFact
fact_at (xmlXPathContextPtr context, xmlNodePtr node, const gchar *path)
{
  g_autofree gchar *text = string_at (context, node, path);

  if (text == NULL)
    return VMCTL_FACT_UNKNOWN;
  return g_strcmp0 (text, "yes") == 0 ? VMCTL_FACT_YES : VMCTL_FACT_NO;
}

static VmctlFact
listed (GStrv values, const gchar *value)
{
  return values != NULL && g_strv_contains ((const gchar * const *) values, value)
         ? VMCTL_FACT_YES : VMCTL_FACT_NO;
}

static GPtrArray *
nodes_at (xmlXPathContextPtr context, xmlNodePtr node, const gchar *path)
{
  g_autoptr(xmlXPathObject) found = xmlXPathNodeEval (node, (const xmlChar *) path, context);
  GPtrArray *nodes = g_ptr_array_new ();

  for (int i = 0; found != NULL && found->nodesetval != NULL && i < found->nodesetval->nodeNr; i++)
    g_ptr_array_add (nodes, found->nodesetval->nodeTab[i]);
  return nodes;
}

/* libvirt's <vendor> names the vendor, cpuinfo's vendor_id the way the
 * rest of vmctl (and the kernel) spell it */
static gchar *
cpuinfo_vendor (const gchar *libvirt_vendor)
{
  if (g_strcmp0 (libvirt_vendor, "Intel") == 0)
    return g_strdup ("GenuineIntel");
  if (g_strcmp0 (libvirt_vendor, "AMD") == 0)
    return g_strdup ("AuthenticAMD");
  if (g_strcmp0 (libvirt_vendor, "Hygon") == 0)
    return g_strdup ("HygonGenuine");
  return g_strdup (libvirt_vendor);
}

static void
entry_clear (VmctlCpuEntry *entry)
{
  g_clear_pointer (&entry->siblings, g_array_unref);
}

/* <topology><cells><cell id><memory/><pages size>N</pages><cpus><cpu id
 * socket_id core_id siblings/>: the CPU topology, the cell of each CPU
 * and the pages reserved per cell */
static void
parse_cells (VmctlHostFacts *facts, xmlXPathContextPtr context, xmlNodePtr host)
{
  g_autoptr(GPtrArray) cells = nodes_at (context, host, "topology/cells/cell");
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (VmctlCpuEntry));
  guint64 cell_memory = 0;

  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  for (guint i = 0; i < cells->len; i++) {
    xmlNodePtr cell = g_ptr_array_index (cells, i);
    guint id = (guint) number_at (context, cell, "@id", i);
    g_autoptr(GPtrArray) pages = nodes_at (context, cell, "pages");
    g_autoptr(GPtrArray) cpus = nodes_at (context, cell, "cpus/cpu");

    cell_memory += number_at (context, cell, "memory", 0);
    for (guint j = 0; j < pages->len; j++) {
      xmlNodePtr node = g_ptr_array_index (pages, j);
      VmctlHugepagePool pool = { id, number_at (context, node, "@size", 0),
                                 number_at (context, node, ".", 0), 0 };

      /* the base page is no hugepage */
      if (pool.page_kib > 4)
        g_array_append_val (facts->hugepages, pool);
    }
    for (guint j = 0; j < cpus->len; j++) {
      xmlNodePtr node = g_ptr_array_index (cpus, j);
      g_autofree gchar *siblings = string_at (context, node, "@siblings");
      VmctlCpuEntry entry = { (guint) number_at (context, node, "@id", G_MAXUINT),
                              (guint) number_at (context, node, "@socket_id", 0),
                              (guint) number_at (context, node, "@core_id", 0), NULL };

      if (entry.cpu == G_MAXUINT)
        continue;
      /* without siblings= (old libvirt) each CPU is its own core */
      if (siblings == NULL || !vmctl_cpu_list_parse (siblings, &entry.siblings, NULL)) {
        entry.siblings = g_array_new (FALSE, FALSE, sizeof (guint));
        g_array_append_val (entry.siblings, entry.cpu);
      }
      g_array_append_val (entries, entry);
      g_hash_table_insert (facts->cpu_cells, GUINT_TO_POINTER (entry.cpu), GUINT_TO_POINTER (id));
    }
  }
  if (facts->memory_kib == 0)
    facts->memory_kib = cell_memory;
  if (entries->len > 0)
    facts->topology = vmctl_cpu_topology_new_from_entries ((const VmctlCpuEntry *) entries->data,
                                                           entries->len, facts->cpu_vendor, NULL);
}

/**
 * vmctl_host_facts_parse_capabilities: (skip)
 * @xml: virConnectGetCapabilities()'s document
 */
gboolean
vmctl_host_facts_parse_capabilities (VmctlHostFacts *facts, const gchar *xml, GError **error)
{
  g_autoptr(xmlDoc) document = parse (xml, "capabilities", error);
  g_autoptr(xmlXPathContext) context = NULL;
  g_autofree gchar *vendor = NULL;
  g_auto(GStrv) kvm = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  xmlNodePtr root;

  if (document == NULL)
    return FALSE;
  context = xmlXPathNewContext (document);
  root = xmlDocGetRootElement (document);
  vendor = string_at (context, root, "/capabilities/host/cpu/vendor");
  g_free (facts->cpu_vendor);
  facts->cpu_vendor = cpuinfo_vendor (vendor);
  g_strfreev (facts->cpu_features);
  facts->cpu_features = strings_at (context, root, "/capabilities/host/cpu/feature/@name");
  facts->iommu = fact_at (context, root, "/capabilities/host/iommu/@support");
  hosts = nodes_at (context, root, "/capabilities/host");
  if (hosts->len > 0)
    parse_cells (facts, context, g_ptr_array_index (hosts, 0));
  /* libvirt lists <domain type='kvm'> for a guest arch only where
   * /dev/kvm works for it */
  kvm = strings_at (context, root,
                    "/capabilities/guest[os_type='hvm']/arch[@name='" GUEST_ARCH "']/domain/@type");
  facts->domain_caps[VMCTL_VIRT_TYPE_KVM].available = listed (kvm, "kvm");
  facts->domain_caps[VMCTL_VIRT_TYPE_QEMU].available = listed (kvm, "qemu");
  return TRUE;
}

/**
 * vmctl_host_facts_parse_domcaps: (skip)
 * @type: which virt type @xml is for
 * @xml: virConnectGetDomainCapabilities()'s document
 */
gboolean
vmctl_host_facts_parse_domcaps (VmctlHostFacts *facts, VmctlVirtType type, const gchar *xml,
                                GError **error)
{
  VmctlDomainCaps *caps = &facts->domain_caps[type];
  g_autoptr(xmlDoc) document = parse (xml, "domain capabilities", error);
  g_autoptr(xmlXPathContext) context = NULL;
  g_auto(GStrv) firmware = NULL;
  g_auto(GStrv) secure = NULL;
  g_auto(GStrv) backends = NULL;
  g_auto(GStrv) subsystems = NULL;
  g_auto(GStrv) pci_backends = NULL;
  xmlNodePtr root;

  if (document == NULL)
    return FALSE;
  context = xmlXPathNewContext (document);
  root = xmlDocGetRootElement (document);
  caps->known = TRUE;
  caps->available = VMCTL_FACT_YES;
  firmware = strings_at (context, root, "/domainCapabilities/os/enum[@name='firmware']/value");
  caps->efi_autoselect = listed (firmware, "efi");
  g_strfreev (caps->loader_paths);
  caps->loader_paths = strings_at (context, root, "/domainCapabilities/os/loader/value");
  if (caps->loader_paths == NULL)
    caps->loader_paths = g_new0 (gchar *, 1);
  secure = strings_at (context, root, "/domainCapabilities/os/loader/enum[@name='secure']/value");
  caps->secure_boot = listed (secure, "yes");

  /* backendModel emulator appears only where swtpm is installed; without
   * it libvirt refuses TPM 2.0 ("TPM version '2.0' is not supported") */
  backends = strings_at (context, root,
                         "/domainCapabilities/devices/tpm[@supported='yes']/enum[@name='backendModel']/value");
  caps->tpm_emulator = listed (backends, "emulator");
  caps->tpm_models = strings_at (context, root,
                                 "/domainCapabilities/devices/tpm/enum[@name='model']/value");
  caps->tpm_versions = strings_at (context, root,
                                   "/domainCapabilities/devices/tpm/enum[@name='backendVersion']/value");
  /* libvirt lists the vfio backend only where the host can assign
   * devices: an IOMMU and /dev/vfio/vfio */
  subsystems = strings_at (context, root,
                           "/domainCapabilities/devices/hostdev[@supported='yes']/enum[@name='subsysType']/value");
  caps->hostdev_pci = listed (subsystems, "pci");
  pci_backends = strings_at (context, root,
                             "/domainCapabilities/devices/hostdev/enum[@name='pciBackend']/value");
  caps->vfio = listed (pci_backends, "vfio");
  caps->hyperv = fact_at (context, root, "/domainCapabilities/features/hyperv/@supported");
  caps->hyperv_features = strings_at (context, root,
                                      "/domainCapabilities/features/hyperv/enum[@name='features']/value");
  caps->host_passthrough = fact_at (context, root,
                                    "/domainCapabilities/cpu/mode[@name='host-passthrough']/@supported");
  return TRUE;
}

static VmctlHostFacts *
facts_from_xml (VmctlHostFactsSource source, const gchar *uri, const gchar *capabilities,
                const gchar *domcaps_kvm, const gchar *domcaps_qemu, VmctlHost *host,
                GError **error)
{
  g_autoptr(VmctlHostFacts) facts = vmctl_host_facts_new_empty (source, host, uri);

  if (!vmctl_host_facts_parse_capabilities (facts, capabilities, error))
    return NULL;
  if (domcaps_kvm != NULL
      && !vmctl_host_facts_parse_domcaps (facts, VMCTL_VIRT_TYPE_KVM, domcaps_kvm, error))
    return NULL;
  if (domcaps_qemu != NULL
      && !vmctl_host_facts_parse_domcaps (facts, VMCTL_VIRT_TYPE_QEMU, domcaps_qemu, error))
    return NULL;
  if (host != NULL)
    vmctl_host_facts_read_local (facts);
  return g_steal_pointer (&facts);
}

/**
 * vmctl_host_facts_new_from_xml:
 * @uri: the URI the documents came from
 * @capabilities: virConnectGetCapabilities()'s document
 * @domcaps_kvm: (nullable): domain capabilities for kvm on q35, NULL when
 *   the host has no KVM
 * @domcaps_qemu: (nullable): the same for qemu (TCG)
 * @host: (nullable): this machine's root when @uri is this machine's
 *   (LOCAL: its files add what libvirt cannot tell); NULL for REMOTE
 * @error: VMCTL_HOST_FACTS_ERROR_LIBVIRT when a document is not XML
 *
 * Facts from libvirt's documents without a connection: what
 * vmctl_host_facts_new_from_libvirt() does after its calls, and how tests
 * give vmctl a host captured from a real one. Free pages are not in these
 * documents: every reserved page counts as free.
 *
 * Returns: (transfer full): the facts, or NULL with @error set
 */
VmctlHostFacts *
vmctl_host_facts_new_from_xml (const gchar *uri, const gchar *capabilities,
                               const gchar *domcaps_kvm, const gchar *domcaps_qemu,
                               VmctlHost *host, GError **error)
{
  VmctlHostFacts *facts = facts_from_xml (host != NULL ? VMCTL_HOST_FACTS_LOCAL
                                                       : VMCTL_HOST_FACTS_REMOTE,
                                          uri, capabilities, domcaps_kvm, domcaps_qemu, host,
                                          error);

  for (guint i = 0; facts != NULL && i < facts->hugepages->len; i++) {
    VmctlHugepagePool *pool = &g_array_index (facts->hugepages, VmctlHugepagePool, i);

    pool->free = pool->total;
  }
  return facts;
}

/**
 * vmctl_host_facts_format_version:
 * @version: a version as virConnectGetLibVersion() and
 *   virConnectGetVersion() give it: major * 1000000 + minor * 1000 + release
 *
 * Returns: (transfer full): "9.0.0"
 */
gchar *
vmctl_host_facts_format_version (unsigned long version)
{
  return g_strdup_printf ("%lu.%lu.%lu", version / 1000000, (version / 1000) % 1000,
                          version % 1000);
}

/* domcapabilities for @type, NULL (error reset) where the driver cannot
 * say: the test driver implements no such call, and a host without KVM
 * refuses type kvm */
static gchar *
get_domcaps (virConnectPtr connection, const gchar *type)
{
  gchar *xml = sym_virConnectGetDomainCapabilities (connection, NULL, GUEST_ARCH, GUEST_MACHINE,
                                                    type, 0);

  if (xml == NULL)
    sym_virResetLastError ();
  return xml;
}

/* free pages per cell and size, replacing the capabilities' reserved
 * counts' copy; a driver without the call keeps free = unknown (0) */
static void
read_free_pages (VmctlHostFacts *facts, virConnectPtr connection)
{
  g_autoptr(GArray) sizes = vmctl_host_facts_page_sizes (facts);
  g_autofree unsigned int *pages = NULL;
  g_autofree unsigned long long *counts = NULL;
  guint cells = 0;
  int filled;

  for (guint i = 0; i < facts->hugepages->len; i++)
    cells = MAX (cells, g_array_index (facts->hugepages, VmctlHugepagePool, i).cell + 1);
  if (sizes->len == 0 || cells == 0)
    return;
  pages = g_new0 (unsigned int, sizes->len);
  for (guint i = 0; i < sizes->len; i++)
    pages[i] = (unsigned int) g_array_index (sizes, guint64, i);
  counts = g_new0 (unsigned long long, (gsize) sizes->len * cells);
  filled = sym_virNodeGetFreePages (connection, sizes->len, pages, 0, cells, counts, 0);
  if (filled < 0) {
    sym_virResetLastError ();
    return;
  }
  /* counts[cell * npages + page], as virsh freepages reads them */
  for (guint i = 0; i < facts->hugepages->len; i++) {
    VmctlHugepagePool *pool = &g_array_index (facts->hugepages, VmctlHugepagePool, i);

    for (guint j = 0; j < sizes->len; j++)
      if (pages[j] == pool->page_kib && (gint64) pool->cell * sizes->len + j < filled)
        pool->free = counts[pool->cell * sizes->len + j];
  }
}

/* MemTotal of the whole host: a cell's <memory> can be less than the
 * host has (seen on this project's CI machine: 4.6 of 24 GiB) */
static guint64
read_memory_total (virConnectPtr connection)
{
  g_autofree virNodeMemoryStatsPtr stats = NULL;
  int count = 0;

  if (sym_virNodeGetMemoryStats (connection, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &count, 0) < 0
      || count <= 0) {
    sym_virResetLastError ();
    return 0;
  }
  stats = g_new0 (virNodeMemoryStats, count);
  if (sym_virNodeGetMemoryStats (connection, VIR_NODE_MEMORY_STATS_ALL_CELLS, stats, &count, 0) < 0) {
    sym_virResetLastError ();
    return 0;
  }
  for (int i = 0; i < count; i++)
    if (g_strcmp0 (stats[i].field, VIR_NODE_MEMORY_STATS_TOTAL) == 0)
      return stats[i].value;
  return 0;
}

/**
 * vmctl_host_facts_new_from_libvirt:
 * @connection: an open connection to the host that will run the VM
 * @host: (nullable): this machine's root when @connection is this
 *   machine's libvirt (LOCAL), NULL for another host (REMOTE)
 * @error: a VMCTL_VIRT_ERROR when the capabilities cannot be had, or
 *   VMCTL_HOST_FACTS_ERROR_LIBVIRT
 *
 * Asks libvirt once: capabilities, domain capabilities for kvm (only
 * where the capabilities offer it) and for qemu, free pages, memory
 * total and versions. A driver that lacks a call (the test driver has no
 * domain capabilities) leaves those facts unknown.
 *
 * Returns: (transfer full): the facts, or NULL with @error set
 */
VmctlHostFacts *
vmctl_host_facts_new_from_libvirt (virConnectPtr connection, VmctlHost *host, GError **error)
{
  g_autoptr(VmctlHostFacts) facts = NULL;
  g_autofree gchar *uri = sym_virConnectGetURI (connection);
  g_autofree gchar *capabilities = NULL;
  g_autofree gchar *kvm = NULL;
  g_autofree gchar *qemu = NULL;
  unsigned long library_version = 0;
  unsigned long hypervisor_version = 0;
  const gchar *type;
  guint64 memory;

  sym_virResetLastError ();
  capabilities = sym_virConnectGetCapabilities (connection);
  if (capabilities == NULL) {
    g_autofree gchar *what = g_strdup_printf ("cannot read the capabilities of %s",
                                              uri != NULL ? uri : "the host");

    vmctl_virt_set_error (error, what);
    return NULL;
  }
  facts = facts_from_xml (host != NULL ? VMCTL_HOST_FACTS_LOCAL : VMCTL_HOST_FACTS_REMOTE,
                          uri, capabilities, NULL, NULL, host, error);
  if (facts == NULL)
    return NULL;
  if (facts->domain_caps[VMCTL_VIRT_TYPE_KVM].available == VMCTL_FACT_YES)
    kvm = get_domcaps (connection, "kvm");
  qemu = get_domcaps (connection, "qemu");
  if ((kvm != NULL && !vmctl_host_facts_parse_domcaps (facts, VMCTL_VIRT_TYPE_KVM, kvm, error))
      || (qemu != NULL && !vmctl_host_facts_parse_domcaps (facts, VMCTL_VIRT_TYPE_QEMU, qemu, error)))
    return NULL;
  read_free_pages (facts, connection);
  memory = read_memory_total (connection);
  if (memory > 0)
    facts->memory_kib = memory;

  /* drivers without a version still work; report what is known */
  if (sym_virConnectGetLibVersion (connection, &library_version) == 0 && library_version > 0)
    facts->libvirt_version = vmctl_host_facts_format_version (library_version);
  type = sym_virConnectGetType (connection);
  if (sym_virConnectGetVersion (connection, &hypervisor_version) == 0 && hypervisor_version > 0) {
    g_autofree gchar *version = vmctl_host_facts_format_version (hypervisor_version);

    facts->hypervisor = g_strdup_printf ("%s %s", type != NULL ? type : "unknown", version);
  }
  sym_virResetLastError ();
  return g_steal_pointer (&facts);
}
