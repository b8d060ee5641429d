/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-cpu-topology.c: the kernel's CPU lists, and host CPU cores from
 * sysfs (the kernel's Documentation/ABI/stable/sysfs-devices-system-cpu)
 * or from libvirt's capabilities, grouped by SMT siblings. The vCPU
 * pinning derived from them is in vmctl-cpu-topology-pin.c. */
#include "vmctl-cpu-topology-private.h"
#include "vmctl-host-facts-private.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-cpu-topology-error-quark, vmctl_cpu_topology_error)

/* No x86 host has more; a bound keeps a garbled "0-4294967295" from
 * allocating the world. The kernel's own NR_CPUS maximum is 8192. */
#define MAX_CPU_NUMBER 8191

#define CPU_DIRECTORY "/sys/devices/system/cpu"

/**
 * vmctl_cpu_compare: (skip)
 *
 * Orders guint CPU numbers ascending, for g_array_sort().
 */
gint
vmctl_cpu_compare (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static gboolean
parse_cpu_number (const gchar *text, guint *out_number)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 0, MAX_CPU_NUMBER, &value, NULL))
    return FALSE;
  *out_number = (guint) value;
  return TRUE;
}

/**
 * vmctl_cpu_list_parse:
 * @text: a kernel CPU list ("0-3,8,10-11"), as sysfs and --cpu-pin use it;
 *   surrounding whitespace and a trailing newline are ignored
 * @out_cpus: (out) (transfer full): guint CPU numbers in the order written,
 *   ranges expanded ascending; repeats are kept, callers decide about them
 * @error: VMCTL_CPU_TOPOLOGY_ERROR_READ when @text is not such a list
 */
gboolean
vmctl_cpu_list_parse (const gchar *text, GArray **out_cpus, GError **error)
{
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gchar *copy = NULL;
  g_auto(GStrv) items = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  copy = g_strstrip (g_strdup (text));
  if (copy[0] == '\0') {
    *out_cpus = g_steal_pointer (&cpus);
    return TRUE;
  }
  items = g_strsplit (copy, ",", -1);
  for (guint i = 0; items[i] != NULL; i++) {
    const gchar *dash = strchr (items[i], '-');
    guint first = 0;
    guint last = 0;
    gboolean ok;

    if (dash == NULL) {
      ok = parse_cpu_number (items[i], &first);
      last = first;
    } else {
      g_autofree gchar *low = g_strndup (items[i], (gsize) (dash - items[i]));

      ok = parse_cpu_number (low, &first) && parse_cpu_number (dash + 1, &last) && first <= last;
    }
    if (!ok) {
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ,
                   "'%s' is not a CPU list (want numbers and ranges, e.g. 0-3,8)", copy);
      return FALSE;
    }
    for (guint cpu = first; cpu <= last; cpu++)
      g_array_append_val (cpus, cpu);
  }
  *out_cpus = g_steal_pointer (&cpus);
  return TRUE;
}

/**
 * vmctl_cpu_list_format:
 * @cpus: CPU numbers, in any order, repeats allowed
 *
 * Formats the set the way libvirt's virBitmapFormat() does (ascending,
 * runs of two or more as "a-b"), so a cpuset vmctl writes is the cpuset
 * libvirt gives back.
 *
 * Returns: (transfer full): e.g. "0,4" or "1-3,5-7"; "" for no CPU
 */
gchar *
vmctl_cpu_list_format (const guint *cpus, guint n_cpus)
{
  g_autoptr(GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_cpus);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint i = 0;

  g_array_append_vals (sorted, cpus, n_cpus);
  g_array_sort (sorted, vmctl_cpu_compare);
  while (i < sorted->len) {
    guint first = g_array_index (sorted, guint, i);
    guint last = first;

    /* swallow repeats and the rest of a consecutive run */
    while (i < sorted->len && g_array_index (sorted, guint, i) <= last + 1) {
      last = MAX (last, g_array_index (sorted, guint, i));
      i++;
    }
    g_ptr_array_add (parts, first == last ? g_strdup_printf ("%u", first)
                                          : g_strdup_printf ("%u-%u", first, last));
  }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (",", (gchar **) parts->pdata);
}

static void
core_clear (VmctlCpuCore *core)
{
  g_clear_pointer (&core->cpus, g_array_unref);
}

/**
 * vmctl_cpu_topology_free:
 * @topology: (nullable)
 */
void
vmctl_cpu_topology_free (VmctlCpuTopology *topology)
{
  if (topology == NULL)
    return;
  g_clear_pointer (&topology->cores, g_array_unref);
  g_free (topology->vendor);
  g_free (topology);
}

static GArray *
read_cpu_list (VmctlHost *host, const gchar *path, GError **error)
{
  g_autofree gchar *line = vmctl_host_read_line (host, path, error);
  GArray *cpus = NULL;

  if (line == NULL)
    return NULL;
  if (!vmctl_cpu_list_parse (line, &cpus, error)) {
    g_prefix_error (error, "%s: ", path);
    return NULL;
  }
  return cpus;
}

static gboolean
read_cpu_number_file (VmctlHost *host, guint cpu, const gchar *name, guint *out_value,
                      GError **error)
{
  g_autofree gchar *path = g_strdup_printf (CPU_DIRECTORY "/cpu%u/topology/%s", cpu, name);
  g_autofree gchar *line = vmctl_host_read_line (host, path, error);
  guint64 value = 0;

  if (line == NULL)
    return FALSE;
  /* core_id and physical_package_id are -1 on some virtual platforms:
   * count that as 0, one package and one core numbering */
  if (g_strcmp0 (line, "-1") == 0) {
    *out_value = 0;
    return TRUE;
  }
  if (!g_ascii_string_to_unsigned (line, 10, 0, G_MAXUINT32, &value, NULL)) {
    g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ,
                 "%s: '%s' is not a number", path, line);
    return FALSE;
  }
  *out_value = (guint) value;
  return TRUE;
}

/* The vendor decides CPU features such as AMD's topoext; an unreadable
 * cpuinfo only loses that refinement, so it is not an error. */
static gchar *
read_vendor (VmctlHost *host)
{
  g_autoptr(VmctlCpuinfo) cpuinfo = vmctl_cpuinfo_read (host, NULL);

  return cpuinfo != NULL ? g_steal_pointer (&cpuinfo->vendor) : NULL;
}

/**
 * vmctl_cpu_list_contains: (skip)
 * @cpus: guint CPU numbers
 *
 * Returns: whether @cpu is among @cpus
 */
gboolean
vmctl_cpu_list_contains (const GArray *cpus, guint cpu)
{
  for (guint i = 0; i < cpus->len; i++)
    if (g_array_index (cpus, guint, i) == cpu)
      return TRUE;
  return FALSE;
}

static gint
compare_cores (gconstpointer a, gconstpointer b)
{
  const VmctlCpuCore *x = a;
  const VmctlCpuCore *y = b;

  return vmctl_cpu_compare (&g_array_index (x->cpus, guint, 0), &g_array_index (y->cpus, guint, 0));
}

static gint
compare_entries (gconstpointer a, gconstpointer b, gpointer data)
{
  const VmctlCpuEntry *entries = data;

  return vmctl_cpu_compare (&entries[*(const guint *) a].cpu, &entries[*(const guint *) b].cpu);
}

/**
 * vmctl_cpu_topology_new_from_entries:
 * @entries: one per usable (present and online) logical CPU, any order;
 *   siblings may name CPUs that are not usable (they are left out)
 * @vendor: (nullable): the cpuinfo vendor_id spelling ("AuthenticAMD")
 * @error: VMCTL_CPU_TOPOLOGY_ERROR_READ when no CPU is given or a CPU's
 *   sibling list leaves the CPU itself out
 *
 * Groups CPUs into cores by their sibling lists, which is exactly the set
 * the kernel schedules as one core (core_id alone repeats across
 * packages). sysfs (vmctl_cpu_topology_read()) and libvirt's capabilities
 * (<topology><cells><cell><cpus><cpu siblings=...>) both feed this.
 *
 * Returns: (transfer full): the topology, or NULL with @error set
 */
VmctlCpuTopology *
vmctl_cpu_topology_new_from_entries (const VmctlCpuEntry *entries, guint n_entries,
                                     const gchar *vendor, GError **error)
{
  g_autoptr(VmctlCpuTopology) topology = g_new0 (VmctlCpuTopology, 1);
  g_autoptr(GArray) usable = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n_entries; i++)
    if (!vmctl_cpu_list_contains (usable, entries[i].cpu))
      g_array_append_val (usable, entries[i].cpu);
  if (usable->len == 0) {
    g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ,
                 "the host names no usable CPU");
    return NULL;
  }
  /* entries by ascending CPU number, so a core is met at its lowest CPU */
  for (guint i = 0; i < n_entries; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_entries, (gpointer) entries);

  topology->cores = g_array_new (FALSE, TRUE, sizeof (VmctlCpuCore));
  g_array_set_clear_func (topology->cores, (GDestroyNotify) core_clear);
  for (guint k = 0; k < order->len; k++) {
    const VmctlCpuEntry *entry = &entries[g_array_index (order, guint, k)];
    VmctlCpuCore core = { entry->package, entry->core_id, NULL };

    if (g_hash_table_contains (seen, GUINT_TO_POINTER (entry->cpu)))
      continue;  /* already in the core of a lower sibling */
    if (entry->siblings == NULL || !vmctl_cpu_list_contains (entry->siblings, entry->cpu)) {
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ,
                   "the sibling list of CPU %u does not name CPU %u itself", entry->cpu,
                   entry->cpu);
      return NULL;
    }
    core.cpus = g_array_new (FALSE, FALSE, sizeof (guint));
    for (guint j = 0; j < entry->siblings->len; j++) {
      guint sibling = g_array_index (entry->siblings, guint, j);

      /* an offline sibling cannot run anything; a sibling listed twice
       * (two cores claiming it) would be pinned twice */
      if (!vmctl_cpu_list_contains (usable, sibling) || g_hash_table_contains (seen, GUINT_TO_POINTER (sibling)))
        continue;
      g_hash_table_add (seen, GUINT_TO_POINTER (sibling));
      g_array_append_val (core.cpus, sibling);
    }
    g_array_sort (core.cpus, vmctl_cpu_compare);
    topology->threads_per_core = MAX (topology->threads_per_core, core.cpus->len);
    g_array_append_val (topology->cores, core);
  }
  g_array_sort (topology->cores, compare_cores);
  topology->n_cpus = usable->len;
  topology->vendor = g_strdup (vendor);
  return g_steal_pointer (&topology);
}

static void
entry_clear (VmctlCpuEntry *entry)
{
  g_clear_pointer (&entry->siblings, g_array_unref);
}

/**
 * vmctl_cpu_topology_read:
 * @host: the host whose /sys/devices/system/cpu and /proc/cpuinfo to read
 * @error: VMCTL_HOST_ERROR_* when a file is missing or unreadable,
 *   VMCTL_CPU_TOPOLOGY_ERROR_READ when one is garbled or no CPU is usable
 *
 * The usable CPUs are those in cpu/present that are also in cpu/online
 * (when that file exists): an offline CPU keeps its number but cannot run
 * a vCPU. Cores as vmctl_cpu_topology_new_from_entries() makes them.
 *
 * Returns: (transfer full): the topology, or NULL with @error set
 */
VmctlCpuTopology *
vmctl_cpu_topology_read (VmctlHost *host, GError **error)
{
  g_autoptr(GArray) present = NULL;
  g_autoptr(GArray) online = NULL;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (VmctlCpuEntry));
  g_autofree gchar *vendor = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);

  present = read_cpu_list (host, CPU_DIRECTORY "/present", error);
  if (present == NULL)
    return NULL;
  if (vmctl_host_exists (host, CPU_DIRECTORY "/online")) {
    online = read_cpu_list (host, CPU_DIRECTORY "/online", error);
    if (online == NULL)
      return NULL;
  }
  for (guint i = 0; i < present->len; i++) {
    guint cpu = g_array_index (present, guint, i);
    g_autofree gchar *siblings_path = NULL;
    VmctlCpuEntry entry = { cpu };

    if (online != NULL && !vmctl_cpu_list_contains (online, cpu))
      continue;
    siblings_path = g_strdup_printf (CPU_DIRECTORY "/cpu%u/topology/thread_siblings_list", cpu);
    entry.siblings = read_cpu_list (host, siblings_path, error);
    if (entry.siblings == NULL)
      return NULL;
    g_array_append_val (entries, entry);
    if (!read_cpu_number_file (host, cpu, "core_id",
                               &g_array_index (entries, VmctlCpuEntry, entries->len - 1).core_id, error)
        || !read_cpu_number_file (host, cpu, "physical_package_id",
                                  &g_array_index (entries, VmctlCpuEntry, entries->len - 1).package,
                                  error))
      return NULL;
  }
  if (entries->len == 0) {
    g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ,
                 "%s/present and online name no CPU", CPU_DIRECTORY);
    return NULL;
  }
  vendor = read_vendor (host);
  return vmctl_cpu_topology_new_from_entries ((const VmctlCpuEntry *) entries->data, entries->len,
                                              vendor, error);
}

/**
 * vmctl_cpu_topology_is_amd:
 *
 * Returns: whether /proc/cpuinfo says AuthenticAMD (or Hygon, the same
 *   design), whose SMT topology guests only see with topoext
 */
gboolean
vmctl_cpu_topology_is_amd (const VmctlCpuTopology *topology)
{
  g_return_val_if_fail (topology != NULL, FALSE);
  return vmctl_cpu_vendor_is_amd (topology->vendor);
}
