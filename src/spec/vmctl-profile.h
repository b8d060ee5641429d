/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-profile.h: named sets of spec defaults (gaming, workstation,
 * minimal), kept as key files in data/profiles/NAME.conf. */
#pragma once

#include <glib.h>
#include "vmctl-spec.h"

G_BEGIN_DECLS

#define VMCTL_PROFILE_ERROR (vmctl_profile_error_quark ())

typedef enum {
  VMCTL_PROFILE_ERROR_INVALID,  /* a profile file is unreadable, not a key file, or
                                 * has an unknown group, key or value (exit 1: the
                                 * installation is broken, not the input) */
} VmctlProfileError;

GQuark vmctl_profile_error_quark (void);

/* what `vmctl create` uses without --profile */
#define VMCTL_PROFILE_DEFAULT "workstation"

gchar **vmctl_profile_list (void);
gboolean vmctl_profile_apply (VmctlSpec *spec, const gchar *name, GError **error);
gboolean vmctl_profile_apply_file (VmctlSpec *spec, const gchar *path, GError **error);

G_END_DECLS
