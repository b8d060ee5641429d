/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-names.h: vendor and device names from libpci's pci.ids. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VmctlPciNames VmctlPciNames;

VmctlPciNames *vmctl_pci_names_new (const gchar *sysfs_bus_pci);
void vmctl_pci_names_free (VmctlPciNames *names);
gchar *vmctl_pci_names_vendor (VmctlPciNames *names, guint16 vendor_id);
gchar *vmctl_pci_names_device (VmctlPciNames *names, guint16 vendor_id, guint16 device_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlPciNames, vmctl_pci_names_free)

G_END_DECLS
