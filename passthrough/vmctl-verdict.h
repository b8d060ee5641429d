/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-verdict.h: can this PCI function be given to a VM, and what has to
 * go along with it. A pure function over an inventory: no I/O. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>
#include "vmctl-pci-device.h"

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

/**
 * vmctl_verdict_free:
 * @verdict: (nullable): a verdict
 *
 * Frees @verdict.
 */
void vmctl_verdict_free (VmctlVerdict *verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVerdict, vmctl_verdict_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-verdict-private.h"
#endif
