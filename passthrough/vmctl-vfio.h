/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio.h: the passthrough engine. Moves PCI functions from their host
 * drivers to vfio-pci through sysfs and back to the exact driver each came
 * from: write-ahead journal (crash-safe), one lock per function (exclusive),
 * whole plans as transactions (any failure undoes the functions already
 * moved, in reverse). Bridges are never touched.
 *
 * One detach, per function:
 *   modprobe vfio-pci            only when /sys/bus/pci/drivers/vfio-pci is missing
 *   lock STATE/locks/ADDR.lock
 *   journal "override-written"   then write vfio-pci   > .../ADDR/driver_override
 *   journal "unbound"            then write ADDR       > .../drivers/ORIG/unbind
 *   journal "probed"             then write ADDR       > /sys/bus/pci/drivers_probe
 *   wait (bounded) until .../ADDR/driver -> vfio-pci
 *   journal "bound-vfio"
 * One reattach: unbind from vfio-pci, restore driver_override, write ADDR to
 * drivers/ORIG/bind (the recorded driver, not whatever probes first),
 * verify the driver link, remove the journal entry, release the lock.
 *
 * Plans: each journal entry records the functions detached with it. A
 * detach holds the locks of its whole plan from its first write to its
 * end; reattach and recover take the locks of a whole plan (without
 * waiting: a plan another vmctl is changing is left alone and named),
 * re-read its entries under them and give the plan back whole, never one
 * function of an IOMMU group without the others. A driver name, whether
 * journaled or read from a sysfs link, becomes a path only after it passed
 * vmctl_name_is_driver() and its directory was found under the host root's
 * /sys/bus/pci/drivers. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

typedef struct {
  GPtrArray *reattached;  /* gchar*: "0000:01:00.0 -> nvidia" */
  GPtrArray *kept;        /* gchar*: "0000:01:00.0 in use by running VM 'x'", or
                           * left alone because another vmctl changes its plan */
  GPtrArray *dropped;     /* gchar*: stale entries from an earlier boot */
  GPtrArray *failed;      /* gchar*: "0000:01:00.0: why" */
  GPtrArray *actions;     /* gchar*: the host changes made, or in a dry run
                           * that would be (as vmctl_vfio_get_actions()) */
} VmctlVfioRecovery;

/**
 * vmctl_vfio_recovery_free:
 * @recovery: (nullable): a report from vmctl_session_gpu_recover()
 *
 * Frees @recovery.
 */
void vmctl_vfio_recovery_free (VmctlVfioRecovery *recovery);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVfioRecovery, vmctl_vfio_recovery_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-vfio-private.h"
#endif
