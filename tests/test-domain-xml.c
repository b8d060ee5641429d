/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-domain-xml.c: the domain XML builder end to end. Golden files per
 * profile and fixture host (tests/golden), each also validated against
 * libvirt's RelaxNG schema and defined on libvirt's test driver, whose
 * parse and format must keep what vmctl wrote. The rules one by one are in
 * test-domain-rules.c. */
#include <libxml/parser.h>
#include <string.h>

#include "vmctl-domain-xml-private.h"
#include "vmctl-os.h"
#include "vmctl-spec-media.h"
#include "vmctl-test-domain.h"

/* ---- golden cases ---- */

typedef struct {
  const gchar *name;
  const gchar *scenario;
  DomainProfileFunc profile;
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
  vmctl_test_domain_set_string (&g_array_index (spec->gpus, VmctlSpecGpu, 0).rom_path,
                                "/var/lib/vmctl/roms/rtx3070.rom");
}

static void
adjust_volumes (VmctlSpec *spec, VmctlPlan *plan)
{
  g_ptr_array_set_size (spec->disks, 0);
  vmctl_test_domain_spec_add_disk (spec, NULL, G_GUINT64_CONSTANT (20) << 30, "default", "qcow2");
  vmctl_test_domain_spec_add_disk (spec, NULL, G_GUINT64_CONSTANT (100) << 30, "fast", "raw");
  vmctl_test_domain_set_string (&spec->cdrom, "/srv/iso/debian-12.5.0-amd64-netinst.iso");
}

static void
adjust_bridge (VmctlSpec *spec, VmctlPlan *plan)
{
  g_ptr_array_set_size (spec->disks, 0);
  vmctl_test_domain_spec_add_disk (spec, "/dev/vg0/work", 0, NULL, "raw");
  /* what finalize's stat() found: a block device (the type comes from
   * that, never from the name) */
  ((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->block = TRUE;
  vmctl_test_domain_set_string (&spec->cdrom, "/srv/iso/debian-12.5.0-amd64-netinst.iso");
  vmctl_test_domain_set_string (&spec->disk_bus, "sata");
  vmctl_test_domain_set_string (&spec->nic_model, "e1000e");
  spec->network = VMCTL_NETWORK_BRIDGE;
  vmctl_test_domain_set_string (&spec->bridge, "br0");
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

static void
adjust_pc (VmctlSpec *spec, VmctlPlan *plan)
{
  vmctl_test_domain_set_string (&spec->machine, "pc");
}

static void
adjust_host_model (VmctlSpec *spec, VmctlPlan *plan)
{
  vmctl_test_domain_set_string (&spec->cpu_mode, "host-model");
}

/* ---- issue 11: install media, buses, boot order, kernel ---- */

static void
add_cdrom (VmctlSpec *spec, const gchar *path, gboolean drivers)
{
  VmctlSpecCdrom *cdrom = g_new0 (VmctlSpecCdrom, 1);

  cdrom->path = g_strdup (path);
  cdrom->drivers = drivers;
  if (spec->cdroms == NULL)
    spec->cdroms = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_spec_cdrom_free);
  g_ptr_array_add (spec->cdroms, cdrom);
}

static void
set_boot (VmctlSpec *spec, const VmctlBootDevice *devices, guint count)
{
  spec->boot = g_array_new (FALSE, FALSE, sizeof (VmctlBootDevice));
  g_array_append_vals (spec->boot, devices, count);
}

/* A Windows install as --os win11 leaves it (the OS filled in by hand, so
 * the golden file does not follow osinfo-db's versions): the installer and
 * the virtio-win ISO, disks on their own buses, the NIC last in the boot
 * order. */
static void
adjust_install (VmctlSpec *spec, VmctlPlan *plan)
{
  static const VmctlBootDevice boot[] = { VMCTL_BOOT_CDROM, VMCTL_BOOT_DISK, VMCTL_BOOT_NETWORK };
  VmctlSpecDisk *scsi;

  vmctl_test_domain_spec_add_disk (spec, NULL, G_GUINT64_CONSTANT (64) << 30, "default", "qcow2");
  scsi = g_ptr_array_index (spec->disks, spec->disks->len - 1);
  vmctl_test_domain_set_string (&scsi->bus, "scsi");
  vmctl_test_domain_set_string (&scsi->cache, "writeback");
  vmctl_test_domain_set_string (&((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->bus,
                                "sata");
  add_cdrom (spec, "/srv/iso/Win11_23H2_English_x64.iso", FALSE);
  add_cdrom (spec, "/srv/iso/virtio-win-0.1.240.iso", TRUE);
  set_boot (spec, boot, G_N_ELEMENTS (boot));
  spec->os = g_new0 (VmctlOs, 1);
  spec->os->id = g_strdup ("win11");
  spec->os->aliases = g_new0 (gchar *, 1);
  spec->os->name = g_strdup ("Microsoft Windows 11");
}

/* Direct kernel boot on SeaBIOS, the disk the only boot device. */
static void
adjust_kernel (VmctlSpec *spec, VmctlPlan *plan)
{
  static const VmctlBootDevice boot[] = { VMCTL_BOOT_DISK };

  spec->firmware = VMCTL_FIRMWARE_KIND_BIOS;
  vmctl_test_domain_set_string (&spec->kernel, "/var/lib/vmctl/boot/vmlinuz");
  vmctl_test_domain_set_string (&spec->initrd, "/var/lib/vmctl/boot/initrd.gz");
  vmctl_test_domain_set_string (&spec->cmdline, "console=ttyS0 root=/dev/vda1 quiet");
  set_boot (spec, boot, G_N_ELEMENTS (boot));
}

/* i440fx has no SATA: its cdroms are on IDE */
static void
adjust_pc_cdroms (VmctlSpec *spec, VmctlPlan *plan)
{
  vmctl_test_domain_set_string (&spec->machine, "pc");
  spec->firmware = VMCTL_FIRMWARE_KIND_BIOS;
  add_cdrom (spec, "/srv/iso/debian-12.5.0-amd64-netinst.iso", FALSE);
  add_cdrom (spec, "/srv/iso/firmware.iso", FALSE);
}

static const GoldenCase golden_cases[] = {
  { "gaming-clean-gpu-audio", "clean-gpu-audio", vmctl_test_domain_profile_gaming, TRUE, NULL },
  { "workstation-clean-gpu-audio", "clean-gpu-audio", vmctl_test_domain_profile_workstation, TRUE, NULL },
  { "minimal-clean-gpu-audio", "clean-gpu-audio", vmctl_test_domain_profile_minimal, TRUE, NULL },
  { "gaming-turing-4fn", "turing-4fn", vmctl_test_domain_profile_gaming, TRUE, NULL },
  { "workstation-turing-4fn", "turing-4fn", vmctl_test_domain_profile_workstation, TRUE, NULL },
  { "minimal-turing-4fn", "turing-4fn", vmctl_test_domain_profile_minimal, TRUE, NULL },
  { "gaming-amd-host", "amd-host", vmctl_test_domain_profile_gaming, TRUE, NULL },
  { "workstation-amd-host", "amd-host", vmctl_test_domain_profile_workstation, TRUE, NULL },
  { "minimal-amd-host", "amd-host", vmctl_test_domain_profile_minimal, TRUE, NULL },
  { "gaming-pcie-switch", "pcie-switch", vmctl_test_domain_profile_gaming, TRUE, NULL },
  { "workstation-pcie-switch", "pcie-switch", vmctl_test_domain_profile_workstation, TRUE, NULL },
  { "minimal-pcie-switch", "pcie-switch", vmctl_test_domain_profile_minimal, TRUE, NULL },
  { "minimal-no-gpu", "clean-gpu-audio", vmctl_test_domain_profile_minimal, FALSE, NULL },
  { "bios-vnc", "clean-gpu-audio", vmctl_test_domain_profile_minimal, TRUE, adjust_bios },
  { "gaming-rom-file", "clean-gpu-audio", vmctl_test_domain_profile_gaming, TRUE, adjust_rom },
  { "volumes-cdrom", "clean-gpu-audio", vmctl_test_domain_profile_minimal, FALSE, adjust_volumes },
  { "bridge-block-sata", "clean-gpu-audio", vmctl_test_domain_profile_workstation, FALSE, adjust_bridge },
  { "gaming-cpu-pin-list", "clean-gpu-audio", vmctl_test_domain_profile_gaming, TRUE, adjust_cpu_list },
  { "gaming-tcg", "clean-gpu-audio", vmctl_test_domain_profile_gaming, TRUE, vmctl_test_domain_adjust_tcg },
  { "minimal-pc-machine", "clean-gpu-audio", vmctl_test_domain_profile_minimal, TRUE, adjust_pc },
  { "workstation-host-model-amd", "amd-host", vmctl_test_domain_profile_workstation, TRUE, adjust_host_model },
  /* issue 11 */
  { "install-media", "clean-gpu-audio", vmctl_test_domain_profile_gaming, TRUE, adjust_install },
  { "kernel-boot", "clean-gpu-audio", vmctl_test_domain_profile_minimal, FALSE, adjust_kernel },
  { "pc-machine-cdroms", "clean-gpu-audio", vmctl_test_domain_profile_minimal, FALSE, adjust_pc_cdroms },
};

/* the disks of each profile: fixed strings, never a path of the checkout */
static void
default_disks (VmctlSpec *spec)
{
  g_autofree gchar *image = NULL;

  if (g_strcmp0 (spec->profile, "minimal") == 0) {
    image = g_strdup_printf ("/var/lib/libvirt/images/%s.img", spec->name);
    vmctl_test_domain_spec_add_disk (spec, image, 0, NULL, "raw");
  } else {
    image = g_strdup_printf ("/var/lib/libvirt/images/%s.qcow2", spec->name);
    vmctl_test_domain_spec_add_disk (spec, image, 0, NULL, "qcow2");
  }
}

static void
setup_golden (DomainFixture *fixture, gconstpointer data)
{
  const GoldenCase *golden = data;

  vmctl_test_domain_setup_scenario (fixture, golden->scenario);
  golden->profile (fixture->spec, "vm1");
  default_disks (fixture->spec);
  if (golden->gpu)
    vmctl_test_domain_host_gpu (fixture->spec, fixture->plan, golden->scenario);
  if (golden->adjust != NULL)
    golden->adjust (fixture->spec, fixture->plan);
}

static void
test_golden (DomainFixture *fixture, gconstpointer data)
{
  const GoldenCase *golden = data;
  g_autoptr(xmlDoc) document = vmctl_test_domain_build_ok (fixture);
  g_autofree gchar *text = vmctl_domain_xml_to_string (document);
  g_autofree gchar *again = vmctl_test_domain_build_string (fixture);
  g_autofree gchar *returned = NULL;
  g_autoptr(xmlDoc) reparsed = NULL;
  g_autoptr(xmlDoc) theirs = NULL;

  /* deterministic: nothing random, nothing from the clock */
  g_assert_cmpstr (text, ==, again);
  /* nothing of this machine or checkout leaks in */
  g_assert_null (strstr (text, fixture->root));
  g_assert_null (strstr (text, g_getenv ("VMCTL_SOURCE_ROOT")));
  vmctl_test_domain_compare_golden (golden->name, text);

  reparsed = vmctl_test_domain_parse (text);
  vmctl_test_domain_assert_validates (reparsed);
  returned = vmctl_test_domain_define_on_test_driver (golden->scenario, text);
  theirs = vmctl_test_domain_parse (returned);
  vmctl_test_domain_assert_round_trip (reparsed, theirs);
}

/* ---- template primitives ---- */

/* A prototype inside another goes with the outer one: it must not be
 * freed a second time (glibc aborts on the double free, ASan and valgrind
 * name it), and nothing else may be touched. */
static void
test_nested_prototypes (void)
{
  static const gchar text[] =
    "<domain><list>"
    "<item prototype='yes'><item prototype='yes'/><x/></item>"
    "<keep/>"
    "<item prototype='yes'><y><item prototype='yes'/></y></item>"
    "</list><other prototype='yes'/></domain>";
  VmctlDomainBuilder builder = { 0 };
  xmlChar *result = NULL;
  int length = 0;

  builder.document = xmlReadMemory (text, (int) strlen (text), "nested.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (builder.document);
  vmctl_domain_builder_remove_prototypes (&builder, xmlDocGetRootElement (builder.document));
  xmlDocDumpMemory (builder.document, &result, &length);
  g_assert_nonnull (strstr ((const gchar *) result, "<domain><list><keep/></list></domain>"));
  xmlFree (result);
  g_clear_pointer (&builder.document, xmlFreeDoc);
}

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (golden_cases); i++) {
    g_autofree gchar *path = g_strconcat ("/vmctl/domain-xml/golden/", golden_cases[i].name, NULL);

    g_test_add (path, DomainFixture, &golden_cases[i], setup_golden, test_golden,
                vmctl_test_domain_teardown);
  }
  g_test_add_func ("/vmctl/domain-xml/builder/nested-prototypes", test_nested_prototypes);
  return vmctl_test_domain_run ();
}
