/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-plan.h: which host PCI functions a VM gets, from the isolation
 * verdict of each requested GPU and of each extra --hostdev. */
#pragma once

#include <glib.h>
#include "vmctl-pci-device.h"
#include "vmctl-quirks.h"

G_BEGIN_DECLS

#define VMCTL_PLAN_ERROR (vmctl_plan_error_quark ())

typedef enum {
  VMCTL_PLAN_ERROR_BLOCKED,       /* host-bound devices share a group; lists them (exit 1) */
  VMCTL_PLAN_ERROR_NOT_PASSABLE,  /* no IOMMU group, or a bridge (exit 1) */
  VMCTL_PLAN_ERROR_DUPLICATE,     /* the same function requested twice (exit 2) */
  VMCTL_PLAN_ERROR_HOST_IN_USE,   /* something that would move is in use by the host
                                   * (mounted disk, console, ...); names each use;
                                   * VMCTL_PLAN_FORCE overrides (exit 1) */
} VmctlPlanError;

GQuark vmctl_plan_error_quark (void);

typedef enum {
  VMCTL_PLAN_FLAGS_NONE = 0,
  VMCTL_PLAN_FORCE = 1 << 0,      /* take functions the host uses, with a note for each
                                   * (--force); never a host-critical one */
} VmctlPlanFlags;

typedef enum {
  VMCTL_PLAN_ROLE_GPU,            /* a --gpu function */
  VMCTL_PLAN_ROLE_COMPANION,      /* same slot, same group: goes along */
  VMCTL_PLAN_ROLE_SIBLING,        /* same slot, another group, passable itself */
  VMCTL_PLAN_ROLE_HOSTDEV,        /* a --hostdev function */
} VmctlPlanRole;

typedef struct {
  VmctlPciAddress address;
  VmctlPlanRole role;
  VmctlPciAddress owner;          /* the --gpu or --hostdev that brought it in */
  gchar *driver;                  /* host driver now, NULL when none */
  gint iommu_group;
} VmctlPlanFunction;

typedef struct {
  GArray *functions;              /* VmctlPlanFunction, each host function once:
                                   * per request in the order given, the request
                                   * first, then its companions and siblings in
                                   * address order */
  GPtrArray *notes;               /* gchar*: peers, boot VGA, reset trouble, host
                                   * use taken with --force, siblings left behind */
} VmctlPlan;

VmctlPlan *vmctl_plan_compute (const VmctlInventory *inventory,
                               const VmctlPciAddress *gpus, guint n_gpus,
                               const VmctlPciAddress *hostdevs, guint n_hostdevs,
                               const VmctlQuirks *quirks,
                               GError **error);
VmctlPlan *vmctl_plan_compute_full (const VmctlInventory *inventory,
                                    const VmctlPciAddress *gpus, guint n_gpus,
                                    const VmctlPciAddress *hostdevs, guint n_hostdevs,
                                    const VmctlQuirks *quirks, VmctlPlanFlags flags,
                                    GError **error);
gboolean vmctl_plan_recheck (const VmctlInventory *inventory, const VmctlPciAddress *functions,
                             guint n, GError **error);
const gchar *vmctl_plan_role_to_string (VmctlPlanRole role);
void vmctl_plan_free (VmctlPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlPlan, vmctl_plan_free)

G_END_DECLS
