/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-changes.c: one runtime host change at a time, recorded
 * before it is made and checked after (see the header). No step ever
 * sleeps for a fixed time hoping the host caught up: each one reads back
 * what it changed, waiting only where the kernel or systemd work
 * asynchronously, and then with a deadline. */
#include "vmctl-host-changes.h"

#include "vmctl-host-command.h"
#include "vmctl-system-bus.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#define POLL_US 10000
#define PROCESS_TIMEOUT_MS 5000

/**
 * vmctl_host_changes_new:
 * @create: create the state directory (a start); FALSE for readers
 * @error: VMCTL_HOST_JOURNAL_ERROR (NOT_FOUND without @create when
 *   nothing was ever recorded)
 */
VmctlHostChanges *
vmctl_host_changes_new (VmctlHost *host, const gchar *state_dir, gboolean create,
                        GError **error)
{
  g_autoptr(VmctlHostChanges) changes = g_new0 (VmctlHostChanges, 1);

  changes->host = vmctl_host_ref (host);
  changes->state_dir = g_strdup (state_dir);
  changes->journal = vmctl_host_journal_open (state_dir, host, create, error);
  if (changes->journal == NULL)
    return NULL;
  changes->bus = vmctl_system_bus_open (host, &changes->bus_note);
  changes->systemd = vmctl_system_bus_has (changes->bus, "org.freedesktop.systemd1");
  changes->logind = vmctl_system_bus_has (changes->bus, "org.freedesktop.login1");
  return g_steal_pointer (&changes);
}

void
vmctl_host_changes_free (VmctlHostChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->host, vmctl_host_unref);
  g_clear_pointer (&changes->journal, vmctl_host_journal_free);
  g_clear_object (&changes->bus);
  g_free (changes->state_dir);
  g_free (changes->bus_note);
  g_free (changes);
}

/* ---- the kinds of change ---- */

/**
 * vmctl_host_changes_read_attribute:
 *
 * Returns: (transfer full) (nullable): what the attribute shows (its first
 * line), "" for an empty one (cpuset.cpus unset), NULL when unreadable
 */
gchar *
vmctl_host_changes_read_attribute (VmctlHost *host, const gchar *path)
{
  g_autoptr(GError) error = NULL;
  gchar *line = vmctl_host_read_line (host, path, &error);

  if (line == NULL && g_error_matches (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_EMPTY))
    return g_strdup ("");
  return line;
}

static gboolean
same_value (const gchar *path, const gchar *a, const gchar *b)
{
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;

  if (g_strcmp0 (a, b) == 0)
    return TRUE;
  /* CPU lists: the kernel shows "0,1" as "0-1" */
  if (a == NULL || b == NULL || g_str_has_suffix (path, "/bind")
      || g_str_has_suffix (path, "/scaling_governor"))
    return FALSE;
  first = vmctl_cpu_set_parse (a);
  second = vmctl_cpu_set_parse (b);
  if (first == NULL || second == NULL || first->len != second->len)
    return FALSE;
  return memcmp (first->data, second->data, first->len * sizeof (guint)) == 0;
}

/**
 * vmctl_host_changes_write_attribute:
 *
 * Writes @value (an empty one as "\n": a write of nothing changes nothing
 * in cgroupfs) and reads the attribute back.
 */
gboolean
vmctl_host_changes_write_attribute (VmctlHost *host, const gchar *path, const gchar *value,
                                    GError **error)
{
  g_autofree gchar *now = NULL;

  if (!vmctl_host_write (host, path, value[0] != '\0' ? value : "\n", error))
    return FALSE;
  now = vmctl_host_changes_read_attribute (host, path);
  if (!same_value (path, now, value)) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "%s shows '%s' after '%s' was written to it", path, now != NULL ? now : "?",
                 value);
    return FALSE;
  }
  return TRUE;
}

gboolean
vmctl_host_changes_module_loaded (VmctlHost *host, const gchar *module)
{
  g_autofree gchar *path = g_build_filename ("/sys/module", module, "initstate", NULL);

  return vmctl_host_exists (host, path);
}

/**
 * vmctl_host_changes_run_modprobe:
 * @remove: modprobe -r
 *
 * Runs modprobe ($VMCTL_MODPROBE, a test's stand-in, as the vfio engine
 * honours it) with an argument vector.
 */
gboolean
vmctl_host_changes_run_modprobe (const gchar *module, gboolean remove, GError **error)
{
  const gchar *argv[] = { vmctl_host_command_modprobe (), remove ? "-r" : module,
                          remove ? module : NULL, NULL };

  return vmctl_host_command_run (argv, error);
}

static gboolean
set_module (VmctlHost *host, const gchar *module, gboolean loaded, GError **error)
{
  if (vmctl_host_changes_module_loaded (host, module) == loaded)
    return TRUE;
  if (!vmctl_host_changes_run_modprobe (module, !loaded, error))
    return FALSE;
  /* modprobe returns once the module's init or exit ran */
  if (vmctl_host_changes_module_loaded (host, module) != loaded) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "modprobe %s%s succeeded but the module is %s", loaded ? "" : "-r ", module,
                 loaded ? "not loaded" : "still loaded");
    return FALSE;
  }
  return TRUE;
}

static gchar *
platform_link (const VmctlHostChange *change)
{
  return g_build_filename ("/sys/bus/platform/drivers", change->driver, change->name, NULL);
}

static gboolean
set_platform_bound (VmctlHost *host, const VmctlHostChange *change, gboolean bound,
                    GError **error)
{
  g_autofree gchar *link = platform_link (change);
  g_autofree gchar *control = g_build_filename ("/sys/bus/platform/drivers", change->driver,
                                                bound ? "bind" : "unbind", NULL);
  g_autofree gchar *target = vmctl_host_read_link (host, link);

  if ((target != NULL) == bound)
    return TRUE;
  if (!vmctl_host_write (host, control, change->name, error))
    return FALSE;
  g_clear_pointer (&target, g_free);
  target = vmctl_host_read_link (host, link);
  if ((target != NULL) != bound) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE, "%s is %s %s after the write",
                 change->name, bound ? "not bound to" : "still bound to", change->driver);
    return FALSE;
  }
  return TRUE;
}

/* /proc/PID/stat of this machine (the holder is a process here, whatever
 * the host root): field 22, the start time, and the name */
guint64
vmctl_host_changes_process_start (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree gchar *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const gchar *close;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (close = strrchr (stat, ')')) == NULL)
    return 0;
  /* after "PID (comm) ": state is field 3, starttime field 22 */
  fields = g_strsplit (close + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return 0;
  return g_ascii_strtoull (fields[19], NULL, 10);
}

gboolean
vmctl_host_changes_process_matches (gint pid, guint64 start_time)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/comm", pid);
  g_autofree gchar *comm = NULL;

  /* a PID reused by another process since: never signal that one */
  return g_file_get_contents (path, &comm, NULL, NULL)
         && g_strcmp0 (g_strstrip (comm), "vmctl-inhibit") == 0
         && vmctl_host_changes_process_start (pid) == start_time;
}

static gboolean
end_holder (const VmctlHostChange *change, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) PROCESS_TIMEOUT_MS * 1000;

  if (!vmctl_host_changes_process_matches (change->pid, change->start_time))
    return TRUE;  /* gone already: logind dropped the lock with it */
  if (kill (change->pid, SIGTERM) != 0 && errno != ESRCH) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "cannot end the sleep inhibitor's holder %d: %s", change->pid,
                 g_strerror (errno));
    return FALSE;
  }
  while (vmctl_host_changes_process_matches (change->pid, change->start_time)) {
    if (g_get_monotonic_time () >= deadline) {
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                   "the sleep inhibitor's holder %d did not end", change->pid);
      return FALSE;
    }
    g_usleep (POLL_US);
  }
  return TRUE;
}

static gboolean
need_systemd (VmctlHostChanges *changes, GError **error)
{
  if (changes->systemd)
    return TRUE;
  g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
               "a change through systemd is recorded, but systemd is not on the bus (%s)",
               changes->bus_note != NULL ? changes->bus_note : "it does not answer");
  return FALSE;
}

/* makes (@undo FALSE) or undoes one change; both check their effect */
static gboolean
apply (VmctlHostChanges *changes, const VmctlHostChange *change, gboolean undo, GError **error)
{
  g_autofree gchar *state = NULL;

  switch (change->type) {
  case VMCTL_HOST_CHANGE_WRITE: {
    const gchar *wanted = undo ? change->original : change->value;
    g_autofree gchar *now = vmctl_host_changes_read_attribute (changes->host, change->path);

    /* only what differs is written: a write the kernel refused changed
     * nothing, and its undo has nothing to put back */
    if (same_value (change->path, now, wanted))
      return TRUE;
    return vmctl_host_changes_write_attribute (changes->host, change->path, wanted, error);
  }
  case VMCTL_HOST_CHANGE_UNBIND:
    return set_platform_bound (changes->host, change, undo, error);
  case VMCTL_HOST_CHANGE_MODULE:
    return set_module (changes->host, change->name, undo, error);
  case VMCTL_HOST_CHANGE_UNIT_STOP:
    if (!need_systemd (changes, error))
      return FALSE;
    if (!undo)
      return vmctl_systemd_stop_unit (changes->bus, change->name, error);
    if (vmctl_systemd_unit_active_state (changes->bus, change->name, &state, NULL)
        && g_strcmp0 (state, "active") == 0)
      return TRUE;
    return vmctl_systemd_start_unit (changes->bus, change->name, error);
  case VMCTL_HOST_CHANGE_UNIT_CPUS:
    return need_systemd (changes, error)
           && vmctl_systemd_set_allowed_cpus (changes->bus, change->name,
                                              undo ? change->original : change->value, error);
  case VMCTL_HOST_CHANGE_INHIBITOR:
    return !undo || end_holder (change, error);
  case VMCTL_HOST_CHANGE_FILE:
  case VMCTL_HOST_CHANGE_COMMAND:
  case VMCTL_HOST_CHANGE_SETTING:
  default:
    /* setup's kinds: vmctl-host-setup.c undoes those */
    return TRUE;
  }
}

/**
 * vmctl_host_changes_load:
 * @out_record: (out) (transfer full) (nullable): the record, NULL when
 *   nothing is recorded
 * @error: VMCTL_HOST_JOURNAL_ERROR_MALFORMED and the like; none is no error
 */
gboolean
vmctl_host_changes_load (VmctlHostChanges *changes, VmctlHostRecordKind kind,
                         const gchar *owner, VmctlHostRecord **out_record, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *out_record = vmctl_host_journal_load (changes->journal, kind, owner, &local_error);
  if (*out_record != NULL
      || g_error_matches (local_error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * vmctl_host_changes_make:
 * @change: (transfer none): a change of @record, not done yet
 *
 * Write-ahead: the record with @change is durable before the host is
 * touched, so a crash during the change leaves it for the undo.
 */
gboolean
vmctl_host_changes_make (VmctlHostChanges *changes, VmctlHostRecord *record,
                         VmctlHostChange *change, GError **error)
{
  change->done = FALSE;
  if (!vmctl_host_journal_write (changes->journal, record, error)
      || !apply (changes, change, FALSE, error))
    return FALSE;
  change->done = TRUE;
  return vmctl_host_journal_write (changes->journal, record, error);
}

/**
 * vmctl_host_changes_undo:
 *
 * Puts back what @change recorded; a change that was never made (done or
 * not) finds the host as it was and writes nothing.
 */
gboolean
vmctl_host_changes_undo (VmctlHostChanges *changes, const VmctlHostChange *change,
                         GError **error)
{
  return apply (changes, change, TRUE, error);
}

gboolean
vmctl_host_changes_undo_record (VmctlHostChanges *changes, VmctlHostRecord *record,
                                GError **error)
{
  gboolean ok = TRUE;

  for (guint i = record->changes->len; i > 0; i--) {
    g_autoptr(GError) local_error = NULL;

    if (!vmctl_host_changes_undo (changes, g_ptr_array_index (record->changes, i - 1),
                                  &local_error)) {
      if (ok)
        g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  }
  return ok && vmctl_host_journal_remove (changes->journal, record, error);
}
