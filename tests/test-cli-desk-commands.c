/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-desk-commands.c: issue 12's commands through the vmctl
 * binary, on copies of the demo host and the fixtures: gpu rom check
 * (each defect, --strip, JSON), input list, usb list, gpu check's BARs,
 * Resizable BAR and reset-bug reasons, host check's evdev and Looking
 * Glass rows, and info's USB devices. */
#include "vmctl-test-cli.h"
#include "vmctl-test-rom.h"

#include <string.h>

#define CORSAIR_KBD "/dev/input/by-id/usb-Corsair_CORSAIR_K70_RGB_PRO_Mechanical_Gaming_" \
                    "Keyboard_0801D03CAF0B4CA9AF8F5D9A6F8D3A2B-event-kbd"

/* ---- gpu rom check ------------------------------------------------------------- */

/* vmctl --host-root ROOT gpu rom check ARGS... */
#define rom_check(root, ...) \
  vmctl_test_run_vmctlv ("--host-root", (root), "gpu", "rom", "check", __VA_ARGS__)

static void
test_rom_check (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *good = vmctl_test_rom_write (fixture->root, "good.rom", 0x10de, 0x2704,
                                                 VMCTL_TEST_ROM_VALID);
  g_autofree gchar *header = vmctl_test_rom_write (fixture->root, "header.rom", 0x10de, 0x2704,
                                                   VMCTL_TEST_ROM_NVIDIA_HEADER);
  g_autofree gchar *other = vmctl_test_rom_write (fixture->root, "3090.rom", 0x10de, 0x2204,
                                                  VMCTL_TEST_ROM_VALID);
  g_autofree gchar *stripped = g_build_filename (fixture->root, "stripped.rom", NULL);
  g_autofree gchar *text = g_build_filename (fixture->root, "text.rom", NULL);
  g_autofree gchar *written = NULL;
  g_autoptr(GBytes) expected = vmctl_test_rom_build (0x10de, 0x2704, VMCTL_TEST_ROM_VALID);
  g_autoptr(VmctlTestRun) ok = rom_check (fixture->root, good, "--gpu", "01:00.0", NULL);
  g_autoptr(VmctlTestRun) wrong = rom_check (fixture->root, other, "--gpu", "01:00.0", NULL);
  g_autoptr(VmctlTestRun) headed = rom_check (fixture->root, header, NULL);
  g_autoptr(VmctlTestRun) strip = rom_check (fixture->root, header, "--strip", stripped, "--gpu",
                                             "01:00.0", NULL);
  g_autoptr(VmctlTestRun) again = rom_check (fixture->root, header, "--strip", stripped, NULL);
  g_autoptr(VmctlTestRun) json = rom_check (fixture->root, header, "--json", NULL);
  g_autoptr(VmctlTestRun) missing = NULL;
  g_autoptr(VmctlTestRun) not_rom = NULL;
  g_autoptr(VmctlTestRun) bad_address = rom_check (fixture->root, good, "--gpu", "1:0", NULL);
  g_autoptr(VmctlTestRun) no_device = rom_check (fixture->root, good, "--gpu", "09:00.0", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *rom;
  gsize length = 0;

  g_assert_cmpint (ok->exit_status, ==, 0);
  g_assert_nonnull (strstr (ok->out, "legacy x86"));
  g_assert_nonnull (strstr (ok->out, "EFI (x64)"));
  g_assert_nonnull (strstr (ok->out, "checksum ok"));
  g_assert_cmpint (wrong->exit_status, ==, 1);
  g_assert_nonnull (strstr (wrong->out, "10de:2204"));
  g_assert_cmpint (headed->exit_status, ==, 1);
  g_assert_nonnull (strstr (headed->out, "NVIDIA flash tool's header"));
  /* --strip writes the images alone: the same bytes as the clean ROM */
  g_assert_cmpint (strip->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (stripped, &written, &length, NULL));
  g_assert_cmpmem (written, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_assert_cmpint (again->exit_status, ==, 2);
  g_assert_nonnull (strstr (again->err, "exists"));
  node = vmctl_test_parse_json (json->out);
  rom = json_object_get_object_member (json_node_get_object (node), "rom");
  g_assert_false (json_object_get_boolean_member (rom, "usable"));
  g_assert_true (json_object_get_boolean_member (rom, "nvidia_header"));
  g_assert_cmpint (json_object_get_int_member (rom, "header_bytes"), ==,
                   VMCTL_TEST_ROM_HEADER_LENGTH);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rom, "images")), ==, 2);
  missing = rom_check (fixture->root, "/nonexistent/x.rom", NULL);
  g_assert_cmpint (missing->exit_status, ==, 2);
  vmctl_test_assert_one_error_line (missing);
  vmctl_test_write (fixture->root, "text.rom", "just some text");
  not_rom = rom_check (fixture->root, text, NULL);
  g_assert_cmpint (not_rom->exit_status, ==, 2);
  g_assert_nonnull (strstr (not_rom->err, "not a PCI expansion ROM"));
  g_assert_cmpint (bad_address->exit_status, ==, 2);
  g_assert_cmpint (no_device->exit_status, ==, 2);
}

/* ---- input list, usb list ----------------------------------------------------- */

static void
test_input_list (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "input",
                                                         "list", NULL);
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("--host-root", fixture->root, "input",
                                                        "list", "--json", NULL);
  g_autoptr(VmctlTestRun) remote = vmctl_test_run_vmctlv ("-c", "test:///default", "input",
                                                          "list", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *devices;
  JsonObject *first;

  g_assert_cmpint (human->exit_status, ==, 0);
  vmctl_test_assert_no_trailing_spaces (human->out);
  g_assert_nonnull (strstr (human->out, "gamepad"));
  g_assert_nonnull (strstr (human->out, "3-1"));
  node = vmctl_test_parse_json (json->out);
  devices = json_object_get_array_member (json_node_get_object (node), "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 6);
  first = json_array_get_object_element (devices, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "kind"), ==, "keyboard");
  g_assert_cmpstr (json_object_get_string_member (first, "path"), ==, CORSAIR_KBD);
  g_assert_true (json_object_get_boolean_member (first, "exists"));
  g_assert_cmpstr (json_object_get_string_member (first, "usb_device"), ==, "1-3");
  g_assert_cmpint (remote->exit_status, ==, 2);
  vmctl_test_assert_one_error_line (remote);
}

static void
test_usb_list (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "usb",
                                                         "list", NULL);
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("--host-root", fixture->root, "usb",
                                                        "list", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *controllers;
  JsonObject *pch = NULL, *thunderbolt = NULL;

  g_assert_cmpint (human->exit_status, ==, 0);
  vmctl_test_assert_no_trailing_spaces (human->out);
  g_assert_nonnull (strstr (human->out, "1-2   046d:c52b  HID"));
  node = vmctl_test_parse_json (json->out);
  controllers = json_object_get_array_member (json_node_get_object (node), "controllers");
  for (guint i = 0; i < json_array_get_length (controllers); i++) {
    JsonObject *controller = json_array_get_object_element (controllers, i);
    const gchar *address = json_object_get_string_member (controller, "address");

    if (g_strcmp0 (address, "0000:00:14.0") == 0)
      pch = controller;
    else if (g_strcmp0 (address, "0000:37:00.0") == 0)
      thunderbolt = controller;
  }
  g_assert_nonnull (pch);
  g_assert_nonnull (thunderbolt);
  /* the PCH's xHCI shares its slot with the SRAM: host-critical, and the
   * host's keyboards are behind it */
  g_assert_false (json_object_get_boolean_member (pch, "passable"));
  g_assert_cmpstr (json_object_get_string_member (pch, "verdict"), ==, "host-critical");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pch, "keyboards")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pch, "devices")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pch, "buses")), ==, 2);
  /* the Thunderbolt one passes, with the pad */
  g_assert_true (json_object_get_boolean_member (thunderbolt, "passable"));
  g_assert_cmpint (json_object_get_int_member (thunderbolt, "iommu_group"), ==, 21);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (thunderbolt, "devices"), 0), "id"),
                   ==, "045e:0b12");
}

/* ---- gpu check: BARs, ReBAR, the reset bug --------------------------------------- */

static void
test_gpu_check_bars (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VmctlTestRun) json = vmctl_test_gpu_check_json (fixture->root, "02:00.0", &node);
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("--host-root", fixture->root, "gpu",
                                                         "check", "02:00.0", NULL);
  JsonObject *object = json_node_get_object (node);
  JsonArray *bars = json_object_get_array_member (object, "bars");
  JsonObject *bar1 = json_array_get_object_element (bars, 1);

  vmctl_test_assert_verdict_shape (object, NULL);
  g_assert_cmpuint (json_array_get_length (bars), ==, 3);
  g_assert_cmpint (json_object_get_int_member (bar1, "index"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (bar1, "size"), ==, G_GINT64_CONSTANT (34359738368));
  g_assert_true (json_object_get_boolean_member (bar1, "64bit"));
  g_assert_cmpint (json_object_get_int_member (bar1, "rebar_max"), ==,
                   G_GINT64_CONSTANT (34359738368));
  g_assert_true (json_object_get_boolean_member (object, "rebar"));
  g_assert_true (vmctl_test_any_reason_contains (object, "need 64 GiB of guest address space"));
  g_assert_nonnull (strstr (human->out, "BARs: 0 16 MiB (32-bit), 1 32 GiB (64-bit, prefetchable, "
                            "Resizable BAR up to 32 GiB)"));
  g_assert_nonnull (strstr (human->out, "Resizable BAR: yes"));
}

static void
test_gpu_check_reset_bug (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(VmctlTestRun) missing = vmctl_test_gpu_check_json (fixture->root, "0e:00.0", &before);
  g_autoptr(VmctlTestRun) covered = NULL;

  g_assert_true (vmctl_test_any_reason_contains (json_node_get_object (before),
                                                 "vendor_reset module is not loaded"));
  vmctl_test_write (fixture->root, "sys/module/vendor_reset/initstate", "live\n");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:0e:00.0/reset_method",
                    "device_specific\n");
  covered = vmctl_test_gpu_check_json (fixture->root, "0e:00.0", &after);
  g_assert_false (vmctl_test_any_reason_contains (json_node_get_object (after),
                                                  "vendor_reset module is not loaded"));
  g_assert_true (vmctl_test_any_reason_contains (json_node_get_object (after),
                                                 "reset the way vendor-reset knows"));
}

/* ---- host check and info, with VMs on a test:/// scenario ------------------------- */

/* a test-driver scenario in @root holding one domain with @devices, and
 * vmctl metadata with @spec_children */
static gchar *
scenario_uri (const gchar *root, const gchar *devices, const gchar *spec_children)
{
  g_autofree gchar *path = g_build_filename (root, "scenario.xml", NULL);
  g_autofree gchar *xml = g_strdup_printf (
    "<node>\n"
    "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>desk</name>\n"
    "    <uuid>6a1c0b3e-0b4e-4b0e-9a55-1f7d7f1a0c12</uuid>\n"
    "    <metadata><vmctl:vmctl xmlns:vmctl='http://vmctl.dev/xmlns/domain/1' version='0.1.0'>"
    "<vmctl:spec>%s</vmctl:spec><vmctl:plan/></vmctl:vmctl></metadata>\n"
    "    <memory unit='KiB'>524288</memory><vcpu>1</vcpu>\n"
    "    <os><type arch='x86_64'>hvm</type></os>\n"
    "    <devices>%s</devices>\n"
    "    <test:runstate>5</test:runstate>\n"
    "  </domain>\n"
    "</node>\n", spec_children, devices);

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  return g_strconcat ("test://", path, NULL);
}

static JsonObject *
find_check (JsonNode *report, const gchar *id)
{
  JsonArray *checks = json_object_get_array_member (json_node_get_object (report), "checks");

  for (guint i = 0; i < json_array_get_length (checks); i++) {
    JsonObject *check = json_array_get_object_element (checks, i);

    if (g_strcmp0 (json_object_get_string_member (check, "id"), id) == 0)
      return check;
  }
  return NULL;
}

static JsonNode *
host_check (const gchar *root, const gchar *uri)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("--host-root", root, "-c", uri, "host",
                                                       "check", "--json", NULL);

  g_assert_cmpint (run->exit_status, <=, 1);
  return vmctl_test_parse_json (run->out);
}

static void
test_host_check (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = scenario_uri (fixture->root,
    "<input type='evdev'><source dev='" CORSAIR_KBD "' grab='all' repeat='on'/></input>"
    "<input type='evdev'><source dev='/dev/input/by-id/usb-Gone-event-mouse'/></input>"
    "<shmem name='looking-glass'><model type='ivshmem-plain'/><size unit='M'>64</size></shmem>",
    "");
  g_autofree gchar *plain = NULL;
  g_autoptr(JsonNode) first = host_check (fixture->root, uri);
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) third = NULL;
  g_autoptr(JsonNode) none = NULL;
  JsonObject *check;

  /* a device that is not there, and no tmpfiles.d line */
  check = find_check (first, "input.evdev");
  g_assert_nonnull (check);
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "warn");
  g_assert_nonnull (strstr (json_object_get_string_member (check, "message"), "usb-Gone"));
  check = find_check (first, "looking_glass");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "warn");
  g_assert_nonnull (strstr (json_object_get_string_member (check, "fix"),
                            "f /dev/shm/looking-glass 0660 USER kvm -"));
  /* plugged in again, tmpfiles in place: both pass */
  vmctl_test_write (fixture->root, "dev/input/by-id/usb-Gone-event-mouse", "");
  vmctl_test_write (fixture->root, "etc/tmpfiles.d/10-looking-glass.conf",
                    "f /dev/shm/looking-glass 0660 alex kvm -\n");
  second = host_check (fixture->root, uri);
  g_assert_cmpstr (json_object_get_string_member (find_check (second, "input.evdev"), "status"),
                   ==, "pass");
  g_assert_cmpstr (json_object_get_string_member (find_check (second, "looking_glass"), "status"),
                   ==, "pass");
  /* QEMU without dynamic ownership needs the input group */
  vmctl_test_write (fixture->root, "etc/libvirt/qemu.conf",
                    "# dynamic_ownership = 1\ndynamic_ownership = 0\n");
  third = host_check (fixture->root, uri);
  check = find_check (third, "input.evdev");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "warn");
  g_assert_nonnull (strstr (json_object_get_string_member (check, "fix"), "usermod -aG input"));
  /* no VM uses them: no rows */
  plain = scenario_uri (fixture->root, "", "");
  none = host_check (fixture->root, plain);
  g_assert_null (find_check (none, "input.evdev"));
  g_assert_null (find_check (none, "looking_glass"));
}

static void
test_host_check_kvmfr (CliFixture *fixture, gconstpointer data)
{
  /* the test driver drops qemu:commandline: vmctl's record says kvmfr */
  g_autofree gchar *uri = scenario_uri (fixture->root, "",
    "<vmctl:looking-glass width='2560' height='1440' size-mib='64' backend='kvmfr'/>");
  g_autoptr(JsonNode) unloaded = NULL;
  g_autoptr(JsonNode) no_acl = NULL;
  g_autoptr(JsonNode) ready = NULL;

  unloaded = host_check (fixture->root, uri);
  g_assert_cmpstr (json_object_get_string_member (find_check (unloaded, "looking_glass.kvmfr"),
                                                  "status"), ==, "fail");
  vmctl_test_write (fixture->root, "sys/module/kvmfr/parameters/static_size_mb", "64\n");
  no_acl = host_check (fixture->root, uri);
  g_assert_nonnull (strstr (json_object_get_string_member (find_check (no_acl,
                                                                       "looking_glass.kvmfr"),
                                                           "fix"), "cgroup_device_acl"));
  vmctl_test_write (fixture->root, "etc/libvirt/qemu.conf",
                    "cgroup_device_acl = [\n  \"/dev/null\", \"/dev/kvm\",\n  \"/dev/kvmfr0\"\n]\n");
  ready = host_check (fixture->root, uri);
  g_assert_cmpstr (json_object_get_string_member (find_check (ready, "looking_glass.kvmfr"),
                                                  "status"), ==, "pass");
}

static void
test_info_usb (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = scenario_uri (fixture->root, "",
    "<vmctl:usb vendor='045e' product='028e' port='1-3.2' bus='1' device='7'/>"
    "<vmctl:usb vendor='046d' product='c52b'/>");
  g_autoptr(VmctlTestRun) human = vmctl_test_run_vmctlv ("-c", uri, "info", "desk", NULL);
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("-c", uri, "info", "desk", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *usb;

  g_assert_cmpint (human->exit_status, ==, 0);
  g_assert_nonnull (strstr (human->out, "usb:        045e:028e at port 1-3.2 (by port"));
  g_assert_nonnull (strstr (human->out, "usb:        046d:c52b\n"));
  node = vmctl_test_parse_json (json->out);
  usb = json_object_get_array_member (json_node_get_object (node), "usb");
  g_assert_cmpuint (json_array_get_length (usb), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_demo_host_test ("/vmctl/cli-desk/rom/check", test_rom_check);
  add_demo_host_test ("/vmctl/cli-desk/input-list", test_input_list);
  add_demo_host_test ("/vmctl/cli-desk/usb-list", test_usb_list);
  add_cli_test ("/vmctl/cli-desk/gpu-check/bars", "desk", test_gpu_check_bars);
  add_cli_test ("/vmctl/cli-desk/gpu-check/reset-bug", "amd-host", test_gpu_check_reset_bug);
  add_demo_host_test ("/vmctl/cli-desk/host-check", test_host_check);
  add_demo_host_test ("/vmctl/cli-desk/host-check/kvmfr", test_host_check_kvmfr);
  add_demo_host_test ("/vmctl/cli-desk/info/usb", test_info_usb);
  return g_test_run ();
}
