/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-bars.h: a PCI function's memory BARs (sysfs `resource`) and
 * its Resizable BAR capability (PCIe extended capability 0x15 in
 * `config`): how much guest physical address space it needs; and its
 * vendor and device ids, for the checks that need nothing else. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

/* include/linux/ioport.h, the flags column of sysfs `resource` */
#define VMCTL_IORESOURCE_IO        0x00000100
#define VMCTL_IORESOURCE_MEM       0x00000200
#define VMCTL_IORESOURCE_PREFETCH  0x00002000
#define VMCTL_IORESOURCE_MEM_64    0x00100000

/* PCIe extended capability ids (include/uapi/linux/pci_regs.h) */
#define VMCTL_PCI_EXT_CAP_REBAR    0x0015
#define VMCTL_PCI_EXT_CAP_START    0x100
#define VMCTL_PCI_CONFIG_FULL      4096

typedef struct {
  guint index;                /* 0..5 */
  guint64 start;
  guint64 size;               /* bytes; never 0 here */
  gboolean is_64bit;
  gboolean prefetchable;
} VmctlPciBar;

typedef struct {
  guint bar;                  /* the BAR index the entry resizes */
  guint64 current;            /* its size now, bytes */
  guint64 largest;            /* the largest size the device supports, bytes */
  guint32 supported;          /* bit n: 1 MiB << n supported (PCI_REBAR_CAP_SIZES >> 4) */
} VmctlPciRebar;

typedef struct {
  GArray *bars;               /* VmctlPciBar: memory BARs with a size, by index */
  GArray *rebar;              /* VmctlPciRebar; empty without the capability */
  gboolean extended_config;   /* config had the extended space: the ReBAR answer
                               * is known (only root reads past 256 bytes) */
} VmctlPciBars;

VmctlPciBars *vmctl_pci_bars_parse (const gchar *resource, const guint8 *config,
                                    gsize config_length, GError **error);
VmctlPciBars *vmctl_pci_bars_read (VmctlHost *host, const VmctlPciAddress *address,
                                   GError **error);
void vmctl_pci_bars_free (VmctlPciBars *bars);
guint64 vmctl_pci_bars_window (const VmctlPciBars *bars);
guint64 vmctl_pci_bars_largest (const VmctlPciBars *bars);
gchar *vmctl_pci_size_format (guint64 bytes);
gboolean vmctl_pci_read_ids (VmctlHost *host, const VmctlPciAddress *address,
                             guint16 *out_vendor_id, guint16 *out_device_id);
guint64 vmctl_pci_round_up_power_of_two (guint64 value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlPciBars, vmctl_pci_bars_free)

G_END_DECLS
