/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-vfio.c: vmctl gpu detach, reattach, status and recover, the
 * built binary run on a copied fixture host under the simulated kernel
 * (libvmctl-kernel-sim.so in LD_PRELOAD, inherited by every vmctl run;
 * VMCTL_SIM_ROOT names the copy for the child only). Checked: what lands
 * in sysfs (driver links, driver_override), the journal, stdout and the
 * one stderr line, exit codes, dry runs, SIGKILL after every write
 * followed by 'gpu recover', and two detaches racing for one GPU. */
#include "vmctl-test-cli.h"
#include "vmctl-test-sim.h"
#include "vmctl-vfio.h"

#include <string.h>
#include <sys/wait.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

typedef struct {
  gchar *root;   /* a copy of tests/data/sysfs/<scenario> */
  gchar *state;  /* --state-dir */
} Fixture;

static const gchar *const TURING[] = {
  "0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3", NULL
};
static const gchar *const TURING_DRIVERS[] = {
  "nvidia", "snd_hda_intel", "xhci_hcd", "nvidia-gpu", NULL
};
static const gchar *const CLEAN[] = { "0000:01:00.0", "0000:01:00.1", NULL };
static const gchar *const CLEAN_DRIVERS[] = { "nvidia", "snd_hda_intel", NULL };

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *sim = NULL;

  fixture->root = vmctl_test_copy_scenario (data);
  sim = g_build_filename (fixture->root, ".sim", NULL);
  g_assert_cmpint (g_mkdir (sim, 0755), ==, 0);
  vmctl_test_write (fixture->root, ".sim/log", "");
  fixture->state = g_dir_make_tmp ("vmctl-cli-vfio-state-XXXXXX", NULL);
  g_assert_nonnull (fixture->state);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->state);
  g_free (fixture->root);
  g_free (fixture->state);
}

/* the environment of every vmctl run: this tree simulated, short waits */
static gchar **
child_environment (Fixture *fixture, const gchar *lock_timeout_ms)
{
  g_autofree gchar *sim_root = g_strconcat ("VMCTL_SIM_ROOT=", fixture->root, NULL);
  g_autofree gchar *lock = g_strconcat ("VMCTL_LOCK_TIMEOUT_MS=", lock_timeout_ms, NULL);
  const gchar *environment[] = { sim_root, "VMCTL_BIND_TIMEOUT_MS=300", lock, NULL };

  return g_strdupv ((gchar **) environment);
}

/* vmctl --host-root ROOT --state-dir STATE ARGS... */
static GPtrArray *
vmctl_argv (Fixture *fixture, const gchar *state_dir, const gchar *first, va_list args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, fixture->root);
  g_ptr_array_add (argv, (gpointer) "--state-dir");
  g_ptr_array_add (argv, (gpointer) state_dir);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  return argv;
}

static VmctlTestRun *
run_in (Fixture *fixture, const gchar *state_dir, const gchar *first, ...) G_GNUC_NULL_TERMINATED;

static VmctlTestRun *
run_in (Fixture *fixture, const gchar *state_dir, const gchar *first, ...)
{
  g_auto(GStrv) environment = child_environment (fixture, "1");
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = vmctl_argv (fixture, state_dir, first, args);
  va_end (args);
  return vmctl_test_run_vmctl_env ((const gchar * const *) environment,
                                   (const gchar * const *) argv->pdata);
}

#define run(fixture, ...) run_in ((fixture), (fixture)->state, __VA_ARGS__, NULL)

static gchar *
driver_of (Fixture *fixture, const gchar *address)
{
  return vmctl_test_sim_driver (fixture->root, address);
}

static gchar *
override_of (Fixture *fixture, const gchar *address)
{
  return vmctl_test_sim_override (fixture->root, address);
}

/* files in STATE/journal (-1 when the directory does not exist) */
static gint
journal_files (Fixture *fixture)
{
  return vmctl_test_journal_files (fixture->state);
}

/* the simulator's log, one "NAME VALUE" per write; emptied */
G_GNUC_WARN_UNUSED_RESULT static gchar **
take_log (Fixture *fixture)
{
  return vmctl_test_sim_take_log (fixture->root);
}

static void
assert_log_empty (Fixture *fixture)
{
  g_auto(GStrv) log = take_log (fixture);

  g_assert_cmpuint (g_strv_length (log), ==, 0);
}

/* each function on its driver, driver_override empty */
static void
assert_drivers (Fixture *fixture, const gchar *const *addresses, const gchar *const *drivers)
{
  for (guint i = 0; addresses[i] != NULL; i++) {
    g_autofree gchar *driver = driver_of (fixture, addresses[i]);
    g_autofree gchar *override = override_of (fixture, addresses[i]);

    g_assert_cmpstr (driver, ==, drivers[i]);
    g_assert_cmpstr (override, ==, "(null)");
  }
}

static void
assert_on_vfio (Fixture *fixture, const gchar *const *addresses)
{
  for (guint i = 0; addresses[i] != NULL; i++) {
    g_autofree gchar *driver = driver_of (fixture, addresses[i]);
    g_autofree gchar *override = override_of (fixture, addresses[i]);

    g_assert_cmpstr (driver, ==, "vfio-pci");
    g_assert_cmpstr (override, ==, "vfio-pci");
  }
}

static JsonArray *
status_functions (Fixture *fixture, JsonNode **out_node)
{
  g_autoptr(VmctlTestRun) status = run (fixture, "gpu", "status", "--json");

  g_assert_cmpint (status->exit_status, ==, 0);
  g_assert_cmpstr (status->err, ==, "");
  *out_node = vmctl_test_parse_json (status->out);
  return json_object_get_array_member (json_node_get_object (*out_node), "functions");
}

/* stdout lines starting with "would: write " */
static gchar **
planned_writes (const gchar *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GPtrArray) writes = g_ptr_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "would: write "))
      g_ptr_array_add (writes, g_strdup (lines[i] + strlen ("would: write ")));
  g_ptr_array_add (writes, NULL);
  return (gchar **) g_ptr_array_steal (writes, NULL);
}

static void
assert_strv (gchar **actual, const gchar *const *expected)
{
  for (guint i = 0; expected[i] != NULL; i++) {
    g_assert_nonnull (actual[i]);
    g_assert_cmpstr (actual[i], ==, expected[i]);
  }
  g_assert_cmpuint (g_strv_length (actual), ==, g_strv_length ((gchar **) expected));
}

/* ---- 1. round trip ---- */

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) reattach = NULL;
  g_autoptr(VmctlTestRun) empty = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *functions;
  JsonObject *audio;

  g_assert_cmpstr (detach->err, ==, "");
  g_assert_cmpint (detach->exit_status, ==, 0);
  g_assert_cmpstr (detach->out, ==,
                   "0000:01:00.0  nvidia         ->  vfio-pci\n"
                   "0000:01:00.1  snd_hda_intel  ->  vfio-pci\n");
  assert_on_vfio (fixture, CLEAN);
  g_assert_cmpint (journal_files (fixture), ==, 2);

  functions = status_functions (fixture, &node);
  g_assert_cmpuint (json_array_get_length (functions), ==, 2);
  audio = json_array_get_object_element (functions, 1);
  g_assert_cmpstr (json_object_get_string_member (audio, "address"), ==, "0000:01:00.1");
  g_assert_cmpstr (json_object_get_string_member (audio, "driver"), ==, "vfio-pci");
  g_assert_cmpstr (json_object_get_string_member (audio, "original_driver"), ==, "snd_hda_intel");
  g_assert_cmpstr (json_object_get_string_member (audio, "original_driver_override"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (audio, "owner"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (audio, "step"), ==, "bound-vfio");
  g_assert_false (json_object_get_boolean_member (audio, "stale"));
  g_assert_nonnull (json_object_get_string_member (audio, "since"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "problems")), ==, 0);
  g_strfreev (take_log (fixture));

  /* by the GPU's address: its audio function goes back with it */
  reattach = run (fixture, "gpu", "reattach", "01:00.0");
  g_assert_cmpstr (reattach->err, ==, "");
  g_assert_cmpint (reattach->exit_status, ==, 0);
  g_assert_cmpstr (reattach->out, ==,
                   "0000:01:00.1  vfio-pci  ->  snd_hda_intel\n"
                   "0000:01:00.0  vfio-pci  ->  nvidia\n");
  assert_drivers (fixture, CLEAN, CLEAN_DRIVERS);
  g_assert_cmpint (journal_files (fixture), ==, 0);
  {
    g_auto(GStrv) log = take_log (fixture);

    g_assert_cmpuint (g_strv_length (log), ==, 6);
    g_assert_cmpstr (log[2], ==, "drivers/snd_hda_intel/bind 0000:01:00.1");
    g_assert_cmpstr (log[5], ==, "drivers/nvidia/bind 0000:01:00.0");
  }
  empty = run (fixture, "gpu", "status");
  g_assert_cmpint (empty->exit_status, ==, 0);
  g_assert_cmpstr (empty->out, ==, "vmctl holds no PCI functions\n");
}

static void
test_json_and_status_text (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "0000:01:00.0", "--json");
  g_autoptr(VmctlTestRun) status = NULL;
  g_autoptr(VmctlTestRun) reattach = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) back = NULL;
  JsonArray *detached;
  JsonObject *first;

  g_assert_cmpint (detach->exit_status, ==, 0);
  g_assert_cmpstr (detach->err, ==, "");
  node = vmctl_test_parse_json (detach->out);
  detached = json_object_get_array_member (json_node_get_object (node), "detached");
  g_assert_cmpuint (json_array_get_length (detached), ==, 2);
  first = json_array_get_object_element (detached, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "address"), ==, "0000:01:00.0");
  g_assert_cmpstr (json_object_get_string_member (first, "from"), ==, "nvidia");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (detached, 1),
                                                  "from"), ==, "snd_hda_intel");

  status = run (fixture, "gpu", "status");
  g_assert_cmpint (status->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (status->out, "ADDRESS       NOW       ORIGINAL       VM  SINCE"));
  g_assert_nonnull (strstr (status->out, "\n0000:01:00.1  vfio-pci  snd_hda_intel  -   "));
  g_assert_true (g_str_has_suffix (status->out, "  bound-vfio\n"));
  vmctl_test_assert_no_trailing_spaces (status->out);

  /* by the audio function's address: the whole card goes back */
  reattach = run (fixture, "gpu", "reattach", "pci_0000_01_00_1", "--json");
  g_assert_cmpint (reattach->exit_status, ==, 0);
  back = vmctl_test_parse_json (reattach->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (back),
                                                                         "reattached")), ==, 2);
  assert_drivers (fixture, CLEAN, CLEAN_DRIVERS);
  g_assert_cmpint (journal_files (fixture), ==, 0);
}

/* ---- 2. the boot display needs --force ---- */

static void
test_boot_vga (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) refused = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) forced = NULL;

  g_assert_cmpint (refused->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (refused);
  g_assert_nonnull (strstr (refused->err, "boot VGA"));
  g_assert_nonnull (strstr (refused->err, "--force"));
  g_assert_cmpstr (refused->out, ==, "");
  assert_log_empty (fixture);
  assert_drivers (fixture, TURING, TURING_DRIVERS);
  g_assert_cmpint (journal_files (fixture), <=, 0);

  forced = run (fixture, "gpu", "detach", "01:00.0", "--force");
  g_assert_cmpstr (forced->err, ==, "");
  g_assert_cmpint (forced->exit_status, ==, 0);
  assert_on_vfio (fixture, TURING);
  g_assert_cmpint (journal_files (fixture), ==, 4);
  g_assert_nonnull (strstr (forced->out, "0000:01:00.3  nvidia-gpu     ->  vfio-pci\n"));
}

/* ---- 3. dry runs ---- */

static void
test_dry_run (Fixture *fixture, gconstpointer data)
{
  const gchar *const detach_writes[] = {
    "/sys/bus/pci/devices/0000:01:00.0/driver_override vfio-pci",
    "/sys/bus/pci/drivers/nvidia/unbind 0000:01:00.0",
    "/sys/bus/pci/drivers_probe 0000:01:00.0",
    "/sys/bus/pci/devices/0000:01:00.1/driver_override vfio-pci",
    "/sys/bus/pci/drivers/snd_hda_intel/unbind 0000:01:00.1",
    "/sys/bus/pci/drivers_probe 0000:01:00.1",
    NULL
  };
  const gchar *const reattach_writes[] = {
    "/sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.1",
    "/sys/bus/pci/devices/0000:01:00.1/driver_override ''",
    "/sys/bus/pci/drivers/snd_hda_intel/bind 0000:01:00.1",
    "/sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.0",
    "/sys/bus/pci/devices/0000:01:00.0/driver_override ''",
    "/sys/bus/pci/drivers/nvidia/bind 0000:01:00.0",
    NULL
  };
  g_autoptr(VmctlTestRun) dry = run (fixture, "gpu", "detach", "01:00.0", "--dry-run");
  g_autoptr(VmctlTestRun) dry_json = NULL;
  g_autoptr(VmctlTestRun) detach = NULL;
  g_autoptr(VmctlTestRun) dry_back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_auto(GStrv) writes = NULL;
  g_auto(GStrv) back_writes = NULL;
  JsonObject *object;
  JsonArray *actions;

  g_assert_cmpint (dry->exit_status, ==, 0);
  g_assert_cmpstr (dry->err, ==, "");
  writes = planned_writes (dry->out);
  assert_strv (writes, detach_writes);
  assert_log_empty (fixture);
  g_assert_cmpint (journal_files (fixture), ==, -1);
  assert_drivers (fixture, CLEAN, CLEAN_DRIVERS);

  dry_json = run (fixture, "gpu", "detach", "01:00.0", "--dry-run", "--json");
  g_assert_cmpint (dry_json->exit_status, ==, 0);
  node = vmctl_test_parse_json (dry_json->out);
  object = json_node_get_object (node);
  g_assert_true (json_object_get_boolean_member (object, "dry_run"));
  actions = json_object_get_array_member (object, "actions");
  g_assert_cmpstr (json_array_get_string_element (actions, 0), ==,
                   "write /sys/bus/pci/devices/0000:01:00.0/driver_override vfio-pci");
  assert_log_empty (fixture);
  g_assert_cmpint (journal_files (fixture), ==, -1);

  detach = run (fixture, "gpu", "detach", "01:00.0");
  g_assert_cmpint (detach->exit_status, ==, 0);
  g_strfreev (take_log (fixture));
  dry_back = run (fixture, "gpu", "reattach", "01:00.0", "--dry-run");
  g_assert_cmpint (dry_back->exit_status, ==, 0);
  g_assert_cmpstr (dry_back->err, ==, "");
  back_writes = planned_writes (dry_back->out);
  assert_strv (back_writes, reattach_writes);
  assert_log_empty (fixture);
  assert_on_vfio (fixture, CLEAN);
  g_assert_cmpint (journal_files (fixture), ==, 2);
}

/* ---- 4. bad input ---- */

static void
assert_usage (VmctlTestRun *run, const gchar *needle)
{
  vmctl_test_assert_usage_error (run);
  g_assert_nonnull (strstr (run->err, needle));
  g_assert_cmpstr (run->out, ==, "");
}

static void
test_bad_input (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *file = g_build_filename (fixture->state, "a-file", NULL);
  g_autoptr(VmctlTestRun) unknown = run (fixture, "gpu", "detach", "0000:05:00.0");
  g_autoptr(VmctlTestRun) bridge = run (fixture, "gpu", "detach", "00:01.0");
  g_autoptr(VmctlTestRun) malformed = run (fixture, "gpu", "detach", "01:00");
  g_autoptr(VmctlTestRun) bad_hostdev = run (fixture, "gpu", "detach", "01:00.0",
                                             "--hostdev", "nope");
  g_autoptr(VmctlTestRun) not_held = run (fixture, "gpu", "reattach", "01:00.0");
  g_autoptr(VmctlTestRun) not_held_dry = run (fixture, "gpu", "reattach", "01:00.0", "--dry-run");
  g_autoptr(VmctlTestRun) neither = run (fixture, "gpu", "reattach");
  g_autoptr(VmctlTestRun) both = run (fixture, "gpu", "reattach", "01:00.0", "--vm", "x");
  g_autoptr(VmctlTestRun) file_state = NULL;
  g_autoptr(VmctlTestRun) file_status = NULL;

  assert_usage (unknown, "0000:05:00.0");
  assert_usage (bridge, "bridge");
  assert_usage (malformed, "not a PCI address");
  assert_usage (bad_hostdev, "--hostdev");
  assert_usage (not_held, "0000:01:00.0 was not detached by vmctl (no journal entry; it is on nvidia)");
  assert_usage (not_held_dry, "was not detached by vmctl");
  assert_usage (neither, "give ADDR or --vm NAME");
  assert_usage (both, "not both");

  /* a regular file where the state directory should be */
  vmctl_test_write (fixture->state, "a-file", "");
  file_state = run_in (fixture, file, "gpu", "detach", "01:00.0", NULL);
  g_assert_cmpint (file_state->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (file_state);
  g_assert_nonnull (strstr (file_state->err, "state directory"));
  g_assert_nonnull (strstr (file_state->err, "--state-dir"));
  file_status = run_in (fixture, file, "gpu", "status", NULL);
  g_assert_cmpint (file_status->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (file_status);
  g_assert_nonnull (strstr (file_status->err, "is not a directory"));

  assert_log_empty (fixture);
  assert_drivers (fixture, CLEAN, CLEAN_DRIVERS);
}

/* an unreadable journal entry is listed, and status still succeeds */
static void
test_status_problem (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) status = NULL;
  g_autoptr(VmctlTestRun) text = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *problems;

  g_assert_cmpint (detach->exit_status, ==, 0);
  vmctl_test_write (fixture->state, "journal/0000:01:00.1.entry", "not a key file\n");
  status = run (fixture, "gpu", "status", "--json");
  g_assert_cmpint (status->exit_status, ==, 0);
  node = vmctl_test_parse_json (status->out);
  object = json_node_get_object (node);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "functions")), ==, 1);
  problems = json_object_get_array_member (object, "problems");
  g_assert_cmpuint (json_array_get_length (problems), ==, 1);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (json_array_get_object_element (problems, 0),
                                                                  "path"), "0000:01:00.1.entry"));
  text = run (fixture, "gpu", "status");
  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_nonnull (strstr (text->out, "Corrupt journal entries"));
}

/* ---- 5. SIGKILL after every write, then gpu recover ---- */

static gchar **
clean_detach_writes (void)
{
  Fixture clean = { 0 };
  g_autoptr(VmctlTestRun) detach = NULL;
  gchar **log;

  setup (&clean, "turing-4fn");
  detach = run (&clean, "gpu", "detach", "01:00.0", "--force");
  g_assert_cmpint (detach->exit_status, ==, 0);
  log = take_log (&clean);
  teardown (&clean, NULL);
  return log;
}

static void
test_crash_recover (void)
{
  g_auto(GStrv) writes = clean_detach_writes ();

  g_assert_cmpuint (g_strv_length (writes), ==, 12);
  for (guint k = 0; writes[k] != NULL; k++) {
    Fixture fixture = { 0 };
    g_autoptr(VmctlTestRun) killed = NULL;
    g_autoptr(VmctlTestRun) recover = NULL;
    g_autoptr(VmctlTestRun) status = NULL;
    g_auto(GStrv) parts = g_strsplit (writes[k], " ", 2);
    g_autofree gchar *rule = g_strdup_printf ("%s=%s\n", parts[0], parts[1]);

    g_test_message ("SIGKILL after write %u: %s", k, writes[k]);
    setup (&fixture, "turing-4fn");
    vmctl_test_write (fixture.root, ".sim/kill-after", rule);
    killed = run (&fixture, "gpu", "detach", "01:00.0", "--force");
    g_assert_cmpint (killed->exit_status, ==, 128 + SIGKILL);
    g_assert_cmpint (journal_files (&fixture), >=, 1);
    vmctl_test_unlink (fixture.root, ".sim/kill-after");
    /* the function being moved never reached bound-vfio */
    status = run (&fixture, "gpu", "status");
    g_assert_cmpint (status->exit_status, ==, 0);
    g_assert_nonnull (strstr (status->out, "  interrupted at "));
    g_clear_pointer (&status, vmctl_test_run_free);

    /* no entry names a VM: recover needs no libvirt (the test URI leads
     * nowhere) */
    recover = run (&fixture, "gpu", "recover");
    g_assert_cmpstr (recover->err, ==, "");
    g_assert_cmpint (recover->exit_status, ==, 0);
    g_assert_true (g_str_has_prefix (recover->out, "reattached: 0000:01:00."));
    g_assert_null (strstr (recover->out, "failed"));
    assert_drivers (&fixture, TURING, TURING_DRIVERS);
    g_assert_cmpint (journal_files (&fixture), ==, 0);
    status = run (&fixture, "gpu", "status");
    g_assert_cmpstr (status->out, ==, "vmctl holds no PCI functions\n");
    teardown (&fixture, NULL);
  }
}

/* recover asks libvirt about owner VMs: the running one keeps its
 * functions, the shut-off and unknown ones give theirs back */
static void
test_recover_owners (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlHost) host = vmctl_host_new (fixture->root, NULL);
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlTestRun) no_libvirt = NULL;
  g_autoptr(VmctlTestRun) recover = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("vms");
  VmctlPciAddress addresses[4];
  JsonObject *object;

  for (guint i = 0; i < 4; i++)
    g_assert_true (vmctl_pci_address_parse (TURING[i], &addresses[i], NULL));
  /* in this process, so the entries can name VMs ('gpu detach' cannot) */
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
  vfio = vmctl_vfio_new (host, fixture->state, &error);
  g_assert_no_error (error);
  vmctl_vfio_set_force (vfio, TRUE);
  g_assert_true (vmctl_vfio_detach (vfio, addresses, 2, "gamer", &error));
  g_assert_true (vmctl_vfio_detach (vfio, addresses + 2, 1, "db", &error));
  g_assert_true (vmctl_vfio_detach (vfio, addresses + 3, 1, "ghost", &error));
  g_assert_no_error (error);
  g_unsetenv ("VMCTL_SIM_ROOT");
  g_strfreev (take_log (fixture));

  /* libvirt unreachable: nothing is given back */
  no_libvirt = run (fixture, "gpu", "recover");
  g_assert_cmpint (no_libvirt->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (no_libvirt);
  g_assert_nonnull (strstr (no_libvirt->err, "cannot tell which VMs still run"));
  assert_log_empty (fixture);
  assert_on_vfio (fixture, TURING);

  recover = run (fixture, "-c", uri, "gpu", "recover", "--json");
  g_assert_cmpstr (recover->err, ==, "");
  g_assert_cmpint (recover->exit_status, ==, 0);
  node = vmctl_test_parse_json (recover->out);
  object = json_node_get_object (node);
  /* gamer runs: its two are kept; ghost is gone, but running gamer has
   * 01:00.3 as a hostdev (vms.xml), so that one is kept too; db is off */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "kept")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "reattached")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "failed")), ==, 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "kept"), 0),
                   ==, "0000:01:00.0 in use by running VM 'gamer'");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "kept"), 2),
                   ==, "0000:01:00.3 in use by running VM 'gamer'");
  {
    g_autofree gchar *gpu = driver_of (fixture, "0000:01:00.0");
    g_autofree gchar *usb = driver_of (fixture, "0000:01:00.2");
    g_autofree gchar *ucsi = driver_of (fixture, "0000:01:00.3");

    g_assert_cmpstr (gpu, ==, "vfio-pci");
    g_assert_cmpstr (usb, ==, "xhci_hcd");
    g_assert_cmpstr (ucsi, ==, "vfio-pci");
  }
  g_assert_cmpint (journal_files (fixture), ==, 3);
}

/* entries from an earlier boot: shown as stale, dropped by recover */
static void
test_stale (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) status = NULL;
  g_autoptr(VmctlTestRun) json = NULL;
  g_autoptr(VmctlTestRun) recover = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *functions;

  g_assert_cmpint (detach->exit_status, ==, 0);
  g_strfreev (take_log (fixture));
  /* the machine "reboots" */
  vmctl_test_write (fixture->root, "proc/sys/kernel/random/boot_id",
                    "0b1c1a52-0000-4000-8000-000000000001\n");
  status = run (fixture, "gpu", "status");
  g_assert_cmpint (status->exit_status, ==, 0);
  g_assert_true (g_str_has_suffix (status->out, "  stale: earlier boot\n"));
  json = run (fixture, "gpu", "status", "--json");
  node = vmctl_test_parse_json (json->out);
  functions = json_object_get_array_member (json_node_get_object (node), "functions");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (functions, 0),
                                                 "stale"));
  recover = run (fixture, "gpu", "recover");
  g_assert_cmpint (recover->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (recover->out, "dropped: 0000:01:00.0 (detached "));
  g_assert_cmpint (journal_files (fixture), ==, 0);
  assert_log_empty (fixture);
}

/* ---- 6. two detaches racing ---- */

static GSubprocess *
spawn_detach (Fixture *fixture, const gchar *lock_timeout_ms)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_auto(GStrv) environment = child_environment (fixture, lock_timeout_ms);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  for (guint i = 0; environment[i] != NULL; i++) {
    g_auto(GStrv) pair = g_strsplit (environment[i], "=", 2);

    g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
  }
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("VMCTL_BIN"),
                                         "--host-root", fixture->root, "--state-dir",
                                         fixture->state, "gpu", "detach", "01:00.0", NULL);
  g_assert_no_error (error);
  return process;
}

static void
race (Fixture *fixture, const gchar *lock_timeout_ms, const gchar *loser_says)
{
  GSubprocess *processes[2];
  gchar *err[2] = { NULL, NULL };
  gint status[2];
  guint winners = 0;

  /* the first write of whichever gets the locks lingers, so the other
   * process arrives while the move is under way */
  vmctl_test_write (fixture->root, ".sim/delay-after",
                    "devices/0000:01:00.0/driver_override=vfio-pci 1000\n");
  for (guint i = 0; i < 2; i++)
    processes[i] = spawn_detach (fixture, lock_timeout_ms);
  for (guint i = 0; i < 2; i++) {
    g_autoptr(GError) error = NULL;

    g_assert_true (g_subprocess_communicate_utf8 (processes[i], NULL, NULL, NULL, &err[i], &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (processes[i]));
    status[i] = g_subprocess_get_exit_status (processes[i]);
    g_object_unref (processes[i]);
  }
  for (guint i = 0; i < 2; i++) {
    g_test_message ("racer %u: exit %d, stderr %s", i, status[i], err[i]);
    if (status[i] == 0) {
      winners++;
      g_assert_cmpstr (err[i], ==, "");
    } else {
      g_assert_cmpint (status[i], ==, 1);
      g_assert_true (g_str_has_prefix (err[i], "vmctl: "));
      g_assert_cmpuint (strlen (strchr (err[i], '\n')), ==, 1);
      if (loser_says != NULL)
        g_assert_nonnull (strstr (err[i], loser_says));
      else
        g_assert_true (strstr (err[i], "in use by another vmctl") != NULL
                       || strstr (err[i], "already detached") != NULL);
    }
    g_free (err[i]);
  }
  g_assert_cmpuint (winners, ==, 1);
  assert_on_vfio (fixture, CLEAN);
  g_assert_cmpint (journal_files (fixture), ==, 2);
}

static void
test_race_no_wait (Fixture *fixture, gconstpointer data)
{
  /* 1 ms: the engine reads 0 as "unset" (its default, 30 s). Normally the
   * loser finds the lock busy; one that starts a second late finds the
   * journal entries instead: either way never both */
  race (fixture, "1", NULL);
}

static void
test_race_wait (Fixture *fixture, gconstpointer data)
{
  /* the second waits for the first's locks, then finds the journal entries */
  race (fixture, "20000", "already detached");
}

/* ---- 7. reattach --vm ---- */

static void
test_reattach_vm_none (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) detach = run (fixture, "gpu", "detach", "01:00.0");
  g_autoptr(VmctlTestRun) none = NULL;
  g_autoptr(VmctlTestRun) json = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (detach->exit_status, ==, 0);
  g_strfreev (take_log (fixture));
  /* the manual detach belongs to no VM: --vm leaves it alone */
  none = run (fixture, "gpu", "reattach", "--vm", "nobody");
  g_assert_cmpstr (none->err, ==, "");
  g_assert_cmpint (none->exit_status, ==, 0);
  g_assert_cmpstr (none->out, ==, "vmctl holds no PCI functions for that VM\n");
  json = run (fixture, "gpu", "reattach", "--vm", "nobody", "--json");
  g_assert_cmpint (json->exit_status, ==, 0);
  node = vmctl_test_parse_json (json->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                                         "reattached")), ==, 0);
  assert_log_empty (fixture);
  assert_on_vfio (fixture, CLEAN);
  g_assert_cmpint (journal_files (fixture), ==, 2);
}

static void
test_reattach_vm (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlHost) host = vmctl_host_new (fixture->root, NULL);
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (host, fixture->state, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlTestRun) back = NULL;
  g_autoptr(VmctlTestRun) refused = NULL;
  VmctlPciAddress addresses[2];

  for (guint i = 0; i < 2; i++)
    g_assert_true (vmctl_pci_address_parse (CLEAN[i], &addresses[i], NULL));
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
  g_assert_true (vmctl_vfio_detach (vfio, addresses, 2, "gamer", &error));
  g_assert_no_error (error);
  g_unsetenv ("VMCTL_SIM_ROOT");
  /* no libvirt anywhere: without --hook nobody can say whether gamer
   * runs, so nothing is given back */
  refused = run (fixture, "gpu", "reattach", "--vm", "gamer");
  g_assert_cmpint (refused->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (refused);
  g_assert_nonnull (strstr (refused->err, "cannot tell whether a running VM uses them"));
  assert_on_vfio (fixture, CLEAN);
  /* the hook's call (the VM's QEMU is gone) must not need libvirt */
  back = run (fixture, "gpu", "reattach", "--vm", "gamer", "--hook");
  g_assert_cmpstr (back->err, ==, "");
  g_assert_cmpint (back->exit_status, ==, 0);
  g_assert_cmpstr (back->out, ==,
                   "0000:01:00.1  vfio-pci  ->  snd_hda_intel\n"
                   "0000:01:00.0  vfio-pci  ->  nvidia\n");
  assert_drivers (fixture, CLEAN, CLEAN_DRIVERS);
  g_assert_cmpint (journal_files (fixture), ==, 0);
}

static void
test_help (Fixture *fixture, gconstpointer data)
{
  const gchar *commands[] = { "detach", "reattach", "status", "recover" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_autoptr(VmctlTestRun) help = vmctl_test_run_vmctlv ("gpu", commands[i], "--help", NULL);

    g_assert_cmpint (help->exit_status, ==, 0);
    g_assert_nonnull (strstr (help->out, "journal"));
    g_assert_nonnull (strstr (help->out, "Examples:"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim ("test-cli-vfio");
  g_unsetenv ("VMCTL_SIM_ROOT");
#define ADD(path, scenario, fn) \
  g_test_add ("/vmctl/cli/vfio/" path, Fixture, scenario, setup, fn, teardown)
  ADD ("round-trip", "clean-gpu-audio", test_round_trip);
  ADD ("json-and-status-text", "clean-gpu-audio", test_json_and_status_text);
  ADD ("boot-vga", "turing-4fn", test_boot_vga);
  ADD ("dry-run", "clean-gpu-audio", test_dry_run);
  ADD ("bad-input", "clean-gpu-audio", test_bad_input);
  ADD ("status-problem", "clean-gpu-audio", test_status_problem);
  ADD ("recover-owners", "turing-4fn", test_recover_owners);
  ADD ("stale", "clean-gpu-audio", test_stale);
  ADD ("race/no-wait", "clean-gpu-audio", test_race_no_wait);
  ADD ("race/wait", "clean-gpu-audio", test_race_wait);
  ADD ("reattach-vm/none", "clean-gpu-audio", test_reattach_vm_none);
  ADD ("reattach-vm/gamer", "clean-gpu-audio", test_reattach_vm);
  ADD ("help", "clean-gpu-audio", test_help);
#undef ADD
  g_test_add_func ("/vmctl/cli/vfio/crash-recover", test_crash_recover);
  return g_test_run ();
}
