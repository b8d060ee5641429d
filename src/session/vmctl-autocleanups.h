/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-autocleanups.h: g_autoptr() for the foreign types vmctl holds.
 * Aliases, so nothing clashes if libvirt or libxml2 ever ship their own. */
#pragma once

#include <glib.h>
#include "vmctl-libvirt.h"
#include <libxml/tree.h>
#include <libxml/xpath.h>

typedef virConnect VmctlConnect;
typedef virDomain VmctlDomain;
typedef virNodeDevice VmctlNodeDevice;
typedef virStoragePool VmctlStoragePool;
typedef virStorageVol VmctlStorageVol;

/* Through the loader. An object exists, so libvirt is in the process, but
 * whoever made it may have called a linked libvirt (the tests do): load
 * (a no-op after the first time) before using the pointers. */
static inline void
vmctl_connect_close (virConnectPtr connection)
{
  if (vmctl_libvirt_load (NULL))
    sym_virConnectClose (connection);
}

static inline void
vmctl_domain_free (virDomainPtr domain)
{
  if (vmctl_libvirt_load (NULL))
    sym_virDomainFree (domain);
}

static inline void
vmctl_node_device_free (virNodeDevicePtr device)
{
  if (vmctl_libvirt_load (NULL))
    sym_virNodeDeviceFree (device);
}

static inline void
vmctl_storage_pool_free (virStoragePoolPtr pool)
{
  if (vmctl_libvirt_load (NULL))
    sym_virStoragePoolFree (pool);
}

static inline void
vmctl_storage_vol_free (virStorageVolPtr volume)
{
  if (vmctl_libvirt_load (NULL))
    sym_virStorageVolFree (volume);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlConnect, vmctl_connect_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlDomain, vmctl_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlNodeDevice, vmctl_node_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlStoragePool, vmctl_storage_pool_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlStorageVol, vmctl_storage_vol_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)
