/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup-edit.c: the smallest edit of each boot loader's file
 * that puts the wanted parameters on the kernel command line, leaving
 * every other byte as it was (the administrator's "quiet splash", a
 * resume device, comments, spacing). A file vmctl cannot edit with
 * certainty (a shell expansion in /etc/default/grub, a line continued
 * with a backslash, a MODULES array over several lines) is refused with
 * what to add by hand, never rewritten on a guess. */
#include "vmctl-host-setup-private.h"
#include "vmctl-glib-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* parameters whose other values vmctl replaces: one IOMMU setting wins on
 * the command line (the kernel takes the last), so a stale
 * "intel_iommu=off" must go. Others (rd.driver.pre) take several values
 * and are only ever added to. */
static const gchar * const exclusive_names[] = { "intel_iommu", "iommu", NULL };

static gchar *
param_name (const gchar *token)
{
  const gchar *equals = strchr (token, '=');

  return equals != NULL ? g_strndup (token, (gsize) (equals - token)) : g_strdup (token);
}

/* whether @token already says what @wanted says: the same name with the
 * wanted value among its comma-separated values ("intel_iommu=on,sm_on"
 * has intel_iommu=on) */
static gboolean
token_has (const gchar *token, const gchar *wanted)
{
  g_autofree gchar *name = param_name (wanted);
  g_autofree gchar *token_name = param_name (token);
  const gchar *value = strchr (wanted, '=');
  const gchar *token_value = strchr (token, '=');
  g_auto(GStrv) values = NULL;

  if (g_strcmp0 (name, token_name) != 0)
    return FALSE;
  if (value == NULL || token_value == NULL)
    return value == NULL && token_value == NULL;
  values = g_strsplit (token_value + 1, ",", -1);
  return g_strv_contains ((const gchar * const *) values, value + 1);
}

static gboolean
token_conflicts (const gchar *token, const gchar *wanted)
{
  g_autofree gchar *name = param_name (wanted);
  g_autofree gchar *token_name = param_name (token);

  return g_strv_contains (exclusive_names, name) && g_strcmp0 (name, token_name) == 0
         && !token_has (token, wanted);
}

/* @tokens with conflicting values of @params removed; with @add, the
 * missing @params appended. Returns whether anything changed. */
static gboolean
update_tokens (GPtrArray *tokens, const gchar * const *params, gboolean add)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < tokens->len;) {
    gboolean conflict = FALSE;

    for (guint p = 0; params[p] != NULL && !conflict; p++)
      conflict = token_conflicts (g_ptr_array_index (tokens, i), params[p]);
    if (conflict) {
      g_ptr_array_remove_index (tokens, i);
      changed = TRUE;
    } else {
      i++;
    }
  }
  for (guint p = 0; add && params[p] != NULL; p++) {
    gboolean present = FALSE;

    for (guint i = 0; i < tokens->len && !present; i++)
      present = token_has (g_ptr_array_index (tokens, i), params[p]);
    if (!present) {
      g_ptr_array_add (tokens, g_strdup (params[p]));
      changed = TRUE;
    }
  }
  return changed;
}

static GPtrArray *
split_tokens (const gchar *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = g_strsplit_set (text, " \t", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (tokens, g_strdup (words[i]));
  return tokens;
}

gboolean
vmctl_host_setup_unsupported (GError **error, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  vmctl_fail_valist (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_UNSUPPORTED, format,
                     args);
  va_end (args);
  return FALSE;
}

/* One GRUB_CMDLINE_LINUX[_DEFAULT]= assignment, split so that only the
 * value is rebuilt: "  export GRUB_CMDLINE_LINUX_DEFAULT=" + '"' + value
 * + '"' + "  # comment". A value with a shell expansion, an escape or a
 * continuation is not one vmctl can edit for sure. */
typedef struct {
  gchar *head;
  gchar quote;      /* '"', '\'' or 0 (a bare word) */
  gchar *value;
  gchar *tail;
} GrubAssignment;

static void
grub_assignment_clear (GrubAssignment *assignment)
{
  g_free (assignment->head);
  g_free (assignment->value);
  g_free (assignment->tail);
}

static gboolean
parse_grub_line (const gchar *line, const gchar *key, GrubAssignment *out, gboolean *out_matched,
                 GError **error)
{
  const gchar *p = line;
  const gchar *value;
  const gchar *end;
  gsize key_length = strlen (key);

  *out_matched = FALSE;
  while (*p == ' ' || *p == '\t')
    p++;
  if (g_str_has_prefix (p, "export "))
    p += strlen ("export ");
  if (strncmp (p, key, key_length) != 0 || p[key_length] != '=')
    return TRUE;
  *out_matched = TRUE;
  value = p + key_length + 1;
  if (*value == '"' || *value == '\'') {
    end = strchr (value + 1, *value);
    if (end == NULL || strpbrk (value, "$`\\") != NULL)
      return vmctl_host_setup_unsupported (error,
                                           "the %s line of /etc/default/grub uses shell syntax vmctl does "
                                           "not edit", key);
    out->quote = *value;
    out->value = g_strndup (value + 1, (gsize) (end - value - 1));
    out->tail = g_strdup (end + 1);
  } else {
    end = value + strcspn (value, " \t#");
    if (strpbrk (value, "$`\\\"'") != NULL)
      return vmctl_host_setup_unsupported (error,
                                           "the %s line of /etc/default/grub uses shell syntax vmctl does "
                                           "not edit", key);
    out->quote = 0;
    out->value = g_strndup (value, (gsize) (end - value));
    out->tail = g_strdup (end);
  }
  if (strspn (out->tail, " \t") != strlen (out->tail) && out->tail[strspn (out->tail, " \t")] != '#')
    return vmctl_host_setup_unsupported (error,
                                         "the %s line of /etc/default/grub has more than one assignment",
                                         key);
  out->head = g_strndup (line, (gsize) (value - line));
  return TRUE;
}

static gchar *
render_grub_line (const GrubAssignment *assignment, GPtrArray *tokens)
{
  g_autofree gchar *joined = vmctl_ptr_array_join (tokens, " ");
  gchar quote = assignment->quote != 0 ? assignment->quote : '"';

  return g_strdup_printf ("%s%c%s%c%s", assignment->head, quote, joined, quote, assignment->tail);
}

/* the parameters none of @tokens has yet */
static GPtrArray *
missing_params (GPtrArray *tokens, const gchar * const *params)
{
  GPtrArray *missing = g_ptr_array_new ();

  for (guint p = 0; params[p] != NULL; p++) {
    gboolean present = FALSE;

    for (guint i = 0; i < tokens->len && !present; i++)
      present = token_has (g_ptr_array_index (tokens, i), params[p]);
    if (!present)
      g_ptr_array_add (missing, (gpointer) params[p]);
  }
  g_ptr_array_add (missing, NULL);
  return missing;
}

/**
 * vmctl_host_setup_edit_grub:
 * @text: /etc/default/grub
 *
 * Conflicting values go from every GRUB_CMDLINE_LINUX and _DEFAULT line;
 * a parameter on none of them is added to the last
 * GRUB_CMDLINE_LINUX_DEFAULT (the one the shell keeps), or to a new line
 * at the end when there is none (grub-mkconfig puts both on the kernel's
 * line).
 *
 * Returns: (transfer full): the new text (equal to @text when nothing
 * changes), or NULL for shell syntax vmctl does not edit
 */
gchar *
vmctl_host_setup_edit_grub (const gchar *text, const gchar * const *params, GError **error)
{
  static const gchar * const keys[] = { "GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX" };
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) missing = NULL;
  GrubAssignment last = { 0 };
  gint last_default = -1;

  for (guint i = 0; lines[i] != NULL; i++) {
    for (guint k = 0; k < G_N_ELEMENTS (keys); k++) {
      GrubAssignment assignment = { 0 };
      g_autoptr(GPtrArray) tokens = NULL;
      gboolean matched = FALSE;

      if (!parse_grub_line (lines[i], keys[k], &assignment, &matched, error)) {
        grub_assignment_clear (&assignment);
        grub_assignment_clear (&last);
        return NULL;
      }
      if (!matched)
        continue;
      tokens = split_tokens (assignment.value);
      if (update_tokens (tokens, params, FALSE)) {
        g_free (lines[i]);
        lines[i] = render_grub_line (&assignment, tokens);
        g_free (assignment.value);
        assignment.value = vmctl_ptr_array_join (tokens, " ");
      }
      for (guint t = 0; t < tokens->len; t++)
        g_ptr_array_add (all, g_strdup (g_ptr_array_index (tokens, t)));
      if (k == 0) {
        grub_assignment_clear (&last);
        last = assignment;
        last_default = (gint) i;
      } else {
        grub_assignment_clear (&assignment);
      }
      break;
    }
  }
  missing = missing_params (all, params);
  if (missing->len > 1 && last_default >= 0) {
    g_autoptr(GPtrArray) tokens = split_tokens (last.value);

    for (guint p = 0; p + 1 < missing->len; p++)
      g_ptr_array_add (tokens, g_strdup (g_ptr_array_index (missing, p)));
    g_free (lines[last_default]);
    lines[last_default] = render_grub_line (&last, tokens);
  }
  grub_assignment_clear (&last);
  if (missing->len > 1 && last_default < 0) {
    g_autofree gchar *body = g_strjoinv ("\n", lines);
    g_autofree gchar *joined = g_strjoinv (" ", (gchar **) missing->pdata);

    return g_strdup_printf ("%s%sGRUB_CMDLINE_LINUX_DEFAULT=\"%s\"\n", body,
                            body[0] == '\0' || g_str_has_suffix (body, "\n") ? "" : "\n", joined);
  }
  return g_strjoinv ("\n", lines);
}

/**
 * vmctl_host_setup_edit_cmdline:
 * @text: /etc/kernel/cmdline: the whole command line kernel-install uses
 *
 * Returns: (transfer full): the new text
 */
gchar *
vmctl_host_setup_edit_cmdline (const gchar *text, const gchar * const *params)
{
  g_autofree gchar *stripped = g_strstrip (g_strdup (text));
  g_autoptr(GPtrArray) tokens = split_tokens (stripped);
  g_autofree gchar *joined = NULL;

  for (guint i = 0; i < tokens->len; i++) {
    gchar *token = g_ptr_array_index (tokens, i);

    g_strdelimit (token, "\n", ' ');
  }
  if (!update_tokens (tokens, params, TRUE))
    return g_strdup (text);
  joined = vmctl_ptr_array_join (tokens, " ");
  return g_strconcat (joined, "\n", NULL);
}

/**
 * vmctl_host_setup_edit_loader_entry:
 * @text: a systemd-boot entry (/boot/loader/entries/NAME.conf)
 *
 * The parameters go on its first "options" line (one is added when there
 * is none); conflicting values leave every options line.
 *
 * Returns: (transfer full): the new text
 */
gchar *
vmctl_host_setup_edit_loader_entry (const gchar *text, const gchar * const *params)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean first = TRUE;

  for (guint i = 0; lines[i] != NULL; i++) {
    const gchar *line = lines[i];
    g_autoptr(GPtrArray) tokens = NULL;
    g_autofree gchar *joined = NULL;

    if (!g_str_has_prefix (line, "options") || (line[7] != ' ' && line[7] != '\t'))
      continue;
    tokens = split_tokens (line + 8);
    if (update_tokens (tokens, params, first)) {
      joined = vmctl_ptr_array_join (tokens, " ");
      g_free (lines[i]);
      lines[i] = g_strconcat ("options ", joined, NULL);
    }
    first = FALSE;
  }
  if (first) {
    g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
    g_autofree gchar *body = g_strjoinv ("\n", lines);
    g_autofree gchar *joined = NULL;

    update_tokens (tokens, params, TRUE);
    joined = vmctl_ptr_array_join (tokens, " ");
    return g_strdup_printf ("%s%soptions %s\n", body,
                            body[0] == '\0' || g_str_has_suffix (body, "\n") ? "" : "\n", joined);
  }
  return g_strjoinv ("\n", lines);
}

/**
 * vmctl_host_setup_edit_kernelstub:
 * @text: /etc/kernelstub/configuration (JSON; kernelstub rewrites it
 *   itself, so its formatting is not the administrator's)
 *
 * Returns: (transfer full): the configuration with the parameters in
 * user.kernel_options, or NULL when it is not kernelstub's JSON
 */
gchar *
vmctl_host_setup_edit_kernelstub (const gchar *text, const gchar * const *params,
                                  GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree gchar *data = NULL;
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  JsonObject *user = NULL;
  JsonArray *options = NULL;
  JsonArray *updated;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser))
      || (user = json_object_get_object_member (json_node_get_object (root), "user")) == NULL
      || !json_object_has_member (user, "kernel_options")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (user, "kernel_options"))) {
    vmctl_host_setup_unsupported (error,
                                  "/etc/kernelstub/configuration has no user.kernel_options list: add "
                                  "the parameters with 'kernelstub --add-options'");
    return NULL;
  }
  options = json_object_get_array_member (user, "kernel_options");
  for (guint i = 0; i < json_array_get_length (options); i++) {
    const gchar *option = json_node_get_string (json_array_get_element (options, i));

    if (option == NULL) {
      vmctl_host_setup_unsupported (error,
                                    "/etc/kernelstub/configuration lists a kernel option that is not a "
                                    "string");
      return NULL;
    }
    g_ptr_array_add (tokens, g_strdup (option));
  }
  if (!update_tokens (tokens, params, TRUE))
    return g_strdup (text);
  updated = json_array_new ();
  for (guint i = 0; i < tokens->len; i++)
    json_array_add_string_element (updated, g_ptr_array_index (tokens, i));
  json_object_set_array_member (user, "kernel_options", updated);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);
  return g_strconcat (data, "\n", NULL);
}

/* the words of a one-line bash array "NAME=(a "b" c)  # comment": FALSE
 * when @line is that array but not on one line, or holds expansions */
static gboolean
parse_array_line (const gchar *line, const gchar *name, GPtrArray **out_words,
                  gchar **out_tail, GError **error)
{
  g_autofree gchar *prefix = g_strconcat (name, "=(", NULL);
  const gchar *close;
  g_autofree gchar *inside = NULL;
  g_autoptr(GPtrArray) words = NULL;

  *out_words = NULL;
  if (!g_str_has_prefix (line, prefix))
    return TRUE;
  close = strchr (line, ')');
  if (close == NULL || strpbrk (line, "$`\\") != NULL)
    return vmctl_host_setup_unsupported (error,
                                         "the %s array of /etc/mkinitcpio.conf is not on one line, or "
                                         "uses shell syntax vmctl does not edit", name);
  inside = g_strndup (line + strlen (prefix), (gsize) (close - line - strlen (prefix)));
  words = split_tokens (inside);
  /* "vfio_pci" and vfio_pci are the same word to bash */
  for (guint i = 0; i < words->len; i++) {
    gchar *word = g_ptr_array_index (words, i);

    g_strstrip (g_strdelimit (word, "\"'", ' '));
  }
  *out_words = g_steal_pointer (&words);
  *out_tail = g_strdup (close + 1);
  return TRUE;
}

/* @line's array with the missing @wanted added (in front with @prepend,
 * which the modules need: vfio first, before any GPU driver) */
static gchar *
render_array (const gchar *name, GPtrArray *words, const gchar * const *wanted,
              gboolean prepend, const gchar *tail, gboolean *out_changed)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree gchar *new_words = NULL;

  for (guint i = 0; wanted[i] != NULL; i++) {
    gboolean present = FALSE;

    for (guint j = 0; j < words->len && !present; j++)
      present = g_strcmp0 (g_ptr_array_index (words, j), wanted[i]) == 0;
    if (!present)
      g_ptr_array_add (missing, (gpointer) wanted[i]);
  }
  *out_changed = missing->len > 0;
  for (guint i = 0; i < missing->len; i++) {
    if (prepend)
      g_ptr_array_insert (words, (gint) i, g_strdup (g_ptr_array_index (missing, i)));
    else
      g_ptr_array_add (words, g_strdup (g_ptr_array_index (missing, i)));
  }
  new_words = vmctl_ptr_array_join (words, " ");
  return g_strdup_printf ("%s=(%s)%s", name, new_words, tail);
}

/**
 * vmctl_host_setup_edit_mkinitcpio:
 * @modules: modules to have first in MODULES
 * @files: files to have in FILES
 *
 * Returns: (transfer full): the new /etc/mkinitcpio.conf, or NULL
 */
gchar *
vmctl_host_setup_edit_mkinitcpio (const gchar *text, const gchar * const *modules,
                                  const gchar * const *files, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  const gchar * const names[] = { "MODULES", "FILES" };
  const gchar * const *wanted[] = { modules, files };
  gboolean found[2] = { FALSE, FALSE };
  g_autoptr(GString) result = NULL;
  g_autofree gchar *body = NULL;

  for (guint i = 0; lines[i] != NULL; i++) {
    for (guint k = 0; k < 2; k++) {
      g_autoptr(GPtrArray) words = NULL;
      g_autofree gchar *tail = NULL;
      gboolean changed = FALSE;
      gchar *rendered;

      if (!parse_array_line (lines[i], names[k], &words, &tail, error))
        return NULL;
      if (words == NULL)
        continue;
      found[k] = TRUE;
      rendered = render_array (names[k], words, wanted[k], k == 0, tail, &changed);
      if (changed) {
        g_free (lines[i]);
        lines[i] = rendered;
      } else {
        g_free (rendered);
      }
    }
  }
  body = g_strjoinv ("\n", lines);
  result = g_string_new (body);
  for (guint k = 0; k < 2; k++) {
    g_autofree gchar *joined = NULL;

    if (found[k])
      continue;
    joined = g_strjoinv (" ", (gchar **) wanted[k]);
    if (result->len > 0 && result->str[result->len - 1] != '\n')
      g_string_append_c (result, '\n');
    g_string_append_printf (result, "%s=(%s)\n", names[k], joined);
  }
  return g_string_free (g_steal_pointer (&result), FALSE);
}

/**
 * vmctl_host_setup_edit_lines:
 * @text: a line-oriented file ("" for a new one)
 * @lines: lines the file must have
 * @replace_prefix: (nullable): a line starting with it is replaced by the
 *   first of @lines ("options kvm_intel " for kvm-nested.conf)
 *
 * Returns: (transfer full): the new text; @text when every line is there
 */
gchar *
vmctl_host_setup_edit_lines (const gchar *text, const gchar * const *lines,
                             const gchar *replace_prefix)
{
  g_auto(GStrv) existing = g_strsplit (text, "\n", -1);
  g_autoptr(GString) result = NULL;
  g_autofree gchar *body = NULL;
  gboolean replaced = FALSE;

  for (guint i = 0; replace_prefix != NULL && existing[i] != NULL && !replaced; i++) {
    g_autofree gchar *stripped = g_strstrip (g_strdup (existing[i]));

    if (!g_str_has_prefix (existing[i], replace_prefix) || g_strcmp0 (stripped, lines[0]) == 0)
      continue;
    g_free (existing[i]);
    existing[i] = g_strdup (lines[0]);
    replaced = TRUE;
  }
  body = g_strjoinv ("\n", existing);
  result = g_string_new (body);
  for (guint i = replaced ? 1 : 0; lines[i] != NULL; i++) {
    gboolean present = FALSE;

    for (guint j = 0; existing[j] != NULL && !present; j++) {
      g_autofree gchar *stripped = g_strstrip (g_strdup (existing[j]));

      present = g_strcmp0 (stripped, lines[i]) == 0;
    }
    if (present)
      continue;
    if (result->len > 0 && result->str[result->len - 1] != '\n')
      g_string_append_c (result, '\n');
    g_string_append_printf (result, "%s\n", lines[i]);
  }
  return g_string_free (g_steal_pointer (&result), FALSE);
}
