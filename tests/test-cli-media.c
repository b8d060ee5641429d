/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-media.c: issue 11 through the binary. create's install and
 * boot options (repeatable --cdrom, bus= and cache=, --boot, --kernel,
 * --os from libosinfo's real database, --drivers auto) with their bad
 * input, the serial console on every profile, what --print-xml writes for
 * them (validated against libvirt's schema and defined on the test
 * driver), vmctl os list, and console, display and info on the test
 * driver's tests/data/libvirt/media.xml. */
#include "vmctl-test-cli.h"
#include "vmctl-test-domain.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  gchar *root;                /* a copy of tests/data/sysfs/clean-gpu-audio */
  gchar *media;               /* a directory of ISO images */
} MediaFixture;

/* An ISO 9660 image header: the primary volume descriptor at 32 KiB with
 * @volume_id, as virtio-win's ISOs carry "virtio-win-0.1.240". */
static gchar *
make_iso (const gchar *directory, const gchar *name, const gchar *volume_id)
{
  g_autofree gchar *path = g_build_filename (directory, name, NULL);
  gchar *image = g_malloc0 (36 * 1024);
  g_autoptr(GError) error = NULL;

  image[32768] = 1;
  memcpy (image + 32769, "CD001", 5);
  image[32774] = 1;
  memset (image + 32768 + 40, ' ', 32);
  if (volume_id != NULL)
    memcpy (image + 32768 + 40, volume_id, strlen (volume_id));
  g_file_set_contents (path, image, 36 * 1024, &error);
  g_assert_no_error (error);
  g_free (image);
  return g_steal_pointer (&path);
}

static void
media_setup (MediaFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario ("clean-gpu-audio");
  fixture->media = g_dir_make_tmp ("vmctl-media-XXXXXX", &error);
  g_assert_no_error (error);
  g_free (make_iso (fixture->media, "Win11_English_x64.iso", "CCCOMA_X64FRE_EN-US_DV9"));
  g_free (make_iso (fixture->media, "debian-12-netinst.iso", "Debian 12 amd64 n"));
  g_free (make_iso (fixture->media, "virtio-win-0.1.240.iso", "virtio-win-0.1.240"));
  /* a driver ISO known by its volume ID alone */
  g_free (make_iso (fixture->media, "drivers.iso", "virtio-win-0.1.229"));
  /* libvirt lists the TPM emulator only where swtpm is installed */
  vmctl_test_write (fixture->root, "usr/bin/swtpm", "#!/bin/sh\n");
}

static void
media_teardown (MediaFixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->media);
  g_free (fixture->root);
  g_free (fixture->media);
}

static gchar *
iso (MediaFixture *fixture, const gchar *name)
{
  return g_build_filename (fixture->media, name, NULL);
}

/* "vmctl --host-root ROOT create NAME ARGS..." */
static VmctlTestRun *
create (MediaFixture *fixture, const gchar * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, fixture->root);
  g_ptr_array_add (argv, (gpointer) "create");
  g_ptr_array_add (argv, (gpointer) "vm");
  g_ptr_array_add (argv, (gpointer) "--virt-type=kvm");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

#define CREATE(fixture, ...) create ((fixture), (const gchar *[]) { __VA_ARGS__, NULL })

/* --print-xml's document: one that validates against libvirt's schema and
 * that libvirt's test driver defines */
static xmlDoc *
printed_domain (const VmctlTestRun *run)
{
  g_autofree gchar *returned = NULL;
  xmlDoc *document;

  if (run->exit_status != 0)
    g_error ("create exit %d: %s", run->exit_status, run->err);
  document = vmctl_test_domain_parse (run->out);
  vmctl_test_domain_assert_validates (document);
  returned = vmctl_test_domain_define_on_test_driver ("clean-gpu-audio", run->out);
  g_assert_nonnull (returned);
  return document;
}

/* a "vmctl: note: " line on stderr holding @needle */
static void
assert_note (const VmctlTestRun *run, const gchar *needle)
{
  g_auto(GStrv) lines = g_strsplit (run->err, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "vmctl: note: ") && strstr (lines[i], needle) != NULL)
      return;
  g_error ("no note with '%s' in: %s", needle, run->err);
}

/* ---- bad input: exit 2, one line naming the option ---------------------------- */

static void
test_bad_input (MediaFixture *fixture, gconstpointer data)
{
  g_autofree gchar *debian = iso (fixture, "debian-12-netinst.iso");
  g_autofree gchar *missing = iso (fixture, "missing.iso");
  const gchar * const cases[][6] = {
    { "--cdrom", missing, NULL, NULL, NULL, "--cdrom '" },
    { "--cdrom", debian, "--cdrom", debian, NULL, "already given with --cdrom" },
    { "--disk", "size=1G,bus=ide", NULL, NULL, NULL, "unknown bus 'ide' (want virtio, sata or scsi)" },
    { "--disk", "size=1G,cache=fast", NULL, NULL, NULL, "unknown cache mode 'fast'" },
    { "--disk", "size=1G,bus=sata,bus=scsi", NULL, NULL, NULL, "bus= is given twice" },
    { "--boot", "", NULL, NULL, NULL, "--boot '': an empty boot list" },
    { "--boot", "floppy", NULL, NULL, NULL, "unknown boot device 'floppy'" },
    { "--boot", "disk,disk", "--disk", "size=1G", NULL, "disk is listed twice" },
    { "--boot", "cdrom,disk", "--disk", "size=1G", NULL, "cdrom, but the VM has no --cdrom" },
    { "--boot", "network", "--network", "none", NULL, "network, but the VM has --network none" },
    { "--initrd", "/boot/initrd.img", NULL, NULL, NULL, "--initrd needs --kernel" },
    { "--kernel", "/boot/missing-vmlinuz", NULL, NULL, NULL, "--kernel '/boot/missing-vmlinuz': no such file" },
    { "--kernel", "/boot/vm\nlinuz", NULL, NULL, NULL, "control characters" },
    { "--os", "win12", NULL, NULL, NULL, "--os 'win12': unknown OS ID; close ones: win11" },
    { "--os", "win 11", NULL, NULL, NULL, "not an OS ID" },
    { "--drivers", "always", NULL, NULL, NULL, "--drivers 'always': want auto" },
    { "--memory", "4G", "--memory", "8G", NULL, "--memory is given twice" },
    { "--boot", "disk", "--boot", "cdrom", NULL, "--boot is given twice" },
    { "--os", "win11", "--os", "win10", NULL, "--os is given twice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(VmctlTestRun) run = NULL;
    g_autoptr(GPtrArray) args = g_ptr_array_new ();

    for (guint j = 0; j < 5 && cases[i][j] != NULL; j++)
      g_ptr_array_add (args, (gpointer) cases[i][j]);
    g_ptr_array_add (args, (gpointer) "--print-xml");
    g_ptr_array_add (args, NULL);
    g_test_message ("create %s %s", cases[i][0], cases[i][1]);
    run = create (fixture, (const gchar * const *) args->pdata);
    vmctl_test_assert_usage_error (run);
    g_assert_cmpstr (run->out, ==, "");
    if (strstr (run->err, cases[i][5]) == NULL)
      g_error ("expected '%s' in: %s", cases[i][5], run->err);
  }
}

/* ---- every profile reaches its guest: a serial console with a log ------------ */

static void
test_serial_console (MediaFixture *fixture, gconstpointer data)
{
  const gchar * const profiles[] = { "minimal", "workstation", "gaming" };

  for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++) {
    g_autofree gchar *profile = g_strconcat ("--profile=", profiles[i], NULL);
    g_autoptr(VmctlTestRun) run = CREATE (fixture, profile, "--print-xml");
    g_autoptr(xmlDoc) document = printed_domain (run);

    g_test_message ("profile %s", profiles[i]);
    g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/serial[@type='pty']"), ==, 1);
    g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/console[@type='pty']"), ==, 1);
    assert_xpath (document, "/domain/devices/serial/target/@port", "0");
    assert_xpath (document, "/domain/devices/console/target/@type", "serial");
    assert_xpath (document, "/domain/devices/serial/log/@file", "/var/log/libvirt/qemu/vm-serial.log");
    assert_xpath (document, "/domain/devices/serial/log/@append", "on");
  }
}

/* ---- cdroms, buses, boot order, kernel ---------------------------------------- */

static void
test_cdroms_in_order (MediaFixture *fixture, gconstpointer data)
{
  g_autofree gchar *first = iso (fixture, "Win11_English_x64.iso");
  g_autofree gchar *second = iso (fixture, "debian-12-netinst.iso");
  g_autoptr(VmctlTestRun) run = CREATE (fixture, "--profile=minimal", "--disk", "size=2G",
                                        "--cdrom", first, "--cdrom", second, "--print-xml");
  g_autoptr(xmlDoc) document = printed_domain (run);

  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/disk[@device='cdrom']"), ==, 2);
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][1]/source/@file", first);
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][2]/source/@file", second);
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][1]/target/@bus", "sata");
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][1]/target/@dev", "sda");
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][2]/target/@dev", "sdb");
  /* the default order: the cdroms as given, then the disk */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/os/boot"), ==, 0);
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][1]/boot/@order", "1");
  assert_xpath (document, "/domain/devices/disk[@device='cdrom'][2]/boot/@order", "2");
  assert_xpath (document, "/domain/devices/disk[@device='disk']/boot/@order", "3");
  /* vmctl's record keeps both, in order */
  assert_xpath (document, "//vmctl:cdrom[1]/@path", first);
  assert_xpath (document, "//vmctl:cdrom[2]/@path", second);
  assert_xpath (document, "//vmctl:spec/@boot", "cdrom,disk");
}

static void
test_buses_and_boot (MediaFixture *fixture, gconstpointer data)
{
  g_autofree gchar *image = g_build_filename (fixture->media, "data,1.img", NULL);
  g_autofree gchar *with_bus = NULL;
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(xmlDoc) document = NULL;

  g_assert_true (g_file_set_contents (image, "", 0, NULL));
  /* a path with a comma: only trailing ,bus= ,cache= are options */
  with_bus = g_strconcat (image, ",bus=sata,cache=writeback", NULL);
  run = CREATE (fixture, "--profile=workstation", "--disk", "size=1G", "--disk", with_bus,
                "--disk", "size=1G,bus=scsi,pool=default", "--boot", "network,disk",
                "--print-xml");
  document = printed_domain (run);
  /* the profile's bus stays where none is given */
  assert_xpath (document, "/domain/devices/disk[1]/target/@bus", "virtio");
  assert_xpath (document, "/domain/devices/disk[1]/target/@dev", "vda");
  assert_xpath (document, "/domain/devices/disk[2]/source/@file", image);
  assert_xpath (document, "/domain/devices/disk[2]/target/@bus", "sata");
  assert_xpath (document, "/domain/devices/disk[2]/target/@dev", "sda");
  assert_xpath (document, "/domain/devices/disk[2]/driver/@cache", "writeback");
  /* io='native' needs O_DIRECT, which writeback does not open with */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/disk[2]/driver/@io"), ==, 0);
  assert_xpath (document, "/domain/devices/disk[3]/target/@bus", "scsi");
  assert_xpath (document, "/domain/devices/disk[3]/target/@dev", "sdb");
  assert_xpath (document, "/domain/devices/controller[@type='scsi']/@model", "virtio-scsi");
  assert_xpath (document, "/domain/devices/interface/boot/@order", "1");
  assert_xpath (document, "/domain/devices/disk[1]/boot/@order", "2");
  assert_xpath (document, "/domain/devices/disk[3]/boot/@order", "4");
  assert_xpath (document, "//vmctl:disk[2]/@bus", "sata");
  assert_xpath (document, "//vmctl:disk[2]/@cache", "writeback");
  assert_xpath (document, "//vmctl:spec/@boot", "network,disk");
}

static void
test_kernel_boot (MediaFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(xmlDoc) document = NULL;

  /* the files of the VM's host: under the host root */
  vmctl_test_write (fixture->root, "srv/boot/vmlinuz", "kernel");
  vmctl_test_write (fixture->root, "srv/boot/initrd.gz", "initrd");
  run = CREATE (fixture, "--profile=minimal", "--firmware=bios", "--kernel", "/srv/boot/vmlinuz",
                "--initrd", "/srv/boot/initrd.gz", "--cmdline", "console=ttyS0 panic=0 <&>",
                "--print-xml");
  document = printed_domain (run);
  assert_xpath (document, "/domain/os/kernel", "/srv/boot/vmlinuz");
  assert_xpath (document, "/domain/os/initrd", "/srv/boot/initrd.gz");
  assert_xpath (document, "/domain/os/cmdline", "console=ttyS0 panic=0 <&>");
  assert_xpath (document, "//vmctl:kernel/@cmdline", "console=ttyS0 panic=0 <&>");
}

/* ---- --os: libosinfo's database ------------------------------------------------ */

static void
test_os_windows (MediaFixture *fixture, gconstpointer data)
{
  g_autofree gchar *installer = iso (fixture, "Win11_English_x64.iso");
  g_autofree gchar *drivers = iso (fixture, "virtio-win-0.1.240.iso");
  g_autofree gchar *labelled = iso (fixture, "drivers.iso");
  g_autoptr(VmctlTestRun) plain = CREATE (fixture, "--profile=minimal", "--os", "win11",
                                          "--cdrom", installer, "--disk", "size=1G",
                                          "--print-xml");
  g_autoptr(xmlDoc) document = printed_domain (plain);
  g_autoptr(VmctlTestRun) with_drivers = CREATE (fixture, "--profile=gaming", "--os", "win11",
                                                 "--cdrom", installer, "--cdrom", drivers,
                                                 "--disk", "size=64G", "--print-xml");
  g_autoptr(xmlDoc) virtio = printed_domain (with_drivers);
  g_autoptr(VmctlTestRun) by_label = CREATE (fixture, "--profile=gaming", "--os", "win10",
                                             "--cdrom", labelled, "--disk", "size=64G",
                                             "--print-xml");
  g_autoptr(xmlDoc) labelled_document = printed_domain (by_label);
  g_autoptr(VmctlTestRun) explicit_virtio = CREATE (fixture, "--profile=gaming", "--os", "win11",
                                                    "--cdrom", installer, "--disk",
                                                    "size=64G,bus=virtio", "--print-xml");
  g_autoptr(VmctlTestRun) bios = CREATE (fixture, "--os", "win11", "--firmware", "bios",
                                         "--vcpus", "1", "--memory", "2G", "--print-xml");

  /* no virtio drivers in Windows: SATA and e1000e; UEFI with Secure Boot,
   * a TPM 2.0, the minimum memory and vCPUs of the database */
  assert_xpath (document, "/domain/devices/disk[@device='disk']/target/@bus", "sata");
  assert_xpath (document, "/domain/devices/interface/model/@type", "e1000e");
  assert_xpath (document, "/domain/os/loader/@secure", "yes");
  assert_xpath (document, "/domain/features/smm/@state", "on");
  assert_xpath (document, "/domain/devices/tpm/backend/@version", "2.0");
  assert_xpath (document, "/domain/memory", "4194304");
  assert_xpath (document, "/domain/vcpu", "2");
  assert_xpath (document, "/domain/clock/@offset", "localtime");
  assert_xpath (document, "//vmctl:spec/@os", "win11");
  assert_note (plain, "disks on SATA");
  assert_note (plain, "memory raised from 512 MiB");
  assert_note (plain, "--disk size=1 GiB is below the 64 GiB Microsoft Windows 11 needs");

  /* the virtio-win ISO among the cdroms: virtio again, and the ISO is
   * attached but never booted */
  assert_xpath (virtio, "/domain/devices/disk[@device='disk']/target/@bus", "virtio");
  assert_xpath (virtio, "/domain/devices/interface/model/@type", "virtio");
  assert_xpath (virtio, "/domain/devices/disk[@device='cdrom'][2]/source/@file", drivers);
  g_assert_cmpint (vmctl_test_domain_xpath_count (virtio, "/domain/devices/disk[@device='cdrom'][2]/boot"), ==, 0);
  assert_xpath (virtio, "//vmctl:cdrom[2]/@drivers", "yes");
  g_assert_null (strstr (with_drivers->err, "SATA"));
  /* known by its volume ID */
  assert_xpath (labelled_document, "/domain/devices/disk[@device='disk']/target/@bus", "virtio");

  /* bus=virtio without the drivers: kept, with the fix */
  g_assert_cmpint (explicit_virtio->exit_status, ==, 0);
  assert_note (explicit_virtio, "add --cdrom virtio-win.iso (or --drivers auto)");
  assert_note (explicit_virtio, "or use bus=sata");
  /* below the minimum: what the user gave stays, with notes */
  g_assert_cmpint (bios->exit_status, ==, 0);
  assert_note (bios, "does not boot with BIOS firmware");
  assert_note (bios, "--memory 2 GiB is below the 4 GiB");
  assert_note (bios, "--vcpus 1 is below the 2");
}

static void
test_os_linux (MediaFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = CREATE (fixture, "--profile=minimal", "--os", "debian11",
                                        "--disk", "size=20G", "--print-xml");
  g_autoptr(xmlDoc) document = printed_domain (run);

  assert_xpath (document, "/domain/devices/disk[@device='disk']/target/@bus", "virtio");
  assert_xpath (document, "/domain/devices/interface/model/@type", "virtio");
  /* Debian 11 needs 1 GiB */
  assert_xpath (document, "/domain/memory", "1048576");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/tpm"), ==, 0);
}

static void
test_drivers_auto (MediaFixture *fixture, gconstpointer data)
{
  g_autofree gchar *installer = iso (fixture, "Win11_English_x64.iso");
  g_autoptr(VmctlTestRun) absent = CREATE (fixture, "--os", "win11", "--cdrom", installer,
                                           "--drivers", "auto", "--disk", "size=64G",
                                           "--print-xml");
  g_autoptr(xmlDoc) without = printed_domain (absent);
  g_autoptr(VmctlTestRun) present = NULL;
  g_autoptr(xmlDoc) with = NULL;

  assert_note (absent, "--drivers auto: no virtio-win ISO at /usr/share/virtio-win/virtio-win.iso");
  assert_xpath (without, "/domain/devices/disk[@device='disk']/target/@bus", "sata");
  /* installed on the VM's host: attached after the user's cdroms */
  vmctl_test_write (fixture->root, "usr/share/virtio-win/virtio-win.iso", "iso");
  present = CREATE (fixture, "--os", "win11", "--cdrom", installer, "--drivers", "auto",
                    "--disk", "size=64G", "--print-xml");
  with = printed_domain (present);
  assert_xpath (with, "/domain/devices/disk[@device='cdrom'][2]/source/@file",
                "/usr/share/virtio-win/virtio-win.iso");
  assert_xpath (with, "/domain/devices/disk[@device='disk']/target/@bus", "virtio");
  assert_xpath (with, "//vmctl:cdrom[2]/@drivers", "yes");
}

/* ---- vmctl os list ---------------------------------------------------------- */

static void
test_os_list (void)
{
  g_autoptr(VmctlTestRun) text = vmctl_test_run_vmctlv ("os", "list", NULL);
  g_autoptr(VmctlTestRun) json = vmctl_test_run_vmctlv ("os", "list", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *oses;
  gboolean found = FALSE;

  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "ID"));
  g_assert_nonnull (strstr (text->out, "\nwin11 "));
  g_assert_nonnull (strstr (text->out, "Microsoft Windows 11"));
  vmctl_test_assert_no_trailing_spaces (text->out);
  g_assert_cmpint (json->exit_status, ==, 0);
  node = vmctl_test_parse_json (json->out);
  oses = json_object_get_array_member (json_node_get_object (node), "oses");
  g_assert_cmpuint (json_array_get_length (oses), >, 100);
  for (guint i = 0; i < json_array_get_length (oses); i++) {
    JsonObject *os = json_array_get_object_element (oses, i);

    if (g_strcmp0 (json_object_get_string_member (os, "id"), "win11") == 0) {
      g_assert_cmpstr (json_object_get_string_member (os, "family"), ==, "winnt");
      found = TRUE;
    }
  }
  g_assert_true (found);
}

/* ---- console, display, info on the test driver ---------------------------------- */

#define ON_MEDIA(...) on_media ((const gchar *[]) { __VA_ARGS__, NULL })

static VmctlTestRun *
on_media (const gchar * const *args)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("media");

  return vmctl_test_run_vmctl_on (uri, args);
}

static void
assert_failure (const VmctlTestRun *run, gint status, const gchar *needle)
{
  g_assert_cmpint (run->exit_status, ==, status);
  vmctl_test_assert_one_error_line (run);
  g_assert_cmpstr (run->out, ==, "");
  if (strstr (run->err, needle) == NULL)
    g_error ("expected '%s' in: %s", needle, run->err);
}

static void
test_display (void)
{
  g_autoptr(VmctlTestRun) text = ON_MEDIA ("display", "desk");
  g_autoptr(VmctlTestRun) json = ON_MEDIA ("display", "desk", "--json");
  g_autoptr(VmctlTestRun) headless = ON_MEDIA ("display", "headless");
  g_autoptr(VmctlTestRun) off = ON_MEDIA ("display", "off");
  g_autoptr(VmctlTestRun) unknown = ON_MEDIA ("display", "nosuch");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  /* as virsh domdisplay: VNC by display number, IPv6 in brackets, a
   * wildcard address as the connection's host, SPICE's TLS port */
  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_cmpstr (text->out, ==, "vnc://[::1]:3\nspice://localhost:5901?tls-port=5902\n");
  node = vmctl_test_parse_json (json->out);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "uri"), ==, "vnc://[::1]:3");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "displays")), ==, 2);
  assert_failure (headless, 1, "has no graphics");
  assert_failure (off, 1, "is not running");
  assert_failure (unknown, 2, "no VM named 'nosuch'");
}

static void
test_console_errors (void)
{
  g_autoptr(VmctlTestRun) headless = ON_MEDIA ("console", "headless");
  g_autoptr(VmctlTestRun) off = ON_MEDIA ("console", "off");
  g_autoptr(VmctlTestRun) unknown = ON_MEDIA ("console", "nosuch", "--timeout", "1");
  g_autoptr(VmctlTestRun) negative = ON_MEDIA ("console", "desk", "--timeout=-1");

  assert_failure (headless, 1, "has no console device: add a serial port");
  assert_failure (off, 1, "is shut off, so its console is closed: start it first");
  assert_failure (unknown, 2, "no VM named 'nosuch'");
  vmctl_test_assert_usage_error (negative);
}

static void
test_info (void)
{
  g_autoptr(VmctlTestRun) text = ON_MEDIA ("info", "desk");
  g_autoptr(VmctlTestRun) json = ON_MEDIA ("info", "desk", "--json");
  g_autoptr(VmctlTestRun) headless = ON_MEDIA ("info", "headless");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_nonnull (strstr (text->out, "\nconsole:    pty (log /var/log/libvirt/qemu/desk-serial.log)\n"));
  g_assert_nonnull (strstr (text->out, "\ndisplay:    vnc://[::1]:3, spice://localhost:5901?tls-port=5902\n"));
  g_assert_nonnull (strstr (text->out, "\nboot:       cdrom sda, cdrom sdb, disk vda\n"));
  g_assert_nonnull (strstr (text->out, "cdrom sdb sata /srv/iso/debian.iso"));
  g_assert_nonnull (strstr (text->out, "\nkernel:     /srv/boot/vmlinuz initrd /srv/boot/initrd.gz cmdline console=ttyS0\n"));
  g_assert_nonnull (strstr (text->out, "\nos:         debian11\n"));
  node = vmctl_test_parse_json (json->out);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "console"), "log"), ==,
                   "/var/log/libvirt/qemu/desk-serial.log");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "drives")), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "boot"), 1), ==,
                   "cdrom sdb");
  g_assert_nonnull (strstr (headless->out, "\nconsole:    none\n"));
  g_assert_nonnull (strstr (headless->out, "\ndisplay:    -\n"));
}

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);
  g_test_add ("/vmctl/cli/media/bad-input", MediaFixture, NULL, media_setup, test_bad_input, media_teardown);
  g_test_add ("/vmctl/cli/media/serial-console", MediaFixture, NULL, media_setup, test_serial_console, media_teardown);
  g_test_add ("/vmctl/cli/media/cdroms-in-order", MediaFixture, NULL, media_setup, test_cdroms_in_order, media_teardown);
  g_test_add ("/vmctl/cli/media/buses-and-boot", MediaFixture, NULL, media_setup, test_buses_and_boot, media_teardown);
  g_test_add ("/vmctl/cli/media/kernel-boot", MediaFixture, NULL, media_setup, test_kernel_boot, media_teardown);
  g_test_add ("/vmctl/cli/media/os-windows", MediaFixture, NULL, media_setup, test_os_windows, media_teardown);
  g_test_add ("/vmctl/cli/media/os-linux", MediaFixture, NULL, media_setup, test_os_linux, media_teardown);
  g_test_add ("/vmctl/cli/media/drivers-auto", MediaFixture, NULL, media_setup, test_drivers_auto, media_teardown);
  g_test_add_func ("/vmctl/cli/media/os-list", test_os_list);
  g_test_add_func ("/vmctl/cli/media/display", test_display);
  g_test_add_func ("/vmctl/cli/media/console-errors", test_console_errors);
  g_test_add_func ("/vmctl/cli/media/info", test_info);
  return vmctl_test_domain_run ();
}
