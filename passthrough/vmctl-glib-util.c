/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-glib-util.c: see vmctl-glib-util.h. */
#include "vmctl-glib-util.h"

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
