/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-e2e-lifecycle.c: vmctl create, start, list, info, xml, stop,
 * destroy and undefine driving real QEMU guests through a real libvirtd
 * ($VMCTL_E2E_URI; tests/run-all.sh starts the daemon). The guests are
 * minimal SeaBIOS machines under TCG with a 64 MiB qcow2 volume: they boot
 * anywhere, and with nothing to boot they ignore ACPI, so stop --force
 * takes its destroy path.
 *
 * Names are "vmctl-e2e-PID-LABEL". Each test body runs in a subprocess
 * (g_test_trap_subprocess), and the parent removes every VM the test names
 * (domain, NVRAM, volume) before it looks at the result: a failed
 * assertion aborts only the child, so a failed run leaves nothing behind on
 * the daemon. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-autocleanups.h"
#include "vmctl-test-cli.h"
#include "vmctl-test-util.h"

typedef struct {
  const gchar *uri;
  GPtrArray *names;    /* every VM name this test may make, from its labels */
} E2eFixture;

static const gchar * const one_vm_labels[] = { "one", NULL };
/* six: more than libvirtd serves on one connection at once (five), so
 * run_many spreads them over two */
static const gchar * const many_vm_labels[] = { "many-0", "many-1", "many-2", "many-3", "many-4",
                                                "many-5", NULL };
static const gchar * const rejected_labels[] = { "rejected", NULL };
static const gchar * const gpu_labels[] = { "gpu", NULL };

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

/* The parent's pid names the VMs in the parent and in its test
 * subprocesses alike. */
static void
e2e_setup (E2eFixture *fixture, gconstpointer data)
{
  const gchar * const *labels = data;
  const gchar *tag;

  fixture->names = g_ptr_array_new_with_free_func (g_free);
  virSetErrorFunc (NULL, ignore_virt_error);
  if (!g_test_subprocess ()) {
    g_autofree gchar *pid = g_strdup_printf ("%d", (gint) getpid ());

    g_setenv ("VMCTL_E2E_TAG", pid, TRUE);
  }
  fixture->uri = vmctl_test_e2e_uri ();
  if (fixture->uri == NULL)
    return;
  tag = g_getenv ("VMCTL_E2E_TAG");
  for (guint i = 0; labels[i] != NULL; i++)
    g_ptr_array_add (fixture->names, g_strdup_printf ("vmctl-e2e-%s-%s", tag, labels[i]));
}

/* "vmctl -c URI ARGS..." */
static VmctlTestRun *
run_e2e (E2eFixture *fixture, const gchar * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) fixture->uri);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

#define RUN(fixture, ...) run_e2e (fixture, (const gchar *[]) { __VA_ARGS__, NULL })

static void
assert_exit (const VmctlTestRun *run, gint expected)
{
  if (run->exit_status != expected)
    g_error ("expected exit %d, got %d\nstdout: %s\nstderr: %s", expected, run->exit_status,
             run->out, run->err);
}

/* The file behind NAME.qcow2 in the default pool, or NULL. */
static gchar *
volume_path (virConnectPtr connection, const gchar *name)
{
  g_autofree gchar *volume_name = g_strconcat (name, ".qcow2", NULL);
  virStoragePoolPtr pool = virStoragePoolLookupByName (connection, "default");
  virStorageVolPtr volume;
  gchar *path = NULL;

  if (pool == NULL)
    return NULL;
  virStoragePoolRefresh (pool, 0);
  volume = virStorageVolLookupByName (pool, volume_name);
  if (volume != NULL) {
    path = virStorageVolGetPath (volume);
    virStorageVolFree (volume);
  }
  virStoragePoolFree (pool);
  return path;
}

/* Whatever vmctl left, removed with libvirt directly. */
static void
remove_leftovers (virConnectPtr connection, const gchar *name)
{
  g_autofree gchar *volume_name = g_strconcat (name, ".qcow2", NULL);
  virDomainPtr domain = virDomainLookupByName (connection, name);
  virStoragePoolPtr pool;

  if (domain != NULL) {
    virDomainDestroy (domain);
    virDomainUndefineFlags (domain, VIR_DOMAIN_UNDEFINE_NVRAM
                                    | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                                    | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
    virDomainFree (domain);
  }
  pool = virStoragePoolLookupByName (connection, "default");
  if (pool != NULL) {
    virStorageVolPtr volume = virStorageVolLookupByName (pool, volume_name);

    if (volume != NULL) {
      virStorageVolDelete (volume, 0);
      virStorageVolFree (volume);
    }
    virStoragePoolFree (pool);
  }
}

static void
remove_all (E2eFixture *fixture)
{
  if (fixture->uri != NULL && fixture->names->len > 0) {
    g_autoptr(VmctlConnect) connection = virConnectOpen (fixture->uri);

    for (guint i = 0; i < fixture->names->len; i++) {
      const gchar *name = g_ptr_array_index (fixture->names, i);
      g_autoptr(VmctlTestRun) destroy = RUN (fixture, "destroy", name);
      g_autoptr(VmctlTestRun) undefine = RUN (fixture, "undefine", name, "--remove-storage");

      if (connection != NULL)
        remove_leftovers (connection, name);
    }
  }
}

/* The parent: the body in a subprocess, then the clean-up, then the
 * verdict. */
static gboolean
run_body_apart (E2eFixture *fixture)
{
  if (g_test_subprocess ())
    return TRUE;
  if (fixture->uri != NULL) {
    g_test_trap_subprocess (NULL, 240 * G_USEC_PER_SEC,
                            G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
    remove_all (fixture);
    g_test_trap_assert_passed ();
  }
  return FALSE;
}

static void
e2e_teardown (E2eFixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ())
    remove_all (fixture);
  g_ptr_array_unref (fixture->names);
}

static void
create_minimal (E2eFixture *fixture, const gchar *name)
{
  g_autoptr(VmctlTestRun) run = RUN (fixture, "create", name, "--profile", "minimal",
                                     "--virt-type", "qemu", "--firmware", "bios",
                                     "--network", "none", "--disk", "size=64M");
  g_autofree gchar *expected = g_strdup_printf ("vmctl: defined %s (start it with: vmctl start %s)\n",
                                                name, name);

  assert_exit (run, 0);
  g_assert_cmpstr (run->out, ==, expected);
}

/* a table line whose first column is @name and that shows @word */
static gboolean
line_matches (const gchar *text, const gchar *name, const gchar *word)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree gchar *prefix = g_strconcat (name, " ", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix) && strstr (lines[i], word) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_one_vm (E2eFixture *fixture, gconstpointer data)
{
  const gchar *name;
  g_autoptr(VmctlConnect) connection = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *started = NULL;
  g_autofree gchar *stopped = NULL;
  g_autofree gchar *already = NULL;

  if (!run_body_apart (fixture))
    return;
  name = g_ptr_array_index (fixture->names, 0);
  connection = virConnectOpen (fixture->uri);
  g_assert_nonnull (connection);
  started = g_strdup_printf ("%s: started\n", name);
  stopped = g_strdup_printf ("%s: stopped\n", name);
  already = g_strdup_printf ("%s: already stopped\n", name);

  create_minimal (fixture, name);
  path = volume_path (connection, name);
  g_assert_nonnull (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  {
    /* the same name again is refused, and the existing VM is untouched */
    g_autoptr(VmctlTestRun) again = RUN (fixture, "create", name, "--profile", "minimal",
                                         "--virt-type", "qemu", "--firmware", "bios",
                                         "--network", "none");
    vmctl_test_assert_usage_error (again);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr(VmctlTestRun) start = RUN (fixture, "start", name);
    g_autoptr(VmctlTestRun) list = RUN (fixture, "list");
    g_autoptr(VmctlTestRun) info = RUN (fixture, "info", name, "--json");
    g_autoptr(VmctlTestRun) xml = RUN (fixture, "xml", name);
    g_autoptr(VmctlTestRun) undefine = RUN (fixture, "undefine", name);
    g_autoptr(JsonNode) node = NULL;
    g_autofree gchar *xml_name = g_strdup_printf ("<name>%s</name>", name);

    assert_exit (start, 0);
    g_assert_cmpstr (start->out, ==, started);
    assert_exit (list, 0);
    g_assert_true (line_matches (list->out, name, "running"));
    assert_exit (info, 0);
    node = vmctl_test_parse_json (info->out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "state"), ==,
                     "running");
    g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "managed"));
    assert_exit (xml, 0);
    g_assert_nonnull (strstr (xml->out, xml_name));
    /* a running VM is not undefined */
    assert_exit (undefine, 1);
    vmctl_test_assert_one_error_line (undefine);
  }
  {
    g_autoptr(VmctlTestRun) stop = RUN (fixture, "stop", name, "--timeout", "2", "--force");
    g_autoptr(VmctlTestRun) stop_again = RUN (fixture, "stop", name);
    g_autoptr(VmctlTestRun) destroy = RUN (fixture, "destroy", name);
    g_autoptr(VmctlTestRun) list_all = RUN (fixture, "list", "--all");

    /* the guest has no OS to answer ACPI: --force powered it off, and
     * the line says so rather than "stopped" */
    assert_exit (stop, 0);
    g_assert_true (g_str_has_suffix (stop->out, ": did not shut down within 2 s; powered off\n")
                   || g_strcmp0 (stop->out, stopped) == 0);
    assert_exit (stop_again, 0);
    g_assert_cmpstr (stop_again->out, ==, already);
    assert_exit (destroy, 0);
    g_assert_cmpstr (destroy->out, ==, already);
    assert_exit (list_all, 0);
    g_assert_true (line_matches (list_all->out, name, "shut off"));
  }
  {
    g_autoptr(VmctlTestRun) undefine = RUN (fixture, "undefine", name, "--remove-storage");
    g_autoptr(VmctlTestRun) info = RUN (fixture, "info", name);
    g_autofree gchar *removed = g_strdup_printf ("%s: undefined\n%s: removed %s\n", name, name,
                                                 path);

    assert_exit (undefine, 0);
    /* the volume create made was recorded as vmctl's, so it is the one
     * --remove-storage removes (quickstart.sh relies on it) */
    g_assert_cmpstr (undefine->out, ==, removed);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    vmctl_test_assert_usage_error (info);
  }
}

static void
test_many_vms (E2eFixture *fixture, gconstpointer data)
{
  const gchar *names[7] = { NULL };
  g_autoptr(GString) started = g_string_new (NULL);
  g_autoptr(GString) destroyed = g_string_new (NULL);

  if (!run_body_apart (fixture))
    return;
  for (guint i = 0; i < 6; i++) {
    names[i] = g_ptr_array_index (fixture->names, i);
    create_minimal (fixture, names[i]);
    g_string_append_printf (started, "%s: started\n", names[i]);
    g_string_append_printf (destroyed, "%s: destroyed\n", names[i]);
  }
  {
    /* explicit names: --all would touch every other VM on the daemon */
    g_autoptr(VmctlTestRun) start = RUN (fixture, "start", names[0], names[1], names[2], names[3],
                                         names[4], names[5]);
    g_autoptr(VmctlTestRun) list = RUN (fixture, "list", "--json");
    g_autoptr(VmctlTestRun) destroy = RUN (fixture, "destroy", names[0], names[1], names[2],
                                           names[3], names[4], names[5]);

    assert_exit (start, 0);
    g_assert_cmpstr (start->out, ==, started->str);
    assert_exit (list, 0);
    for (guint i = 0; i < 6; i++)
      g_assert_nonnull (strstr (list->out, names[i]));
    assert_exit (destroy, 0);
    g_assert_cmpstr (destroy->out, ==, destroyed->str);
  }
  for (guint i = 0; i < 6; i++) {
    g_autoptr(VmctlTestRun) undefine = RUN (fixture, "undefine", names[i], "--remove-storage");

    assert_exit (undefine, 0);
  }
}

/* A start that fails past vmctl's checks (here the disk image is gone by
 * the time QEMU would open it) exits 1 with one line and leaves the VM
 * shut off, with nothing running. */
static void
test_start_rejected (E2eFixture *fixture, gconstpointer data)
{
  const gchar *name;
  g_autofree gchar *directory = NULL;
  g_autofree gchar *image = NULL;
  g_autofree gchar *zeros = g_malloc0 (1024 * 1024);
  g_autoptr(GError) error = NULL;

  if (!run_body_apart (fixture))
    return;
  name = g_ptr_array_index (fixture->names, 0);
  directory = g_dir_make_tmp ("vmctl-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  image = g_build_filename (directory, "disk.img", NULL);
  g_file_set_contents (image, zeros, 1024 * 1024, &error);
  g_assert_no_error (error);
  {
    g_autoptr(VmctlTestRun) create = RUN (fixture, "create", name, "--profile", "minimal",
                                          "--virt-type", "qemu", "--firmware", "bios",
                                          "--network", "none", "--disk", image);
    assert_exit (create, 0);
  }
  g_assert_cmpint (g_unlink (image), ==, 0);
  g_assert_cmpint (g_rmdir (directory), ==, 0);
  {
    g_autoptr(VmctlTestRun) start = RUN (fixture, "start", name);
    g_autoptr(VmctlTestRun) info = RUN (fixture, "info", name, "--json");
    g_autoptr(JsonNode) node = NULL;

    assert_exit (start, 1);
    vmctl_test_assert_one_error_line (start);
    g_assert_cmpstr (start->out, ==, "");
    assert_exit (info, 0);
    node = vmctl_test_parse_json (info->out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "state"), ==,
                     "shut off");
  }
}

/* A VM with a GPU that vmctl must detach, on the real libvirtd. The GPU
 * lives in a simulated host (a copy of clean-gpu-audio under the kernel
 * simulator): vmctl moves it and its audio function to vfio-pci there, then
 * QEMU cannot have them (this machine has no such device and no IOMMU), the
 * start fails, and the undo must leave the simulated host exactly as it was,
 * with an error that says why. */
static void
test_passthrough_start_fails (E2eFixture *fixture, gconstpointer data)
{
  const gchar *sim = g_getenv ("VMCTL_KERNEL_SIM");
  const gchar *name;
  g_autofree gchar *root = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *log = NULL;
  g_autofree gchar *preload = NULL;
  g_autofree gchar *sim_root = NULL;
  g_autofree gchar *journal = NULL;

  if (sim == NULL) {
    g_test_skip ("VMCTL_KERNEL_SIM not set (tests/meson.build sets it)");
    return;
  }
  if (!run_body_apart (fixture))
    return;
  name = g_ptr_array_index (fixture->names, 0);
  root = vmctl_test_copy_scenario ("clean-gpu-audio");
  vmctl_test_write (root, ".sim/log", "");
  state = g_dir_make_tmp ("vmctl-e2e-state-XXXXXX", NULL);
  preload = g_strconcat ("LD_PRELOAD=", sim, NULL);
  sim_root = g_strconcat ("VMCTL_SIM_ROOT=", root, NULL);
  {
    g_autoptr(VmctlTestRun) create = RUN (fixture, "--host-root", root, "create", name,
                                          "--gpu", "01:00.0", "--profile", "minimal",
                                          "--virt-type", "qemu", "--firmware", "bios",
                                          "--network", "none", "--memory", "128M");
    assert_exit (create, 0);
  }
  {
    const gchar *environment[] = { preload, sim_root, "VMCTL_BIND_TIMEOUT_MS=2000", NULL };
    const gchar *argv[] = { "-c", fixture->uri, "--host-root", root, "--state-dir", state,
                            "start", name, NULL };
    g_autoptr(VmctlTestRun) start = vmctl_test_run_vmctl_env (environment, argv);
    g_autofree gchar *gpu = vmctl_test_sim_driver (root, "0000:01:00.0");
    g_autofree gchar *audio = vmctl_test_sim_driver (root, "0000:01:00.1");

    assert_exit (start, 1);
    vmctl_test_assert_one_error_line (start);
    /* libvirt's reason is in the line: no VFIO here (no IOMMU), or, on a
     * host with one, no such device */
    g_assert_nonnull (strstr (start->err, "cannot start VM"));
    g_assert_true (strstr (start->err, "VFIO") != NULL || strstr (start->err, "0000:01:00.") != NULL);
    g_assert_cmpstr (gpu, ==, "nvidia");
    g_assert_cmpstr (audio, ==, "snd_hda_intel");
  }
  /* the engine did run: both functions went to vfio-pci and came back */
  log = g_build_filename (root, ".sim/log", NULL);
  {
    g_autofree gchar *writes = NULL;

    g_assert_true (g_file_get_contents (log, &writes, NULL, NULL));
    g_assert_nonnull (strstr (writes, "drivers_probe 0000:01:00.1\n"));
    g_assert_nonnull (strstr (writes, "drivers/nvidia/bind 0000:01:00.0\n"));
    g_assert_nonnull (strstr (writes, "drivers/snd_hda_intel/bind 0000:01:00.1\n"));
  }
  journal = g_build_filename (state, "journal", NULL);
  {
    g_autoptr(GDir) dir = g_dir_open (journal, 0, NULL);

    g_assert_nonnull (dir);
    g_assert_null (g_dir_read_name (dir));
  }
  vmctl_test_remove_tree (root);
  vmctl_test_remove_tree (state);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vmctl/e2e/lifecycle/one-vm", E2eFixture, one_vm_labels, e2e_setup, test_one_vm,
              e2e_teardown);
  g_test_add ("/vmctl/e2e/lifecycle/many-vms", E2eFixture, many_vm_labels, e2e_setup,
              test_many_vms, e2e_teardown);
  g_test_add ("/vmctl/e2e/lifecycle/start-rejected", E2eFixture, rejected_labels, e2e_setup,
              test_start_rejected, e2e_teardown);
  g_test_add ("/vmctl/e2e/lifecycle/passthrough-start-fails", E2eFixture, gpu_labels, e2e_setup,
              test_passthrough_start_fails, e2e_teardown);
  return g_test_run ();
}
