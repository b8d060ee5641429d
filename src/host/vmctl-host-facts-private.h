/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-facts-private.h: one reader per host fact and one function
 * per rule over the facts, for everything that needs them: the FILES
 * source of the host facts, the CPU topology, the hugepage code, the host
 * checks and the spec (vmctl-host-facts-files.c, vmctl-host-facts.c).
 * Not installed. */
#pragma once

#include "vmctl-host-facts.h"

G_BEGIN_DECLS

/* /proc/cpuinfo: what vmctl reads of it, from the first processor block */
typedef struct {
  gchar *vendor;              /* vendor_id: GenuineIntel, AuthenticAMD, HygonGenuine;
                               * NULL when not listed */
  GStrv flags;                /* the flags line's words; NULL when not listed */
} VmctlCpuinfo;

VmctlCpuinfo *vmctl_cpuinfo_parse (const gchar *text);
VmctlCpuinfo *vmctl_cpuinfo_read (VmctlHost *host, GError **error);
gboolean vmctl_cpuinfo_has_flag (const VmctlCpuinfo *cpuinfo, const gchar *flag);
void vmctl_cpuinfo_free (VmctlCpuinfo *cpuinfo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlCpuinfo, vmctl_cpuinfo_free)

gboolean vmctl_cpu_vendor_is_amd (const gchar *vendor);

/* /proc/meminfo; every value in kB as the kernel prints it, 0 when the
 * line is missing */
typedef struct {
  guint64 total_kib;          /* MemTotal */
  guint64 hugepage_kib;       /* Hugepagesize: the default hugepage size */
  gboolean hugepage_counts;   /* HugePages_Total and HugePages_Free are listed */
  guint64 hugepages_total;    /* of the default size */
  guint64 hugepages_free;
} VmctlMeminfo;

void vmctl_meminfo_parse (const gchar *text, VmctlMeminfo *out_meminfo);
gboolean vmctl_meminfo_read (VmctlHost *host, VmctlMeminfo *out_meminfo);

gboolean vmctl_host_kvm_is_software (VmctlHost *host);
gboolean vmctl_host_has_swtpm (VmctlHost *host);

gboolean vmctl_host_facts_has_tpm2 (const VmctlHostFacts *facts, VmctlVirtType type);

/* vmctl-host-facts-libvirt.c */
gchar *vmctl_host_facts_format_version (unsigned long version);

G_END_DECLS
