/* test-domain-xml.c: the domain XML builder. Golden files per profile and
 * fixture host, each also validated against libvirt's RelaxNG schema and
 * defined on libvirt's test driver; then firmware choice, pinning, page
 * size, guest addresses, escaping and the template checks one by one. */
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

#include "vmctl-autocleanups.h"
#include "vmctl-domain-xml.h"
#include "vmctl-test-util.h"

#define GIB_KIB (G_GUINT64_CONSTANT (1024) * 1024)

typedef struct {
  gchar *root;
  VmctlHost *host;
  VmctlSpec *spec;
  VmctlPlan *plan;
} Fixture;

/* ---- specs and plans, filled by hand as the spec parser would ---- */

static void
clear_plan_function (gpointer data)
{
  g_free (((VmctlPlanFunction *) data)->driver);
}

static VmctlPlan *
plan_new (void)
{
  VmctlPlan *plan = g_new0 (VmctlPlan, 1);

  plan->functions = g_array_new (FALSE, TRUE, sizeof (VmctlPlanFunction));
  g_array_set_clear_func (plan->functions, clear_plan_function);
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  return plan;
}

/* the plan's own free lives in passthrough/vmctl-plan.c; the test owns
 * its hand-made plans */
static void
plan_free (VmctlPlan *plan)
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

static void
plan_add (VmctlPlan *plan, const gchar *function, VmctlPlanRole role, const gchar *owner,
          const gchar *driver, gint group)
{
  VmctlPlanFunction entry = { address (function), role, address (owner), g_strdup (driver), group };

  g_array_append_val (plan->functions, entry);
}

static void
spec_add_gpu (VmctlSpec *spec, const gchar *gpu, const gchar *rom_path)
{
  VmctlSpecGpu entry = { address (gpu), g_strdup (rom_path) };

  g_array_append_val (spec->gpus, entry);
}

static void
spec_add_disk (VmctlSpec *spec, const gchar *path, guint64 size_bytes, const gchar *pool,
               const gchar *format)
{
  VmctlSpecDisk *disk = g_new0 (VmctlSpecDisk, 1);

  disk->path = g_strdup (path);
  disk->size_bytes = size_bytes;
  disk->pool = g_strdup (pool);
  disk->format = g_strdup (format);
  g_ptr_array_add (spec->disks, disk);
}

static void
set_string (gchar **field, const gchar *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* data/profiles/minimal.conf, resolved */
static void
profile_minimal (VmctlSpec *spec, const gchar *name)
{
  set_string (&spec->name, name);
  set_string (&spec->profile, "minimal");
  spec->memory_kib = 512 * 1024;
  spec->vcpus = 1;
  spec->hugepages = FALSE;
  spec->network = VMCTL_NETWORK_DEFAULT;
  spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  spec->virt_type = VMCTL_VIRT_TYPE_KVM;
  set_string (&spec->machine, "q35");
  spec->hyperv = FALSE;
  set_string (&spec->hyperv_vendor_id, NULL);
  spec->kvm_hidden = FALSE;
  spec->vmport_off = FALSE;
  spec->cpu_cache_passthrough = FALSE;
  spec->cpu_smt_topology = FALSE;
  set_string (&spec->cpu_mode, "host-passthrough");
  spec->clock = VMCTL_CLOCK_UTC;
  spec->tpm = FALSE;
  spec->graphics = VMCTL_GRAPHICS_NONE;
  spec->emulated_video = FALSE;
  set_string (&spec->disk_bus, "virtio");
  set_string (&spec->nic_model, "virtio");
}

/* data/profiles/workstation.conf, resolved (video-with-gpu=true) */
static void
profile_workstation (VmctlSpec *spec, const gchar *name)
{
  profile_minimal (spec, name);
  set_string (&spec->profile, "workstation");
  spec->memory_kib = 8 * GIB_KIB;
  spec->vcpus = 4;
  spec->graphics = VMCTL_GRAPHICS_SPICE;
  spec->emulated_video = TRUE;
}

/* data/profiles/gaming.conf, resolved on an 8-CPU host: 6 vCPUs after the
 * host keeps its first core; with a GPU, no emulated video or graphics */
static void
profile_gaming (VmctlSpec *spec, const gchar *name)
{
  profile_minimal (spec, name);
  set_string (&spec->profile, "gaming");
  spec->memory_kib = 16 * GIB_KIB;
  spec->vcpus = 6;
  spec->hugepages = TRUE;
  spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  spec->tpm = TRUE;
  spec->cpu_cache_passthrough = TRUE;
  spec->cpu_smt_topology = TRUE;
  spec->cpu_pin = VMCTL_CPU_PIN_AUTO;
  spec->hyperv = TRUE;
  set_string (&spec->hyperv_vendor_id, "1234567890ab");
  spec->kvm_hidden = TRUE;
  spec->vmport_off = TRUE;
  spec->clock = VMCTL_CLOCK_WINDOWS;
}

typedef void (*ProfileFunc) (VmctlSpec *spec, const gchar *name);

/* the requested GPU of each fixture host and what the plan gives it */
static void
host_gpu (VmctlSpec *spec, VmctlPlan *plan, const gchar *scenario)
{
  if (g_str_equal (scenario, "clean-gpu-audio")) {
    spec_add_gpu (spec, "0000:01:00.0", NULL);
    plan_add (plan, "0000:01:00.0", VMCTL_PLAN_ROLE_GPU, "0000:01:00.0", "nvidia", 1);
    plan_add (plan, "0000:01:00.1", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0", "snd_hda_intel", 1);
  } else if (g_str_equal (scenario, "turing-4fn")) {
    spec_add_gpu (spec, "0000:01:00.0", NULL);
    plan_add (plan, "0000:01:00.0", VMCTL_PLAN_ROLE_GPU, "0000:01:00.0", "nvidia", 1);
    plan_add (plan, "0000:01:00.1", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0", "snd_hda_intel", 1);
    plan_add (plan, "0000:01:00.2", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0", "xhci_hcd", 1);
    plan_add (plan, "0000:01:00.3", VMCTL_PLAN_ROLE_COMPANION, "0000:01:00.0", "nvidia-gpu", 1);
  } else if (g_str_equal (scenario, "amd-host")) {
    spec_add_gpu (spec, "0000:0c:00.0", NULL);
    plan_add (plan, "0000:0c:00.0", VMCTL_PLAN_ROLE_GPU, "0000:0c:00.0", "amdgpu", 5);
    plan_add (plan, "0000:0c:00.1", VMCTL_PLAN_ROLE_SIBLING, "0000:0c:00.0", "snd_hda_intel", 6);
  } else if (g_str_equal (scenario, "pcie-switch")) {
    spec_add_gpu (spec, "0000:04:00.0", NULL);
    plan_add (plan, "0000:04:00.0", VMCTL_PLAN_ROLE_GPU, "0000:04:00.0", "nvidia", 5);
    plan_add (plan, "0000:04:00.1", VMCTL_PLAN_ROLE_COMPANION, "0000:04:00.0", "snd_hda_intel", 5);
  } else {
    g_assert_not_reached ();
  }
}

/* ---- fixture ---- */

static void
fixture_setup (Fixture *fixture, const gchar *scenario)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->spec = vmctl_spec_new ();
  fixture->plan = plan_new ();
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_spec_free (fixture->spec);
  plan_free (fixture->plan);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static void
setup_clean (Fixture *fixture, gconstpointer data)
{
  fixture_setup (fixture, "clean-gpu-audio");
}

static xmlDocPtr
build_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  xmlDocPtr document = vmctl_domain_xml_build (fixture->host, fixture->spec, fixture->plan, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

static gchar *
build_string (Fixture *fixture)
{
  g_autoptr(xmlDoc) document = build_ok (fixture);

  return vmctl_domain_xml_to_string (document);
}

static void
build_fails (Fixture *fixture, gint code, const gchar *fragment)
{
  g_autoptr(GError) error = NULL;
  xmlDocPtr document = vmctl_domain_xml_build (fixture->host, fixture->spec, fixture->plan, &error);

  g_assert_null (document);
  g_assert_error (error, VMCTL_DOMAIN_XML_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("'%s' lacks '%s'", error->message, fragment);
}

/* ---- XPath over a document (ours, or libvirt's) ---- */

static xmlDocPtr
parse (const gchar *text)
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

static gchar *
xpath_string (xmlDocPtr document, const gchar *expression)
{
  g_autofree gchar *wrapped = g_strdup_printf ("string(%s)", expression);
  g_autoptr(xmlXPathObject) result = xpath_eval (document, wrapped);

  return g_strdup ((const gchar *) result->stringval);
}

static gint
xpath_count (xmlDocPtr document, const gchar *expression)
{
  g_autofree gchar *wrapped = g_strdup_printf ("count(%s)", expression);
  g_autoptr(xmlXPathObject) result = xpath_eval (document, wrapped);

  return (gint) result->floatval;
}

#define assert_xpath(document, expression, expected) \
  G_STMT_START { \
    g_autofree gchar *assert_value_ = xpath_string ((document), (expression)); \
    g_assert_cmpstr (assert_value_, ==, (expected)); \
  } G_STMT_END

/* ---- libvirt: schema and test driver ---- */

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

/* compiled once for the whole run: it is the slow part of validating */
static VmctlDomainSchema *libvirt_schema;

static void
assert_validates (xmlDocPtr document)
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
static gchar *
define_on_test_driver (const gchar *scenario, const gchar *xml)
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
  g_autofree gchar *expected = xpath_string (ours, expression);
  g_autofree gchar *actual = xpath_string (theirs, expression);

  if (g_strcmp0 (expected, actual) != 0)
    g_error ("%s: vmctl wrote '%s', libvirt gave back '%s'", expression, expected, actual);
}

/* What must survive libvirt's parse and format: every hostdev with its
 * host and guest address, the root ports, hugepages, the CPU mode, the
 * firmware, the pinning and vmctl's metadata. */
static void
assert_round_trip (xmlDocPtr ours, xmlDocPtr theirs)
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
  gint hostdevs = xpath_count (ours, "/domain/devices/hostdev");
  gint pins = xpath_count (ours, "/domain/cputune/vcpupin");

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    assert_same_xpath (ours, theirs, paths[i]);
  g_assert_cmpint (xpath_count (theirs, "/domain/devices/hostdev[@managed='no']"), ==, hostdevs);
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
  g_assert_cmpint (xpath_count (theirs, "/domain/cputune/vcpupin"), ==, pins);
  g_assert_cmpint (xpath_count (theirs, "/domain/devices/controller[@model='pcie-root-port']"), ==,
                   xpath_count (ours, "/domain/devices/controller[@model='pcie-root-port']"));
  g_assert_cmpint (xpath_count (theirs, "/domain/metadata/vmctl:vmctl/vmctl:plan/vmctl:function"), ==,
                   xpath_count (ours, "/domain/metadata/vmctl:vmctl/vmctl:plan/vmctl:function"));
}

/* ---- golden files ---- */

static void
compare_golden (const gchar *name, const gchar *actual)
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

typedef struct {
  const gchar *name;
  const gchar *scenario;
  ProfileFunc profile;
  gboolean gpu;
  void (*adjust) (VmctlSpec *spec, VmctlPlan *plan);
} GoldenCase;

static void
adjust_bios (VmctlSpec *spec, VmctlPlan *plan)
{
  spec->firmware = VMCTL_FIRMWARE_KIND_BIOS;
  spec->graphics = VMCTL_GRAPHICS_VNC;
  spec->emulated_video = TRUE;
}

static void
adjust_rom (VmctlSpec *spec, VmctlPlan *plan)
{
  set_string (&g_array_index (spec->gpus, VmctlSpecGpu, 0).rom_path,
              "/var/lib/vmctl/roms/rtx3070.rom");
}

static void
adjust_volumes (VmctlSpec *spec, VmctlPlan *plan)
{
  g_ptr_array_set_size (spec->disks, 0);
  spec_add_disk (spec, NULL, G_GUINT64_CONSTANT (20) << 30, "default", "qcow2");
  spec_add_disk (spec, NULL, G_GUINT64_CONSTANT (100) << 30, "fast", "raw");
  set_string (&spec->cdrom, "/srv/iso/debian-12.5.0-amd64-netinst.iso");
}

static void
adjust_bridge (VmctlSpec *spec, VmctlPlan *plan)
{
  g_ptr_array_set_size (spec->disks, 0);
  spec_add_disk (spec, "/dev/vg0/work", 0, NULL, "raw");
  set_string (&spec->cdrom, "/srv/iso/debian-12.5.0-amd64-netinst.iso");
  set_string (&spec->disk_bus, "sata");
  set_string (&spec->nic_model, "e1000e");
  spec->network = VMCTL_NETWORK_BRIDGE;
  set_string (&spec->bridge, "br0");
}

static void
adjust_cpu_list (VmctlSpec *spec, VmctlPlan *plan)
{
  static const guint cpus[] = { 2, 6, 3, 7 };

  spec->vcpus = 4;
  spec->cpu_pin = VMCTL_CPU_PIN_LIST;
  spec->cpu_pin_list = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (spec->cpu_pin_list, cpus, G_N_ELEMENTS (cpus));
}

/* what vmctl_spec_finalize() leaves of gaming without /dev/kvm */
static void
adjust_tcg (VmctlSpec *spec, VmctlPlan *plan)
{
  spec->virt_type = VMCTL_VIRT_TYPE_QEMU;
  set_string (&spec->cpu_mode, "maximum");
  spec->cpu_cache_passthrough = FALSE;
  spec->hyperv = FALSE;
  spec->kvm_hidden = FALSE;
}

static void
adjust_pc (VmctlSpec *spec, VmctlPlan *plan)
{
  set_string (&spec->machine, "pc");
}

static void
adjust_host_model (VmctlSpec *spec, VmctlPlan *plan)
{
  set_string (&spec->cpu_mode, "host-model");
}

static const GoldenCase golden_cases[] = {
  { "gaming-clean-gpu-audio", "clean-gpu-audio", profile_gaming, TRUE, NULL },
  { "workstation-clean-gpu-audio", "clean-gpu-audio", profile_workstation, TRUE, NULL },
  { "minimal-clean-gpu-audio", "clean-gpu-audio", profile_minimal, TRUE, NULL },
  { "gaming-turing-4fn", "turing-4fn", profile_gaming, TRUE, NULL },
  { "workstation-turing-4fn", "turing-4fn", profile_workstation, TRUE, NULL },
  { "minimal-turing-4fn", "turing-4fn", profile_minimal, TRUE, NULL },
  { "gaming-amd-host", "amd-host", profile_gaming, TRUE, NULL },
  { "workstation-amd-host", "amd-host", profile_workstation, TRUE, NULL },
  { "minimal-amd-host", "amd-host", profile_minimal, TRUE, NULL },
  { "gaming-pcie-switch", "pcie-switch", profile_gaming, TRUE, NULL },
  { "workstation-pcie-switch", "pcie-switch", profile_workstation, TRUE, NULL },
  { "minimal-pcie-switch", "pcie-switch", profile_minimal, TRUE, NULL },
  { "minimal-no-gpu", "clean-gpu-audio", profile_minimal, FALSE, NULL },
  { "bios-vnc", "clean-gpu-audio", profile_minimal, TRUE, adjust_bios },
  { "gaming-rom-file", "clean-gpu-audio", profile_gaming, TRUE, adjust_rom },
  { "volumes-cdrom", "clean-gpu-audio", profile_minimal, FALSE, adjust_volumes },
  { "bridge-block-sata", "clean-gpu-audio", profile_workstation, FALSE, adjust_bridge },
  { "gaming-cpu-pin-list", "clean-gpu-audio", profile_gaming, TRUE, adjust_cpu_list },
  { "gaming-tcg", "clean-gpu-audio", profile_gaming, TRUE, adjust_tcg },
  { "minimal-pc-machine", "clean-gpu-audio", profile_minimal, TRUE, adjust_pc },
  { "workstation-host-model-amd", "amd-host", profile_workstation, TRUE, adjust_host_model },
};

/* the disks of each profile: fixed strings, never a path of the checkout */
static void
default_disks (VmctlSpec *spec)
{
  g_autofree gchar *image = NULL;

  if (g_strcmp0 (spec->profile, "minimal") == 0) {
    image = g_strdup_printf ("/var/lib/libvirt/images/%s.img", spec->name);
    spec_add_disk (spec, image, 0, NULL, "raw");
  } else {
    image = g_strdup_printf ("/var/lib/libvirt/images/%s.qcow2", spec->name);
    spec_add_disk (spec, image, 0, NULL, "qcow2");
  }
}

static void
setup_golden (Fixture *fixture, gconstpointer data)
{
  const GoldenCase *golden = data;

  fixture_setup (fixture, golden->scenario);
  golden->profile (fixture->spec, "vm1");
  default_disks (fixture->spec);
  if (golden->gpu)
    host_gpu (fixture->spec, fixture->plan, golden->scenario);
  if (golden->adjust != NULL)
    golden->adjust (fixture->spec, fixture->plan);
}

static void
test_golden (Fixture *fixture, gconstpointer data)
{
  const GoldenCase *golden = data;
  g_autoptr(xmlDoc) document = build_ok (fixture);
  g_autofree gchar *text = vmctl_domain_xml_to_string (document);
  g_autofree gchar *again = build_string (fixture);
  g_autofree gchar *returned = NULL;
  g_autoptr(xmlDoc) reparsed = NULL;
  g_autoptr(xmlDoc) theirs = NULL;

  /* deterministic: nothing random, nothing from the clock */
  g_assert_cmpstr (text, ==, again);
  /* nothing of this machine or checkout leaks in */
  g_assert_null (strstr (text, fixture->root));
  g_assert_null (strstr (text, g_getenv ("VMCTL_SOURCE_ROOT")));
  compare_golden (golden->name, text);

  reparsed = parse (text);
  assert_validates (reparsed);
  returned = define_on_test_driver (golden->scenario, text);
  theirs = parse (returned);
  assert_round_trip (reparsed, theirs);
}

/* ---- firmware ---- */

static void
test_firmware_efi_plain (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_minimal (fixture->spec, "plain");
  document = build_ok (fixture);
  /* Debian's 40-*-secure-enrolled sorts first: never for plain efi */
  assert_xpath (document, "/domain/os/loader", "/usr/share/OVMF/OVMF_CODE_4M.fd");
  assert_xpath (document, "/domain/os/loader/@secure", "no");
  assert_xpath (document, "/domain/os/loader/@type", "pflash");
  assert_xpath (document, "/domain/os/loader/@readonly", "yes");
  assert_xpath (document, "/domain/os/nvram/@template", "/usr/share/OVMF/OVMF_VARS_4M.fd");
  g_assert_cmpint (xpath_count (document, "/domain/features/smm"), ==, 0);
  assert_xpath (document, "/domain/metadata/vmctl:vmctl/vmctl:spec/@firmware-descriptor",
                "/usr/share/qemu/firmware/60-edk2-x86_64.json");
}

static void
test_firmware_efi_secure (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_minimal (fixture->spec, "secure");
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  document = build_ok (fixture);
  /* enrolled keys preferred: Windows boots with Secure Boot on at once */
  assert_xpath (document, "/domain/os/loader", "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  assert_xpath (document, "/domain/os/loader/@secure", "yes");
  assert_xpath (document, "/domain/os/nvram/@template", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  assert_xpath (document, "/domain/features/smm/@state", "on");
}

static void
test_firmware_secure_without_enrolled (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_unlink (fixture->root, "usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json");
  profile_minimal (fixture->spec, "secure");
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  document = build_ok (fixture);
  assert_xpath (document, "/domain/os/loader", "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  assert_xpath (document, "/domain/os/nvram/@template", "/usr/share/OVMF/OVMF_VARS_4M.fd");
}

static void
test_firmware_secure_missing (Fixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json");
  vmctl_test_unlink (fixture->root, "usr/share/qemu/firmware/50-edk2-x86_64-secure.json");
  profile_minimal (fixture->spec, "secure");
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
               "no UEFI firmware with secure-boot and requires-smm for pc-q35-* on x86_64 "
               "in /usr/share/qemu/firmware; install ovmf");
  /* plain efi still works there */
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  g_clear_pointer (&fixture->spec->name, g_free);
  fixture->spec->name = g_strdup ("plain");
  xmlFreeDoc (build_ok (fixture));
}

static void
setup_no_ovmf (Fixture *fixture, gconstpointer data)
{
  fixture_setup (fixture, "no-ovmf");
}

static void
test_firmware_none (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_minimal (fixture->spec, "plain");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
               "no UEFI firmware without secure-boot for pc-q35-* on x86_64");
  /* SeaBIOS needs no descriptor: no loader at all */
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_BIOS;
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/os/loader"), ==, 0);
  g_assert_cmpint (xpath_count (document, "/domain/os/nvram"), ==, 0);
  g_assert_cmpint (xpath_count (document, "/domain/os/@firmware"), ==, 0);
}

static void
test_firmware_image_missing (Fixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.fd");
  profile_minimal (fixture->spec, "plain");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
               "/usr/share/qemu/firmware/60-edk2-x86_64.json names "
               "/usr/share/OVMF/OVMF_CODE_4M.fd, which does not exist");
}

/* ---- CPU ---- */

static void
test_cpu_auto_pin (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  static const gchar * const expected[] = { "1", "5", "2", "6", "3", "7" };

  profile_gaming (fixture->spec, "pinned");
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/cputune/vcpupin"), ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_autofree gchar *vcpu = g_strdup_printf ("/domain/cputune/vcpupin[%u]/@vcpu", i + 1);
    g_autofree gchar *cpuset = g_strdup_printf ("/domain/cputune/vcpupin[%u]/@cpuset", i + 1);
    g_autofree gchar *number = g_strdup_printf ("%u", i);

    assert_xpath (document, vcpu, number);
    assert_xpath (document, cpuset, expected[i]);
  }
  assert_xpath (document, "/domain/cputune/emulatorpin/@cpuset", "0,4");
  /* no disk, no I/O thread */
  g_assert_cmpint (xpath_count (document, "/domain/iothreads"), ==, 0);
  g_assert_cmpint (xpath_count (document, "/domain/cputune/iothreadpin"), ==, 0);
  g_clear_pointer (&document, xmlFreeDoc);
  spec_add_disk (fixture->spec, "/var/lib/libvirt/images/pinned.qcow2", 0, NULL, "qcow2");
  document = build_ok (fixture);
  assert_xpath (document, "/domain/iothreads", "1");
  assert_xpath (document, "/domain/cputune/iothreadpin/@iothread", "1");
  assert_xpath (document, "/domain/cputune/iothreadpin/@cpuset", "0,4");
  assert_xpath (document, "/domain/devices/disk/driver/@iothread", "1");
  assert_xpath (document, "/domain/cpu/topology/@cores", "3");
  assert_xpath (document, "/domain/cpu/topology/@threads", "2");
  assert_xpath (document, "/domain/cpu/@mode", "host-passthrough");
  assert_xpath (document, "/domain/cpu/@check", "none");
  assert_xpath (document, "/domain/cpu/@migratable", "off");
  g_assert_cmpint (xpath_count (document, "/domain/cpu/feature"), ==, 0);  /* Intel */
}

static void
test_cpu_auto_too_many (Fixture *fixture, gconstpointer data)
{
  profile_gaming (fixture->spec, "greedy");
  fixture->spec->vcpus = 8;
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY,
               "keeps the first core (CPUs 0,4) for the host, leaving 6 CPUs for 8 vCPUs");
  /* unpinned, the same request is fine */
  fixture->spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  xmlFreeDoc (build_ok (fixture));
}

static void
test_cpu_odd_vcpus (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_gaming (fixture->spec, "odd");
  fixture->spec->vcpus = 3;
  document = build_ok (fixture);
  /* 3 vCPUs cannot be whole 2-thread cores: the guest sees 3 cores */
  assert_xpath (document, "/domain/cpu/topology/@cores", "3");
  assert_xpath (document, "/domain/cpu/topology/@threads", "1");
  assert_xpath (document, "/domain/cputune/vcpupin[3]/@cpuset", "2");
}

static void
test_cpu_list_errors (Fixture *fixture, gconstpointer data)
{
  static const guint absent[] = { 1, 9 };
  static const guint twice[] = { 1, 1 };
  static const guint all[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  g_autoptr(xmlDoc) document = NULL;

  profile_minimal (fixture->spec, "listed");
  fixture->spec->vcpus = 2;
  fixture->spec->cpu_pin = VMCTL_CPU_PIN_LIST;
  fixture->spec->cpu_pin_list = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (fixture->spec->cpu_pin_list, absent, 2);
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "host CPU 9 is not present");
  g_array_set_size (fixture->spec->cpu_pin_list, 0);
  g_array_append_vals (fixture->spec->cpu_pin_list, twice, 2);
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "host CPU 1 is listed twice");
  g_array_set_size (fixture->spec->cpu_pin_list, 1);
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "lists 1 host CPUs for 2 vCPUs");

  /* every CPU for a vCPU: no CPU is left for the emulator, so no
   * emulatorpin; 0,1 are not siblings, so the guest sees no SMT */
  g_array_set_size (fixture->spec->cpu_pin_list, 0);
  g_array_append_vals (fixture->spec->cpu_pin_list, all, G_N_ELEMENTS (all));
  fixture->spec->vcpus = 8;
  fixture->spec->cpu_smt_topology = TRUE;
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/cputune/vcpupin"), ==, 8);
  g_assert_cmpint (xpath_count (document, "/domain/cputune/emulatorpin"), ==, 0);
  g_assert_cmpint (xpath_count (document, "/domain/iothreads"), ==, 0);
  assert_xpath (document, "/domain/cpu/topology/@threads", "1");
  assert_xpath (document, "/domain/metadata/vmctl:vmctl/vmctl:spec/@cpu-pin-list", "0,1,2,3,4,5,6,7");
}

static void
setup_amd (Fixture *fixture, gconstpointer data)
{
  fixture_setup (fixture, "amd-host");
}

static void
test_cpu_amd_topoext (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_gaming (fixture->spec, "ryzen");
  document = build_ok (fixture);
  assert_xpath (document, "/domain/cpu/feature/@name", "topoext");
  assert_xpath (document, "/domain/cpu/feature/@policy", "require");
  g_clear_pointer (&document, xmlFreeDoc);
  /* TCG's emulated CPU is not the host's: no topoext there */
  adjust_tcg (fixture->spec, fixture->plan);
  document = build_ok (fixture);
  assert_xpath (document, "/domain/cpu/@mode", "maximum");
  g_assert_cmpint (xpath_count (document, "/domain/cpu/feature"), ==, 0);
  assert_xpath (document, "/domain/@type", "qemu");
}

static void
test_cpu_unreadable_topology (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_unlink (fixture->root, "sys/devices/system/cpu/present");
  profile_gaming (fixture->spec, "blind");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "cannot pin vCPUs without");
  /* without pinning the topology is only a refinement */
  fixture->spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  document = build_ok (fixture);
  assert_xpath (document, "/domain/cpu/topology/@threads", "1");
  assert_xpath (document, "/domain/cpu/topology/@cores", "6");
  g_assert_cmpint (xpath_count (document, "/domain/cputune"), ==, 0);
}

/* ---- memory ---- */

static void
test_hugepages_sizes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autofree gchar *gigantic = g_build_filename (fixture->root,
                                                 "sys/kernel/mm/hugepages/hugepages-1048576kB", NULL);

  profile_gaming (fixture->spec, "pages");
  document = build_ok (fixture);
  assert_xpath (document, "/domain/memoryBacking/hugepages/page/@size", "1048576");
  assert_xpath (document, "/domain/memoryBacking/hugepages/page/@unit", "KiB");
  g_assert_cmpint (xpath_count (document, "/domain/memoryBacking/locked"), ==, 1);
  g_clear_pointer (&document, xmlFreeDoc);

  /* 12.5 GiB: not whole 1 GiB pages */
  fixture->spec->memory_kib = 12 * GIB_KIB + GIB_KIB / 2;
  document = build_ok (fixture);
  assert_xpath (document, "/domain/memoryBacking/hugepages/page/@size", "2048");
  g_clear_pointer (&document, xmlFreeDoc);

  /* no 1 GiB pool (no pdpe1gb) */
  fixture->spec->memory_kib = 16 * GIB_KIB;
  vmctl_test_remove_tree (gigantic);
  document = build_ok (fixture);
  assert_xpath (document, "/domain/memoryBacking/hugepages/page/@size", "2048");
  assert_xpath (document, "/domain/metadata/vmctl:vmctl/vmctl:spec/@hugepage-kib", "2048");
  g_clear_pointer (&document, xmlFreeDoc);

  /* not even whole 2 MiB pages */
  fixture->spec->memory_kib = 16 * GIB_KIB + 1024;
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "not a whole number of 2048 KiB hugepages");

  fixture->spec->hugepages = FALSE;
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/memoryBacking"), ==, 0);
  assert_xpath (document, "/domain/memory", "16778240");
  assert_xpath (document, "/domain/memory/@unit", "KiB");
  assert_xpath (document, "/domain/currentMemory", "16778240");
}

/* ---- hostdevs ---- */

static void
setup_turing (Fixture *fixture, gconstpointer data)
{
  fixture_setup (fixture, "turing-4fn");
}

static void
test_hostdev_one_slot (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_minimal (fixture->spec, "turing");
  host_gpu (fixture->spec, fixture->plan, "turing-4fn");
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/devices/hostdev"), ==, 4);
  g_assert_cmpint (xpath_count (document, "/domain/devices/hostdev[@managed='no'][driver/@name='vfio']"), ==, 4);
  /* one root port, one guest slot, the host's function numbers */
  g_assert_cmpint (xpath_count (document, "/domain/devices/controller[@model='pcie-root-port']"), ==, 1);
  assert_xpath (document, "/domain/devices/controller/@index", "1");
  g_assert_cmpint (xpath_count (document, "/domain/devices/hostdev/address[@bus='0x01'][@slot='0x00']"), ==, 4);
  for (guint i = 0; i < 4; i++) {
    g_autofree gchar *host = g_strdup_printf ("/domain/devices/hostdev[%u]/source/address/@function", i + 1);
    g_autofree gchar *guest = g_strdup_printf ("/domain/devices/hostdev[%u]/address/@function", i + 1);
    g_autofree gchar *function = g_strdup_printf ("0x%u", i);

    assert_xpath (document, host, function);
    assert_xpath (document, guest, function);
  }
  /* multifunction only on function 0 */
  g_assert_cmpint (xpath_count (document, "/domain/devices/hostdev/address[@multifunction]"), ==, 1);
  assert_xpath (document, "/domain/devices/hostdev[1]/address/@multifunction", "on");
  g_assert_cmpint (xpath_count (document, "/domain/devices/hostdev/rom"), ==, 0);
  assert_xpath (document, "/domain/devices/memballoon/@model", "none");
}

static void
test_hostdev_two_cards (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_minimal (fixture->spec, "two");
  host_gpu (fixture->spec, fixture->plan, "clean-gpu-audio");
  /* a USB controller by --hostdev, and a function without its function 0 */
  plan_add (fixture->plan, "0000:00:14.0", VMCTL_PLAN_ROLE_HOSTDEV, "0000:00:14.0", "xhci_hcd", 4);
  plan_add (fixture->plan, "0000:03:00.2", VMCTL_PLAN_ROLE_HOSTDEV, "0000:03:00.2", NULL, -1);
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/devices/controller[@model='pcie-root-port']"), ==, 3);
  assert_xpath (document, "/domain/devices/controller[3]/@index", "3");
  assert_xpath (document, "/domain/devices/hostdev[3]/address/@bus", "0x02");
  assert_xpath (document, "/domain/devices/hostdev[3]/address/@function", "0x0");
  g_assert_cmpint (xpath_count (document, "/domain/devices/hostdev[3]/address/@multifunction"), ==, 0);
  /* alone on its slot, 03:00.2 becomes guest function 0 so the guest
   * probes it at all */
  assert_xpath (document, "/domain/devices/hostdev[4]/source/address/@function", "0x2");
  assert_xpath (document, "/domain/devices/hostdev[4]/address/@bus", "0x03");
  assert_xpath (document, "/domain/devices/hostdev[4]/address/@function", "0x0");
  /* metadata: no driver, no group: attributes absent, not empty */
  g_assert_cmpint (xpath_count (document, "//vmctl:function"), ==, 4);
  g_assert_cmpint (xpath_count (document, "//vmctl:function[4]/@driver"), ==, 0);
  g_assert_cmpint (xpath_count (document, "//vmctl:function[4]/@group"), ==, 0);
  assert_xpath (document, "//vmctl:function[3]/@role", "hostdev");
  assert_xpath (document, "//vmctl:function[2]/@role", "companion");
  assert_xpath (document, "//vmctl:function[2]/@owner", "0000:01:00.0");
  assert_xpath (document, "//vmctl:function[2]/@group", "1");
  assert_xpath (document, "//vmctl:function[2]/@driver", "snd_hda_intel");
}

static void
test_hostdev_rom_unplanned (Fixture *fixture, gconstpointer data)
{
  profile_minimal (fixture->spec, "rom");
  spec_add_gpu (fixture->spec, "0000:01:00.0", "/roms/a.rom");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID,
               "a ROM file is given for 0000:01:00.0, but the plan does not assign it");
}

/* ---- disks ---- */

static void
test_disk_names (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *none = NULL;

  profile_minimal (fixture->spec, "disks");
  spec_add_disk (fixture->spec, NULL, 1 << 30, NULL, NULL);
  spec_add_disk (fixture->spec, "/var/lib/libvirt/images/data.qcow2", 0, NULL, NULL);
  spec_add_disk (fixture->spec, NULL, 1 << 30, "fast", "raw");
  spec_add_disk (fixture->spec, "/dev/sdb", 0, NULL, NULL);
  set_string (&fixture->spec->cdrom, "/srv/iso/x.iso");
  first = vmctl_domain_xml_volume_name (fixture->spec, 0);
  second = vmctl_domain_xml_volume_name (fixture->spec, 2);
  none = vmctl_domain_xml_volume_name (fixture->spec, 1);
  g_assert_cmpstr (first, ==, "disks.qcow2");
  g_assert_cmpstr (second, ==, "disks-2.img");
  g_assert_null (none);

  document = build_ok (fixture);
  assert_xpath (document, "/domain/devices/disk[1]/@type", "volume");
  assert_xpath (document, "/domain/devices/disk[1]/source/@pool", "default");
  assert_xpath (document, "/domain/devices/disk[1]/source/@volume", "disks.qcow2");
  assert_xpath (document, "/domain/devices/disk[1]/driver/@type", "qcow2");
  assert_xpath (document, "/domain/devices/disk[1]/target/@dev", "vda");
  assert_xpath (document, "/domain/devices/disk[2]/@type", "file");
  assert_xpath (document, "/domain/devices/disk[2]/driver/@type", "qcow2");  /* from .qcow2 */
  assert_xpath (document, "/domain/devices/disk[2]/target/@dev", "vdb");
  assert_xpath (document, "/domain/devices/disk[3]/source/@pool", "fast");
  assert_xpath (document, "/domain/devices/disk[3]/source/@volume", "disks-2.img");
  assert_xpath (document, "/domain/devices/disk[4]/@type", "block");
  assert_xpath (document, "/domain/devices/disk[4]/source/@dev", "/dev/sdb");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@type", "raw");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@cache", "none");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@io", "native");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@discard", "unmap");
  /* unpinned: no I/O thread */
  g_assert_cmpint (xpath_count (document, "/domain/devices/disk/driver/@iothread"), ==, 0);
  assert_xpath (document, "/domain/devices/disk[5]/@device", "cdrom");
  assert_xpath (document, "/domain/devices/disk[5]/target/@dev", "sda");
  assert_xpath (document, "/domain/devices/disk[5]/target/@bus", "sata");
  g_assert_cmpint (xpath_count (document, "/domain/devices/disk[5]/readonly"), ==, 1);
  assert_xpath (document, "/domain/os/boot[1]/@dev", "hd");
  assert_xpath (document, "/domain/os/boot[2]/@dev", "cdrom");
  assert_xpath (document, "//vmctl:disk[1]/@size-bytes", "1073741824");
  assert_xpath (document, "//vmctl:disk[1]/@volume", "disks.qcow2");
  g_assert_cmpint (xpath_count (document, "//vmctl:disk[1]/@path"), ==, 0);
  assert_xpath (document, "//vmctl:disk[2]/@path", "/var/lib/libvirt/images/data.qcow2");
  g_assert_cmpint (xpath_count (document, "//vmctl:disk[2]/@pool"), ==, 0);
}

/* ---- devices by profile ---- */

static void
test_devices_by_profile (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  profile_workstation (fixture->spec, "desk");
  fixture->spec->network = VMCTL_NETWORK_NONE;
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/devices/interface"), ==, 0);
  assert_xpath (document, "/domain/devices/graphics/@type", "spice");
  assert_xpath (document, "/domain/devices/graphics/listen/@type", "address");
  assert_xpath (document, "/domain/devices/graphics/listen/@address", "127.0.0.1");
  assert_xpath (document, "/domain/devices/channel/target/@name", "com.redhat.spice.0");
  assert_xpath (document, "/domain/devices/video/model/@type", "virtio");
  assert_xpath (document, "/domain/devices/memballoon/@model", "virtio");
  assert_xpath (document, "/domain/devices/rng/backend", "/dev/urandom");
  g_assert_cmpint (xpath_count (document, "/domain/devices/tpm"), ==, 0);
  g_assert_cmpint (xpath_count (document, "/domain/features/hyperv"), ==, 0);
  g_assert_cmpint (xpath_count (document, "/domain/features/kvm"), ==, 0);
  assert_xpath (document, "/domain/clock/@offset", "utc");
  g_assert_cmpint (xpath_count (document, "/domain/clock/timer[@name='hypervclock']"), ==, 0);
  g_clear_pointer (&document, xmlFreeDoc);

  profile_gaming (fixture->spec, "game");
  set_string (&fixture->spec->hyperv_vendor_id, NULL);
  document = build_ok (fixture);
  g_assert_cmpint (xpath_count (document, "/domain/features/hyperv/*"), ==, 11);
  g_assert_cmpint (xpath_count (document, "/domain/features/hyperv/vendor_id"), ==, 0);
  assert_xpath (document, "/domain/features/hyperv/spinlocks/@retries", "8191");
  assert_xpath (document, "/domain/features/hyperv/stimer/direct/@state", "on");
  assert_xpath (document, "/domain/features/vmport/@state", "off");
  assert_xpath (document, "/domain/features/kvm/hidden/@state", "on");
  assert_xpath (document, "/domain/clock/@offset", "localtime");
  assert_xpath (document, "/domain/clock/timer[@name='rtc']/@tickpolicy", "catchup");
  assert_xpath (document, "/domain/clock/timer[@name='pit']/@tickpolicy", "delay");
  assert_xpath (document, "/domain/clock/timer[@name='hpet']/@present", "no");
  assert_xpath (document, "/domain/clock/timer[@name='hypervclock']/@present", "yes");
  assert_xpath (document, "/domain/devices/tpm/@model", "tpm-crb");
  assert_xpath (document, "/domain/devices/tpm/backend/@version", "2.0");
  /* the GPU is the display */
  assert_xpath (document, "/domain/devices/video/model/@type", "none");
  g_assert_cmpint (xpath_count (document, "/domain/devices/graphics"), ==, 0);
}

/* ---- escaping ---- */

#define NASTY "a<b>&c;'d\"e\nf\tg]]>h&amp;\r\u00e9\u2603"

static gint
count_elements (xmlNodePtr node)
{
  gint count = 0;

  for (; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE)
      count += 1 + count_elements (node->children);
  return count;
}

static void
injection_spec (Fixture *fixture, const gchar *name, const gchar *disk, const gchar *rom,
                const gchar *bridge)
{
  profile_gaming (fixture->spec, name);
  spec_add_disk (fixture->spec, disk, 0, NULL, "qcow2");
  spec_add_disk (fixture->spec, NULL, 1 << 30, bridge, "qcow2");
  set_string (&fixture->spec->cdrom, disk);
  host_gpu (fixture->spec, fixture->plan, "clean-gpu-audio");
  set_string (&g_array_index (fixture->spec->gpus, VmctlSpecGpu, 0).rom_path, rom);
  fixture->spec->network = VMCTL_NETWORK_BRIDGE;
  set_string (&fixture->spec->bridge, bridge);
  set_string (&fixture->spec->hyperv_vendor_id, "<&'\"x");
}

static void
test_injection (Fixture *fixture, gconstpointer data)
{
  const gchar *name = "vm" NASTY;
  const gchar *disk = "/var/lib/libvirt/images/" NASTY ".qcow2";
  const gchar *rom = "/roms/" NASTY ".rom";
  const gchar *bridge = "br" NASTY;
  g_autofree gchar *text = NULL;
  g_autofree gchar *plain_text = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlDoc) plain = NULL;
  g_autofree gchar *volume = NULL;

  injection_spec (fixture, name, disk, rom, bridge);
  text = build_string (fixture);
  document = parse (text);
  assert_xpath (document, "/domain/name", name);
  assert_xpath (document, "/domain/devices/disk[1]/source/@file", disk);
  assert_xpath (document, "/domain/devices/disk[2]/source/@pool", bridge);
  volume = g_strconcat (name, ".qcow2", NULL);
  assert_xpath (document, "/domain/devices/disk[2]/source/@volume", volume);
  assert_xpath (document, "/domain/devices/disk[3]/source/@file", disk);
  assert_xpath (document, "/domain/devices/hostdev[1]/rom/@file", rom);
  assert_xpath (document, "/domain/devices/interface/source/@bridge", bridge);
  assert_xpath (document, "/domain/features/hyperv/vendor_id/@value", "<&'\"x");
  assert_xpath (document, "//vmctl:gpu/@rom", rom);
  assert_xpath (document, "//vmctl:disk[1]/@path", disk);
  assert_xpath (document, "//vmctl:cdrom/@path", disk);
  assert_xpath (document, "//vmctl:network/@bridge", bridge);
  /* nothing was interpreted as markup: the same elements as a tame spec */
  g_assert_null (strstr (text, "<b>"));
  g_assert_null (strstr (text, "]]>"));

  vmctl_spec_free (fixture->spec);
  plan_free (fixture->plan);
  fixture->spec = vmctl_spec_new ();
  fixture->plan = plan_new ();
  injection_spec (fixture, "tame", "/var/lib/libvirt/images/tame.qcow2", "/roms/tame.rom", "br0");
  plain_text = build_string (fixture);
  plain = parse (plain_text);
  g_assert_cmpint (count_elements (xmlDocGetRootElement (document)), ==,
                   count_elements (xmlDocGetRootElement (plain)));
}

/* C0 controls other than tab, newline and CR cannot be written in XML
 * 1.0 at all, not even as &#1;: refused, never written half-escaped */
static void
test_control_characters (Fixture *fixture, gconstpointer data)
{
  profile_minimal (fixture->spec, "bell\a");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "control character");
  set_string (&fixture->spec->name, "fine");
  spec_add_disk (fixture->spec, "/var/lib/libvirt/images/\033[31m.img", 0, NULL, "raw");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "\\033[31m");
  g_ptr_array_set_size (fixture->spec->disks, 0);
  set_string (&fixture->spec->name, "not\xff utf-8");
  build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "UTF-8");
}

/* ---- templates ---- */

typedef struct {
  gchar *directory;
  gchar *saved;
} TemplateFixture;

/* a private copy of xml-templates/ the test may break */
static void
template_setup (TemplateFixture *fixture, gconstpointer data)
{
  g_autofree gchar *source = vmctl_test_source_path ("xml-templates");

  fixture->saved = g_strdup (g_getenv ("VMCTL_TEMPLATE_DIR"));
  fixture->directory = vmctl_test_copy_tree (source);
  g_setenv ("VMCTL_TEMPLATE_DIR", fixture->directory, TRUE);
}

static void
template_teardown (TemplateFixture *fixture, gconstpointer data)
{
  if (fixture->saved != NULL)
    g_setenv ("VMCTL_TEMPLATE_DIR", fixture->saved, TRUE);
  else
    g_unsetenv ("VMCTL_TEMPLATE_DIR");
  vmctl_test_remove_tree (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->saved);
}

static void
template_build_fails (const gchar *fragment)
{
  Fixture fixture = { 0 };

  setup_clean (&fixture, NULL);
  profile_gaming (fixture.spec, "t");
  host_gpu (fixture.spec, fixture.plan, "clean-gpu-audio");
  build_fails (&fixture, VMCTL_DOMAIN_XML_ERROR_TEMPLATE, fragment);
  fixture_teardown (&fixture, NULL);
}

static void
rewrite_template (TemplateFixture *fixture, const gchar *file, const gchar *from, const gchar *to)
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

static void
test_template_missing (TemplateFixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->directory, "hostdev-pci.xml", NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
  template_build_fails ("hostdev-pci.xml");
}

static void
test_template_malformed (TemplateFixture *fixture, gconstpointer data)
{
  rewrite_template (fixture, "domain.xml", "</domain>", "</domian>");
  template_build_fails ("domain.xml");
}

static void
test_template_lacks_attribute (TemplateFixture *fixture, gconstpointer data)
{
  rewrite_template (fixture, "cpu-host-passthrough.xml", " threads=\"@THREADS@\"", "");
  template_build_fails ("<topology> has no threads attribute to fill");
}

static void
test_template_unfilled (TemplateFixture *fixture, gconstpointer data)
{
  rewrite_template (fixture, "rng-virtio.xml", "<rng model=\"virtio\">",
                    "<rng model=\"virtio\" rate=\"@RATE@\">");
  template_build_fails ("<rng rate='@RATE@'> was never filled");
}

static void
test_template_dir_env (void)
{
  g_autofree gchar *saved = g_strdup (g_getenv ("VMCTL_TEMPLATE_DIR"));
  g_autofree gchar *chosen = NULL;
  g_autofree gchar *fallback = NULL;

  g_setenv ("VMCTL_TEMPLATE_DIR", "/somewhere/templates", TRUE);
  chosen = vmctl_template_dir ();
  g_assert_cmpstr (chosen, ==, "/somewhere/templates");
  /* empty counts as unset */
  g_setenv ("VMCTL_TEMPLATE_DIR", "", TRUE);
  fallback = vmctl_template_dir ();
  g_assert_true (g_file_test (fallback, G_FILE_TEST_IS_DIR));
  if (saved != NULL)
    g_setenv ("VMCTL_TEMPLATE_DIR", saved, TRUE);
  else
    g_unsetenv ("VMCTL_TEMPLATE_DIR");
}

static void
test_validate_rejects (Fixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GError) error = NULL;
  xmlNodePtr cpu;

  if (!g_file_test (VMCTL_LIBVIRT_DOMAIN_SCHEMA, G_FILE_TEST_EXISTS)) {
    g_test_skip ("no " VMCTL_LIBVIRT_DOMAIN_SCHEMA);
    return;
  }
  profile_minimal (fixture->spec, "bad");
  document = build_ok (fixture);
  cpu = xmlDocGetRootElement (document)->children;
  while (cpu != NULL && !xmlStrEqual (cpu->name, (const xmlChar *) "cpu"))
    cpu = cpu->next;
  g_assert_nonnull (cpu);
  xmlSetProp (cpu, (const xmlChar *) "mode", (const xmlChar *) "host-passthru");
  g_assert_false (vmctl_domain_xml_validate (document, NULL, &error));
  g_assert_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA);
  g_clear_error (&error);
  g_assert_false (vmctl_domain_xml_validate (document, "/nonexistent/domain.rng", &error));
  g_assert_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA);
}

static void
add_clean (const gchar *path, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup_clean, test, fixture_teardown);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *templates = vmctl_test_source_path ("xml-templates");
  gint status;

  g_test_init (&argc, &argv, NULL);
  /* the source tree's templates, never an installed (older) copy */
  g_setenv ("VMCTL_TEMPLATE_DIR", templates, TRUE);
  virSetErrorFunc (NULL, ignore_virt_error);

  for (gsize i = 0; i < G_N_ELEMENTS (golden_cases); i++) {
    g_autofree gchar *path = g_strconcat ("/vmctl/domain-xml/golden/", golden_cases[i].name, NULL);

    g_test_add (path, Fixture, &golden_cases[i], setup_golden, test_golden, fixture_teardown);
  }
  add_clean ("/vmctl/domain-xml/firmware/efi-not-secure", test_firmware_efi_plain);
  add_clean ("/vmctl/domain-xml/firmware/efi-secure-enrolled", test_firmware_efi_secure);
  add_clean ("/vmctl/domain-xml/firmware/efi-secure-not-enrolled", test_firmware_secure_without_enrolled);
  add_clean ("/vmctl/domain-xml/firmware/secure-missing", test_firmware_secure_missing);
  add_clean ("/vmctl/domain-xml/firmware/image-missing", test_firmware_image_missing);
  g_test_add ("/vmctl/domain-xml/firmware/no-ovmf", Fixture, NULL, setup_no_ovmf,
              test_firmware_none, fixture_teardown);
  add_clean ("/vmctl/domain-xml/cpu/auto-pin", test_cpu_auto_pin);
  add_clean ("/vmctl/domain-xml/cpu/auto-too-many", test_cpu_auto_too_many);
  add_clean ("/vmctl/domain-xml/cpu/odd-vcpus", test_cpu_odd_vcpus);
  add_clean ("/vmctl/domain-xml/cpu/list-errors", test_cpu_list_errors);
  add_clean ("/vmctl/domain-xml/cpu/unreadable-topology", test_cpu_unreadable_topology);
  g_test_add ("/vmctl/domain-xml/cpu/amd-topoext", Fixture, NULL, setup_amd,
              test_cpu_amd_topoext, fixture_teardown);
  add_clean ("/vmctl/domain-xml/memory/hugepage-sizes", test_hugepages_sizes);
  g_test_add ("/vmctl/domain-xml/hostdev/one-slot", Fixture, NULL, setup_turing,
              test_hostdev_one_slot, fixture_teardown);
  add_clean ("/vmctl/domain-xml/hostdev/two-cards", test_hostdev_two_cards);
  add_clean ("/vmctl/domain-xml/hostdev/rom-unplanned", test_hostdev_rom_unplanned);
  add_clean ("/vmctl/domain-xml/disk/names", test_disk_names);
  add_clean ("/vmctl/domain-xml/devices/by-profile", test_devices_by_profile);
  add_clean ("/vmctl/domain-xml/escape/injection", test_injection);
  add_clean ("/vmctl/domain-xml/escape/control-characters", test_control_characters);
  add_clean ("/vmctl/domain-xml/schema/rejects", test_validate_rejects);
  g_test_add_func ("/vmctl/domain-xml/template/dir-env", test_template_dir_env);
  g_test_add ("/vmctl/domain-xml/template/missing", TemplateFixture, NULL, template_setup,
              test_template_missing, template_teardown);
  g_test_add ("/vmctl/domain-xml/template/malformed", TemplateFixture, NULL, template_setup,
              test_template_malformed, template_teardown);
  g_test_add ("/vmctl/domain-xml/template/lacks-attribute", TemplateFixture, NULL, template_setup,
              test_template_lacks_attribute, template_teardown);
  g_test_add ("/vmctl/domain-xml/template/unfilled", TemplateFixture, NULL, template_setup,
              test_template_unfilled, template_teardown);
  status = g_test_run ();
  g_clear_pointer (&libvirt_schema, vmctl_domain_schema_free);
  return status;
}
