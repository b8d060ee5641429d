/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-util.c: shared by the real-guest test programs. */
#include "guest-util.h"

#include <libvirt/virterror.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>
#include <unistd.h>

#include "guest-claims.h"
#include "vmctl-autocleanups.h"

#define REPORT_TIMEOUT_SECONDS 420

static gchar *build_failure;

static void
ignore_virt_error (void *data, virErrorPtr error)
{
}

void
guest_util_init (void)
{
  g_autofree gchar *script = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr(GError) error = NULL;
  gint status = 0;

  virSetErrorFunc (NULL, ignore_virt_error);
  if (g_test_subprocess ())
    return;
  {
    /* the parent's pid names the VMs in the parent and its subprocesses */
    g_autofree gchar *pid = g_strdup_printf ("%d", (gint) getpid ());

    g_setenv ("VMCTL_GUEST_TAG", pid, TRUE);
  }
  if (g_getenv ("VMCTL_E2E_URI") == NULL || *g_getenv ("VMCTL_E2E_URI") == '\0')
    return;  /* the tests skip (or fail, when required) on their own */
  guest_util_sweep (g_getenv ("VMCTL_E2E_URI"));
  if (g_getenv ("VMCTL_GUEST_DIR") != NULL)
    return;
  script = vmctl_test_source_path ("tests/guest/build-guest.sh");
  {
    const gchar *argv[] = { "sh", script, NULL };

    if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, &error)
        || !g_spawn_check_wait_status (status, &error)) {
      build_failure = g_strdup_printf ("tests/guest/build-guest.sh failed: %s\n%s", error->message,
                                       err != NULL ? err : "");
      return;
    }
  }
  {
    g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    const gchar *directory = lines[0] != NULL ? lines[g_strv_length (lines) - 1] : "";
    g_autofree gchar *iso = g_build_filename (directory, "guest.iso", NULL);

    if (!g_file_test (iso, G_FILE_TEST_IS_REGULAR)) {
      build_failure = g_strdup_printf ("tests/guest/build-guest.sh printed '%s', which holds no "
                                       "guest.iso\n%s", directory, err);
      return;
    }
    g_setenv ("VMCTL_GUEST_DIR", directory, TRUE);
    g_test_message ("test guest: %s", directory);
  }
}

void
guest_util_require_guest (void)
{
  if (build_failure != NULL)
    g_error ("%s", build_failure);
  g_assert_nonnull (g_getenv ("VMCTL_GUEST_DIR"));
}

const gchar *
guest_util_iso (void)
{
  static gchar *iso;

  if (iso == NULL) {
    const gchar *directory = g_getenv ("VMCTL_GUEST_DIR");

    g_assert_nonnull (directory);
    iso = g_build_filename (directory, "guest.iso", NULL);
  }
  return iso;
}

const gchar *
guest_util_uri (void)
{
  return vmctl_test_e2e_uri ();
}

gchar *
guest_util_vm_name (const gchar *label)
{
  const gchar *tag = g_getenv ("VMCTL_GUEST_TAG");

  return g_strdup_printf ("vmctl-guest-%s-%s", tag != NULL ? tag : "0", label);
}

gchar *
guest_util_make_workdir (const gchar *label)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *template = g_strdup_printf ("vmctl-guest-%s-%s-XXXXXX",
                                                g_getenv ("VMCTL_GUEST_TAG"), label);
  g_autofree gchar *directory = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  /* QEMU may run as another user than the test (qemu.conf) */
  g_assert_cmpint (g_chmod (directory, 0755), ==, 0);
  return g_steal_pointer (&directory);
}

void
guest_util_remove_tree (const gchar *path)
{
  vmctl_test_remove_tree (path);
}

VmctlTestRun *
guest_util_vmctl (const gchar *uri, const gchar * const *argv)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new ();

  g_ptr_array_add (full, (gpointer) "-c");
  g_ptr_array_add (full, (gpointer) uri);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (gpointer) argv[i]);
  g_ptr_array_add (full, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) full->pdata);
}

void
guest_util_assert_exit (const VmctlTestRun *run, gint expected, const gchar *what)
{
  if (run->exit_status != expected)
    g_error ("vmctl %s: expected exit %d, got %d\nstdout: %s\nstderr: %s", what, expected,
             run->exit_status, run->out, run->err);
}

xmlDoc *
guest_util_domain_xml (virDomainPtr domain, guint flags)
{
  g_autofree gchar *text = virDomainGetXMLDesc (domain, flags);
  xmlDoc *document;

  g_assert_nonnull (text);
  document = xmlReadMemory (text, (int) strlen (text), "domain.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (document);
  return document;
}

static const gchar *
state_name (gint state)
{
  static const gchar * const names[] = { "no state", "running", "blocked", "paused",
                                         "shutting down", "shut off", "crashed", "suspended" };

  return state >= 0 && state < (gint) G_N_ELEMENTS (names) ? names[state] : "unknown";
}

gchar *
guest_util_state (virDomainPtr domain)
{
  gint state = -1;
  gint reason = -1;

  if (virDomainGetState (domain, &state, &reason, 0) < 0)
    return g_strdup ("no state (domain gone?)");
  if (state == VIR_DOMAIN_SHUTOFF)
    return g_strdup_printf ("shut off (%s)", reason == VIR_DOMAIN_SHUTOFF_SHUTDOWN ? "shutdown"
                                             : reason == VIR_DOMAIN_SHUTOFF_DESTROYED ? "destroyed"
                                             : reason == VIR_DOMAIN_SHUTOFF_CRASHED ? "crashed"
                                             : reason == VIR_DOMAIN_SHUTOFF_FAILED ? "failed"
                                                                                  : "other");
  return g_strdup_printf ("%s (reason %d)", state_name (state), reason);
}

gboolean
guest_util_state_is (virDomainPtr domain, gint wanted_state, gint wanted_reason)
{
  gint state = -1;
  gint reason = -1;

  if (virDomainGetState (domain, &state, &reason, 0) < 0)
    return FALSE;
  return state == wanted_state && (wanted_reason < 0 || reason == wanted_reason);
}

gchar *
guest_util_status_words (const gchar *disk)
{
  g_autofree gchar *status = guest_disk_status (disk);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (status), "\n", -1);

  return *status != '\0' ? g_strjoinv (", ", lines) : g_strdup ("nothing written");
}

static gchar *
qemu_log_tail (const gchar *name)
{
  g_autofree gchar *path = g_strdup_printf ("/var/log/libvirt/qemu/%s.log", name);
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup_printf ("(no %s)", path);
  return g_strdup (length > 2000 ? contents + length - 2000 : contents);
}

/* What the screen shows, for a guest that never got to write: saved next
 * to the claims tables (a VM without a display has no screenshot). */
static gchar *
save_screenshot (virDomainPtr domain, const gchar *name)
{
  const gchar *build = g_getenv ("VMCTL_BUILD_ROOT");
  g_autofree gchar *directory = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *mime = NULL;
  virStreamPtr stream;
  gint fd;
  gchar buffer[65536];
  gint got;

  if (build == NULL)
    return g_strdup ("no screenshot (VMCTL_BUILD_ROOT unset)");
  stream = virStreamNew (virDomainGetConnect (domain), 0);
  mime = virDomainScreenshot (domain, stream, 0, 0);
  if (mime == NULL) {
    virStreamFree (stream);
    return g_strdup_printf ("no screenshot (%s)", virGetLastErrorMessage ());
  }
  directory = g_build_filename (build, "meson-logs", "guest-claims", NULL);
  g_mkdir_with_parents (directory, 0755);
  file = g_strdup_printf ("%s.%s", name, strstr (mime, "png") != NULL ? "png" : "ppm");
  path = g_build_filename (directory, file, NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  while (fd >= 0 && (got = virStreamRecv (stream, buffer, sizeof buffer)) > 0)
    if (write (fd, buffer, got) != got)
      break;
  if (fd >= 0)
    close (fd);
  virStreamFinish (stream);
  virStreamFree (stream);
  return g_strdup_printf ("screenshot: %s", path);
}

void
guest_util_wait_for_report (virDomainPtr domain, const gchar *name, const gchar *disk)
{
  gint64 started = g_get_monotonic_time ();
  gint64 deadline = started + (gint64) REPORT_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (!guest_disk_status_has (disk, "report-ready")) {
    if (!guest_util_state_is (domain, VIR_DOMAIN_RUNNING, -1)) {
      g_autofree gchar *state = guest_util_state (domain);
      g_autofree gchar *status = guest_util_status_words (disk);
      g_autofree gchar *log = qemu_log_tail (name);

      g_error ("%s is %s before its report (guest status: %s)\nQEMU log:\n%s", name, state, status,
               log);
    }
    if (g_get_monotonic_time () > deadline) {
      g_autofree gchar *status = guest_util_status_words (disk);
      g_autofree gchar *log = qemu_log_tail (name);
      g_autofree gchar *screenshot = save_screenshot (domain, name);

      /* "nothing written": firmware, GRUB or the kernel never reached
       * init; "booted": init ran but could not finish the report */
      g_error ("%s: no report after %d s (guest status: %s; %s)\nQEMU log:\n%s", name,
               REPORT_TIMEOUT_SECONDS, status, screenshot, log);
    }
    g_usleep (G_USEC_PER_SEC / 2);
  }
  /* a TAP comment: g_test_message() prints nothing in a quiet subprocess */
  g_print ("# %s: report after %.1f s\n", name,
           (g_get_monotonic_time () - started) / (gdouble) G_USEC_PER_SEC);
}

void
guest_util_remove_vm (const gchar *uri, const gchar *name)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  g_autoptr(VmctlDomain) domain = NULL;

  if (connection == NULL)
    return;
  domain = virDomainLookupByName (connection, name);
  if (domain == NULL)
    return;
  if (virDomainIsActive (domain) == 1)
    virDomainDestroy (domain);
  virDomainUndefineFlags (domain, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                                  | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
}

void
guest_util_finish_table (GPtrArray *rows, const gchar *label, const GuestReport *report)
{
  guint failed = 0;
  const gchar *build = g_getenv ("VMCTL_BUILD_ROOT");
  g_autofree gchar *title = g_strdup_printf ("%s (guest kernel %s)", label,
                                             report != NULL ? guest_report_get (report, "kernel")
                                                            : "-");
  g_autofree gchar *table = guest_rows_format (rows, title, &failed);
  g_auto(GStrv) lines = g_strsplit (table, "\n", -1);

  /* TAP comments on stdout: the case runs in a subprocess started quiet,
   * where g_test_message() prints nothing */
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_print ("# %s\n", lines[i]);
  if (build != NULL) {
    g_autofree gchar *directory = g_build_filename (build, "meson-logs", "guest-claims", NULL);
    g_autofree gchar *name = g_strconcat (label, ".md", NULL);
    g_autofree gchar *path = g_build_filename (directory, name, NULL);
    g_autofree gchar *contents = g_strdup_printf ("%s\n<details><summary>the guest's report"
                                                  "</summary>\n\n```\n%s```\n</details>\n", table,
                                                  report != NULL ? report->text : "");

    g_mkdir_with_parents (directory, 0755);
    g_file_set_contents (path, contents, -1, NULL);
  }
  if (failed > 0)
    g_error ("%s: %u of %u claims of the domain XML do not hold (table above)", label, failed,
             rows->len);
}
