/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-hook.h: what vmctl's libvirt QEMU hook
 * (contrib/libvirt-hook/qemu) runs. libvirt waits for the hook while it
 * holds the domain, so nothing here opens a libvirt connection: the domain
 * comes as the XML libvirt passes on the hook's stdin. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

/* the most domain XML the hook reads */
#define VMCTL_HOOK_XML_MAX (16 * 1024 * 1024)

gboolean vmctl_lifecycle_hook_prepare (VmctlHost *host, const gchar *state_dir,
                                       const gchar *name, const gchar *domain_xml,
                                       gsize length, guint timeout_ms, GError **error);

G_END_DECLS
