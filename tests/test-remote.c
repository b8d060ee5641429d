/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-remote.c: the passthrough engine on a host vmctl reaches only
 * through libvirt (a remote URI; here the test driver serving a
 * scenario's node devices, with no --host-root). libvirt is
 * libvmctl-fake-libvirt.so (tests/sim/), loaded through
 * VMCTL_LIBVIRT_SONAME by this program and by every vmctl it runs: the
 * real libvirt plus the node-device detach and reattach the test driver
 * lacks, recorded in $VMCTL_FAKE_LIBVIRT_STATE. Covered: gpu detach and
 * reattach, dry runs, a detach that fails half-way (undone, last first),
 * bad input, and start/destroy of a VM on such a host. */
#include "vmctl-connect.h"
#include "vmctl-test-lifecycle.h"
#include "vmctl-test-cli.h"
#include "vmctl-test-util.h"

#include <string.h>
#include <glib/gstdio.h>

typedef struct {
  gchar *directory;
  gchar *state;      /* the fake's record of detached devices */
  gchar *uri;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->directory = g_dir_make_tmp ("vmctl-remote-XXXXXX", NULL);
  fixture->state = g_build_filename (fixture->directory, "detached", NULL);
  fixture->uri = vmctl_test_libvirt_uri ("clean-gpu-audio");
  g_setenv ("VMCTL_FAKE_LIBVIRT_STATE", fixture->state, TRUE);
  g_unsetenv ("VMCTL_FAKE_LIBVIRT_FAIL");
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->state);
  g_free (fixture->uri);
}

static VmctlTestRun *
run_remote (Fixture *fixture, const gchar * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, fixture->uri);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

#define RUN(fixture, ...) run_remote (fixture, (const gchar *[]) { __VA_ARGS__, NULL })

static gchar *
read_or_empty (const gchar *path)
{
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static void
assert_detached (Fixture *fixture, const gchar *expected)
{
  g_autofree gchar *contents = read_or_empty (fixture->state);

  g_assert_cmpstr (contents, ==, expected);
}

static void
assert_calls (Fixture *fixture, const gchar *expected)
{
  g_autofree gchar *log = g_strconcat (fixture->state, ".log", NULL);
  g_autofree gchar *contents = read_or_empty (log);

  g_assert_cmpstr (contents, ==, expected);
  g_unlink (log);
}

static void
test_detach_reattach (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = RUN (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) again = NULL;
  g_autoptr(VmctlTestRun) reattach = NULL;

  g_assert_cmpint (detach->exit_status, ==, 0);
  g_assert_cmpstr (detach->out, ==, "libvirt: detach to vfio pci_0000_01_00_0\n"
                                    "libvirt: detach to vfio pci_0000_01_00_1\n");
  assert_detached (fixture, "pci_0000_01_00_0\npci_0000_01_00_1\n");
  assert_calls (fixture, "detach pci_0000_01_00_0\ndetach pci_0000_01_00_1\n");
  /* on vfio-pci already: nothing to do */
  again = RUN (fixture, "gpu", "detach", "01:00.0");
  g_assert_cmpint (again->exit_status, ==, 0);
  g_assert_cmpstr (again->out, ==, "nothing to do: every function is on vfio-pci already\n");
  assert_calls (fixture, "");

  reattach = RUN (fixture, "gpu", "reattach", "01:00.0", "--json");
  g_assert_cmpint (reattach->exit_status, ==, 0);
  g_assert_nonnull (strstr (reattach->out, "\"libvirt: reattach pci_0000_01_00_1\",\n"
                                           "    \"libvirt: reattach pci_0000_01_00_0\""));
  assert_detached (fixture, "");
  assert_calls (fixture, "reattach pci_0000_01_00_1\nreattach pci_0000_01_00_0\n");
}

static void
test_dry_run (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = RUN (fixture, "gpu", "detach", "01:00.0", "--dry-run");

  g_assert_cmpint (detach->exit_status, ==, 0);
  g_assert_cmpstr (detach->out, ==, "would: libvirt: detach to vfio pci_0000_01_00_0\n"
                                    "would: libvirt: detach to vfio pci_0000_01_00_1\n");
  assert_calls (fixture, "");
  assert_detached (fixture, "");
}

/* the audio function refuses: the GPU, already detached, goes back */
static void
test_half_way (Fixture *fixture, gconstpointer data)
{
  const gchar *environment[] = { "VMCTL_FAKE_LIBVIRT_FAIL=pci_0000_01_00_1", NULL };
  g_autofree gchar *uri = g_strdup (fixture->uri);
  const gchar *argv[] = { "-c", uri, "gpu", "detach", "01:00.0", NULL };
  g_autoptr(VmctlTestRun) detach = vmctl_test_run_vmctl_env (environment, argv);

  g_assert_cmpint (detach->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (detach);
  g_assert_true (g_str_has_prefix (detach->err, "vmctl: cannot detach pci_0000_01_00_1: "));
  assert_calls (fixture, "detach pci_0000_01_00_0\ndetach pci_0000_01_00_1\n"
                         "reattach pci_0000_01_00_0\n");
  assert_detached (fixture, "");
}

static void
test_bad_input (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) bridge = RUN (fixture, "gpu", "detach", "00:01.0");
  g_autoptr(VmctlTestRun) unknown = RUN (fixture, "gpu", "detach", "05:00.0");

  g_assert_cmpint (bridge->exit_status, ==, 2);
  g_assert_nonnull (strstr (bridge->err, "is a PCI bridge"));
  g_assert_cmpint (unknown->exit_status, ==, 2);
  vmctl_test_assert_one_error_line (unknown);
  assert_calls (fixture, "");
}

/* start and destroy of a VM whose plan lives on the remote host */
static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  LifecycleFixture lifecycle = { 0 };
  g_autoptr(GError) error = NULL;

  /* the scenario's host, whose node devices the plan names: no host root,
   * so the session's host is the remote one */
  vmctl_test_lifecycle_open (&lifecycle, fixture->uri, NULL, fixture->directory);
  vmctl_test_lifecycle_reset_spec (&lifecycle, "gamer");
  vmctl_test_domain_host_gpu (lifecycle.domain.spec, lifecycle.domain.plan, "clean-gpu-audio");
  g_assert_true (vmctl_test_lifecycle_define_spec (&lifecycle, &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_vm_start (lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_detached (fixture, "pci_0000_01_00_0\npci_0000_01_00_1\n");
  g_assert_true (vmctl_vm_destroy (lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_detached (fixture, "");
  assert_calls (fixture, "detach pci_0000_01_00_0\ndetach pci_0000_01_00_1\n"
                         "reattach pci_0000_01_00_1\nreattach pci_0000_01_00_0\n");

  /* a function the host refuses: the start fails, nothing stays moved */
  g_setenv ("VMCTL_FAKE_LIBVIRT_FAIL", "pci_0000_01_00_1", TRUE);
  g_assert_false (vmctl_vm_start (lifecycle.session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "cannot detach pci_0000_01_00_1");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&lifecycle, "gamer"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  assert_detached (fixture, "");
  vmctl_test_lifecycle_teardown (&lifecycle, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_strcmp0 (g_getenv ("VMCTL_LIBVIRT_SONAME"), NULL) == 0
      || strstr (g_getenv ("VMCTL_LIBVIRT_SONAME"), "fake-libvirt") == NULL) {
    g_printerr ("test-remote needs VMCTL_LIBVIRT_SONAME=libvmctl-fake-libvirt.so "
                "(see tests/meson.build)\n");
    return 1;
  }
#define ADD(path, fn) g_test_add ("/vmctl/remote/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("detach-reattach", test_detach_reattach);
  ADD ("dry-run", test_dry_run);
  ADD ("half-way", test_half_way);
  ADD ("bad-input", test_bad_input);
  ADD ("lifecycle", test_lifecycle);
#undef ADD
  return g_test_run ();
}
