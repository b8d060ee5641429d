/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-glib-util.h: small things GLib lacks that several modules need:
 * failing with a formatted error in one statement, joining an array of
 * strings, and reading a GKeyFile string that someone else may have
 * written without tripping over GLib's escape parser. */
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

/* TRUE when every backslash in @raw (a key file value as stored) starts
 * an escape GKeyFile decodes: \s \n \t \r \\, and in a list (@list TRUE)
 * the list separator ';'. */
gboolean vmctl_key_file_escapes_valid (const gchar *raw, gboolean list);

/* g_key_file_get_string() and g_key_file_get_string_list() for a file
 * vmctl did not necessarily write (journal, host record, profile, data):
 * a value with an escape GKeyFile does not know is refused here
 * (G_KEY_FILE_ERROR_INVALID_VALUE) before GLib's parser sees it. GLib
 * 2.74's parser keeps going after a bad escape and, when the value also
 * ends in a backslash ("a\:b\"), sets a second error over the first on
 * its own internal GError: a GLib warning (fatal in the fuzzers and under
 * G_DEBUG=fatal-warnings) that no caller can prevent once the call is
 * made, even one passing a NULL error. Neither returns a half-decoded
 * value with an error set. */
gchar *vmctl_key_file_get_string (GKeyFile *key_file, const gchar *group, const gchar *key,
                                  GError **error);
gchar **vmctl_key_file_get_string_list (GKeyFile *key_file, const gchar *group,
                                        const gchar *key, gsize *length, GError **error);

G_END_DECLS
