/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-libvirt.h: libvirt, loaded on first use.
 *
 * libvirt.so pulls in some 57 libraries (gnutls, curl, krb5, ICU...): about
 * 10 ms and 12 MiB before main() runs. Commands that never talk to a
 * hypervisor (create --print-xml, gpu check on a host root) should not pay
 * that, so vmctl does not link libvirt: it dlopen()s it when a connection is
 * first opened and calls it through the sym_ pointers below (the pattern
 * systemd uses for its optional libraries). libvirt's headers still give
 * the types and the prototypes the pointers are declared from. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

G_BEGIN_DECLS

#define VMCTL_LIBVIRT_ERROR (vmctl_libvirt_error_quark ())

typedef enum {
  VMCTL_LIBVIRT_ERROR_MISSING,  /* libvirt.so.0 or one of its symbols is absent */
} VmctlLibvirtError;

GQuark vmctl_libvirt_error_quark (void);

/* Every libvirt function vmctl calls. Add a line here to use another. */
#define VMCTL_LIBVIRT_SYMBOLS(X) \
  X (virInitialize) \
  X (virSetErrorFunc) \
  X (virGetLastError) \
  X (virGetLastErrorMessage) \
  X (virResetLastError) \
  X (virGetVersion) \
  X (virConnectOpen) \
  X (virConnectOpenReadOnly) \
  X (virConnectClose) \
  X (virConnectGetURI) \
  X (virConnectGetType) \
  X (virConnectGetVersion) \
  X (virConnectGetLibVersion) \
  X (virConnectListAllNodeDevices) \
  X (virNodeDeviceGetName) \
  X (virNodeDeviceGetXMLDesc) \
  X (virNodeDeviceFree) \
  X (virNodeDeviceLookupByName) \
  X (virNodeDeviceDetachFlags) \
  X (virNodeDeviceReAttach) \
  X (virDomainFree) \
  X (virConnectListAllDomains) \
  X (virDomainLookupByName) \
  X (virDomainDefineXML) \
  X (virDomainGetName) \
  X (virDomainGetConnect) \
  X (virDomainIsActive) \
  X (virDomainGetInfo) \
  X (virDomainGetState) \
  X (virDomainGetAutostart) \
  X (virDomainSetAutostart) \
  X (virDomainIsPersistent) \
  X (virDomainGetUUIDString) \
  X (virDomainGetMetadata) \
  X (virDomainSetMetadata) \
  X (virDomainGetXMLDesc) \
  X (virDomainCreate) \
  X (virDomainShutdown) \
  X (virDomainDestroy) \
  X (virDomainUndefineFlags) \
  X (virStoragePoolLookupByName) \
  X (virStoragePoolDefineXML) \
  X (virStoragePoolBuild) \
  X (virStoragePoolCreate) \
  X (virStoragePoolSetAutostart) \
  X (virStoragePoolIsActive) \
  X (virStoragePoolFree) \
  X (virStorageVolCreateXML) \
  X (virStorageVolLookupByName) \
  X (virStorageVolLookupByPath) \
  X (virStorageVolGetPath) \
  X (virStorageVolDelete) \
  X (virStorageVolFree) \
  X (virConnectGetCapabilities) \
  X (virConnectGetDomainCapabilities) \
  X (virNodeGetFreePages) \
  X (virNodeGetMemoryStats) \
  X (virNetworkLookupByName) \
  X (virNetworkIsActive) \
  X (virNetworkCreate) \
  X (virNetworkFree) \
  X (virEventRegisterDefaultImpl) \
  X (virEventRunDefaultImpl) \
  X (virEventAddHandle) \
  X (virEventRemoveHandle) \
  X (virEventAddTimeout) \
  X (virEventRemoveTimeout) \
  X (virStreamNew) \
  X (virStreamRecv) \
  X (virStreamSend) \
  X (virStreamEventAddCallback) \
  X (virStreamEventUpdateCallback) \
  X (virStreamEventRemoveCallback) \
  X (virStreamAbort) \
  X (virStreamFree) \
  X (virDomainOpenConsole) \
  X (virConnectDomainEventRegisterAny) \
  X (virConnectDomainEventDeregisterAny)

#define VMCTL_LIBVIRT_DECLARE(name) extern __typeof__ (name) *sym_##name;
VMCTL_LIBVIRT_SYMBOLS (VMCTL_LIBVIRT_DECLARE)
#undef VMCTL_LIBVIRT_DECLARE

gboolean vmctl_libvirt_load (GError **error);
gboolean vmctl_libvirt_loaded (void);

G_END_DECLS
