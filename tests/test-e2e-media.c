/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-e2e-media.c: issue 11 on the real libvirtd (VMCTL_E2E_URI).
 *
 * - A Windows-like spec (--os win11 --cdrom A.iso --cdrom B.iso --disk
 *   size=1G) defines on the QEMU driver with both cdroms in order, a TPM
 *   2.0 (this machine has swtpm), Secure Boot firmware with SMM, the OS's
 *   SATA disk and e1000e NIC, the serial console with its log, and the
 *   per-device boot order; undefine --remove-storage removes its volume.
 * - vmctl display prints the URI virsh domdisplay prints for a running
 *   workstation VM (SPICE), and exits 1 once it is shut off.
 * - vmctl console without a terminal copies for --timeout seconds and
 *   exits 0; a second session is refused while the first holds it, and
 *   --force takes it over (over qemu+unix://, the remote driver's own
 *   transport); the log file named in the XML exists.
 * The guests that must boot are in tests/guest/test-guest-media.c. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-autocleanups.h"
#include "vmctl-test-domain.h"

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

#define VMCTL(uri, ...) vmctl_test_run_vmctl_on ((uri), (const gchar *[]) { __VA_ARGS__, NULL })

static void
assert_ok (const VmctlTestRun *run, const gchar *what)
{
  if (run->exit_status != 0)
    g_error ("%s: exit %d: %s", what, run->exit_status, run->err);
}

static xmlDoc *
domain_xml (const gchar *uri, const gchar *name, guint flags)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = connection != NULL ? virDomainLookupByName (connection, name)
                                                     : NULL;
  g_autofree gchar *xml = NULL;

  g_assert_nonnull (domain);
  xml = virDomainGetXMLDesc (domain, flags);
  g_assert_nonnull (xml);
  return xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL, XML_PARSE_NONET);
}

/* whatever happened: the domain, its NVRAM and its vmctl volume gone */
static void
remove_vm (const gchar *uri, const gchar *name)
{
  g_autoptr(VmctlTestRun) destroy = VMCTL (uri, "destroy", name);
  g_autoptr(VmctlTestRun) undefine = VMCTL (uri, "undefine", name, "--remove-storage");
}

static gchar *
make_iso (const gchar *directory, const gchar *name)
{
  gchar *path = g_build_filename (directory, name, NULL);

  g_assert_true (g_file_set_contents (path, "not really an ISO", -1, NULL));
  return path;
}

static void
test_windows_spec (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autofree gchar *name = g_strdup_printf ("vmctl-e2e-win-%d", (gint) getpid ());
  g_autofree gchar *directory = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *log = NULL;
  g_autoptr(VmctlTestRun) create = NULL;
  g_autoptr(VmctlTestRun) undefine = NULL;
  g_autoptr(xmlDoc) inactive = NULL;
  g_autoptr(GError) error = NULL;

  if (uri == NULL)
    return;
  /* a directory QEMU's user can read, as an ISO's would be */
  directory = g_dir_make_tmp ("vmctl-e2e-media-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (directory, 0755);
  first = make_iso (directory, "Win11_English_x64.iso");
  second = make_iso (directory, "extra.iso");
  remove_vm (uri, name);
  create = VMCTL (uri, "create", name, "--os", "win11", "--cdrom", first, "--cdrom", second,
                  "--disk", "size=1G", "--virt-type", "qemu");
  assert_ok (create, "create --os win11");
  inactive = domain_xml (uri, name, VIR_DOMAIN_XML_INACTIVE);
  g_assert_nonnull (inactive);

  assert_xpath (inactive, "count(/domain/devices/disk[@device='cdrom'])", "2");
  assert_xpath (inactive, "/domain/devices/disk[@device='cdrom'][1]/source/@file", first);
  assert_xpath (inactive, "/domain/devices/disk[@device='cdrom'][2]/source/@file", second);
  assert_xpath (inactive, "/domain/devices/disk[@device='cdrom'][1]/target/@bus", "sata");
  assert_xpath (inactive, "/domain/devices/disk[@device='cdrom'][1]/boot/@order", "1");
  assert_xpath (inactive, "/domain/devices/disk[@device='cdrom'][2]/boot/@order", "2");
  assert_xpath (inactive, "/domain/devices/disk[@device='disk']/boot/@order", "3");
  assert_xpath (inactive, "/domain/devices/disk[@device='disk']/target/@bus", "sata");
  assert_xpath (inactive, "/domain/devices/interface/model/@type", "e1000e");
  assert_xpath (inactive, "/domain/devices/tpm/backend/@type", "emulator");
  assert_xpath (inactive, "/domain/devices/tpm/backend/@version", "2.0");
  assert_xpath (inactive, "/domain/os/loader/@secure", "yes");
  assert_xpath (inactive, "/domain/features/smm/@state", "on");
  assert_xpath (inactive, "/domain/clock/@offset", "localtime");
  assert_xpath (inactive, "count(/domain/devices/serial[@type='pty'])", "1");
  assert_xpath (inactive, "/domain/devices/console/target/@type", "serial");
  log = g_strdup_printf ("/var/log/libvirt/qemu/%s-serial.log", name);
  assert_xpath (inactive, "/domain/devices/serial/log/@file", log);
  assert_xpath (inactive, "/domain/metadata/*[local-name()='vmctl']/*[local-name()='spec']/@os",
               "win11");
  g_assert_nonnull (strstr (create->err, "--disk size=1 GiB is below the 64 GiB"));

  undefine = VMCTL (uri, "undefine", name, "--remove-storage");
  assert_ok (undefine, "undefine");
  vmctl_test_remove_tree (directory);
}

/* what virsh domdisplay prints for @name */
static gchar *
virsh_domdisplay (const gchar *uri, const gchar *name)
{
  const gchar *argv[] = { "virsh", "-c", uri, "domdisplay", name, NULL };
  g_autofree gchar *out = NULL;
  gint status = 0;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) || status != 0)
    return NULL;
  return g_strdup (g_strstrip (out));
}

static void
test_display_and_console (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autofree gchar *name = g_strdup_printf ("vmctl-e2e-desk-%d", (gint) getpid ());
  g_autoptr(VmctlTestRun) create = NULL;
  g_autoptr(VmctlTestRun) start = NULL;
  g_autoptr(VmctlTestRun) display = NULL;
  g_autoptr(VmctlTestRun) info = NULL;
  g_autoptr(VmctlTestRun) stopped = NULL;
  g_autoptr(xmlDoc) live = NULL;
  g_autofree gchar *virsh = NULL;
  g_autofree gchar *port = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *log = NULL;
  g_autoptr(VmctlTestRun) destroy = NULL;

  if (uri == NULL)
    return;
  remove_vm (uri, name);
  /* no disk, no network: it only has to run */
  create = VMCTL (uri, "create", name, "--profile", "workstation", "--virt-type", "qemu",
                  "--network", "none", "--memory", "256M", "--vcpus", "1");
  assert_ok (create, "create");
  start = VMCTL (uri, "start", name);
  assert_ok (start, "start");

  live = domain_xml (uri, name, 0);
  port = vmctl_test_domain_xpath_string (live, "/domain/devices/graphics[@type='spice']/@port");
  expected = g_strdup_printf ("spice://127.0.0.1:%s\n", port);
  display = VMCTL (uri, "display", name);
  assert_ok (display, "display");
  g_assert_cmpstr (display->out, ==, expected);
  virsh = virsh_domdisplay (uri, name);
  if (virsh != NULL)
    g_assert_cmpstr (g_strstrip (display->out), ==, virsh);
  info = VMCTL (uri, "info", name);
  assert_ok (info, "info");
  g_assert_nonnull (strstr (info->out, "\ndisplay:    spice://127.0.0.1:"));
  g_assert_nonnull (strstr (info->out, "\nconsole:    pty /dev/pts/"));

  /* the console, without a terminal (vmctl_test_run_vmctl() gives it
   * /dev/null): --timeout seconds of output, exit 0;
   * while it is held a second session is refused, --force takes it */
  {
    g_autoptr(GSubprocess) first = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlTestRun) second = NULL;
    g_autoptr(VmctlTestRun) forced = NULL;
    const gchar *vmctl = g_getenv ("VMCTL_BIN");

    first = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                              | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, vmctl, "-c", uri,
                              "console", name, "--timeout", "20", NULL);
    g_assert_no_error (error);
    g_usleep (3 * G_USEC_PER_SEC);
    second = VMCTL (uri, "console", name, "--timeout", "2");
    g_assert_cmpint (second->exit_status, ==, 1);
    g_assert_nonnull (strstr (second->err, "--force takes it over"));
    /* over the remote driver's own transport too (a remote host is
     * qemu+ssh://, the same stream through the same driver) */
    forced = VMCTL (g_strcmp0 (uri, "qemu:///system") == 0 ? "qemu+unix:///system" : uri,
                    "console", name, "--timeout", "2", "--force");
    assert_ok (forced, "console --force");
    g_assert_true (g_subprocess_wait (first, NULL, &error));
    g_assert_no_error (error);
    /* the session that lost the console says so */
    g_assert_cmpint (g_subprocess_get_exit_status (first), ==, 1);
  }
  /* virtlogd keeps the serial output on the VM's host: this one */
  log = g_strdup_printf ("/var/log/libvirt/qemu/%s-serial.log", name);
  if (g_str_has_prefix (uri, "qemu:///"))
    g_assert_true (g_file_test (log, G_FILE_TEST_EXISTS));

  destroy = VMCTL (uri, "destroy", name);
  assert_ok (destroy, "destroy");
  stopped = VMCTL (uri, "display", name);
  g_assert_cmpint (stopped->exit_status, ==, 1);
  g_assert_nonnull (strstr (stopped->err, "is not running"));
  remove_vm (uri, name);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, ignore_virt_error);
  g_test_add_func ("/vmctl/e2e/media/windows-spec", test_windows_spec);
  g_test_add_func ("/vmctl/e2e/media/display-and-console", test_display_and_console);
  return g_test_run ();
}
