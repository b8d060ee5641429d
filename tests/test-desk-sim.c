/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-desk-sim.c: issue 12 against the simulated kernel (LD_PRELOAD):
 * gpu rom dump enables, reads and disables sysfs rom and never while the
 * host uses the card; start renews a USB device given by port after a
 * replug and reports a reset-bug card vendor-reset does not cover; stop,
 * destroy and the hook's release say so when a card no longer answers. The lifecycle runs in-process on
 * libvirt's test driver, on copies of the "desk" and "amd-host" fixtures. */
#include "vmctl-test-cli.h"
#include "vmctl-test-lifecycle.h"
#include "vmctl-test-rom.h"
#include "vmctl-test-util.h"
#include "vmctl-spec-desk.h"

#include <string.h>

/* ---- gpu rom dump ------------------------------------------------------- */

typedef struct {
  gchar *root;
  gchar *out;
} DumpFixture;

#define CARD_ROM "sys/bus/pci/devices/0000:02:00.0/rom"

static void
dump_setup (DumpFixture *fixture, gconstpointer data)
{
  fixture->root = vmctl_test_copy_scenario ("desk");
  vmctl_test_write (fixture->root, ".sim/log", "");
  fixture->out = g_build_filename (fixture->root, "dump.rom", NULL);
}

static void
dump_teardown (DumpFixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->out);
}

static VmctlTestRun *
dump (DumpFixture *fixture, const gchar *address)
{
  g_autofree gchar *sim = g_strconcat ("VMCTL_SIM_ROOT=", fixture->root, NULL);

  return vmctl_test_run_vmctl_env ((const gchar *[]) { sim, NULL }, (const gchar *[]) {
    "--host-root", fixture->root, "gpu", "rom", "dump", address, fixture->out, NULL
  });
}

static void
write_card_rom (DumpFixture *fixture, GBytes *bytes)
{
  g_autofree gchar *path = g_build_filename (fixture->root, CARD_ROM, NULL);
  gsize length = 0;
  gconstpointer data = g_bytes_get_data (bytes, &length);

  g_assert_true (g_file_set_contents (path, data, (gssize) length, NULL));
}

static void
test_dump (DumpFixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) rom = vmctl_test_rom_build (0x10de, 0x2204, VMCTL_TEST_ROM_VALID);
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(VmctlTestRun) again = NULL;
  g_auto(GStrv) log = NULL;
  g_autofree gchar *written = NULL;
  g_autofree gchar *left = NULL;
  g_autofree gchar *card = g_build_filename (fixture->root, CARD_ROM, NULL);
  gsize length = 0;

  write_card_rom (fixture, rom);
  run = dump (fixture, "02:00.0");
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (fixture->out, &written, &length, NULL));
  g_assert_cmpmem (written, length, g_bytes_get_data (rom, NULL), g_bytes_get_size (rom));
  /* enable, read, disable: the kernel's ABI; the ROM itself untouched */
  log = vmctl_test_sim_take_log (fixture->root);
  g_assert_cmpuint (g_strv_length (log), ==, 2);
  g_assert_cmpstr (log[0], ==, "devices/0000:02:00.0/rom 1");
  g_assert_cmpstr (log[1], ==, "devices/0000:02:00.0/rom 0");
  g_assert_true (g_file_get_contents (card, &left, &length, NULL));
  g_assert_cmpmem (left, length, g_bytes_get_data (rom, NULL), g_bytes_get_size (rom));
  /* a running card's ROM may not be its flash */
  g_assert_nonnull (strstr (run->err, "nvidia drives the card"));
  g_assert_nonnull (strstr (run->out, "usable"));
  /* never over an existing file */
  again = dump (fixture, "02:00.0");
  g_assert_cmpint (again->exit_status, ==, 2);
  vmctl_test_assert_one_error_line (again);
}

static void
test_dump_refused (DumpFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) console = NULL;
  g_autoptr(VmctlTestRun) empty = NULL;
  g_autoptr(VmctlTestRun) zeros = NULL;
  g_autoptr(VmctlTestRun) remote = NULL;
  g_autoptr(GBytes) nothing = g_bytes_new_static ("", 0);
  g_autofree guint8 *blank = g_malloc0 (65536);
  g_autoptr(GBytes) blank_bytes = g_bytes_new (blank, 65536);
  g_auto(GStrv) log = NULL;

  /* the iGPU is the host's console: its ROM is not read */
  console = dump (fixture, "00:02.0");
  g_assert_cmpint (console->exit_status, ==, 1);
  g_assert_nonnull (strstr (console->err, "in use by the host"));
  log = vmctl_test_sim_take_log (fixture->root);
  g_assert_cmpuint (g_strv_length (log), ==, 0);
  g_assert_false (g_file_test (fixture->out, G_FILE_TEST_EXISTS));
  /* an empty or blank ROM: said, nothing written, the ROM disabled again */
  write_card_rom (fixture, nothing);
  empty = dump (fixture, "02:00.0");
  g_assert_cmpint (empty->exit_status, ==, 1);
  g_assert_nonnull (strstr (empty->err, "empty ROM"));
  g_clear_pointer (&log, g_strfreev);
  log = vmctl_test_sim_take_log (fixture->root);
  g_assert_cmpuint (g_strv_length (log), ==, 2);
  g_assert_cmpstr (log[1], ==, "devices/0000:02:00.0/rom 0");
  write_card_rom (fixture, blank_bytes);
  zeros = dump (fixture, "02:00.0");
  g_assert_cmpint (zeros->exit_status, ==, 1);
  g_assert_nonnull (strstr (zeros->err, "without a ROM image"));
  g_assert_false (g_file_test (fixture->out, G_FILE_TEST_EXISTS));
  remote = vmctl_test_run_vmctlv ("-c", "test:///default", "gpu", "rom", "dump", "02:00.0",
                                  fixture->out, NULL);
  g_assert_cmpint (remote->exit_status, ==, 2);
}

/* ---- start and stop --------------------------------------------------------- */

typedef struct {
  LifecycleFixture lifecycle;
  gchar *state;
  GPtrArray *notices;
} Fixture;

static void
collect (const gchar *vm, const gchar *line, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s: %s", vm, line));
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_domain_setup_scenario (&fixture->lifecycle.domain, data);
  vmctl_test_lifecycle_reset_spec (&fixture->lifecycle, "desk");
  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/log", "");
  g_setenv ("VMCTL_SIM_ROOT", fixture->lifecycle.domain.root, TRUE);
  g_setenv ("VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  fixture->state = g_dir_make_tmp ("vmctl-desk-sim-XXXXXX", NULL);
  /* the planned functions live under the fixture's host root; the notes
   * go to the session's note function, not to anything process-wide */
  vmctl_test_lifecycle_open (&fixture->lifecycle, NULL, fixture->lifecycle.domain.root,
                             fixture->state);
  fixture->notices = g_ptr_array_new_with_free_func (g_free);
  vmctl_session_set_note_func (fixture->lifecycle.session, collect, fixture->notices);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_lifecycle_teardown (&fixture->lifecycle, data);
  vmctl_test_remove_tree (fixture->state);
  g_free (fixture->state);
  g_ptr_array_unref (fixture->notices);
}

static gboolean
noticed (Fixture *fixture, const gchar *needle)
{
  for (guint i = 0; i < fixture->notices->len; i++)
    if (strstr (g_ptr_array_index (fixture->notices, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
define (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_test_lifecycle_define_spec (&fixture->lifecycle, &error));
  g_assert_no_error (error);
}

static void
start_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  vmctl_vm_start (fixture->lifecycle.session, "desk", NULL, &error);
  g_assert_no_error (error);
}

static void
destroy_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  vmctl_vm_destroy (fixture->lifecycle.session, "desk", NULL, &error);
  g_assert_no_error (error);
}

static void
add_card (Fixture *fixture, const gchar *gpu, const gchar *audio, const gchar *driver, gint group)
{
  vmctl_test_domain_spec_add_gpu (fixture->lifecycle.domain.spec, gpu, NULL);
  vmctl_test_domain_plan_add (fixture->lifecycle.domain.plan, gpu, VMCTL_PLAN_ROLE_GPU, gpu,
                              driver, group);
  vmctl_test_domain_plan_add (fixture->lifecycle.domain.plan, audio, VMCTL_PLAN_ROLE_COMPANION,
                              gpu, "snd_hda_intel", group);
}

static void
test_usb_port_renewed (Fixture *fixture, gconstpointer data)
{
  VmctlSpec *spec = fixture->lifecycle.domain.spec;
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) document = NULL;
  virDomainPtr domain;
  char *xml;

  g_assert_true (vmctl_spec_add_usb (spec, "1-3.2", &error));
  g_assert_true (vmctl_spec_finalize (spec, fixture->lifecycle.domain.host, &error));
  g_assert_no_error (error);
  define (fixture);
  /* the pad was replugged: the kernel numbered it anew */
  vmctl_test_write (fixture->lifecycle.domain.root, "sys/bus/usb/devices/1-3.2/devnum", "12\n");
  start_ok (fixture);
  g_assert_true (noticed (fixture, "desk: USB port 1-3.2: 045e:028e is device 12 now (was 7)"));
  domain = virDomainLookupByName (fixture->lifecycle.connection, "desk");
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  document = vmctl_test_domain_parse (xml);
  free (xml);
  virDomainFree (domain);
  assert_xpath (document, "/domain/devices/hostdev[@type='usb']/source/address/@device", "12");
  assert_xpath (document, "//vmctl:spec/vmctl:usb/@device", "12");
  destroy_ok (fixture);
  /* unplugged: the VM starts without it, and says so */
  g_ptr_array_set_size (fixture->notices, 0);
  vmctl_test_unlink (fixture->lifecycle.domain.root, "sys/bus/usb/devices/1-3.2");
  start_ok (fixture);
  g_assert_true (noticed (fixture, "USB port 1-3.2 has no 045e:028e now"));
  destroy_ok (fixture);
}

static void
test_reset_bug_reported (Fixture *fixture, gconstpointer data)
{
  const gchar *root = fixture->lifecycle.domain.root;
  g_autofree gchar *iomem_path = g_build_filename (root, "proc/iomem", NULL);
  g_autofree gchar *iomem = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);

  /* the RX 580 as a second card: not the boot GPU, no framebuffer */
  vmctl_test_write (root, "sys/bus/pci/devices/0000:0e:00.0/boot_vga", "0\n");
  g_assert_true (g_file_get_contents (iomem_path, &iomem, NULL, NULL));
  lines = g_strsplit (iomem, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "BOOTFB") == NULL && lines[i][0] != '\0')
      g_string_append_printf (kept, "%s\n", lines[i]);
  g_assert_true (g_file_set_contents (iomem_path, kept->str, -1, NULL));
  add_card (fixture, "0000:0e:00.0", "0000:0e:00.1", "amdgpu", 8);
  define (fixture);
  start_ok (fixture);
  g_assert_true (noticed (fixture, "0000:0e:00.0 is on the reset-bug list and the vendor_reset "
                          "module is not loaded"));
  destroy_ok (fixture);
  /* with vendor-reset set up there is nothing to say */
  g_ptr_array_set_size (fixture->notices, 0);
  vmctl_test_write (root, "sys/module/vendor_reset/initstate", "live\n");
  vmctl_test_write (root, "sys/bus/pci/devices/0000:0e:00.0/reset_method", "device_specific\n");
  start_ok (fixture);
  g_assert_false (noticed (fixture, "reset-bug"));
  destroy_ok (fixture);
}

static void
test_dead_card_after_stop (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *config = g_build_filename (fixture->lifecycle.domain.root,
                                               "sys/bus/pci/devices/0000:01:00.0/config", NULL);
  g_autofree gchar *bytes = NULL;
  gsize length = 0;

  add_card (fixture, "0000:01:00.0", "0000:01:00.1", "nvidia", 1);
  define (fixture);
  start_ok (fixture);
  destroy_ok (fixture);
  g_assert_false (noticed (fixture, "does not answer"));
  start_ok (fixture);
  /* the guest left the card hung: every config read gives all ones */
  g_assert_true (g_file_get_contents (config, &bytes, &length, NULL));
  bytes[0] = (gchar) 0xff;
  bytes[1] = (gchar) 0xff;
  g_assert_true (g_file_set_contents (config, bytes, (gssize) length, NULL));
  destroy_ok (fixture);
  g_assert_true (noticed (fixture, "desk: 0000:01:00.0 does not answer"));
  g_assert_true (noticed (fixture, "echo 1 > /sys/bus/pci/devices/0000:01:00.0/remove"));
  g_assert_false (noticed (fixture, "0000:01:00.1 does not answer"));
}

/* the libvirt hook's release (a guest that shut itself down) is the same
 * after-stop policy: the hung card is reported there too */
static void
test_dead_card_hook_release (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *config = g_build_filename (fixture->lifecycle.domain.root,
                                               "sys/bus/pci/devices/0000:01:00.0/config", NULL);
  g_autofree gchar *bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  add_card (fixture, "0000:01:00.0", "0000:01:00.1", "nvidia", 1);
  define (fixture);
  start_ok (fixture);
  g_assert_true (g_file_get_contents (config, &bytes, &length, NULL));
  bytes[0] = (gchar) 0xff;
  bytes[1] = (gchar) 0xff;
  g_assert_true (g_file_set_contents (config, bytes, (gssize) length, NULL));
  /* a dry run (gpu reattach --vm --dry-run) gives nothing back: no check */
  vmctl_vm_release (fixture->lifecycle.session, "desk", VMCTL_RELEASE_DRY_RUN, NULL, NULL);
  g_assert_false (noticed (fixture, "does not answer"));
  vmctl_vm_release (fixture->lifecycle.session, "desk", VMCTL_RELEASE_HOOK, NULL, &error);
  g_assert_true (noticed (fixture, "desk: 0000:01:00.0 does not answer"));
  g_assert_false (noticed (fixture, "0000:01:00.1 does not answer"));
  destroy_ok (fixture);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vmctl/desk-sim/rom-dump", DumpFixture, NULL, dump_setup, test_dump,
              dump_teardown);
  g_test_add ("/vmctl/desk-sim/rom-dump/refused", DumpFixture, NULL, dump_setup,
              test_dump_refused, dump_teardown);
  g_test_add ("/vmctl/desk-sim/start/usb-port-renewed", Fixture, "desk", setup,
              test_usb_port_renewed, teardown);
  g_test_add ("/vmctl/desk-sim/start/reset-bug", Fixture, "amd-host", setup,
              test_reset_bug_reported, teardown);
  g_test_add ("/vmctl/desk-sim/stop/dead-card", Fixture, "desk", setup,
              test_dead_card_after_stop, teardown);
  g_test_add ("/vmctl/desk-sim/release/dead-card-hook", Fixture, "desk", setup,
              test_dead_card_hook_release, teardown);
  return g_test_run ();
}
