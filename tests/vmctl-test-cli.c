/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-cli.c: running the vmctl binary and reading what it prints,
 * shared by the CLI test programs. */
#include "vmctl-test-cli.h"

#include <string.h>

static const gchar * const verdict_keys[] = {
  "address", "passable", "iommu_group", "companions", "bridges", "blockers",
  "peers", "siblings", "boot_vga", "driver", "reasons", NULL,
};

void
vmctl_test_cli_setup (CliFixture *fixture, gconstpointer data)
{
  fixture->root = vmctl_test_copy_scenario (data);
}

void
vmctl_test_cli_demo_setup (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *source = vmctl_test_source_path ("data/demo-host");

  fixture->root = vmctl_test_copy_tree (source);
}

void
vmctl_test_cli_teardown (CliFixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

JsonNode *
vmctl_test_parse_json (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_nonnull (text);
  /* pretty JSON with exactly one trailing newline */
  g_assert_true (g_str_has_suffix (text, "}\n"));
  g_assert_false (g_str_has_suffix (text, "\n\n"));
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* one line, "vmctl: ...", and nothing more */
void
vmctl_test_assert_one_error_line (const VmctlTestRun *run)
{
  const gchar *newline;

  g_assert_true (g_str_has_prefix (run->err, "vmctl: "));
  newline = strchr (run->err, '\n');
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline, ==, "\n");
  g_assert_cmpuint (strlen (run->err), >, strlen ("vmctl: \n"));
}

void
vmctl_test_assert_usage_error (const VmctlTestRun *run)
{
  g_assert_cmpint (run->exit_status, ==, 2);
  vmctl_test_assert_one_error_line (run);
}

void
vmctl_test_assert_no_trailing_spaces (const gchar *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_false (g_str_has_suffix (lines[i], " "));
}

void
vmctl_test_assert_address_array (JsonObject *object, const gchar *member, const gchar * const *expected)
{
  JsonArray *array = json_object_get_array_member (object, member);
  guint length = g_strv_length ((gchar **) expected);

  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, length);
  for (guint i = 0; i < length; i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, expected[i]);
}

gboolean
vmctl_test_address_array_contains (JsonObject *object, const gchar *member, const gchar *address)
{
  JsonArray *array = json_object_get_array_member (object, member);

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), address) == 0)
      return TRUE;
  return FALSE;
}

/* The gpu check object: exactly these keys in this order, each of the
 * right type. @extra is one more key expected at the end (gpu list adds
 * "description"), or NULL. */
void
vmctl_test_assert_verdict_shape (JsonObject *object, const gchar *extra)
{
  g_autoptr(GList) members = json_object_get_members (object);
  GList *member = members;
  JsonNode *node;

  for (guint i = 0; verdict_keys[i] != NULL; i++, member = member->next) {
    g_assert_nonnull (member);
    g_assert_cmpstr (member->data, ==, verdict_keys[i]);
  }
  if (extra != NULL) {
    g_assert_nonnull (member);
    g_assert_cmpstr (member->data, ==, extra);
    member = member->next;
  }
  /* issue 12: gpu check ends with the card's BARs and Resizable BAR */
  if (member != NULL && g_strcmp0 (member->data, "bars") == 0) {
    member = member->next;
    g_assert_nonnull (member);
    g_assert_cmpstr (member->data, ==, "rebar");
    member = member->next;
  }
  g_assert_null (member);

  g_assert_nonnull (json_object_get_string_member (object, "address"));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "passable")),
                   ==, G_TYPE_BOOLEAN);
  node = json_object_get_member (object, "iommu_group");
  g_assert_true (JSON_NODE_HOLDS_NULL (node)
                 || json_node_get_value_type (node) == G_TYPE_INT64);
  for (guint i = 3; i <= 7; i++) {
    JsonArray *array = json_object_get_array_member (object, verdict_keys[i]);

    for (guint j = 0; j < json_array_get_length (array); j++) {
      const gchar *address = json_array_get_string_element (array, j);

      g_assert_true (g_regex_match_simple ("^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]$",
                                           address, 0, 0));
    }
  }
  node = json_object_get_member (object, "boot_vga");
  g_assert_true (JSON_NODE_HOLDS_NULL (node)
                 || json_node_get_value_type (node) == G_TYPE_BOOLEAN);
  node = json_object_get_member (object, "driver");
  g_assert_true (JSON_NODE_HOLDS_NULL (node)
                 || json_node_get_value_type (node) == G_TYPE_STRING);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "reasons")));
}

VmctlTestRun *
vmctl_test_gpu_check_json (const gchar *root, const gchar *address, JsonNode **out_node)
{
  VmctlTestRun *run = vmctl_test_run_vmctlv ("--host-root", root, "gpu", "check", address,
                                             "--json", NULL);

  g_assert_cmpint (run->exit_status, <=, 1);
  g_assert_cmpstr (run->err, ==, "");
  *out_node = vmctl_test_parse_json (run->out);
  vmctl_test_assert_verdict_shape (json_node_get_object (*out_node), NULL);
  return run;
}

gboolean
vmctl_test_any_reason_contains (JsonObject *object, const gchar *needle)
{
  JsonArray *reasons = json_object_get_array_member (object, "reasons");

  for (guint i = 0; i < json_array_get_length (reasons); i++)
    if (strstr (json_array_get_string_element (reasons, i), needle) != NULL)
      return TRUE;
  return FALSE;
}
