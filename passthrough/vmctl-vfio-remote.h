/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-remote.h: the passthrough engine for a host vmctl cannot
 * reach through sysfs (qemu+ssh://, qemu+tls://): libvirt's node-device
 * detach and reattach on that host. libvirt keeps the driver bookkeeping
 * there; vmctl keeps the transaction: a plan moves whole or not at all. */
#pragma once

#include <glib.h>
#include "vmctl-libvirt.h"
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

/* Detaches each of @addresses that is not on vfio-pci already
 * (virNodeDeviceDetachFlags (dev, "vfio", 0)); on a failure the ones
 * detached here are reattached, last first, and the error names the
 * function. @actions (nullable) gets one line per call made, or, with
 * @dry_run, that would be made. */
gboolean vmctl_vfio_remote_detach (virConnectPtr connection, const VmctlPciAddress *addresses,
                                   guint n, GPtrArray *actions, gboolean dry_run,
                                   GError **error);

/* Reattaches, last first, each of @addresses the host has on vfio-pci
 * (virNodeDeviceReAttach: libvirt re-probes the host driver); one that is
 * not on vfio-pci or no longer exists has nothing to give back. Tries all;
 * the error names the first failure. */
gboolean vmctl_vfio_remote_reattach (virConnectPtr connection, const VmctlPciAddress *addresses,
                                     guint n, GPtrArray *actions, gboolean dry_run,
                                     GError **error);

G_END_DECLS
