/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-connect.h: which hypervisor URI, opening it, and libvirt errors as
 * GError. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

#define VMCTL_VIRT_ERROR (vmctl_virt_error_quark ())

typedef enum {
  VMCTL_VIRT_ERROR_FAILED,        /* any other libvirt failure */
  VMCTL_VIRT_ERROR_BAD_URI,       /* the URI is malformed or names no driver */
  VMCTL_VIRT_ERROR_NO_DAEMON,     /* the daemon is not running / socket absent */
  VMCTL_VIRT_ERROR_DENIED,        /* authentication or permission refused */
  VMCTL_VIRT_ERROR_NO_DOMAIN,     /* no VM of that name */
  VMCTL_VIRT_ERROR_NO_NODEDEV,    /* no node device of that name */
  VMCTL_VIRT_ERROR_UNSUPPORTED,   /* the driver does not support the call */
  VMCTL_VIRT_ERROR_INVALID,       /* libvirt rejected the arguments or XML */
  VMCTL_VIRT_ERROR_EXISTS,        /* a VM of that name already exists */
} VmctlVirtError;

GQuark vmctl_virt_error_quark (void);

void vmctl_virt_init (void);
const gchar *vmctl_connect_resolve_uri (const gchar *explicit_uri);
gboolean vmctl_connect_uri_is_local (const gchar *uri);
virConnectPtr vmctl_connect_open (const gchar *uri, gboolean read_only, GError **error);
void vmctl_virt_set_error (GError **error, const gchar *what);

G_END_DECLS
