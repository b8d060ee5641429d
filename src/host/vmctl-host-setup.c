/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup.c: applying and undoing the plan of
 * vmctl-host-setup-plan.c as one journaled transaction.
 *
 * Apply, per file: the original is backed up in STATE/host and the change
 * recorded (not done) before the file is replaced atomically; then the
 * record says done. Per command: recorded, run, done. A failure undoes
 * everything recorded, in reverse. Undo (also after a crash at any step):
 * every file whose bytes are not the original's gets the backup back (or
 * is removed, if vmctl created it), byte for byte with its owner and
 * mode, and the recorded regeneration commands run again so the boot
 * loader and initramfs match the restored files. A file someone changed
 * after vmctl wrote it stops the undo before anything is restored, unless
 * forced: restoring it would silently drop that edit. */
#include "vmctl-host-setup-private.h"

#include "vmctl-host-command.h"
#include "vmctl-host-journal.h"

#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (vmctl-host-setup-error-quark, vmctl_host_setup_error)

#define LOCK_TIMEOUT_MS 30000

static void
diff_free (VmctlHostSetupDiff *diff)
{
  g_free (diff->path);
  g_free (diff->diff);
  g_free (diff);
}

void
vmctl_host_setup_report_free (VmctlHostSetupReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->diffs);
  g_ptr_array_unref (report->commands);
  g_ptr_array_unref (report->settings);
  g_ptr_array_unref (report->notes);
  g_free (report);
}

static VmctlHostSetupReport *
report_new (void)
{
  VmctlHostSetupReport *report = g_new0 (VmctlHostSetupReport, 1);

  report->diffs = g_ptr_array_new_with_free_func ((GDestroyNotify) diff_free);
  report->commands = g_ptr_array_new_with_free_func (g_free);
  report->settings = g_ptr_array_new_with_free_func (g_free);
  report->notes = g_ptr_array_new_with_free_func (g_free);
  return report;
}

static void
add_diff (VmctlHostSetupReport *report, const gchar *path, const gchar *before,
          gboolean before_exists, const gchar *after, gboolean after_exists)
{
  VmctlHostSetupDiff *diff = g_new0 (VmctlHostSetupDiff, 1);

  diff->path = g_strdup (path);
  diff->diff = vmctl_host_setup_diff (path, before, before_exists, after, after_exists);
  g_ptr_array_add (report->diffs, diff);
}

static void
add_command_line (VmctlHost *host, VmctlHostSetupReport *report, const gchar *name,
                  const gchar *parameter)
{
  g_auto(GStrv) argv = vmctl_host_command_argv (host, name, parameter);

  if (argv != NULL)
    g_ptr_array_add (report->commands, vmctl_host_command_format ((const gchar * const *) argv));
}

static gboolean
run_command (VmctlHost *host, const gchar *name, const gchar *parameter, GError **error)
{
  g_auto(GStrv) argv = vmctl_host_command_argv (host, name, parameter);

  g_return_val_if_fail (argv != NULL, FALSE);
  return vmctl_host_command_run ((const gchar * const *) argv, error);
}

static guint
lock_timeout (void)
{
  const gchar *text = g_getenv ("VMCTL_LOCK_TIMEOUT_MS");
  guint64 value = LOCK_TIMEOUT_MS;

  if (text != NULL)
    (void) g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL);
  return (guint) value;
}

/* ---- undo ---- */

static gchar *
current_digest (VmctlHostFile *file)
{
  return file->exists ? vmctl_host_file_digest (file->contents, file->length) : g_strdup ("");
}

/* the last change of @path after index @after, if any */
static gboolean
changed_later (const VmctlHostRecord *record, guint after, const gchar *path)
{
  for (guint i = after + 1; i < record->changes->len; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);

    if (change->type == VMCTL_HOST_CHANGE_FILE && g_strcmp0 (change->path, path) == 0)
      return TRUE;
  }
  return FALSE;
}

/* every file is as vmctl left it (or already back as it was). Only the
 * last change of a file says what it holds now (a second apply backs up
 * what the first wrote), and a change not marked done may or may not
 * have been made when the process died: undo restores it either way. */
static gboolean
check_unchanged (VmctlHost *host, const VmctlHostRecord *record, GError **error)
{
  for (guint i = 0; i < record->changes->len; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);
    g_autoptr(VmctlHostFile) file = NULL;
    g_autofree gchar *digest = NULL;

    if (change->type != VMCTL_HOST_CHANGE_FILE || !change->done
        || changed_later (record, i, change->path))
      continue;
    file = vmctl_host_file_read (host, change->path, error);
    if (file == NULL)
      return FALSE;
    digest = current_digest (file);
    if (g_strcmp0 (digest, change->new_digest) != 0
        && g_strcmp0 (digest, change->original_digest) != 0) {
      g_set_error (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_CHANGED,
                   "%s changed since vmctl wrote it: undoing would lose that edit; nothing was "
                   "restored (--force restores vmctl's backup anyway)", change->path);
      return FALSE;
    }
  }
  return TRUE;
}

/* one file back as it was; @dry_run only reports the diff */
static gboolean
restore_file (VmctlHost *host, VmctlHostJournal *journal, const VmctlHostChange *change,
              VmctlHostSetupReport *report, gboolean dry_run, GError **error)
{
  g_autoptr(VmctlHostFile) file = vmctl_host_file_read (host, change->path, error);
  g_autofree gchar *digest = NULL;
  g_autofree gchar *original = NULL;
  gsize length = 0;

  if (file == NULL)
    return FALSE;
  digest = current_digest (file);
  if (!change->existed) {
    if (file->exists) {
      add_diff (report, change->path, file->contents, TRUE, "", FALSE);
      if (!dry_run && !vmctl_host_file_remove (host, change->path, error))
        return FALSE;
    }
    /* innermost first, and only when empty again */
    for (guint i = change->made_directories->len; !dry_run && i > 0; i--)
      (void) vmctl_host_file_remove_directory (host,
                                               g_ptr_array_index (change->made_directories, i - 1));
    return TRUE;
  }
  if (g_strcmp0 (digest, change->original_digest) == 0)
    return TRUE;
  if (!vmctl_host_journal_load_backup (journal, change->backup, change->original_digest,
                                       &original, &length, error))
    return FALSE;
  add_diff (report, change->path, file->contents, file->exists, original, TRUE);
  return dry_run
         || vmctl_host_file_replace (host, change->path, original, length, change->mode,
                                     change->uid, change->gid, NULL, error);
}

static gboolean
command_seen (const VmctlHostRecord *record, guint from, guint index)
{
  const VmctlHostChange *command = g_ptr_array_index (record->changes, index);

  for (guint i = from; i < index; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);

    if (change->type == VMCTL_HOST_CHANGE_COMMAND && g_strcmp0 (change->name, command->name) == 0)
      return TRUE;
  }
  return FALSE;
}

/* the changes from index @from on, in reverse (all of them for 0, a
 * failed later apply's for more); the record and the backups go only when
 * all of that is back */
static gboolean
undo_record (VmctlHost *host, VmctlHostJournal *journal, VmctlHostRecord *record, guint from,
             VmctlHostSetupReport *report, gboolean dry_run, GError **error)
{
  for (guint i = record->changes->len; i > from; i--) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i - 1);

    if (change->type == VMCTL_HOST_CHANGE_FILE
        && !restore_file (host, journal, change, report, dry_run, error))
      return FALSE;
  }
  /* the commands rebuild what the restored files describe, each once */
  for (guint i = from; i < record->changes->len; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);

    if (change->type != VMCTL_HOST_CHANGE_COMMAND || command_seen (record, from, i))
      continue;
    add_command_line (host, report, change->name, change->original);
    if (!dry_run && !run_command (host, change->name, change->original, error))
      return FALSE;
  }
  if (dry_run)
    return TRUE;
  for (guint i = from; i < record->changes->len; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);

    if (change->type == VMCTL_HOST_CHANGE_FILE && change->existed
        && !vmctl_host_journal_remove_backup (journal, change->backup, error))
      return FALSE;
  }
  report->changed = TRUE;
  if (from == 0)
    return vmctl_host_journal_remove (journal, record, error);
  /* what an earlier apply set stays, as recorded */
  g_ptr_array_set_size (record->changes, from);
  record->complete = TRUE;
  return vmctl_host_journal_write (journal, record, error);
}

/* ---- apply ---- */

static void
missing_directories (VmctlHost *host, const gchar *path, GPtrArray *out)
{
  g_autofree gchar *directory = g_path_get_dirname (path);

  while (g_strcmp0 (directory, "/") != 0 && !vmctl_host_exists (host, directory)) {
    gchar *parent = g_path_get_dirname (directory);

    g_ptr_array_insert (out, 0, g_steal_pointer (&directory));
    directory = parent;
  }
}

static gboolean
apply_edit (VmctlHost *host, VmctlHostJournal *journal, VmctlHostRecord *record,
            const VmctlHostSetupEdit *edit, GError **error)
{
  guint index = record->changes->len;
  g_autoptr(VmctlHostFile) now = vmctl_host_file_read (host, edit->path, error);
  g_autofree gchar *planned = NULL;
  g_autofree gchar *digest = NULL;
  VmctlHostChange *change;

  if (now == NULL)
    return FALSE;
  planned = current_digest (edit->before);
  digest = current_digest (now);
  if (g_strcmp0 (planned, digest) != 0) {
    g_set_error (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_FAILED,
                 "%s changed while vmctl was planning; run the command again", edit->path);
    return FALSE;
  }
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_FILE);
  change->path = g_strdup (edit->path);
  change->existed = now->exists;
  change->original_digest = g_steal_pointer (&digest);
  change->new_digest = vmctl_host_file_digest (edit->after, strlen (edit->after));
  change->mode = now->exists ? now->mode : edit->new_mode;
  change->uid = now->exists ? now->uid : (guint) geteuid ();
  change->gid = now->exists ? now->gid : (guint) getegid ();
  if (now->exists)
    change->backup = g_strdup_printf ("setup-backup-%u", index);
  missing_directories (host, edit->path, change->made_directories);
  /* the backup and the record first: a crash after the rename still finds
   * what to put back */
  if ((now->exists
       && !vmctl_host_journal_save_backup (journal, change->backup, now->contents, now->length,
                                           error))
      || !vmctl_host_journal_write (journal, record, error)
      || !vmctl_host_file_replace (host, edit->path, edit->after, strlen (edit->after),
                                   change->mode, change->uid, change->gid, NULL, error))
    return FALSE;
  change->done = TRUE;
  return vmctl_host_journal_write (journal, record, error);
}

static gboolean
apply_plan (VmctlHost *host, VmctlHostJournal *journal, VmctlHostRecord *record,
            VmctlHostSetupPlan *plan, GError **error)
{
  record->complete = FALSE;
  for (guint i = 0; i + 1 < plan->settings->len; i += 2) {
    const gchar *key = g_ptr_array_index (plan->settings, i);
    const gchar *value = g_ptr_array_index (plan->settings, i + 1);
    VmctlHostChange *setting = NULL;

    /* an earlier apply may have set it already */
    for (guint j = 0; j < record->changes->len && setting == NULL; j++) {
      VmctlHostChange *change = g_ptr_array_index (record->changes, j);

      if (change->type == VMCTL_HOST_CHANGE_SETTING && g_strcmp0 (change->name, key) == 0
          && g_strcmp0 (change->original, value) == 0)
        setting = change;
    }
    if (setting != NULL)
      continue;
    setting = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_SETTING);
    setting->name = g_strdup (key);
    setting->original = g_strdup (value);
    setting->done = TRUE;
  }
  if (!vmctl_host_journal_write (journal, record, error))
    return FALSE;
  for (guint i = 0; i < plan->edits->len; i++)
    if (!apply_edit (host, journal, record, g_ptr_array_index (plan->edits, i), error))
      return FALSE;
  for (guint i = 0; i < plan->commands->len; i++) {
    const VmctlHostSetupCommand *command = g_ptr_array_index (plan->commands, i);
    VmctlHostChange *change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_COMMAND);

    change->name = g_strdup (command->name);
    change->original = g_strdup (command->parameter);
    if (!vmctl_host_journal_write (journal, record, error)
        || !run_command (host, command->name, command->parameter, error))
      return FALSE;
    change->done = TRUE;
  }
  record->complete = TRUE;
  return vmctl_host_journal_write (journal, record, error);
}

static void
report_plan (VmctlHost *host, VmctlHostSetupPlan *plan, VmctlHostSetupReport *report)
{
  for (guint i = 0; i < plan->edits->len; i++) {
    const VmctlHostSetupEdit *edit = g_ptr_array_index (plan->edits, i);

    add_diff (report, edit->path, edit->before->contents, edit->before->exists, edit->after, TRUE);
  }
  for (guint i = 0; i < plan->commands->len; i++) {
    const VmctlHostSetupCommand *command = g_ptr_array_index (plan->commands, i);

    add_command_line (host, report, command->name, command->parameter);
  }
  for (guint i = 0; i + 1 < plan->settings->len; i += 2)
    g_ptr_array_add (report->settings,
                     vmctl_host_setup_describe_setting (g_ptr_array_index (plan->settings, i),
                                                        g_ptr_array_index (plan->settings, i + 1)));
  for (guint i = 0; i < plan->notes->len; i++)
    g_ptr_array_add (report->notes, g_strdup (g_ptr_array_index (plan->notes, i)));
}

static gboolean
refuse_applied (const VmctlHostRecord *record, GError **error)
{
  g_set_error (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_APPLIED,
               "an earlier 'vmctl host setup --apply' was cut short (it started at %s): run "
               "'vmctl host setup --undo' to put the host back first", record->time);
  return FALSE;
}

static gboolean
do_apply (VmctlHost *host, VmctlHostJournal *journal, const VmctlHostSetupRequest *request,
          VmctlHostSetupReport *report, GError **error)
{
  g_autoptr(VmctlHostSetupPlan) plan = NULL;
  g_autoptr(VmctlHostRecord) existing = NULL;
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(GError) apply_error = NULL;
  g_autoptr(GError) undo_error = NULL;
  g_autoptr(VmctlHostSetupReport) undo_report = NULL;
  g_autoptr(GError) load_error = NULL;
  guint from;

  existing = vmctl_host_journal_load (journal, VMCTL_HOST_RECORD_SETUP, NULL, &load_error);
  if (existing == NULL && !g_error_matches (load_error, VMCTL_HOST_JOURNAL_ERROR,
                                            VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&load_error));
    return FALSE;
  }
  if (existing != NULL && !existing->complete)
    return refuse_applied (existing, error);
  plan = vmctl_host_setup_plan (host, request, error);
  if (plan == NULL)
    return FALSE;
  report_plan (host, plan, report);
  if (plan->edits->len == 0) {
    g_ptr_array_add (report->notes, g_strdup ("nothing to change: the host is set up already"));
    return TRUE;
  }
  /* a second apply (--gpu once the IOMMU is on) joins the first one's
   * record: its backups are of what the first wrote, and --undo unwinds
   * both, in reverse, back to the original bytes */
  record = existing != NULL ? g_steal_pointer (&existing)
                            : vmctl_host_record_new (VMCTL_HOST_RECORD_SETUP, NULL);
  from = record->changes->len;
  if (apply_plan (host, journal, record, plan, &apply_error)) {
    report->changed = TRUE;
    return TRUE;
  }
  undo_report = report_new ();
  if (!undo_record (host, journal, record, from, undo_report, FALSE, &undo_error)) {
    g_set_error (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_INCOMPLETE,
                 "%s; undoing it failed too: %s; the record stays: run 'vmctl host setup "
                 "--undo'", apply_error->message, undo_error->message);
    return FALSE;
  }
  g_set_error (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_FAILED,
               "%s; every file is back as it was", apply_error->message);
  return FALSE;
}

static gboolean
do_undo (VmctlHost *host, VmctlHostJournal *journal, const VmctlHostSetupRequest *request,
         VmctlHostSetupReport *report, gboolean dry_run, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VmctlHostRecord) record = NULL;

  record = journal != NULL ? vmctl_host_journal_load (journal, VMCTL_HOST_RECORD_SETUP, NULL,
                                                      &local_error)
                           : NULL;
  if (record == NULL) {
    if (journal != NULL && !g_error_matches (local_error, VMCTL_HOST_JOURNAL_ERROR,
                                             VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    g_set_error_literal (error, VMCTL_HOST_SETUP_ERROR, VMCTL_HOST_SETUP_ERROR_NOT_APPLIED,
                         "no host setup by vmctl to undo");
    return FALSE;
  }
  if (!request->force && !check_unchanged (host, record, error))
    return FALSE;
  return undo_record (host, journal, record, 0, report, dry_run, error);
}

/**
 * vmctl_host_setup_run:
 * @state_dir: where the record and the backups live
 * @request: what to set up (apply, dry run); force for undo
 * @error: VMCTL_HOST_SETUP_ERROR (see its codes), a VMCTL_HOST_ERROR for a
 *   file vmctl cannot read, VMCTL_HOST_JOURNAL_ERROR for the state
 *   directory, VMCTL_HOST_COMMAND_ERROR for a command on undo
 *
 * Returns: (transfer full): what was (or would be) changed, or NULL
 */
VmctlHostSetupReport *
vmctl_host_setup_run (VmctlHost *host, const gchar *state_dir,
                      const VmctlHostSetupRequest *request, VmctlHostSetupMode mode,
                      GError **error)
{
  g_autoptr(VmctlHostSetupReport) report = report_new ();
  g_autoptr(VmctlHostJournal) journal = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean writes = mode == VMCTL_HOST_SETUP_APPLY || mode == VMCTL_HOST_SETUP_UNDO;
  gboolean ok;
  int lock = -1;

  journal = vmctl_host_journal_open (state_dir, host, writes, &local_error);
  if (journal == NULL && (writes || !g_error_matches (local_error, VMCTL_HOST_JOURNAL_ERROR,
                                                      VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND))) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  /* two setups at once would each back up the other's file */
  if (writes && (lock = vmctl_host_journal_lock (journal, "setup", lock_timeout (), error)) < 0)
    return NULL;
  switch (mode) {
  case VMCTL_HOST_SETUP_APPLY:
    ok = do_apply (host, journal, request, report, error);
    break;
  case VMCTL_HOST_SETUP_UNDO:
  case VMCTL_HOST_SETUP_UNDO_DRY_RUN:
    ok = do_undo (host, journal, request, report, mode == VMCTL_HOST_SETUP_UNDO_DRY_RUN, error);
    break;
  case VMCTL_HOST_SETUP_DRY_RUN:
  default: {
    g_autoptr(VmctlHostRecord) existing = NULL;
    g_autoptr(VmctlHostSetupPlan) plan = vmctl_host_setup_plan (host, request, error);

    ok = plan != NULL;
    if (ok)
      report_plan (host, plan, report);
    if (journal != NULL)
      existing = vmctl_host_journal_load (journal, VMCTL_HOST_RECORD_SETUP, NULL, NULL);
    if (ok && existing != NULL)
      g_ptr_array_add (report->notes,
                       g_strdup_printf ("a setup by vmctl is %s (since %s): --undo puts back "
                                        "what was there before it",
                                        existing->complete ? "applied" : "half applied",
                                        existing->time));
    break;
  }
  }
  vmctl_host_journal_unlock (lock);
  return ok ? g_steal_pointer (&report) : NULL;
}
