/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-facts.h: what the host that will run a VM can do, gathered
 * once per command into one object that the spec, the domain builder and
 * the host checks all read.
 *
 * Three sources, never mixed in one object:
 *  - REMOTE: libvirt alone (a qemu+ssh:// host, or the test driver's
 *    invented host). Nothing is read from this machine's files.
 *  - LOCAL: libvirt on this machine (qemu:///system with host root "/"),
 *    plus this machine's files for what libvirt cannot tell: which
 *    firmware build has which features (QEMU's descriptors), hugetlbfs
 *    mounts, the default hugepage size, kvm_amd's avic parameter.
 *  - FILES: a host root's files only: a fixture or snapshot (--host-root
 *    DIR), or this machine when its libvirt cannot be reached. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "vmctl-cpu-topology.h"
#include "vmctl-host.h"
#include "vmctl-spec.h"

G_BEGIN_DECLS

#define VMCTL_HOST_FACTS_ERROR (vmctl_host_facts_error_quark ())

typedef enum {
  VMCTL_HOST_FACTS_ERROR_LIBVIRT,    /* libvirt's answer could not be had or parsed */
  VMCTL_HOST_FACTS_ERROR_HUGEPAGES,  /* no hugepage size can back the VM (exit 1);
                                      * the message has the fix */
} VmctlHostFactsError;

GQuark vmctl_host_facts_error_quark (void);

typedef enum {
  VMCTL_HOST_FACTS_FILES,
  VMCTL_HOST_FACTS_LOCAL,
  VMCTL_HOST_FACTS_REMOTE,
} VmctlHostFactsSource;

/* A fact the source may not know. */
typedef enum {
  VMCTL_FACT_UNKNOWN,
  VMCTL_FACT_NO,
  VMCTL_FACT_YES,
} VmctlFact;

/* One hugepage pool: per NUMA cell from libvirt, or the whole host
 * (cell VMCTL_HUGEPAGE_ALL_CELLS) from /sys/kernel/mm/hugepages. */
#define VMCTL_HUGEPAGE_ALL_CELLS G_MAXUINT
typedef struct {
  guint cell;
  guint64 page_kib;
  guint64 total;              /* pages reserved */
  guint64 free;
} VmctlHugepagePool;

/* What domcapabilities says for one virt type (kvm or qemu) on q35. */
typedef struct {
  gboolean known;             /* FALSE: no domcapabilities (the type is
                               * unavailable, or the driver cannot say) */
  VmctlFact available;        /* libvirt can run domains of this type */
  GStrv loader_paths;         /* <os><loader> values; NULL when unknown */
  VmctlFact efi_autoselect;   /* <enum name='firmware'> lists efi */
  VmctlFact secure_boot;      /* <loader><enum name='secure'> lists yes */
  VmctlFact tpm_emulator;     /* TPM backendModel emulator (swtpm) */
  GStrv tpm_models;           /* tpm-tis, tpm-crb */
  GStrv tpm_versions;         /* backendVersion; NULL when not listed */
  VmctlFact hostdev_pci;      /* hostdev subsysType pci */
  VmctlFact vfio;             /* hostdev pciBackend vfio */
  VmctlFact hyperv;           /* <hyperv supported> */
  GStrv hyperv_features;      /* the features libvirt lists; NULL when it
                               * lists none (then the usual KVM set) */
  VmctlFact host_passthrough; /* <cpu><mode name='host-passthrough' supported> */
} VmctlDomainCaps;

typedef struct _VmctlHostFacts VmctlHostFacts;

struct _VmctlHostFacts {
  gint ref_count;
  VmctlHostFactsSource source;
  VmctlHost *host;            /* the files of FILES and LOCAL; NULL for REMOTE */
  gchar *uri;                 /* NULL for FILES */
  gchar *where;               /* "on this host", "under host root D", "on URI" */

  /* libvirt and the hypervisor, "9.0.0"; NULL when unknown */
  gchar *libvirt_version;
  gchar *hypervisor;          /* "QEMU 7.2.22" */

  /* CPU */
  gchar *cpu_vendor;          /* cpuinfo spelling: GenuineIntel, AuthenticAMD, HygonGenuine */
  GStrv cpu_features;         /* vmx, svm, pdpe1gb, topoext...; NULL when unknown */
  VmctlCpuTopology *topology; /* NULL when unknown */
  GHashTable *cpu_cells;      /* host CPU -> NUMA cell (both GUINT_TO_POINTER) */

  /* memory */
  guint64 memory_kib;         /* 0 when unknown */
  GArray *hugepages;          /* VmctlHugepagePool, by cell, then size */
  GArray *hugetlbfs_mounts;   /* guint64 page KiB of each mount; NULL when
                               * unknown (REMOTE) */
  guint64 default_hugepage_kib; /* Hugepagesize; 0 when unknown */
  VmctlFact iommu;            /* capabilities <iommu support> */

  /* firmware descriptors (FILES, LOCAL); NULL when unknown (REMOTE) */
  GPtrArray *firmwares;       /* VmctlFirmware* */
  GPtrArray *firmware_warnings; /* gchar* */

  /* per virt type: [VMCTL_VIRT_TYPE_KVM], [VMCTL_VIRT_TYPE_QEMU] */
  VmctlDomainCaps domain_caps[2];

  /* kvm_amd's avic parameter (LOCAL, FILES) */
  VmctlFact kvm_avic;
  /* KVM served by kvm_pvm (LOCAL, FILES): software-assisted KVM inside a
   * cloud VM, without VT-x/AMD-V. libvirt lists it as KVM, but QEMU's
   * host CPU setup aborts on it (MSR 0x10a) and neither OVMF nor a Linux
   * kernel gets going: VMs default to TCG there */
  VmctlFact kvm_software;
};

VmctlHostFacts *vmctl_host_facts_new_from_files (VmctlHost *host);
VmctlHostFacts *vmctl_host_facts_new_from_libvirt (virConnectPtr connection, VmctlHost *host,
                                                   GError **error);
VmctlHostFacts *vmctl_host_facts_new_from_xml (const gchar *uri, const gchar *capabilities,
                                               const gchar *domcaps_kvm,
                                               const gchar *domcaps_qemu,
                                               VmctlHost *host, GError **error);
VmctlHostFacts *vmctl_host_facts_gather (VmctlHost *host, const gchar *uri, GPtrArray *notes,
                                         GError **error);
VmctlHostFacts *vmctl_host_facts_ref (VmctlHostFacts *facts);
void vmctl_host_facts_unref (VmctlHostFacts *facts);

gboolean vmctl_host_facts_is_amd (const VmctlHostFacts *facts);
gboolean vmctl_host_facts_has_cpu_feature (const VmctlHostFacts *facts, const gchar *feature);
const VmctlDomainCaps *vmctl_host_facts_domain_caps (const VmctlHostFacts *facts,
                                                     VmctlVirtType type);
guint vmctl_host_facts_cell_of (const VmctlHostFacts *facts, guint cpu);
gboolean vmctl_host_facts_pool (const VmctlHostFacts *facts, guint64 page_kib,
                                const GArray *cells, guint64 *out_total, guint64 *out_free);
GArray *vmctl_host_facts_page_sizes (const VmctlHostFacts *facts);
VmctlFact vmctl_host_facts_has_mount (const VmctlHostFacts *facts, guint64 page_kib);
gboolean vmctl_host_facts_hyperv_feature (const VmctlHostFacts *facts, VmctlVirtType type,
                                          const gchar *feature);

VmctlHostFacts *vmctl_host_facts_new_empty (VmctlHostFactsSource source, VmctlHost *host,
                                            const gchar *uri);
/* the libvirt half, for vmctl_host_facts_new_from_libvirt() and tests */
gboolean vmctl_host_facts_parse_capabilities (VmctlHostFacts *facts, const gchar *xml,
                                              GError **error);
gboolean vmctl_host_facts_parse_domcaps (VmctlHostFacts *facts, VmctlVirtType type,
                                         const gchar *xml, GError **error);
void vmctl_host_facts_read_local (VmctlHostFacts *facts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostFacts, vmctl_host_facts_unref)

G_END_DECLS
