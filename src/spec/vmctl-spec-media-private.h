/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-media-private.h: what the rest of the spec calls of
 * vmctl-spec-media.c: the disk's bus= and cache=, the finalize rule for
 * media and OS, and freeing. Not installed. */
#pragma once

#include "vmctl-host-facts.h"
#include "vmctl-spec-media.h"

G_BEGIN_DECLS

gboolean vmctl_spec_disk_take_options (const gchar *text, gchar **out_rest, gchar **out_bus,
                                       gchar **out_cache, GError **error);
gboolean vmctl_spec_settle_media (VmctlSpec *spec, VmctlHostFacts *facts, GError **error);
void vmctl_spec_media_clear (VmctlSpec *spec);

G_END_DECLS
