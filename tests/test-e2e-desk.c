/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-e2e-desk.c: issue 12's XML on a real libvirtd's QEMU driver,
 * which checks each element against the QEMU binary's capabilities.
 *
 * What this machine can have (Looking Glass on /dev/shm, a sound card
 * with a JACK, SPICE or PulseAudio backend) is built for this machine,
 * defined and given back as written; PipeWire is refused here exactly
 * when the daemon's libvirt or QEMU lacks it. What needs devices this
 * machine does not have (evdev keyboards and mice, USB devices by id and
 * by port, 16 and 32 GiB BARs, /dev/kvmfr0) is built from a copy of the
 * "desk" fixture with the minimal profile (no TPM, whose swtpm the
 * fixture and this machine may disagree on) and defined too: defining
 * opens none of them, it checks that the QEMU driver takes the shapes.
 * Each domain is undefined at once. Needs VMCTL_E2E_URI. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-autocleanups.h"
#include "vmctl-test-util.h"

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

static gchar *
text (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autofree gchar *wrapped = g_strdup_printf ("string(%s)", expression);
  g_autoptr(xmlXPathObject) result = NULL;

  xmlXPathRegisterNs (context, (const xmlChar *) "qemu",
                      (const xmlChar *) "http://libvirt.org/schemas/domain/qemu/1.0");
  result = xmlXPathEvalExpression ((const xmlChar *) wrapped, context);
  g_assert_nonnull (result);
  return g_strdup ((const gchar *) result->stringval);
}

/* vmctl [--host-root ROOT] -c URI create NAME OPTIONS --print-xml */
static VmctlTestRun *
create (const gchar *uri, const gchar *root, const gchar *name, const gchar * const *options)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (root != NULL) {
    g_ptr_array_add (argv, (gpointer) "--host-root");
    g_ptr_array_add (argv, (gpointer) root);
  }
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) uri);
  g_ptr_array_add (argv, (gpointer) "create");
  g_ptr_array_add (argv, (gpointer) name);
  for (guint i = 0; options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) options[i]);
  g_ptr_array_add (argv, (gpointer) "--print-xml");
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

/* Defines what vmctl printed and checks that @paths read the same in
 * what the QEMU driver gives back; undefines it. */
static void
define_same (const gchar *uri, const gchar *xml, const gchar * const *paths)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autofree gchar *returned = NULL;
  g_autoptr(xmlDoc) ours = xmlReadMemory (xml, (int) strlen (xml), "ours.xml", NULL,
                                          XML_PARSE_NONET);
  g_autoptr(xmlDoc) theirs = NULL;

  g_assert_nonnull (connection);
  g_assert_nonnull (ours);
  domain = virDomainDefineXML (connection, xml);
  if (domain == NULL)
    g_error ("libvirt refused the domain: %s", virGetLastErrorMessage ());
  returned = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  g_assert_cmpint (virDomainUndefineFlags (domain, VIR_DOMAIN_UNDEFINE_NVRAM), ==, 0);
  theirs = xmlReadMemory (returned, (int) strlen (returned), "theirs.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (theirs);
  for (guint i = 0; paths[i] != NULL; i++) {
    g_autofree gchar *expected = text (ours, paths[i]);
    g_autofree gchar *actual = text (theirs, paths[i]);

    g_test_message ("%s: '%s'", paths[i], actual);
    g_assert_cmpstr (expected, !=, "");
    if (g_strcmp0 (expected, actual) != 0)
      g_error ("%s: vmctl wrote '%s', the QEMU driver gave back '%s'", paths[i], expected,
               actual);
  }
}

static gchar *
vm_name (const gchar *label)
{
  return g_strdup_printf ("vmctl-e2e-desk-%s-%d", label, (gint) getpid ());
}

static void
test_this_host (void)
{
  static const struct {
    const gchar *backend;
    const gchar *path;      /* what only this backend writes */
  } cases[] = {
    { "jack", "/domain/devices/audio/output/@clientName" },
    { "spice", "/domain/devices/graphics/@type" },
    { "pulseaudio", "/domain/devices/audio/output/@mixingEngine" },
  };
  const gchar *uri = vmctl_test_e2e_uri ();

  if (uri == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *name = vm_name (cases[i].backend);
    g_autofree gchar *audio = g_strconcat ("--audio=", cases[i].backend, NULL);
    g_autoptr(VmctlTestRun) run = create (uri, NULL, name, (const gchar *[]) {
      "--profile", "minimal", "--virt-type", "qemu", "--looking-glass=2560x1440", audio, NULL
    });

    if (run->exit_status != 0)
      g_error ("create %s: exit %d: %s", cases[i].backend, run->exit_status, run->err);
    define_same (uri, run->out, (const gchar *[]) {
      "/domain/devices/shmem[@name='looking-glass']/model/@type", "/domain/devices/shmem/size",
      "/domain/devices/sound/@model", "/domain/devices/sound/audio/@id",
      "/domain/devices/audio/@type", cases[i].path, NULL
    });
  }
}

/* PipeWire needs libvirt 9.10 and QEMU 8.1: refused exactly where the
 * daemon's are older */
static void
test_pipewire (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(VmctlTestRun) run = NULL;
  g_autofree gchar *name = vm_name ("pipewire");
  unsigned long libvirt = 0, qemu = 0;

  if (uri == NULL)
    return;
  connection = virConnectOpenReadOnly (uri);
  g_assert_nonnull (connection);
  g_assert_cmpint (virConnectGetLibVersion (connection, &libvirt), ==, 0);
  g_assert_cmpint (virConnectGetVersion (connection, &qemu), ==, 0);
  run = create (uri, NULL, name, (const gchar *[]) {
    "--profile", "minimal", "--virt-type", "qemu", "--audio", "pipewire", NULL
  });
  if (libvirt < 9010000 || qemu < 8001000) {
    g_assert_cmpint (run->exit_status, ==, 2);
    g_assert_nonnull (strstr (run->err, "cannot play through PipeWire"));
  } else {
    g_assert_cmpint (run->exit_status, ==, 0);
    define_same (uri, run->out, (const gchar *[]) { "/domain/devices/audio/@type", NULL });
  }
}

static void
test_fixture_devices (void)
{
  static const gchar * const paths[] = {
    "/domain/devices/input[@type='evdev'][1]/source/@dev",
    "/domain/devices/input[@type='evdev'][1]/source/@grab",
    "/domain/devices/input[@type='evdev'][1]/source/@grabToggle",
    "/domain/devices/input[@type='evdev'][1]/source/@repeat",
    "/domain/devices/input[@type='evdev'][2]/source/@dev",
    "/domain/devices/hostdev[@type='usb'][1]/source/vendor/@id",
    "/domain/devices/hostdev[@type='usb'][1]/source/address/@device",
    "/domain/devices/hostdev[@type='usb'][1]/source/@startupPolicy",
    "/domain/devices/hostdev[@type='usb'][2]/source/product/@id",
    "/domain/cpu/maxphysaddr/@mode",
    "count(/domain/qemu:commandline/qemu:arg)",
    "/domain/qemu:commandline/qemu:arg[4]/@value",
    "/domain/devices/input[@type='mouse']/@bus",
    "/domain/devices/graphics/@type", NULL,
  };
  static const gchar * const tcg_paths[] = {
    "/domain/qemu:commandline/qemu:arg[1]/@value", "/domain/qemu:commandline/qemu:arg[2]/@value",
    "/domain/devices/shmem/size", NULL,
  };
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autofree gchar *root = NULL;
  g_autofree gchar *name = vm_name ("fixture");
  g_autofree gchar *tcg_name = vm_name ("fixture-tcg");
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(VmctlTestRun) tcg = NULL;

  if (uri == NULL)
    return;
  root = vmctl_test_copy_scenario ("desk");
  vmctl_test_write (root, "sys/module/kvmfr/parameters/static_size_mb", "64\n");
  run = create (uri, root, name, (const gchar *[]) {
    "--profile", "minimal", "--gpu", "01:00.0", "--gpu", "02:00.0", "--input", "auto",
    "--input-toggle", "scrolllock", "--usb", "1-3.2", "--usb", "046d:c52b",
    "--looking-glass=2560x1440", "--audio", "jack", NULL
  });
  if (run->exit_status != 0)
    g_error ("create from the fixture: exit %d: %s", run->exit_status, run->err);
  define_same (uri, run->out, paths);
  /* TCG: OVMF's aperture through fw_cfg, Looking Glass on /dev/shm */
  vmctl_test_unlink (root, "sys/module/kvmfr/parameters/static_size_mb");
  tcg = create (uri, root, tcg_name, (const gchar *[]) {
    "--profile", "minimal", "--virt-type", "qemu", "--gpu", "02:00.0", "--looking-glass", NULL
  });
  if (tcg->exit_status != 0)
    g_error ("create from the fixture, TCG: exit %d: %s", tcg->exit_status, tcg->err);
  define_same (uri, tcg->out, tcg_paths);
  vmctl_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *templates = vmctl_test_source_path ("xml-templates");

  g_test_init (&argc, &argv, NULL);
  g_setenv ("VMCTL_TEMPLATE_DIR", templates, TRUE);
  virSetErrorFunc (NULL, ignore_virt_error);
  g_test_add_func ("/vmctl/e2e/desk/this-host", test_this_host);
  g_test_add_func ("/vmctl/e2e/desk/pipewire", test_pipewire);
  g_test_add_func ("/vmctl/e2e/desk/fixture-devices", test_fixture_devices);
  return g_test_run ();
}
