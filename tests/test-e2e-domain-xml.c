/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-e2e-domain-xml.c: domain XML against a real libvirtd's QEMU driver.
 *
 * What vmctl builds for THIS machine (no host root, the daemon's own URI:
 * 'vmctl -c URI create NAME --profile P --print-xml', for every profile)
 * is defined on the real QEMU driver, which checks far more than the test
 * driver does (machine type, controllers and PCI address assignment,
 * firmware, TPM backends, Hyper-V and CPU modes against the QEMU binary's
 * capabilities), and compared with what it gives back. Each domain is
 * undefined again at once; none is started (tests/guest/ boots them).
 *
 * The golden files are built for fixture host roots, whose firmware,
 * swtpm, CPUs and hugepages are not this machine's: they are only checked
 * against libvirt's schema (virt-xml-validate), never defined here. A
 * domain made from a fixture's claims and defined on the real daemon tests
 * neither vmctl nor the daemon: it failed whenever the fixture had a tool
 * (swtpm) this machine lacked, and passed only where someone had
 * installed it by hand.
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

/* libvirt's own validator on every golden file: fixture hosts are checked
 * against the schema only */
static void
test_golden_files_validate (void)
{
  g_autofree gchar *directory = vmctl_test_source_path ("tests/golden");
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const gchar *entry;
  guint validated = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (directory, entry, NULL);
    g_autofree gchar *out = NULL;
    g_autofree gchar *err = NULL;
    g_autoptr(GError) error = NULL;
    const gchar *argv[] = { "virt-xml-validate", path, "domain", NULL };
    gint status = 0;

    if (!g_str_has_suffix (entry, ".xml"))
      continue;
    if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, &error))
      g_error ("virt-xml-validate (libvirt-clients, libxml2-utils): %s", error->message);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("%s does not validate against libvirt's domain schema:\n%s%s", entry, out, err);
    validated++;
  }
  g_assert_cmpuint (validated, >, 0);
  g_test_message ("%u golden files validate against libvirt's schema", validated);
}

typedef struct {
  const gchar *label;
  const gchar * const *options;
} ThisHostCase;

static const gchar * const minimal_options[] = { "--profile", "minimal", NULL };
static const gchar * const minimal_bios_options[] = { "--profile", "minimal", "--firmware", "bios",
                                                      "--network", "none", NULL };
static const gchar * const workstation_options[] = { "--profile", "workstation", NULL };
static const gchar * const workstation_tcg_options[] = { "--profile", "workstation",
                                                         "--virt-type", "qemu", NULL };
/* the gaming profile's hugepages: this host reserves none, so create
 * refuses plain --hugepages (with the fix); reserving them at start is the
 * choice that defines here */
static const gchar * const gaming_options[] = { "--profile", "gaming", "--dynamic-hugepages",
                                                NULL };
static const gchar * const gaming_tcg_options[] = { "--profile", "gaming", "--virt-type", "qemu",
                                                    "--dynamic-hugepages", NULL };

static const ThisHostCase this_host_cases[] = {
  { "minimal", minimal_options },
  { "minimal-bios", minimal_bios_options },
  { "workstation", workstation_options },
  { "workstation-tcg", workstation_tcg_options },
  { "gaming", gaming_options },
  { "gaming-tcg", gaming_tcg_options },
};

/* This machine as the host, through the daemon the VM would run on: the
 * XML a user gets from 'vmctl create NAME --profile P', defined. */
static void
test_this_host (gconstpointer data)
{
  const ThisHostCase *this_case = data;
  const gchar *uri = vmctl_test_e2e_uri ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autofree gchar *label = NULL;

  if (uri == NULL)
    return;
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) uri);
  g_ptr_array_add (argv, (gpointer) "create");
  g_ptr_array_add (argv, (gpointer) "this-host");
  for (guint i = 0; this_case->options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) this_case->options[i]);
  g_ptr_array_add (argv, (gpointer) "--print-xml");
  g_ptr_array_add (argv, NULL);
  run = vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
  if (run->exit_status != 0)
    g_error ("vmctl create --print-xml for this host: exit %d\n%s", run->exit_status, run->err);
  document = xmlReadMemory (run->out, (int) strlen (run->out), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  g_assert_nonnull (document);
  label = g_strdup_printf ("this-host-%s", this_case->label);
  define_and_compare (uri, document, label);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *templates = vmctl_test_source_path ("xml-templates");

  g_test_init (&argc, &argv, NULL);
  g_setenv ("VMCTL_TEMPLATE_DIR", templates, TRUE);
  virSetErrorFunc (NULL, ignore_virt_error);
  g_test_add_func ("/vmctl/e2e/domain-xml/golden-files-validate", test_golden_files_validate);
  for (gsize i = 0; i < G_N_ELEMENTS (this_host_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/vmctl/e2e/domain-xml/this-host/%s",
                                              this_host_cases[i].label);

    g_test_add_data_func (path, &this_host_cases[i], test_this_host);
  }
  return g_test_run ();
}
