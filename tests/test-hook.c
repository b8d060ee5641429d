/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hook.c: contrib/libvirt-hook/qemu run as libvirt runs it (guest
 * name, operation, domain XML on stdin) with the real vmctl, on a copy of
 * clean-gpu-audio under the simulated kernel (libvmctl-kernel-sim.so in
 * LD_PRELOAD, inherited by the shell, timeout(1) and vmctl). "prepare
 * begin" moves a vmctl domain's plan to vfio-pci, so a VM libvirt starts
 * on its own (autostart, virsh) gets its GPU; a failed detach fails the
 * hook with vmctl's message and leaves the host as it was; "release" gives
 * everything back; other domains are untouched. The hook never connects
 * to libvirt: the URI leads nowhere here. */
#include "vmctl-test-util.h"
#include "vmctl-test-sim.h"
#include "vmctl-device-lock.h"
#include "vmctl-vfio.h"

#include <string.h>
#include <sys/stat.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

static const gchar DOMAIN_XML[] =
  "<domain type='kvm'>\n"
  "  <name>%s</name>\n"
  "  <metadata>\n"
  "    <vmctl:vmctl xmlns:vmctl=\"http://vmctl.dev/xmlns/domain/1\" version=\"0.1.0\">\n"
  "      <vmctl:spec profile=\"minimal\" memory-kib=\"524288\" vcpus=\"1\" machine=\"q35\">\n"
  "        <vmctl:gpu address=\"0000:01:00.0\"/>\n"
  "      </vmctl:spec>\n"
  "      <vmctl:plan>\n"
  "        <vmctl:function address=\"0000:01:00.0\" role=\"gpu\" owner=\"0000:01:00.0\""
  " driver=\"nvidia\" group=\"1\"/>\n"
  "        <vmctl:function address=\"0000:01:00.1\" role=\"companion\" owner=\"0000:01:00.0\""
  " driver=\"snd_hda_intel\" group=\"1\"/>\n"
  "      </vmctl:plan>\n"
  "    </vmctl:vmctl>\n"
  "  </metadata>\n"
  "  <memory unit='KiB'>524288</memory>\n"
  "  <devices>\n"
  "    <hostdev mode='subsystem' type='pci' managed='no'>\n"
  "      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>\n"
  "    </hostdev>\n"
  "  </devices>\n"
  "</domain>\n";

static const gchar OTHER_XML[] =
  "<domain type='kvm'>\n"
  "  <name>gamer</name>\n"
  "  <memory unit='KiB'>524288</memory>\n"
  "  <devices>\n"
  "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
  "      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>\n"
  "    </hostdev>\n"
  "  </devices>\n"
  "</domain>\n";

typedef struct {
  gchar *root;
  gchar *state;
  gchar *bin;      /* a fake logger, first on PATH */
  gchar *syslog;   /* what it was given */
} Fixture;

typedef struct {
  gint status;
  gchar *out;
  gchar *err;
  gdouble seconds;
} HookRun;

static void
hook_run_free (HookRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HookRun, hook_run_free)

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *logger = NULL;

  fixture->root = vmctl_test_copy_scenario ("clean-gpu-audio");
  vmctl_test_write (fixture->root, ".sim/log", "");
  fixture->state = g_dir_make_tmp ("vmctl-hook-state-XXXXXX", NULL);
  fixture->bin = g_dir_make_tmp ("vmctl-hook-bin-XXXXXX", NULL);
  g_assert_nonnull (fixture->state);
  g_assert_nonnull (fixture->bin);
  fixture->syslog = g_build_filename (fixture->bin, "syslog", NULL);
  logger = g_build_filename (fixture->bin, "logger", NULL);
  g_assert_true (g_file_set_contents (logger, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$FAKE_SYSLOG\"\n",
                                      -1, NULL));
  g_assert_cmpint (g_chmod (logger, 0755), ==, 0);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->state);
  vmctl_test_remove_tree (fixture->bin);
  g_free (fixture->root);
  g_free (fixture->state);
  g_free (fixture->bin);
  g_free (fixture->syslog);
}

/* the hook, as libvirt runs it, with @xml on stdin; a hang is a failure */
static HookRun *
run_hook (Fixture *fixture, const gchar *xml, const gchar *guest, const gchar *operation,
          const gchar *sub_operation)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree gchar *hook = vmctl_test_source_path ("contrib/libvirt-hook/qemu");
  g_autofree gchar *path = g_strconcat (fixture->bin, ":", g_getenv ("PATH"), NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  HookRun *run = g_new0 (HookRun, 1);
  gint64 started = g_get_monotonic_time ();

  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  g_subprocess_launcher_setenv (launcher, "FAKE_SYSLOG", fixture->syslog, TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_HOOK_BIN", g_getenv ("VMCTL_BIN"), TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_HOST_ROOT", fixture->root, TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_STATE_DIR", fixture->state, TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_SIM_ROOT", fixture->root, TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_HOOK_TIMEOUT", "20", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, "timeout", "25", "sh", hook, guest,
                                         operation, sub_operation, "-", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, xml, NULL, &run->out, &run->err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  run->seconds = (gdouble) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  g_test_message ("hook %s %s: exit %d after %.1f s, stderr: %s", guest, operation, run->status,
                  run->seconds, run->err);
  /* never stopped by either limit, never a word on stdout (libvirt reads
   * it as domain XML) */
  g_assert_cmpint (run->status, !=, 124);
  g_assert_cmpfloat (run->seconds, <, 15.0);
  g_assert_cmpstr (run->out, ==, "");
  return run;
}

static gchar *
domain_xml (const gchar *name)
{
  return g_strdup_printf (DOMAIN_XML, name);
}

static void
assert_driver (Fixture *fixture, const gchar *address, const gchar *expected)
{
  g_autofree gchar *driver = vmctl_test_sim_driver (fixture->root, address);

  g_assert_cmpstr (driver, ==, expected);
}

static void
assert_host_as_before (Fixture *fixture)
{
  assert_driver (fixture, "0000:01:00.0", "nvidia");
  assert_driver (fixture, "0000:01:00.1", "snd_hda_intel");
  g_assert_cmpint (MAX (vmctl_test_journal_files (fixture->state), 0), ==, 0);
}

static gboolean
syslog_has (Fixture *fixture, const gchar *needle)
{
  g_autofree gchar *contents = NULL;

  return g_file_get_contents (fixture->syslog, &contents, NULL, NULL)
         && strstr (contents, needle) != NULL;
}

/* prepare moves the plan for the guest, release gives it back */
static void
test_prepare_release (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *xml = domain_xml ("gamer");
  g_autoptr(HookRun) prepare = run_hook (fixture, xml, "gamer", "prepare", "begin");
  g_autoptr(HookRun) release = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new (fixture->root, NULL);
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (host, fixture->state, NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (prepare->status, ==, 0);
  assert_driver (fixture, "0000:01:00.0", "vfio-pci");
  assert_driver (fixture, "0000:01:00.1", "vfio-pci");
  entries = vmctl_vfio_status (vfio, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((VmctlJournalEntry *) g_ptr_array_index (entries, 0))->owner, ==, "gamer");
  g_assert_true (syslog_has (fixture, "daemon.info -- guest 'gamer' starting"));

  release = run_hook (fixture, xml, "gamer", "release", "end");
  g_assert_cmpint (release->status, ==, 0);
  assert_host_as_before (fixture);
  g_assert_true (syslog_has (fixture, "guest 'gamer' stopped: devices reattached"));
}

/* the audio function never binds to vfio-pci: the hook fails with vmctl's
 * message (libvirt shows stderr with the refused start), nothing moved */
static void
test_prepare_fails (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *xml = domain_xml ("gamer");
  g_autoptr(HookRun) prepare = NULL;

  vmctl_test_write (fixture->root, ".sim/never-bind", "0000:01:00.1 vfio-pci\n");
  prepare = run_hook (fixture, xml, "gamer", "prepare", "begin");
  g_assert_cmpint (prepare->status, !=, 0);
  g_assert_true (g_str_has_prefix (prepare->err, "vmctl: "));
  g_assert_nonnull (strstr (prepare->err, "0000:01:00.1"));
  g_assert_nonnull (strstr (prepare->err, "probing vfio-pci"));
  g_assert_true (syslog_has (fixture, "daemon.err -- guest 'gamer' not started"));
  assert_host_as_before (fixture);
}

/* a domain without vmctl's metadata, or not the guest named: untouched */
static void
test_not_vmctl (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *renamed = domain_xml ("other");
  g_autoptr(HookRun) prepare = run_hook (fixture, OTHER_XML, "gamer", "prepare", "begin");
  g_autoptr(HookRun) release = run_hook (fixture, OTHER_XML, "gamer", "release", "end");
  g_autoptr(HookRun) mismatch = NULL;
  g_auto(GStrv) log = NULL;

  g_assert_cmpint (prepare->status, ==, 0);
  g_assert_cmpint (release->status, ==, 0);
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, -1);
  mismatch = run_hook (fixture, renamed, "gamer", "prepare", "begin");
  g_assert_cmpint (mismatch->status, !=, 0);
  g_assert_nonnull (strstr (mismatch->err, "names another domain"));
  log = vmctl_test_sim_take_log (fixture->root);
  g_assert_cmpuint (g_strv_length (log), ==, 0);
  assert_host_as_before (fixture);
}

/* `vmctl start` detached the plan and holds the VM's lock while libvirt
 * runs the hook for that very start: prepare must neither fail nor move
 * anything twice */
static void
test_inside_vmctl_start (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *xml = domain_xml ("gamer");
  g_autoptr(VmctlHost) host = vmctl_host_new (fixture->root, NULL);
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (host, fixture->state, NULL);
  g_autoptr(VmctlDeviceLock) starting = NULL;
  g_autoptr(HookRun) prepare = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;
  VmctlPciAddress plan[2];

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &plan[0], NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:01:00.1", &plan[1], NULL));
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
  g_assert_true (vmctl_vfio_detach (vfio, plan, 2, "gamer", &error));
  g_assert_no_error (error);
  g_unsetenv ("VMCTL_SIM_ROOT");
  starting = vmctl_owner_lock_acquire (fixture->state, "gamer", 0, &error);
  g_assert_no_error (error);
  g_strfreev (vmctl_test_sim_take_log (fixture->root));

  prepare = run_hook (fixture, xml, "gamer", "prepare", "begin");
  g_assert_cmpint (prepare->status, ==, 0);
  log = vmctl_test_sim_take_log (fixture->root);
  g_assert_cmpuint (g_strv_length (log), ==, 0);
  assert_driver (fixture, "0000:01:00.0", "vfio-pci");
  assert_driver (fixture, "0000:01:00.1", "vfio-pci");
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), ==, 2);
}

/* a FIFO where a planned function's entry would be: both phases return
 * promptly, prepare refuses the start naming it */
static void
test_fifo (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *xml = domain_xml ("gamer");
  g_autofree gchar *journal = g_build_filename (fixture->state, "journal", NULL);
  g_autofree gchar *fifo = g_build_filename (journal, "0000:01:00.1.entry", NULL);
  g_autoptr(HookRun) prepare = NULL;
  g_autoptr(HookRun) release = NULL;

  g_assert_cmpint (g_mkdir (journal, 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  prepare = run_hook (fixture, xml, "gamer", "prepare", "begin");
  g_assert_cmpint (prepare->status, !=, 0);
  g_assert_nonnull (strstr (prepare->err, "0000:01:00.1.entry"));
  g_assert_nonnull (strstr (prepare->err, "it is a FIFO"));
  release = run_hook (fixture, xml, "gamer", "release", "end");
  g_assert_cmpint (release->status, ==, 0);
  assert_driver (fixture, "0000:01:00.0", "nvidia");
  assert_driver (fixture, "0000:01:00.1", "snd_hda_intel");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim ("test-hook");
  g_unsetenv ("VMCTL_SIM_ROOT");
#define ADD(path, fn) g_test_add ("/vmctl/hook/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("prepare-release", test_prepare_release);
  ADD ("prepare-fails", test_prepare_fails);
  ADD ("not-vmctl", test_not_vmctl);
  ADD ("inside-vmctl-start", test_inside_vmctl_start);
  ADD ("fifo", test_fifo);
#undef ADD
  return g_test_run ();
}
