/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-size.h: sizes as the user types them ("16G", "512MiB", "2048")
 * and as vmctl prints them ("16 GiB"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMCTL_SIZE_ERROR (vmctl_size_error_quark ())

typedef enum {
  VMCTL_SIZE_ERROR_INVALID,  /* not a whole number with an optional K M G T or
                              * KiB MiB GiB TiB suffix (empty, negative,
                              * fractional, spaces, an unknown suffix) */
  VMCTL_SIZE_ERROR_OVERFLOW, /* more than 2^64 - 1 bytes */
} VmctlSizeError;

GQuark vmctl_size_error_quark (void);

#define VMCTL_KIB (G_GUINT64_CONSTANT (1) << 10)
#define VMCTL_MIB (G_GUINT64_CONSTANT (1) << 20)
#define VMCTL_GIB (G_GUINT64_CONSTANT (1) << 30)
#define VMCTL_TIB (G_GUINT64_CONSTANT (1) << 40)

gboolean vmctl_size_parse (const gchar *text, guint64 *out_bytes, GError **error);
gchar *vmctl_size_format (guint64 bytes);

G_END_DECLS
