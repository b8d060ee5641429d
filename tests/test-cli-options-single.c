/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-options-single.c: a single-valued option given twice is an
 * error (exit 2, one line naming it) for every command, never "last
 * wins" (DESIGN.md); repeatable options, flags and values that merely look
 * like options are not. */
#include "vmctl-test-cli.h"

#include <string.h>

static void
assert_repeated (const VmctlTestRun *run, const gchar *option)
{
  g_autofree gchar *named = g_strdup_printf ("%s is given twice", option);

  vmctl_test_assert_usage_error (run);
  g_assert_cmpstr (run->out, ==, "");
  if (strstr (run->err, named) == NULL)
    g_error ("expected '%s' in: %s", named, run->err);
}

/* create: the options of the example, in each spelling */
static void
test_create (CliFixture *fixture, gconstpointer data)
{
  const gchar * const cases[][4] = {
    { "--memory", "4G", "--memory", "8G" },
    { "--memory=4G", "--memory=8G", NULL, NULL },
    { "--memory=4G", "--memory", "4G", NULL },
    { "--vcpus", "2", "--vcpus=4", NULL },
    { "--profile", "minimal", "--profile", "gaming" },
    { "--network", "none", "--network", "default" },
    { "--firmware", "bios", "--firmware", "efi" },
    { "--virt-type", "qemu", "--virt-type", "kvm" },
    { "--cpu-pin", "none", "--cpu-pin", "auto" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(VmctlTestRun) run = NULL;
    g_autofree gchar *option = g_strndup (cases[i][0], strcspn (cases[i][0], "="));

    g_test_message ("create %s ...", cases[i][0]);
    run = vmctl_test_run_vmctl ((const gchar *[]) {
      "--host-root", fixture->root, "create", "x", "--print-xml",
      cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL });
    assert_repeated (run, option);
  }
}

/* other commands: a number option, global options after the words, a
 * short and a long spelling of one option, and before the command words */
static void
test_other_commands (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) stop = vmctl_test_run_vmctlv ("stop", "x", "--timeout", "3",
                                                        "--timeout=4", NULL);
  g_autoptr(VmctlTestRun) list = vmctl_test_run_vmctlv ("list", "-c", "test:///default",
                                                        "--connect=test:///default", NULL);
  g_autoptr(VmctlTestRun) check = vmctl_test_run_vmctlv ("gpu", "check", "01:00.0",
                                                         "--host-root", fixture->root,
                                                         "--host-root", fixture->root, NULL);
  g_autoptr(VmctlTestRun) before = vmctl_test_run_vmctlv ("--state-dir", "/nonexistent/a",
                                                          "--state-dir=/nonexistent/b", "gpu",
                                                          "status", NULL);
  g_autoptr(VmctlTestRun) short_before = vmctl_test_run_vmctlv ("-c", "test:///default", "-c",
                                                                "test:///default", "list", NULL);

  assert_repeated (stop, "--timeout");
  assert_repeated (list, "--connect");
  assert_repeated (check, "--host-root");
  assert_repeated (before, "--state-dir");
  assert_repeated (short_before, "--connect");
}

/* Repeatable options and flags pass; a value that looks like an option
 * is a value (GLib's own tokenizer decides), so "--memory" as the value
 * of --network counts as no --memory. */
static void
test_not_repeated (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) flags = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", "01:00.0", "--json", "--json",
                                                         NULL);
  g_autoptr(VmctlTestRun) arrays = vmctl_test_run_vmctlv ("--host-root", fixture->root, "create",
                                                          "x", "--print-xml", "--virt-type=qemu",
                                                          "--gpu", "01:00.0", "--hostdev",
                                                          "01:00.1", "--disk", "size=1G",
                                                          "--disk", "size=2G", NULL);
  g_autoptr(VmctlTestRun) value = vmctl_test_run_vmctlv ("--host-root", fixture->root, "create",
                                                         "x", "--print-xml", "--memory", "1G",
                                                         "--network", "--memory", NULL);

  g_assert_cmpint (flags->exit_status, ==, 0);
  g_assert_cmpint (arrays->exit_status, ==, 0);
  g_assert_null (strstr (arrays->err, "twice"));
  vmctl_test_assert_usage_error (value);
  g_assert_null (strstr (value->err, "twice"));
  g_assert_nonnull (strstr (value->err, "--network '--memory'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_cli_test ("/vmctl/cli/options-single/create", "clean-gpu-audio", test_create);
  add_cli_test ("/vmctl/cli/options-single/other-commands", "clean-gpu-audio", test_other_commands);
  add_cli_test ("/vmctl/cli/options-single/not-repeated", "clean-gpu-audio", test_not_repeated);
  return g_test_run ();
}
