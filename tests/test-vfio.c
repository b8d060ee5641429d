/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-vfio.c: the passthrough engine on a copy of turing-4fn (a GPU with
 * audio, USB and UCSI functions) under the simulated kernel
 * (libvmctl-kernel-sim.so through LD_PRELOAD): the exact sysfs sequence, a
 * fault injected at every write of a 4-function detach, a device that
 * never binds or vanishes, SIGKILL after every write followed by recovery,
 * and bad input. After every failure the host must be exactly as before:
 * each function on its first driver, driver_override empty, journal empty,
 * no lock held. */
#include "vmctl-test-util.h"
#include "vmctl-test-sim.h"
#include "vmctl-device-lock.h"
#include "vmctl-vfio.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

static const gchar *const FUNCTIONS[] = {
  "0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3",
};
static const gchar *const ORIGINAL[] = {
  "nvidia", "snd_hda_intel", "xhci_hcd", "nvidia-gpu",
};
#define N_FUNCTIONS G_N_ELEMENTS (FUNCTIONS)

typedef struct {
  gchar *root;
  gchar *state;
  VmctlHost *host;
  VmctlVfio *vfio;
  VmctlPciAddress addresses[N_FUNCTIONS];
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *sim = NULL;

  g_unsetenv ("VMCTL_SIM_ROOT");   /* the copy itself is not simulated */
  /* turing-4fn unless a test asks for another host */
  fixture->root = vmctl_test_copy_scenario (g_getenv ("VMCTL_TEST_SCENARIO") != NULL
                                            ? g_getenv ("VMCTL_TEST_SCENARIO") : "turing-4fn");
  sim = g_build_filename (fixture->root, ".sim", NULL);
  g_assert_cmpint (g_mkdir (sim, 0755), ==, 0);
  vmctl_test_write (fixture->root, ".sim/log", "");
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
  fixture->state = g_dir_make_tmp ("vmctl-vfio-state-XXXXXX", NULL);
  g_assert_nonnull (fixture->state);
  fixture->host = vmctl_host_new (fixture->root, NULL);
  g_assert_nonnull (fixture->host);
  fixture->vfio = vmctl_vfio_new (fixture->host, fixture->state, NULL);
  /* 01:00.0 is the boot display: these tests are about the moves */
  vmctl_vfio_set_force (fixture->vfio, TRUE);
  vmctl_vfio_set_bind_timeout (fixture->vfio, 300);
  vmctl_vfio_set_lock_timeout (fixture->vfio, 0);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    g_assert_true (vmctl_pci_address_parse (FUNCTIONS[i], &fixture->addresses[i], NULL));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_vfio_free (fixture->vfio);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->state);
  g_free (fixture->root);
  g_free (fixture->state);
}

static gchar *
driver_of (Fixture *fixture, const gchar *addr)
{
  return vmctl_test_sim_driver (fixture->root, addr);
}

static gchar *
override_of (Fixture *fixture, const gchar *addr)
{
  return vmctl_test_sim_override (fixture->root, addr);
}

static guint
journal_size (Fixture *fixture)
{
  return (guint) MAX (vmctl_test_journal_files (fixture->state), 0);
}

static void
assert_unlocked (Fixture *fixture)
{
  for (guint i = 0; i < N_FUNCTIONS; i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlDeviceLock) lock = vmctl_device_lock_acquire (fixture->state,
                                                                 &fixture->addresses[i], 0,
                                                                 &error);

    g_assert_no_error (error);
    g_assert_nonnull (lock);
  }
}

/* every function on its first driver, no override, nothing journaled or locked;
 * @gone: a function that was hot-unplugged on purpose, or NULL */
static void
assert_as_before (Fixture *fixture, const gchar *gone)
{
  for (guint i = 0; i < N_FUNCTIONS; i++) {
    g_autofree gchar *driver = NULL;
    g_autofree gchar *override = NULL;

    if (g_strcmp0 (FUNCTIONS[i], gone) == 0)
      continue;
    driver = driver_of (fixture, FUNCTIONS[i]);
    override = override_of (fixture, FUNCTIONS[i]);
    g_assert_cmpstr (driver, ==, ORIGINAL[i]);
    g_assert_cmpstr (override, ==, "(null)");
  }
  g_assert_cmpuint (journal_size (fixture), ==, 0);
  assert_unlocked (fixture);
}

static void
assert_on_vfio (Fixture *fixture)
{
  for (guint i = 0; i < N_FUNCTIONS; i++) {
    g_autofree gchar *driver = driver_of (fixture, FUNCTIONS[i]);

    g_assert_cmpstr (driver, ==, "vfio-pci");
  }
  g_assert_cmpuint (journal_size (fixture), ==, N_FUNCTIONS);
}

/* the simulator's log: one "NAME VALUE" line per write, emptied */
G_GNUC_WARN_UNUSED_RESULT static gchar **
take_log (Fixture *fixture)
{
  return vmctl_test_sim_take_log (fixture->root);
}

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) detach_log = NULL;
  g_auto(GStrv) reattach_log = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, N_FUNCTIONS, "gamer", &error));
  g_assert_no_error (error);
  assert_on_vfio (fixture);
  assert_unlocked (fixture);
  detach_log = take_log (fixture);
  /* per function: override, unbind from its own driver, probe */
  g_assert_cmpuint (g_strv_length (detach_log), ==, 3 * N_FUNCTIONS);
  g_assert_cmpstr (detach_log[0], ==, "devices/0000:01:00.0/driver_override vfio-pci");
  g_assert_cmpstr (detach_log[1], ==, "drivers/nvidia/unbind 0000:01:00.0");
  g_assert_cmpstr (detach_log[2], ==, "drivers_probe 0000:01:00.0");
  g_assert_cmpstr (detach_log[4], ==, "drivers/snd_hda_intel/unbind 0000:01:00.1");

  g_assert_true (vmctl_vfio_reattach_owner (fixture->vfio, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_as_before (fixture, NULL);
  reattach_log = take_log (fixture);
  /* last moved first; the recorded driver bound explicitly */
  g_assert_cmpuint (g_strv_length (reattach_log), ==, 3 * N_FUNCTIONS);
  g_assert_cmpstr (reattach_log[0], ==, "drivers/vfio-pci/unbind 0000:01:00.3");
  g_assert_cmpstr (reattach_log[1], ==, "devices/0000:01:00.3/driver_override ");
  g_assert_cmpstr (reattach_log[2], ==, "drivers/nvidia-gpu/bind 0000:01:00.3");
  g_assert_cmpstr (reattach_log[11], ==, "drivers/nvidia/bind 0000:01:00.0");
}

static void
test_journal_content (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  VmctlJournalEntry *entry;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 2, "", &error));
  g_assert_no_error (error);
  entries = vmctl_vfio_status (fixture->vfio, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (entry->original_driver, ==, "snd_hda_intel");
  g_assert_cmpstr (entry->original_driver_override, ==, "");
  g_assert_cmpstr (entry->owner, ==, "");
  g_assert_cmpint (entry->step, ==, VMCTL_JOURNAL_STEP_BOUND_VFIO);
  g_assert_nonnull (entry->time);
  /* by address: both back, the other two never moved */
  g_assert_true (vmctl_vfio_reattach (fixture->vfio, fixture->addresses, 2, NULL, &error));
  g_assert_no_error (error);
  assert_as_before (fixture, NULL);
}

static void
test_dry_run (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;
  GPtrArray *actions;
  g_autofree gchar *journal_dir = g_build_filename (fixture->state, "journal", NULL);

  vmctl_vfio_set_dry_run (fixture->vfio, TRUE);
  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, N_FUNCTIONS, "", &error));
  g_assert_no_error (error);
  log = take_log (fixture);
  g_assert_cmpuint (g_strv_length (log), ==, 0);
  g_assert_false (g_file_test (journal_dir, G_FILE_TEST_EXISTS));
  actions = vmctl_vfio_get_actions (fixture->vfio);
  g_assert_cmpstr (g_ptr_array_index (actions, 0), ==,
                   "write /sys/bus/pci/devices/0000:01:00.0/driver_override vfio-pci");
  g_assert_cmpstr (g_ptr_array_index (actions, 1), ==,
                   "write /sys/bus/pci/drivers/nvidia/unbind 0000:01:00.0");
  assert_as_before (fixture, NULL);
}

/* ---- faults at every write ---- */

/* the writes of a clean 4-function detach, as the simulator names them */
static gchar **
clean_detach_writes (void)
{
  Fixture clean = { 0 };
  g_autoptr(GError) error = NULL;
  gchar **log;

  setup (&clean, NULL);
  g_assert_true (vmctl_vfio_detach (clean.vfio, clean.addresses, N_FUNCTIONS, "", &error));
  g_assert_no_error (error);
  log = take_log (&clean);
  teardown (&clean, NULL);
  return log;
}

static void
test_fault_every_write (void)
{
  g_auto(GStrv) writes = clean_detach_writes ();

  g_assert_cmpuint (g_strv_length (writes), ==, 3 * N_FUNCTIONS);
  for (guint k = 0; writes[k] != NULL; k++) {
    Fixture fixture = { 0 };
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) parts = g_strsplit (writes[k], " ", 2);
    g_autofree gchar *rule = g_strdup_printf ("%s=%s %d\n", parts[0], parts[1], EIO);
    const gchar *addr = strstr (writes[k], "0000:01:00.");

    g_test_message ("fault at write %u: %s", k, writes[k]);
    setup (&fixture, NULL);
    vmctl_test_write (fixture.root, ".sim/fail-write", rule);
    g_assert_false (vmctl_vfio_detach (fixture.vfio, fixture.addresses, N_FUNCTIONS, "vm", &error));
    g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_WRITE);
    /* the message names the function and the step */
    g_assert_nonnull (addr);
    g_assert_nonnull (strstr (error->message, "0000:01:00."));
    g_assert_nonnull (strstr (error->message, "failed"));
    g_assert_nonnull (strstr (error->message, "Input/output error"));
    assert_as_before (&fixture, NULL);
    teardown (&fixture, NULL);
  }
}

static void
test_never_binds (void)
{
  for (guint i = 0; i < N_FUNCTIONS; i++) {
    Fixture fixture = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree gchar *rule = g_strdup_printf ("%s vfio-pci\n", FUNCTIONS[i]);

    setup (&fixture, NULL);
    vmctl_test_write (fixture.root, ".sim/never-bind", rule);
    g_assert_false (vmctl_vfio_detach (fixture.vfio, fixture.addresses, N_FUNCTIONS, "", &error));
    g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_TIMEOUT);
    g_assert_nonnull (strstr (error->message, FUNCTIONS[i]));
    g_assert_nonnull (strstr (error->message, "probing vfio-pci"));
    assert_as_before (&fixture, NULL);
    teardown (&fixture, NULL);
  }
}

/* the function hot-unplugged right after one of its writes */
static void
test_vanishes (void)
{
  g_auto(GStrv) writes = clean_detach_writes ();

  for (guint k = 0; writes[k] != NULL; k++) {
    Fixture fixture = { 0 };
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) parts = g_strsplit (writes[k], " ", 2);
    const gchar *addr = strstr (writes[k], "0000:01:00.");
    g_autofree gchar *gone = g_strndup (addr, 12);
    g_autofree gchar *rule = NULL;

    /* drivers_probe is shared: only the first function's probe is unique */
    if (g_str_has_prefix (writes[k], "drivers_probe") && k != 2)
      continue;
    rule = g_strdup_printf ("%s %s\n", parts[0], gone);
    g_test_message ("vanish after write %u: %s", k, writes[k]);
    setup (&fixture, NULL);
    vmctl_test_write (fixture.root, ".sim/vanish-after", rule);
    g_assert_false (vmctl_vfio_detach (fixture.vfio, fixture.addresses, N_FUNCTIONS, "", &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, gone));
    assert_as_before (&fixture, gone);
    teardown (&fixture, NULL);
  }
}

/* ---- SIGKILL after every write, then recovery ---- */

static void
child_detach (void)
{
  Fixture fixture = { 0 };

  if (!g_test_subprocess ())
    return;  /* run by test_crash_every_write only */
  /* the parent's tree and state, through the environment */
  fixture.root = g_strdup (g_getenv ("VMCTL_SIM_ROOT"));
  fixture.state = g_strdup (g_getenv ("VMCTL_TEST_STATE"));
  fixture.host = vmctl_host_new (fixture.root, NULL);
  fixture.vfio = vmctl_vfio_new (fixture.host, fixture.state, NULL);
  vmctl_vfio_set_force (fixture.vfio, TRUE);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    g_assert_true (vmctl_pci_address_parse (FUNCTIONS[i], &fixture.addresses[i], NULL));
  (void) vmctl_vfio_detach (fixture.vfio, fixture.addresses, N_FUNCTIONS, "crashy", NULL);
  /* reached only when the kill never came: the parent notices */
  exit (0);
}

static void
test_crash_every_write (void)
{
  g_auto(GStrv) writes = clean_detach_writes ();

  for (guint k = 0; writes[k] != NULL; k++) {
    Fixture fixture = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlVfioRecovery) recovery = NULL;
    g_auto(GStrv) parts = g_strsplit (writes[k], " ", 2);
    g_autofree gchar *rule = g_strdup_printf ("%s=%s\n", parts[0], parts[1]);
    guint journaled;

    g_test_message ("SIGKILL after write %u: %s", k, writes[k]);
    setup (&fixture, NULL);
    vmctl_test_write (fixture.root, ".sim/kill-after", rule);
    g_setenv ("VMCTL_TEST_STATE", fixture.state, TRUE);
    g_test_trap_subprocess ("/vmctl/vfio/crash/child", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_failed ();
    /* the journal holds what the dead process moved; nothing is moved
     * without an entry */
    journaled = journal_size (&fixture);
    g_assert_cmpuint (journaled, >=, 1);
    vmctl_test_unlink (fixture.root, ".sim/kill-after");
    recovery = vmctl_vfio_recover (fixture.vfio, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (recovery->failed->len, ==, 0);
    g_assert_cmpuint (recovery->reattached->len, ==, journaled);
    assert_as_before (&fixture, NULL);
    teardown (&fixture, NULL);
  }
}

/* ---- bad input and state ---- */

static void
test_bad_input (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  VmctlPciAddress address;

  g_assert_true (vmctl_pci_address_parse ("0000:05:00.0", &address, NULL));
  g_assert_false (vmctl_vfio_detach (fixture->vfio, &address, 1, "", &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_NO_DEVICE);
  g_clear_error (&error);

  g_assert_true (vmctl_pci_address_parse ("0000:00:01.0", &address, NULL));
  g_assert_false (vmctl_vfio_detach (fixture->vfio, &address, 1, "", &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE);
  g_clear_error (&error);

  /* not held: nothing to give back, and nothing touched */
  g_assert_false (vmctl_vfio_reattach (fixture->vfio, fixture->addresses, 1, NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_NOT_HELD);
  g_assert_nonnull (strstr (error->message, "it is on nvidia"));
  g_clear_error (&error);
  g_assert_true (vmctl_vfio_reattach_owner (fixture->vfio, "nobody", NULL, &error));
  g_assert_no_error (error);
  {
    g_auto(GStrv) log = take_log (fixture);

    g_assert_cmpuint (g_strv_length (log), ==, 0);
  }
  assert_as_before (fixture, NULL);
}

/* a function detached by hand is used by a VM as it is, and stays the
 * user's: the VM's stop leaves it on vfio-pci */
static void
test_manual_then_vm (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 1, "", &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 2, "vm", &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_vfio_reattach_owner (fixture->vfio, "vm", NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree gchar *gpu = driver_of (fixture, "0000:01:00.0");
    g_autofree gchar *audio = driver_of (fixture, "0000:01:00.1");

    g_assert_cmpstr (gpu, ==, "vfio-pci");
    g_assert_cmpstr (audio, ==, "snd_hda_intel");
  }
  entries = vmctl_vfio_status (fixture->vfio, NULL, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((VmctlJournalEntry *) g_ptr_array_index (entries, 0))->owner, ==, "");
  g_assert_true (vmctl_vfio_reattach (fixture->vfio, fixture->addresses, 1, NULL, &error));
  assert_as_before (fixture, NULL);
}

static void
test_held_twice (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 1, "first", &error));
  g_assert_no_error (error);
  g_assert_false (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 2, "second", &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_HELD);
  g_assert_nonnull (strstr (error->message, "for VM 'first'"));
  /* refused before anything moved: 01:00.1 is untouched */
  {
    g_autofree gchar *driver = driver_of (fixture, "0000:01:00.1");

    g_assert_cmpstr (driver, ==, "snd_hda_intel");
  }
  g_assert_true (vmctl_vfio_reattach_owner (fixture->vfio, "first", NULL, NULL));
  assert_as_before (fixture, NULL);
}

/* a journal entry from an earlier boot is dropped, not acted on */
static void
test_stale_entry (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 1, "old", &error));
  g_assert_no_error (error);
  /* the machine "reboots": new boot id, the kernel forgot the binding */
  vmctl_test_write (fixture->root, "proc/sys/kernel/random/boot_id",
                    "0b1c1a52-0000-4000-8000-000000000001\n");
  vmctl_vfio_free (fixture->vfio);
  fixture->vfio = vmctl_vfio_new (fixture->host, fixture->state, NULL);
  recovery = vmctl_vfio_recover (fixture->vfio, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recovery->dropped->len, ==, 1);
  g_assert_cmpuint (recovery->reattached->len, ==, 0);
  g_assert_cmpuint (journal_size (fixture), ==, 0);
}

static gchar *
only_alive_runs (const VmctlJournalEntry *entry, gpointer data)
{
  return g_strcmp0 (entry->owner, "alive") == 0 ? g_strdup ("alive") : NULL;
}

static void
test_recover_keeps_running (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 2, "alive", &error));
  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses + 2, 2, "dead", &error));
  g_assert_no_error (error);
  recovery = vmctl_vfio_recover (fixture->vfio, only_alive_runs, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recovery->kept->len, ==, 2);
  g_assert_cmpuint (recovery->reattached->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (recovery->reattached, 0), ==, "0000:01:00.3 -> nvidia-gpu");
  g_assert_cmpuint (journal_size (fixture), ==, 2);
  {
    g_autofree gchar *driver = driver_of (fixture, "0000:01:00.0");

    g_assert_cmpstr (driver, ==, "vfio-pci");
  }
}

/* a VM whose start is under way (its owner lock held) keeps its
 * functions: the domain is about to run */
static void
test_recover_spares_starting (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;
  g_autoptr(VmctlDeviceLock) starting = NULL;

  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 1, "booting", &error));
  g_assert_no_error (error);
  starting = vmctl_owner_lock_acquire (fixture->state, "booting", 0, &error);
  g_assert_no_error (error);
  recovery = vmctl_vfio_recover (fixture->vfio, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recovery->reattached->len, ==, 0);
  g_assert_cmpuint (recovery->kept->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (recovery->kept, 0), ==,
                   "0000:01:00.0 held by VM 'booting', which another vmctl is starting");
  g_clear_pointer (&starting, vmctl_device_lock_release);
  g_clear_pointer (&recovery, vmctl_vfio_recovery_free);
  /* the start gave up (its lock is gone): now it is debris */
  recovery = vmctl_vfio_recover (fixture->vfio, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recovery->reattached->len, ==, 1);
  assert_as_before (fixture, NULL);
}

static void
test_read_only_state (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (geteuid () == 0) {
    /* root writes anyway: point the state dir at a file instead */
    g_autofree gchar *file = g_build_filename (fixture->state, "not-a-dir", NULL);

    vmctl_test_write (fixture->state, "not-a-dir", "");
    vmctl_vfio_free (fixture->vfio);
    fixture->vfio = vmctl_vfio_new (fixture->host, file, NULL);
  } else {
    g_assert_cmpint (g_chmod (fixture->state, 0555), ==, 0);
  }
  vmctl_vfio_set_force (fixture->vfio, TRUE);
  g_assert_false (vmctl_vfio_detach (fixture->vfio, fixture->addresses, 1, "", &error));
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_STATE_DIR);
  g_chmod (fixture->state, 0755);
  {
    g_auto(GStrv) log = take_log (fixture);

    g_assert_cmpuint (g_strv_length (log), ==, 0);
  }
}

/* a function with no driver goes to vfio-pci without an unbind, and comes
 * back to no driver (nothing is bound on the way back) */
static void
test_driverless (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) detach_log = NULL;
  g_auto(GStrv) reattach_log = NULL;
  g_autofree gchar *audio = NULL;

  vmctl_test_unlink (fixture->root, "sys/bus/pci/drivers/snd_hda_intel/0000:01:00.1");
  vmctl_test_unlink (fixture->root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/driver");
  g_assert_true (vmctl_vfio_detach (fixture->vfio, fixture->addresses + 1, 1, "", &error));
  g_assert_no_error (error);
  detach_log = take_log (fixture);
  g_assert_cmpuint (g_strv_length (detach_log), ==, 2);
  g_assert_cmpstr (detach_log[0], ==, "devices/0000:01:00.1/driver_override vfio-pci");
  g_assert_cmpstr (detach_log[1], ==, "drivers_probe 0000:01:00.1");
  g_assert_true (vmctl_vfio_reattach (fixture->vfio, fixture->addresses + 1, 1, NULL, &error));
  g_assert_no_error (error);
  reattach_log = take_log (fixture);
  g_assert_cmpuint (g_strv_length (reattach_log), ==, 2);
  g_assert_cmpstr (reattach_log[0], ==, "drivers/vfio-pci/unbind 0000:01:00.1");
  /* an empty value (the log's last line, chomped) */
  g_assert_cmpstr (reattach_log[1], ==, "devices/0000:01:00.1/driver_override");
  audio = driver_of (fixture, "0000:01:00.1");
  g_assert_null (audio);
  g_assert_cmpuint (journal_size (fixture), ==, 0);
}

/* ---- vfio-pci not loaded ---- */

/* a modprobe that registers vfio-pci in the simulated tree (as the
 * kernel's driver core would), or fails as a kernel without it does */
static gchar *
fake_modprobe (const gchar *directory, gboolean works)
{
  g_autofree gchar *path = g_build_filename (directory, "modprobe", NULL);
  const gchar *script = works
    ? "#!/bin/sh\n"
      "[ \"$1\" = vfio-pci ] || exit 3\n"
      "d=\"$VMCTL_SIM_ROOT/sys/bus/pci/drivers/vfio-pci\"\n"
      /* created outside the simulator, which only knows existing files */
      "mkdir -p \"$d\" && cd \"$d\" && env -u LD_PRELOAD touch bind unbind new_id remove_id\n"
    : "#!/bin/sh\n"
      "echo \"modprobe: FATAL: Module $1 not found in directory /lib/modules/6.1.0\" >&2\n"
      "exit 1\n";

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return g_steal_pointer (&path);
}

static void
test_module_loaded (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *modprobe = NULL;
  GPtrArray *actions;

  g_setenv ("VMCTL_TEST_SCENARIO", "vfio-missing", TRUE);
  setup (&fixture, NULL);
  modprobe = fake_modprobe (fixture.state, TRUE);
  g_setenv ("VMCTL_MODPROBE", modprobe, TRUE);
  g_assert_true (vmctl_vfio_detach (fixture.vfio, fixture.addresses, 2, "", &error));
  g_assert_no_error (error);
  actions = vmctl_vfio_get_actions (fixture.vfio);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (actions, 0), "run "));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (actions, 0), "modprobe vfio-pci"));
  {
    g_autofree gchar *gpu = driver_of (&fixture, "0000:01:00.0");

    g_assert_cmpstr (gpu, ==, "vfio-pci");
  }
  g_assert_true (vmctl_vfio_reattach (fixture.vfio, fixture.addresses, 2, NULL, &error));
  g_assert_no_error (error);
  g_unsetenv ("VMCTL_MODPROBE");
  g_unsetenv ("VMCTL_TEST_SCENARIO");
  teardown (&fixture, NULL);
}

static void
test_module_missing (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *modprobe = NULL;

  g_setenv ("VMCTL_TEST_SCENARIO", "vfio-missing", TRUE);
  setup (&fixture, NULL);
  modprobe = fake_modprobe (fixture.state, FALSE);
  g_setenv ("VMCTL_MODPROBE", modprobe, TRUE);
  g_assert_false (vmctl_vfio_detach (fixture.vfio, fixture.addresses, 2, "", &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_MODULE);
  g_assert_nonnull (strstr (error->message, "Module vfio-pci not found"));
  {
    g_auto(GStrv) log = take_log (&fixture);
    g_autofree gchar *gpu = driver_of (&fixture, "0000:01:00.0");

    g_assert_cmpuint (g_strv_length (log), ==, 0);
    g_assert_cmpstr (gpu, ==, "nvidia");
  }
  g_unsetenv ("VMCTL_MODPROBE");
  g_unsetenv ("VMCTL_TEST_SCENARIO");
  teardown (&fixture, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim ("test-vfio");
#define ADD(path, fn) g_test_add ("/vmctl/vfio/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("round-trip", test_round_trip);
  ADD ("journal-content", test_journal_content);
  ADD ("dry-run", test_dry_run);
  ADD ("bad-input", test_bad_input);
  ADD ("held-twice", test_held_twice);
  ADD ("manual-then-vm", test_manual_then_vm);
  ADD ("stale-entry", test_stale_entry);
  ADD ("recover-keeps-running", test_recover_keeps_running);
  ADD ("read-only-state", test_read_only_state);
  ADD ("recover-spares-starting", test_recover_spares_starting);
  ADD ("driverless", test_driverless);
#undef ADD
  g_test_add_func ("/vmctl/vfio/fault/every-write", test_fault_every_write);
  g_test_add_func ("/vmctl/vfio/fault/never-binds", test_never_binds);
  g_test_add_func ("/vmctl/vfio/fault/vanishes", test_vanishes);
  g_test_add_func ("/vmctl/vfio/crash/every-write", test_crash_every_write);
  g_test_add_func ("/vmctl/vfio/crash/child", child_detach);
  g_test_add_func ("/vmctl/vfio/module/loaded", test_module_loaded);
  g_test_add_func ("/vmctl/vfio/module/missing", test_module_missing);
  return g_test_run ();
}
