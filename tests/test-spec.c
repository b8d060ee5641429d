/* test-spec.c: the create options into a VmctlSpec, the profiles'
 * defaults, and vmctl_spec_finalize()'s rules against fixture hosts. */
#include "vmctl-profile.h"
#include "vmctl-size.h"
#include "vmctl-spec.h"
#include "vmctl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define GIB_KIB (G_GUINT64_CONSTANT (1) << 20)
#define MIB_KIB (G_GUINT64_CONSTANT (1) << 10)

typedef struct {
  gchar *root;       /* a private copy of tests/data/sysfs/<scenario> */
  VmctlHost *host;
  gchar *files;      /* the user's files: ROMs, ISOs, disk images */
} Fixture;

static void
setup (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->files = g_dir_make_tmp ("vmctl-spec-files-XXXXXX", &error);
  g_assert_no_error (error);
  vmctl_test_write (fixture->files, "vbios.rom", "\x55\xaa rom");
  vmctl_test_write (fixture->files, "install.iso", "CD001");
  vmctl_test_write (fixture->files, "disk.img", "raw bytes");
  vmctl_test_write (fixture->files, "disk.qcow2", "QFI\xfb qcow2 header");
  vmctl_test_write (fixture->files, "named.qcow2", "");
}

static void
teardown (Fixture *fixture, gconstpointer scenario)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->files);
  g_free (fixture->root);
  g_free (fixture->files);
}

#define add_test(path, scenario, function) \
  g_test_add (path, Fixture, scenario, setup, function, teardown)

/* "@" in a table value stands for the fixture's directory of user files. */
static gchar *
expand (const Fixture *fixture, const gchar *value)
{
  g_auto(GStrv) parts = g_strsplit (value, "@", -1);

  return g_strjoinv (fixture->files, parts);
}

static gboolean
apply (VmctlSpec *spec, const gchar *option, const gchar *value, GError **error)
{
  if (strcmp (option, "--gpu") == 0)
    return vmctl_spec_add_gpu (spec, value, error);
  if (strcmp (option, "--hostdev") == 0)
    return vmctl_spec_add_hostdev (spec, value, error);
  if (strcmp (option, "--memory") == 0)
    return vmctl_spec_set_memory (spec, value, error);
  if (strcmp (option, "--vcpus") == 0)
    return vmctl_spec_set_vcpus (spec, value, error);
  if (strcmp (option, "--disk") == 0)
    return vmctl_spec_add_disk (spec, value, error);
  if (strcmp (option, "--cdrom") == 0)
    return vmctl_spec_set_cdrom (spec, value, error);
  if (strcmp (option, "--network") == 0)
    return vmctl_spec_set_network (spec, value, error);
  if (strcmp (option, "--firmware") == 0)
    return vmctl_spec_set_firmware (spec, value, error);
  if (strcmp (option, "--cpu-pin") == 0)
    return vmctl_spec_set_cpu_pin (spec, value, error);
  if (strcmp (option, "--virt-type") == 0)
    return vmctl_spec_set_virt_type (spec, value, error);
  if (strcmp (option, "--hugepages") == 0) {
    vmctl_spec_set_hugepages (spec, TRUE);
    return TRUE;
  }
  if (strcmp (option, "--no-hugepages") == 0) {
    vmctl_spec_set_hugepages (spec, FALSE);
    return TRUE;
  }
  if (strcmp (option, "name") == 0)
    return vmctl_spec_set_name (spec, value, error);
  if (strcmp (option, "--profile") == 0) {
    g_autoptr(VmctlSpec) other = vmctl_spec_new_from_profile ("vm", value, error);

    return other != NULL;
  }
  g_assert_not_reached ();
}

/* A spec from @profile with option/value pairs applied, each of which must
 * be accepted ("@" expanded). Flags take a NULL-less dummy value. */
static VmctlSpec *
build (const Fixture *fixture, const gchar *profile, ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("vm", profile, &error);
  va_list args;
  const gchar *option;

  g_assert_no_error (error);
  g_assert_nonnull (spec);
  va_start (args, profile);
  while ((option = va_arg (args, const gchar *)) != NULL) {
    const gchar *raw = va_arg (args, const gchar *);
    g_autofree gchar *value = fixture != NULL ? expand (fixture, raw) : g_strdup (raw);

    if (!apply (spec, option, value, &error))
      g_error ("%s '%s' refused: %s", option, value, error->message);
  }
  va_end (args);
  return g_steal_pointer (&spec);
}

static gboolean
has_note (const VmctlSpec *spec, const gchar *needle)
{
  for (guint i = 0; i < spec->notes->len; i++)
    if (strstr (g_ptr_array_index (spec->notes, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_message (const GError *error, const gchar *prefix, const gchar *needle)
{
  g_assert_nonnull (error);
  if (prefix != NULL && !g_str_has_prefix (error->message, prefix))
    g_error ("message '%s' does not start with '%s'", error->message, prefix);
  if (strstr (error->message, needle) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, needle);
  g_assert_null (strchr (error->message, '\n'));
}

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
test_bad_inputs (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_inputs); i++) {
    const BadInput *bad = &bad_inputs[i];
    g_autoptr(VmctlSpec) spec = build (NULL, "workstation", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree gchar *value = expand (fixture, bad->value);
    g_autofree gchar *prefix = NULL;
    g_autofree gchar *shown = g_strescape (bad->value, NULL);

    g_test_message ("%s '%s'", bad->option, shown);
    if (strcmp (bad->option, "name") == 0)
      prefix = g_strdup ("VM name '");
    else
      prefix = g_strdup_printf ("%s '", bad->option);
    g_assert_false (apply (spec, bad->option, value, &error));
    g_assert_error (error, VMCTL_SPEC_ERROR, bad->code);
    assert_message (error, prefix, bad->message);
  }
}

/* A refused value leaves the spec as it was. */
static void
test_bad_input_changes_nothing (void)
{
  g_autoptr(VmctlSpec) spec = build (NULL, "gaming", NULL);

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
test_duplicates (Fixture *fixture, gconstpointer data)
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
    g_autoptr(VmctlSpec) spec = build (fixture, "minimal", cases[i][0], cases[i][1], NULL);
    g_autoptr(GError) error = NULL;
    g_autofree gchar *second = expand (fixture, cases[i][3]);
    g_autofree gchar *prefix = g_strdup_printf ("%s '", cases[i][2]);

    g_test_message ("%s %s %s %s", cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
    g_assert_false (apply (spec, cases[i][2], second, &error));
    g_assert_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT);
    assert_message (error, prefix, "already given with");
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
test_good_devices (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *rom = g_build_filename (fixture->files, "vbios.rom", NULL);
  g_autoptr(VmctlSpec) spec = build (fixture, "minimal",
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
test_relative_paths (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *previous = g_get_current_dir ();
  g_autofree gchar *iso = g_build_filename (fixture->files, "install.iso", NULL);
  g_autofree gchar *disk = g_build_filename (fixture->files, "disk.img", NULL);
  g_autofree gchar *rom = g_build_filename (fixture->files, "vbios.rom", NULL);
  g_autoptr(VmctlSpec) spec = NULL;

  g_assert_cmpint (g_chdir (fixture->files), ==, 0);
  spec = build (NULL, "minimal", "--cdrom", "install.iso", "--disk", "./disk.img",
                "--gpu", "01:00.0,rom=vbios.rom", NULL);
  g_assert_cmpint (g_chdir (previous), ==, 0);

  g_assert_cmpstr (spec->cdrom, ==, iso);
  g_assert_cmpstr (((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->path, ==, disk);
  g_assert_cmpstr (g_array_index (spec->gpus, VmctlSpecGpu, 0).rom_path, ==, rom);
}

/* Markup characters are fine in paths: the XML builder escapes them. */
static void
test_markup_in_paths (Fixture *fixture, gconstpointer data)
{
  const gchar *name = "a<b>&c\"d'e.img";
  g_autofree gchar *path = g_build_filename (fixture->files, name, NULL);
  g_autoptr(VmctlSpec) spec = NULL;

  vmctl_test_write (fixture->files, name, "");
  spec = build (NULL, "minimal", "--disk", path, "--cdrom", path, NULL);
  g_assert_cmpstr (((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->path, ==, path);
  g_assert_cmpstr (spec->cdrom, ==, path);
}

static void
test_good_disks (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "minimal",
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
  g_autoptr(VmctlSpec) spec = build (NULL, "minimal",
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

/* ---- profiles ----------------------------------------------------------------- */

static void
test_profile_list (void)
{
  g_auto(GStrv) names = vmctl_profile_list ();
  g_autofree gchar *joined = g_strjoinv (" ", names);

  g_assert_cmpstr (joined, ==, "gaming minimal workstation");
}

static void
test_profile_gaming (void)
{
  g_autoptr(VmctlSpec) spec = build (NULL, "gaming", NULL);

  g_assert_cmpstr (spec->name, ==, "vm");
  g_assert_cmpstr (spec->profile, ==, "gaming");
  g_assert_cmpstr (spec->machine, ==, "q35");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI_SECURE);
  g_assert_true (spec->tpm);
  g_assert_cmpuint (spec->memory_kib, ==, 16 * GIB_KIB);
  g_assert_false (spec->memory_given);
  g_assert_true (spec->hugepages);
  g_assert_cmpuint (spec->vcpus, ==, 8);
  g_assert_false (spec->vcpus_given);
  g_assert_cmpstr (spec->cpu_mode, ==, "host-passthrough");
  g_assert_true (spec->cpu_cache_passthrough);
  g_assert_true (spec->cpu_smt_topology);
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_AUTO);
  g_assert_true (spec->hyperv);
  g_assert_nonnull (spec->hyperv_vendor_id);
  g_assert_cmpuint (strlen (spec->hyperv_vendor_id), <=, 12);
  g_assert_true (spec->kvm_hidden);
  g_assert_true (spec->vmport_off);
  g_assert_cmpint (spec->clock, ==, VMCTL_CLOCK_WINDOWS);
  g_assert_cmpstr (spec->disk_bus, ==, "virtio");
  g_assert_cmpstr (spec->nic_model, ==, "virtio");
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_DEFAULT);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
  g_assert_true (spec->emulated_video);
  g_assert_false (spec->emulated_video_with_gpu);
  g_assert_false (spec->virt_type_given);
  g_assert_cmpuint (spec->notes->len, ==, 0);
}

static void
test_profile_workstation (void)
{
  g_autoptr(VmctlSpec) spec = build (NULL, "workstation", NULL);

  g_assert_cmpstr (spec->profile, ==, "workstation");
  g_assert_cmpstr (spec->machine, ==, "q35");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI);
  g_assert_false (spec->tpm);
  g_assert_cmpuint (spec->memory_kib, ==, 8 * GIB_KIB);
  g_assert_false (spec->hugepages);
  g_assert_cmpuint (spec->vcpus, ==, 4);
  g_assert_cmpstr (spec->cpu_mode, ==, "host-passthrough");
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_NONE);
  g_assert_false (spec->hyperv);
  g_assert_null (spec->hyperv_vendor_id);
  g_assert_false (spec->kvm_hidden);
  g_assert_cmpint (spec->clock, ==, VMCTL_CLOCK_UTC);
  g_assert_cmpstr (spec->disk_bus, ==, "virtio");
  g_assert_cmpstr (spec->nic_model, ==, "virtio");
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
  g_assert_true (spec->emulated_video);
  g_assert_true (spec->emulated_video_with_gpu);
}

static void
test_profile_minimal (void)
{
  g_autoptr(VmctlSpec) spec = build (NULL, "minimal", NULL);

  g_assert_cmpstr (spec->machine, ==, "q35");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI);
  g_assert_false (spec->tpm);
  g_assert_cmpuint (spec->memory_kib, ==, 512 * MIB_KIB);
  g_assert_cmpuint (spec->vcpus, ==, 1);
  g_assert_false (spec->hugepages);
  g_assert_false (spec->hyperv);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_NONE);
  g_assert_false (spec->emulated_video);
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_DEFAULT);
  g_assert_cmpstr (spec->disk_bus, ==, "virtio");
}

/* vmctl_spec_new()'s defaults are the minimal profile's, so a spec built
 * by hand and `--profile minimal` agree. */
static void
test_defaults_are_minimal (void)
{
  g_autoptr(VmctlSpec) bare = vmctl_spec_new ();
  g_autoptr(VmctlSpec) minimal = build (NULL, "minimal", NULL);

  g_assert_cmpuint (bare->memory_kib, ==, minimal->memory_kib);
  g_assert_cmpuint (bare->vcpus, ==, minimal->vcpus);
  g_assert_cmpint (bare->hugepages, ==, minimal->hugepages);
  g_assert_cmpint (bare->network, ==, minimal->network);
  g_assert_cmpint (bare->firmware, ==, minimal->firmware);
  g_assert_cmpint (bare->cpu_pin, ==, minimal->cpu_pin);
  g_assert_cmpstr (bare->machine, ==, minimal->machine);
  g_assert_cmpint (bare->tpm, ==, minimal->tpm);
  g_assert_cmpint (bare->hyperv, ==, minimal->hyperv);
  g_assert_cmpint (bare->kvm_hidden, ==, minimal->kvm_hidden);
  g_assert_cmpint (bare->vmport_off, ==, minimal->vmport_off);
  g_assert_cmpint (bare->clock, ==, minimal->clock);
  g_assert_cmpint (bare->graphics, ==, minimal->graphics);
  g_assert_cmpint (bare->emulated_video, ==, minimal->emulated_video);
  g_assert_cmpint (bare->emulated_video_with_gpu, ==, minimal->emulated_video_with_gpu);
  g_assert_cmpstr (bare->disk_bus, ==, minimal->disk_bus);
  g_assert_cmpstr (bare->nic_model, ==, minimal->nic_model);
  g_assert_cmpstr (bare->cpu_mode, ==, minimal->cpu_mode);
  g_assert_cmpint (bare->cpu_smt_topology, ==, minimal->cpu_smt_topology);
  g_assert_cmpint (bare->cpu_cache_passthrough, ==, minimal->cpu_cache_passthrough);
}

static void
test_profile_default_is_workstation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("vm", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spec->profile, ==, VMCTL_PROFILE_DEFAULT);
  g_assert_cmpstr (spec->profile, ==, "workstation");
}

/* Whether the block of comments right above line @index holds "# KEY: ". */
static gboolean
documented_above (gchar **lines, guint index, const gchar *key)
{
  g_autofree gchar *comment = g_strdup_printf ("# %s: ", key);

  for (guint k = index; k > 0 && lines[k - 1][0] == '#'; k--)
    if (g_str_has_prefix (lines[k - 1], comment))
      return TRUE;
  return FALSE;
}

/* Every key in every profile has its comment. */
static void
test_profiles_documented (void)
{
  g_auto(GStrv) names = vmctl_profile_list ();

  g_assert_cmpuint (g_strv_length (names), ==, 3);
  for (guint i = 0; names[i] != NULL; i++) {
    g_autofree gchar *file = g_strconcat ("data/profiles/", names[i], ".conf", NULL);
    g_autofree gchar *path = vmctl_test_source_path (file);
    g_autofree gchar *contents = NULL;
    g_auto(GStrv) lines = NULL;
    guint keys = 0;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    for (guint j = 0; lines[j] != NULL; j++) {
      g_autofree gchar *key = NULL;

      if (lines[j][0] == '#' || lines[j][0] == '[' || lines[j][0] == '\0')
        continue;
      key = g_strndup (lines[j], strcspn (lines[j], "="));
      if (!documented_above (lines, j, key))
        g_error ("%s: key '%s' has no '# %s:' comment above it", file, key, key);
      keys++;
    }
    /* each profile spells out every key vmctl knows */
    g_assert_cmpuint (keys, ==, 22);
  }
}

typedef struct {
  const gchar *contents;
  const gchar *message;
} BrokenProfile;

static const BrokenProfile broken_profiles[] = {
  { "[memory]\nsize=16X\n", "[memory] size=16X: unknown suffix 'X'" },
  { "[memory]\nsize=64M\n", "at least 128 MiB" },
  { "[memory]\nhugepages=yes\n", "[memory] hugepages=yes: want true or false" },
  { "[memory]\nhugepages=1\n", "want true or false" },
  { "[memory]\nhugepage=true\n", "[memory] hugepage: unknown key" },
  { "[memroy]\nsize=1G\n", "[memroy]: unknown group" },
  { "[cpu]\nvcpus=0\n", "at least 1 virtual CPU" },
  { "[cpu]\npin=2-5\n", "want auto or none" },
  { "[cpu]\nmode=max\n", "want host-passthrough or host-model" },
  { "[machine]\ntype=i440fx\n", "want q35 or pc" },
  { "[machine]\nfirmware=uefi\n", "want efi, efi-secure" },
  { "[features]\nhyperv-vendor-id=1234567890abc\n", "at most 12 characters" },
  { "[features]\nhyperv-vendor-id=a,b\n", "letters and digits only" },
  { "[features]\nclock=local\n", "want utc or windows" },
  { "[devices]\nnetwork=bridge=\n", "interface name" },
  { "[devices]\ngraphics=sdl\n", "want spice, vnc or none" },
  { "[devices]\ndisk-bus=ide\n", "want virtio or sata" },
  { "[devices]\nnic-model=rtl8139\n", "want virtio or e1000e" },
  { "[profile]\ndescription=\n", "empty description" },
  { "not a key file\n", "profile " },
};

static void
test_profile_broken (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->files, "broken.conf", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (broken_profiles); i++) {
    g_autoptr(VmctlSpec) spec = vmctl_spec_new ();
    g_autoptr(GError) error = NULL;

    g_test_message ("%s", broken_profiles[i].contents);
    g_assert_true (g_file_set_contents (path, broken_profiles[i].contents, -1, NULL));
    g_assert_false (vmctl_profile_apply_file (spec, path, &error));
    g_assert_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID);
    assert_message (error, "profile ", broken_profiles[i].message);
    g_assert_nonnull (strstr (error->message, path));
  }
}

/* Keys a profile leaves out keep the defaults; a bridge is allowed. */
static void
test_profile_partial (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->files, "small.conf", NULL);
  g_autoptr(VmctlSpec) spec = vmctl_spec_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "# comment\n[memory]\nsize=2G\n"
                                      "[devices]\nnetwork=bridge=br0\n", -1, NULL));
  g_assert_true (vmctl_profile_apply_file (spec, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (spec->profile, ==, "small");
  g_assert_cmpuint (spec->memory_kib, ==, 2 * GIB_KIB);
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_BRIDGE);
  g_assert_cmpstr (spec->bridge, ==, "br0");
  g_assert_cmpuint (spec->vcpus, ==, 1);
}

/* ---- finalize ----------------------------------------------------------------- */

static void
finalize_ok (const Fixture *fixture, VmctlSpec *spec)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_spec_finalize (spec, fixture->host, &error));
  g_assert_no_error (error);
  g_assert_true (spec->finalized);
}

static void
finalize_fails (const Fixture *fixture, VmctlSpec *spec, gint code, const gchar *prefix,
                const gchar *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vmctl_spec_finalize (spec, fixture->host, &error));
  g_assert_error (error, VMCTL_SPEC_ERROR, code);
  assert_message (error, prefix, message);
  g_assert_false (spec->finalized);
}

static void
test_finalize_gaming (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "gaming", "--gpu", "01:00.0", NULL);

  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_KVM);
  g_assert_cmpstr (spec->cpu_mode, ==, "host-passthrough");
  g_assert_true (spec->hyperv);
  g_assert_true (spec->kvm_hidden);
  g_assert_true (spec->cpu_cache_passthrough);
  /* the fixtures have no swtpm */
  g_assert_false (spec->tpm);
  g_assert_true (has_note (spec, "no swtpm: install swtpm swtpm-tools for the TPM Windows 11 "
                                 "requires"));
  /* a GPU is given and the profile wants no emulated video then */
  g_assert_false (spec->emulated_video);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_NONE);
  /* 8 CPUs, the first core (0,4) stays with the host: 6 left for 8 vCPUs */
  g_assert_cmpuint (spec->vcpus, ==, 6);
  g_assert_true (has_note (spec, "vcpus lowered from 8 (the gaming profile's default) to 6"));
  g_assert_true (has_note (spec, "CPU 0,4"));
  g_assert_cmpuint (spec->memory_kib, ==, 16 * GIB_KIB);
  g_assert_cmpuint (spec->notes->len, ==, 2);
  for (guint i = 0; i < spec->notes->len; i++)
    g_assert_null (strchr (g_ptr_array_index (spec->notes, i), '\n'));

  /* once only */
  finalize_ok (fixture, spec);
  g_assert_cmpuint (spec->notes->len, ==, 2);
}

static void
test_finalize_swtpm (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "gaming", "--vcpus", "6", NULL);

  vmctl_test_write (fixture->root, "usr/bin/swtpm", "#!/bin/sh\n");
  finalize_ok (fixture, spec);
  g_assert_true (spec->tpm);
  g_assert_cmpuint (spec->notes->len, ==, 0);
  /* no GPU: the emulated video and SPICE stay */
  g_assert_true (spec->emulated_video);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
}

static void
test_finalize_workstation_gpu (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "workstation", "--gpu", "01:00.0", NULL);

  finalize_ok (fixture, spec);
  g_assert_true (spec->emulated_video);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
  g_assert_false (spec->tpm);
  g_assert_cmpuint (spec->vcpus, ==, 4);
  g_assert_cmpuint (spec->notes->len, ==, 0);
}

/* no /dev/kvm: emulation, without what only KVM has */
static void
test_finalize_no_kvm (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "gaming", "--vcpus", "4", NULL);

  if (vmctl_host_exists (fixture->host, "/dev/kvm"))
    vmctl_test_unlink (fixture->root, "dev/kvm");
  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_true (has_note (spec, "no /dev/kvm under host root"));
  g_assert_true (has_note (spec, "using --virt-type qemu"));
  g_assert_cmpstr (spec->cpu_mode, ==, "maximum");
  g_assert_false (spec->hyperv);
  g_assert_false (spec->kvm_hidden);
  g_assert_false (spec->cpu_cache_passthrough);
  g_assert_true (has_note (spec, "without KVM these are left out"));
}

static void
test_finalize_virt_type_given (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) kvm = build (fixture, "minimal", "--virt-type", "kvm", NULL);
  g_autoptr(VmctlSpec) qemu = build (fixture, "minimal", "--virt-type", "qemu", NULL);

  vmctl_test_unlink (fixture->root, "dev/kvm");
  finalize_ok (fixture, kvm);
  g_assert_cmpint (kvm->virt_type, ==, VMCTL_VIRT_TYPE_KVM);
  g_assert_cmpstr (kvm->cpu_mode, ==, "host-passthrough");
  g_assert_true (has_note (kvm, "cannot start until KVM works"));

  vmctl_test_write (fixture->root, "dev/kvm", "");
  finalize_ok (fixture, qemu);
  g_assert_cmpint (qemu->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_false (has_note (qemu, "/dev/kvm"));
  g_assert_cmpstr (qemu->cpu_mode, ==, "maximum");
}

static void
test_finalize_secure_boot_needs_q35 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "gaming", "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) bios = build (fixture, "gaming", "--vcpus", "2", "--firmware", "bios",
                                     NULL);

  /* no option sets the machine: only a profile can */
  g_free (spec->machine);
  spec->machine = g_strdup ("pc");
  finalize_fails (fixture, spec, VMCTL_SPEC_ERROR_CONFLICT, "--firmware efi-secure",
                  "needs the q35 machine, and the gaming profile uses 'pc'");

  g_free (bios->machine);
  bios->machine = g_strdup ("pc");
  finalize_ok (fixture, bios);
}

static void
test_finalize_vcpus (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) too_many = build (fixture, "workstation", "--vcpus", "9", NULL);
  g_autoptr(VmctlSpec) all = build (fixture, "workstation", "--vcpus", "8", NULL);
  g_autoptr(VmctlSpec) auto_too_many = build (fixture, "gaming", "--vcpus", "8", NULL);
  g_autoptr(VmctlSpec) auto_fits = build (fixture, "workstation", "--vcpus", "6",
                                          "--cpu-pin", "auto", NULL);
  g_autoptr(VmctlSpec) default_too_many = build (fixture, "workstation", NULL);

  finalize_fails (fixture, too_many, VMCTL_SPEC_ERROR_INVALID, "--vcpus '9'",
                  "the host has 8 CPUs");
  finalize_ok (fixture, all);
  g_assert_cmpuint (all->vcpus, ==, 8);
  finalize_fails (fixture, auto_too_many, VMCTL_SPEC_ERROR_CONFLICT,
                  "--vcpus '8' with --cpu-pin auto", "leaving 6; give --vcpus 6 or less");
  finalize_ok (fixture, auto_fits);
  g_assert_cmpuint (auto_fits->vcpus, ==, 6);

  /* a profile's default lowered to a host smaller than it */
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0-1\n");
  finalize_ok (fixture, default_too_many);
  g_assert_cmpuint (default_too_many->vcpus, ==, 2);
  g_assert_true (has_note (default_too_many,
                           "vcpus lowered from 4 (the workstation profile's default) to 2, "
                           "the host's CPU count"));
}

/* One core, two threads: --cpu-pin auto has nothing to give. */
static void
test_finalize_one_core (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "gaming", NULL);
  g_autoptr(VmctlSpec) unpinned = build (fixture, "gaming", "--cpu-pin", "none", NULL);

  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0-1\n");
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
                    "0-1\n");
  finalize_fails (fixture, spec, VMCTL_SPEC_ERROR_CONFLICT, "--cpu-pin auto",
                  "keeps the first core (CPU 0-1) for the host, and this host has no other");
  finalize_ok (fixture, unpinned);
  g_assert_cmpuint (unpinned->vcpus, ==, 2);
}

static void
test_finalize_unknown_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) many = build (fixture, "minimal", "--vcpus", "512", "--memory", "16T",
                                     NULL);
  g_autoptr(VmctlSpec) too_many = build (fixture, "minimal", "--vcpus", "513", NULL);
  g_autoptr(VmctlSpec) too_much = build (fixture, "minimal", "--memory", "17T", NULL);
  g_autoptr(VmctlSpec) pinned = build (fixture, "minimal", "--cpu-pin", "600", NULL);

  vmctl_test_unlink (fixture->root, "sys/devices/system/cpu/present");
  vmctl_test_unlink (fixture->root, "proc/meminfo");
  finalize_ok (fixture, many);
  finalize_fails (fixture, too_many, VMCTL_SPEC_ERROR_INVALID, "--vcpus '513'",
                  "the limit when the host's CPU count is unknown");
  finalize_fails (fixture, too_much, VMCTL_SPEC_ERROR_INVALID, "--memory '17 TiB'",
                  "the limit when the host's memory is unknown");
  finalize_fails (fixture, pinned, VMCTL_SPEC_ERROR_INVALID, "--cpu-pin '600'",
                  "cannot read (512)");
}

static void
test_finalize_cpu_list (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) sized = build (fixture, "gaming", "--cpu-pin", "2-5", NULL);
  g_autoptr(VmctlSpec) mismatch = build (fixture, "gaming", "--cpu-pin", "2-5", "--vcpus", "6",
                                         NULL);
  g_autoptr(VmctlSpec) missing = build (fixture, "gaming", "--cpu-pin", "6-9", NULL);
  g_autoptr(VmctlSpec) holes = build (fixture, "gaming", "--cpu-pin", "1,3", NULL);

  finalize_ok (fixture, sized);
  g_assert_cmpuint (sized->vcpus, ==, 4);   /* the list sets the count */
  finalize_fails (fixture, mismatch, VMCTL_SPEC_ERROR_CONFLICT, "--cpu-pin '2-5'",
                  "4 host CPUs for 6 vCPUs");
  finalize_fails (fixture, missing, VMCTL_SPEC_ERROR_INVALID, "--cpu-pin '6-9'",
                  "the host has no CPU 8 (present: 0-7)");

  /* CPUs that are not present (offline sockets) do not exist */
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0,2-7\n");
  finalize_fails (fixture, holes, VMCTL_SPEC_ERROR_INVALID, "--cpu-pin '1,3'",
                  "the host has no CPU 1 (present: 0,2-7)");
}

static void
test_finalize_memory (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) too_much = build (fixture, "minimal", "--memory", "64G", NULL);
  g_autoptr(VmctlSpec) all = build (fixture, "minimal", "--memory", "32734884K", NULL);
  g_autoptr(VmctlSpec) default_too_much = build (fixture, "gaming", "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) odd_hugepages = build (fixture, "minimal", "--memory", "1001M",
                                              "--hugepages", "", NULL);
  g_autoptr(VmctlSpec) profile_hugepages = build (fixture, "gaming", "--memory", "1025M",
                                                  "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) odd_plain = build (fixture, "minimal", "--memory", "1001M", NULL);
  g_autoptr(VmctlSpec) even_hugepages = build (fixture, "minimal", "--memory", "1026M",
                                               "--hugepages", "", NULL);
  g_autoptr(VmctlSpec) by_hand = build (fixture, "minimal", NULL);

  finalize_fails (fixture, too_much, VMCTL_SPEC_ERROR_INVALID, "--memory '64 GiB'",
                  "more than the host's 31.2 GiB of memory (MemTotal)");
  finalize_ok (fixture, all);
  finalize_fails (fixture, odd_hugepages, VMCTL_SPEC_ERROR_INVALID, "--memory '1001 MiB'",
                  "with hugepages the memory must be a multiple of 2 MiB");
  finalize_fails (fixture, profile_hugepages, VMCTL_SPEC_ERROR_INVALID, "--memory '1025 MiB'",
                  "multiple of 2 MiB");
  finalize_ok (fixture, odd_plain);
  finalize_ok (fixture, even_hugepages);

  by_hand->memory_kib = 64 * MIB_KIB;
  finalize_fails (fixture, by_hand, VMCTL_SPEC_ERROR_INVALID,
                  "memory 64 MiB (the minimal profile's default)", "at least 128 MiB");

  vmctl_test_write (fixture->root, "proc/meminfo",
                    "MemTotal:        8000000 kB\nMemFree:         4000000 kB\n");
  finalize_fails (fixture, default_too_much, VMCTL_SPEC_ERROR_INVALID,
                  "memory 16 GiB (the gaming profile's default)",
                  "more than the host's 7.6 GiB of memory (MemTotal); give a smaller --memory");
}

/* Names and paths set by hand get the same checks as the options. */
static void
test_finalize_by_hand (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) bad_name = vmctl_spec_new ();
  g_autoptr(VmctlSpec) no_name = vmctl_spec_new ();
  g_autoptr(VmctlSpec) gone = build (fixture, "minimal", "--cdrom", "@/install.iso", NULL);
  g_autoptr(VmctlSpec) relative = vmctl_spec_new ();
  g_autoptr(VmctlSpec) newline = vmctl_spec_new ();
  g_autofree gchar *iso = g_build_filename (fixture->files, "install.iso", NULL);
  g_autofree gchar *previous = g_get_current_dir ();
  VmctlSpecDisk *disk = g_new0 (VmctlSpecDisk, 1);
  gboolean ok;

  bad_name->name = g_strdup ("a<b");
  finalize_fails (fixture, bad_name, VMCTL_SPEC_ERROR_INVALID, "VM name 'a<b'", "use 1 to 64");
  finalize_fails (fixture, no_name, VMCTL_SPEC_ERROR_INVALID, NULL, "the VM has no name");

  vmctl_test_unlink (fixture->files, "install.iso");
  finalize_fails (fixture, gone, VMCTL_SPEC_ERROR_MISSING_FILE, "--cdrom '", "no such file");

  vmctl_test_write (fixture->files, "install.iso", "CD001");
  relative->name = g_strdup ("vm");
  relative->cdrom = g_strdup ("install.iso");
  g_assert_cmpint (g_chdir (fixture->files), ==, 0);
  ok = vmctl_spec_finalize (relative, fixture->host, NULL);
  g_assert_cmpint (g_chdir (previous), ==, 0);
  g_assert_true (ok);
  g_assert_cmpstr (relative->cdrom, ==, iso);

  newline->name = g_strdup ("vm");
  disk->path = g_strdup ("/tmp/a\nb.img");
  g_ptr_array_add (newline->disks, disk);
  finalize_fails (fixture, newline, VMCTL_SPEC_ERROR_INVALID, "--disk '/tmp/a\\nb.img'",
                  "control characters");
}

/* The fixture without /dev/kvm, as the generator made it. */
static void
test_finalize_no_kvm_scenario (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = build (fixture, "minimal", NULL);

  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_true (has_note (spec, "no /dev/kvm"));
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

  add_test ("/vmctl/spec/bad-input", "clean-gpu-audio", test_bad_inputs);
  g_test_add_func ("/vmctl/spec/bad-input-changes-nothing", test_bad_input_changes_nothing);
  add_test ("/vmctl/spec/duplicates", "clean-gpu-audio", test_duplicates);
  g_test_add_func ("/vmctl/spec/good/names", test_good_names);
  add_test ("/vmctl/spec/good/devices", "clean-gpu-audio", test_good_devices);
  add_test ("/vmctl/spec/good/relative-paths", "clean-gpu-audio", test_relative_paths);
  add_test ("/vmctl/spec/good/markup-in-paths", "clean-gpu-audio", test_markup_in_paths);
  add_test ("/vmctl/spec/good/disks", "clean-gpu-audio", test_good_disks);
  g_test_add_func ("/vmctl/spec/good/values", test_good_values);
  g_test_add_func ("/vmctl/spec/to-string", test_to_string);

  g_test_add_func ("/vmctl/spec/profile/list", test_profile_list);
  g_test_add_func ("/vmctl/spec/profile/gaming", test_profile_gaming);
  g_test_add_func ("/vmctl/spec/profile/workstation", test_profile_workstation);
  g_test_add_func ("/vmctl/spec/profile/minimal", test_profile_minimal);
  g_test_add_func ("/vmctl/spec/profile/defaults-are-minimal", test_defaults_are_minimal);
  g_test_add_func ("/vmctl/spec/profile/default-is-workstation",
                   test_profile_default_is_workstation);
  g_test_add_func ("/vmctl/spec/profile/documented", test_profiles_documented);
  add_test ("/vmctl/spec/profile/broken", "clean-gpu-audio", test_profile_broken);
  add_test ("/vmctl/spec/profile/partial", "clean-gpu-audio", test_profile_partial);

  add_test ("/vmctl/spec/finalize/gaming", "clean-gpu-audio", test_finalize_gaming);
  add_test ("/vmctl/spec/finalize/swtpm", "clean-gpu-audio", test_finalize_swtpm);
  add_test ("/vmctl/spec/finalize/workstation-gpu", "clean-gpu-audio",
            test_finalize_workstation_gpu);
  add_test ("/vmctl/spec/finalize/no-kvm", "clean-gpu-audio", test_finalize_no_kvm);
  add_test ("/vmctl/spec/finalize/no-kvm-scenario", "no-kvm", test_finalize_no_kvm_scenario);
  add_test ("/vmctl/spec/finalize/virt-type-given", "clean-gpu-audio",
            test_finalize_virt_type_given);
  add_test ("/vmctl/spec/finalize/secure-boot-q35", "clean-gpu-audio",
            test_finalize_secure_boot_needs_q35);
  add_test ("/vmctl/spec/finalize/vcpus", "clean-gpu-audio", test_finalize_vcpus);
  add_test ("/vmctl/spec/finalize/one-core", "clean-gpu-audio", test_finalize_one_core);
  add_test ("/vmctl/spec/finalize/unknown-host", "clean-gpu-audio", test_finalize_unknown_host);
  add_test ("/vmctl/spec/finalize/cpu-list", "clean-gpu-audio", test_finalize_cpu_list);
  add_test ("/vmctl/spec/finalize/memory", "clean-gpu-audio", test_finalize_memory);
  add_test ("/vmctl/spec/finalize/by-hand", "clean-gpu-audio", test_finalize_by_hand);
  add_test ("/vmctl/spec/finalize/amd-host", "amd-host", test_finalize_gaming);
  return g_test_run ();
}
