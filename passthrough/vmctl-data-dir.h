/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-data-dir.h: where vmctl's data files (profiles, quirk and
 * host-critical lists) are. Below the session so that the passthrough
 * engine can read the host-critical list on its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *vmctl_data_path (const gchar *relative);

G_END_DECLS
