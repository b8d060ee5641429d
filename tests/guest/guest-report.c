/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-report.c: the report disk the test guest writes (layout in
 * tests/guest/init). */
#include "guest-report.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define GUEST_DISK_MAGIC "VMCTL-GUEST-DISK 1\n"

gboolean
guest_disk_create (const gchar *path, gboolean ignore_acpi, GError **error)
{
  g_autofree gchar *contents = g_malloc0 (GUEST_DISK_SIZE);
  g_autofree gchar *header = g_strdup_printf (GUEST_DISK_MAGIC "acpi=%s\n",
                                              ignore_acpi ? "ignore" : "obey");

  memcpy (contents, header, strlen (header));
  return g_file_set_contents (path, contents, GUEST_DISK_SIZE, error);
}

/* @length bytes at @offset, cut at the first NUL (the rest of the block
 * is the zeros the test wrote). */
static gchar *
read_block (const gchar *path, goffset offset, gsize length)
{
  g_autofree gchar *buffer = g_malloc0 (length + 1);
  gint fd = open (path, O_RDONLY | O_CLOEXEC);
  gssize got;

  if (fd < 0)
    return g_strdup ("");
  got = pread (fd, buffer, length, offset);
  close (fd);
  if (got <= 0)
    return g_strdup ("");
  buffer[got] = '\0';
  return g_strdup (buffer);
}

gchar *
guest_disk_status (const gchar *path)
{
  return read_block (path, GUEST_DISK_STATUS_OFFSET,
                     GUEST_DISK_REPORT_OFFSET - GUEST_DISK_STATUS_OFFSET);
}

gboolean
guest_disk_status_has (const gchar *path, const gchar *word)
{
  g_autofree gchar *status = guest_disk_status (path);
  g_auto(GStrv) lines = g_strsplit (status, "\n", -1);

  return g_strv_contains ((const gchar * const *) lines, word);
}

static void
add_value (GHashTable *values, const gchar *key, const gchar *value)
{
  GPtrArray *list = g_hash_table_lookup (values, key);

  if (list == NULL) {
    list = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (values, g_strdup (key), list);
  }
  g_ptr_array_add (list, g_strdup (value));
}

GuestReport *
guest_disk_read_report (const gchar *path, GError **error)
{
  g_autoptr(GuestReport) report = g_new0 (GuestReport, 1);
  g_auto(GStrv) lines = NULL;
  gboolean ended = FALSE;

  report->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  report->text = read_block (path, GUEST_DISK_REPORT_OFFSET,
                             GUEST_DISK_SIZE - GUEST_DISK_REPORT_OFFSET);
  lines = g_strsplit (report->text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const gchar *equals = strchr (lines[i], '=');
    g_autofree gchar *key = NULL;

    if (strcmp (lines[i], "end") == 0) {
      ended = TRUE;
      break;
    }
    if (equals == NULL)
      continue;
    key = g_strndup (lines[i], equals - lines[i]);
    add_value (report->values, key, equals + 1);
  }
  /* "end" is the guest's last line: without it the report was cut short */
  if (!ended || guest_report_get (report, "report.version") == NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                 "%s: the guest's report is incomplete:\n%s", path, report->text);
    return NULL;
  }
  return g_steal_pointer (&report);
}

void
guest_report_free (GuestReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->values, g_hash_table_unref);
  g_free (report->text);
  g_free (report);
}

const gchar *
guest_report_get (const GuestReport *report, const gchar *key)
{
  GPtrArray *list = g_hash_table_lookup (report->values, key);

  return list != NULL && list->len > 0 ? g_ptr_array_index (list, 0) : NULL;
}

GPtrArray *
guest_report_get_all (const GuestReport *report, const gchar *key)
{
  return g_hash_table_lookup (report->values, key);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

GPtrArray *
guest_report_keys_with_prefix (const GuestReport *report, const gchar *prefix)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, report->values);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_ptr_array_add (keys, g_strdup (key));
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}
