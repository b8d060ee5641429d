/* vmctl-autocleanups.h: g_autoptr() for the foreign types vmctl holds.
 * Aliases, so nothing clashes if libvirt or libxml2 ever ship their own. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

typedef virConnect VmctlConnect;
typedef virDomain VmctlDomain;
typedef virNodeDevice VmctlNodeDevice;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlDomain, virDomainFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlNodeDevice, virNodeDeviceFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)
