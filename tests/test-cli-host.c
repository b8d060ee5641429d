/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-host.c: the options issue 13 adds, through the binary: create
 * --isolate-cpus (and the gaming profile's isolate key) lands in the
 * metadata and needs pinned vCPUs; start --single-gpu refuses a VM vmctl
 * did not make; host recover with nothing recorded says so. */
#include "vmctl-test-host.h"

#include <string.h>

static void
setup (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_setup (fixture, "clean-gpu-audio");
}

static void
teardown (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_teardown (fixture);
}

static VmctlTestRun *
create (HostFixture *fixture, const gchar * const *options)
{
  return vmctl_test_host_run_joined (fixture, (const gchar *[]) { "create", "vm", NULL }, options,
                                     (const gchar *[]) { "--print-xml", NULL });
}

static void
test_isolate_cpus (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) unpinned = create (fixture, (const gchar *[]) { "--profile", "minimal",
                                                                         "--isolate-cpus", NULL });
  g_autoptr(VmctlTestRun) pinned = create (fixture, (const gchar *[]) { "--profile", "minimal",
                                                                       "--vcpus", "2",
                                                                       "--cpu-pin", "auto",
                                                                       "--isolate-cpus", NULL });
  g_autoptr(VmctlTestRun) plain = create (fixture, (const gchar *[]) { "--profile", "minimal", NULL });

  g_assert_cmpint (unpinned->exit_status, ==, 2);
  g_assert_nonnull (strstr (unpinned->err, "--isolate-cpus needs pinned vCPUs"));
  g_assert_cmpint (pinned->exit_status, ==, 0);
  g_assert_nonnull (strstr (pinned->out, "isolate-cpus=\"yes\""));
  g_assert_nonnull (strstr (pinned->out, "<vcpupin"));
  g_assert_cmpint (plain->exit_status, ==, 0);
  g_assert_null (strstr (plain->out, "isolate-cpus"));
}

/* the gaming profile isolates; without pins it says why it does not */
static void
test_gaming_profile (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) gaming = create (fixture, (const gchar *[]) { "--profile", "gaming",
                                                                       "--vcpus", "2", NULL });
  g_autoptr(VmctlTestRun) unpinned = create (fixture, (const gchar *[]) { "--profile", "gaming",
                                                                         "--cpu-pin", "none",
                                                                         NULL });

  g_assert_cmpint (gaming->exit_status, ==, 0);
  g_assert_nonnull (strstr (gaming->out, "isolate-cpus=\"yes\""));
  g_assert_null (strstr (gaming->out, "single-gpu="));
  g_assert_cmpint (unpinned->exit_status, ==, 0);
  g_assert_null (strstr (unpinned->out, "isolate-cpus"));
  g_assert_nonnull (strstr (unpinned->err, "no CPU isolation"));
}

static void
test_single_gpu_needs_vmctl_vm (HostFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("lifecycle");
  g_autoptr(VmctlTestRun) run = vmctl_test_host_run (fixture, NULL,
                                                     (const gchar *[]) { "-c", uri, "start",
                                                                         "stopped", "--single-gpu",
                                                                         NULL });

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_nonnull (strstr (run->err, "was not made by vmctl: --single-gpu needs its plan"));
}

static void
test_recover_nothing (HostFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("lifecycle");
  g_autoptr(VmctlTestRun) run = vmctl_test_host_run (fixture, NULL,
                                                     (const gchar *[]) { "-c", uri, "host",
                                                                         "recover", NULL });
  g_autoptr(VmctlTestRun) json = vmctl_test_host_run (fixture, NULL,
                                                      (const gchar *[]) { "-c", uri, "host",
                                                                          "recover", "--json",
                                                                          NULL });

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->out, ==, "nothing to recover: vmctl holds nothing on this host\n");
  g_assert_cmpint (json->exit_status, ==, 0);
  g_assert_nonnull (strstr (json->out, "\"given_back\" : ["));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, function) \
  g_test_add (path, HostFixture, NULL, setup, function, teardown)
  ADD ("/vmctl/cli/host/create-isolate-cpus", test_isolate_cpus);
  ADD ("/vmctl/cli/host/gaming-profile", test_gaming_profile);
  ADD ("/vmctl/cli/host/start-single-gpu", test_single_gpu_needs_vmctl_vm);
  ADD ("/vmctl/cli/host/recover-nothing", test_recover_nothing);
#undef ADD
  return g_test_run ();
}
