/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims-xml.c: reading the domain XML with libxml2's XPath, and the
 * table of claims. */
#include "guest-claims.h"

#include <libxml/xpath.h>
#include <string.h>

#include "vmctl-autocleanups.h"

static void
guest_row_free (GuestRow *row)
{
  g_free (row->claim);
  g_free (row->expected);
  g_free (row->seen);
  g_free (row);
}

GPtrArray *
guest_rows_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) guest_row_free);
}

void
guest_rows_add (GPtrArray *rows, const gchar *where, gboolean ok, const gchar *claim,
                const gchar *expected, const gchar *seen)
{
  GuestRow *row = g_new0 (GuestRow, 1);

  row->where = where;
  row->ok = ok;
  row->claim = g_strdup (claim);
  row->expected = g_strdup (expected != NULL ? expected : "-");
  row->seen = g_strdup (seen != NULL && *seen != '\0' ? seen : "(nothing)");
  g_ptr_array_add (rows, row);
}

/* a table cell: one line, no column separators */
static gchar *
cell (const gchar *text)
{
  g_autofree gchar *one_line = g_strdelimit (g_strdup (text), "\n|", ' ');

  return g_strstrip (g_steal_pointer (&one_line));
}

gchar *
guest_rows_format (GPtrArray *rows, const gchar *title, guint *out_failed)
{
  GString *text = g_string_new (NULL);
  guint failed = 0;

  g_string_append_printf (text, "\n### %s\n\n", title);
  g_string_append (text, "| XML claim | XML says | seen | where | |\n|---|---|---|---|---|\n");
  for (guint i = 0; i < rows->len; i++) {
    const GuestRow *row = g_ptr_array_index (rows, i);
    g_autofree gchar *claim = cell (row->claim);
    g_autofree gchar *expected = cell (row->expected);
    g_autofree gchar *seen = cell (row->seen);

    if (!row->ok)
      failed++;
    g_string_append_printf (text, "| %s | %s | %s | %s | %s |\n", claim, expected, seen,
                            row->where, row->ok ? "ok" : "**MISMATCH**");
  }
  if (out_failed != NULL)
    *out_failed = failed;
  return g_string_free (text, FALSE);
}

static xmlXPathObject *
evaluate (xmlDoc *document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);

  return xmlXPathEvalExpression ((const xmlChar *) expression, context);
}

gchar *
guest_xml_string (xmlDoc *document, const gchar *expression)
{
  g_autofree gchar *wrapped = g_strdup_printf ("string(%s)", expression);
  g_autoptr(xmlXPathObject) result = evaluate (document, wrapped);

  if (result == NULL || result->stringval == NULL)
    return g_strdup ("");
  return g_strstrip (g_strdup ((const gchar *) result->stringval));
}

gchar *
guest_xml_string_at (xmlDoc *document, const gchar *base, const gchar *relative)
{
  g_autofree gchar *expression = g_strconcat (base, "/", relative, NULL);

  return guest_xml_string (document, expression);
}

gint
guest_xml_count (xmlDoc *document, const gchar *expression)
{
  g_autofree gchar *wrapped = g_strdup_printf ("count(%s)", expression);
  g_autoptr(xmlXPathObject) result = evaluate (document, wrapped);

  return result != NULL ? (gint) result->floatval : 0;
}

/* libvirt's units: b/bytes, KB (1000), k/KiB (default), MB, M/MiB, GB,
 * G/GiB, TB, T/TiB */
static guint64
to_kib (guint64 value, const gchar *unit)
{
  static const struct {
    const gchar *unit;
    guint64 bytes;
  } units[] = {
    { "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
    { "MB", 1000000 }, { "M", 1048576 }, { "MiB", 1048576 }, { "GB", 1000000000 },
    { "G", 1073741824 }, { "GiB", 1073741824 },
  };

  if (unit == NULL || *unit == '\0')
    return value;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (unit, units[i].unit) == 0)
      return value * units[i].bytes / 1024;
  g_error ("unknown libvirt memory unit '%s'", unit);
}

guint64
guest_xml_memory_kib (xmlDoc *document, const gchar *element)
{
  g_autofree gchar *value_path = g_strdup_printf ("/domain/%s", element);
  g_autofree gchar *unit_path = g_strdup_printf ("/domain/%s/@unit", element);
  g_autofree gchar *value = guest_xml_string (document, value_path);
  g_autofree gchar *unit = guest_xml_string (document, unit_path);

  return to_kib (g_ascii_strtoull (value, NULL, 10), unit);
}

static guint64
default_hugepage_kib (void)
{
  g_autofree gchar *meminfo = NULL;
  const gchar *line;

  if (!g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    return 0;
  line = strstr (meminfo, "Hugepagesize:");
  return line != NULL ? g_ascii_strtoull (line + strlen ("Hugepagesize:"), NULL, 10) : 0;
}

guint64
guest_xml_hugepage_kib (xmlDoc *document)
{
  g_autofree gchar *size = NULL;
  g_autofree gchar *unit = NULL;

  if (guest_xml_count (document, "/domain/memoryBacking/hugepages") == 0)
    return 0;
  size = guest_xml_string (document, "/domain/memoryBacking/hugepages/page[1]/@size");
  if (*size == '\0')
    return default_hugepage_kib ();
  unit = guest_xml_string (document, "/domain/memoryBacking/hugepages/page[1]/@unit");
  return to_kib (g_ascii_strtoull (size, NULL, 10), unit);
}

guint
guest_xml_vcpus (xmlDoc *document)
{
  g_autofree gchar *current = guest_xml_string (document, "/domain/vcpu/@current");
  g_autofree gchar *maximum = guest_xml_string (document, "/domain/vcpu");

  return (guint) g_ascii_strtoull (*current != '\0' ? current : maximum, NULL, 10);
}
