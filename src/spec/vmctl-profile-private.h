/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-profile-private.h: a profile from text already read, as
 * vmctl_profile_apply_file() loads each file; for the fuzzing harness
 * (tests/fuzz). Not installed. */
#pragma once

#include "vmctl-profile.h"

G_BEGIN_DECLS

gboolean vmctl_profile_apply_data (VmctlSpec *spec, const gchar *path, const gchar *data,
                                   gsize length, GError **error);

G_END_DECLS
