/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-commands.c: what each command prints, as text and as the
 * contract's JSON, on the fixture hosts. */
#include "vmctl-test-cli.h"

#include <string.h>

static void
test_gpu_check_clean_json (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = vmctl_test_gpu_check_json (fixture->root, "01:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, "0000:01:00.0");
  g_assert_true (json_object_get_boolean_member (object, "passable"));
  g_assert_cmpint (json_object_get_int_member (object, "iommu_group"), ==, 1);
  vmctl_test_assert_address_array (object, "companions", (const gchar *[]) { "0000:01:00.1", NULL });
  vmctl_test_assert_address_array (object, "bridges", (const gchar *[]) { "0000:00:01.0", NULL });
  vmctl_test_assert_address_array (object, "blockers", (const gchar *[]) { NULL });
  vmctl_test_assert_address_array (object, "peers", (const gchar *[]) { NULL });
  vmctl_test_assert_address_array (object, "siblings", (const gchar *[]) { NULL });
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
  vmctl_test_assert_no_trailing_spaces (run->out);
}

/* The boot VGA device with its driver is the host's console: in use by
 * the host, so not passable, and the reasons say so and how to take it. */
static void
test_gpu_check_boot_vga (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = vmctl_test_gpu_check_json (fixture->root, "00:02.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_false (json_object_get_boolean_member (object, "passable"));
  g_assert_true (json_object_get_boolean_member (object, "boot_vga"));
  g_assert_cmpstr (json_object_get_string_member (object, "driver"), ==, "i915");
  g_assert_true (vmctl_test_any_reason_contains (object, "0000:00:02.0 is in use by the host: "
                                                 "0000:00:02.0 is the boot VGA device and is "
                                                 "driven by i915"));
  g_assert_true (vmctl_test_any_reason_contains (object, "only with --force"));
}

static void
test_gpu_check_shared (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = vmctl_test_gpu_check_json (fixture->root, "05:00.0", &node);
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", "05:00.0", NULL);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_false (json_object_get_boolean_member (object, "passable"));
  g_assert_true (vmctl_test_address_array_contains (object, "blockers", "0000:00:14.0"));
  g_assert_true (vmctl_test_address_array_contains (object, "blockers", "0000:00:17.0"));
  g_assert_true (vmctl_test_address_array_contains (object, "blockers", "0000:03:00.0"));
  g_assert_true (vmctl_test_any_reason_contains (object, "--hostdev"));

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
  g_autoptr(VmctlTestRun) run = vmctl_test_gpu_check_json (fixture->root, "04:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (run->exit_status, ==,
                   json_object_get_boolean_member (object, "passable") ? 0 : 1);
  g_assert_cmpint (json_object_get_int_member (object, "iommu_group"), ==, 5);
  vmctl_test_assert_address_array (object, "companions", (const gchar *[]) { "0000:04:00.1", NULL });
  vmctl_test_assert_address_array (object, "bridges", (const gchar *[]) { NULL });
}

static void
test_gpu_check_siblings (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = vmctl_test_gpu_check_json (fixture->root, "0c:00.0", &node);
  JsonObject *object = json_node_get_object (node);

  vmctl_test_assert_address_array (object, "siblings", (const gchar *[]) { "0000:0c:00.1", NULL });
  (void) run;
}

static void
test_gpu_check_iommu_off (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) run = vmctl_test_gpu_check_json (fixture->root, "01:00.0", &node);
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

  vmctl_test_assert_usage_error (run);
  g_assert_true (g_str_has_prefix (run->err, "vmctl: no PCI device 0000:09:00.0 under host root "));
  g_assert_cmpstr (run->out, ==, "");
  vmctl_test_assert_usage_error (json);
  g_assert_cmpstr (json->out, ==, "");
}

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
  node = vmctl_test_parse_json (run->out);
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
  vmctl_test_assert_no_trailing_spaces (run->out);
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
  node = vmctl_test_parse_json (json->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "groups")), ==, 0);
  vmctl_test_assert_one_error_line (json);
  g_assert_nonnull (strstr (json->err, "IOMMU"));
  g_assert_nonnull (strstr (json->err, "vmctl host check"));

  g_assert_cmpint (human->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (human);
  g_assert_cmpstr (human->err, ==, json->err);
}

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
  node = vmctl_test_parse_json (run->out);
  gpus = json_object_get_array_member (json_node_get_object (node), "gpus");
  for (guint i = 0; i < json_array_get_length (gpus); i++) {
    JsonObject *gpu = json_array_get_object_element (gpus, i);
    const gchar *address = json_object_get_string_member (gpu, "address");

    vmctl_test_assert_verdict_shape (gpu, "description");
    if (strcmp (address, "0000:01:00.0") == 0) {
      nvidia = TRUE;
      g_assert_true (json_object_get_boolean_member (gpu, "passable"));
      vmctl_test_assert_address_array (gpu, "companions", (const gchar *[]) { "0000:01:00.1", NULL });
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
  vmctl_test_assert_no_trailing_spaces (run->out);
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
      /* the host's console */
      g_assert_nonnull (strstr (lines[i], " in use by the host "));
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
  node = vmctl_test_parse_json (json->out);
  gpus = json_object_get_array_member (json_node_get_object (node), "gpus");
  g_assert_cmpuint (json_array_get_length (gpus), >, 0);
  for (guint i = 0; i < json_array_get_length (gpus); i++)
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (gpus, i),
                                                    "passable"));
}

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
  node = vmctl_test_parse_json (json->out);
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
  vmctl_test_assert_no_trailing_spaces (human->out);
  g_assert_true (g_regex_match_simple ("^(PASS|WARN|FAIL)  ", human->out, G_REGEX_MULTILINE, 0));
  if (ready)
    g_assert_nonnull (strstr (human->out, "\nReady for GPU passthrough: yes"));
  else
    g_assert_nonnull (strstr (human->out, "\nReady for GPU passthrough: no: "));
}

/* ---- the demo host: chipset functions and the root disk ---------------- */

/* data/demo-host, the Alder Lake workstation of the README, copied */
static void
demo_setup (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *source = vmctl_test_source_path ("data/demo-host");

  fixture->root = vmctl_test_copy_tree (source);
}

#define add_demo_test(path, function) \
  g_test_add (path, CliFixture, NULL, demo_setup, function, vmctl_test_cli_teardown)

typedef struct {
  const gchar *address;
  const gchar *reasons[4];  /* substrings, each of some reason */
} RefusedCase;

/* Host-critical as the target (00:00.0, 00:1f.0) and as companions (the
 * SMBus and SPI-flash functions beside the LPC bridge and the PCH audio),
 * and the NVMe disk / is mounted from: never passable, and each reason
 * says why, in the JSON and in the text. */
static const RefusedCase demo_refused[] = {
  { "00:00.0", { "0000:00:00.0 is host-critical (host bridge", NULL } },
  { "00:1f.0", { "0000:00:1f.0 is host-critical (ISA/LPC bridge",
                 "companion 0000:00:1f.4 is host-critical (SMBus",
                 "companion 0000:00:1f.5 is host-critical (", NULL } },
  { "00:1f.3", { "companion 0000:00:1f.0 is host-critical", NULL } },
  { "02:00.0", { "0000:02:00.0 is in use by the host: /dev/nvme0n1p2 under it is mounted on /",
                 NULL } },
};

static void
test_demo_refused (CliFixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_refused); i++) {
    const RefusedCase *expected = &demo_refused[i];
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(VmctlTestRun) json = vmctl_test_gpu_check_json (fixture->root, expected->address,
                                                              &node);
    g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                           "check", expected->address, NULL);
    JsonObject *object = json_node_get_object (node);

    g_test_message ("gpu check %s", expected->address);
    g_assert_cmpint (json->exit_status, ==, 1);
    g_assert_cmpstr (json->err, ==, "");
    g_assert_false (json_object_get_boolean_member (object, "passable"));
    g_assert_cmpint (human->exit_status, ==, 1);
    g_assert_cmpstr (human->err, ==, "");
    g_assert_nonnull (strstr (human->out, "\nNOT passable\n"));
    for (guint j = 0; expected->reasons[j] != NULL; j++) {
      g_test_message ("reason '%s'", expected->reasons[j]);
      g_assert_true (vmctl_test_any_reason_contains (object, expected->reasons[j]));
      g_assert_nonnull (strstr (human->out, expected->reasons[j]));
    }
  }
}

/* the GPU of the README still passes: host-critical functions idle in its
 * group would only be peers, and nothing of it is in use */
static void
test_demo_gpu_passable (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) json = vmctl_test_gpu_check_json (fixture->root, "01:00.0", &node);
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", "01:00.0", NULL);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpint (json->exit_status, ==, 0);
  g_assert_true (json_object_get_boolean_member (object, "passable"));
  vmctl_test_assert_address_array (object, "companions", (const gchar *[]) { "0000:01:00.1", NULL });
  /* its one reason is its 16 GiB BAR (issue 12), which create answers */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "reasons")), ==, 1);
  g_assert_true (vmctl_test_any_reason_contains (object, "maxphysaddr"));
  g_assert_cmpint (human->exit_status, ==, 0);
  g_assert_nonnull (strstr (human->out, "\npassable\n"));
}

/* GPtrArray hands its comparator pointers to the elements */
static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Every regular file under @root with its contents, for "nothing was
 * written"; symlinks are recorded by target (a driver link that moved). */
static void
snapshot_into (GString *out, const gchar *root, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) directory = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  g_assert_nonnull (directory);
  while ((name = g_dir_read_name (directory)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    g_autofree gchar *child = g_build_filename (relative, g_ptr_array_index (names, i), NULL);
    g_autofree gchar *full = g_build_filename (root, child, NULL);
    g_autofree gchar *target = NULL;
    g_autofree gchar *contents = NULL;

    if ((target = g_file_read_link (full, NULL)) != NULL)
      g_string_append_printf (out, "%s -> %s\n", child, target);
    else if (g_file_test (full, G_FILE_TEST_IS_DIR))
      snapshot_into (out, root, child);
    else if (g_file_get_contents (full, &contents, NULL, NULL))
      g_string_append_printf (out, "%s = %s\n", child, contents);
  }
}

static gchar *
snapshot (const gchar *root)
{
  GString *out = g_string_new (NULL);

  snapshot_into (out, root, "sys");
  return g_string_free (out, FALSE);
}

/* gpu detach of the LPC bridge used to move it and the SMBus and SPI-flash
 * controllers beside it to vfio-pci: now refused before any write, and
 * --force changes nothing about that. */
static void
test_demo_detach_chipset (CliFixture *fixture, gconstpointer data)
{
  static const gchar * const environment[] = { "VMCTL_BIND_TIMEOUT_MS=200", NULL };
  const gchar *targets[] = { "00:1f.0", "00:1f.3", "00:00.0" };
  g_autofree gchar *before = snapshot (fixture->root);
  g_autofree gchar *state = g_dir_make_tmp ("vmctl-state-XXXXXX", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (targets); i++) {
    for (guint force = 0; force <= 1; force++) {
      const gchar *argv[] = { "--host-root", fixture->root, "--state-dir", state, "gpu",
                              "detach", targets[i], force ? "--force" : NULL, NULL };
      g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctl_env (environment, argv);
      g_autofree gchar *after = NULL;

      g_test_message ("gpu detach %s%s", targets[i], force ? " --force" : "");
      g_assert_cmpint (run->exit_status, ==, 1);
      vmctl_test_assert_one_error_line (run);
      g_assert_nonnull (strstr (run->err, "is host-critical ("));
      g_assert_nonnull (strstr (run->err, "not even with --force"));
      g_assert_cmpstr (run->out, ==, "");
      after = snapshot (fixture->root);
      g_assert_cmpstr (after, ==, before);
      g_assert_cmpint (vmctl_test_journal_files (state), <=, 0);
    }
  }
  vmctl_test_remove_tree (state);
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
  add_cli_test ("/vmctl/cli/iommu-list/json", "clean-gpu-audio", test_iommu_list_json);
  add_cli_test ("/vmctl/cli/iommu-list/human", "clean-gpu-audio", test_iommu_list_human);
  add_cli_test ("/vmctl/cli/iommu-list/iommu-off", "iommu-off", test_iommu_list_off);
  add_cli_test ("/vmctl/cli/gpu-list/json", "clean-gpu-audio", test_gpu_list_json);
  add_cli_test ("/vmctl/cli/gpu-list/human", "clean-gpu-audio", test_gpu_list_human);
  add_cli_test ("/vmctl/cli/gpu-list/iommu-off", "iommu-off", test_gpu_list_iommu_off);
  add_cli_test ("/vmctl/cli/host-check/clean", "clean-gpu-audio", test_host_check);
  add_cli_test ("/vmctl/cli/host-check/iommu-off", "iommu-off", test_host_check);
  add_demo_test ("/vmctl/cli/demo-host/gpu-check-refused", test_demo_refused);
  add_demo_test ("/vmctl/cli/demo-host/gpu-check-passable", test_demo_gpu_passable);
  add_demo_test ("/vmctl/cli/demo-host/detach-chipset", test_demo_detach_chipset);

  return g_test_run ();
}
