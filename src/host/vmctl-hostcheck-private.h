/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-private.h: what the host checks share. The checks are
 * split over vmctl-hostcheck*.c by subject; the facts several of them need
 * (CPU vendor, kernel command line, IOMMU presence, VFIO module state) are
 * gathered once, in check order, into VmctlHostCheck. Not installed. */
#pragma once

#include "vmctl-hostcheck.h"
#include "vmctl-host.h"

G_BEGIN_DECLS

/* uri: the libvirt URI to probe, or NULL to skip the libvirt check */
VmctlHostReport *vmctl_host_check_run (VmctlHost *host, const gchar *uri);
VmctlHostReport *vmctl_host_check_run_with_state (VmctlHost *host, const gchar *uri,
                                                  const gchar *state_dir);
typedef struct _VmctlHostFacts VmctlHostFacts;
VmctlHostReport *vmctl_host_check_run_remote (VmctlHostFacts *facts, const gchar *uri,
                                              const GError *connect_error);

typedef enum {
  VMCTL_CPU_VENDOR_UNKNOWN,
  VMCTL_CPU_VENDOR_INTEL,
  VMCTL_CPU_VENDOR_AMD,
} VmctlCpuVendor;

typedef enum {
  VMCTL_MODULE_UNKNOWN,   /* not loaded, and no modules.dep/builtin to ask */
  VMCTL_MODULE_ABSENT,    /* the running kernel has no such module */
  VMCTL_MODULE_LOADABLE,  /* in modules.dep, not loaded */
  VMCTL_MODULE_LOADED,
  VMCTL_MODULE_BUILTIN,
} VmctlModuleState;

typedef struct {
  VmctlHost *host;
  const gchar *uri;
  GPtrArray *results;         /* VmctlCheckResult* */

  /* set by cpu.virtualization */
  VmctlCpuVendor vendor;
  guint cpus;                 /* usable logical CPUs (the topology's); 0 when unknown */
  /* read before the IOMMU checks; NULL when /proc/cmdline is unreadable */
  gchar **cmdline;
  /* set by iommu.acpi and iommu.groups */
  gboolean iommu_table;       /* DMAR or IVRS present */
  guint iommu_groups;
  guint iommu_units;          /* entries of /sys/class/iommu */
  /* set by vfio.modules */
  VmctlModuleState vfio_state;
  /* issue 13: where host setup's record is; NULL skips setup.applied */
  const gchar *state_dir;
} VmctlHostCheck;

void vmctl_check_result_free (VmctlCheckResult *result);
void vmctl_host_report_finish (VmctlHostReport *report);
void vmctl_host_check_libvirt_result (VmctlHostCheck *check, const gchar *library,
                                      const gchar *hypervisor, const GError *error);
void vmctl_host_check_tpm (VmctlHostCheck *check);
void vmctl_host_check_add (VmctlHostCheck *check, const gchar *id, const gchar *title,
                           VmctlCheckStatus status, const gchar *fix,
                           const gchar *format, ...) G_GNUC_PRINTF (6, 7);

/* the text-level halves of the cpu.virtualization check and the
 * /proc/cmdline reader (vmctl-hostcheck-cpu.c, vmctl-hostcheck.c), for the
 * fuzzing harnesses (tests/fuzz) */
void vmctl_host_check_cpuinfo (VmctlHostCheck *check, const gchar *cpuinfo);
void vmctl_host_check_parse_cmdline (VmctlHostCheck *check, const gchar *contents);

/* kernel command line helpers (vmctl-hostcheck.c), the KVM module
 * (vmctl-hostcheck-cpu.c) */
const gchar *vmctl_host_check_cmdline_value (VmctlHostCheck *check, const gchar *name);
gboolean vmctl_host_check_cmdline_has (VmctlHostCheck *check, const gchar *name,
                                       const gchar *item);
gchar *vmctl_host_check_grub_fix (const gchar *remove, const gchar *add);
const gchar *vmctl_host_check_kvm_module (VmctlHostCheck *check);
gboolean vmctl_host_check_uses_pvm (VmctlHostCheck *check);
guint vmctl_host_check_count_entries (VmctlHost *host, const gchar *directory,
                                      const gchar *prefix, GPtrArray *out_names);

/* vmctl-hostcheck-cpu.c */
void vmctl_host_check_cpu_virtualization (VmctlHostCheck *check);
void vmctl_host_check_kvm_modules (VmctlHostCheck *check);
void vmctl_host_check_kvm_device (VmctlHostCheck *check);
void vmctl_host_check_kvm_nested (VmctlHostCheck *check);

/* vmctl-hostcheck-iommu.c */
void vmctl_host_check_iommu_acpi (VmctlHostCheck *check);
void vmctl_host_check_iommu_groups (VmctlHostCheck *check);
void vmctl_host_check_iommu_cmdline (VmctlHostCheck *check);
void vmctl_host_check_iommu_interrupt_remapping (VmctlHostCheck *check);

/* vmctl-hostcheck-system.c */
void vmctl_host_check_vfio_modules (VmctlHostCheck *check);
void vmctl_host_check_vfio_device (VmctlHostCheck *check);
void vmctl_host_check_hugepages (VmctlHostCheck *check);
void vmctl_host_check_hugepages_mount (VmctlHostCheck *check);
void vmctl_host_check_firmware (VmctlHostCheck *check);
void vmctl_host_check_devices (VmctlHostCheck *check);
void vmctl_host_check_libvirt (VmctlHostCheck *check);

/* vmctl-hostcheck-desk.c (issue 12): evdev and Looking Glass, when a VM
 * on the connection uses them */
void vmctl_host_check_desk (VmctlHostCheck *check);
/* vmctl-hostcheck-setup.c (issue 13) */
void vmctl_host_check_setup (VmctlHostCheck *check);

G_END_DECLS
