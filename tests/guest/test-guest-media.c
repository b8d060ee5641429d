/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-guest-media.c: issue 11 with real guests on the real libvirtd.
 *
 * - console: `vmctl console NAME` on a pty of its own shows the guest's
 *   report as the guest prints it on ttyS0, the same report its raw disk
 *   holds; Ctrl+] leaves with exit 0 and the terminal as it was. The
 *   serial log (<log file>) holds the report too.
 * - second-cdrom: with a blank first cdrom and the guest's ISO second,
 *   --boot cdrom,disk boots the second; `vmctl console` without a
 *   terminal copies the report to stdout and ends when the guest stops.
 * - kernel-boot: --kernel/--initrd/--cmdline with the harness's kernel
 *   and initramfs reach the guest's init, with our command line.
 *
 * Guests run under TCG with SeaBIOS (the fastest boot here, FACTS.md);
 * each case runs in a subprocess, and the parent removes the domain
 * whatever happened. Names are "vmctl-guest-PID-media-LABEL". */
#include <fcntl.h>
#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pty.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest-claims.h"
#include "guest-util.h"
#include "vmctl-autocleanups.h"

typedef struct {
  const gchar *label;
  void (*run) (const gchar *uri, const gchar *name, const gchar *directory, GPtrArray *rows);
} MediaCase;

typedef struct {
  const gchar *uri;
  gchar *name;
  gchar *directory;
} MediaFixture;

/* ---- helpers ---- */

static gchar *
report_disk (const gchar *directory)
{
  g_autoptr(GError) error = NULL;
  gchar *disk = g_build_filename (directory, "report.img", NULL);

  g_assert_true (guest_disk_create (disk, FALSE, &error));
  g_assert_no_error (error);
  return disk;
}

static void
create_vm (const gchar *uri, const gchar *name, const gchar * const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VmctlTestRun) run = NULL;

  g_ptr_array_add (argv, g_strdup ("create"));
  g_ptr_array_add (argv, g_strdup (name));
  g_ptr_array_add (argv, g_strdup ("--profile=minimal"));
  g_ptr_array_add (argv, g_strdup ("--virt-type=qemu"));
  g_ptr_array_add (argv, g_strdup ("--firmware=bios"));
  g_ptr_array_add (argv, g_strdup ("--network=none"));
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);
  run = guest_util_vmctl (uri, (const gchar * const *) argv->pdata);
  guest_util_assert_exit (run, 0, "create");
}

static virDomainPtr
start_vm (const gchar *uri, const gchar *name, virConnectPtr connection)
{
  g_autoptr(VmctlTestRun) start = GUEST_VMCTL (uri, "start", name);

  guest_util_assert_exit (start, 0, "start");
  return virDomainLookupByName (connection, name);
}

static void
stop_vm (const gchar *uri, const gchar *name)
{
  g_autoptr(VmctlTestRun) stop = GUEST_VMCTL (uri, "stop", name, "--timeout", "120", "--force");
  g_autoptr(VmctlTestRun) undefine = GUEST_VMCTL (uri, "undefine", name);
}

/* The report lines ("key=value" up to "end") the guest printed, wherever
 * they are in @text (a console also shows the kernel's messages). */
static GHashTable *
report_in (const gchar *text)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean inside = FALSE;

  for (guint i = 0; lines[i] != NULL; i++) {
    gchar *line = g_strstrip (g_strdelimit (lines[i], "\r", ' '));
    const gchar *equals = strchr (line, '=');

    if (g_str_has_prefix (line, "report.version="))
      inside = TRUE;
    if (!inside)
      continue;
    if (strcmp (line, "end") == 0)
      return g_steal_pointer (&values);
    if (equals != NULL) {
      g_autofree gchar *key = g_strndup (line, equals - line);

      /* the first of a repeated key, as guest_report_get() reads it */
      if (!g_hash_table_contains (values, key))
        g_hash_table_insert (values, g_steal_pointer (&key), g_strdup (equals + 1));
    }
  }
  return NULL;
}

/* Rows: @source's report says what the disk's does, for a few keys that
 * only the running guest can know. */
static void
compare_reports (GPtrArray *rows, const gchar *source, GHashTable *seen, const GuestReport *disk)
{
  static const gchar * const keys[] = { "kernel", "cmdline", "mem.total_kb", "cpu.count" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
    const gchar *expected = guest_report_get (disk, keys[i]);
    const gchar *value = seen != NULL ? g_hash_table_lookup (seen, keys[i]) : NULL;
    g_autofree gchar *claim = g_strdup_printf ("%s: the guest's %s", source, keys[i]);

    guest_rows_add (rows, "guest", value != NULL && g_strcmp0 (value, expected) == 0, claim,
                    expected, value != NULL ? value : "(not in the output)");
  }
}

/* ---- console through a pty ---- */

typedef struct {
  gint slave;
} PtyChild;

/* (child) the pty becomes the controlling terminal and stdin/out/err, as
 * a user's terminal is */
static void
become_terminal_session (gpointer data)
{
  PtyChild *child = data;

  setsid ();
  ioctl (child->slave, TIOCSCTTY, 0);
  dup2 (child->slave, 0);
  dup2 (child->slave, 1);
  dup2 (child->slave, 2);
}

/* reads @master into @output until @needle shows, or the time runs out */
static gboolean
read_until (gint master, GString *output, const gchar *needle, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (strstr (output->str, needle) == NULL) {
    GPollFD poll = { master, G_IO_IN, 0 };
    gchar buffer[4096];
    gssize length;
    gint64 left = deadline - g_get_monotonic_time ();

    if (left <= 0)
      return FALSE;
    if (g_poll (&poll, 1, (gint) MIN (left / 1000, 1000)) <= 0)
      continue;
    length = read (master, buffer, sizeof buffer);
    if (length <= 0)
      return FALSE;
    g_string_append_len (output, buffer, length);
  }
  return TRUE;
}

static void
run_console (const gchar *uri, const gchar *name, const gchar *directory, GPtrArray *rows)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autofree gchar *disk = report_disk (directory);
  g_autofree gchar *disk_option = g_strdup_printf ("--disk=%s", disk);
  g_autofree gchar *cdrom_option = g_strdup_printf ("--cdrom=%s", guest_util_iso ());
  g_autoptr(GString) output = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GuestReport) report = NULL;
  g_autoptr(GHashTable) on_console = NULL;
  g_autoptr(GHashTable) in_log = NULL;
  g_autofree gchar *log_path = g_strdup_printf ("/var/log/libvirt/qemu/%s-serial.log", name);
  g_autofree gchar *log = NULL;
  const gchar *vmctl = g_getenv ("VMCTL_BIN");
  const gchar *argv[] = { vmctl, "-c", uri, "console", name, NULL };
  struct termios before, during, after;
  PtyChild child;
  gint master;
  GPid pid;
  gint status = 0;
  gboolean raw, restored, shown;

  g_assert_nonnull (connection);
  create_vm (uri, name, (const gchar *[]) { disk_option, cdrom_option, NULL });
  domain = start_vm (uri, name, connection);
  g_assert_nonnull (domain);

  /* attached while the firmware runs: the guest prints its report once */
  g_assert_cmpint (openpty (&master, &child.slave, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (tcgetattr (child.slave, &before), ==, 0);
  g_assert_true (g_spawn_async (NULL, (gchar **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                become_terminal_session, &child, &pid, &error));
  g_assert_no_error (error);
  shown = read_until (master, output, "Ctrl+] leaves", 30);
  g_assert_cmpint (tcgetattr (child.slave, &during), ==, 0);
  raw = shown && !(during.c_lflag & (ICANON | ECHO | ISIG));
  guest_rows_add (rows, "host", raw, "vmctl console: the terminal in raw mode while attached",
                  "no ICANON, ECHO, ISIG", raw ? "raw" : "cooked");
  shown = read_until (master, output, "\nend", 420);
  guest_util_wait_for_report (domain, name, disk);
  report = guest_disk_read_report (disk, &error);
  g_assert_no_error (error);
  on_console = report_in (output->str);
  guest_rows_add (rows, "guest", shown && on_console != NULL,
                  "vmctl console through a pty shows the guest's report", "report ... end",
                  on_console != NULL ? "shown" : "not shown");
  compare_reports (rows, "vmctl console", on_console, report);

  /* Ctrl+]: the session ends, exit 0, the terminal as it was */
  g_assert_cmpint (write (master, "\x1d", 1), ==, 1);
  read_until (master, output, "left the console", 30);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_cmpint (tcgetattr (child.slave, &after), ==, 0);
  restored = after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag
             && after.c_oflag == before.c_oflag;
  guest_rows_add (rows, "host", WIFEXITED (status) && WEXITSTATUS (status) == 0,
                  "Ctrl+] leaves vmctl console", "exit 0",
                  WIFEXITED (status) ? (WEXITSTATUS (status) == 0 ? "exit 0" : "exit 1+")
                                     : "killed");
  guest_rows_add (rows, "host", restored, "the terminal is restored when vmctl console ends",
                  "the settings from before", restored ? "the same" : "changed");
  close (master);
  close (child.slave);

  /* the serial log holds what the console showed, from the first line */
  if (g_str_has_prefix (uri, "qemu:///") && g_file_get_contents (log_path, &log, NULL, NULL))
    in_log = report_in (log);
  guest_rows_add (rows, "host", in_log != NULL, "<log file> keeps the serial output", log_path,
                  in_log != NULL ? "the report is in it" : "no report in it");
  compare_reports (rows, "the serial log", in_log, report);
  stop_vm (uri, name);
}

/* ---- the second cdrom, and console without a terminal ---- */

static void
run_second_cdrom (const gchar *uri, const gchar *name, const gchar *directory, GPtrArray *rows)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autofree gchar *disk = report_disk (directory);
  g_autofree gchar *blank = g_build_filename (directory, "blank.iso", NULL);
  g_autofree gchar *disk_option = g_strdup_printf ("--disk=%s", disk);
  g_autofree gchar *blank_option = g_strdup_printf ("--cdrom=%s", blank);
  g_autofree gchar *cdrom_option = g_strdup_printf ("--cdrom=%s", guest_util_iso ());
  g_autoptr(xmlDoc) live = NULL;
  g_autoptr(GSubprocess) console = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GuestReport) report = NULL;
  g_autoptr(GHashTable) copied = NULL;
  g_autofree gchar *order = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *hard_disk = NULL;
  g_autoptr(VmctlTestRun) stop = NULL;
  gchar *zeros = g_malloc0 (1024 * 1024);

  /* nothing to boot on the first: the firmware goes on to the second */
  g_assert_true (g_file_set_contents (blank, zeros, 1024 * 1024, NULL));
  g_free (zeros);
  g_assert_nonnull (connection);
  create_vm (uri, name, (const gchar *[]) { disk_option, blank_option, cdrom_option,
                                            "--boot=cdrom,disk", NULL });
  domain = start_vm (uri, name, connection);
  g_assert_nonnull (domain);
  console = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, g_getenv ("VMCTL_BIN"), "-c", uri, "console", name,
                              "--timeout", "600", NULL);
  g_assert_no_error (error);

  live = guest_util_domain_xml (domain, 0);
  first = guest_xml_string (live, "/domain/devices/disk[@device='cdrom'][1]/boot/@order");
  second = guest_xml_string (live, "/domain/devices/disk[@device='cdrom'][2]/boot/@order");
  hard_disk = guest_xml_string (live, "/domain/devices/disk[@device='disk']/boot/@order");
  order = g_strdup_printf ("%s/%s then %s", first, second, hard_disk);
  guest_rows_add (rows, "host", g_strcmp0 (order, "1/2 then 3") == 0,
                  "--boot cdrom,disk: each cdrom, then the disk", "1/2 then 3", order);
  guest_util_wait_for_report (domain, name, disk);
  report = guest_disk_read_report (disk, &error);
  g_assert_no_error (error);
  /* GRUB's line from the ISO: the guest came from the second cdrom */
  guest_rows_add (rows, "guest", strstr (guest_report_get (report, "cmdline"), "no_timer_check") != NULL,
                  "the guest boots from the second cdrom (the first is blank)",
                  "the ISO's GRUB command line", guest_report_get (report, "cmdline"));

  /* the guest powers off: the console without a terminal ends, exit 0 */
  stop = GUEST_VMCTL (uri, "stop", name, "--timeout", "120", "--force");
  g_assert_true (g_subprocess_communicate (console, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  copied = report_in (g_bytes_get_data (out, NULL));
  guest_rows_add (rows, "host", g_subprocess_get_if_exited (console)
                                && g_subprocess_get_exit_status (console) == 0,
                  "vmctl console without a terminal ends when the guest stops", "exit 0",
                  g_subprocess_get_if_exited (console) ? "exited" : "killed");
  guest_rows_add (rows, "guest", copied != NULL,
                  "vmctl console without a terminal copies the report to stdout",
                  "report ... end", copied != NULL ? "copied" : "not copied");
  compare_reports (rows, "vmctl console </dev/null", copied, report);
  stop_vm (uri, name);
}

/* ---- direct kernel boot ---- */

static void
run_kernel_boot (const gchar *uri, const gchar *name, const gchar *directory, GPtrArray *rows)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autofree gchar *disk = report_disk (directory);
  g_autofree gchar *disk_option = g_strdup_printf ("--disk=%s", disk);
  g_autofree gchar *kernel = g_build_filename (g_getenv ("VMCTL_GUEST_DIR"), "vmlinuz", NULL);
  g_autofree gchar *initrd = g_build_filename (g_getenv ("VMCTL_GUEST_DIR"), "initrd.gz", NULL);
  g_autofree gchar *kernel_option = g_strdup_printf ("--kernel=%s", kernel);
  g_autofree gchar *initrd_option = g_strdup_printf ("--initrd=%s", initrd);
  /* no_timer_check as the ISO's GRUB gives it (TCG on a busy host) */
  const gchar *cmdline = "console=ttyS0,115200 panic=0 no_timer_check vmctl.direct=1";
  g_autofree gchar *cmdline_option = g_strdup_printf ("--cmdline=%s", cmdline);
  g_autoptr(GuestReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (connection);
  create_vm (uri, name, (const gchar *[]) { disk_option, kernel_option, initrd_option,
                                            cmdline_option, NULL });
  domain = start_vm (uri, name, connection);
  g_assert_nonnull (domain);
  guest_util_wait_for_report (domain, name, disk);
  report = guest_disk_read_report (disk, &error);
  g_assert_no_error (error);
  guest_rows_add (rows, "guest", g_strcmp0 (guest_report_get (report, "cmdline"), cmdline) == 0,
                  "--kernel --initrd --cmdline: the guest's init runs with our command line",
                  cmdline, guest_report_get (report, "cmdline"));
  stop_vm (uri, name);
}

static const MediaCase cases[] = {
  { "console", run_console },
  { "second-cdrom", run_second_cdrom },
  { "kernel-boot", run_kernel_boot },
};

static void
media_setup (MediaFixture *fixture, gconstpointer data)
{
  const MediaCase *media_case = data;
  g_autofree gchar *label = g_strconcat ("media-", media_case->label, NULL);

  if (!g_test_subprocess ()) {
    g_autofree gchar *directory = guest_util_make_workdir (label);

    g_setenv ("VMCTL_GUEST_WORKDIR", directory, TRUE);
  }
  fixture->uri = guest_util_uri ();
  fixture->name = guest_util_vm_name (label);
  fixture->directory = g_strdup (g_getenv ("VMCTL_GUEST_WORKDIR"));
}

static void
media_teardown (MediaFixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ())
    guest_util_remove_tree (fixture->directory);
  g_free (fixture->name);
  g_free (fixture->directory);
}

static void
test_case (MediaFixture *fixture, gconstpointer data)
{
  const MediaCase *media_case = data;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree gchar *label = NULL;

  if (fixture->uri == NULL)
    return;
  if (!g_test_subprocess ()) {
    guest_util_require_guest ();
    g_test_trap_subprocess (NULL, 900 * G_USEC_PER_SEC,
                            G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
    guest_util_remove_vm (fixture->uri, fixture->name);
    g_test_trap_assert_passed ();
    return;
  }
  rows = guest_rows_new ();
  label = g_strconcat ("media-", media_case->label, NULL);
  media_case->run (fixture->uri, fixture->name, fixture->directory, rows);
  guest_util_finish_table (rows, label, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  guest_util_init ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/vmctl/guest/media/%s", cases[i].label);

    g_test_add (path, MediaFixture, &cases[i], media_setup, test_case, media_teardown);
  }
  return g_test_run ();
}
