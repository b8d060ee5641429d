/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-glib-util.h: two small things GLib lacks that several modules
 * need: failing with a formatted error in one statement, and joining an
 * array of strings. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets *@error (when @error is not NULL) to @domain/@code with the
 * formatted message, and returns FALSE, so a validator can say
 * `return vmctl_fail (error, ...)`. */
gboolean vmctl_fail (GError **error, GQuark domain, gint code, const gchar *format, ...)
  G_GNUC_PRINTF (4, 5);
gboolean vmctl_fail_valist (GError **error, GQuark domain, gint code, const gchar *format,
                            va_list args) G_GNUC_PRINTF (4, 0);

/* The strings of @items (a GPtrArray of gchar*; NULL is empty) joined
 * with @separator; "" for none. */
gchar *vmctl_ptr_array_join (GPtrArray *items, const gchar *separator);

G_END_DECLS
