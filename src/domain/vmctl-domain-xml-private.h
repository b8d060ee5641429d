/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-xml-private.h: what the three parts of the domain builder
 * share. vmctl-domain-layout.c makes every decision (firmware, pinning,
 * page size, guest addresses, disk names) into a VmctlDomainLayout;
 * vmctl-domain-xml.c and vmctl-domain-devices.c only copy templates and
 * fill them from the spec, the plan and that layout, through the template
 * primitives of vmctl-domain-builder.c. */
#pragma once

#include <libxml/tree.h>

#include "vmctl-cpu-topology.h"
#include "vmctl-domain-xml.h"
#include "vmctl-firmware.h"
#include "vmctl-host-facts.h"

G_BEGIN_DECLS

/* One planned host function and where the guest sees it. */
typedef struct {
  const VmctlPlanFunction *function;
  guint guest_bus;
  guint guest_slot;
  guint guest_function;
  gboolean multifunction;     /* guest function 0 of a slot with several */
  const gchar *rom_path;      /* the spec's, or NULL */
} VmctlDomainHostdev;

typedef enum {
  VMCTL_DOMAIN_DISK_FILE,
  VMCTL_DOMAIN_DISK_BLOCK,
  VMCTL_DOMAIN_DISK_VOLUME,
} VmctlDomainDiskKind;

typedef struct {
  const VmctlSpecDisk *disk;
  VmctlDomainDiskKind kind;
  const gchar *format;        /* "qcow2", "raw" */
  gchar *target;              /* "vda", "sdb" */
  gchar *volume;              /* with VMCTL_DOMAIN_DISK_VOLUME */
} VmctlDomainDisk;

typedef struct {
  VmctlFirmware *firmware;    /* NULL: BIOS (SeaBIOS), or firmware_auto */
  gboolean firmware_auto;     /* <os firmware='efi'>: libvirt picks the build on
                               * a host whose descriptors vmctl cannot read */
  gboolean secure_boot;
  gboolean enrolled_keys;
  gboolean smm;               /* Secure Boot, or a build that requires SMM */

  guint64 hugepage_kib;       /* 0: ordinary memory */
  gboolean memory_locked;     /* <locked/>, only when asked for */
  guint64 hard_limit_kib;     /* <memtune><hard_limit> with memory_locked */

  guint cores;                /* guest topology: sockets=1 dies=1 */
  guint threads;
  gboolean topoext;           /* AMD host with KVM: let the guest see SMT */
  const gchar *cpu_template;  /* cpu-host-passthrough.xml, cpu-host-model.xml, cpu-maximum.xml */
  gboolean cache_passthrough;
  VmctlCpuPinning *pinning;   /* NULL: vCPUs float */
  gboolean iothread;          /* one I/O thread for virtio disks, pinned with the emulator */

  GArray *hostdevs;           /* VmctlDomainHostdev, in plan order */
  GArray *root_ports;         /* guint controller indexes (q35), ascending */

  GArray *disks;              /* VmctlDomainDisk, in spec order */
  gchar *cdrom_target;        /* NULL without a cdrom */
  const gchar *disk_bus;
  const gchar *nic_model;
  gboolean balloon;           /* FALSE with any assigned device */

  GPtrArray *hyperv_features; /* const gchar*: the <hyperv> children to keep */
  gboolean hypervclock;       /* <timer name='hypervclock'> with the Windows clock */
} VmctlDomainLayout;

gboolean vmctl_domain_layout_resolve (VmctlHostFacts *facts, const VmctlSpec *spec,
                                      const VmctlPlan *plan, VmctlDomainLayout *layout,
                                      GError **error);
void vmctl_domain_layout_clear (VmctlDomainLayout *layout);

typedef struct {
  gchar *template_dir;
  xmlDocPtr document;         /* the skeleton, becoming the domain */
  GHashTable *fragments;      /* file name -> xmlDoc, each parsed once */
  GHashTable *filled;         /* xmlAttr* the builder has set */
} VmctlDomainBuilder;

gboolean vmctl_domain_builder_init (VmctlDomainBuilder *builder, GError **error);
xmlDocPtr vmctl_domain_builder_finish (VmctlDomainBuilder *builder, GError **error);
void vmctl_domain_builder_clear (VmctlDomainBuilder *builder);

xmlNodePtr vmctl_domain_builder_fragment (VmctlDomainBuilder *builder, const gchar *file,
                                          GError **error);
xmlNodePtr vmctl_domain_builder_replace (VmctlDomainBuilder *builder, xmlNodePtr placeholder,
                                         const gchar *file, GError **error);
xmlNodePtr vmctl_domain_builder_clone (VmctlDomainBuilder *builder, xmlNodePtr prototype,
                                       GError **error);
void vmctl_domain_builder_remove_prototypes (VmctlDomainBuilder *builder, xmlNodePtr context);
xmlNodePtr vmctl_domain_builder_append (VmctlDomainBuilder *builder, xmlNodePtr parent,
                                        const gchar *file, GError **error);
xmlNodePtr vmctl_domain_builder_find (VmctlDomainBuilder *builder, xmlNodePtr context,
                                      const gchar *xpath, GError **error);
gboolean vmctl_domain_builder_set (VmctlDomainBuilder *builder, xmlNodePtr node,
                                   const gchar *attribute, const gchar *value, GError **error);
gboolean vmctl_domain_builder_set_at (VmctlDomainBuilder *builder, xmlNodePtr context,
                                      const gchar *xpath, const gchar *attribute,
                                      const gchar *value, GError **error);
gboolean vmctl_domain_builder_remove (VmctlDomainBuilder *builder, xmlNodePtr context,
                                      const gchar *xpath, GError **error);
gboolean vmctl_domain_builder_set_or_remove (VmctlDomainBuilder *builder, xmlNodePtr node,
                                             const gchar *attribute, const gchar *value,
                                             GError **error);
gboolean vmctl_domain_builder_set_text (xmlNodePtr node, const gchar *value, GError **error);

gboolean vmctl_domain_build_metadata (VmctlDomainBuilder *builder, xmlNodePtr domain,
                                      const VmctlSpec *spec, const VmctlPlan *plan,
                                      const VmctlDomainLayout *layout, GError **error);

gboolean vmctl_domain_build_devices (VmctlDomainBuilder *builder, const VmctlSpec *spec,
                                     const VmctlDomainLayout *layout, GError **error);

/* issue 12: vmctl-domain-desk.c, vmctl-domain-desk-metadata.c */
gboolean vmctl_domain_build_desk (VmctlDomainBuilder *builder, const VmctlSpec *spec,
                                  GError **error);
gboolean vmctl_domain_build_desk_metadata (VmctlDomainBuilder *builder, xmlNodePtr domain,
                                           const VmctlSpec *spec, GError **error);

/* attribute values: decimal numbers and libvirt's yes/no */
gchar *vmctl_domain_format_uint (guint64 value);
const gchar *vmctl_domain_yes_no (gboolean value);

G_END_DECLS
