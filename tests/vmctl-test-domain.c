/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-domain.c: fixtures and helpers shared by the domain XML test
 * programs (test-domain-xml.c, test-domain-rules.c): specs and plans filled
 * by hand, building, XPath, libvirt's schema and test driver, golden files
 * and a private copy of the templates. */
#include "vmctl-test-domain.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

/* ---- specs and plans, filled by hand as the spec parser would ---- */

static void
clear_plan_function (gpointer data)
{
  g_free (((VmctlPlanFunction *) data)->driver);
}

VmctlPlan *
vmctl_test_domain_plan_new (void)
{
  VmctlPlan *plan = g_new0 (VmctlPlan, 1);

  plan->functions = g_array_new (FALSE, TRUE, sizeof (VmctlPlanFunction));
  g_array_set_clear_func (plan->functions, clear_plan_function);
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  return plan;
}

/* the plan's own free lives in passthrough/vmctl-plan.c; the test owns
 * its hand-made plans */
void
vmctl_test_domain_plan_free (VmctlPlan *plan)
{
  if (plan == NULL)
    return;
  g_array_unref (plan->functions);
  g_ptr_array_unref (plan->notes);
  g_free (plan);
}

static VmctlPciAddress
address (const gchar *text)
{
  VmctlPciAddress parsed = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_pci_address_parse (text, &parsed, &error));
  g_assert_no_error (error);
  return parsed;
}

void
vmctl_test_domain_plan_add (VmctlPlan *plan, const gchar *function, VmctlPlanRole role,
                            const gchar *owner, const gchar *driver, gint group)
{
  VmctlPlanFunction entry = { address (function), role, address (owner), g_strdup (driver), group };

  g_array_append_val (plan->functions, entry);
}

void
vmctl_test_domain_spec_add_gpu (VmctlSpec *spec, const gchar *gpu, const gchar *rom_path)
{
  VmctlSpecGpu entry = { address (gpu), g_strdup (rom_path) };

  g_array_append_val (spec->gpus, entry);
}

void
vmctl_test_domain_spec_add_disk (VmctlSpec *spec, const gchar *path, guint64 size_bytes,
                                 const gchar *pool, const gchar *format)
{
  VmctlSpecDisk *disk = g_new0 (VmctlSpecDisk, 1);

  disk->path = g_strdup (path);
  disk->size_bytes = size_bytes;
  disk->pool = g_strdup (pool);
  disk->format = g_strdup (format);
  g_ptr_array_add (spec->disks, disk);
}

void
vmctl_test_domain_set_string (gchar **field, const gchar *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* data/profiles/minimal.conf, resolved */
void
vmctl_test_domain_profile_minimal (VmctlSpec *spec, const gchar *name)
{
  vmctl_test_domain_set_string (&spec->name, name);
  vmctl_test_domain_set_string (&spec->profile, "minimal");
  spec->memory_kib = 512 * 1024;
  spec->vcpus = 1;
  spec->hugepages = FALSE;
  spec->network = VMCTL_NETWORK_DEFAULT;
  spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  spec->virt_type = VMCTL_VIRT_TYPE_KVM;
  vmctl_test_domain_set_string (&spec->machine, "q35");
  spec->hyperv = FALSE;
  vmctl_test_domain_set_string (&spec->hyperv_vendor_id, NULL);
  spec->kvm_hidden = FALSE;
  spec->vmport_off = FALSE;
  spec->cpu_cache_passthrough = FALSE;
  spec->cpu_smt_topology = FALSE;
  vmctl_test_domain_set_string (&spec->cpu_mode, "host-passthrough");
  spec->clock = VMCTL_CLOCK_UTC;
  spec->tpm = FALSE;
  spec->graphics = VMCTL_GRAPHICS_NONE;
  spec->emulated_video = FALSE;
  vmctl_test_domain_set_string (&spec->disk_bus, "virtio");
  vmctl_test_domain_set_string (&spec->nic_model, "virtio");
}

/* data/profiles/workstation.conf, resolved (video-with-gpu=true) */
void
vmctl_test_domain_profile_workstation (VmctlSpec *spec, const gchar *name)
{
  vmctl_test_domain_profile_minimal (spec, name);
  vmctl_test_domain_set_string (&spec->profile, "workstation");
  spec->memory_kib = 8 * VMCTL_TEST_GIB_KIB;
  spec->vcpus = 4;
  spec->graphics = VMCTL_GRAPHICS_SPICE;
  spec->emulated_video = TRUE;
}

/* data/profiles/gaming.conf, resolved on an 8-CPU host: 6 vCPUs after the
 * host keeps its first core; with a GPU, no emulated video or graphics */
void
vmctl_test_domain_profile_gaming (VmctlSpec *spec, const gchar *name)
{
  vmctl_test_domain_profile_minimal (spec, name);
  vmctl_test_domain_set_string (&spec->profile, "gaming");
  spec->memory_kib = 16 * VMCTL_TEST_GIB_KIB;
  spec->vcpus = 6;
  spec->hugepages = TRUE;
  spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  spec->tpm = TRUE;
  spec->cpu_cache_passthrough = TRUE;
  spec->cpu_smt_topology = TRUE;
  spec->cpu_pin = VMCTL_CPU_PIN_AUTO;
  spec->hyperv = TRUE;
  vmctl_test_domain_set_string (&spec->hyperv_vendor_id, "1234567890ab");
  spec->kvm_hidden = TRUE;
  spec->vmport_off = TRUE;
  spec->clock = VMCTL_CLOCK_WINDOWS;
}

/* the requested GPU of each fixture host and what the plan gives it */
void
vmctl_test_domain_host_gpu (VmctlSpec *spec, VmctlPlan *plan, const gchar *scenario)
{
  if (g_str_equal (scenario, "clean-gpu-audio")) {
    vmctl_test_domain_spec_add_gpu (spec, "0000:01:00.0", NULL);
    vmctl_test_domain_plan_add (plan, "0000:01:00.0", VMCTL_PLAN_ROLE_GPU, "0000:01:00.0",
                                "nvidia", 1);
    vmctl_test_domain_plan_add (plan, "0000:01:00.1", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0",
                                "snd_hda_intel", 1);
  } else if (g_str_equal (scenario, "turing-4fn")) {
    vmctl_test_domain_spec_add_gpu (spec, "0000:01:00.0", NULL);
    vmctl_test_domain_plan_add (plan, "0000:01:00.0", VMCTL_PLAN_ROLE_GPU, "0000:01:00.0",
                                "nvidia", 1);
    vmctl_test_domain_plan_add (plan, "0000:01:00.1", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0",
                                "snd_hda_intel", 1);
    vmctl_test_domain_plan_add (plan, "0000:01:00.2", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0",
                                "xhci_hcd", 1);
    vmctl_test_domain_plan_add (plan, "0000:01:00.3", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0",
                                "nvidia-gpu", 1);
  } else if (g_str_equal (scenario, "amd-host")) {
    vmctl_test_domain_spec_add_gpu (spec, "0000:0c:00.0", NULL);
    vmctl_test_domain_plan_add (plan, "0000:0c:00.0", VMCTL_PLAN_ROLE_GPU, "0000:0c:00.0",
                                "amdgpu", 5);
    vmctl_test_domain_plan_add (plan, "0000:0c:00.1", VMCTL_PLAN_ROLE_SIBLING, "0000:0c:00.0",
                                "snd_hda_intel", 6);
  } else if (g_str_equal (scenario, "pcie-switch")) {
    vmctl_test_domain_spec_add_gpu (spec, "0000:04:00.0", NULL);
    vmctl_test_domain_plan_add (plan, "0000:04:00.0", VMCTL_PLAN_ROLE_GPU, "0000:04:00.0",
                                "nvidia", 5);
    vmctl_test_domain_plan_add (plan, "0000:04:00.1", VMCTL_PLAN_ROLE_COMPANION, "0000:04:00.0",
                                "snd_hda_intel", 5);
  } else {
    g_assert_not_reached ();
  }
}

/* what vmctl_spec_finalize() leaves of gaming without /dev/kvm */
void
vmctl_test_domain_adjust_tcg (VmctlSpec *spec, VmctlPlan *plan)
{
  spec->virt_type = VMCTL_VIRT_TYPE_QEMU;
  vmctl_test_domain_set_string (&spec->cpu_mode, "maximum");
  spec->cpu_cache_passthrough = FALSE;
  spec->hyperv = FALSE;
  spec->kvm_hidden = FALSE;
}

/* ---- fixture ---- */

void
vmctl_test_domain_setup_scenario (DomainFixture *fixture, const gchar *scenario)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->spec = vmctl_spec_new ();
  fixture->plan = vmctl_test_domain_plan_new ();
}

void
vmctl_test_domain_teardown (DomainFixture *fixture, gconstpointer data)
{
  vmctl_spec_free (fixture->spec);
  vmctl_test_domain_plan_free (fixture->plan);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

void
vmctl_test_domain_setup_clean (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_setup_scenario (fixture, "clean-gpu-audio");
}

xmlDocPtr
vmctl_test_domain_build_ok (DomainFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  xmlDocPtr document = vmctl_domain_xml_build (fixture->host, fixture->spec, fixture->plan, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

gchar *
vmctl_test_domain_build_string (DomainFixture *fixture)
{
  g_autoptr(xmlDoc) document = vmctl_test_domain_build_ok (fixture);

  return vmctl_domain_xml_to_string (document);
}

void
vmctl_test_domain_build_fails (DomainFixture *fixture, gint code, const gchar *fragment)
{
  g_autoptr(GError) error = NULL;
  xmlDocPtr document = vmctl_domain_xml_build (fixture->host, fixture->spec, fixture->plan, &error);

  g_assert_null (document);
  g_assert_error (error, VMCTL_DOMAIN_XML_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("'%s' lacks '%s'", error->message, fragment);
}

/* ---- XPath over a document (ours, or libvirt's) ---- */

xmlDocPtr
vmctl_test_domain_parse (const gchar *text)
{
  xmlDocPtr document = xmlReadMemory (text, (int) strlen (text), "domain.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

  g_assert_nonnull (document);
  return document;
}

static xmlXPathObjectPtr
xpath_eval (xmlDocPtr document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  xmlXPathObjectPtr result;

  xmlXPathRegisterNs (context, (const xmlChar *) "vmctl", (const xmlChar *) VMCTL_METADATA_NAMESPACE);
  result = xmlXPathEvalExpression ((const xmlChar *) expression, context);
  g_assert_nonnull (result);
  return result;
}

gchar *
vmctl_test_domain_xpath_string (xmlDocPtr document, const gchar *expression)
{
  g_autofree gchar *wrapped = g_strdup_printf ("string(%s)", expression);
  g_autoptr(xmlXPathObject) result = xpath_eval (document, wrapped);

  return g_strdup ((const gchar *) result->stringval);
}

gint
vmctl_test_domain_xpath_count (xmlDocPtr document, const gchar *expression)
{
  g_autofree gchar *wrapped = g_strdup_printf ("count(%s)", expression);
  g_autoptr(xmlXPathObject) result = xpath_eval (document, wrapped);

  return (gint) result->floatval;
}

/* ---- libvirt: schema and test driver ---- */

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

/* compiled once for the whole run: it is the slow part of validating */
static VmctlDomainSchema *libvirt_schema;

void
vmctl_test_domain_assert_validates (xmlDocPtr document)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_test (VMCTL_LIBVIRT_DOMAIN_SCHEMA, G_FILE_TEST_EXISTS)) {
    g_test_skip ("no " VMCTL_LIBVIRT_DOMAIN_SCHEMA " (libvirt-daemon-common)");
    return;
  }
  if (libvirt_schema == NULL) {
    libvirt_schema = vmctl_domain_schema_load (NULL, &error);
    g_assert_no_error (error);
  }
  vmctl_domain_schema_validate (libvirt_schema, document, &error);
  g_assert_no_error (error);
}

/* Defines the domain on the test driver loaded with @scenario's node
 * devices and returns the XML libvirt gives back (inactive, as define
 * leaves it). The test driver checks the definition as libvirt's
 * parser does for every driver; it runs no QEMU and touches no file. */
gchar *
vmctl_test_domain_define_on_test_driver (const gchar *scenario, const gchar *xml)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri (scenario);
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;
  gchar *returned;

  g_assert_nonnull (connection);
  domain = virDomainDefineXML (connection, xml);
  if (domain == NULL)
    g_error ("libvirt refused the domain: %s", virGetLastErrorMessage ());
  returned = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  g_assert_nonnull (returned);
  return returned;
}

static void
assert_same_xpath (xmlDocPtr ours, xmlDocPtr theirs, const gchar *expression)
{
  g_autofree gchar *expected = vmctl_test_domain_xpath_string (ours, expression);
  g_autofree gchar *actual = vmctl_test_domain_xpath_string (theirs, expression);

  if (g_strcmp0 (expected, actual) != 0)
    g_error ("%s: vmctl wrote '%s', libvirt gave back '%s'", expression, expected, actual);
}

/* What must survive libvirt's parse and format: every hostdev with its
 * host and guest address, the root ports, hugepages, the CPU mode, the
 * firmware, the pinning and vmctl's metadata. */
void
vmctl_test_domain_assert_round_trip (xmlDocPtr ours, xmlDocPtr theirs)
{
  static const gchar * const paths[] = {
    "/domain/@type", "/domain/name", "/domain/memory", "/domain/vcpu",
    "/domain/memoryBacking/hugepages/page/@size", "/domain/memoryBacking/locked/..",
    "/domain/cpu/@mode", "/domain/cpu/topology/@cores", "/domain/cpu/topology/@threads",
    "/domain/cpu/cache/@mode", "/domain/cpu/feature[@name='topoext']/@policy",
    "/domain/os/type/@machine", "/domain/os/loader", "/domain/os/loader/@secure",
    "/domain/os/loader/@type", "/domain/os/loader/@readonly", "/domain/os/nvram/@template",
    "/domain/features/smm/@state", "/domain/features/hyperv/vendor_id/@value",
    "/domain/features/kvm/hidden/@state", "/domain/clock/@offset",
    "/domain/cputune/emulatorpin/@cpuset", "/domain/iothreads",
    "/domain/cputune/iothreadpin/@cpuset", "/domain/devices/disk[1]/driver/@iothread",
    "/domain/devices/tpm/@model", "/domain/devices/memballoon/@model",
    "/domain/devices/video/model/@type",
    "/domain/metadata/vmctl:vmctl/@version",
  };
  gint hostdevs = vmctl_test_domain_xpath_count (ours, "/domain/devices/hostdev");
  gint pins = vmctl_test_domain_xpath_count (ours, "/domain/cputune/vcpupin");

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    assert_same_xpath (ours, theirs, paths[i]);
  g_assert_cmpint (vmctl_test_domain_xpath_count (theirs, "/domain/devices/hostdev[@managed='no']"), ==,
                   hostdevs);
  for (gint i = 1; i <= hostdevs; i++) {
    static const gchar * const parts[] = {
      "source/address/@bus", "source/address/@slot", "source/address/@function",
      "address/@bus", "address/@slot", "address/@function", "address/@multifunction",
      "rom/@file", "driver/@name",
    };

    for (gsize j = 0; j < G_N_ELEMENTS (parts); j++) {
      g_autofree gchar *expression = g_strdup_printf ("/domain/devices/hostdev[%d]/%s", i, parts[j]);

      assert_same_xpath (ours, theirs, expression);
    }
  }
  for (gint i = 1; i <= pins; i++) {
    g_autofree gchar *expression = g_strdup_printf ("/domain/cputune/vcpupin[%d]/@cpuset", i);

    assert_same_xpath (ours, theirs, expression);
  }
  g_assert_cmpint (vmctl_test_domain_xpath_count (theirs, "/domain/cputune/vcpupin"), ==, pins);
  g_assert_cmpint (vmctl_test_domain_xpath_count (theirs,
                                                  "/domain/devices/controller[@model='pcie-root-port']"), ==,
                   vmctl_test_domain_xpath_count (ours,
                                                  "/domain/devices/controller[@model='pcie-root-port']"));
  g_assert_cmpint (vmctl_test_domain_xpath_count (theirs,
                                                  "/domain/metadata/vmctl:vmctl/vmctl:plan/vmctl:function"), ==,
                   vmctl_test_domain_xpath_count (ours,
                                                  "/domain/metadata/vmctl:vmctl/vmctl:plan/vmctl:function"));
}

/* ---- golden files ---- */

void
vmctl_test_domain_compare_golden (const gchar *name, const gchar *actual)
{
  g_autofree gchar *file = g_strconcat ("tests/golden/", name, ".xml", NULL);
  g_autofree gchar *path = vmctl_test_source_path (file);
  g_autofree gchar *expected = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *regenerate = g_getenv ("VMCTL_REGENERATE_GOLDEN");

  if (regenerate != NULL && regenerate[0] != '\0' && g_strcmp0 (regenerate, "0") != 0) {
    g_autofree gchar *directory = g_path_get_dirname (path);

    if (!g_file_get_contents (path, &expected, NULL, NULL) || g_strcmp0 (expected, actual) != 0) {
      g_assert_cmpint (g_mkdir_with_parents (directory, 0755), ==, 0);
      g_file_set_contents (path, actual, -1, &error);
      g_assert_no_error (error);
      g_test_message ("rewrote %s", file);
      g_printerr ("rewrote %s\n", file);
    }
    return;
  }
  if (!g_file_get_contents (path, &expected, NULL, &error))
    g_error ("%s: %s (VMCTL_REGENERATE_GOLDEN=1 writes it)", file, error->message);
  if (g_strcmp0 (expected, actual) != 0)
    g_error ("%s differs from the generated XML (VMCTL_REGENERATE_GOLDEN=1 rewrites it; "
             "review with git diff):\n%s", file, actual);
}

/* ---- templates ---- */

/* a private copy of xml-templates/ the test may break */
void
vmctl_test_domain_template_setup (TemplateFixture *fixture, gconstpointer data)
{
  g_autofree gchar *source = vmctl_test_source_path ("xml-templates");

  fixture->saved = g_strdup (g_getenv ("VMCTL_TEMPLATE_DIR"));
  fixture->directory = vmctl_test_copy_tree (source);
  g_setenv ("VMCTL_TEMPLATE_DIR", fixture->directory, TRUE);
}

void
vmctl_test_domain_template_teardown (TemplateFixture *fixture, gconstpointer data)
{
  if (fixture->saved != NULL)
    g_setenv ("VMCTL_TEMPLATE_DIR", fixture->saved, TRUE);
  else
    g_unsetenv ("VMCTL_TEMPLATE_DIR");
  vmctl_test_remove_tree (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->saved);
}

void
vmctl_test_domain_template_build_fails (const gchar *fragment)
{
  DomainFixture fixture = { 0 };

  vmctl_test_domain_setup_clean (&fixture, NULL);
  vmctl_test_domain_profile_gaming (fixture.spec, "t");
  vmctl_test_domain_host_gpu (fixture.spec, fixture.plan, "clean-gpu-audio");
  vmctl_test_domain_build_fails (&fixture, VMCTL_DOMAIN_XML_ERROR_TEMPLATE, fragment);
  vmctl_test_domain_teardown (&fixture, NULL);
}

void
vmctl_test_domain_rewrite_template (TemplateFixture *fixture, const gchar *file,
                                    const gchar *from, const gchar *to)
{
  g_autofree gchar *path = g_build_filename (fixture->directory, file, NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree gchar *joined = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, from));
  parts = g_strsplit (contents, from, 2);
  joined = g_strjoinv (to, parts);
  g_file_set_contents (path, joined, -1, &error);
  g_assert_no_error (error);
}

/* ---- main() ---- */

void
vmctl_test_domain_init (int *argc, char ***argv)
{
  g_autofree gchar *templates = vmctl_test_source_path ("xml-templates");

  g_test_init (argc, argv, NULL);
  /* the source tree's templates, never an installed (older) copy */
  g_setenv ("VMCTL_TEMPLATE_DIR", templates, TRUE);
  virSetErrorFunc (NULL, ignore_virt_error);
}

int
vmctl_test_domain_run (void)
{
  gint status = g_test_run ();

  g_clear_pointer (&libvirt_schema, vmctl_domain_schema_free);
  return status;
}

void
vmctl_test_domain_add_clean (const gchar *path, void (*test) (DomainFixture *, gconstpointer))
{
  g_test_add (path, DomainFixture, NULL, vmctl_test_domain_setup_clean, test,
              vmctl_test_domain_teardown);
}

void
vmctl_test_domain_add_template (const gchar *path, void (*test) (TemplateFixture *, gconstpointer))
{
  g_test_add (path, TemplateFixture, NULL, vmctl_test_domain_template_setup, test,
              vmctl_test_domain_template_teardown);
}
