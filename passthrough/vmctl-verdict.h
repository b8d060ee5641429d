/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-verdict.h: can this PCI function be given to a VM, and what has to
 * go along with it. A pure function over an inventory: no I/O. */
#pragma once

#include <glib.h>
#include "vmctl-pci-device.h"
#include "vmctl-quirks.h"

G_BEGIN_DECLS

typedef struct {
  VmctlPciAddress address;
  gboolean passable;
  gint iommu_group;        /* VMCTL_PCI_NO_GROUP when none */
  GArray *companions;      /* VmctlPciAddress: same slot, same group, endpoints */
  GArray *bridges;         /* VmctlPciAddress: bridges in the group, stay on host */
  GArray *blockers;        /* VmctlPciAddress: endpoints on a host driver */
  GArray *peers;           /* VmctlPciAddress: idle endpoints, unusable meanwhile */
  GArray *siblings;        /* VmctlPciAddress: same slot, another group */
  VmctlTristate boot_vga;
  gchar *driver;           /* NULL when none */
  VmctlTristate can_reset;
  gchar *reset_method;
  GPtrArray *reasons;      /* gchar*: one sentence each */
  GArray *host_critical;   /* VmctlPciAddress: what would move (the device, its
                            * companions) and is host-critical: never moved */
  GPtrArray *host_use;     /* gchar*: "ADDR is in use by the host: ..." for what
                            * would move; NULL when unknown (a remote host) */
} VmctlVerdict;

VmctlVerdict *vmctl_verdict_compute (const VmctlInventory *inventory,
                                     const VmctlPciAddress *address,
                                     const VmctlQuirks *quirks,
                                     GError **error);
void vmctl_verdict_free (VmctlVerdict *verdict);
gboolean vmctl_verdict_add_host_use (const VmctlPciDevice *device, GPtrArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVerdict, vmctl_verdict_free)

G_END_DECLS
