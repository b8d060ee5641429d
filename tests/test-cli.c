/* test-cli.c: the vmctl binary against the fixtures, through the stable
 * contract of DESIGN.md: options before and after the command words, exit
 * codes, one-line errors on stderr, and the exact JSON shapes. */
#include "vmctl-test-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  gchar *root;  /* a private copy of tests/data/sysfs/<scenario> */
} CliFixture;

static void
fixture_setup (CliFixture *fixture, gconstpointer data)
{
  fixture->root = vmctl_test_copy_scenario (data);
}

static void
fixture_teardown (CliFixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

#define add_cli_test(path, scenario, function) \
  g_test_add (path, CliFixture, scenario, fixture_setup, function, fixture_teardown)

/* ---- helpers --------------------------------------------------------- */

static JsonNode *
parse_json (const gchar *text)
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
static void
assert_one_error_line (const VmctlTestRun *run)
{
  const gchar *newline;

  g_assert_true (g_str_has_prefix (run->err, "vmctl: "));
  newline = strchr (run->err, '\n');
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline, ==, "\n");
  g_assert_cmpuint (strlen (run->err), >, strlen ("vmctl: \n"));
}

static void
assert_usage_error (const VmctlTestRun *run)
{
  g_assert_cmpint (run->exit_status, ==, 2);
  assert_one_error_line (run);
}

static void
assert_no_trailing_spaces (const gchar *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_false (g_str_has_suffix (lines[i], " "));
}

static void
assert_address_array (JsonObject *object, const gchar *member, const gchar * const *expected)
{
  JsonArray *array = json_object_get_array_member (object, member);
  guint length = g_strv_length ((gchar **) expected);

  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, length);
  for (guint i = 0; i < length; i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, expected[i]);
}

static gboolean
address_array_contains (JsonObject *object, const gchar *member, const gchar *address)
{
  JsonArray *array = json_object_get_array_member (object, member);

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), address) == 0)
      return TRUE;
  return FALSE;
}

static const gchar * const verdict_keys[] = {
  "address", "passable", "iommu_group", "companions", "bridges", "blockers",
  "peers", "siblings", "boot_vga", "driver", "reasons", NULL,
};

/* The gpu check object: exactly these keys in this order, each of the
 * right type. @extra is one more key expected at the end (gpu list adds
 * "description"), or NULL. */
static void
assert_verdict_shape (JsonObject *object, const gchar *extra)
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

static VmctlTestRun *
gpu_check_json (const gchar *root, const gchar *address, JsonNode **out_node)
{
  VmctlTestRun *run = vmctl_test_run_vmctlv ("--host-root", root, "gpu", "check", address,
                                             "--json", NULL);

  g_assert_cmpint (run->exit_status, <=, 1);
  g_assert_cmpstr (run->err, ==, "");
  *out_node = parse_json (run->out);
  assert_verdict_shape (json_node_get_object (*out_node), NULL);
  return run;
}

static gboolean
any_reason_contains (JsonObject *object, const gchar *needle)
{
  JsonArray *reasons = json_object_get_array_member (object, "reasons");

  for (guint i = 0; i < json_array_get_length (reasons); i++)
    if (strstr (json_array_get_string_element (reasons, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

/* ---- gpu check ------------------------------------------------------- */

static void
test_gpu_check_clean_json (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = gpu_check_json (fixture->root, "01:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, "0000:01:00.0");
  g_assert_true (json_object_get_boolean_member (object, "passable"));
  g_assert_cmpint (json_object_get_int_member (object, "iommu_group"), ==, 1);
  assert_address_array (object, "companions", (const gchar *[]) { "0000:01:00.1", NULL });
  assert_address_array (object, "bridges", (const gchar *[]) { "0000:00:01.0", NULL });
  assert_address_array (object, "blockers", (const gchar *[]) { NULL });
  assert_address_array (object, "peers", (const gchar *[]) { NULL });
  assert_address_array (object, "siblings", (const gchar *[]) { NULL });
  g_assert_false (json_object_get_boolean_member (object, "boot_vga"));
  g_assert_cmpstr (json_object_get_string_member (object, "driver"), ==, "nvidia");
}

static void
test_gpu_check_address_forms (CliFixture *fixture, gconstpointer data)
{
  const gchar *forms[] = { "01:00.0", "0000:01:00.0", "pci_0000_01_00_0", "0000:01:00.0" };
  g_autoptr(VmctlTestRun) first = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", forms[0], "--json", NULL);

  g_assert_cmpint (first->exit_status, ==, 0);
  for (guint i = 1; i < G_N_ELEMENTS (forms); i++) {
    g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("gpu", "check", forms[i], "--json",
                                                         "--host-root", fixture->root, NULL);

    g_assert_cmpint (run->exit_status, ==, 0);
    g_assert_cmpstr (run->out, ==, first->out);
  }
}

/* the same command, with the global options before, after and among the
 * command's own arguments */
static void
test_globals_anywhere (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) before = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                          "check", "01:00.0", "--json", NULL);
  g_autoptr(VmctlTestRun) after = vmctl_test_run_vmctlv ("gpu", "check", "--json", "--host-root",
                                                         fixture->root, "01:00.0", NULL);
  g_autoptr(VmctlTestRun) leading = vmctl_test_run_vmctlv ("--json", "--host-root", fixture->root,
                                                           "gpu", "check", "01:00.0", NULL);
  g_autofree gchar *joined = g_strconcat ("--host-root=", fixture->root, NULL);
  g_autoptr(VmctlTestRun) equals = vmctl_test_run_vmctlv ("gpu", "check", "01:00.0", joined,
                                                          "--json", NULL);

  g_assert_cmpint (before->exit_status, ==, 0);
  g_assert_cmpstr (before->err, ==, "");
  g_assert_cmpint (after->exit_status, ==, 0);
  g_assert_cmpstr (after->out, ==, before->out);
  g_assert_cmpint (leading->exit_status, ==, 0);
  g_assert_cmpstr (leading->out, ==, before->out);
  g_assert_cmpint (equals->exit_status, ==, 0);
  g_assert_cmpstr (equals->out, ==, before->out);
}

/* given twice, before and after the command words, the later one wins */
static void
test_globals_override (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) later = vmctl_test_run_vmctlv ("--host-root", "/nonexistent/vmctl",
                                                         "--state-dir", "/nonexistent/a",
                                                         "gpu", "check", "01:00.0",
                                                         "--host-root", fixture->root,
                                                         "--state-dir", "/nonexistent/b",
                                                         "--json", NULL);
  g_autoptr(VmctlTestRun) earlier = vmctl_test_run_vmctlv ("--host-root", fixture->root,
                                                           "gpu", "check", "01:00.0",
                                                           "--host-root", "/nonexistent/vmctl",
                                                           NULL);

  g_assert_cmpint (later->exit_status, ==, 0);
  g_assert_cmpstr (later->err, ==, "");
  assert_usage_error (earlier);
  g_assert_nonnull (strstr (earlier->err, "/nonexistent/vmctl"));
}

static void
test_gpu_check_clean_human (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                       "check", "01:00.0", NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_true (g_str_has_prefix (run->out, "0000:01:00.0  "));
  g_assert_nonnull (strstr (run->out, "\npassable\n"));
  g_assert_null (strstr (run->out, "NOT passable"));
  g_assert_nonnull (strstr (run->out, "0000:01:00.1"));
  g_assert_nonnull (strstr (run->out, "0000:00:01.0"));
  g_assert_nonnull (strstr (run->out, "nvidia"));
  /* not a terminal: no colour */
  g_assert_null (strchr (run->out, '\033'));
  assert_no_trailing_spaces (run->out);
}

static void
test_gpu_check_boot_vga (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = gpu_check_json (fixture->root, "00:02.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_true (json_object_get_boolean_member (object, "passable"));
  g_assert_true (json_object_get_boolean_member (object, "boot_vga"));
  g_assert_cmpstr (json_object_get_string_member (object, "driver"), ==, "i915");
  g_assert_true (any_reason_contains (object, "boot VGA"));
}

static void
test_gpu_check_shared (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = gpu_check_json (fixture->root, "05:00.0", &node);
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", "05:00.0", NULL);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_false (json_object_get_boolean_member (object, "passable"));
  g_assert_true (address_array_contains (object, "blockers", "0000:00:14.0"));
  g_assert_true (address_array_contains (object, "blockers", "0000:00:17.0"));
  g_assert_true (address_array_contains (object, "blockers", "0000:03:00.0"));
  g_assert_true (any_reason_contains (object, "--hostdev"));

  /* a negative verdict is an answer, not an error: stderr stays quiet */
  g_assert_cmpint (human->exit_status, ==, 1);
  g_assert_cmpstr (human->err, ==, "");
  g_assert_nonnull (strstr (human->out, "NOT passable"));
  g_assert_nonnull (strstr (human->out, "0000:00:14.0"));
  g_assert_nonnull (strstr (human->out, "0000:03:00.0"));
}

static void
test_gpu_check_switch (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = gpu_check_json (fixture->root, "04:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==,
                   json_object_get_boolean_member (object, "passable") ? 0 : 1);
  g_assert_cmpint (json_object_get_int_member (object, "iommu_group"), ==, 5);
  assert_address_array (object, "companions", (const gchar *[]) { "0000:04:00.1", NULL });
  assert_address_array (object, "bridges", (const gchar *[]) { NULL });
}

static void
test_gpu_check_siblings (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = gpu_check_json (fixture->root, "0c:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  assert_address_array (object, "siblings", (const gchar *[]) { "0000:0c:00.1", NULL });
  (void) run;
}

static void
test_gpu_check_iommu_off (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = gpu_check_json (fixture->root, "01:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_false (json_object_get_boolean_member (object, "passable"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object, "iommu_group")));
}

static void
test_gpu_check_unknown_device (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                       "check", "09:00.0", NULL);
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                        "check", "09:00.0", "--json", NULL);

  assert_usage_error (run);
  g_assert_true (g_str_has_prefix (run->err, "vmctl: no PCI device 0000:09:00.0 under host root "));
  g_assert_cmpstr (run->out, ==, "");
  assert_usage_error (json);
  g_assert_cmpstr (json->out, ==, "");
}

/* ---- bad input ------------------------------------------------------- */

static void
test_bad_addresses (CliFixture *fixture, gconstpointer data)
{
  const gchar *bad[] = {
    "1:00.0", "0000:01:00.8", "01:20.0", "../../etc", "01:00.0x", "", "01:00.0 ",
    "0000:01:00", "pci_0000_01_00", "g1:00.0", "-",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    for (guint json = 0; json <= 1; json++) {
      g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                           "check", bad[i],
                                                           json ? "--json" : NULL, NULL);

      g_test_message ("address '%s'%s", bad[i], json ? " --json" : "");
      assert_usage_error (run);
      g_assert_cmpstr (run->out, ==, "");
    }
  }
}

static void
test_bad_usage (CliFixture *fixture, gconstpointer data)
{
  const gchar *root = fixture->root;
  const gchar * const cases[][8] = {
    { "--host-root", "/nonexistent/vmctl-test-root", "gpu", "check", "01:00.0", NULL },
    { "--host-root", "/nonexistent/vmctl-test-root", "gpu", "list", "--json", NULL },
    { "gpu", "list", "--host-root", "/nonexistent/vmctl-test-root", NULL },
    { "--host-root", root, "gpu", "check", NULL },
    { "--host-root", root, "gpu", "check", "--json", NULL },
    { "--host-root", root, "gpu", "check", "01:00.0", "01:00.1", NULL },
    { "--host-root", root, "gpu", "list", "extra", NULL },
    { "--host-root", root, "iommu", "list", "--json", "extra", NULL },
    { "--host-root", root, "host", "check", "now", NULL },
    { "--host-root", root, "gpu", "check", "01:00.0", "--bogus", NULL },
    { "--bogus", "gpu", "list", NULL },
    { "--host-root", NULL },
    { "gpu", "check", "01:00.0", "--host-root", NULL },
    { "gpu", "frobnicate", NULL },
    { "gpu", "--json", NULL },
    { "iommu", NULL },
    { "frobnicate", "--json", NULL },
    { "--json", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctl (cases[i]);
    g_autofree gchar *joined = g_strjoinv (" ", (gchar **) cases[i]);
    gboolean json = g_strv_contains (cases[i], "--json");

    g_test_message ("vmctl %s", joined);
    assert_usage_error (run);
    if (json)
      g_assert_cmpstr (run->out, ==, "");
  }
}

static void
test_unknown_command (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("foo", NULL);
  g_autoptr(VmctlTestRun) sub = vmctl_test_run_vmctlv ("gpu", "foo", "01:00.0", NULL);

  assert_usage_error (run);
  g_assert_cmpstr (run->err, ==, "vmctl: unknown command 'foo' (see vmctl --help)\n");
  g_assert_cmpstr (run->out, ==, "");
  assert_usage_error (sub);
  g_assert_nonnull (strstr (sub->err, "'gpu foo'"));
}

static void
test_group_alone (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("gpu", NULL);
  g_autoptr(VmctlTestRun) help = vmctl_test_run_vmctlv ("gpu", "--help", NULL);

  assert_usage_error (run);
  g_assert_nonnull (strstr (run->out, "gpu list"));
  g_assert_nonnull (strstr (run->out, "gpu check ADDR"));
  g_assert_null (strstr (run->out, "iommu list"));
  g_assert_cmpint (help->exit_status, ==, 0);
  g_assert_cmpstr (help->err, ==, "");
  g_assert_nonnull (strstr (help->out, "gpu check ADDR"));
}

/* ---- help and version ------------------------------------------------ */

static void
test_main_help (void)
{
  const gchar * const cases[][3] = {
    { "--help", NULL }, { "-h", NULL }, { "help", NULL },
  };
  const gchar *commands[] = { "host check", "iommu list", "gpu list", "gpu check ADDR" };
  g_autoptr(VmctlTestRun) bare = vmctl_test_run_vmctlv (NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctl (cases[i]);

    g_assert_cmpint (run->exit_status, ==, 0);
    g_assert_cmpstr (run->err, ==, "");
    for (guint j = 0; j < G_N_ELEMENTS (commands); j++)
      g_assert_nonnull (strstr (run->out, commands[j]));
    for (const gchar * const *option = (const gchar *[]) { "--connect", "--host-root",
                                                            "--state-dir", "--json",
                                                            "--version", "--help", NULL };
         *option != NULL; option++)
      g_assert_nonnull (strstr (run->out, *option));
    g_assert_nonnull (strstr (run->out, "Exit status"));
    g_assert_nonnull (strstr (run->out, "Examples"));
    assert_no_trailing_spaces (run->out);
  }

  /* no command at all: the same usage, but it is a usage error */
  g_assert_cmpint (bare->exit_status, ==, 2);
  g_assert_nonnull (strstr (bare->out, "gpu check ADDR"));
  assert_one_error_line (bare);
}

static void
test_command_help (void)
{
  const gchar *commands[][2] = {
    { "host", "check" }, { "iommu", "list" }, { "gpu", "list" }, { "gpu", "check" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_autofree gchar *name = g_strjoin (" ", commands[i][0], commands[i][1], NULL);
    g_autofree gchar *usage = g_strconcat ("vmctl ", name, NULL);
    g_autoptr(VmctlTestRun) after = vmctl_test_run_vmctlv (commands[i][0], commands[i][1],
                                                           "--help", NULL);
    g_autoptr(VmctlTestRun) word = vmctl_test_run_vmctlv ("help", commands[i][0],
                                                          commands[i][1], NULL);
    g_autoptr(VmctlTestRun) before = vmctl_test_run_vmctlv ("--help", commands[i][0],
                                                            commands[i][1], NULL);
    g_autoptr(VmctlTestRun) short_option = vmctl_test_run_vmctlv (commands[i][0], commands[i][1],
                                                                  "-h", NULL);

    g_test_message ("vmctl %s --help", name);
    g_assert_cmpint (after->exit_status, ==, 0);
    g_assert_cmpstr (after->err, ==, "");
    g_assert_nonnull (strstr (after->out, usage));
    g_assert_nonnull (strstr (after->out, "--host-root"));
    g_assert_nonnull (strstr (after->out, "Example"));
    g_assert_cmpint (word->exit_status, ==, 0);
    g_assert_cmpstr (word->out, ==, after->out);
    g_assert_cmpint (before->exit_status, ==, 0);
    g_assert_cmpstr (before->out, ==, after->out);
    g_assert_cmpint (short_option->exit_status, ==, 0);
    g_assert_cmpstr (short_option->out, ==, after->out);
  }
}

static void
test_version (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--version", NULL);
  g_autoptr(VmctlTestRun) after = vmctl_test_run_vmctlv ("gpu", "list", "--version", NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (run->out, "vmctl 0.1.0\n"));
  g_assert_nonnull (strstr (run->out, "libvirt"));
  g_assert_cmpint (after->exit_status, ==, 0);
  g_assert_cmpstr (after->out, ==, run->out);
}

/* ---- iommu list ------------------------------------------------------ */

static void
test_iommu_list_json (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "iommu",
                                                       "list", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *groups;
  gint64 previous = -1;
  gboolean found = FALSE;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  node = parse_json (run->out);
  groups = json_object_get_array_member (json_node_get_object (node), "groups");
  g_assert_cmpuint (json_array_get_length (groups), >, 0);
  for (guint i = 0; i < json_array_get_length (groups); i++) {
    JsonObject *group = json_array_get_object_element (groups, i);
    JsonArray *devices = json_object_get_array_member (group, "devices");
    gint64 id = json_object_get_int_member (group, "id");

    g_assert_cmpint (id, >, previous);
    previous = id;
    g_assert_cmpuint (json_array_get_length (devices), >, 0);
    for (guint j = 0; j < json_array_get_length (devices); j++) {
      JsonObject *device = json_array_get_object_element (devices, j);
      g_autoptr(GList) members = json_object_get_members (device);
      const gchar *keys[] = { "address", "class", "vendor", "device", "driver", "description" };
      GList *member = members;

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++, member = member->next)
        g_assert_cmpstr (member->data, ==, keys[k]);
      g_assert_null (member);
      g_assert_true (g_regex_match_simple ("^0x[0-9a-f]{6}$",
                                           json_object_get_string_member (device, "class"), 0, 0));
      g_assert_true (g_regex_match_simple ("^0x[0-9a-f]{4}$",
                                           json_object_get_string_member (device, "vendor"), 0, 0));
      g_assert_true (g_regex_match_simple ("^0x[0-9a-f]{4}$",
                                           json_object_get_string_member (device, "device"), 0, 0));
      if (g_strcmp0 (json_object_get_string_member (device, "address"), "0000:01:00.0") == 0) {
        found = TRUE;
        g_assert_cmpint (id, ==, 1);
        g_assert_cmpstr (json_object_get_string_member (device, "class"), ==, "0x030000");
        g_assert_cmpstr (json_object_get_string_member (device, "vendor"), ==, "0x10de");
        g_assert_cmpstr (json_object_get_string_member (device, "driver"), ==, "nvidia");
        g_assert_cmpstr (json_object_get_string_member (device, "description"), !=, "");
      }
    }
  }
  g_assert_true (found);
}

static void
test_iommu_list_human (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "iommu",
                                                       "list", NULL);
  g_auto(GStrv) lines = NULL;
  gboolean in_group_1 = FALSE, found = FALSE;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  assert_no_trailing_spaces (run->out);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "IOMMU group "));
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
    if (g_str_has_prefix (lines[i], "IOMMU group ")) {
      in_group_1 = strcmp (lines[i], "IOMMU group 1") == 0;
      continue;
    }
    g_assert_true (g_str_has_prefix (lines[i], "  "));
    if (in_group_1 && g_str_has_prefix (lines[i], "  0000:01:00.0  [10de:")) {
      found = TRUE;
      g_assert_nonnull (strstr (lines[i], "nvidia"));
    }
  }
  g_assert_true (found);
}

static void
test_iommu_list_off (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("--host-root", fixture->root, "iommu",
                                                        "list", "--json", NULL);
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "iommu",
                                                         "list", NULL);
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (json->exit_status, ==, 1);
  node = parse_json (json->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "groups")), ==, 0);
  assert_one_error_line (json);
  g_assert_nonnull (strstr (json->err, "IOMMU"));
  g_assert_nonnull (strstr (json->err, "vmctl host check"));

  g_assert_cmpint (human->exit_status, ==, 1);
  assert_one_error_line (human);
  g_assert_cmpstr (human->err, ==, json->err);
}

/* ---- gpu list -------------------------------------------------------- */

static void
test_gpu_list_json (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                       "list", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *gpus;
  gboolean nvidia = FALSE, intel = FALSE;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  node = parse_json (run->out);
  gpus = json_object_get_array_member (json_node_get_object (node), "gpus");
  for (guint i = 0; i < json_array_get_length (gpus); i++) {
    JsonObject *gpu = json_array_get_object_element (gpus, i);
    const gchar *address = json_object_get_string_member (gpu, "address");

    assert_verdict_shape (gpu, "description");
    if (strcmp (address, "0000:01:00.0") == 0) {
      nvidia = TRUE;
      g_assert_true (json_object_get_boolean_member (gpu, "passable"));
      assert_address_array (gpu, "companions", (const gchar *[]) { "0000:01:00.1", NULL });
    } else if (strcmp (address, "0000:00:02.0") == 0) {
      intel = TRUE;
      g_assert_true (json_object_get_boolean_member (gpu, "boot_vga"));
    }
    /* the audio function is not display class */
    g_assert_cmpstr (address, !=, "0000:01:00.1");
  }
  g_assert_true (nvidia);
  g_assert_true (intel);
}

static void
test_gpu_list_human (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                       "list", NULL);
  g_auto(GStrv) lines = NULL;
  gboolean nvidia = FALSE, intel = FALSE;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  assert_no_trailing_spaces (run->out);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_true (g_regex_match_simple ("^ADDRESS +IDS +DRIVER +GROUP +VERDICT +WITH +DESCRIPTION$",
                                       lines[0], 0, 0));
  for (guint i = 1; lines[i] != NULL; i++) {
    if (g_str_has_prefix (lines[i], "0000:01:00.0 ")) {
      nvidia = TRUE;
      g_assert_nonnull (strstr (lines[i], " passable "));
      g_assert_nonnull (strstr (lines[i], "0000:01:00.1"));
    }
    if (g_str_has_prefix (lines[i], "0000:00:02.0 ")) {
      intel = TRUE;
      g_assert_nonnull (strstr (lines[i], "passable, boot VGA"));
    }
  }
  g_assert_true (nvidia);
  g_assert_true (intel);
}

static void
test_gpu_list_iommu_off (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                       "list", NULL);
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                        "list", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *gpus;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_nonnull (strstr (run->out, "no IOMMU"));
  g_assert_cmpint (json->exit_status, ==, 0);
  node = parse_json (json->out);
  gpus = json_object_get_array_member (json_node_get_object (node), "gpus");
  g_assert_cmpuint (json_array_get_length (gpus), >, 0);
  for (guint i = 0; i < json_array_get_length (gpus); i++)
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (gpus, i),
                                                    "passable"));
}

/* ---- host check ------------------------------------------------------ */

static void
test_host_check (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("--host-root", fixture->root, "host",
                                                        "check", "--json", NULL);
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("host", "check", "--host-root",
                                                         fixture->root, NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *checks;
  gboolean ready;
  guint failed = 0;

  g_assert_cmpint (json->exit_status, <=, 1);
  g_assert_cmpstr (json->err, ==, "");
  node = parse_json (json->out);
  object = json_node_get_object (node);
  ready = json_object_get_boolean_member (object, "ready");
  g_assert_cmpint (json->exit_status, ==, ready ? 0 : 1);
  checks = json_object_get_array_member (object, "checks");
  g_assert_cmpuint (json_array_get_length (checks), >, 0);
  for (guint i = 0; i < json_array_get_length (checks); i++) {
    JsonObject *check = json_array_get_object_element (checks, i);
    g_autoptr(GList) members = json_object_get_members (check);
    const gchar *keys[] = { "id", "title", "status", "message", "fix" };
    const gchar *status = json_object_get_string_member (check, "status");
    JsonNode *fix = json_object_get_member (check, "fix");
    GList *member = members;

    for (guint k = 0; k < G_N_ELEMENTS (keys); k++, member = member->next)
      g_assert_cmpstr (member->data, ==, keys[k]);
    g_assert_null (member);
    g_assert_true (g_strv_contains ((const gchar *[]) { "pass", "warn", "fail", NULL }, status));
    g_assert_true (JSON_NODE_HOLDS_NULL (fix)
                   || json_node_get_value_type (fix) == G_TYPE_STRING);
    failed += strcmp (status, "fail") == 0;
  }
  g_assert_cmpint (ready, ==, failed == 0);

  g_assert_cmpint (human->exit_status, ==, json->exit_status);
  g_assert_cmpstr (human->err, ==, "");
  assert_no_trailing_spaces (human->out);
  g_assert_true (g_regex_match_simple ("^(PASS|WARN|FAIL)  ", human->out, G_REGEX_MULTILINE, 0));
  if (ready)
    g_assert_nonnull (strstr (human->out, "\nReady for GPU passthrough: yes"));
  else
    g_assert_nonnull (strstr (human->out, "\nReady for GPU passthrough: no: "));
}

/* ---- broken sysfs ---------------------------------------------------- */

/* Never a crash, whatever the tree looks like; a failure is one line. */
static void
assert_sane (const VmctlTestRun *run)
{
  g_assert_cmpint (run->exit_status, <=, 2);
  if (run->exit_status == 2 || (run->err[0] != '\0'))
    assert_one_error_line (run);
}

static void
test_broken_sysfs (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *devices_path = g_build_filename (fixture->root, "sys/bus/pci/devices", NULL);
  g_autoptr(GDir) directory = g_dir_open (devices_path, 0, NULL);
  const gchar *commands[][3] = {
    { "iommu", "list", NULL }, { "gpu", "list", NULL }, { "host", "check", NULL },
  };
  const gchar *name;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    for (guint json = 0; json <= 1; json++) {
      g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root,
                                                           commands[i][0], commands[i][1],
                                                           json ? "--json" : NULL, NULL);

      g_test_message ("vmctl %s %s%s", commands[i][0], commands[i][1], json ? " --json" : "");
      assert_sane (run);
      if (json && run->exit_status <= 1 && run->out[0] != '\0') {
        /* even a broken host gives well-formed JSON */
        g_autoptr(JsonNode) node = parse_json (run->out);

        g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      }
    }
  }

  g_assert_nonnull (directory);
  while ((name = g_dir_read_name (directory)) != NULL) {
    g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", name, "--json", NULL);
    g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                           "check", name, NULL);

    g_test_message ("vmctl gpu check %s", name);
    assert_sane (run);
    assert_sane (human);
    if (run->exit_status <= 1) {
      g_autoptr(JsonNode) node = parse_json (run->out);

      assert_verdict_shape (json_node_get_object (node), NULL);
    }
  }
}

/* ---- libvirt node devices -------------------------------------------- */

static void
test_nodedev_gpu_check (void)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("pcie-switch");
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("-c", uri, "gpu", "check", "04:00.0",
                                                       "--json", NULL);
  g_autoptr(VmctlTestRun) after = vmctl_test_run_vmctlv ("gpu", "check", "04:00.0", "--json",
                                                         "--connect", uri, NULL);
  g_autoptr(VmctlTestRun) unknown = vmctl_test_run_vmctlv ("-c", uri, "gpu", "check", "09:00.0",
                                                           NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpint (run->exit_status, <=, 1);
  g_assert_cmpstr (run->err, ==, "");
  node = parse_json (run->out);
  object = json_node_get_object (node);
  assert_verdict_shape (object, NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, "0000:04:00.0");
  g_assert_cmpint (json_object_get_int_member (object, "iommu_group"), ==, 5);
  assert_address_array (object, "companions", (const gchar *[]) { "0000:04:00.1", NULL });
  assert_address_array (object, "bridges", (const gchar *[]) { NULL });
  /* node devices do not say which device is the boot VGA */
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object, "boot_vga")));
  g_assert_cmpstr (after->out, ==, run->out);

  assert_usage_error (unknown);
  g_assert_nonnull (strstr (unknown->err, "no PCI device 0000:09:00.0 on "));
}

static void
test_nodedev_lists (void)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("pcie-switch");
  g_autoptr(VmctlTestRun) gpus = vmctl_test_run_vmctlv ("-c", uri, "gpu", "list", "--json", NULL);
  g_autoptr(VmctlTestRun) groups = vmctl_test_run_vmctlv ("-c", uri, "iommu", "list", NULL);
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (gpus->exit_status, ==, 0);
  node = parse_json (gpus->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "gpus")), >, 0);
  g_assert_cmpint (groups->exit_status, ==, 0);
  g_assert_nonnull (strstr (groups->out, "IOMMU group 5\n"));
}

static void
test_bad_uri (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("-c", "test:///nonexistent/vmctl.xml",
                                                       "gpu", "list", "--json", NULL);

  g_assert_cmpint (run->exit_status, >=, 1);
  g_assert_cmpint (run->exit_status, <=, 2);
  assert_one_error_line (run);
  g_assert_cmpstr (run->out, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_cli_test ("/vmctl/cli/gpu-check/clean-json", "clean-gpu-audio", test_gpu_check_clean_json);
  add_cli_test ("/vmctl/cli/gpu-check/address-forms", "clean-gpu-audio", test_gpu_check_address_forms);
  add_cli_test ("/vmctl/cli/gpu-check/clean-human", "clean-gpu-audio", test_gpu_check_clean_human);
  add_cli_test ("/vmctl/cli/gpu-check/boot-vga", "clean-gpu-audio", test_gpu_check_boot_vga);
  add_cli_test ("/vmctl/cli/gpu-check/shared-chipset", "shared-chipset", test_gpu_check_shared);
  add_cli_test ("/vmctl/cli/gpu-check/pcie-switch", "pcie-switch", test_gpu_check_switch);
  add_cli_test ("/vmctl/cli/gpu-check/siblings", "amd-host", test_gpu_check_siblings);
  add_cli_test ("/vmctl/cli/gpu-check/iommu-off", "iommu-off", test_gpu_check_iommu_off);
  add_cli_test ("/vmctl/cli/gpu-check/unknown-device", "clean-gpu-audio", test_gpu_check_unknown_device);
  add_cli_test ("/vmctl/cli/globals/anywhere", "clean-gpu-audio", test_globals_anywhere);
  add_cli_test ("/vmctl/cli/globals/override", "clean-gpu-audio", test_globals_override);
  add_cli_test ("/vmctl/cli/bad/addresses", "clean-gpu-audio", test_bad_addresses);
  add_cli_test ("/vmctl/cli/bad/usage", "clean-gpu-audio", test_bad_usage);
  g_test_add_func ("/vmctl/cli/bad/unknown-command", test_unknown_command);
  g_test_add_func ("/vmctl/cli/bad/group-alone", test_group_alone);
  g_test_add_func ("/vmctl/cli/help/main", test_main_help);
  g_test_add_func ("/vmctl/cli/help/commands", test_command_help);
  g_test_add_func ("/vmctl/cli/version", test_version);
  add_cli_test ("/vmctl/cli/iommu-list/json", "clean-gpu-audio", test_iommu_list_json);
  add_cli_test ("/vmctl/cli/iommu-list/human", "clean-gpu-audio", test_iommu_list_human);
  add_cli_test ("/vmctl/cli/iommu-list/iommu-off", "iommu-off", test_iommu_list_off);
  add_cli_test ("/vmctl/cli/gpu-list/json", "clean-gpu-audio", test_gpu_list_json);
  add_cli_test ("/vmctl/cli/gpu-list/human", "clean-gpu-audio", test_gpu_list_human);
  add_cli_test ("/vmctl/cli/gpu-list/iommu-off", "iommu-off", test_gpu_list_iommu_off);
  add_cli_test ("/vmctl/cli/host-check/clean", "clean-gpu-audio", test_host_check);
  add_cli_test ("/vmctl/cli/host-check/iommu-off", "iommu-off", test_host_check);
  add_cli_test ("/vmctl/cli/broken-sysfs", "broken-sysfs", test_broken_sysfs);
  g_test_add_func ("/vmctl/cli/nodedev/gpu-check", test_nodedev_gpu_check);
  g_test_add_func ("/vmctl/cli/nodedev/lists", test_nodedev_lists);
  g_test_add_func ("/vmctl/cli/nodedev/bad-uri", test_bad_uri);

  return g_test_run ();
}
