/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-desk.c: issue 12's create options through the vmctl binary,
 * on copies of the demo host and the "desk" fixture: --input, --usb,
 * --looking-glass, --audio and the large-BAR and ROM checks (every new
 * XML shape validated against libvirt's schema and defined on the test
 * driver), and bad input for each option. The new commands are in
 * test-cli-desk-commands.c. */
#include "vmctl-test-cli.h"
#include "vmctl-test-domain.h"
#include "vmctl-test-rom.h"

#include <string.h>

#define RECEIVER_KBD "/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd"
#define CORSAIR_KBD "/dev/input/by-id/usb-Corsair_CORSAIR_K70_RGB_PRO_Mechanical_Gaming_" \
                    "Keyboard_0801D03CAF0B4CA9AF8F5D9A6F8D3A2B-event-kbd"
#define G502_MOUSE "/dev/input/by-id/usb-Logitech_G502_HERO_Gaming_Mouse_0E6D395D3333-event-mouse"

/* vmctl --host-root ROOT create vm ARGS... --print-xml */
static VmctlTestRun *
create (const gchar *root, const gchar * const *arguments)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, (gpointer) root);
  g_ptr_array_add (argv, (gpointer) "create");
  g_ptr_array_add (argv, (gpointer) "vm");
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, (gpointer) "--print-xml");
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

/* create that must work: its XML parsed and validated, and defined on
 * the test driver (libvirt's own parser) */
static xmlDocPtr
create_ok (const gchar *root, const gchar * const *arguments, gchar **out_err)
{
  g_autoptr(VmctlTestRun) run = create (root, arguments);
  xmlDocPtr document;

  if (run->exit_status != 0)
    g_error ("create failed, exit %d: %s", run->exit_status, run->err);
  document = vmctl_test_domain_parse (run->out);
  vmctl_test_domain_assert_validates (document);
  g_free (vmctl_test_domain_define_on_test_driver ("desk", run->out));
  if (out_err != NULL)
    *out_err = g_steal_pointer (&run->err);
  return document;
}

static void
create_fails (const gchar *root, const gchar * const *arguments, gint status,
              const gchar *fragment)
{
  g_autoptr(VmctlTestRun) run = create (root, arguments);

  g_test_message ("%s -> %s", arguments[0], run->err);
  g_assert_cmpint (run->exit_status, ==, status);
  g_assert_cmpstr (run->out, ==, "");
  vmctl_test_assert_one_error_line (run);
  if (fragment != NULL && strstr (run->err, fragment) == NULL)
    g_error ("'%s' not in: %s", fragment, run->err);
}

#define count(document, expression) vmctl_test_domain_xpath_count ((document), (expression))

/* ---- the command of the "done when" --------------------------- */

static void
test_done_when (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *err = NULL;
  g_autoptr(xmlDoc) document = create_ok (fixture->root, (const gchar *[]) {
    "--gpu", "01:00.0", "--profile", "gaming", "--input", "auto", "--usb", "046d:c52b",
    "--looking-glass=2560x1440", "--audio", "pulseaudio", NULL
  }, &err);

  /* keyboards: grab, repeat, the toggle; the mouse bare; the receiver's
   * own event devices stay out, --usb takes it whole */
  assert_xpath (document, "/domain/devices/input[@type='evdev'][1]/source/@dev", CORSAIR_KBD);
  assert_xpath (document, "/domain/devices/input[@type='evdev'][1]/source/@grab", "all");
  assert_xpath (document, "/domain/devices/input[@type='evdev'][1]/source/@repeat", "on");
  assert_xpath (document, "/domain/devices/input[@type='evdev'][1]/source/@grabToggle",
                "ctrl-ctrl");
  g_assert_cmpint (count (document, "/domain/devices/input[@type='evdev']"), ==, 3);
  g_assert_cmpint (count (document, "/domain/devices/input[@type='evdev']/source[@dev='"
                          G502_MOUSE "'][not(@grab)][not(@grabToggle)]"), ==, 1);
  g_assert_cmpint (count (document, "//input/source[contains(@dev, 'Receiver')]"), ==, 0);
  g_assert_nonnull (strstr (err, "--input auto picked"));
  /* the receiver by id */
  assert_xpath (document, "/domain/devices/hostdev[@type='usb']/source/vendor/@id", "0x046d");
  assert_xpath (document, "/domain/devices/hostdev[@type='usb']/source/product/@id", "0xc52b");
  assert_xpath (document, "/domain/devices/hostdev[@type='usb']/source/@startupPolicy",
                "optional");
  g_assert_cmpint (count (document, "/domain/devices/hostdev[@type='usb']/source/address"), ==, 0);
  /* Looking Glass: 64 MiB for 1440p, SPICE with virtio input, no tablet,
   * the GPU the only video */
  assert_xpath (document, "/domain/devices/shmem[@name='looking-glass']/model/@type",
                "ivshmem-plain");
  assert_xpath (document, "/domain/devices/shmem[@name='looking-glass']/size", "64");
  assert_xpath (document, "/domain/devices/shmem/size/@unit", "M");
  assert_xpath (document, "/domain/devices/graphics/@type", "spice");
  g_assert_cmpint (count (document, "/domain/devices/input[@type='mouse'][@bus='virtio']"), ==, 1);
  g_assert_cmpint (count (document, "/domain/devices/input[@type='keyboard'][@bus='virtio']"), ==,
                   1);
  g_assert_cmpint (count (document, "/domain/devices/input[@type='tablet']"), ==, 0);
  assert_xpath (document, "/domain/devices/video/model/@type", "none");
  g_assert_nonnull (strstr (err, "f /dev/shm/looking-glass 0660 alex kvm -"));
  /* sound: ich9 into the desktop user's PulseAudio */
  assert_xpath (document, "/domain/devices/sound/@model", "ich9");
  assert_xpath (document, "/domain/devices/sound/audio/@id", "1");
  assert_xpath (document, "/domain/devices/audio/@type", "pulseaudio");
  assert_xpath (document, "/domain/devices/audio/@serverName", "/run/user/1000/pulse/native");
  assert_xpath (document, "/domain/devices/audio/output/@mixingEngine", "no");
  assert_xpath (document, "/domain/devices/audio/output/@latency", "20000");
  /* the RTX 4080's 16 GiB BAR */
  assert_xpath (document, "/domain/cpu/maxphysaddr/@mode", "passthrough");
  g_assert_nonnull (strstr (err, "need 32 GiB of guest address space"));
  /* libvirt's device order: sound before audio before video */
  g_assert_cmpint (count (document, "/domain/devices/sound/following-sibling::audio"
                          "/following-sibling::video"), ==, 1);
  /* and vmctl's record of it */
  assert_xpath (document, "//vmctl:spec/vmctl:usb/@vendor", "046d");
  assert_xpath (document, "//vmctl:spec/vmctl:looking-glass/@size-mib", "64");
  assert_xpath (document, "//vmctl:spec/vmctl:audio/@backend", "pulseaudio");
  assert_xpath (document, "//vmctl:spec/vmctl:large-bars/@fix", "maxphysaddr");
  g_assert_cmpint (count (document, "//vmctl:spec/vmctl:input[@auto='yes']"), ==, 3);
}

/* ---- keyboard and mouse ---------------------------------------------------- */

static void
test_input_given (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = create_ok (fixture->root, (const gchar *[]) {
    "--input", "evdev=" RECEIVER_KBD, "--input-toggle", "scrolllock", NULL
  }, NULL);

  g_assert_cmpint (count (document, "/domain/devices/input[@type='evdev']"), ==, 1);
  assert_xpath (document, "/domain/devices/input[@type='evdev']/source/@grabToggle",
                "scrolllock");
  assert_xpath (document, "//vmctl:spec/vmctl:input-toggle/@keys", "scrolllock");
}

static void
test_input_bad (CliFixture *fixture, gconstpointer data)
{
  static const struct {
    const gchar *arguments[5];
    gint status;
    const gchar *fragment;
  } cases[] = {
    { { "--input", "evdev=/dev/input/by-id/usb-Nothing-event-kbd" }, 2, "no such device" },
    { { "--input", "evdev=/dev/input/event3" }, 2, "not under /dev/input/by-id" },
    { { "--input", "evdev=/dev/input/by-id/../event3-event-kbd" }, 2, "event device's name" },
    { { "--input", "keyboard" }, 2, "want evdev=" },
    { { "--input", "auto", "--input", "auto" }, 2, "given twice" },
    { { "--input", "evdev=" RECEIVER_KBD, "--input", "evdev=" RECEIVER_KBD }, 2, "given twice" },
    { { "--input-toggle", "ctrl-alt", "--input", "auto" }, 2, "want ctrl-ctrl" },
    { { "--input-toggle", "alt-alt" }, 2, "needs --input" },
    { { "--input-toggle", "alt-alt", "--input-toggle", "ctrl-ctrl" }, 2, "given twice" },
    { { "--input", "evdev=" RECEIVER_KBD, "--usb", "1-2" }, 2, "--usb gives to the guest whole" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    create_fails (fixture->root, cases[i].arguments, cases[i].status, cases[i].fragment);
  /* a keyboard unplugged since udev named it */
  vmctl_test_unlink (fixture->root, "dev/input/event5");
  create_fails (fixture->root, (const gchar *[]) { "--input", "evdev=" CORSAIR_KBD, NULL }, 2,
                "event node is gone");
}

/* ---- USB ----------------------------------------------------------------------- */

static void
test_usb_by_port (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = create_ok (fixture->root, (const gchar *[]) {
    "--usb", "1-3.2", "--usb", "0781:5581", NULL
  }, NULL);

  /* the second of two identical pads: ids and its address now */
  assert_xpath (document, "/domain/devices/hostdev[@type='usb'][1]/source/vendor/@id", "0x045e");
  assert_xpath (document, "/domain/devices/hostdev[@type='usb'][1]/source/address/@bus", "1");
  assert_xpath (document, "/domain/devices/hostdev[@type='usb'][1]/source/address/@device", "7");
  assert_xpath (document, "//vmctl:spec/vmctl:usb[1]/@port", "1-3.2");
  assert_xpath (document, "//vmctl:spec/vmctl:usb[1]/@device", "7");
  g_assert_cmpint (count (document, "/domain/devices/hostdev[@type='usb'][2]/source/address"), ==,
                   0);
  g_assert_cmpint (count (document, "//vmctl:spec/vmctl:usb[2]/@port"), ==, 0);
}

static void
test_usb_bad (CliFixture *fixture, gconstpointer data)
{
  static const struct {
    const gchar *arguments[5];
    gint status;
    const gchar *fragment;
  } cases[] = {
    { { "--usb", "045e:028e" }, 2, "at ports 1-3.1, 1-3.2" },
    { { "--usb", "1-9" }, 2, "nothing is plugged in at USB port 1-9" },
    { { "--usb", "dead:beef" }, 2, "no USB device dead:beef" },
    { { "--usb", "1-3" }, 2, "is a USB hub" },
    { { "--usb", "046d-c52b" }, 2, "neither VENDOR:PRODUCT" },
    { { "--usb", "46d:c52b" }, 2, "neither VENDOR:PRODUCT" },
    { { "--usb", "1-2", "--usb", "046d:c52b" }, 2, "same device as an earlier --usb" },
    { { "--usb", "1-2", "--usb", "1-2" }, 2, "given twice" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    create_fails (fixture->root, cases[i].arguments, cases[i].status, cases[i].fragment);
}

/* ---- Looking Glass -------------------------------------------------------------- */

static void
test_looking_glass_sizes (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) plain = create_ok (fixture->root, (const gchar *[]) {
    "--looking-glass", NULL
  }, NULL);
  g_autoptr(xmlDoc) hdr = create_ok (fixture->root, (const gchar *[]) {
    "--looking-glass=3840x2160,hdr", NULL
  }, NULL);

  assert_xpath (plain, "/domain/devices/shmem/size", "32");
  assert_xpath (plain, "//vmctl:looking-glass/@width", "1920");
  assert_xpath (hdr, "/domain/devices/shmem/size", "256");
  assert_xpath (hdr, "//vmctl:looking-glass/@hdr", "yes");
  create_fails (fixture->root, (const gchar *[]) { "--looking-glass=big", NULL }, 2,
                "want WIDTHxHEIGHT");
  create_fails (fixture->root, (const gchar *[]) { "--looking-glass=100x100", NULL }, 2,
                "no screen Looking Glass captures");
  create_fails (fixture->root, (const gchar *[]) { "--looking-glass=99999x1080", NULL }, 2,
                "no screen Looking Glass captures");
  create_fails (fixture->root, (const gchar *[]) { "--looking-glass=1920x1080x2", NULL }, 2,
                "want WIDTHxHEIGHT");
  create_fails (fixture->root, (const gchar *[]) { "--looking-glass=1920x1080,sdr", NULL }, 2,
                "want WIDTHxHEIGHT");
  create_fails (fixture->root, (const gchar *[]) {
    "--looking-glass", "--looking-glass=2560x1440", NULL
  }, 2, "--looking-glass given twice");
}

static void
test_looking_glass_kvmfr (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlDoc) small = NULL;
  g_autofree gchar *err = NULL;

  vmctl_test_write (fixture->root, "sys/module/kvmfr/parameters/static_size_mb", "64\n");
  document = create_ok (fixture->root, (const gchar *[]) { "--looking-glass=2560x1440", NULL },
                        &err);
  g_assert_cmpint (count (document, "/domain/devices/shmem"), ==, 0);
  g_assert_cmpint (count (document, "/domain/*[local-name()='commandline']/*[local-name()='arg']"
                          "[@value='-object']"), ==, 1);
  g_assert_cmpint (count (document, "//*[local-name()='arg'][contains(@value, "
                          "\"'mem-path':'/dev/kvmfr0','size':67108864\")]"), ==, 1);
  assert_xpath (document, "//vmctl:looking-glass/@backend", "kvmfr");
  g_assert_nonnull (strstr (err, "cgroup_device_acl"));
  /* too small for 4K: /dev/shm, and why */
  small = create_ok (fixture->root, (const gchar *[]) { "--looking-glass=3840x2160", NULL }, NULL);
  assert_xpath (small, "/domain/devices/shmem/size", "128");
}

/* ---- audio ------------------------------------------------------------------------ */

static void
test_audio_backends (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) jack = create_ok (fixture->root, (const gchar *[]) { "--audio", "jack", NULL },
                                      NULL);
  g_autoptr(xmlDoc) spice = create_ok (fixture->root, (const gchar *[]) {
    "--gpu", "01:00.0", "--profile", "gaming", "--looking-glass", "--audio", "spice", NULL
  }, NULL);
  g_autoptr(xmlDoc) none = create_ok (fixture->root, (const gchar *[]) { "--audio", "none", NULL },
                                      NULL);
  g_autoptr(xmlDoc) gaming = create_ok (fixture->root, (const gchar *[]) {
    "--gpu", "01:00.0", "--profile", "gaming", NULL
  }, NULL);
  g_autoptr(VmctlTestRun) pipewire = create (fixture->root, (const gchar *[]) {
    "--audio", "pipewire", NULL
  });
  g_autoptr(xmlDoc) pipewire_document = NULL;

  assert_xpath (jack, "/domain/devices/audio/@type", "jack");
  assert_xpath (jack, "/domain/devices/audio/output/@clientName", "vm");
  assert_xpath (spice, "/domain/devices/audio/@type", "spice");
  g_assert_cmpint (count (none, "/domain/devices/sound"), ==, 0);
  /* the gaming profile's auto: the desktop user's server under the host root */
  assert_xpath (gaming, "/domain/devices/audio/@type", "pulseaudio");
  /* PipeWire where libvirt's version is unknown (a host root): written as
   * asked, though this machine's libvirt 9.0 schema predates it */
  g_assert_cmpint (pipewire->exit_status, ==, 0);
  pipewire_document = vmctl_test_domain_parse (pipewire->out);
  assert_xpath (pipewire_document, "/domain/devices/audio/@type", "pipewire");
  assert_xpath (pipewire_document, "/domain/devices/audio/@runtimeDir", "/run/user/1000");
  create_fails (fixture->root, (const gchar *[]) { "--audio", "alsa", NULL }, 2, "want pulseaudio");
  create_fails (fixture->root, (const gchar *[]) {
    "--gpu", "01:00.0", "--profile", "gaming", "--audio", "spice", NULL
  }, 2, "plays through the SPICE display");
  create_fails (fixture->root, (const gchar *[]) { "--audio", "jack", "--audio", "none", NULL }, 2,
                "--audio given twice");
}

/* ---- large BARs and several GPUs ------------------------------------------------- */

static void
test_large_bars (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *err = NULL;
  g_autoptr(xmlDoc) two = create_ok (fixture->root, (const gchar *[]) {
    "--gpu", "01:00.0", "--gpu", "02:00.0", "--profile", "gaming", NULL
  }, &err);
  g_autoptr(xmlDoc) tcg = create_ok (fixture->root, (const gchar *[]) {
    "--gpu", "02:00.0", "--virt-type", "qemu", NULL
  }, NULL);
  g_autoptr(VmctlTestRun) bios = create (fixture->root, (const gchar *[]) {
    "--gpu", "02:00.0", "--firmware", "bios", NULL
  });
  g_autoptr(xmlDoc) small = create_ok (fixture->root, (const gchar *[]) {
    "--hostdev", "01:00.1", NULL
  }, NULL);

  /* 32 GiB for the 4080, 64 GiB for the 3090 */
  assert_xpath (two, "/domain/cpu/maxphysaddr/@mode", "passthrough");
  assert_xpath (two, "//vmctl:large-bars/@window-bytes", "103079215104");
  g_assert_nonnull (strstr (err, "Resizable BAR, up to 32 GiB"));
  /* TCG's CPU is no host-passthrough: OVMF's own knob, twice the window */
  g_assert_cmpint (count (tcg, "/domain/cpu/maxphysaddr"), ==, 0);
  g_assert_cmpint (count (tcg, "//*[local-name()='arg'][@value='-fw_cfg']"), ==, 1);
  g_assert_cmpint (count (tcg, "//*[local-name()='arg']"
                          "[@value='name=opt/ovmf/X-PciMmio64Mb,string=131072']"), ==, 1);
  assert_xpath (tcg, "//vmctl:large-bars/@fix", "mmio64");
  g_assert_cmpint (bios->exit_status, ==, 0);
  g_assert_nonnull (strstr (bios->err, "SeaBIOS cannot map"));
  g_assert_null (strstr (bios->out, "maxphysaddr"));
  /* the audio function's 16 KiB need nothing */
  g_assert_cmpint (count (small, "/domain/cpu/maxphysaddr"), ==, 0);
}

/* ---- vBIOS ---------------------------------------------------------------------- */

static void
test_rom_create (CliFixture *fixture, gconstpointer data)
{
  static const struct {
    guint16 device;
    VmctlTestRomFlags flags;
    const gchar *fragment;
  } bad[] = {
    { 0x2204, VMCTL_TEST_ROM_VALID, "the ROM is for PCI device 10de:2204, the GPU at 0000:01:00.0 "
                                    "is 10de:2704" },
    { 0x2704, VMCTL_TEST_ROM_NVIDIA_HEADER, "--strip OUT" },
    { 0x2704, VMCTL_TEST_ROM_BAD_CHECKSUM, "bad checksum" },
    { 0x2704, VMCTL_TEST_ROM_TRUNCATED, "truncated" },
  };
  g_autofree gchar *good = vmctl_test_rom_write (fixture->root, "good.rom", 0x10de, 0x2704,
                                                 VMCTL_TEST_ROM_VALID);
  g_autofree gchar *gpu = g_strconcat ("01:00.0,rom=", good, NULL);
  g_autoptr(xmlDoc) document = create_ok (fixture->root, (const gchar *[]) { "--gpu", gpu, NULL },
                                          NULL);

  assert_xpath (document, "/domain/devices/hostdev[@type='pci'][1]/rom/@file", good);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree gchar *name = g_strdup_printf ("bad-%" G_GSIZE_FORMAT ".rom", i);
    g_autofree gchar *rom = vmctl_test_rom_write (fixture->root, name, 0x10de, bad[i].device,
                                                  bad[i].flags);
    g_autofree gchar *option = g_strconcat ("01:00.0,rom=", rom, NULL);

    create_fails (fixture->root, (const gchar *[]) { "--gpu", option, NULL }, 2, bad[i].fragment);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_demo_host_test ("/vmctl/cli-desk/done-when", test_done_when);
  add_demo_host_test ("/vmctl/cli-desk/input/given", test_input_given);
  add_demo_host_test ("/vmctl/cli-desk/input/bad", test_input_bad);
  add_cli_test ("/vmctl/cli-desk/usb/by-port", "desk", test_usb_by_port);
  add_cli_test ("/vmctl/cli-desk/usb/bad", "desk", test_usb_bad);
  add_demo_host_test ("/vmctl/cli-desk/looking-glass/sizes", test_looking_glass_sizes);
  add_demo_host_test ("/vmctl/cli-desk/looking-glass/kvmfr", test_looking_glass_kvmfr);
  add_demo_host_test ("/vmctl/cli-desk/audio/backends", test_audio_backends);
  add_cli_test ("/vmctl/cli-desk/large-bars", "desk", test_large_bars);
  add_demo_host_test ("/vmctl/cli-desk/rom/create", test_rom_create);
  return g_test_run ();
}
