/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-spec.c: the create options into a VmctlSpec: bad input for every
 * option, duplicates, and the values each option accepts. The profiles and
 * vmctl_spec_finalize() are in test-spec-finalize.c. */
#include "vmctl-test-spec.h"

#include <glib/gstdio.h>
#include <string.h>

/* ---- bad input: every option --------------------------------------------- */

typedef struct {
  const gchar *option;    /* "--memory", or "name" for the VM name */
  const gchar *value;     /* "@" is the directory of the fixture's files */
  gint code;              /* VMCTL_SPEC_ERROR_* */
  const gchar *message;   /* a substring of the error message */
} BadInput;

#define INVALID VMCTL_SPEC_ERROR_INVALID
#define MISSING VMCTL_SPEC_ERROR_MISSING_FILE
#define NO_PROFILE VMCTL_SPEC_ERROR_NO_PROFILE

static const BadInput bad_inputs[] = {
  { "name", "", INVALID, "use 1 to 64 letters" },
  { "name", "-vm", INVALID, "starting with a letter or digit" },
  { "name", ".vm", INVALID, "safe for file names and shells" },
  { "name", "my vm", INVALID, "use 1 to 64 letters" },
  { "name", "a<b", INVALID, "VM name 'a<b'" },
  { "name", "a&b", INVALID, "VM name 'a&b'" },
  { "name", "a\"b", INVALID, "use 1 to 64" },
  { "name", "a'b", INVALID, "use 1 to 64" },
  { "name", "a\nb", INVALID, "VM name 'a\\nb'" },
  { "name", "a/b", INVALID, "use 1 to 64" },
  { "name", "a;reboot", INVALID, "use 1 to 64" },
  { "name", "$(id)", INVALID, "use 1 to 64" },
  { "name", "caf\xc3\xa9", INVALID, "use 1 to 64" },
  { "name", "a\xff", INVALID, "VM name 'a\\xff'" },
  { "name", "a12345678901234567890123456789012345678901234567890123456789012345", INVALID,
    "use 1 to 64" },

  { "--profile", "", NO_PROFILE, "available: gaming, minimal, workstation" },
  { "--profile", "gamer", NO_PROFILE, "unknown profile (available: gaming, minimal, workstation)" },
  { "--profile", "Gaming", NO_PROFILE, "unknown profile" },
  { "--profile", "../profiles/gaming", NO_PROFILE, "unknown profile" },
  { "--profile", "gaming.conf", NO_PROFILE, "unknown profile" },

  { "--gpu", "", INVALID, "missing the PCI address" },
  { "--gpu", ",rom=@/vbios.rom", INVALID, "missing the PCI address" },
  { "--gpu", "1:00.0", INVALID, "not a PCI address" },
  { "--gpu", "zz:00.0", INVALID, "not a PCI address" },
  { "--gpu", "01:00.8", INVALID, "function 0-7" },
  { "--gpu", "01:20.0", INVALID, "slot must be 00-1f" },
  { "--gpu", "01:00.0 ", INVALID, "not a PCI address" },
  { "--gpu", "01:00.0,", INVALID, "unknown option ''" },
  { "--gpu", "01:00.0,bar=1", INVALID, "unknown option 'bar'" },
  { "--gpu", "01:00.0,ROM=@/vbios.rom", INVALID, "unknown option 'ROM'" },
  { "--gpu", "01:00.0,rom=", INVALID, "rom: empty path" },
  { "--gpu", "01:00.0,rom=@/missing.rom", MISSING, "rom: no such file" },
  { "--gpu", "01:00.0,rom=@", INVALID, "rom: is a directory" },
  { "--gpu", "01:00.0,rom=@/a\nb.rom", INVALID, "control characters" },
  { "--gpu", "01:00.0,rom=/dev/null", INVALID, "not a regular file" },

  { "--hostdev", "", INVALID, "not a PCI address" },
  { "--hostdev", "00:14", INVALID, "not a PCI address" },
  { "--hostdev", "0000:00:14.0.1", INVALID, "not a PCI address" },
  { "--hostdev", "00:14.0,rom=x", INVALID, "not a PCI address" },
  { "--hostdev", "00:14.9", INVALID, "function 0-7" },

  { "--memory", "", INVALID, "empty size" },
  { "--memory", "16X", INVALID, "unknown suffix 'X'" },
  { "--memory", "16GB", INVALID, "write G or GiB" },
  { "--memory", "-1G", INVALID, "negative" },
  { "--memory", "1.5G", INVALID, "write 1536M" },
  { "--memory", "16 G", INVALID, "spaces" },
  { "--memory", "lots", INVALID, "not a number" },
  { "--memory", "0", INVALID, "at least 128 MiB" },
  { "--memory", "127", INVALID, "at least 128 MiB" },
  { "--memory", "131071K", INVALID, "at least 128 MiB" },
  { "--memory", "99999999999T", INVALID, "too large" },

  { "--vcpus", "", INVALID, "not a whole number" },
  { "--vcpus", "0", INVALID, "at least 1 virtual CPU" },
  { "--vcpus", "-1", INVALID, "not a whole number" },
  { "--vcpus", "+4", INVALID, "not a whole number" },
  { "--vcpus", "2.5", INVALID, "not a whole number" },
  { "--vcpus", "four", INVALID, "not a whole number" },
  { "--vcpus", " 4", INVALID, "not a whole number" },
  { "--vcpus", "4097", INVALID, "at most 4096" },
  { "--vcpus", "99999999999999999999999", INVALID, "at most 4096" },

  { "--disk", "", INVALID, "empty path" },
  { "--disk", "@/missing.qcow2", MISSING, "no such file" },
  { "--disk", "@", INVALID, "is a directory" },
  { "--disk", "@/a\nb.img", INVALID, "control characters" },
  { "--disk", "@/a\tb.img", INVALID, "control characters" },
  { "--disk", "@/\xff.img", INVALID, "not valid UTF-8" },
  { "--disk", "/dev/null", INVALID, "not a regular file or block device" },
  { "--disk", "size=", INVALID, "size: empty size" },
  { "--disk", "size=0", INVALID, "at least 1 MiB" },
  { "--disk", "size=40X", INVALID, "size: unknown suffix 'X'" },
  { "--disk", "size=1.5G", INVALID, "write 1536M" },
  { "--disk", "size=-4G", INVALID, "negative" },
  { "--disk", "size=40G,pool=", INVALID, "pool: use 1 to 64" },
  { "--disk", "size=40G,pool=a/b", INVALID, "pool: use 1 to 64" },
  { "--disk", "size=40G,pool=<x>", INVALID, "pool: use 1 to 64" },
  { "--disk", "size=40G,pool=a,pool=b", INVALID, "pool= is given twice" },
  { "--disk", "size=40G,format=raw", INVALID, "unknown option 'format'" },
  { "--disk", "size=40G,", INVALID, "unknown option ''" },
  { "--disk", "size=40G,size=2G", INVALID, "size= is given twice" },
  { "--disk", "pool=fast", INVALID, "needs size=SIZE" },

  { "--cdrom", "", INVALID, "empty path" },
  { "--cdrom", "@/missing.iso", MISSING, "no such file" },
  { "--cdrom", "missing-relative.iso", MISSING, "no such file (/" },
  { "--cdrom", "@", INVALID, "is a directory" },
  { "--cdrom", "@/x\r.iso", INVALID, "control characters" },
  { "--cdrom", "@/\xff.iso", INVALID, "not valid UTF-8" },

  { "--network", "", INVALID, "want default, bridge=BRIDGE or none" },
  { "--network", "nat", INVALID, "want default, bridge=BRIDGE or none" },
  { "--network", "Default", INVALID, "want default" },
  { "--network", "br0", INVALID, "want default" },
  { "--network", "bridge", INVALID, "want default" },
  { "--network", "bridge=", INVALID, "interface name" },
  { "--network", "bridge=br0 ", INVALID, "interface name" },
  { "--network", "bridge=br/0", INVALID, "interface name" },
  { "--network", "bridge=..", INVALID, "interface name" },
  { "--network", "bridge=br<0", INVALID, "interface name" },
  { "--network", "bridge=br0\n", INVALID, "interface name" },
  { "--network", "bridge=abcdefghijklmnop", INVALID, "1 to 15" },

  { "--firmware", "", INVALID, "want efi, efi-secure" },
  { "--firmware", "uefi", INVALID, "want efi, efi-secure" },
  { "--firmware", "EFI", INVALID, "want efi" },
  { "--firmware", "efi-secure ", INVALID, "want efi" },
  { "--firmware", "secure", INVALID, "or bios" },

  { "--cpu-pin", "", INVALID, "want auto, none or a list" },
  { "--cpu-pin", "Auto", INVALID, "want auto, none or a list" },
  { "--cpu-pin", "all", INVALID, "want auto, none or a list" },
  { "--cpu-pin", "2 3", INVALID, "want auto, none or a list" },
  { "--cpu-pin", "2-5,", INVALID, "empty item" },
  { "--cpu-pin", ",2", INVALID, "empty item" },
  { "--cpu-pin", "2,,3", INVALID, "empty item" },
  { "--cpu-pin", "5-2", INVALID, "runs backwards (write 2-5)" },
  { "--cpu-pin", "2,2", INVALID, "CPU 2 is listed twice" },
  { "--cpu-pin", "2-4,3", INVALID, "CPU 3 is listed twice" },
  { "--cpu-pin", "1-2-3", INVALID, "'1-2-3' is not a CPU number or range" },
  { "--cpu-pin", "-1", INVALID, "'-1' is not a CPU number or range" },
  { "--cpu-pin", "2-", INVALID, "'2-' is not a CPU number or range" },
  { "--cpu-pin", "99999", INVALID, "above 65535" },

  { "--virt-type", "", INVALID, "want kvm or qemu" },
  { "--virt-type", "tcg", INVALID, "want kvm or qemu" },
  { "--virt-type", "KVM", INVALID, "want kvm or qemu" },
  { "--virt-type", "xen", INVALID, "want kvm or qemu" },
};

static void
test_bad_inputs (SpecFixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_inputs); i++) {
    const BadInput *bad = &bad_inputs[i];
    g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (NULL, "workstation", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree gchar *value = vmctl_test_spec_expand (fixture, bad->value);
    g_autofree gchar *prefix = NULL;
    g_autofree gchar *shown = g_strescape (bad->value, NULL);

    g_test_message ("%s '%s'", bad->option, shown);
    if (strcmp (bad->option, "name") == 0)
      prefix = g_strdup ("VM name '");
    else
      prefix = g_strdup_printf ("%s '", bad->option);
    g_assert_false (vmctl_test_spec_apply (spec, bad->option, value, &error));
    g_assert_error (error, VMCTL_SPEC_ERROR, bad->code);
    vmctl_test_spec_assert_message (error, prefix, bad->message);
  }
}

/* A refused value leaves the spec as it was. */
static void
test_bad_input_changes_nothing (void)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (NULL, "gaming", NULL);

  g_assert_false (vmctl_spec_set_memory (spec, "16X", NULL));
  g_assert_cmpuint (spec->memory_kib, ==, 16 * GIB_KIB);
  g_assert_false (spec->memory_given);
  g_assert_false (vmctl_spec_set_vcpus (spec, "0", NULL));
  g_assert_cmpuint (spec->vcpus, ==, 8);
  g_assert_false (vmctl_spec_set_network (spec, "bridge=", NULL));
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_DEFAULT);
  g_assert_null (spec->bridge);
  g_assert_false (vmctl_spec_set_cpu_pin (spec, "5-2", NULL));
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_AUTO);
  g_assert_false (vmctl_spec_add_gpu (spec, "01:00.0,rom=/nonexistent/vbios.rom", NULL));
  g_assert_cmpuint (spec->gpus->len, ==, 0);
  g_assert_false (vmctl_spec_add_disk (spec, "size=0", NULL));
  g_assert_cmpuint (spec->disks->len, ==, 0);
}

/* ---- duplicates ------------------------------------------------------------ */

static void
test_duplicates (SpecFixture *fixture, gconstpointer data)
{
  const gchar *cases[][4] = {
    /* first option, value, second option, value */
    { "--gpu", "01:00.0", "--gpu", "0000:01:00.0" },
    { "--gpu", "01:00.0", "--gpu", "pci_0000_01_00_0,rom=@/vbios.rom" },
    { "--gpu", "01:00.0", "--hostdev", "01:00.0" },
    { "--hostdev", "00:14.0", "--gpu", "00:14.0" },
    { "--hostdev", "00:14.0", "--hostdev", "0000:00:14.0" },
    { "--disk", "@/disk.img", "--disk", "@/disk.img" },
    { "--disk", "@/disk.img", "--disk", "@/sub/.././disk.img" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "minimal",
                                                       cases[i][0], cases[i][1], NULL);
    g_autoptr(GError) error = NULL;
    g_autofree gchar *second = vmctl_test_spec_expand (fixture, cases[i][3]);
    g_autofree gchar *prefix = g_strdup_printf ("%s '", cases[i][2]);

    g_test_message ("%s %s %s %s", cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
    g_assert_false (vmctl_test_spec_apply (spec, cases[i][2], second, &error));
    g_assert_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT);
    vmctl_test_spec_assert_message (error, prefix, "already given with");
  }
}

/* ---- good values ------------------------------------------------------------- */

static void
test_good_names (void)
{
  const gchar *names[] = {
    "gamer", "a", "7", "win11.x86_64", "a+b-c_d", "Web-01",
    "a123456789012345678901234567890123456789012345678901234567890123",  /* 64 */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile (names[i], "minimal", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (spec->name, ==, names[i]);
  }
}

static void
test_good_devices (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *rom = g_build_filename (fixture->files, "vbios.rom", NULL);
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "minimal",
                                                     "--gpu", "01:00.0",
                                                     "--gpu", "0000:0c:00.0,rom=@/vbios.rom",
                                                     "--gpu", "PCI_0000_0D_00_0,rom=@/./sub/../vbios.rom",
                                                     "--hostdev", "00:14.0",
                                                     "--hostdev", "0000:03:00.0",
                                                     NULL);
  const VmctlSpecGpu *gpu;
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  g_assert_cmpuint (spec->gpus->len, ==, 3);
  gpu = &g_array_index (spec->gpus, VmctlSpecGpu, 0);
  vmctl_pci_address_format (&gpu->address, text);
  g_assert_cmpstr (text, ==, "0000:01:00.0");
  g_assert_null (gpu->rom_path);
  gpu = &g_array_index (spec->gpus, VmctlSpecGpu, 1);
  vmctl_pci_address_format (&gpu->address, text);
  g_assert_cmpstr (text, ==, "0000:0c:00.0");
  g_assert_cmpstr (gpu->rom_path, ==, rom);
  gpu = &g_array_index (spec->gpus, VmctlSpecGpu, 2);
  vmctl_pci_address_format (&gpu->address, text);
  g_assert_cmpstr (text, ==, "0000:0d:00.0");
  /* "." and ".." are resolved by name: "sub" need not exist */
  g_assert_cmpstr (gpu->rom_path, ==, rom);

  g_assert_cmpuint (spec->hostdevs->len, ==, 2);
  vmctl_pci_address_format (&g_array_index (spec->hostdevs, VmctlPciAddress, 1), text);
  g_assert_cmpstr (text, ==, "0000:03:00.0");
}

/* Relative paths are made absolute against the current directory: the
 * files are on the machine vmctl runs on, not under the host root. */
static void
test_relative_paths (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *previous = g_get_current_dir ();
  g_autofree gchar *iso = g_build_filename (fixture->files, "install.iso", NULL);
  g_autofree gchar *disk = g_build_filename (fixture->files, "disk.img", NULL);
  g_autofree gchar *rom = g_build_filename (fixture->files, "vbios.rom", NULL);
  g_autoptr(VmctlSpec) spec = NULL;

  g_assert_cmpint (g_chdir (fixture->files), ==, 0);
  spec = vmctl_test_spec_build (NULL, "minimal", "--cdrom", "install.iso", "--disk", "./disk.img",
                                "--gpu", "01:00.0,rom=vbios.rom", NULL);
  g_assert_cmpint (g_chdir (previous), ==, 0);

  g_assert_cmpstr (spec->cdrom, ==, iso);
  g_assert_cmpstr (((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->path, ==, disk);
  g_assert_cmpstr (g_array_index (spec->gpus, VmctlSpecGpu, 0).rom_path, ==, rom);
}

/* Markup characters are fine in paths: the XML builder escapes them. */
static void
test_markup_in_paths (SpecFixture *fixture, gconstpointer data)
{
  const gchar *name = "a<b>&c\"d'e.img";
  g_autofree gchar *path = g_build_filename (fixture->files, name, NULL);
  g_autoptr(VmctlSpec) spec = NULL;

  vmctl_test_write (fixture->files, name, "");
  spec = vmctl_test_spec_build (NULL, "minimal", "--disk", path, "--cdrom", path, NULL);
  g_assert_cmpstr (((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->path, ==, path);
  g_assert_cmpstr (spec->cdrom, ==, path);
}

static void
test_good_disks (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "minimal",
                                                     "--disk", "@/disk.img",
                                                     "--disk", "@/disk.qcow2",
                                                     "--disk", "@/named.qcow2",
                                                     "--disk", "size=40G",
                                                     "--disk", "size=512,pool=fast-ssd",
                                                     "--disk", "pool=big.pool,size=2T",
                                                     NULL);
  const VmctlSpecDisk *disk;

  g_assert_cmpuint (spec->disks->len, ==, 6);
  disk = g_ptr_array_index (spec->disks, 0);
  g_assert_true (g_str_has_suffix (disk->path, "/disk.img"));
  g_assert_cmpstr (disk->format, ==, "raw");
  g_assert_null (disk->pool);
  disk = g_ptr_array_index (spec->disks, 1);
  g_assert_cmpstr (disk->format, ==, "qcow2");   /* from the magic */
  disk = g_ptr_array_index (spec->disks, 2);
  g_assert_cmpstr (disk->format, ==, "qcow2");   /* empty file: from the name */
  disk = g_ptr_array_index (spec->disks, 3);
  g_assert_null (disk->path);
  g_assert_cmpuint (disk->size_bytes, ==, G_GUINT64_CONSTANT (40) << 30);
  g_assert_cmpstr (disk->pool, ==, "default");
  g_assert_cmpstr (disk->format, ==, "qcow2");
  disk = g_ptr_array_index (spec->disks, 4);
  g_assert_cmpuint (disk->size_bytes, ==, G_GUINT64_CONSTANT (512) << 20);
  g_assert_cmpstr (disk->pool, ==, "fast-ssd");
  disk = g_ptr_array_index (spec->disks, 5);
  g_assert_cmpuint (disk->size_bytes, ==, G_GUINT64_CONSTANT (2) << 40);
  g_assert_cmpstr (disk->pool, ==, "big.pool");
}

static void
test_good_values (void)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (NULL, "minimal",
                                                     "--memory", "16GiB",
                                                     "--vcpus", "4",
                                                     "--network", "bridge=br0",
                                                     "--firmware", "bios",
                                                     "--cpu-pin", "2-5,8,9",
                                                     "--virt-type", "qemu",
                                                     "--hugepages", "",
                                                     NULL);
  const guint expected_cpus[] = { 2, 3, 4, 5, 8, 9 };
  g_autofree gchar *list = NULL;

  g_assert_cmpuint (spec->memory_kib, ==, 16 * GIB_KIB);
  g_assert_true (spec->memory_given);
  g_assert_cmpuint (spec->vcpus, ==, 4);
  g_assert_true (spec->vcpus_given);
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_BRIDGE);
  g_assert_cmpstr (spec->bridge, ==, "br0");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_BIOS);
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_LIST);
  g_assert_cmpuint (spec->cpu_pin_list->len, ==, G_N_ELEMENTS (expected_cpus));
  for (guint i = 0; i < G_N_ELEMENTS (expected_cpus); i++)
    g_assert_cmpuint (g_array_index (spec->cpu_pin_list, guint, i), ==, expected_cpus[i]);
  list = vmctl_spec_format_cpu_list (spec->cpu_pin_list);
  g_assert_cmpstr (list, ==, "2-5,8-9");
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_true (spec->virt_type_given);
  g_assert_true (spec->hugepages);

  /* later options win, and switch back */
  g_assert_true (vmctl_spec_set_network (spec, "none", NULL));
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_NONE);
  g_assert_null (spec->bridge);
  g_assert_true (vmctl_spec_set_network (spec, "bridge=vmbr0.10", NULL));
  g_assert_cmpstr (spec->bridge, ==, "vmbr0.10");
  g_assert_true (vmctl_spec_set_network (spec, "default", NULL));
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_DEFAULT);
  g_assert_true (vmctl_spec_set_cpu_pin (spec, "none", NULL));
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_NONE);
  g_assert_null (spec->cpu_pin_list);
  g_assert_true (vmctl_spec_set_cpu_pin (spec, "7,3,5", NULL));
  g_free (list);
  list = vmctl_spec_format_cpu_list (spec->cpu_pin_list);
  g_assert_cmpstr (list, ==, "7,3,5");
  g_assert_true (vmctl_spec_set_firmware (spec, "efi-secure", NULL));
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI_SECURE);
  g_assert_true (vmctl_spec_set_memory (spec, "2048", NULL));
  g_assert_cmpuint (spec->memory_kib, ==, 2 * GIB_KIB);
  g_assert_true (vmctl_spec_set_memory (spec, "128M", NULL));
  g_assert_cmpuint (spec->memory_kib, ==, 128 * MIB_KIB);
  g_assert_true (vmctl_spec_set_vcpus (spec, "4096", NULL));
  vmctl_spec_set_hugepages (spec, FALSE);
  g_assert_false (spec->hugepages);
}

static void
test_to_string (void)
{
  g_assert_cmpstr (vmctl_firmware_kind_to_string (VMCTL_FIRMWARE_KIND_EFI_SECURE), ==,
                   "efi-secure");
  g_assert_cmpstr (vmctl_network_kind_to_string (VMCTL_NETWORK_BRIDGE), ==, "bridge");
  g_assert_cmpstr (vmctl_cpu_pin_mode_to_string (VMCTL_CPU_PIN_AUTO), ==, "auto");
  g_assert_cmpstr (vmctl_virt_type_to_string (VMCTL_VIRT_TYPE_QEMU), ==, "qemu");
  g_assert_cmpstr (vmctl_graphics_kind_to_string (VMCTL_GRAPHICS_SPICE), ==, "spice");
  g_assert_cmpstr (vmctl_clock_kind_to_string (VMCTL_CLOCK_WINDOWS), ==, "windows");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_spec_test ("/vmctl/spec/bad-input", "clean-gpu-audio", test_bad_inputs);
  g_test_add_func ("/vmctl/spec/bad-input-changes-nothing", test_bad_input_changes_nothing);
  add_spec_test ("/vmctl/spec/duplicates", "clean-gpu-audio", test_duplicates);
  g_test_add_func ("/vmctl/spec/good/names", test_good_names);
  add_spec_test ("/vmctl/spec/good/devices", "clean-gpu-audio", test_good_devices);
  add_spec_test ("/vmctl/spec/good/relative-paths", "clean-gpu-audio", test_relative_paths);
  add_spec_test ("/vmctl/spec/good/markup-in-paths", "clean-gpu-audio", test_markup_in_paths);
  add_spec_test ("/vmctl/spec/good/disks", "clean-gpu-audio", test_good_disks);
  g_test_add_func ("/vmctl/spec/good/values", test_good_values);
  g_test_add_func ("/vmctl/spec/to-string", test_to_string);
  return g_test_run ();
}
