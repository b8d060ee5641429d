/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-private.h: helpers for reading the host's own files that
 * several modules share (passthrough/ and src/). Not installed. */
#pragma once

#include "vmctl-host.h"

G_BEGIN_DECLS

gchar *vmctl_host_unescape_field (const gchar *field);

G_END_DECLS
