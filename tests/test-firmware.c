/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-firmware.c: QEMU firmware descriptors: the real ones this machine
 * ships, the fixture hosts', and small trees written per test for the
 * precedence, masking and malformed cases. */
#include <glib/gstdio.h>
#include <string.h>

#include "vmctl-firmware.h"
#include "vmctl-test-util.h"

#define DESCRIPTOR_TEMPLATE \
  "{\n" \
  "  \"description\": \"%s\",\n" \
  "  \"interface-types\": [\"uefi\"],\n" \
  "  \"mapping\": {\n" \
  "    \"device\": \"flash\",\n" \
  "    \"executable\": {\"filename\": \"%s\", \"format\": \"raw\"},\n" \
  "    \"nvram-template\": {\"filename\": \"/usr/share/OVMF/OVMF_VARS_4M.fd\", \"format\": \"raw\"}\n" \
  "  },\n" \
  "  \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],\n" \
  "  \"features\": [%s],\n" \
  "  \"tags\": []\n" \
  "}\n"

typedef struct {
  gchar *root;
  VmctlHost *host;
} TreeFixture;

/* data: NULL for an empty root, else a scenario under tests/data/sysfs */
static void
tree_setup (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (data != NULL) {
    fixture->root = vmctl_test_copy_scenario (data);
  } else {
    fixture->root = g_dir_make_tmp ("vmctl-test-firmware-XXXXXX", &error);
    g_assert_no_error (error);
  }
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
tree_teardown (TreeFixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static void
write_descriptor (TreeFixture *fixture, const gchar *relative, const gchar *description,
                  const gchar *executable, const gchar *features)
{
  g_autofree gchar *text = g_strdup_printf (DESCRIPTOR_TEMPLATE, description, executable, features);

  vmctl_test_write (fixture->root, relative, text);
}

/* the code image the descriptor names, present under the root */
static void
write_image (TreeFixture *fixture, const gchar *host_path)
{
  vmctl_test_write (fixture->root, host_path + 1, "not really firmware\n");
}

static GPtrArray *
list_ok (VmctlHost *host, GPtrArray **out_warnings)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *firmwares = vmctl_firmware_list (host, out_warnings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (firmwares);
  return firmwares;
}

static const VmctlFirmware *
find_by_description (GPtrArray *firmwares, const gchar *description)
{
  for (guint i = 0; i < firmwares->len; i++) {
    const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);

    if (g_strcmp0 (firmware->description, description) == 0)
      return firmware;
  }
  return NULL;
}

static void
assert_sorted_by_file_name (GPtrArray *firmwares)
{
  for (guint i = 1; i < firmwares->len; i++) {
    const VmctlFirmware *previous = g_ptr_array_index (firmwares, i - 1);
    const VmctlFirmware *current = g_ptr_array_index (firmwares, i);
    g_autofree gchar *a = g_path_get_basename (previous->descriptor_path);
    g_autofree gchar *b = g_path_get_basename (current->descriptor_path);

    g_assert_cmpint (strcmp (a, b), <, 0);
  }
}

/* Every non-empty *.json of the real /usr/share/qemu/firmware parses, and
 * the edk2 builds Debian ships are there with their images. */
static void
test_real_host (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new ("/", &error);
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/usr/share/qemu/firmware", 0, NULL);
  const gchar *name;
  guint expected = 0;
  guint uefi_present = 0;

  if (dir == NULL) {
    g_test_skip ("no /usr/share/qemu/firmware on this machine");
    return;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename ("/usr/share/qemu/firmware", name, NULL);
    GStatBuf buf;

    if (g_str_has_suffix (name, ".json") && g_stat (path, &buf) == 0 && buf.st_size > 0)
      expected++;
  }
  g_assert_no_error (error);
  firmwares = list_ok (host, &warnings);
  /* /etc/qemu/firmware may override some on a developer's machine */
  if (!g_file_test ("/etc/qemu/firmware", G_FILE_TEST_IS_DIR)) {
    g_assert_cmpuint (warnings->len, ==, 0);
    g_assert_cmpuint (firmwares->len, ==, expected);
  }
  assert_sorted_by_file_name (firmwares);
  for (guint i = 0; i < firmwares->len; i++) {
    const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);

    g_assert_true (g_path_is_absolute (firmware->descriptor_path));
    g_assert_nonnull (firmware->mapping_device);
    g_assert_nonnull (firmware->executable);
    g_assert_nonnull (firmware->format);
    g_assert_nonnull (firmware->architectures);
    if (vmctl_firmware_is_uefi (firmware) && vmctl_firmware_supports (firmware, "x86_64", "q35")
        && firmware->executable_present)
      uefi_present++;
    /* firmware.json: secure-boot builds need SMM, which libvirt enforces */
    if (vmctl_firmware_has_feature (firmware, "secure-boot")
        && g_strcmp0 (firmware->mapping_device, "flash") == 0)
      g_assert_true (vmctl_firmware_has_feature (firmware, "requires-smm"));
  }
  if (g_file_test ("/usr/share/qemu/firmware/60-edk2-x86_64.json", G_FILE_TEST_EXISTS))
    g_assert_cmpuint (uefi_present, >, 0);
}

/* The user's directory outranks /etc and /usr/share on the real host; the
 * test runs with isolated XDG directories, so this config dir is ours. */
static void
test_real_host_user_mask (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new ("/", &error);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree gchar *user_dir = g_build_filename (g_get_user_config_dir (), "qemu", "firmware", NULL);
  g_autofree gchar *mask = g_build_filename (user_dir, "60-edk2-x86_64.json", NULL);

  if (!g_file_test ("/usr/share/qemu/firmware/60-edk2-x86_64.json", G_FILE_TEST_IS_REGULAR)) {
    g_test_skip ("no /usr/share/qemu/firmware/60-edk2-x86_64.json on this machine");
    return;
  }
  g_assert_no_error (error);
  before = list_ok (host, NULL);
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0755), ==, 0);
  g_file_set_contents (mask, "", 0, &error);
  g_assert_no_error (error);
  after = list_ok (host, NULL);
  g_assert_cmpuint (after->len + 1, ==, before->len);
  for (guint i = 0; i < after->len; i++) {
    const VmctlFirmware *firmware = g_ptr_array_index (after, i);

    g_assert_false (g_str_has_suffix (firmware->descriptor_path, "/60-edk2-x86_64.json"));
  }
  g_assert_cmpint (g_unlink (mask), ==, 0);
}

static void
test_parse_fields (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;
  const VmctlFirmware *firmware;

  write_descriptor (fixture, "usr/share/qemu/firmware/50-secure.json", "secure",
                    "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
                    "\"acpi-s3\", \"requires-smm\", \"secure-boot\"");
  write_image (fixture, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  firmwares = list_ok (fixture->host, &warnings);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (firmwares->len, ==, 1);

  firmware = g_ptr_array_index (firmwares, 0);
  /* a host path, as on the host, not under the test's root */
  g_assert_cmpstr (firmware->descriptor_path, ==, "/usr/share/qemu/firmware/50-secure.json");
  g_assert_cmpstr (firmware->description, ==, "secure");
  g_assert_cmpstr (firmware->mapping_device, ==, "flash");
  g_assert_cmpstr (firmware->executable, ==, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  g_assert_cmpstr (firmware->nvram_template, ==, "/usr/share/OVMF/OVMF_VARS_4M.fd");
  g_assert_cmpstr (firmware->format, ==, "raw");
  g_assert_true (firmware->executable_present);
  g_assert_true (vmctl_firmware_is_uefi (firmware));
  g_assert_true (vmctl_firmware_has_feature (firmware, "secure-boot"));
  g_assert_true (vmctl_firmware_has_feature (firmware, "requires-smm"));
  g_assert_false (vmctl_firmware_has_feature (firmware, "enrolled-keys"));
  g_assert_cmpstr (firmware->architectures[0], ==, "x86_64");
  g_assert_null (firmware->architectures[1]);
  g_assert_cmpstr (firmware->machines[0], ==, "pc-q35-*");

  g_assert_true (vmctl_firmware_supports (firmware, "x86_64", "pc-q35-7.2"));
  g_assert_true (vmctl_firmware_supports (firmware, "x86_64", "q35"));
  g_assert_true (vmctl_firmware_supports (firmware, "x86_64", NULL));
  g_assert_true (vmctl_firmware_supports (firmware, NULL, "pc-q35-8.0"));
  g_assert_false (vmctl_firmware_supports (firmware, "x86_64", "pc-i440fx-7.2"));
  g_assert_false (vmctl_firmware_supports (firmware, "x86_64", "pc"));
  g_assert_false (vmctl_firmware_supports (firmware, "aarch64", NULL));
}

static void
test_memory_mapping (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;
  const VmctlFirmware *firmware;

  /* SEV builds map one image into memory, with no separate variables */
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/70-sev.json",
                    "{\"description\": \"sev\", \"interface-types\": [\"uefi\"],"
                    " \"mapping\": {\"device\": \"memory\", \"filename\": \"/usr/share/OVMF/OVMF.amdsev.fd\"},"
                    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
                    " \"features\": [\"amd-sev\", \"amd-sev-es\"]}");
  firmwares = list_ok (fixture->host, &warnings);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (firmwares->len, ==, 1);
  firmware = g_ptr_array_index (firmwares, 0);
  g_assert_cmpstr (firmware->mapping_device, ==, "memory");
  g_assert_cmpstr (firmware->executable, ==, "/usr/share/OVMF/OVMF.amdsev.fd");
  g_assert_null (firmware->nvram_template);
  g_assert_false (firmware->executable_present);
  g_assert_true (vmctl_firmware_has_feature (firmware, "amd-sev-es"));
}

static void
test_etc_overrides_usr_share (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) firmwares = NULL;
  const VmctlFirmware *firmware;

  write_descriptor (fixture, "usr/share/qemu/firmware/60-edk2.json", "vendor",
                    "/usr/share/OVMF/OVMF_CODE_4M.fd", "");
  write_descriptor (fixture, "etc/qemu/firmware/60-edk2.json", "local",
                    "/opt/ovmf/OVMF_CODE.fd", "");
  write_image (fixture, "/opt/ovmf/OVMF_CODE.fd");
  firmwares = list_ok (fixture->host, NULL);
  g_assert_cmpuint (firmwares->len, ==, 1);
  firmware = g_ptr_array_index (firmwares, 0);
  g_assert_cmpstr (firmware->description, ==, "local");
  g_assert_cmpstr (firmware->descriptor_path, ==, "/etc/qemu/firmware/60-edk2.json");
  g_assert_cmpstr (firmware->executable, ==, "/opt/ovmf/OVMF_CODE.fd");
  g_assert_true (firmware->executable_present);
}

static void
test_empty_file_masks (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;

  write_descriptor (fixture, "usr/share/qemu/firmware/40-enrolled.json", "enrolled",
                    "/usr/share/OVMF/OVMF_CODE_4M.ms.fd", "\"secure-boot\"");
  write_descriptor (fixture, "usr/share/qemu/firmware/60-plain.json", "plain",
                    "/usr/share/OVMF/OVMF_CODE_4M.fd", "");
  vmctl_test_write (fixture->root, "etc/qemu/firmware/40-enrolled.json", "");
  firmwares = list_ok (fixture->host, &warnings);
  /* masked, not broken: no warning either */
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (firmwares->len, ==, 1);
  g_assert_nonnull (find_by_description (firmwares, "plain"));
  g_assert_null (find_by_description (firmwares, "enrolled"));
}

static void
test_sorted_across_directories (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) firmwares = NULL;
  const VmctlFirmware *first;
  const VmctlFirmware *second;
  const VmctlFirmware *third;

  write_descriptor (fixture, "usr/share/qemu/firmware/50-b.json", "b", "/b.fd", "");
  write_descriptor (fixture, "etc/qemu/firmware/10-c.json", "c", "/c.fd", "");
  write_descriptor (fixture, "usr/share/qemu/firmware/30-a.json", "a", "/a.fd", "");
  /* neither a descriptor nor hidden files count */
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/README", "not json");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/.10-hidden.json", "{");
  firmwares = list_ok (fixture->host, NULL);
  g_assert_cmpuint (firmwares->len, ==, 3);
  first = g_ptr_array_index (firmwares, 0);
  second = g_ptr_array_index (firmwares, 1);
  third = g_ptr_array_index (firmwares, 2);
  g_assert_cmpstr (first->description, ==, "c");
  g_assert_cmpstr (second->description, ==, "a");
  g_assert_cmpstr (third->description, ==, "b");
}

static void
test_malformed_is_warning (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;
  g_autofree gchar *directory = NULL;

  write_descriptor (fixture, "usr/share/qemu/firmware/60-good.json", "good",
                    "/usr/share/OVMF/OVMF_CODE_4M.fd", "");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/10-truncated.json",
                    "{\"description\": \"cut\", \"interface-types\": [\"uefi\"");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/11-array.json", "[1, 2, 3]");
  /* wrong member types: json-glib's typed getters would g_critical */
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/12-types.json",
                    "{\"interface-types\": \"uefi\", \"mapping\": {\"device\": 7},"
                    " \"targets\": {}}");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/13-no-executable.json",
                    "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\"},"
                    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}]}");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/14-bad-target.json",
                    "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\","
                    " \"executable\": {\"filename\": \"/x.fd\"}}, \"targets\": [{\"machines\": [1]}]}");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/15-binary.json", "\x01\x02\xff\xfe");
  /* a directory where a file should be: unreadable, still only a warning */
  directory = g_build_filename (fixture->root, "usr/share/qemu/firmware/16-directory.json", NULL);
  g_assert_cmpint (g_mkdir_with_parents (directory, 0755), ==, 0);

  firmwares = list_ok (fixture->host, &warnings);
  g_assert_cmpuint (firmwares->len, ==, 1);
  g_assert_nonnull (find_by_description (firmwares, "good"));
  g_assert_cmpuint (warnings->len, ==, 7);
  for (guint i = 0; i < warnings->len; i++) {
    const gchar *warning = g_ptr_array_index (warnings, i);

    /* one line each, naming the file as it is on the host */
    g_assert_true (g_str_has_prefix (warning, "/usr/share/qemu/firmware/1"));
    g_assert_null (strchr (warning, '\n'));
  }
}

/* Found by tests/fuzz/fuzz-firmware: vmctl looks for a descriptor's images
 * under the host root, and a name with ".." found files outside it ("/.."
 * is the root's parent). The kernel's paths and QEMU's descriptors never
 * need one; such a descriptor is refused with a warning. */
static void
test_image_outside_root (TreeFixture *fixture, gconstpointer data)
{
  g_autofree gchar *base = g_path_get_basename (fixture->root);
  g_autofree gchar *escaping = g_strconcat ("/../", base, "/usr/share/OVMF/OVMF_CODE_4M.fd", NULL);
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;

  write_image (fixture, "/usr/share/OVMF/OVMF_CODE_4M.fd");
  write_descriptor (fixture, "usr/share/qemu/firmware/60-parent.json", "parent", escaping, "");
  write_descriptor (fixture, "usr/share/qemu/firmware/61-dot.json", "dot",
                    "/usr/share/./OVMF/OVMF_CODE_4M.fd", "");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/62-nvram.json",
                    "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\","
                    " \"executable\": {\"filename\": \"/usr/share/OVMF/OVMF_CODE_4M.fd\"},"
                    " \"nvram-template\": {\"filename\": \"/usr/share/OVMF/../../../VARS.fd\"}},"
                    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}]}");

  firmwares = list_ok (fixture->host, &warnings);
  g_assert_cmpuint (firmwares->len, ==, 0);
  g_assert_cmpuint (warnings->len, ==, 3);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (warnings, 0),
                                   "/usr/share/qemu/firmware/60-parent.json: "));
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 2), "nvram-template"));
}

static void
test_no_directories (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = list_ok (fixture->host, &warnings);

  g_assert_cmpuint (firmwares->len, ==, 0);
  g_assert_cmpuint (warnings->len, ==, 0);
}

/* $XDG_CONFIG_HOME belongs to the machine vmctl runs on, never to a host
 * root standing in for another one. */
static void
test_user_directory_ignored_for_host_root (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) firmwares = NULL;
  g_autofree gchar *user_descriptor = g_build_filename (g_get_user_config_dir (), "qemu",
                                                        "firmware", "10-user.json", NULL);
  g_autofree gchar *user_dir = g_path_get_dirname (user_descriptor);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0755), ==, 0);
  g_file_set_contents (user_descriptor, "{", -1, &error);
  g_assert_no_error (error);
  write_descriptor (fixture, "usr/share/qemu/firmware/60-edk2.json", "vendor", "/x.fd", "");
  firmwares = list_ok (fixture->host, NULL);
  g_assert_cmpuint (firmwares->len, ==, 1);
  g_assert_cmpint (g_unlink (user_descriptor), ==, 0);
}

/* The fixture hosts carry the descriptors Debian's ovmf package installs,
 * with small stand-ins for the images. */
static void
test_fixture_clean (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = list_ok (fixture->host, &warnings);
  guint usable = 0;
  guint secure = 0;

  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (firmwares->len, >, 0);
  assert_sorted_by_file_name (firmwares);
  for (guint i = 0; i < firmwares->len; i++) {
    const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);

    g_assert_true (g_str_has_prefix (firmware->descriptor_path, "/usr/share/qemu/firmware/")
                   || g_str_has_prefix (firmware->descriptor_path, "/etc/qemu/firmware/"));
    if (vmctl_firmware_is_uefi (firmware) && vmctl_firmware_supports (firmware, "x86_64", "q35")
        && firmware->executable_present) {
      usable++;
      if (vmctl_firmware_has_feature (firmware, "secure-boot"))
        secure++;
    }
  }
  g_assert_cmpuint (usable, >, 0);
  g_assert_cmpuint (secure, >, 0);
}

static void
test_fixture_no_ovmf (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) firmwares = list_ok (fixture->host, NULL);

  for (guint i = 0; i < firmwares->len; i++) {
    const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);

    g_assert_false (vmctl_firmware_is_uefi (firmware) && firmware->executable_present
                    && vmctl_firmware_supports (firmware, "x86_64", NULL));
  }
}

static VmctlFirmware *
choose_ok (TreeFixture *fixture, gboolean secure_boot, const gchar *machine)
{
  g_autoptr(GError) error = NULL;
  VmctlFirmware *firmware = vmctl_firmware_choose (fixture->host, secure_boot, machine,
                                                   "x86_64", &error);

  g_assert_no_error (error);
  g_assert_nonnull (firmware);
  return firmware;
}

static void
choose_fails (TreeFixture *fixture, gboolean secure_boot, const gchar *machine,
              const gchar *fragment)
{
  g_autoptr(GError) error = NULL;
  VmctlFirmware *firmware = vmctl_firmware_choose (fixture->host, secure_boot, machine,
                                                   "x86_64", &error);

  g_assert_null (firmware);
  g_assert_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_NONE);
  if (strstr (error->message, fragment) == NULL)
    g_error ("'%s' lacks '%s'", error->message, fragment);
}

/* Debian's three: Secure Boot prefers the MS-enrolled build, plain efi
 * never gets a secure-boot one, though it sorts first */
static void
test_choose_debian (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlFirmware) secure = choose_ok (fixture, TRUE, "q35");
  g_autoptr(VmctlFirmware) plain = choose_ok (fixture, FALSE, "q35");
  g_autoptr(VmctlFirmware) versioned = choose_ok (fixture, FALSE, "pc-q35-7.2");
  g_autoptr(VmctlFirmware) i440fx = choose_ok (fixture, FALSE, "pc");
  g_autofree gchar *q35 = vmctl_firmware_machine_pattern ("q35");
  g_autofree gchar *pc = vmctl_firmware_machine_pattern ("pc");
  g_autofree gchar *other = vmctl_firmware_machine_pattern ("pc-q35-8.0");

  g_assert_cmpstr (secure->descriptor_path, ==,
                   "/usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json");
  g_assert_cmpstr (secure->executable, ==, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  g_assert_cmpstr (secure->nvram_template, ==, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  g_assert_cmpstr (plain->descriptor_path, ==, "/usr/share/qemu/firmware/60-edk2-x86_64.json");
  g_assert_false (vmctl_firmware_has_feature (plain, "secure-boot"));
  g_assert_cmpstr (versioned->descriptor_path, ==, plain->descriptor_path);
  g_assert_cmpstr (i440fx->descriptor_path, ==, plain->descriptor_path);
  /* no Secure Boot build lists i440fx: SMM needs q35 */
  choose_fails (fixture, TRUE, "pc",
                "no UEFI firmware with secure-boot and requires-smm for pc-i440fx-* on x86_64");
  g_assert_cmpstr (q35, ==, "pc-q35-*");
  g_assert_cmpstr (pc, ==, "pc-i440fx-*");
  g_assert_cmpstr (other, ==, "pc-q35-8.0");
}

static void
test_choose_rules (TreeFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlFirmware) secure = NULL;
  g_autoptr(VmctlFirmware) plain = NULL;

  /* secure-boot without requires-smm: the guest could rewrite its own
   * variables, so not Secure Boot at all */
  write_descriptor (fixture, "usr/share/qemu/firmware/10-no-smm.json", "no-smm",
                    "/usr/share/OVMF/A.fd", "\"secure-boot\"");
  write_image (fixture, "/usr/share/OVMF/A.fd");
  choose_fails (fixture, TRUE, "q35", "with secure-boot and requires-smm for pc-q35-*");
  /* ...and not plain efi either */
  choose_fails (fixture, FALSE, "q35", "without secure-boot");

  /* a build whose image is missing is named */
  write_descriptor (fixture, "usr/share/qemu/firmware/20-secure.json", "secure",
                    "/usr/share/OVMF/B.fd", "\"secure-boot\", \"requires-smm\"");
  choose_fails (fixture, TRUE, "q35",
                "/usr/share/qemu/firmware/20-secure.json names /usr/share/OVMF/B.fd, which does not exist");
  write_image (fixture, "/usr/share/OVMF/B.fd");
  secure = choose_ok (fixture, TRUE, "q35");
  g_assert_cmpstr (secure->description, ==, "secure");

  /* plain: a build needing SMM only when nothing else is there */
  write_descriptor (fixture, "usr/share/qemu/firmware/30-smm.json", "smm-only",
                    "/usr/share/OVMF/C.fd", "\"requires-smm\"");
  write_image (fixture, "/usr/share/OVMF/C.fd");
  plain = choose_ok (fixture, FALSE, "q35");
  g_assert_cmpstr (plain->description, ==, "smm-only");
  g_clear_pointer (&plain, vmctl_firmware_free);
  write_descriptor (fixture, "usr/share/qemu/firmware/40-plain.json", "plain",
                    "/usr/share/OVMF/D.fd", "");
  write_image (fixture, "/usr/share/OVMF/D.fd");
  plain = choose_ok (fixture, FALSE, "q35");
  g_assert_cmpstr (plain->description, ==, "plain");
}

/* memory-mapped and stateless builds have no variable store template for
 * <nvram template>: never chosen */
static void
test_choose_skips_unusable (TreeFixture *fixture, gconstpointer data)
{
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/10-memory.json",
                    "{\"description\": \"memory\", \"interface-types\": [\"uefi\"],"
                    " \"mapping\": {\"device\": \"memory\", \"filename\": \"/usr/share/OVMF/M.fd\"},"
                    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
                    " \"features\": []}\n");
  vmctl_test_write (fixture->root, "usr/share/qemu/firmware/20-qcow2.json",
                    "{\"description\": \"qcow2\", \"interface-types\": [\"uefi\"],"
                    " \"mapping\": {\"device\": \"flash\", \"executable\": {\"filename\":"
                    " \"/usr/share/OVMF/Q.qcow2\", \"format\": \"qcow2\"}, \"nvram-template\":"
                    " {\"filename\": \"/usr/share/OVMF/V.qcow2\", \"format\": \"qcow2\"}},"
                    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
                    " \"features\": []}\n");
  write_image (fixture, "/usr/share/OVMF/M.fd");
  write_image (fixture, "/usr/share/OVMF/Q.qcow2");
  choose_fails (fixture, FALSE, "q35", "install ovmf");
}

static void
test_choose_none (TreeFixture *fixture, gconstpointer data)
{
  choose_fails (fixture, FALSE, "q35",
                "no UEFI firmware without secure-boot for pc-q35-* on x86_64 in "
                "/usr/share/qemu/firmware; install ovmf");
}

static void
add_tree_test (const gchar *path, const gchar *scenario,
               void (*test) (TreeFixture *, gconstpointer))
{
  g_test_add (path, TreeFixture, scenario, tree_setup, test, tree_teardown);
}

int
main (int argc, char **argv)
{
  /* isolated XDG directories: the user-directory tests write there, and a
   * developer's own ~/.config/qemu/firmware must not change the results */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/vmctl/firmware/real-host/list", test_real_host);
  g_test_add_func ("/vmctl/firmware/real-host/user-mask", test_real_host_user_mask);
  add_tree_test ("/vmctl/firmware/parse/fields", NULL, test_parse_fields);
  add_tree_test ("/vmctl/firmware/parse/memory-mapping", NULL, test_memory_mapping);
  add_tree_test ("/vmctl/firmware/parse/malformed", NULL, test_malformed_is_warning);
  add_tree_test ("/vmctl/firmware/parse/outside-root", NULL, test_image_outside_root);
  add_tree_test ("/vmctl/firmware/precedence/etc-overrides", NULL, test_etc_overrides_usr_share);
  add_tree_test ("/vmctl/firmware/precedence/empty-masks", NULL, test_empty_file_masks);
  add_tree_test ("/vmctl/firmware/precedence/sorted", NULL, test_sorted_across_directories);
  add_tree_test ("/vmctl/firmware/precedence/no-user-dir-for-root", NULL,
                 test_user_directory_ignored_for_host_root);
  add_tree_test ("/vmctl/firmware/list/none", NULL, test_no_directories);
  add_tree_test ("/vmctl/firmware/fixture/clean-gpu-audio", "clean-gpu-audio", test_fixture_clean);
  add_tree_test ("/vmctl/firmware/fixture/amd-host", "amd-host", test_fixture_clean);
  add_tree_test ("/vmctl/firmware/fixture/no-ovmf", "no-ovmf", test_fixture_no_ovmf);
  add_tree_test ("/vmctl/firmware/choose/debian", "clean-gpu-audio", test_choose_debian);
  add_tree_test ("/vmctl/firmware/choose/rules", NULL, test_choose_rules);
  add_tree_test ("/vmctl/firmware/choose/skips-unusable", NULL, test_choose_skips_unusable);
  add_tree_test ("/vmctl/firmware/choose/none", "no-ovmf", test_choose_none);
  return g_test_run ();
}
