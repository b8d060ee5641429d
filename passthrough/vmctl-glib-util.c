/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-glib-util.c: see vmctl-glib-util.h. */
#include "vmctl-glib-util.h"

#include <string.h>

gboolean
vmctl_fail_valist (GError **error, GQuark domain, gint code, const gchar *format, va_list args)
{
  g_propagate_error (error, g_error_new_valist (domain, code, format, args));
  return FALSE;
}

gboolean
vmctl_fail (GError **error, GQuark domain, gint code, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  vmctl_fail_valist (error, domain, code, format, args);
  va_end (args);
  return FALSE;
}

gchar *
vmctl_ptr_array_join (GPtrArray *items, const gchar *separator)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; items != NULL && i < items->len; i++) {
    if (i > 0)
      g_string_append (joined, separator);
    g_string_append (joined, g_ptr_array_index (items, i));
  }
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

gboolean
vmctl_key_file_escapes_valid (const gchar *raw, gboolean list)
{
  const gchar *known = list ? "sntr\\;" : "sntr\\";

  for (const gchar *p = raw; *p != '\0'; p++) {
    if (*p != '\\')
      continue;
    p++;
    if (*p == '\0' || strchr (known, *p) == NULL)
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_escapes (GKeyFile *key_file, const gchar *group, const gchar *key, gboolean list,
               GError **error)
{
  g_autofree gchar *raw = g_key_file_get_value (key_file, group, key, error);

  if (raw == NULL)
    return FALSE;
  if (!vmctl_key_file_escapes_valid (raw, list))
    return vmctl_fail (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "invalid escape sequence (a backslash may only start \\s, \\n, "
                       "\\t, \\r%s)", list ? ", \\\\ or \\;" : " or \\\\");
  return TRUE;
}

gchar *
vmctl_key_file_get_string (GKeyFile *key_file, const gchar *group, const gchar *key,
                           GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *value = NULL;

  if (!check_escapes (key_file, group, key, FALSE, error))
    return NULL;
  value = g_key_file_get_string (key_file, group, key, &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  return g_steal_pointer (&value);
}

gchar **
vmctl_key_file_get_string_list (GKeyFile *key_file, const gchar *group, const gchar *key,
                                gsize *length, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) values = NULL;

  if (length != NULL)
    *length = 0;
  if (!check_escapes (key_file, group, key, TRUE, error))
    return NULL;
  values = g_key_file_get_string_list (key_file, group, key, length, &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    if (length != NULL)
      *length = 0;
    return NULL;
  }
  return g_steal_pointer (&values);
}
