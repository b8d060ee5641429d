/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli.c: the vmctl binary's stable contract (DESIGN.md): options
 * before and after the command words, exit codes, one-line errors on stderr,
 * help, broken hosts, and the node-device path through libvirt. */
#include "vmctl-test-cli.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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
  vmctl_test_assert_usage_error (earlier);
  g_assert_nonnull (strstr (earlier->err, "/nonexistent/vmctl"));
}

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
      vmctl_test_assert_usage_error (run);
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
    vmctl_test_assert_usage_error (run);
    if (json)
      g_assert_cmpstr (run->out, ==, "");
  }
}

static void
test_unknown_command (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("foo", NULL);
  g_autoptr(VmctlTestRun) sub = vmctl_test_run_vmctlv ("gpu", "foo", "01:00.0", NULL);

  vmctl_test_assert_usage_error (run);
  g_assert_cmpstr (run->err, ==, "vmctl: unknown command 'foo' (see vmctl --help)\n");
  g_assert_cmpstr (run->out, ==, "");
  vmctl_test_assert_usage_error (sub);
  g_assert_nonnull (strstr (sub->err, "'gpu foo'"));
}

static void
test_group_alone (void)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("gpu", NULL);
  g_autoptr(VmctlTestRun) help = vmctl_test_run_vmctlv ("gpu", "--help", NULL);

  vmctl_test_assert_usage_error (run);
  g_assert_nonnull (strstr (run->out, "gpu list"));
  g_assert_nonnull (strstr (run->out, "gpu check ADDR"));
  g_assert_null (strstr (run->out, "iommu list"));
  g_assert_cmpint (help->exit_status, ==, 0);
  g_assert_cmpstr (help->err, ==, "");
  g_assert_nonnull (strstr (help->out, "gpu check ADDR"));
}

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
    vmctl_test_assert_no_trailing_spaces (run->out);
  }

  /* no command at all: the same usage, but it is a usage error */
  g_assert_cmpint (bare->exit_status, ==, 2);
  g_assert_nonnull (strstr (bare->out, "gpu check ADDR"));
  vmctl_test_assert_one_error_line (bare);
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

/* Never a crash, whatever the tree looks like; a failure is one line. */
static void
assert_sane (const VmctlTestRun *run)
{
  g_assert_cmpint (run->exit_status, <=, 2);
  if (run->exit_status == 2 || (run->err[0] != '\0'))
    vmctl_test_assert_one_error_line (run);
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
        g_autoptr(JsonNode) node = vmctl_test_parse_json (run->out);

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
      g_autoptr(JsonNode) node = vmctl_test_parse_json (run->out);

      vmctl_test_assert_verdict_shape (json_node_get_object (node), NULL);
    }
  }
}

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
  node = vmctl_test_parse_json (run->out);
  object = json_node_get_object (node);
  vmctl_test_assert_verdict_shape (object, NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, "0000:04:00.0");
  g_assert_cmpint (json_object_get_int_member (object, "iommu_group"), ==, 5);
  vmctl_test_assert_address_array (object, "companions", (const gchar *[]) { "0000:04:00.1", NULL });
  vmctl_test_assert_address_array (object, "bridges", (const gchar *[]) { NULL });
  /* node devices do not say which device is the boot VGA */
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object, "boot_vga")));
  g_assert_cmpstr (after->out, ==, run->out);

  vmctl_test_assert_usage_error (unknown);
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
  node = vmctl_test_parse_json (gpus->out);
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
  vmctl_test_assert_one_error_line (run);
  g_assert_cmpstr (run->out, ==, "");
}

/* Over a remote URI this machine's files describe another host: the
 * checks come from that host's libvirt (the test driver here, which tells
 * little), the rest is unknown, never this machine's answer. */
static void
test_host_check_remote_note (void)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("clean-gpu-audio");
  g_autofree gchar *root = vmctl_test_source_path ("tests/data/sysfs/clean-gpu-audio");
  g_autoptr(VmctlTestRun) remote = vmctl_test_run_vmctlv ("-c", uri, "host", "check", "--json", NULL);
  g_autoptr(VmctlTestRun) rooted = vmctl_test_run_vmctlv ("-c", uri, "--host-root", root, "host",
                                                          "check", "--json", NULL);
  g_autoptr(JsonNode) node = vmctl_test_parse_json (remote->out);
  JsonArray *checks;

  g_assert_cmpstr (remote->err, ==, "");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));   /* stdout stays pure JSON */
  checks = json_object_get_array_member (json_node_get_object (node), "checks");
  for (guint i = 0; i < json_array_get_length (checks); i++) {
    JsonObject *check = json_array_get_object_element (checks, i);
    const gchar *id = json_object_get_string_member (check, "id");
    const gchar *status = json_object_get_string_member (check, "status");

    if (g_str_equal (id, "libvirt.connection"))
      g_assert_cmpstr (status, ==, "pass");
    else if (g_str_equal (id, "iommu.acpi") || g_str_equal (id, "hugepages.mount"))
      g_assert_cmpstr (status, ==, "unknown");
  }
  g_assert_cmpstr (rooted->err, ==, "");
  g_assert_cmpint (rooted->exit_status, ==, 0);
}

/* vmctl loads libvirt only to talk to a hypervisor: without libvirt, the
 * commands that read a host root still work, and the rest say what is
 * missing in one line. */
static void
test_without_libvirt (void)
{
  static const gchar * const missing[] = { "VMCTL_LIBVIRT_SONAME=libvirt-missing.so.0", NULL };
  g_autofree gchar *root = vmctl_test_source_path ("tests/data/sysfs/clean-gpu-audio");
  const gchar *create[] = { "--host-root", root, "create", "gamer", "--gpu", "01:00.0",
                            "--profile", "gaming", "--print-xml", NULL };
  const gchar *check[] = { "--host-root", root, "gpu", "check", "01:00.0", "--json", NULL };
  const gchar *host[] = { "--host-root", root, "-c", "qemu:///system", "host", "check", "--json", NULL };
  const gchar *remote[] = { "-c", "qemu+ssh://nowhere/system", "gpu", "list", NULL };
  g_autoptr(VmctlTestRun) created = vmctl_test_run_vmctl_env (missing, create);
  g_autoptr(VmctlTestRun) checked = vmctl_test_run_vmctl_env (missing, check);
  g_autoptr(VmctlTestRun) hosted = vmctl_test_run_vmctl_env (missing, host);
  g_autoptr(VmctlTestRun) listed = vmctl_test_run_vmctl_env (missing, remote);
  g_autoptr(JsonNode) report = NULL;

  g_assert_cmpint (created->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (created->out, "<domain"));
  g_assert_cmpint (checked->exit_status, ==, 0);
  /* host check reports it as the libvirt check's failure, with the fix */
  g_assert_cmpint (hosted->exit_status, ==, 1);
  report = vmctl_test_parse_json (hosted->out);
  g_assert_nonnull (strstr (hosted->out, "cannot load libvirt"));
  g_assert_nonnull (strstr (hosted->out, "libvirt-missing.so.0"));
  /* a command that needs libvirt: one error line naming the package */
  g_assert_cmpint (listed->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (listed);
  g_assert_nonnull (strstr (listed->err, "apt install libvirt0"));
}

/* ---- JSON is UTF-8, whatever sysfs says ------------------------------------- */

/* what a driver's name in sysfs can hold: bytes, not text */
#define RAW_DRIVER "nv\xff\xfe" "idia"

/* Renames the nvidia driver of the copied host to RAW_DRIVER and points
 * 0000:01:00.0's driver link at it. */
static void
give_raw_driver_name (const gchar *root)
{
  g_autofree gchar *drivers = g_build_filename (root, "sys/bus/pci/drivers", NULL);
  g_autofree gchar *old_driver = g_build_filename (drivers, "nvidia", NULL);
  g_autofree gchar *new_driver = g_build_filename (drivers, RAW_DRIVER, NULL);
  g_autofree gchar *device = g_build_filename (root, "sys/bus/pci/devices/0000:01:00.0", NULL);
  g_autofree gchar *link = g_build_filename (device, "driver", NULL);
  g_autofree gchar *target = g_file_read_link (link, NULL);
  g_autofree gchar *directory = NULL;
  g_autofree gchar *new_target = NULL;

  g_assert_nonnull (target);
  g_assert_true (g_str_has_suffix (target, "/nvidia"));
  directory = g_path_get_dirname (target);
  new_target = g_build_filename (directory, RAW_DRIVER, NULL);
  g_assert_cmpint (g_rename (old_driver, new_driver), ==, 0);
  g_assert_cmpint (g_unlink (link), ==, 0);
  if (symlink (new_target, link) != 0)
    g_error ("symlink %s: %s", link, g_strerror (errno));
}

/* Python's reader, which refuses any byte that is not UTF-8, when there
 * is a python3 to ask */
static void
assert_python_reads (const gchar *json)
{
  g_autofree gchar *python = g_find_program_in_path ("python3");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) input = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;

  if (python == NULL)
    return;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, python, "-c",
                              "import json, sys; json.load(sys.stdin.buffer)", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (process, input, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
}

static void
test_json_is_utf8 (CliFixture *fixture, gconstpointer data)
{
  const gchar * const commands[][4] = {
    { "iommu", "list", NULL }, { "gpu", "list", NULL }, { "gpu", "check", "01:00.0", NULL },
    { "host", "check", NULL },
  };

  give_raw_driver_name (fixture->root);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();
    g_autoptr(VmctlTestRun) run = NULL;
    g_autoptr(JsonNode) node = NULL;

    g_ptr_array_add (argv, (gpointer) "--host-root");
    g_ptr_array_add (argv, fixture->root);
    g_ptr_array_add (argv, (gpointer) "--json");
    for (guint j = 0; commands[i][j] != NULL; j++)
      g_ptr_array_add (argv, (gpointer) commands[i][j]);
    g_ptr_array_add (argv, NULL);
    g_test_message ("%s %s", commands[i][0], commands[i][1]);
    run = vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
    g_assert_cmpint (run->exit_status, <=, 1);
    g_assert_true (g_utf8_validate (run->out, -1, NULL));
    node = vmctl_test_parse_json (run->out);
    assert_python_reads (run->out);
  }
  {
    /* the bytes stay visible, escaped */
    g_autoptr(VmctlTestRun) check = vmctl_test_run_vmctlv ("--host-root", fixture->root, "--json",
                                                           "gpu", "check", "01:00.0", NULL);
    g_autoptr(JsonNode) node = vmctl_test_parse_json (check->out);

    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "driver"), ==,
                     "nv\\xff\\xfeidia");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_cli_test ("/vmctl/cli/globals/anywhere", "clean-gpu-audio", test_globals_anywhere);
  add_cli_test ("/vmctl/cli/globals/override", "clean-gpu-audio", test_globals_override);
  add_cli_test ("/vmctl/cli/bad/addresses", "clean-gpu-audio", test_bad_addresses);
  add_cli_test ("/vmctl/cli/bad/usage", "clean-gpu-audio", test_bad_usage);
  g_test_add_func ("/vmctl/cli/bad/unknown-command", test_unknown_command);
  g_test_add_func ("/vmctl/cli/bad/group-alone", test_group_alone);
  g_test_add_func ("/vmctl/cli/help/main", test_main_help);
  g_test_add_func ("/vmctl/cli/help/commands", test_command_help);
  g_test_add_func ("/vmctl/cli/version", test_version);
  add_cli_test ("/vmctl/cli/broken-sysfs", "broken-sysfs", test_broken_sysfs);
  g_test_add_func ("/vmctl/cli/nodedev/gpu-check", test_nodedev_gpu_check);
  g_test_add_func ("/vmctl/cli/nodedev/lists", test_nodedev_lists);
  g_test_add_func ("/vmctl/cli/nodedev/bad-uri", test_bad_uri);
  g_test_add_func ("/vmctl/cli/nodedev/host-check-note", test_host_check_remote_note);
  g_test_add_func ("/vmctl/cli/without-libvirt", test_without_libvirt);
  add_cli_test ("/vmctl/cli/json-is-utf8", "clean-gpu-audio", test_json_is_utf8);

  return g_test_run ();
}
