/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-output-json.c: JSON that every parser reads. The strings vmctl
 * prints come from sysfs, libvirt and files, which hold bytes, not text;
 * vmctl_json_print() passes every document through here. */
#include "vmctl-output.h"

/* @text with every byte that is not part of valid UTF-8 written as "\xNN":
 * the bytes stay visible, and the text is valid JSON string content. */
static gchar *
utf8_escape_invalid (const gchar *text)
{
  GString *valid = g_string_new (NULL);
  const gchar *rest = text;
  const gchar *end = NULL;

  while (!g_utf8_validate (rest, -1, &end)) {
    g_string_append_len (valid, rest, end - rest);
    g_string_append_printf (valid, "\\x%02x", (guchar) *end);
    rest = end + 1;
  }
  g_string_append (valid, rest);
  return g_string_free (valid, FALSE);
}

/**
 * vmctl_json_make_valid:
 * @node: a tree about to be printed
 *
 * Every string of the tree, member names included, made valid UTF-8 in
 * place. Strings come from sysfs (driver names are whatever a module
 * called itself), libvirt and files, and json-glib copies their bytes
 * as they are: one stray byte makes the whole document unreadable to
 * every JSON parser. Done here, where all JSON is printed, no command can
 * forget it. */
void
vmctl_json_make_valid (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node)) {
  case JSON_NODE_VALUE:
    if (json_node_get_value_type (node) == G_TYPE_STRING) {
      const gchar *text = json_node_get_string (node);

      if (text != NULL && !g_utf8_validate (text, -1, NULL)) {
        g_autofree gchar *valid = utf8_escape_invalid (text);

        json_node_set_string (node, valid);
      }
    }
    break;
  case JSON_NODE_ARRAY: {
    JsonArray *array = json_node_get_array (node);

    for (guint i = 0; i < json_array_get_length (array); i++)
      vmctl_json_make_valid (json_array_get_element (array, i));
    break;
  }
  case JSON_NODE_OBJECT: {
    JsonObject *object = json_node_get_object (node);
    g_autoptr(GList) members = json_object_get_members (object);
    g_autoptr(GPtrArray) invalid = g_ptr_array_new_with_free_func (g_free);

    for (GList *member = members; member != NULL; member = member->next) {
      vmctl_json_make_valid (json_object_get_member (object, member->data));
      if (!g_utf8_validate (member->data, -1, NULL))
        g_ptr_array_add (invalid, g_strdup (member->data));
    }
    /* renamed after the walk: removing a member frees the name the
     * list points at */
    for (guint i = 0; i < invalid->len; i++) {
      const gchar *name = g_ptr_array_index (invalid, i);
      g_autoptr(JsonNode) value = json_object_dup_member (object, name);
      g_autofree gchar *valid = utf8_escape_invalid (name);

      json_object_remove_member (object, name);
      json_object_set_member (object, valid, g_steal_pointer (&value));
    }
    break;
  }
  case JSON_NODE_NULL:
  default:
    break;
  }
}
