/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-hook.h: what vmctl's libvirt QEMU hook
 * (contrib/libvirt-hook/qemu) runs. libvirt waits for the hook while it
 * holds the domain, so nothing here opens a libvirt connection: the domain
 * comes as the XML libvirt passes on the hook's stdin. */
#pragma once

#include <glib.h>
#include "vmctl-session.h"

G_BEGIN_DECLS

/* the most domain XML the hook reads */
#define VMCTL_HOOK_XML_MAX (16 * 1024 * 1024)

/* The libvirt hook's budget per wait (a driver link to change, another
 * vmctl's lock), unless $VMCTL_BIND_TIMEOUT_MS says otherwise: a reattach
 * of a 4-function card waits at most twice per function (unbind from
 * vfio-pci, bind the original driver), 8 x 3 s = 24 s, inside the hook's
 * default limit of 30 s (contrib/libvirt-hook/qemu), so vmctl reports a
 * stuck driver itself instead of being stopped. A driver binds in well
 * under a second. */
#define VMCTL_HOOK_WAIT_MS 3000

gboolean vmctl_lifecycle_hook_prepare (VmctlSession *session, const gchar *name,
                                       const gchar *domain_xml, gsize length,
                                       GError **error);

G_END_DECLS
