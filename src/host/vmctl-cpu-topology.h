/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-cpu-topology.h: the host's logical CPUs grouped into cores (SMT
 * siblings together), from sysfs under the host root or from libvirt's
 * capabilities, and the vCPU pinning vmctl derives from them. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_CPU_TOPOLOGY_ERROR (vmctl_cpu_topology_error_quark ())

typedef enum {
  VMCTL_CPU_TOPOLOGY_ERROR_READ,        /* sysfs CPU topology missing or garbled */
  VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH,  /* fewer host CPUs than the pinning needs */
  VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU, /* a pinned CPU is absent, offline or repeated */
} VmctlCpuTopologyError;

GQuark vmctl_cpu_topology_error_quark (void);

typedef struct {
  guint package;      /* physical_package_id */
  guint core_id;      /* core_id, unique within a package only */
  GArray *cpus;       /* guint logical CPU numbers, ascending (SMT siblings) */
} VmctlCpuCore;

typedef struct {
  GArray *cores;      /* VmctlCpuCore, ordered by their lowest CPU number */
  guint n_cpus;       /* usable (present and online) logical CPUs */
  guint threads_per_core; /* the largest sibling count: 2 with SMT, 1 without */
  gchar *vendor;      /* /proc/cpuinfo vendor_id ("GenuineIntel", "AuthenticAMD") or NULL */
} VmctlCpuTopology;

/* One logical CPU as sysfs or libvirt's capabilities describe it. */
typedef struct {
  guint cpu;
  guint package;      /* physical_package_id, socket_id */
  guint core_id;
  GArray *siblings;   /* guint: thread_siblings_list, siblings= (with @cpu) */
} VmctlCpuEntry;

typedef struct {
  GArray *vcpu_cpus;  /* guint: vCPU i runs on host CPU vcpu_cpus[i] */
  GArray *emulator_cpus; /* guint, ascending: QEMU's own threads; empty: leave unpinned */
} VmctlCpuPinning;

VmctlCpuTopology *vmctl_cpu_topology_read (VmctlHost *host, GError **error);
VmctlCpuTopology *vmctl_cpu_topology_new_from_entries (const VmctlCpuEntry *entries,
                                                       guint n_entries, const gchar *vendor,
                                                       GError **error);
gboolean vmctl_cpu_topology_auto_fits (const VmctlCpuTopology *topology, guint vcpus,
                                       guint *out_limit);
void vmctl_cpu_topology_free (VmctlCpuTopology *topology);
gboolean vmctl_cpu_topology_is_amd (const VmctlCpuTopology *topology);

VmctlCpuPinning *vmctl_cpu_topology_pin_auto (const VmctlCpuTopology *topology,
                                              guint vcpus, GError **error);
VmctlCpuPinning *vmctl_cpu_topology_pin_list (const VmctlCpuTopology *topology,
                                              const guint *cpus, guint n_cpus,
                                              guint vcpus, GError **error);
guint vmctl_cpu_topology_guest_threads (const VmctlCpuTopology *topology, guint vcpus,
                                        const VmctlCpuPinning *pinning);
void vmctl_cpu_pinning_free (VmctlCpuPinning *pinning);

gboolean vmctl_cpu_list_parse (const gchar *text, GArray **out_cpus, GError **error);
gchar *vmctl_cpu_list_format (const guint *cpus, guint n_cpus);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlCpuTopology, vmctl_cpu_topology_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlCpuPinning, vmctl_cpu_pinning_free)

G_END_DECLS
