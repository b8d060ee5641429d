/* test-e2e-domain-xml.c: the golden domains, and one built for this very
 * machine, defined on a real libvirtd's QEMU driver, which checks far more
 * than the test driver does (machine type, controllers and PCI address
 * assignment, firmware, Hyper-V and CPU modes against the QEMU binary's
 * capabilities). Each domain is undefined again at once; none is started.
 *
 * Set VMCTL_E2E_URI (tests/run-all.sh sets qemu:///system after starting
 * the daemon). Without it the tests skip, unless VMCTL_E2E_REQUIRED=1. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-autocleanups.h"
#include "vmctl-domain-xml.h"
#include "vmctl-test-util.h"

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

static gint
count (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autofree gchar *wrapped = g_strdup_printf ("count(%s)", expression);
  g_autoptr(xmlXPathObject) result = xmlXPathEvalExpression ((const xmlChar *) wrapped, context);

  g_assert_nonnull (result);
  return (gint) result->floatval;
}

static gchar *
text (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autofree gchar *wrapped = g_strdup_printf ("string(%s)", expression);
  g_autoptr(xmlXPathObject) result = xmlXPathEvalExpression ((const xmlChar *) wrapped, context);

  g_assert_nonnull (result);
  return g_strdup ((const gchar *) result->stringval);
}

/* Defines @document under a name of its own, compares what the QEMU
 * driver gives back, undefines it. */
static void
define_and_compare (const gchar *uri, xmlDocPtr document, const gchar *label)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autofree gchar *name = g_strdup_printf ("vmctl-e2e-%s-%d", label, (gint) getpid ());
  g_autofree gchar *ours = NULL;
  g_autofree gchar *returned = NULL;
  g_autoptr(xmlDoc) theirs = NULL;
  xmlNodePtr node = xmlDocGetRootElement (document)->children;
  static const gchar * const same[] = {
    "string(/domain/cpu/@mode)", "string(/domain/os/loader)", "string(/domain/os/loader/@secure)",
    "string(/domain/os/nvram/@template)", "string(/domain/memoryBacking/hugepages/page/@size)",
    "string(/domain/features/smm/@state)", "string(/domain/cputune/emulatorpin/@cpuset)",
    "string(/domain/iothreads)", "string(/domain/cputune/iothreadpin/@cpuset)",
    "string(/domain/devices/disk[1]/driver/@iothread)",
  };

  g_assert_nonnull (connection);
  while (node != NULL && !xmlStrEqual (node->name, (const xmlChar *) "name"))
    node = node->next;
  if (node == NULL)
    g_error ("%s: no <name>", label);
  while (node->children != NULL) {
    xmlNodePtr child = node->children;

    xmlUnlinkNode (child);
    xmlFreeNode (child);
  }
  xmlAddChild (node, xmlNewDocText (document, (const xmlChar *) name));
  ours = vmctl_domain_xml_to_string (document);

  domain = virDomainDefineXML (connection, ours);
  if (domain == NULL)
    g_error ("%s: libvirt refused the domain: %s", label, virGetLastErrorMessage ());
  returned = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  g_assert_cmpint (virDomainUndefineFlags (domain, VIR_DOMAIN_UNDEFINE_NVRAM
                                                   | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                                                   | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA), ==, 0);
  g_assert_nonnull (returned);
  theirs = xmlReadMemory (returned, (int) strlen (returned), "domain.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (theirs);

  for (gsize i = 0; i < G_N_ELEMENTS (same); i++) {
    g_autofree gchar *expression = g_strndup (same[i] + 7, strlen (same[i]) - 8);
    g_autofree gchar *expected = text (document, expression);
    g_autofree gchar *actual = text (theirs, expression);

    if (g_strcmp0 (expected, actual) != 0)
      g_error ("%s: %s: vmctl wrote '%s', the QEMU driver gave back '%s'", label, expression,
               expected, actual);
  }
  /* every hostdev where vmctl put it: libvirt assigns addresses only to
   * what has none */
  g_assert_cmpint (count (theirs, "/domain/devices/hostdev"), ==,
                   count (document, "/domain/devices/hostdev"));
  for (gint i = 1; i <= count (document, "/domain/devices/hostdev"); i++) {
    g_autofree gchar *expression = g_strdup_printf (
      "concat(/domain/devices/hostdev[%d]/source/address/@bus, '/', "
      "/domain/devices/hostdev[%d]/address/@bus, ':', /domain/devices/hostdev[%d]/address/@slot, "
      "'.', /domain/devices/hostdev[%d]/address/@function)", i, i, i, i);
    g_autofree gchar *expected = text (document, expression);
    g_autofree gchar *actual = text (theirs, expression);

    g_assert_cmpstr (actual, ==, expected);
  }
  g_test_message ("%s: defined and undefined on %s", label, uri);
}

static void
test_golden_files (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autofree gchar *directory = vmctl_test_source_path ("tests/golden");
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *entry;

  if (uri == NULL)
    return;
  dir = g_dir_open (directory, 0, NULL);
  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".xml"))
      g_ptr_array_add (names, g_strdup (entry));
  g_assert_cmpuint (names->len, >, 0);
  for (guint i = 0; i < names->len; i++) {
    const gchar *file = g_ptr_array_index (names, i);
    g_autofree gchar *path = g_build_filename (directory, file, NULL);
    g_autofree gchar *label = g_strndup (file, strlen (file) - 4);
    g_autoptr(xmlDoc) document = xmlReadFile (path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);

    g_assert_nonnull (document);
    define_and_compare (uri, document, label);
  }
}

/* This machine as the host: its own CPUs, hugepage sizes and firmware. */
static void
test_this_host (void)
{
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = NULL;
  g_autoptr(VmctlSpec) spec = NULL;
  g_autoptr(xmlDoc) document = NULL;

  if (uri == NULL)
    return;
  if (!g_file_test ("/usr/share/qemu/firmware", G_FILE_TEST_IS_DIR)) {
    g_test_skip ("no QEMU firmware descriptors on this machine (ovmf)");
    return;
  }
  host = vmctl_host_new ("/", &error);
  g_assert_no_error (error);
  spec = vmctl_spec_new ();
  spec->name = g_strdup ("this-host");
  spec->profile = g_strdup ("minimal");
  spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  spec->virt_type = g_file_test ("/dev/kvm", G_FILE_TEST_EXISTS) ? VMCTL_VIRT_TYPE_KVM
                                                                 : VMCTL_VIRT_TYPE_QEMU;
  document = vmctl_domain_xml_build (host, spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (vmctl_domain_xml_validate (document, NULL, &error));
  g_assert_no_error (error);
  define_and_compare (uri, document, "this-host");
}

int
main (int argc, char **argv)
{
  g_autofree gchar *templates = vmctl_test_source_path ("xml-templates");

  g_test_init (&argc, &argv, NULL);
  g_setenv ("VMCTL_TEMPLATE_DIR", templates, TRUE);
  virSetErrorFunc (NULL, ignore_virt_error);
  g_test_add_func ("/vmctl/e2e/domain-xml/golden-files", test_golden_files);
  g_test_add_func ("/vmctl/e2e/domain-xml/this-host", test_this_host);
  return g_test_run ();
}
