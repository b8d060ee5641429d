/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-cpu-topology-pin.c: vCPU pinning that keeps SMT siblings
 * together, as the VFIO tuning guides recommend: a vCPU pair that the
 * guest believes are two threads of one core then really is one host
 * core, and the host keeps a whole core for itself and QEMU. The guest's
 * topology is told only as the pinning makes it true. */
#include "vmctl-cpu-topology-private.h"

/**
 * vmctl_cpu_pinning_free:
 * @pinning: (nullable)
 */
void
vmctl_cpu_pinning_free (VmctlCpuPinning *pinning)
{
  if (pinning == NULL)
    return;
  g_clear_pointer (&pinning->vcpu_cpus, g_array_unref);
  g_clear_pointer (&pinning->emulator_cpus, g_array_unref);
  g_free (pinning);
}

static VmctlCpuPinning *
pinning_new (void)
{
  VmctlCpuPinning *pinning = g_new0 (VmctlCpuPinning, 1);

  pinning->vcpu_cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  pinning->emulator_cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  return pinning;
}

/* The cores after the first with all @threads siblings usable. */
static guint
count_full_cores (const VmctlCpuTopology *topology, guint threads)
{
  guint count = 0;

  for (guint i = 1; i < topology->cores->len; i++)
    count += g_array_index (topology->cores, VmctlCpuCore, i).cpus->len == threads;
  return count;
}

/**
 * vmctl_cpu_topology_auto_fits:
 * @vcpus: a vCPU count, at least 1
 * @out_limit: (out) (optional): the largest count --cpu-pin auto can place
 *   on this host at all
 *
 * Whether vmctl_cpu_topology_pin_auto() can place @vcpus so that the
 * guest's topology is true (see there).
 */
gboolean
vmctl_cpu_topology_auto_fits (const VmctlCpuTopology *topology, guint vcpus, guint *out_limit)
{
  guint threads;
  guint spare_cores;
  guint full_cores;

  g_return_val_if_fail (topology != NULL && topology->cores->len > 0, FALSE);
  threads = MAX (topology->threads_per_core, 1);
  spare_cores = topology->cores->len - 1;
  full_cores = count_full_cores (topology, threads);
  if (out_limit != NULL)
    *out_limit = MAX (full_cores * threads, spare_cores);
  if (threads == 1)
    return vcpus <= spare_cores;
  /* whole cores, every thread a vCPU: the guest sees SMT as it is */
  if (vcpus % threads == 0 && vcpus / threads <= full_cores)
    return TRUE;
  /* otherwise one vCPU per core: the guest sees cores, and they are */
  return vcpus <= spare_cores;
}

/**
 * vmctl_cpu_topology_pin_auto:
 * @vcpus: the guest's vCPU count, at least 1
 * @error: VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH when @vcpus cannot be placed
 *   truthfully (vmctl_cpu_topology_auto_fits()); the message gives the
 *   counts that can
 *
 * The first core (with all its SMT siblings) stays with the host and runs
 * QEMU's emulator threads, which keeps interrupt and I/O work off the
 * vCPUs. The rest is placed so the guest's topology is true:
 *  - a multiple of the host's threads per core goes onto whole cores, a
 *    core's siblings consecutively: vCPUs 0 and 1 are the two threads of
 *    one host core, and the guest is told threads=2;
 *  - any other count goes one vCPU per core (the first thread of each),
 *    and the guest is told threads=1, which is then true;
 *  - a count that can be neither (an odd count above the number of spare
 *    cores) is refused: two vCPUs on one core's siblings while the guest
 *    believes they are separate cores would make its scheduler wrong.
 *
 * Returns: (transfer full): the pinning, or NULL with @error set
 */
VmctlCpuPinning *
vmctl_cpu_topology_pin_auto (const VmctlCpuTopology *topology, guint vcpus, GError **error)
{
  g_autoptr(VmctlCpuPinning) pinning = pinning_new ();
  const VmctlCpuCore *host_core;
  guint threads;
  gboolean whole_cores;

  g_return_val_if_fail (topology != NULL && topology->cores->len > 0, NULL);
  g_return_val_if_fail (vcpus > 0, NULL);

  host_core = &g_array_index (topology->cores, VmctlCpuCore, 0);
  threads = MAX (topology->threads_per_core, 1);
  if (!vmctl_cpu_topology_auto_fits (topology, vcpus, NULL)) {
    g_autofree gchar *kept = vmctl_cpu_list_format ((const guint *) host_core->cpus->data,
                                                    host_core->cpus->len);
    guint spare_cores = topology->cores->len - 1;
    guint full = count_full_cores (topology, threads) * threads;

    if (spare_cores == 0)
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH,
                   "--cpu-pin auto keeps the first core (CPUs %s) for the host, and this "
                   "host has no other; use --cpu-pin none", kept);
    else if (threads == 1 || vcpus > full)
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH,
                   "--cpu-pin auto keeps the first core (CPUs %s) for the host, leaving %u "
                   "CPUs for %u vCPUs; lower --vcpus to %u or use --cpu-pin none",
                   kept, MAX (full, spare_cores), vcpus, MAX (full, spare_cores));
    else
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH,
                   "--cpu-pin auto cannot place %u vCPUs so the guest sees its CPUs as they "
                   "are: %u is not a multiple of the host's %u threads per core, and only %u "
                   "cores are left for one vCPU each (the host keeps CPUs %s); give a "
                   "multiple of %u up to %u, or %u or fewer, or use --cpu-pin none",
                   vcpus, vcpus, threads, spare_cores, kept, threads, full, spare_cores);
    return NULL;
  }

  whole_cores = vcpus % threads == 0 && vcpus / threads <= count_full_cores (topology, threads);
  for (guint i = 1; i < topology->cores->len && pinning->vcpu_cpus->len < vcpus; i++) {
    const VmctlCpuCore *core = &g_array_index (topology->cores, VmctlCpuCore, i);

    if (!whole_cores) {
      g_array_append_val (pinning->vcpu_cpus, g_array_index (core->cpus, guint, 0));
      continue;
    }
    if (core->cpus->len != threads)
      continue;  /* a core with an offline sibling cannot hold a pair */
    for (guint j = 0; j < core->cpus->len; j++)
      g_array_append_val (pinning->vcpu_cpus, g_array_index (core->cpus, guint, j));
  }
  g_array_append_vals (pinning->emulator_cpus, host_core->cpus->data, host_core->cpus->len);
  return g_steal_pointer (&pinning);
}

static gboolean
topology_has_cpu (const VmctlCpuTopology *topology, guint cpu)
{
  for (guint i = 0; i < topology->cores->len; i++)
    if (vmctl_cpu_list_contains (g_array_index (topology->cores, VmctlCpuCore, i).cpus, cpu))
      return TRUE;
  return FALSE;
}

/**
 * vmctl_cpu_topology_pin_list:
 * @cpus: host CPU numbers, vCPU i on cpus[i]
 * @vcpus: the guest's vCPU count; @n_cpus must equal it
 * @error: VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH when fewer CPUs than vCPUs
 *   are listed; VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU when more are, or one
 *   is not a usable host CPU, or one is listed twice
 *
 * QEMU's emulator threads go to every usable CPU outside the list, and
 * stay unpinned when the list takes them all.
 *
 * Returns: (transfer full): the pinning, or NULL with @error set
 */
VmctlCpuPinning *
vmctl_cpu_topology_pin_list (const VmctlCpuTopology *topology, const guint *cpus, guint n_cpus,
                             guint vcpus, GError **error)
{
  g_autoptr(VmctlCpuPinning) pinning = pinning_new ();

  g_return_val_if_fail (topology != NULL, NULL);
  g_return_val_if_fail (cpus != NULL || n_cpus == 0, NULL);

  if (n_cpus != vcpus) {
    g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR,
                 n_cpus < vcpus ? VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH
                                : VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU,
                 "--cpu-pin lists %u host CPUs for %u vCPUs; list one per vCPU", n_cpus, vcpus);
    return NULL;
  }
  for (guint i = 0; i < n_cpus; i++) {
    if (!topology_has_cpu (topology, cpus[i])) {
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU,
                   "--cpu-pin: host CPU %u is not present and online (this host has %u CPUs)",
                   cpus[i], topology->n_cpus);
      return NULL;
    }
    if (vmctl_cpu_list_contains (pinning->vcpu_cpus, cpus[i])) {
      g_set_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU,
                   "--cpu-pin: host CPU %u is listed twice; each vCPU needs its own CPU",
                   cpus[i]);
      return NULL;
    }
    g_array_append_val (pinning->vcpu_cpus, cpus[i]);
  }
  for (guint i = 0; i < topology->cores->len; i++) {
    const GArray *core_cpus = g_array_index (topology->cores, VmctlCpuCore, i).cpus;

    for (guint j = 0; j < core_cpus->len; j++)
      if (!vmctl_cpu_list_contains (pinning->vcpu_cpus, g_array_index (core_cpus, guint, j)))
        g_array_append_val (pinning->emulator_cpus, g_array_index (core_cpus, guint, j));
  }
  g_array_sort (pinning->emulator_cpus, vmctl_cpu_compare);
  return g_steal_pointer (&pinning);
}

static const VmctlCpuCore *
core_of (const VmctlCpuTopology *topology, guint cpu)
{
  for (guint i = 0; i < topology->cores->len; i++) {
    const VmctlCpuCore *core = &g_array_index (topology->cores, VmctlCpuCore, i);

    if (vmctl_cpu_list_contains (core->cpus, cpu))
      return core;
  }
  return NULL;
}

/**
 * vmctl_cpu_topology_guest_threads:
 * @topology: (nullable): the host; NULL when unknown (1 thread per core)
 * @pinning: (nullable): the vCPU pinning, NULL when vCPUs float
 *
 * QEMU numbers vCPUs thread-first: with threads=2, vCPUs 0 and 1 are the
 * two threads of guest core 0. The guest is told it has SMT exactly when
 * the pinning makes that true: @vcpus is a multiple of the host's threads
 * per core and every group of consecutive vCPUs sits on exactly one host
 * core's siblings. Floating vCPUs (no pinning) are on no core in
 * particular, so they are cores to the guest, as are vCPUs pinned one per
 * core.
 *
 * Returns: the guest's threads per core, at least 1
 */
guint
vmctl_cpu_topology_guest_threads (const VmctlCpuTopology *topology, guint vcpus,
                                  const VmctlCpuPinning *pinning)
{
  guint threads;

  if (topology == NULL || topology->threads_per_core <= 1 || pinning == NULL)
    return 1;
  threads = topology->threads_per_core;
  if (vcpus == 0 || vcpus % threads != 0 || pinning->vcpu_cpus->len != vcpus)
    return 1;
  for (guint first = 0; first < vcpus; first += threads) {
    const VmctlCpuCore *core = core_of (topology, g_array_index (pinning->vcpu_cpus, guint, first));

    if (core == NULL || core->cpus->len != threads)
      return 1;
    for (guint k = 0; k < threads; k++) {
      guint cpu = g_array_index (pinning->vcpu_cpus, guint, first + k);

      /* each sibling once: "1,1" is no pair */
      if (!vmctl_cpu_list_contains (core->cpus, cpu))
        return 1;
      for (guint m = 0; m < k; m++)
        if (g_array_index (pinning->vcpu_cpus, guint, first + m) == cpu)
          return 1;
    }
  }
  return threads;
}
