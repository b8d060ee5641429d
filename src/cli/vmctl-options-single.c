/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-options-single.c: GOptionContext keeps the last value of an
 * option given twice, so "--memory 4G --memory 8G" would silently make an
 * 8 GiB VM. vmctl refuses that instead, for every command and every
 * option that holds one value (DESIGN.md).
 *
 * The arguments are counted by a second GOptionContext over the same
 * option names, each turned into a callback, before the real parse: GLib
 * itself then decides what is an option and what is a value ("-cURI",
 * "--memory=4G", "--cmdline --memory", grouped short flags, "--"), so
 * the count can never disagree with the parse that follows. */
#include "vmctl-options-single.h"

#include <string.h>

typedef struct {
  GArray *entries;        /* GOptionEntry: the counting copies */
  const GOptionEntry **originals; /* the entry each copy stands for */
  guint *seen;            /* per copy: how often it was given */
  gboolean repeated;      /* the count found one given twice */
} Counter;

/* Options that hold one value: what the parse would overwrite. Flags
 * (NONE) say the same thing twice, arrays and callbacks collect. */
static gboolean
is_single_valued (GOptionArg arg)
{
  switch (arg) {
  case G_OPTION_ARG_STRING:
  case G_OPTION_ARG_FILENAME:
  case G_OPTION_ARG_INT:
  case G_OPTION_ARG_INT64:
  case G_OPTION_ARG_DOUBLE:
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean
count_option (const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
  Counter *counter = data;
  gboolean is_long = g_str_has_prefix (option_name, "--");

  for (guint i = 0; i < counter->entries->len; i++) {
    const GOptionEntry *original = counter->originals[i];

    if (is_long ? g_strcmp0 (option_name + 2, original->long_name) != 0
                : option_name[1] != original->short_name || original->short_name == 0)
      continue;
    counter->seen[i]++;
    if (counter->seen[i] > 1 && is_single_valued (original->arg)) {
      counter->repeated = TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s is given twice: it takes one value, so give it once", original->long_name);
      return FALSE;
    }
    return TRUE;
  }
  return TRUE;
}

static void
add_counting_entry (Counter *counter, const GOptionEntry *original, GPtrArray *originals)
{
  GOptionEntry copy = *original;

  copy.arg = G_OPTION_ARG_CALLBACK;
  copy.arg_data = (gpointer) count_option;
  /* a callback stands for a flag only with NO_ARG; FILENAME keeps the
   * value's bytes as they are (no UTF-8 check to fail on); REVERSE is
   * for flags only */
  copy.flags &= ~(G_OPTION_FLAG_REVERSE | G_OPTION_FLAG_NO_ARG | G_OPTION_FLAG_FILENAME);
  if (original->arg == G_OPTION_ARG_NONE)
    copy.flags |= G_OPTION_FLAG_NO_ARG;
  else if (original->arg == G_OPTION_ARG_CALLBACK)
    copy.flags |= original->flags & (G_OPTION_FLAG_NO_ARG | G_OPTION_FLAG_FILENAME);
  else
    copy.flags |= G_OPTION_FLAG_FILENAME;
  g_array_append_val (counter->entries, copy);
  g_ptr_array_add (originals, (gpointer) original);
}

/**
 * vmctl_options_check_single:
 * @arguments: the arguments about to be parsed, [0] the program name;
 *   not changed
 * @entry_lists: the entry arrays the parse will use (each ending with a
 *   zeroed entry); NULL ones are skipped
 * @n_lists: how many
 * @strict_posix: the parse stops at the first non-option word (vmctl's
 *   global options before the command words)
 * @error: G_OPTION_ERROR_BAD_VALUE naming the option given twice
 *
 * Other mistakes (an unknown option, a missing value) are left to the
 * real parse, which reports them in its own words.
 *
 * Returns: FALSE when a single-valued option is given more than once
 */
gboolean
vmctl_options_check_single (gchar **arguments, const GOptionEntry * const *entry_lists,
                            guint n_lists, gboolean strict_posix, GError **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GPtrArray) originals = g_ptr_array_new ();
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_auto(GStrv) copy = g_strdupv (arguments);
  g_autofree guint *seen = NULL;
  g_autoptr(GError) parse_error = NULL;
  Counter counter = { entries };
  GOptionGroup *group;

  for (guint list = 0; list < n_lists; list++)
    for (const GOptionEntry *entry = entry_lists[list]; entry != NULL && entry->long_name != NULL;
         entry++)
      add_counting_entry (&counter, entry, originals);
  seen = g_new0 (guint, MAX (entries->len, 1));
  counter.originals = (const GOptionEntry **) originals->pdata;
  counter.seen = seen;

  group = g_option_group_new ("count", "", "", &counter, NULL);
  g_option_group_add_entries (group, (const GOptionEntry *) entries->data);
  g_option_context_set_main_group (context, group);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_set_strict_posix (context, strict_posix);
  if (g_option_context_parse_strv (context, &copy, &parse_error) || !counter.repeated)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&parse_error));
  return FALSE;
}
