/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-quirks.h: devices known to misbehave under passthrough, kept as
 * data (data/quirks/reset-bug.conf) so the list grows without code. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMCTL_QUIRKS_ERROR (vmctl_quirks_error_quark ())

typedef enum {
  VMCTL_QUIRKS_ERROR_PARSE, /* the list is not a valid key file or has a bad id */
} VmctlQuirksError;

GQuark vmctl_quirks_error_quark (void);

typedef struct _VmctlQuirks VmctlQuirks;

VmctlQuirks *vmctl_quirks_new_empty (void);
VmctlQuirks *vmctl_quirks_load (const gchar *path, GError **error);
VmctlQuirks *vmctl_quirks_load_from_data (const gchar *data, GError **error);
void vmctl_quirks_free (VmctlQuirks *quirks);
const gchar *vmctl_quirks_reset_problem (const VmctlQuirks *quirks,
                                         guint16 vendor_id, guint16 device_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlQuirks, vmctl_quirks_free)

G_END_DECLS
