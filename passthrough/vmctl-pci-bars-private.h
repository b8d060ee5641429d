/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-bars-private.h: reading and sizing BARs, the library's own
 * (vmctl-pci-bars.h has the types gpu check returns). */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-address.h"
#include "vmctl-pci-bars.h"

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

VmctlPciBars *vmctl_pci_bars_parse (const gchar *resource, const guint8 *config,
                                    gsize config_length, GError **error);
VmctlPciBars *vmctl_pci_bars_read (VmctlHost *host, const VmctlPciAddress *address,
                                   GError **error);
guint64 vmctl_pci_bars_window (const VmctlPciBars *bars);
guint64 vmctl_pci_bars_largest (const VmctlPciBars *bars);
gchar *vmctl_pci_size_format (guint64 bytes);
gboolean vmctl_pci_read_ids (VmctlHost *host, const VmctlPciAddress *address,
                             guint16 *out_vendor_id, guint16 *out_device_id);
guint64 vmctl_pci_round_up_power_of_two (guint64 value);

G_END_DECLS
