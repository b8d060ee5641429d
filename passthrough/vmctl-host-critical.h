/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-critical.h: PCI functions the host cannot run without (its
 * host bridge, the LPC bridge, SMBus, the SPI controller in front of the
 * firmware flash, the IOMMU...), kept as data (data/host-critical.conf).
 * vmctl never moves one to vfio-pci, in any role and not with --force. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-device.h"

G_BEGIN_DECLS

#define VMCTL_HOST_CRITICAL_ERROR (vmctl_host_critical_error_quark ())

typedef enum {
  VMCTL_HOST_CRITICAL_ERROR_PARSE,    /* the list is not a valid key file or has a bad entry */
  VMCTL_HOST_CRITICAL_ERROR_REFUSED,  /* a host-critical function would move; --force does
                                       * not change that (exit 1) */
} VmctlHostCriticalError;

GQuark vmctl_host_critical_error_quark (void);

typedef struct _VmctlHostCritical VmctlHostCritical;

VmctlHostCritical *vmctl_host_critical_new_empty (void);
VmctlHostCritical *vmctl_host_critical_load (const gchar *path, GError **error);
VmctlHostCritical *vmctl_host_critical_load_from_data (const gchar *data, GError **error);
VmctlHostCritical *vmctl_host_critical_load_default (GError **error);
void vmctl_host_critical_free (VmctlHostCritical *list);
const gchar *vmctl_host_critical_lookup (const VmctlHostCritical *list, guint16 vendor_id,
                                         guint16 device_id, guint32 class_code);
void vmctl_host_critical_mark (const VmctlHostCritical *list, VmctlInventory *inventory);
gchar *vmctl_host_critical_refusal (const gchar *role, const VmctlPciAddress *address,
                                    const gchar *what);
gboolean vmctl_host_critical_check_sysfs (const VmctlHostCritical *list, VmctlHost *host,
                                          const VmctlPciAddress *address, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostCritical, vmctl_host_critical_free)

G_END_DECLS
