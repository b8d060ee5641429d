/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-facts.c: the defects of issue 9 through the vmctl binary.
 * - On data/demo-host (2 MiB pages reserved and mounted, no 1 GiB pages)
 *   gaming asks for 2 MiB pages and no <locked/>.
 * - --vcpus 7 --cpu-pin auto: the guest's topology matches the pinning.
 * - --virt-type qemu: nothing Hyper-V, hypervclock included.
 * - amd-host (kvm_amd avic=1): <avic>.
 * - create fails (exit 1) with the fix when no page size fits.
 * - A remote host (the test driver, with libvirt's documents of a captured
 *   host served by the fake libvirt, VMCTL_LIBVIRT_SONAME): host check and
 *   create answer from libvirt, never from this machine's files.
 * - stop --force on a guest that ignores ACPI says it powered it off.
 * - start brings up an inactive network, or says why it cannot. */
#include "vmctl-test-cli.h"

#include <string.h>

static gchar *
facts_file (const gchar *name)
{
  g_autofree gchar *relative = g_strconcat ("tests/data/libvirt-facts/", name, NULL);

  return vmctl_test_source_path (relative);
}

static void
assert_has (const gchar *text, const gchar *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("'%s' not in:\n%s", needle, text);
}

static void
assert_lacks (const gchar *text, const gchar *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("'%s' unexpectedly in:\n%s", needle, text);
}

static VmctlTestRun *
create_on_root (const gchar *root, const gchar * const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, (gpointer) root);
  g_ptr_array_add (argv, (gpointer) "create");
  g_ptr_array_add (argv, (gpointer) "gamer");
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, (gpointer) "--print-xml");
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

#define CREATE(root, ...) create_on_root (root, (const gchar *[]) { __VA_ARGS__, NULL })

static void
assert_ok (const VmctlTestRun *run)
{
  if (run->exit_status != 0)
    g_error ("exit %d: %s", run->exit_status, run->err);
}

/* the demo host: 8192 2 MiB pages reserved and free, a 2 MiB mount, a
 * 1 GiB pool with no pages: 1 GiB pages could not start the VM */
static void
test_demo_host_pages (void)
{
  g_autofree gchar *demo = vmctl_test_source_path ("data/demo-host");
  g_autoptr(VmctlTestRun) run = CREATE (demo, "--gpu", "01:00.0", "--profile", "gaming");

  assert_ok (run);
  assert_has (run->out, "<page size=\"2048\" unit=\"KiB\"/>");
  assert_lacks (run->out, "1048576");
  /* libvirtd may not raise RLIMIT_MEMLOCK; VFIO gets its limit anyway */
  assert_lacks (run->out, "<locked/>");
}

/* the pins of vCPU 0..n-1 from the XML */
static GPtrArray *
pins (const gchar *xml)
{
  GPtrArray *cpus = g_ptr_array_new_with_free_func (g_free);
  const gchar *at = xml;

  while ((at = strstr (at, "<vcpupin vcpu=\"")) != NULL) {
    const gchar *set = strstr (at, "cpuset=\"") + strlen ("cpuset=\"");

    g_ptr_array_add (cpus, g_strndup (set, strcspn (set, "\"")));
    at = set;
  }
  return cpus;
}

/* demo host: 8 cores, siblings N and N+8; CPU 0 and 8 stay with the host */
static void
test_topology_matches_pinning (void)
{
  g_autofree gchar *demo = vmctl_test_source_path ("data/demo-host");
  g_autoptr(VmctlTestRun) seven = CREATE (demo, "--profile", "gaming", "--vcpus", "7",
                                          "--no-hugepages");
  g_autoptr(VmctlTestRun) six = CREATE (demo, "--profile", "gaming", "--vcpus", "6",
                                        "--no-hugepages");
  g_autoptr(VmctlTestRun) nine = CREATE (demo, "--profile", "gaming", "--vcpus", "9",
                                         "--no-hugepages");
  g_autoptr(GPtrArray) cpus = NULL;

  assert_ok (seven);
  assert_has (seven->out, "cores=\"7\" threads=\"1\"");
  /* threads=1: no two vCPUs on one core's siblings */
  cpus = pins (seven->out);
  g_assert_cmpuint (cpus->len, ==, 7);
  for (guint i = 0; i < cpus->len; i++)
    for (guint j = 0; j < i; j++)
      g_assert_cmpuint (atoi (g_ptr_array_index (cpus, i)) % 8, !=,
                        atoi (g_ptr_array_index (cpus, j)) % 8);
  g_clear_pointer (&cpus, g_ptr_array_unref);

  assert_ok (six);
  assert_has (six->out, "cores=\"3\" threads=\"2\"");
  cpus = pins (six->out);
  for (guint i = 0; i < cpus->len; i += 2)
    g_assert_cmpuint (atoi (g_ptr_array_index (cpus, i)) + 8, ==,
                      atoi (g_ptr_array_index (cpus, i + 1)));

  /* 9 fits neither way: refused with the counts that fit */
  g_assert_cmpint (nine->exit_status, ==, 2);
  vmctl_test_assert_one_error_line (nine);
  assert_has (nine->err, "give --vcpus 8 or 10");
}

static void
test_tcg_no_hyperv (void)
{
  g_autofree gchar *demo = vmctl_test_source_path ("data/demo-host");
  g_autoptr(VmctlTestRun) run = CREATE (demo, "--gpu", "01:00.0", "--profile", "gaming",
                                        "--virt-type", "qemu");

  assert_ok (run);
  assert_has (run->out, "<domain type=\"qemu\">");
  assert_lacks (run->out, "hyperv");
  assert_lacks (run->out, "hypervclock");
  assert_has (run->err, "the Hyper-V clock");
}

static void
test_avic (void)
{
  g_autofree gchar *amd = vmctl_test_source_path ("tests/data/sysfs/amd-host");
  g_autofree gchar *intel = vmctl_test_source_path ("data/demo-host");
  g_autoptr(VmctlTestRun) on_amd = CREATE (amd, "--profile", "gaming");
  g_autoptr(VmctlTestRun) on_intel = CREATE (intel, "--profile", "gaming");

  assert_ok (on_amd);
  assert_has (on_amd->out, "<avic state=\"on\"/>");
  assert_ok (on_intel);
  assert_lacks (on_intel->out, "avic");
}

/* nothing fits: exit 1 with the fix */
static void
test_no_page_size (void)
{
  g_autofree gchar *root = vmctl_test_copy_scenario ("clean-gpu-audio");
  g_autoptr(VmctlTestRun) run = NULL;

  vmctl_test_write (root, "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "10\n");
  run = CREATE (root, "--profile", "gaming");
  g_assert_cmpint (run->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (run);
  assert_has (run->err, "no hugepage size can back 16 GiB");
  assert_has (run->err, "--dynamic-hugepages");
  vmctl_test_remove_tree (root);
}

/* ---- a remote host: libvirt only ------------------------------------------ */

typedef struct {
  gchar *uri;
  GPtrArray *environment;
} Remote;

static void
remote_setup (Remote *remote, gconstpointer data)
{
  const gchar *host = data;
  g_autofree gchar *caps_name = g_strconcat (host, "-capabilities.xml", NULL);
  g_autofree gchar *kvm_name = g_strconcat (host, "-domcaps-kvm.xml", NULL);
  g_autofree gchar *caps = facts_file (caps_name);
  g_autofree gchar *kvm = facts_file (kvm_name);
  g_autofree gchar *qemu = facts_file ("this-machine-domcaps-qemu.xml");

  remote->uri = vmctl_test_libvirt_uri ("clean-gpu-audio");
  remote->environment = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (remote->environment, g_strconcat ("VMCTL_FAKE_LIBVIRT_CAPS=", caps, NULL));
  g_ptr_array_add (remote->environment, g_strconcat ("VMCTL_FAKE_LIBVIRT_DOMCAPS_KVM=", kvm, NULL));
  g_ptr_array_add (remote->environment, g_strconcat ("VMCTL_FAKE_LIBVIRT_DOMCAPS_QEMU=", qemu, NULL));
  g_ptr_array_add (remote->environment, g_strdup ("VMCTL_FAKE_LIBVIRT_FREEPAGES=0:2048:4096"));
  g_ptr_array_add (remote->environment, g_strdup ("VMCTL_FAKE_LIBVIRT_MEMORY_KIB=32658820"));
  g_ptr_array_add (remote->environment, NULL);
}

static void
remote_teardown (Remote *remote, gconstpointer data)
{
  g_free (remote->uri);
  g_ptr_array_unref (remote->environment);
}

static VmctlTestRun *
run_remote (Remote *remote, const gchar * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, remote->uri);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl_env ((const gchar * const *) remote->environment->pdata,
                                   (const gchar * const *) argv->pdata);
}

#define REMOTE(remote, ...) run_remote (remote, (const gchar *[]) { __VA_ARGS__, NULL })

static const gchar *
check_status (JsonArray *checks, const gchar *id, const gchar **out_message)
{
  for (guint i = 0; i < json_array_get_length (checks); i++) {
    JsonObject *check = json_array_get_object_element (checks, i);

    if (g_strcmp0 (json_object_get_string_member (check, "id"), id) == 0) {
      if (out_message != NULL)
        *out_message = json_object_get_string_member (check, "message");
      return json_object_get_string_member (check, "status");
    }
  }
  g_error ("no check %s", id);
}

/* The captured host is an Intel 8c/16t with an IOMMU, vfio, OVMF with
 * Secure Boot, swtpm and 4096 free 2 MiB pages; this machine is an AMD
 * without IOMMU, vfio or hugepages. Every answer must be the former's,
 * and what libvirt cannot tell is unknown, not this machine's. */
static void
test_remote_host_check (Remote *remote, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = REMOTE (remote, "host", "check", "--json");
  g_autoptr(VmctlTestRun) human = REMOTE (remote, "host", "check");
  g_autoptr(JsonNode) node = NULL;
  JsonArray *checks;
  const gchar *message = NULL;
  static const gchar * const unknown[] = {
    "kvm.nested", "iommu.acpi", "iommu.cmdline", "iommu.interrupt_remapping", "vfio.modules",
    "hugepages.mount", "devices.vhost_net", "devices.tun",
  };

  assert_ok (run);
  node = vmctl_test_parse_json (run->out);
  checks = json_object_get_array_member (json_node_get_object (node), "checks");
  g_assert_cmpuint (json_array_get_length (checks), ==, 17);
  g_assert_cmpstr (check_status (checks, "cpu.virtualization", &message), ==, "pass");
  assert_has (message, "GenuineIntel, 16 logical CPUs, vmx");
  g_assert_cmpstr (check_status (checks, "kvm.device", NULL), ==, "pass");
  g_assert_cmpstr (check_status (checks, "iommu.groups", NULL), ==, "pass");
  g_assert_cmpstr (check_status (checks, "vfio.device", NULL), ==, "pass");
  g_assert_cmpstr (check_status (checks, "hugepages", &message), ==, "pass");
  assert_has (message, "2048 kB: 4096 total, 4096 free");
  g_assert_cmpstr (check_status (checks, "firmware.ovmf", &message), ==, "pass");
  assert_has (message, "Secure Boot available");
  g_assert_cmpstr (check_status (checks, "firmware.tpm", NULL), ==, "pass");
  g_assert_cmpstr (check_status (checks, "libvirt.connection", NULL), ==, "pass");
  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    g_assert_cmpstr (check_status (checks, unknown[i], NULL), ==, "unknown");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "ready"));

  assert_ok (human);
  assert_lacks (human->err, "this machine");
  assert_has (human->out, "UNKNOWN  IOMMU in firmware (ACPI)");
  assert_has (human->out, "8 checks unknown on this remote host");
}

/* create for the remote host: its TPM, its pages, its Hyper-V list, and
 * the firmware chosen by its libvirt (its descriptors are not ours) */
static void
test_remote_create (Remote *remote, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = REMOTE (remote, "create", "gamer", "--profile", "gaming",
                                        "--memory", "8G", "--print-xml");
  g_autoptr(VmctlTestRun) too_big = REMOTE (remote, "create", "gamer", "--profile", "gaming",
                                            "--print-xml");

  /* its 4096 free 2 MiB pages hold 8 GiB, not the profile's 16 */
  g_assert_cmpint (too_big->exit_status, ==, 1);
  assert_has (too_big->err, "2 MiB pages: 4096 free of 4096 reserved, 8192 needed");
  assert_ok (run);
  assert_has (run->out, "<os firmware=\"efi\">");
  assert_has (run->out, "<feature enabled=\"yes\" name=\"secure-boot\"/>");
  assert_has (run->out, "<loader secure=\"yes\"/>");
  assert_lacks (run->out, "/usr/share/OVMF");
  assert_has (run->out, "<backend type=\"emulator\" version=\"2.0\"/>");
  assert_has (run->out, "<page size=\"2048\" unit=\"KiB\"/>");
  assert_has (run->out, "<vcpu placement=\"static\">8</vcpu>");
  assert_has (run->out, "threads=\"2\"");
  assert_has (run->out, "<synic state=\"on\"/>");
  /* Intel: no avic; the captured list has no avic anyway */
  assert_lacks (run->out, "avic");
  assert_lacks (run->err, "swtpm");
}

/* the AMD host lists avic, and its only pages are 1 GiB */
static void
test_remote_create_amd (Remote *remote, gconstpointer data)
{
  const gchar *environment[] = {
    g_ptr_array_index (remote->environment, 0), g_ptr_array_index (remote->environment, 1),
    g_ptr_array_index (remote->environment, 2), "VMCTL_FAKE_LIBVIRT_FREEPAGES=0:1048576:16",
    NULL,
  };
  g_autofree gchar *uri = g_strdup (remote->uri);
  const gchar *argv[] = { "-c", uri, "create", "gamer", "--profile", "gaming", "--print-xml",
                          NULL };
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctl_env (environment, argv);

  assert_ok (run);
  assert_has (run->out, "<avic state=\"on\"/>");
  /* the remote mounts are unknown: libvirt there needs a 1 GiB mount,
   * which the pages alone cannot show; vmctl trusts the pool */
  assert_has (run->out, "<page size=\"1048576\" unit=\"KiB\"/>");
  assert_has (run->out, "name=\"topoext\"");
}

/* ---- stop --force and networks (the test driver's vms.xml) -------------- */

static VmctlTestRun *
run_vms (const gchar * const *environment, const gchar * const *args)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("vms");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, uri);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl_env (environment, (const gchar * const *) argv->pdata);
}

#define VMS(environment, ...) run_vms (environment, (const gchar *[]) { __VA_ARGS__, NULL })

static void
test_stop_force (void)
{
  const gchar *ignore[] = { "VMCTL_FAKE_LIBVIRT_IGNORE_SHUTDOWN=1", NULL };
  const gchar *none[] = { NULL };
  g_autoptr(VmctlTestRun) text = VMS (ignore, "stop", "web", "--timeout", "1", "--force");
  g_autoptr(VmctlTestRun) json = VMS (ignore, "stop", "web", "--timeout", "1", "--force", "--json");
  g_autoptr(VmctlTestRun) clean = VMS (none, "stop", "web", "--timeout", "5", "--force", "--json");
  g_autoptr(VmctlTestRun) refused = VMS (ignore, "stop", "web", "--timeout", "1");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *result;

  assert_ok (text);
  g_assert_cmpstr (text->out, ==, "web: did not shut down within 1 s; powered off\n");
  assert_ok (json);
  node = vmctl_test_parse_json (json->out);
  result = json_array_get_object_element (json_object_get_array_member (json_node_get_object (node),
                                                                        "results"), 0);
  g_assert_true (json_object_get_boolean_member (result, "ok"));
  g_assert_true (json_object_get_boolean_member (result, "forced"));
  g_assert_cmpint (json_object_get_int_member (result, "waited_seconds"), ==, 1);
  g_clear_pointer (&node, json_node_unref);

  /* a guest that shuts down: not forced */
  assert_ok (clean);
  node = vmctl_test_parse_json (clean->out);
  result = json_array_get_object_element (json_object_get_array_member (json_node_get_object (node),
                                                                        "results"), 0);
  g_assert_false (json_object_get_boolean_member (result, "forced"));

  /* without --force: still running is a failure */
  g_assert_cmpint (refused->exit_status, ==, 1);
  assert_has (refused->err, "still running after 1 s");
}

static void
test_network_started (void)
{
  const gchar *inactive[] = { "VMCTL_FAKE_LIBVIRT_NETWORK_INACTIVE=default", NULL };
  const gchar *broken[] = { "VMCTL_FAKE_LIBVIRT_NETWORK_INACTIVE=default",
                            "VMCTL_FAKE_LIBVIRT_NETWORK_FAIL=1", NULL };
  g_autoptr(VmctlTestRun) started = VMS (inactive, "start", "db");
  g_autoptr(VmctlTestRun) failed = VMS (broken, "start", "db");

  assert_ok (started);
  g_assert_cmpstr (started->out, ==, "db: started\n");
  assert_has (started->err, "vmctl: note: db: started network 'default'");

  g_assert_cmpint (failed->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (failed);
  assert_has (failed->err, "network 'default'");
  assert_has (failed->err, "Cannot check dnsmasq binary");
  assert_has (failed->err, "fix: install dnsmasq-base");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("VMCTL_LIBVIRT_SONAME") == NULL
      || strstr (g_getenv ("VMCTL_LIBVIRT_SONAME"), "fake-libvirt") == NULL) {
    g_printerr ("test-facts needs VMCTL_LIBVIRT_SONAME=libvmctl-fake-libvirt.so "
                "(see tests/meson.build)\n");
    return 1;
  }
  g_test_add_func ("/vmctl/facts/demo-host/pages", test_demo_host_pages);
  g_test_add_func ("/vmctl/facts/topology/matches-pinning", test_topology_matches_pinning);
  g_test_add_func ("/vmctl/facts/tcg/no-hyperv", test_tcg_no_hyperv);
  g_test_add_func ("/vmctl/facts/hyperv/avic", test_avic);
  g_test_add_func ("/vmctl/facts/hugepages/none-fits", test_no_page_size);
  g_test_add ("/vmctl/facts/remote/host-check", Remote, "intel-16t", remote_setup,
              test_remote_host_check, remote_teardown);
  g_test_add ("/vmctl/facts/remote/create", Remote, "intel-16t", remote_setup,
              test_remote_create, remote_teardown);
  g_test_add ("/vmctl/facts/remote/create-amd", Remote, "amd-32t", remote_setup,
              test_remote_create_amd, remote_teardown);
  g_test_add_func ("/vmctl/facts/stop/force", test_stop_force);
  g_test_add_func ("/vmctl/facts/network/started", test_network_started);
  return g_test_run ();
}
