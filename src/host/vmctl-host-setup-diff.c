/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup-diff.c: a unified diff of one configuration file, so
 * `vmctl host setup` (a dry run by default) shows exactly which lines it
 * would change, as `diff -u` would. The files are small (a few hundred
 * lines at most), so a plain longest-common-subsequence table will do. */
#include "vmctl-host-setup-private.h"

#include <string.h>

#define CONTEXT 3

typedef enum { SAME, REMOVED, ADDED } LineKind;

typedef struct {
  LineKind kind;
  guint old_line;   /* 1-based; the next old line for ADDED */
  guint new_line;
  const gchar *text;
} DiffLine;

/* the lines of @text without their newlines; a final newline ends the
 * last line rather than starting an empty one */
static GPtrArray *
split_lines (const gchar *text)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (parts);

  if (n > 0 && parts[n - 1][0] == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (lines, g_strdup (parts[i]));
  return lines;
}

/* the edit script from the LCS table, in order */
static GArray *
edit_script (GPtrArray *old_lines, GPtrArray *new_lines)
{
  guint n = old_lines->len, m = new_lines->len;
  g_autofree guint *table = g_new0 (guint, (gsize) (n + 1) * (m + 1));
  GArray *script = g_array_new (FALSE, FALSE, sizeof (DiffLine));
  guint i = 0, j = 0;

#define CELL(a, b) table[(gsize) (a) * (m + 1) + (b)]
  for (guint a = n; a-- > 0;)
    for (guint b = m; b-- > 0;)
      CELL (a, b) = strcmp (g_ptr_array_index (old_lines, a), g_ptr_array_index (new_lines, b)) == 0
                    ? CELL (a + 1, b + 1) + 1 : MAX (CELL (a + 1, b), CELL (a, b + 1));
  while (i < n || j < m) {
    DiffLine line = { SAME, i + 1, j + 1, NULL };

    if (i < n && j < m
        && strcmp (g_ptr_array_index (old_lines, i), g_ptr_array_index (new_lines, j)) == 0) {
      line.text = g_ptr_array_index (old_lines, i);
      i++, j++;
    } else if (i < n && (j == m || CELL (i + 1, j) >= CELL (i, j + 1))) {
      /* removals first, as diff -u prints a changed line */
      line.kind = REMOVED;
      line.text = g_ptr_array_index (old_lines, i);
      i++;
    } else {
      line.kind = ADDED;
      line.text = g_ptr_array_index (new_lines, j);
      j++;
    }
    g_array_append_val (script, line);
  }
#undef CELL
  return script;
}

/* one hunk: script[@first, @last) */
static void
append_hunk (GString *out, GArray *script, guint first, guint last)
{
  guint old_start = 0, new_start = 0, old_count = 0, new_count = 0;

  for (guint k = first; k < last; k++) {
    const DiffLine *line = &g_array_index (script, DiffLine, k);

    if (line->kind != ADDED && old_count++ == 0)
      old_start = line->old_line;
    if (line->kind != REMOVED && new_count++ == 0)
      new_start = line->new_line;
  }
  /* diff -u's spelling of an empty side: the line before it, count 0 */
  if (old_count == 0)
    old_start = g_array_index (script, DiffLine, first).old_line - 1;
  if (new_count == 0)
    new_start = g_array_index (script, DiffLine, first).new_line - 1;
  g_string_append_printf (out, "@@ -%u,%u +%u,%u @@\n", old_start, old_count, new_start, new_count);
  for (guint k = first; k < last; k++) {
    const DiffLine *line = &g_array_index (script, DiffLine, k);

    g_string_append_printf (out, "%c%s\n", line->kind == SAME ? ' ' : line->kind == ADDED ? '+' : '-',
                            line->text);
  }
}

/**
 * vmctl_host_setup_diff:
 * @before_exists: FALSE: the file is created ("--- /dev/null")
 * @after_exists: FALSE: the file is removed ("+++ /dev/null")
 *
 * Returns: (transfer full): the unified diff with 3 lines of context, ""
 * when the texts are the same
 */
gchar *
vmctl_host_setup_diff (const gchar *path, const gchar *before, gboolean before_exists,
                       const gchar *after, gboolean after_exists)
{
  g_autoptr(GPtrArray) old_lines = split_lines (before_exists ? before : "");
  g_autoptr(GPtrArray) new_lines = split_lines (after_exists ? after : "");
  g_autoptr(GArray) script = edit_script (old_lines, new_lines);
  g_autoptr(GString) out = g_string_new (NULL);
  guint k = 0;

  if (before_exists == after_exists && g_strcmp0 (before, after) == 0)
    return g_strdup ("");
  g_string_append_printf (out, "--- %s\n+++ %s\n", before_exists ? path : "/dev/null",
                          after_exists ? path : "/dev/null");
  while (k < script->len) {
    guint first, last;

    while (k < script->len && g_array_index (script, DiffLine, k).kind == SAME)
      k++;
    if (k == script->len)
      break;
    first = k >= CONTEXT ? k - CONTEXT : 0;
    /* extend over changes closer than twice the context */
    last = k;
    for (;;) {
      guint same = 0;

      while (last < script->len && g_array_index (script, DiffLine, last).kind != SAME)
        last++;
      while (last + same < script->len
             && g_array_index (script, DiffLine, last + same).kind == SAME)
        same++;
      if (last + same == script->len || same > 2 * CONTEXT) {
        last += MIN (same, CONTEXT);
        break;
      }
      last += same;
    }
    append_hunk (out, script, first, last);
    k = last;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
