/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-sweep.c: what a killed run of the suite left behind, removed by the
 * next one. A case cleans up after itself on every path its parent process
 * survives; when the parent itself is killed (a CI timeout, ^C twice), its
 * domains keep running, its sshd keeps listening and its hugepages stay
 * reserved. Every such thing carries the run's pid in its name
 * (vmctl-guest-PID-...), so a pid that no longer runs marks it stale. */
#include "guest-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "guest-host.h"
#include "vmctl-autocleanups.h"

/* The pid in "vmctl-guest-PID-...", when that process is gone. */
static gboolean
stale (const gchar *name)
{
  guint64 pid = 0;
  const gchar *digits;
  gchar *end = NULL;

  if (!g_str_has_prefix (name, "vmctl-guest-"))
    return FALSE;
  digits = name + strlen ("vmctl-guest-");
  pid = g_ascii_strtoull (digits, &end, 10);
  if (end == digits || *end != '-' || pid == 0 || pid > G_MAXINT)
    return FALSE;
  return kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
}

static void
sweep_domains (const gchar *uri)
{
  g_autoptr(VmctlConnect) connection = virConnectOpen (uri);
  virDomainPtr *domains = NULL;
  gint count;

  if (connection == NULL)
    return;
  count = virConnectListAllDomains (connection, &domains, 0);
  for (gint i = 0; i < count; i++) {
    const gchar *name = virDomainGetName (domains[i]);

    if (name != NULL && stale (name)) {
      g_printerr ("# removing %s, left by a killed run\n", name);
      guest_util_remove_vm (uri, name);
    }
    virDomainFree (domains[i]);
  }
  g_free (domains);
}

/* An sshd of test-guest-remote writes its pid into its work directory;
 * stop it only if that process is still the sshd with this directory's
 * configuration. */
static void
stop_stale_sshd (const gchar *directory)
{
  g_autofree gchar *pid_path = g_build_filename (directory, "sshd.pid", NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *cmdline_path = NULL;
  g_autofree gchar *cmdline = NULL;
  gsize length = 0;
  guint64 pid;

  if (!g_file_get_contents (pid_path, &text, NULL, NULL)
      || !g_ascii_string_to_unsigned (g_strstrip (text), 10, 2, G_MAXINT, &pid, NULL))
    return;
  cmdline_path = g_strdup_printf ("/proc/%" G_GUINT64_FORMAT "/cmdline", pid);
  if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
    return;
  for (gsize i = 0; i + 1 < length; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  if (strstr (cmdline, "sshd") != NULL && strstr (cmdline, directory) != NULL)
    kill ((pid_t) pid, SIGTERM);
}

static void
sweep_directories (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (g_get_tmp_dir (), entry, NULL);

    if (!stale (entry) || !g_file_test (path, G_FILE_TEST_IS_DIR))
      continue;
    stop_stale_sshd (path);
    guest_util_remove_tree (path);
  }
}

void
guest_util_sweep (const gchar *uri)
{
  sweep_domains (uri);
  sweep_directories ();
  guest_host_hugepages_sweep ();
}
