/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-connect-private.h: libvirt error conversion, for tests */
#pragma once

#include <glib.h>
#include <libvirt/virterror.h>

G_BEGIN_DECLS

void vmctl_virt_error_convert (const virError *raised, const gchar *what, GError **error);

G_END_DECLS
