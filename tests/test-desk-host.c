/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-desk-host.c: what issue 12 reads from a host, on copies of the
 * "desk" and "amd-host" fixtures and on ROM images built here: BAR sizes
 * and Resizable BAR, ROM images with each defect, the USB topology and
 * its lookups, /dev/input/by-id, the reset-bug state and a card that does
 * not answer, and Looking Glass's memory size. */
#include "vmctl-input.h"
#include "vmctl-pci-bars.h"
#include "vmctl-pci-rom.h"
#include "vmctl-reset-check.h"
#include "vmctl-spec-desk.h"
#include "vmctl-test-rom.h"
#include "vmctl-test-util.h"
#include "vmctl-usb.h"

#include <string.h>

#define GIB (G_GUINT64_CONSTANT (1) << 30)
#define MIB (G_GUINT64_CONSTANT (1) << 20)

typedef struct {
  gchar *root;
  VmctlHost *host;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->root = vmctl_test_copy_scenario (data);
  fixture->host = vmctl_host_new (fixture->root, NULL);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static VmctlPciAddress
address (const gchar *text)
{
  VmctlPciAddress parsed;

  g_assert_true (vmctl_pci_address_parse (text, &parsed, NULL));
  return parsed;
}

/* ---- BARs -------------------------------------------------------------- */

static void
test_bars_large (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress gpu = address ("0000:01:00.0");
  VmctlPciAddress big = address ("0000:02:00.0");
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPciBars) bars = vmctl_pci_bars_read (fixture->host, &gpu, &error);
  g_autoptr(VmctlPciBars) bars_3090 = vmctl_pci_bars_read (fixture->host, &big, &error);
  const VmctlPciBar *bar;
  const VmctlPciRebar *rebar;

  g_assert_no_error (error);
  /* BAR 0 32-bit 16 MiB, BAR 1 16 GiB and BAR 3 32 MiB, both 64-bit prefetchable */
  g_assert_cmpuint (bars->bars->len, ==, 3);
  bar = &g_array_index (bars->bars, VmctlPciBar, 1);
  g_assert_cmpuint (bar->index, ==, 1);
  g_assert_cmpuint (bar->size, ==, 16 * GIB);
  g_assert_true (bar->is_64bit);
  g_assert_true (bar->prefetchable);
  g_assert_false (g_array_index (bars->bars, VmctlPciBar, 0).is_64bit);
  g_assert_true (bars->extended_config);
  g_assert_cmpuint (bars->rebar->len, ==, 1);
  rebar = &g_array_index (bars->rebar, VmctlPciRebar, 0);
  g_assert_cmpuint (rebar->bar, ==, 1);
  g_assert_cmpuint (rebar->current, ==, 16 * GIB);
  g_assert_cmpuint (rebar->largest, ==, 16 * GIB);
  /* 64 MiB up to 16 GiB: bits 6 to 14 */
  g_assert_cmpuint (rebar->supported, ==, 0x7fc0);
  /* 16 GiB + 32 MiB, in a window aligned to a power of two */
  g_assert_cmpuint (vmctl_pci_bars_window (bars), ==, 32 * GIB);
  g_assert_cmpuint (vmctl_pci_bars_largest (bars), ==, 16 * GIB);
  g_assert_cmpuint (vmctl_pci_bars_window (bars_3090), ==, 64 * GIB);
  g_assert_cmpuint (g_array_index (bars_3090->rebar, VmctlPciRebar, 0).largest, ==, 32 * GIB);
}

static void
test_bars_plain (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress audio = address ("0000:01:00.1");
  g_autoptr(VmctlPciBars) bars = vmctl_pci_bars_read (fixture->host, &audio, NULL);

  /* a 256-byte config (what a non-root reader gets): ReBAR unknown */
  g_assert_nonnull (bars);
  g_assert_false (bars->extended_config);
  g_assert_cmpuint (bars->rebar->len, ==, 0);
  g_assert_cmpuint (vmctl_pci_bars_window (bars), ==, 0);
}

static void
test_bars_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPciBars) bars = vmctl_pci_bars_parse ("0x1000 junk\n", NULL, 0, &error);
  g_autofree gchar *size = vmctl_pci_size_format (32 * MIB);
  g_autofree gchar *odd = vmctl_pci_size_format (3 * MIB / 2);

  g_assert_null (bars);
  g_assert_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_UNREADABLE);
  g_assert_cmpstr (size, ==, "32 MiB");
  g_assert_cmpstr (odd, ==, "1.5 MiB");
  g_assert_cmpuint (vmctl_pci_round_up_power_of_two (17 * GIB), ==, 32 * GIB);
}

/* ---- ROM images ---------------------------------------------------------- */

static VmctlRom *
parse_rom (guint16 vendor, guint16 device, VmctlTestRomFlags flags)
{
  g_autoptr(GBytes) bytes = vmctl_test_rom_build (vendor, device, flags);
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  gconstpointer data = g_bytes_get_data (bytes, &length);
  VmctlRom *rom = vmctl_rom_parse (data, length, &error);

  g_assert_no_error (error);
  return rom;
}

static gboolean
any_contains (GPtrArray *lines, const gchar *needle)
{
  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_rom_valid (void)
{
  g_autoptr(VmctlRom) rom = parse_rom (0x10de, 0x2704, VMCTL_TEST_ROM_VALID);
  const VmctlRomImage *legacy = &g_array_index (rom->images, VmctlRomImage, 0);
  const VmctlRomImage *efi = &g_array_index (rom->images, VmctlRomImage, 1);

  g_assert_cmpuint (rom->problems->len, ==, 0);
  g_assert_cmpuint (rom->warnings->len, ==, 0);
  g_assert_cmpuint (rom->header_length, ==, 0);
  g_assert_cmpuint (rom->images->len, ==, 2);
  g_assert_cmpuint (legacy->code_type, ==, VMCTL_ROM_CODE_X86);
  g_assert_true (legacy->checksum_ok);
  g_assert_false (legacy->last);
  g_assert_cmphex (legacy->vendor_id, ==, 0x10de);
  g_assert_cmphex (legacy->device_id, ==, 0x2704);
  g_assert_cmphex (legacy->class_code, ==, 0x030000);
  g_assert_cmpuint (efi->code_type, ==, VMCTL_ROM_CODE_EFI);
  g_assert_cmphex (efi->efi_machine, ==, 0x8664);
  g_assert_true (efi->last);
  g_assert_true (vmctl_rom_has_type (rom, VMCTL_ROM_CODE_EFI));
  vmctl_rom_check_device (rom, 0x10de, 0x2704, "the GPU");
  g_assert_cmpuint (rom->problems->len, ==, 0);
}

static void
test_rom_wrong_device (void)
{
  g_autoptr(VmctlRom) rom = parse_rom (0x10de, 0x2204, VMCTL_TEST_ROM_VALID);

  vmctl_rom_check_device (rom, 0x10de, 0x2704, "the GPU at 0000:01:00.0");
  g_assert_cmpuint (rom->problems->len, ==, 1);
  g_assert_true (any_contains (rom->problems, "for PCI device 10de:2204"));
  g_assert_true (any_contains (rom->problems, "0000:01:00.0 is 10de:2704"));
}

static void
test_rom_nvidia_header (void)
{
  g_autoptr(VmctlRom) rom = parse_rom (0x10de, 0x2704, VMCTL_TEST_ROM_NVIDIA_HEADER);

  g_assert_cmpuint (rom->header_length, ==, VMCTL_TEST_ROM_HEADER_LENGTH);
  g_assert_true (rom->nvidia_header);
  g_assert_cmpuint (rom->images->len, ==, 2);
  g_assert_cmpuint (rom->end, ==, VMCTL_TEST_ROM_HEADER_LENGTH + 2 * VMCTL_TEST_ROM_IMAGE_LENGTH);
  g_assert_true (any_contains (rom->problems, "NVIDIA flash tool's header"));
  g_assert_true (any_contains (rom->problems, "--strip"));
}

static void
test_rom_bad_checksum (void)
{
  g_autoptr(VmctlRom) rom = parse_rom (0x1002, 0x67df, VMCTL_TEST_ROM_BAD_CHECKSUM);

  g_assert_false (g_array_index (rom->images, VmctlRomImage, 0).checksum_ok);
  g_assert_cmpuint (rom->problems->len, ==, 1);
  g_assert_true (any_contains (rom->problems, "bad checksum"));
}

static void
test_rom_truncated (void)
{
  g_autoptr(VmctlRom) rom = parse_rom (0x10de, 0x2704, VMCTL_TEST_ROM_TRUNCATED);

  g_assert_true (any_contains (rom->problems, "truncated: image 2 (EFI"));
}

static void
test_rom_legacy_only (void)
{
  g_autoptr(VmctlRom) rom = parse_rom (0x10de, 0x2704, VMCTL_TEST_ROM_LEGACY_ONLY);

  g_assert_cmpuint (rom->problems->len, ==, 0);
  g_assert_false (vmctl_rom_has_type (rom, VMCTL_ROM_CODE_EFI));
  g_assert_true (any_contains (rom->warnings, "no EFI image"));
}

static void
test_rom_not_rom (void)
{
  static const guint8 junk[] = "not a ROM at all, just text";
  static const guint8 no_pcir[64] = { 0x55, 0xaa, 0x01 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) second = NULL;
  g_autoptr(GError) third = NULL;
  g_autofree guint8 *huge = g_malloc0 (VMCTL_ROM_MAX_SIZE + 1);

  g_assert_null (vmctl_rom_parse (junk, sizeof junk, &error));
  g_assert_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_NOT_ROM);
  g_assert_null (vmctl_rom_parse (no_pcir, sizeof no_pcir, &second));
  g_assert_error (second, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_NOT_ROM);
  g_assert_nonnull (strstr (second->message, "no valid PCIR"));
  g_assert_null (vmctl_rom_parse (huge, VMCTL_ROM_MAX_SIZE + 1, &third));
  g_assert_error (third, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_TOO_LARGE);
}

/* ---- USB ------------------------------------------------------------------- */

static void
test_usb_topology (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlUsbTopology) topology = vmctl_usb_topology_read (fixture->host, &error);
  VmctlPciAddress xhci = address ("0000:00:14.0");
  g_autoptr(GPtrArray) behind = NULL;
  const VmctlUsbBus *bus;
  const VmctlUsbDevice *device;

  g_assert_no_error (error);
  g_assert_cmpuint (topology->buses->len, ==, 2);
  bus = g_ptr_array_index (topology->buses, 0);
  g_assert_cmpuint (bus->bus, ==, 1);
  g_assert_cmpuint (bus->ports, ==, 16);
  g_assert_cmpstr (bus->speed, ==, "480");
  g_assert_true (bus->has_controller);
  g_assert_true (vmctl_pci_address_equal (&bus->controller, &xhci));
  /* by bus, then port path: 1-1 1-2 1-3 1-3.1 1-3.2 1-4 2-1 */
  g_assert_cmpuint (topology->devices->len, ==, 7);
  device = g_ptr_array_index (topology->devices, 3);
  g_assert_cmpstr (device->name, ==, "1-3.1");
  g_assert_cmpstr (device->port, ==, "3.1");
  g_assert_cmpuint (device->devnum, ==, 6);
  g_assert_cmphex (device->vendor_id, ==, 0x045e);
  g_assert_cmphex (device->product_id, ==, 0x028e);
  device = g_ptr_array_index (topology->devices, 2);
  g_assert_cmpuint (device->device_class, ==, VMCTL_USB_CLASS_HUB);
  device = g_ptr_array_index (topology->devices, 6);
  g_assert_cmpstr (device->name, ==, "2-1");
  g_assert_true (vmctl_usb_device_has_class (device, VMCTL_USB_CLASS_STORAGE));
  device = g_ptr_array_index (topology->devices, 1);
  g_assert_cmpuint (device->interface_classes->len, ==, 3);
  g_assert_true (vmctl_usb_device_has_class (device, VMCTL_USB_CLASS_HID));
  {
    g_autofree gchar *description = vmctl_usb_device_describe (device);

    g_assert_cmpstr (description, ==, "Logitech USB Receiver");
  }
  behind = vmctl_usb_topology_devices_of (topology, &xhci);
  g_assert_cmpuint (behind->len, ==, 7);
}

static void
test_usb_find (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlUsbTopology) topology = vmctl_usb_topology_read (fixture->host, NULL);
  g_auto(VmctlUsbSelector) by_id = { 0 };
  g_auto(VmctlUsbSelector) by_port = { 0 };
  g_auto(VmctlUsbSelector) twins = { 0 };
  g_auto(VmctlUsbSelector) empty = { 0 };
  g_autoptr(GError) error = NULL;
  const VmctlUsbDevice *device;

  g_assert_true (vmctl_usb_selector_parse ("046D:C52B", &by_id, NULL));
  device = vmctl_usb_topology_find (topology, &by_id, NULL);
  g_assert_cmpstr (device->name, ==, "1-2");
  /* two identical pads: only their ports tell them apart */
  g_assert_true (vmctl_usb_selector_parse ("1-3.2", &by_port, NULL));
  g_assert_true (by_port.by_port);
  device = vmctl_usb_topology_find (topology, &by_port, NULL);
  g_assert_cmpuint (device->devnum, ==, 7);
  g_assert_true (vmctl_usb_selector_parse ("045e:028e", &twins, NULL));
  g_assert_null (vmctl_usb_topology_find (topology, &twins, &error));
  g_assert_error (error, VMCTL_USB_ERROR, VMCTL_USB_ERROR_AMBIGUOUS);
  g_assert_nonnull (strstr (error->message, "1-3.1, 1-3.2"));
  g_clear_error (&error);
  g_assert_true (vmctl_usb_selector_parse ("1-9", &empty, NULL));
  g_assert_null (vmctl_usb_topology_find (topology, &empty, &error));
  g_assert_error (error, VMCTL_USB_ERROR, VMCTL_USB_ERROR_NOT_FOUND);
}

static void
test_usb_selector_bad (void)
{
  static const gchar * const bad[] = {
    "", "046d", "046d:c52", "046d:c52bb", "g46d:c52b", "1", "1-", "0-1", "1-0", "1-2.",
    "1-2..3", "-2", "1-2.3.4.5.6.7.8.9", "1-1000", "usb1", "1-2:1.0", "../1-2", NULL,
  };

  for (guint i = 0; bad[i] != NULL; i++) {
    g_auto(VmctlUsbSelector) selector = { 0 };
    g_autoptr(GError) error = NULL;

    g_test_message ("'%s'", bad[i]);
    g_assert_false (vmctl_usb_selector_parse (bad[i], &selector, &error));
    g_assert_error (error, VMCTL_USB_ERROR, VMCTL_USB_ERROR_INVALID);
  }
}

/* ---- input ----------------------------------------------------------------- */

static const VmctlInputDevice *
find_input (GPtrArray *devices, const gchar *suffix)
{
  for (guint i = 0; i < devices->len; i++) {
    const VmctlInputDevice *device = g_ptr_array_index (devices, i);

    if (g_str_has_suffix (device->name, suffix))
      return device;
  }
  g_error ("no input device ending in %s", suffix);
}

static void
test_input_list (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = vmctl_input_list (fixture->host, &error);
  const VmctlInputDevice *device;

  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 5);
  /* keyboards first */
  device = g_ptr_array_index (devices, 0);
  g_assert_cmpint (device->kind, ==, VMCTL_INPUT_KEYBOARD);
  device = find_input (devices, "Receiver-if01-event-mouse");
  g_assert_cmpint (device->kind, ==, VMCTL_INPUT_MOUSE);
  g_assert_cmpstr (device->event, ==, "event5");
  g_assert_true (device->exists);
  g_assert_cmpstr (device->usb_device, ==, "1-2");
  /* udev's one name for two identical pads names the second */
  device = find_input (devices, "Controller-event-joystick");
  g_assert_cmpint (device->kind, ==, VMCTL_INPUT_GAMEPAD);
  g_assert_cmpstr (device->usb_device, ==, "1-3.2");
  /* unplugged: the link dangles */
  vmctl_test_unlink (fixture->root, "dev/input/event3");
  g_clear_pointer (&devices, g_ptr_array_unref);
  devices = vmctl_input_list (fixture->host, NULL);
  device = find_input (devices, "CHERRY_Mechanical_Keyboard-event-kbd");
  g_assert_false (device->exists);
}

static void
test_input_path_bad (void)
{
  static const gchar * const bad[] = {
    "/dev/input/event3", "/dev/input/by-id/", "/dev/input/by-id/x-kbd",
    "/dev/input/by-id/../event3-event-kbd", "/dev/input/by-id/a/b-event-kbd",
    "/dev/input/by-id/.hidden-event-kbd", "/dev/input/by-id/a b-event-kbd",
    "/dev/input/by-id/a\001-event-kbd", "/dev/input/by-path/pci-0-event-kbd", "relative-event-kbd",
    NULL,
  };

  for (guint i = 0; bad[i] != NULL; i++) {
    g_autoptr(GError) error = NULL;

    g_test_message ("'%s'", bad[i]);
    g_assert_false (vmctl_input_check_path (bad[i], &error));
    g_assert_error (error, VMCTL_INPUT_ERROR, VMCTL_INPUT_ERROR_INVALID);
  }
  g_assert_true (vmctl_input_check_path ("/dev/input/by-id/usb-\xc2\xa9Microsoft_Corporation_"
                                         "Controller-event-joystick", NULL));
  g_assert_cmpint (vmctl_input_kind_from_name ("usb-x-if02-event-kbd"), ==, VMCTL_INPUT_KEYBOARD);
  g_assert_cmpint (vmctl_input_kind_from_name ("usb-x-event-if01"), ==, VMCTL_INPUT_OTHER);
}

/* ---- the reset bug ------------------------------------------------------- */

static void
test_reset_state (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *list = vmctl_test_source_path ("data/quirks/reset-bug.conf");
  g_autoptr(VmctlQuirks) quirks = vmctl_quirks_load (list, NULL);
  VmctlPciDevice polaris = { 0 };
  VmctlPciDevice navi = { 0 };
  g_auto(VmctlResetState) state = { 0 };
  g_auto(VmctlResetState) covered = { 0 };
  g_auto(VmctlResetState) wrong = { 0 };
  g_autofree gchar *sentence = NULL;

  polaris.address = address ("0000:0e:00.0");
  polaris.vendor_id = 0x1002;
  polaris.device_id = 0x67df;
  navi.address = address ("0000:0c:00.0");
  navi.vendor_id = 0x1002;
  navi.device_id = 0x73bf;
  g_assert_false (vmctl_reset_state_read (fixture->host, &navi, quirks, &state));
  g_assert_true (vmctl_reset_state_read (fixture->host, &polaris, quirks, &state));
  g_assert_cmpint (state.vendor_reset, ==, VMCTL_TRISTATE_NO);
  g_assert_cmpint (state.device_specific, ==, VMCTL_TRISTATE_NO);
  sentence = vmctl_reset_state_describe (&state, &polaris.address, 0x1002, 0x67df);
  g_assert_nonnull (strstr (sentence, "vendor_reset module is not loaded"));
  g_assert_nonnull (strstr (sentence, "echo device_specific > /sys/bus/pci/devices/0000:0e:00.0/reset_method"));
  g_assert_nonnull (strstr (sentence, "ATTR{device}==\"0x67df\""));

  /* vendor-reset loaded, but the kernel still resets by bus */
  vmctl_test_write (fixture->root, "sys/module/vendor_reset/initstate", "live\n");
  g_assert_true (vmctl_reset_state_read (fixture->host, &polaris, quirks, &wrong));
  g_assert_cmpint (wrong.vendor_reset, ==, VMCTL_TRISTATE_YES);
  g_assert_cmpint (wrong.device_specific, ==, VMCTL_TRISTATE_NO);
  g_clear_pointer (&sentence, g_free);
  sentence = vmctl_reset_state_describe (&wrong, &polaris.address, 0x1002, 0x67df);
  g_assert_nonnull (strstr (sentence, "without device_specific first"));

  vmctl_test_write (fixture->root, "sys/bus/pci/devices/0000:0e:00.0/reset_method",
                    "device_specific bus\n");
  g_assert_true (vmctl_reset_state_read (fixture->host, &polaris, quirks, &covered));
  g_assert_cmpint (covered.device_specific, ==, VMCTL_TRISTATE_YES);
  g_clear_pointer (&sentence, g_free);
  sentence = vmctl_reset_state_describe (&covered, &polaris.address, 0x1002, 0x67df);
  g_assert_nonnull (strstr (sentence, "reset the way vendor-reset knows"));
}

static void
test_reset_answers (Fixture *fixture, gconstpointer data)
{
  VmctlPciAddress card = address ("0000:0e:00.0");
  g_autofree gchar *config = g_build_filename (fixture->root,
                                               "sys/bus/pci/devices/0000:0e:00.0/config", NULL);
  g_autofree gchar *contents = NULL;
  g_autofree gchar *advice = NULL;
  gsize length = 0;

  g_assert_cmpint (vmctl_reset_check_answers (fixture->host, &card), ==, VMCTL_TRISTATE_YES);
  /* a card that did not come back reads all ones */
  g_assert_true (g_file_get_contents (config, &contents, &length, NULL));
  memset (contents, 0xff, length);
  g_assert_true (g_file_set_contents (config, contents, (gssize) length, NULL));
  g_assert_cmpint (vmctl_reset_check_answers (fixture->host, &card), ==, VMCTL_TRISTATE_NO);
  advice = vmctl_reset_dead_advice (&card);
  g_assert_nonnull (strstr (advice, "echo 1 > /sys/bus/pci/devices/0000:0e:00.0/remove"));
  g_assert_nonnull (strstr (advice, "echo 1 > /sys/bus/pci/rescan"));
  g_assert_nonnull (strstr (advice, "vmctl does not do this for you"));
  vmctl_test_unlink (fixture->root, "sys/bus/pci/devices/0000:0e:00.0/config");
  g_assert_cmpint (vmctl_reset_check_answers (fixture->host, &card), ==, VMCTL_TRISTATE_UNKNOWN);
}

/* ---- Looking Glass ---------------------------------------------------------- */

static void
test_looking_glass_size (void)
{
  /* Looking Glass's documented examples */
  g_assert_cmpuint (vmctl_looking_glass_size_mib (1920, 1080, FALSE), ==, 32);
  g_assert_cmpuint (vmctl_looking_glass_size_mib (2560, 1440, FALSE), ==, 64);
  g_assert_cmpuint (vmctl_looking_glass_size_mib (3840, 2160, FALSE), ==, 128);
  /* HDR: 8 bytes a pixel */
  g_assert_cmpuint (vmctl_looking_glass_size_mib (1920, 1080, TRUE), ==, 64);
  g_assert_cmpuint (vmctl_looking_glass_size_mib (3840, 2160, TRUE), ==, 256);
  g_assert_cmpuint (vmctl_looking_glass_size_mib (7680, 4320, TRUE), ==, 1024);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vmctl/desk/bars/large", Fixture, "desk", setup, test_bars_large, teardown);
  g_test_add ("/vmctl/desk/bars/plain", Fixture, "desk", setup, test_bars_plain, teardown);
  g_test_add_func ("/vmctl/desk/bars/malformed", test_bars_malformed);
  g_test_add_func ("/vmctl/desk/rom/valid", test_rom_valid);
  g_test_add_func ("/vmctl/desk/rom/wrong-device", test_rom_wrong_device);
  g_test_add_func ("/vmctl/desk/rom/nvidia-header", test_rom_nvidia_header);
  g_test_add_func ("/vmctl/desk/rom/bad-checksum", test_rom_bad_checksum);
  g_test_add_func ("/vmctl/desk/rom/truncated", test_rom_truncated);
  g_test_add_func ("/vmctl/desk/rom/legacy-only", test_rom_legacy_only);
  g_test_add_func ("/vmctl/desk/rom/not-rom", test_rom_not_rom);
  g_test_add ("/vmctl/desk/usb/topology", Fixture, "desk", setup, test_usb_topology, teardown);
  g_test_add ("/vmctl/desk/usb/find", Fixture, "desk", setup, test_usb_find, teardown);
  g_test_add_func ("/vmctl/desk/usb/selector-bad", test_usb_selector_bad);
  g_test_add ("/vmctl/desk/input/list", Fixture, "desk", setup, test_input_list, teardown);
  g_test_add_func ("/vmctl/desk/input/path-bad", test_input_path_bad);
  g_test_add ("/vmctl/desk/reset/state", Fixture, "amd-host", setup, test_reset_state, teardown);
  g_test_add ("/vmctl/desk/reset/answers", Fixture, "amd-host", setup, test_reset_answers,
              teardown);
  g_test_add_func ("/vmctl/desk/looking-glass/size", test_looking_glass_size);
  return g_test_run ();
}
