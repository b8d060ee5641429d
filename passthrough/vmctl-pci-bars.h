/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-bars.h: a PCI function's memory BARs (sysfs `resource`) and
 * its Resizable BAR capability (PCIe extended capability 0x15 in
 * `config`): how much guest physical address space it needs; and its
 * vendor and device ids, for the checks that need nothing else. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

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

void vmctl_pci_bars_free (VmctlPciBars *bars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlPciBars, vmctl_pci_bars_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-pci-bars-private.h"
#endif
