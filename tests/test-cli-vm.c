/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-vm.c: the VM lifecycle commands through the binary, on
 * libvirt's test driver with tests/data/libvirt/vms.xml: gamer and web
 * running (gamer made by vmctl, with a GPU), db and backup shut off.
 * Every vmctl process opens its own test:/// connection and starts from
 * that file again, so each assertion is about one invocation. */
#include "vmctl-test-cli.h"

#include <string.h>

/* "vmctl -c test:///.../SCENARIO.xml ARGS..." with @args NULL-terminated */
static VmctlTestRun *
run_on (const gchar *scenario, const gchar * const *args)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri (scenario);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, uri);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

#define RUN(...) run_on ("vms", (const gchar *[]) { __VA_ARGS__, NULL })

static void
assert_success (const VmctlTestRun *run, const gchar *expected_out)
{
  if (run->exit_status != 0)
    g_error ("exit %d, stderr: %s", run->exit_status, run->err);
  g_assert_cmpstr (run->err, ==, "");
  if (expected_out != NULL)
    g_assert_cmpstr (run->out, ==, expected_out);
}

/* the lines of @text that start with @prefix */
static guint
count_lines_starting (const gchar *text, const gchar *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    count += g_str_has_prefix (lines[i], prefix);
  return count;
}

/* ---- list, info, xml ------------------------------------------------------ */

static void
test_list (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("list");
  g_autoptr(VmctlTestRun) all = RUN ("list", "--all");

  assert_success (run, NULL);
  vmctl_test_assert_no_trailing_spaces (run->out);
  g_assert_true (g_str_has_prefix (run->out, "NAME"));
  g_assert_nonnull (strstr (run->out, "STATE"));
  g_assert_nonnull (strstr (run->out, "AUTOSTART"));
  g_assert_cmpuint (count_lines_starting (run->out, "gamer "), ==, 1);
  g_assert_cmpuint (count_lines_starting (run->out, "web "), ==, 1);
  g_assert_cmpuint (count_lines_starting (run->out, "db "), ==, 0);
  g_assert_nonnull (strstr (run->out, "0000:01:00.0"));
  g_assert_nonnull (strstr (run->out, "running"));

  assert_success (all, NULL);
  g_assert_cmpuint (count_lines_starting (all->out, "db "), ==, 1);
  g_assert_cmpuint (count_lines_starting (all->out, "backup "), ==, 1);
  g_assert_nonnull (strstr (all->out, "shut off"));
}

static void
test_list_json (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("list", "--all", "--json");
  g_autoptr(JsonNode) node = NULL;
  JsonArray *vms;
  gboolean seen_gamer = FALSE;

  assert_success (run, NULL);
  node = vmctl_test_parse_json (run->out);
  vms = json_object_get_array_member (json_node_get_object (node), "vms");
  g_assert_cmpuint (json_array_get_length (vms), ==, 4);
  for (guint i = 0; i < json_array_get_length (vms); i++) {
    JsonObject *vm = json_array_get_object_element (vms, i);
    const gchar *members[] = {
      "name", "state", "vcpus", "memory_kib", "gpus", "autostart", "persistent", "managed",
    };

    for (gsize m = 0; m < G_N_ELEMENTS (members); m++)
      g_assert_true (json_object_has_member (vm, members[m]));
    g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (vm, "gpus")));
    if (g_strcmp0 (json_object_get_string_member (vm, "name"), "gamer") == 0) {
      JsonArray *gpus = json_object_get_array_member (vm, "gpus");

      seen_gamer = TRUE;
      g_assert_cmpstr (json_object_get_string_member (vm, "state"), ==, "running");
      g_assert_cmpint (json_object_get_int_member (vm, "vcpus"), ==, 8);
      g_assert_cmpint (json_object_get_int_member (vm, "memory_kib"), ==, 16777216);
      g_assert_true (json_object_get_boolean_member (vm, "managed"));
      g_assert_cmpuint (json_array_get_length (gpus), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (gpus, 0), ==, "0000:01:00.0");
    }
    if (g_strcmp0 (json_object_get_string_member (vm, "name"), "web") == 0)
      g_assert_false (json_object_get_boolean_member (vm, "managed"));
  }
  g_assert_true (seen_gamer);
}

static void
test_info (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("info", "gamer");
  g_autoptr(VmctlTestRun) json = RUN ("info", "db", "--json");
  g_autoptr(VmctlTestRun) unknown = RUN ("info", "nope");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  assert_success (run, NULL);
  vmctl_test_assert_no_trailing_spaces (run->out);
  g_assert_nonnull (strstr (run->out, "name:"));
  g_assert_nonnull (strstr (run->out, "gamer"));
  g_assert_nonnull (strstr (run->out, "state:"));
  g_assert_nonnull (strstr (run->out, "0000:01:00.1"));  /* the companion, in hostdevs */
  g_assert_nonnull (strstr (run->out, "gaming"));

  assert_success (json, NULL);
  node = vmctl_test_parse_json (json->out);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "db");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "shut off");
  g_assert_cmpint (json_object_get_int_member (object, "vcpus"), ==, 4);
  g_assert_false (json_object_get_boolean_member (object, "managed"));
  g_assert_true (json_object_has_member (object, "uuid"));

  vmctl_test_assert_usage_error (unknown);
  g_assert_nonnull (strstr (unknown->err, "nope"));
  g_assert_cmpstr (unknown->out, ==, "");
}

static void
test_xml (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("xml", "gamer");
  g_autoptr(VmctlTestRun) unknown = RUN ("xml", "nope");
  g_autoptr(VmctlTestRun) missing = RUN ("xml");

  assert_success (run, NULL);
  g_assert_true (g_str_has_prefix (run->out, "<domain"));
  g_assert_nonnull (strstr (run->out, "<name>gamer</name>"));
  g_assert_nonnull (strstr (run->out, "http://vmctl.dev/xmlns/domain/1"));
  g_assert_true (g_str_has_suffix (run->out, "</domain>\n"));
  vmctl_test_assert_usage_error (unknown);
  vmctl_test_assert_usage_error (missing);
}

/* ---- start, stop, destroy -------------------------------------------------- */

static void
test_start (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("start", "db");
  g_autoptr(VmctlTestRun) again = RUN ("start", "gamer");
  g_autoptr(VmctlTestRun) unknown = RUN ("start", "nope");

  assert_success (run, "db: started\n");
  assert_success (again, "gamer: already running\n");
  vmctl_test_assert_usage_error (unknown);
  g_assert_nonnull (strstr (unknown->err, "nope"));
}

static void
test_start_many (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("start", "db", "backup", "gamer");
  g_autoptr(VmctlTestRun) one_unknown = RUN ("start", "db", "nope", "backup");
  g_autoptr(VmctlTestRun) all_unknown = RUN ("start", "nope", "nada");
  g_autoptr(VmctlTestRun) repeated = RUN ("start", "db", "db");

  assert_success (run, "db: started\nbackup: started\ngamer: already running\n");

  g_assert_cmpint (one_unknown->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (one_unknown);
  g_assert_nonnull (strstr (one_unknown->out, "db: started\n"));
  g_assert_nonnull (strstr (one_unknown->out, "backup: started\n"));
  g_assert_nonnull (strstr (one_unknown->out, "nope: failed: "));

  vmctl_test_assert_usage_error (all_unknown);
  g_assert_cmpuint (count_lines_starting (all_unknown->out, "nope: failed"), ==, 1);
  g_assert_cmpuint (count_lines_starting (all_unknown->out, "nada: failed"), ==, 1);

  /* a name given twice is worked on once */
  assert_success (repeated, "db: started\n");
}

static void
test_start_all_json (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("start", "--all", "--json");
  g_autoptr(JsonNode) node = NULL;
  JsonArray *results;

  assert_success (run, NULL);
  node = vmctl_test_parse_json (run->out);
  results = json_object_get_array_member (json_node_get_object (node), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 4);
  for (guint i = 0; i < json_array_get_length (results); i++) {
    JsonObject *result = json_array_get_object_element (results, i);
    const gchar *name = json_object_get_string_member (result, "name");
    gboolean was_running = g_str_equal (name, "gamer") || g_str_equal (name, "web");

    g_assert_true (json_object_get_boolean_member (result, "ok"));
    g_assert_cmpint (json_object_get_boolean_member (result, "changed"), ==, !was_running);
    g_assert_true (json_object_get_null_member (result, "error"));
  }
}

static void
test_many_json_failure (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("destroy", "web", "nope", "--json");
  g_autoptr(JsonNode) node = NULL;
  JsonArray *results;
  JsonObject *failed;

  g_assert_cmpint (run->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (run);
  node = vmctl_test_parse_json (run->out);
  results = json_object_get_array_member (json_node_get_object (node), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (results, 0), "ok"));
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (results, 0),
                                                 "changed"));
  failed = json_array_get_object_element (results, 1);
  g_assert_cmpstr (json_object_get_string_member (failed, "name"), ==, "nope");
  g_assert_false (json_object_get_boolean_member (failed, "ok"));
  g_assert_false (json_object_get_boolean_member (failed, "changed"));
  g_assert_nonnull (strstr (json_object_get_string_member (failed, "error"), "nope"));
}

static void
test_stop (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("stop", "gamer", "--timeout", "5");
  g_autoptr(VmctlTestRun) stopped = RUN ("stop", "db");
  g_autoptr(VmctlTestRun) many = RUN ("stop", "gamer", "web", "db", "--force");
  g_autoptr(VmctlTestRun) all = RUN ("stop", "--all", "--timeout", "3");
  g_autoptr(VmctlTestRun) negative = RUN ("stop", "gamer", "--timeout", "-1");
  g_autoptr(VmctlTestRun) not_number = RUN ("stop", "gamer", "--timeout", "soon");

  /* not a terminal: no countdown on stderr */
  assert_success (run, "gamer: stopped\n");
  assert_success (stopped, "db: already stopped\n");
  assert_success (many, "gamer: stopped\nweb: stopped\ndb: already stopped\n");
  assert_success (all, NULL);
  g_assert_cmpuint (count_lines_starting (all->out, "gamer: stopped"), ==, 1);
  g_assert_cmpuint (count_lines_starting (all->out, "backup: already stopped"), ==, 1);
  vmctl_test_assert_usage_error (negative);
  vmctl_test_assert_usage_error (not_number);
}

static void
test_destroy (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("destroy", "gamer", "web");
  g_autoptr(VmctlTestRun) stopped = RUN ("destroy", "db");
  g_autoptr(VmctlTestRun) all = RUN ("destroy", "--all");
  g_autoptr(VmctlTestRun) unknown = RUN ("destroy", "nope");

  assert_success (run, "gamer: destroyed\nweb: destroyed\n");
  assert_success (stopped, "db: already stopped\n");
  assert_success (all, "backup: already stopped\ndb: already stopped\n"
                  "gamer: destroyed\nweb: destroyed\n");
  vmctl_test_assert_usage_error (unknown);
}

static void
test_names_usage (void)
{
  const gchar *verbs[] = { "start", "stop", "destroy" };

  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++) {
    g_autoptr(VmctlTestRun) none = RUN (verbs[i]);
    g_autoptr(VmctlTestRun) both = RUN (verbs[i], "db", "--all");
    g_autoptr(VmctlTestRun) help = RUN (verbs[i], "--help");
    /* usage is checked before connecting */
    g_autoptr(VmctlTestRun) down = vmctl_test_run_vmctlv ("-c", "nosuchdriver:///x", verbs[i],
                                                         NULL);

    vmctl_test_assert_usage_error (none);
    g_assert_cmpstr (none->out, ==, "");
    vmctl_test_assert_usage_error (both);
    g_assert_cmpstr (both->out, ==, "");
    assert_success (help, NULL);
    g_assert_nonnull (strstr (help->out, "--all"));
    vmctl_test_assert_usage_error (down);
    g_assert_nonnull (strstr (down->err, "missing NAME"));
  }
}

/* ---- undefine, autostart --------------------------------------------------- */

static void
test_undefine (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("undefine", "db");
  g_autoptr(VmctlTestRun) json = RUN ("undefine", "backup", "--json");
  g_autoptr(VmctlTestRun) running = RUN ("undefine", "gamer");
  g_autoptr(VmctlTestRun) unknown = RUN ("undefine", "nope");
  g_autoptr(VmctlTestRun) two = RUN ("undefine", "db", "backup");
  g_autoptr(JsonNode) node = NULL;

  assert_success (run, "db: undefined\n");
  assert_success (json, NULL);
  node = vmctl_test_parse_json (json->out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "undefined"));
  g_assert_cmpint (running->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (running);
  g_assert_cmpstr (running->out, ==, "");
  vmctl_test_assert_usage_error (unknown);
  vmctl_test_assert_usage_error (two);
}

/* "vmctl -c test:///.../storage.xml undefine ARGS..." (see that file) */
#define UNDEFINE(...) run_on ("storage", (const gchar *[]) { "undefine", __VA_ARGS__, NULL })
#define IMAGES "/var/lib/libvirt/images/"

/* --remove-storage removes what vmctl created and says what it kept and
 * why; --remove-all-storage the rest, never a disk another VM uses */
static void
test_undefine_storage (void)
{
  g_autoptr(VmctlTestRun) created = UNDEFINE ("made", "--remove-storage");
  g_autoptr(VmctlTestRun) all = UNDEFINE ("made", "--remove-all-storage");
  g_autoptr(VmctlTestRun) plain = UNDEFINE ("made");
  g_autoptr(VmctlTestRun) legacy = UNDEFINE ("legacy", "--remove-storage");
  g_autoptr(VmctlTestRun) shared = UNDEFINE ("sharer", "--remove-all-storage");
  g_autoptr(VmctlTestRun) json = UNDEFINE ("made", "--remove-storage", "--json");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *kept;

  assert_success (created, "made: undefined\n"
                           "made: removed " IMAGES "made.qcow2\n"
                           "made: kept " IMAGES "data.qcow2: not created by vmctl "
                           "(use --remove-all-storage)\n");
  assert_success (all, "made: undefined\n"
                       "made: removed " IMAGES "made.qcow2\n"
                       "made: removed " IMAGES "data.qcow2\n");
  assert_success (plain, NULL);
  g_assert_true (g_str_has_prefix (plain->out, "made: undefined\nmade: kept " IMAGES "made.qcow2: "));
  g_assert_null (strstr (plain->out, "removed"));
  assert_success (legacy, NULL);
  g_assert_nonnull (strstr (legacy->out, "legacy: kept " IMAGES "legacy.qcow2: made by an older vmctl"));
  g_assert_null (strstr (legacy->out, "removed"));

  /* refused before anything changes, naming the other VM: exit 1 */
  g_assert_cmpint (shared->exit_status, ==, 1);
  g_assert_cmpstr (shared->out, ==, "");
  vmctl_test_assert_one_error_line (shared);
  g_assert_nonnull (strstr (shared->err, "VM 'other' uses " IMAGES "shared.qcow2"));
  g_assert_nonnull (strstr (shared->err, "nothing was removed"));

  assert_success (json, NULL);
  node = vmctl_test_parse_json (json->out);
  object = json_node_get_object (node);
  g_assert_true (json_object_get_boolean_member (object, "undefined"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "removed")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "removed"), 0),
                   ==, IMAGES "made.qcow2");
  kept = json_object_get_array_member (object, "kept");
  g_assert_cmpuint (json_array_get_length (kept), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (kept, 0), "path"),
                   ==, IMAGES "data.qcow2");
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (kept, 0),
                                                            "reason"), "not created by vmctl"));
}

static void
test_autostart (void)
{
  g_autoptr(VmctlTestRun) run = RUN ("autostart", "db");
  g_autoptr(VmctlTestRun) disable = RUN ("autostart", "db", "--disable");
  g_autoptr(VmctlTestRun) unknown = RUN ("autostart", "nope");

  assert_success (run, "db: autostart enabled\n");
  assert_success (disable, "db: autostart disabled\n");
  vmctl_test_assert_usage_error (unknown);
}

/* ---- connections ---------------------------------------------------------- */

static void
test_bad_uri (void)
{
  const gchar *commands[][3] = {
    { "list", NULL }, { "info", "gamer" }, { "start", "gamer" }, { "stop", "gamer" },
    { "destroy", "gamer" }, { "undefine", "gamer" }, { "xml", "gamer" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("-c", "nosuchdriver:///x",
                                                        commands[i][0], commands[i][1], NULL);

    vmctl_test_assert_usage_error (run);
    g_assert_cmpstr (run->out, ==, "");
  }
}

/* A daemon that is not running (a socket nobody listens on) fails with
 * one line that says how to start it, before any VM is looked at. */
static void
test_daemon_down (void)
{
  const gchar *uri = "qemu:///system?socket=/nonexistent/vmctl-test.sock";
  g_autoptr(VmctlTestRun) list = vmctl_test_run_vmctlv ("-c", uri, "list", NULL);
  g_autoptr(VmctlTestRun) start = vmctl_test_run_vmctlv ("-c", uri, "start", "a", "b", NULL);

  g_assert_cmpint (list->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (list);
  g_assert_nonnull (strstr (list->err, "libvirtd"));
  g_assert_cmpstr (list->out, ==, "");
  g_assert_cmpint (start->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (start);
  g_assert_cmpstr (start->out, ==, "");
}

static void
test_listed_in_help (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--help", NULL);
  const gchar *commands[] = {
    "start NAME", "stop NAME", "destroy NAME", "undefine NAME", "list", "info NAME",
    "xml NAME", "autostart NAME",
  };

  assert_success (run, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (run->out, commands[i]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/cli/vm/list", test_list);
  g_test_add_func ("/vmctl/cli/vm/list-json", test_list_json);
  g_test_add_func ("/vmctl/cli/vm/info", test_info);
  g_test_add_func ("/vmctl/cli/vm/xml", test_xml);
  g_test_add_func ("/vmctl/cli/vm/start", test_start);
  g_test_add_func ("/vmctl/cli/vm/start-many", test_start_many);
  g_test_add_func ("/vmctl/cli/vm/start-all-json", test_start_all_json);
  g_test_add_func ("/vmctl/cli/vm/many-json-failure", test_many_json_failure);
  g_test_add_func ("/vmctl/cli/vm/stop", test_stop);
  g_test_add_func ("/vmctl/cli/vm/destroy", test_destroy);
  g_test_add_func ("/vmctl/cli/vm/names-usage", test_names_usage);
  g_test_add_func ("/vmctl/cli/vm/undefine", test_undefine);
  g_test_add_func ("/vmctl/cli/vm/undefine-storage", test_undefine_storage);
  g_test_add_func ("/vmctl/cli/vm/autostart", test_autostart);
  g_test_add_func ("/vmctl/cli/vm/bad-uri", test_bad_uri);
  g_test_add_func ("/vmctl/cli/vm/daemon-down", test_daemon_down);
  g_test_add_func ("/vmctl/cli/vm/help", test_listed_in_help);
  return g_test_run ();
}
