/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-facts.c: the host facts object, its FILES source (a host
 * root's sysfs, procfs, /dev and firmware descriptors) and the rule that
 * picks the source for a command. The libvirt source is in
 * vmctl-host-facts-libvirt.c. */
#include "vmctl-host-facts-private.h"

#include <string.h>

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-firmware.h"
#include "vmctl-hugepages-private.h"

G_DEFINE_QUARK (vmctl-host-facts-error-quark, vmctl_host_facts_error)

#define NODE_DIRECTORY "/sys/devices/system/node"

static void
domain_caps_clear (VmctlDomainCaps *caps)
{
  g_clear_pointer (&caps->loader_paths, g_strfreev);
  g_clear_pointer (&caps->tpm_models, g_strfreev);
  g_clear_pointer (&caps->tpm_versions, g_strfreev);
  g_clear_pointer (&caps->hyperv_features, g_strfreev);
}

/**
 * vmctl_host_facts_new_empty: (skip)
 * @host: (nullable): the files of FILES and LOCAL facts
 * @uri: (nullable): the URI of LOCAL and REMOTE facts
 *
 * Returns: (transfer full): facts that know nothing yet, for the sources
 */
VmctlHostFacts *
vmctl_host_facts_new_empty (VmctlHostFactsSource source, VmctlHost *host, const gchar *uri)
{
  VmctlHostFacts *facts = g_new0 (VmctlHostFacts, 1);

  facts->ref_count = 1;
  facts->source = source;
  facts->host = host != NULL ? vmctl_host_ref (host) : NULL;
  facts->uri = g_strdup (uri);
  facts->hugepages = g_array_new (FALSE, TRUE, sizeof (VmctlHugepagePool));
  facts->cpu_cells = g_hash_table_new (g_direct_hash, g_direct_equal);
  if (source == VMCTL_HOST_FACTS_REMOTE)
    facts->where = g_strdup_printf ("on %s", uri);
  else if (vmctl_host_is_real (host))
    facts->where = g_strdup ("on this host");
  else
    facts->where = g_strdup_printf ("under host root %s", vmctl_host_get_root (host));
  return facts;
}

VmctlHostFacts *
vmctl_host_facts_ref (VmctlHostFacts *facts)
{
  g_return_val_if_fail (facts != NULL, NULL);
  g_atomic_int_inc (&facts->ref_count);
  return facts;
}

void
vmctl_host_facts_unref (VmctlHostFacts *facts)
{
  if (facts == NULL || !g_atomic_int_dec_and_test (&facts->ref_count))
    return;
  g_clear_pointer (&facts->host, vmctl_host_unref);
  g_free (facts->uri);
  g_free (facts->where);
  g_free (facts->libvirt_version);
  g_free (facts->hypervisor);
  g_free (facts->cpu_vendor);
  g_strfreev (facts->cpu_features);
  g_clear_pointer (&facts->topology, vmctl_cpu_topology_free);
  g_clear_pointer (&facts->cpu_cells, g_hash_table_unref);
  g_clear_pointer (&facts->hugepages, g_array_unref);
  g_clear_pointer (&facts->hugetlbfs_mounts, g_array_unref);
  g_clear_pointer (&facts->firmwares, g_ptr_array_unref);
  g_clear_pointer (&facts->firmware_warnings, g_ptr_array_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (facts->domain_caps); i++)
    domain_caps_clear (&facts->domain_caps[i]);
  g_free (facts);
}

/* ---- FILES: what a host root's files tell ---------------------------------- */

static void
read_cpu (VmctlHostFacts *facts)
{
  g_autoptr(VmctlCpuinfo) cpuinfo = vmctl_cpuinfo_read (facts->host, NULL);

  if (cpuinfo != NULL) {
    facts->cpu_vendor = g_steal_pointer (&cpuinfo->vendor);
    facts->cpu_features = g_steal_pointer (&cpuinfo->flags);
  }
  /* an unreadable topology only costs pinning, which says so itself */
  facts->topology = vmctl_cpu_topology_read (facts->host, NULL);
}

/* /sys/devices/system/node/nodeN/cpulist; without it everything is cell 0 */
static void
read_cells (VmctlHostFacts *facts)
{
  g_autofree gchar *path = vmctl_host_path (facts->host, NODE_DIRECTORY);
  g_autoptr(GDir) directory = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (directory != NULL && (name = g_dir_read_name (directory)) != NULL) {
    g_autofree gchar *list_path = NULL;
    g_autofree gchar *line = NULL;
    g_autoptr(GArray) cpus = NULL;
    guint64 cell = 0;

    if (!g_str_has_prefix (name, "node")
        || !g_ascii_string_to_unsigned (name + 4, 10, 0, G_MAXUINT - 1, &cell, NULL))
      continue;
    list_path = g_strdup_printf (NODE_DIRECTORY "/%s/cpulist", name);
    line = vmctl_host_read_line (facts->host, list_path, NULL);
    if (line == NULL || !vmctl_cpu_list_parse (line, &cpus, NULL))
      continue;
    for (guint i = 0; i < cpus->len; i++)
      g_hash_table_insert (facts->cpu_cells, GUINT_TO_POINTER (g_array_index (cpus, guint, i)),
                           GUINT_TO_POINTER ((guint) cell));
  }
}

/* The hugetlbfs mounts' page sizes (vmctl_hugepages_read_mounts()); an
 * empty list when /proc/mounts cannot be read, as on a host without any */
static void
read_mounts (VmctlHostFacts *facts)
{
  g_autoptr(GPtrArray) mounts = vmctl_hugepages_read_mounts (facts->host);

  facts->hugetlbfs_mounts = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (guint i = 0; mounts != NULL && i < mounts->len; i++) {
    const VmctlHugetlbfsMount *mount = g_ptr_array_index (mounts, i);

    if (mount->page_kib > 0)
      g_array_append_val (facts->hugetlbfs_mounts, mount->page_kib);
  }
}

/* Y (kvm_intel style) or 1 (kvm_amd) */
static VmctlFact
read_parameter (VmctlHost *host, const gchar *path)
{
  g_autofree gchar *value = vmctl_host_read_line (host, path, NULL);

  if (value == NULL)
    return VMCTL_FACT_UNKNOWN;
  return g_strcmp0 (value, "Y") == 0 || g_strcmp0 (value, "1") == 0 ? VMCTL_FACT_YES
                                                                      : VMCTL_FACT_NO;
}

/**
 * vmctl_host_facts_read_local: (skip)
 *
 * What only the host's files tell, added to LOCAL and FILES facts:
 * hugetlbfs mounts, the default hugepage size, the firmware descriptors,
 * kvm_amd's avic parameter and whether KVM is kvm_pvm.
 */
void
vmctl_host_facts_read_local (VmctlHostFacts *facts)
{
  VmctlMeminfo meminfo;

  g_return_if_fail (facts->host != NULL);
  vmctl_meminfo_read (facts->host, &meminfo);
  facts->default_hugepage_kib = meminfo.hugepage_kib;
  read_mounts (facts);
  facts->firmwares = vmctl_firmware_list (facts->host, &facts->firmware_warnings, NULL);
  facts->kvm_avic = read_parameter (facts->host, "/sys/module/kvm_amd/parameters/avic");
  facts->kvm_software = vmctl_host_kvm_is_software (facts->host) ? VMCTL_FACT_YES : VMCTL_FACT_NO;
}

/**
 * vmctl_host_facts_new_from_files:
 * @host: a host root
 *
 * The FILES source: everything from the files under @host, as vmctl read
 * them before it asked libvirt: KVM when /dev/kvm exists, an emulated TPM
 * when /usr/bin/swtpm does, the Hyper-V features KVM has (libvirt is not
 * there to list them), firmware from QEMU's descriptors, the CPU from
 * /proc/cpuinfo and sysfs, hugepage pools from /sys/kernel/mm/hugepages.
 *
 * Returns: (transfer full): the facts; never NULL (what cannot be read is
 *   unknown)
 */
VmctlHostFacts *
vmctl_host_facts_new_from_files (VmctlHost *host)
{
  g_autoptr(VmctlHostFacts) facts = NULL;
  g_autoptr(GArray) pools = NULL;
  VmctlMeminfo meminfo;
  gboolean kvm;
  gboolean swtpm;

  g_return_val_if_fail (host != NULL, NULL);
  facts = vmctl_host_facts_new_empty (VMCTL_HOST_FACTS_FILES, host, NULL);
  read_cpu (facts);
  read_cells (facts);
  vmctl_host_facts_read_local (facts);
  vmctl_meminfo_read (host, &meminfo);
  facts->memory_kib = meminfo.total_kib;
  pools = vmctl_hugepages_read_pools (host);
  g_array_append_vals (facts->hugepages, pools->data, pools->len);

  kvm = vmctl_host_exists (host, "/dev/kvm");
  swtpm = vmctl_host_has_swtpm (host);
  for (gsize i = 0; i < G_N_ELEMENTS (facts->domain_caps); i++) {
    VmctlDomainCaps *caps = &facts->domain_caps[i];
    gboolean is_kvm = i == VMCTL_VIRT_TYPE_KVM;

    caps->known = FALSE;
    caps->available = !is_kvm || kvm ? VMCTL_FACT_YES : VMCTL_FACT_NO;
    caps->tpm_emulator = swtpm ? VMCTL_FACT_YES : VMCTL_FACT_NO;
    caps->hyperv = is_kvm ? VMCTL_FACT_YES : VMCTL_FACT_NO;
    caps->host_passthrough = is_kvm ? VMCTL_FACT_YES : VMCTL_FACT_NO;
  }
  return g_steal_pointer (&facts);
}

/* ---- choosing the source ---------------------------------------------------- */

/**
 * vmctl_host_facts_gather:
 * @host: the host root of the command
 * @uri: the libvirt URI of the command
 * @notes: (nullable): gchar* lines the user should see ("vmctl: note:")
 * @error: a VMCTL_VIRT_ERROR when a remote host's libvirt cannot be asked,
 *   or VMCTL_HOST_FACTS_ERROR_LIBVIRT
 *
 * One source per command, never a mix:
 *  - a host root other than "/" (a fixture, the demo host): FILES, whatever
 *    the URI; the daemon's abilities are not that host's;
 *  - a URI that is not this machine's (qemu+ssh://, test:///) with the
 *    real root: REMOTE, libvirt only;
 *  - this machine's URI: LOCAL, or FILES of "/" with a note when its
 *    libvirt cannot be reached (create --print-xml works without it).
 *
 * Returns: (transfer full): the facts
 */
VmctlHostFacts *
vmctl_host_facts_gather (VmctlHost *host, const gchar *uri, GPtrArray *notes, GError **error)
{
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean local;
  VmctlHostFacts *facts;

  g_return_val_if_fail (host != NULL, NULL);
  if (!vmctl_host_is_real (host))
    return vmctl_host_facts_new_from_files (host);
  if (uri == NULL)
    uri = vmctl_connect_resolve_uri (NULL);
  local = vmctl_connect_uri_is_local (uri);
  /* read-write: libvirt refuses virConnectGetDomainCapabilities on a
   * read-only connection ("read only access prevents ..."); a user who
   * may only read still gets the capabilities, and unknown for the rest */
  connection = vmctl_connect_open (uri, FALSE, &local_error);
  if (connection == NULL && g_error_matches (local_error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_DENIED)) {
    g_clear_error (&local_error);
    connection = vmctl_connect_open (uri, TRUE, &local_error);
  }
  if (connection == NULL && !local) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (connection == NULL) {
    if (notes != NULL)
      g_ptr_array_add (notes, g_strdup_printf ("%s; the host's facts come from this "
                                               "machine's files", local_error->message));
    return vmctl_host_facts_new_from_files (host);
  }
  facts = vmctl_host_facts_new_from_libvirt (connection, local ? host : NULL, error);
  return facts;
}

/* ---- queries ---------------------------------------------------------------- */

/**
 * vmctl_host_facts_is_amd:
 *
 * Returns: AuthenticAMD or HygonGenuine (the same design), whose SMT
 *   topology guests see only with topoext and which have AVIC
 */
gboolean
vmctl_host_facts_is_amd (const VmctlHostFacts *facts)
{
  return vmctl_cpu_vendor_is_amd (facts->cpu_vendor);
}

gboolean
vmctl_host_facts_has_cpu_feature (const VmctlHostFacts *facts, const gchar *feature)
{
  return facts->cpu_features != NULL
         && g_strv_contains ((const gchar * const *) facts->cpu_features, feature);
}

const VmctlDomainCaps *
vmctl_host_facts_domain_caps (const VmctlHostFacts *facts, VmctlVirtType type)
{
  return &facts->domain_caps[type == VMCTL_VIRT_TYPE_QEMU ? VMCTL_VIRT_TYPE_QEMU
                                                          : VMCTL_VIRT_TYPE_KVM];
}

/**
 * vmctl_host_facts_cell_of:
 *
 * Returns: the NUMA cell of host CPU @cpu; 0 when the host does not say
 */
guint
vmctl_host_facts_cell_of (const VmctlHostFacts *facts, guint cpu)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (facts->cpu_cells, GUINT_TO_POINTER (cpu)));
}

static gboolean
cell_wanted (const GArray *cells, guint cell)
{
  if (cells == NULL || cell == VMCTL_HUGEPAGE_ALL_CELLS)
    return TRUE;
  for (guint i = 0; i < cells->len; i++)
    if (g_array_index (cells, guint, i) == cell)
      return TRUE;
  return FALSE;
}

/**
 * vmctl_host_facts_pool:
 * @page_kib: a page size
 * @cells: (nullable) (element-type guint): only these NUMA cells; NULL for
 *   all. Host-wide pools (sysfs) count for any cell.
 *
 * Returns: whether the host has pages of that size at all; the sums of
 *   reserved and free pages over the cells
 */
gboolean
vmctl_host_facts_pool (const VmctlHostFacts *facts, guint64 page_kib, const GArray *cells,
                       guint64 *out_total, guint64 *out_free)
{
  gboolean found = FALSE;
  guint64 total = 0, free = 0;

  for (guint i = 0; i < facts->hugepages->len; i++) {
    const VmctlHugepagePool *pool = &g_array_index (facts->hugepages, VmctlHugepagePool, i);

    if (pool->page_kib != page_kib)
      continue;
    found = TRUE;
    if (!cell_wanted (cells, pool->cell))
      continue;
    total += pool->total;
    free += pool->free;
  }
  if (out_total != NULL)
    *out_total = total;
  if (out_free != NULL)
    *out_free = free;
  return found;
}

static gint
compare_descending (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x > y ? -1 : x < y;
}

/**
 * vmctl_host_facts_page_sizes:
 *
 * Returns: (transfer full) (element-type guint64): the hugepage sizes the
 *   host has pools of, largest first
 */
GArray *
vmctl_host_facts_page_sizes (const VmctlHostFacts *facts)
{
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (guint i = 0; i < facts->hugepages->len; i++) {
    guint64 size = g_array_index (facts->hugepages, VmctlHugepagePool, i).page_kib;
    gboolean seen = FALSE;

    for (guint j = 0; j < sizes->len && !seen; j++)
      seen = g_array_index (sizes, guint64, j) == size;
    if (!seen)
      g_array_append_val (sizes, size);
  }
  g_array_sort (sizes, compare_descending);
  return sizes;
}

/**
 * vmctl_host_facts_has_mount:
 *
 * Returns: whether a hugetlbfs of that page size is mounted; UNKNOWN on a
 *   remote host, whose mounts libvirt does not report
 */
VmctlFact
vmctl_host_facts_has_mount (const VmctlHostFacts *facts, guint64 page_kib)
{
  if (facts->hugetlbfs_mounts == NULL)
    return VMCTL_FACT_UNKNOWN;
  for (guint i = 0; i < facts->hugetlbfs_mounts->len; i++)
    if (g_array_index (facts->hugetlbfs_mounts, guint64, i) == page_kib)
      return VMCTL_FACT_YES;
  return VMCTL_FACT_NO;
}

/**
 * vmctl_host_facts_hyperv_feature:
 * @feature: a libvirt <hyperv> child name: "relaxed", "avic", ...
 *
 * Whether a domain of @type may have the Hyper-V enlightenment @feature.
 * Never under TCG (virt type qemu): QEMU's hv-* flags need KVM. With KVM,
 * what libvirt's domcapabilities list when they list features (libvirt
 * asks QEMU and KVM which they support); when libvirt lists none (older
 * libvirt, or a FILES host), the features KVM has had since Linux 5.x,
 * and avic only where the host is AMD with kvm_amd's avic enabled.
 */
gboolean
vmctl_host_facts_hyperv_feature (const VmctlHostFacts *facts, VmctlVirtType type,
                                 const gchar *feature)
{
  const VmctlDomainCaps *caps = vmctl_host_facts_domain_caps (facts, type);
  gboolean avic = g_strcmp0 (feature, "avic") == 0;

  if (type == VMCTL_VIRT_TYPE_QEMU || caps->hyperv == VMCTL_FACT_NO)
    return FALSE;
  /* hv-avic tells Windows to leave APIC EOIs to AVIC: worth it only where
   * KVM uses AVIC, which needs an AMD CPU and kvm_amd avic=1 */
  if (avic && (!vmctl_host_facts_is_amd (facts) || facts->kvm_avic == VMCTL_FACT_NO))
    return FALSE;
  if (caps->hyperv_features != NULL)
    return g_strv_contains ((const gchar * const *) caps->hyperv_features, feature);
  return !avic || facts->kvm_avic == VMCTL_FACT_YES;
}
