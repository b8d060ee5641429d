/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-single-gpu.c: the single-GPU hand-off (issue 13) on the
 * single-gpu host, whose only GPU (RTX 3070, boot VGA, nvidia with
 * nvidia_modeset and nvidia_drm on top) shows the console through efifb
 * and vtcon1, under the simulated kernel, sim-modprobe.sh and
 * python-dbusmock's systemd (display-manager.service) and logind. A start
 * and stop leaves consoles, framebuffer, display manager, modules and
 * drivers exactly as before; a fault at every step undoes the steps taken;
 * a SIGKILL at every step, then vmctl host recover, restores; every way
 * a VM ends gives back the same (the one after-stop policy); and without
 * --single-gpu the boot VGA is still refused. */
#include "vmctl-error.h"
#include "vmctl-session-gpu.h"
#include "vmctl-test-runtime.h"
#include "vmctl-test-sim.h"
#include "vmctl-vfio.h"

#include <string.h>

#define DM "display-manager.service"
#define VTCON "sys/devices/virtual/vtconsole/vtcon1/bind"
#define EFIFB "sys/bus/platform/drivers/efi-framebuffer/efi-framebuffer.0"

static const gchar *
root_of (RuntimeFixture *fixture)
{
  return fixture->lifecycle.domain.root;
}

static gboolean
exists (RuntimeFixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (root_of (fixture), relative, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static gchar *
driver_of (RuntimeFixture *fixture, const gchar *address)
{
  return vmctl_test_sim_driver (root_of (fixture), address);
}

static gchar *
take_modprobe_log (RuntimeFixture *fixture)
{
  g_autofree gchar *path = g_build_filename (root_of (fixture), ".sim/modprobe.log", NULL);
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  vmctl_test_write (root_of (fixture), ".sim/modprobe.log", "");
  return contents;
}

static gboolean
setup_bus (RuntimeFixture *fixture)
{
  if (fixture->dbus == NULL)
    return FALSE;
  vmctl_test_dbus_add_unit (fixture->dbus, DM, "active", NULL);
  return TRUE;
}

static void
assert_dm (RuntimeFixture *fixture, const gchar *state)
{
  g_autofree gchar *now = vmctl_test_dbus_unit_state (fixture->dbus, DM);

  g_assert_cmpstr (now, ==, state);
}

static void
assert_as_before (RuntimeFixture *fixture, GHashTable *before)
{
  g_autoptr(GHashTable) after = vmctl_test_runtime_snapshot (fixture);
  g_autofree gchar *gpu = driver_of (fixture, "0000:01:00.0");
  g_autofree gchar *audio = driver_of (fixture, "0000:01:00.1");

  g_assert_cmpstr (gpu, ==, "nvidia");
  g_assert_cmpstr (audio, ==, "snd_hda_intel");
  assert_dm (fixture, "active");
  vmctl_test_host_assert_same (before, after);
  g_assert_cmpuint (vmctl_test_runtime_records (fixture), ==, 0);
}

static void
test_hand_off (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autofree gchar *unloaded = NULL;
  g_autofree gchar *loaded = NULL;
  g_autofree gchar *gpu = NULL;
  g_auto(GStrv) stops = NULL;
  g_auto(GStrv) starts = NULL;
  g_auto(GStrv) inhibitors = NULL;

  if (!setup_bus (fixture))
    return;
  before = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, FALSE, TRUE);
  vmctl_test_runtime_start_ok (fixture, "gamer");

  /* the hook scripts' sequence, each step's effect visible */
  assert_dm (fixture, "inactive");
  vmctl_test_runtime_assert_line (fixture, VTCON, "0");
  vmctl_test_runtime_assert_line (fixture, "sys/devices/virtual/vtconsole/vtcon0/bind", "0");
  g_assert_false (exists (fixture, EFIFB));
  g_assert_false (exists (fixture, "sys/devices/platform/efi-framebuffer.0/driver"));
  unloaded = take_modprobe_log (fixture);
  g_assert_cmpstr (unloaded, ==, "-r nvidia_drm\n-r nvidia_modeset\n-r nvidia\n");
  g_assert_false (exists (fixture, "sys/module/nvidia/initstate"));
  gpu = driver_of (fixture, "0000:01:00.0");
  g_assert_cmpstr (gpu, ==, "vfio-pci");
  stops = vmctl_test_dbus_systemd_calls (fixture->dbus, "StopUnit");
  g_assert_cmpuint (g_strv_length (stops), ==, 1);
  g_assert_cmpstr (stops[0], ==, DM " replace");
  inhibitors = vmctl_test_dbus_inhibitors (fixture->dbus);
  g_assert_cmpuint (g_strv_length (inhibitors), ==, 1);

  vmctl_test_runtime_destroy_ok (fixture, "gamer");
  /* in reverse: the card's driver first, then what shows the console */
  loaded = take_modprobe_log (fixture);
  g_assert_cmpstr (loaded, ==, "nvidia\nnvidia_modeset\nnvidia_drm\n");
  starts = vmctl_test_dbus_systemd_calls (fixture->dbus, "StartUnit");
  g_assert_cmpuint (g_strv_length (starts), ==, 1);
  g_assert_cmpstr (starts[0], ==, DM " replace");
  assert_as_before (fixture, before);
}

/* a host that keeps another screen gets no hand-off: the boot VGA stays
 * refused, as without --single-gpu */
static void
test_boot_vga_still_refused (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GError) error = NULL;

  if (!setup_bus (fixture))
    return;
  before = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, FALSE, FALSE);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "boot VGA"));
  assert_as_before (fixture, before);
}

typedef void (*Inject) (RuntimeFixture *fixture);

static void
fail_dm (RuntimeFixture *fixture)
{
  vmctl_test_dbus_fail_next (fixture->dbus, "StopUnit");
}

static void
fail_console (RuntimeFixture *fixture)
{
  vmctl_test_write (root_of (fixture), ".sim/fail-write", VTCON "=0 5\n");
}

static void
fail_framebuffer (RuntimeFixture *fixture)
{
  vmctl_test_write (root_of (fixture), ".sim/fail-write",
                    "sys/bus/platform/drivers/efi-framebuffer/unbind 16\n");
}

static void
fail_drm (RuntimeFixture *fixture)
{
  vmctl_test_write (root_of (fixture), ".sim/modprobe-fail", "-r nvidia_drm\n");
}

static void
fail_modeset (RuntimeFixture *fixture)
{
  vmctl_test_write (root_of (fixture), ".sim/modprobe-fail", "-r nvidia_modeset\n");
}

static void
fail_nvidia (RuntimeFixture *fixture)
{
  vmctl_test_write (root_of (fixture), ".sim/modprobe-fail", "-r nvidia\n");
}

/* a display server that holds the card after the display manager is gone */
static void
hold_card (RuntimeFixture *fixture)
{
  g_autofree gchar *fd = g_build_filename (root_of (fixture), "proc/4242/fd/7", NULL);

  vmctl_test_write (root_of (fixture), "proc/driver/nvidia/gpus/0000:01:00.0/information",
                    "Model: NVIDIA GeForce RTX 3070\nDevice Minor: 0\n");
  vmctl_test_write (root_of (fixture), "proc/4242/comm", "Xorg\n");
  vmctl_test_write (root_of (fixture), "proc/4242/fd/.keep", "");
  g_assert_cmpint (symlink ("/dev/nvidia0", fd), ==, 0);
}

static void
fail_detach (RuntimeFixture *fixture)
{
  vmctl_test_write (root_of (fixture), ".sim/fail-write", "drivers_probe=0000:01:00.1 5\n");
}

static void
clear_faults (RuntimeFixture *fixture)
{
  g_autofree gchar *process = g_build_filename (root_of (fixture), "proc/4242", NULL);
  g_autofree gchar *nvidia = g_build_filename (root_of (fixture), "proc/driver", NULL);

  vmctl_test_write (root_of (fixture), ".sim/fail-write", "");
  vmctl_test_write (root_of (fixture), ".sim/modprobe-fail", "");
  if (g_file_test (process, G_FILE_TEST_EXISTS))
    vmctl_test_remove_tree (process);
  if (g_file_test (nvidia, G_FILE_TEST_EXISTS))
    vmctl_test_remove_tree (nvidia);
}

static const struct {
  const gchar *step;
  Inject inject;
  const gchar *message;
} faults[] = {
  { "display manager", fail_dm, "systemd refused to stop " DM },
  { "console", fail_console, "vtcon1/bind" },
  { "framebuffer", fail_framebuffer, "efi-framebuffer/unbind" },
  { "nvidia_drm", fail_drm, "cannot unload nvidia_drm" },
  { "nvidia_modeset", fail_modeset, "cannot unload nvidia_modeset" },
  { "nvidia", fail_nvidia, "cannot unload nvidia, which holds 0000:01:00.0" },
  { "still in use", hold_card, "/dev/nvidia0 is open in Xorg (PID 4242)" },
  { "detach", fail_detach, "0000:01:00.1" },
};

static void
test_fault_every_step (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;

  if (!setup_bus (fixture))
    return;
  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, FALSE, TRUE);
  before = vmctl_test_runtime_snapshot (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (faults); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree gchar *log = NULL;

    faults[i].inject (fixture);
    if (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error))
      g_error ("%s: the start succeeded", faults[i].step);
    if (strstr (error->message, faults[i].message) == NULL
        || strstr (error->message, "the host is as before") == NULL)
      g_error ("%s: unexpected error: %s", faults[i].step, error->message);
    clear_faults (fixture);
    log = take_modprobe_log (fixture);
    assert_as_before (fixture, before);
  }
}

/* SIGKILL at every step (vmctl start in a process of its own, the VM in a
 * test-driver file), then vmctl host recover (the VM does not run there) */
static void
test_kill_every_step (RuntimeFixture *fixture, gconstpointer data)
{
  static const gchar * const kills[] = {
    "kill-after " VTCON "=0",
    "kill-after sys/bus/platform/drivers/efi-framebuffer/unbind",
    "modprobe-kill -r nvidia_drm",
    "modprobe-kill -r nvidia_modeset",
    "modprobe-kill -r nvidia",
    "kill-after devices/0000:01:00.0/driver_override",
    "kill-after drivers_probe=0000:01:00.1",
    NULL,
  };
  g_autoptr(GHashTable) before = NULL;

  if (!setup_bus (fixture))
    return;
  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, FALSE, TRUE);
  before = vmctl_test_runtime_snapshot (fixture);
  for (guint i = 0; kills[i] != NULL; i++) {
    g_auto(GStrv) point = g_strsplit (kills[i], " ", 2);
    g_autofree gchar *out = vmctl_test_runtime_kill_then_recover (fixture, "gamer", point[0],
                                                                  point[1]);
    g_autofree gchar *log = take_modprobe_log (fixture);

    g_assert_nonnull (strstr (out, "given back: single-GPU hand-off of VM 'gamer'"));
    assert_as_before (fixture, before);
  }
}

/* systemd's AllowedCPUs of each of @units, "" when unrestricted */
static void
assert_allowed_cpus (RuntimeFixture *fixture, const gchar * const *units, const gchar *expected)
{
  for (guint i = 0; units[i] != NULL; i++) {
    g_autofree gchar *cpus = vmctl_test_dbus_allowed_cpus (fixture->dbus, units[i]);

    g_assert_cmpstr (cpus, ==, expected);
  }
}

/* The VM gone without vmctl's stop (QEMU died, virsh destroy): the libvirt
 * hook's release and `gpu reattach --vm` (with and without --force) give
 * back what stop gives back, through the one after-stop policy: the
 * display, the inhibitor and the CPU isolation (systemd's AllowedCPUs)
 * with the functions. While
 * the VM runs, a reattach --vm without --force is refused and keeps all. */
static void
test_every_release (RuntimeFixture *fixture, gconstpointer data)
{
  static const struct {
    const gchar *how;
    VmctlGpuFlags flags;
  } releases[] = {
    { "libvirt hook release", VMCTL_GPU_HOOK },
    { "gpu reattach --vm", VMCTL_GPU_FLAGS_NONE },
    { "gpu reattach --vm --force", VMCTL_GPU_FORCE },
  };
  static const gchar * const slices[] = { "init.scope", "system.slice", "user.slice", NULL };
  g_autoptr(GHashTable) before = NULL;

  if (!setup_bus (fixture))
    return;
  for (guint i = 0; slices[i] != NULL; i++)
    vmctl_test_dbus_add_unit (fixture->dbus, slices[i], "active", "");
  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, TRUE, TRUE);
  before = vmctl_test_runtime_snapshot (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (releases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlMoves) moves = NULL;
    g_autoptr(VmctlDomain) domain = NULL;
    g_autofree gchar *log = NULL;

    g_test_message ("%s", releases[i].how);
    vmctl_test_runtime_start_ok (fixture, "gamer");
    assert_dm (fixture, "inactive");
    assert_allowed_cpus (fixture, slices, "0-1,4-7");
    g_assert_cmpuint (vmctl_test_runtime_records (fixture), >, 0);
    if (releases[i].flags == VMCTL_GPU_FLAGS_NONE) {
      /* running: refused, nothing given back */
      g_assert_null (vmctl_session_gpu_reattach_vm (fixture->lifecycle.session, "gamer",
                                                    VMCTL_GPU_FLAGS_NONE, &error));
      g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_BUSY);
      g_clear_error (&error);
      assert_dm (fixture, "inactive");
      g_assert_cmpuint (vmctl_test_runtime_records (fixture), >, 0);
    }
    /* down behind vmctl's back */
    domain = virDomainLookupByName (fixture->lifecycle.connection, "gamer");
    g_assert_cmpint (virDomainDestroy (domain), ==, 0);
    moves = vmctl_session_gpu_reattach_vm (fixture->lifecycle.session, "gamer",
                                           releases[i].flags, &error);
    g_assert_no_error (error);
    g_assert_nonnull (moves);
    log = take_modprobe_log (fixture);
    vmctl_test_runtime_assert_no_inhibitor (fixture);
    assert_allowed_cpus (fixture, slices, "");
    assert_as_before (fixture, before);
  }
}

/* --single-gpu is kept in the VM's metadata for later starts */
static void
test_start_option (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDomain) domain = NULL;
  char *metadata;

  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, FALSE, FALSE);
  g_assert_true (vmctl_vm_set_single_gpu (fixture->lifecycle.session, "gamer", &error));
  g_assert_no_error (error);
  domain = virDomainLookupByName (fixture->lifecycle.connection, "gamer");
  metadata = virDomainGetMetadata (domain, VIR_DOMAIN_METADATA_ELEMENT,
                                   "http://vmctl.dev/xmlns/domain/1", VIR_DOMAIN_AFFECT_CONFIG);
  g_assert_nonnull (strstr (metadata, "single-gpu=\"yes\""));
  free (metadata);
  g_assert_false (vmctl_vm_set_single_gpu (fixture->lifecycle.session, "running", &error));
  g_assert_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim (argv[0]);
  add_runtime_test ("/vmctl/single-gpu/hand-off", test_hand_off, TRUE);
  add_runtime_test ("/vmctl/single-gpu/boot-vga-still-refused", test_boot_vga_still_refused, TRUE);
  add_runtime_test ("/vmctl/single-gpu/fault-every-step", test_fault_every_step, TRUE);
  add_runtime_test ("/vmctl/single-gpu/kill-every-step", test_kill_every_step, TRUE);
  add_runtime_test ("/vmctl/single-gpu/start-option", test_start_option, FALSE);
  add_runtime_test ("/vmctl/single-gpu/every-release", test_every_release, TRUE);
  return g_test_run ();
}
