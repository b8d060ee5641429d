/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-journal.c: host-change records and the backups of the files
 * they changed, in STATE/host/, through the trusted state directory
 * (vmctl-state-dir.c): opened relative to its descriptor, never through a
 * link, never blocking, under the size cap, replaced atomically and
 * durably, and validated (vmctl-host-record.c) before anything is done
 * with what they say. */
#include "vmctl-host-journal.h"
#include "vmctl-host-file.h"
#include "vmctl-names.h"
#include "vmctl-state-dir.h"

#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

G_DEFINE_QUARK (vmctl-host-journal-error-quark, vmctl_host_journal_error)

#define SUFFIX ".record"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define LOCK_POLL_US 20000

struct _VmctlHostJournal {
  VmctlStateDir *directory;   /* STATE/host, checked */
  gchar *boot_id;
};

static void
translate_state_error (GError *from, GError **error)
{
  VmctlHostJournalError code = VMCTL_HOST_JOURNAL_ERROR_IO;

  if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_FOUND))
    code = VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND;
  else if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR))
    code = VMCTL_HOST_JOURNAL_ERROR_MALFORMED;
  else if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED)
           || g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE)
           || g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_MISSING))
    code = VMCTL_HOST_JOURNAL_ERROR_STATE_DIR;
  g_set_error_literal (error, VMCTL_HOST_JOURNAL_ERROR, code, from->message);
}

/**
 * vmctl_host_journal_open:
 * @state_dir: the state directory (--state-dir)
 * @host: the host whose boot id stamps the records
 * @create: create STATE and STATE/host 0700 when missing; FALSE for
 *   readers and dry runs, which then get VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND
 *   when there is none (nothing recorded)
 * @error: VMCTL_HOST_JOURNAL_ERROR_STATE_DIR when the directory cannot be
 *   created, written or trusted (the message says how to fix it),
 *   _NOT_FOUND as said, _IO when the host root has no boot id
 *
 * Returns: (transfer full): free with vmctl_host_journal_free()
 */
VmctlHostJournal *
vmctl_host_journal_open (const gchar *state_dir, VmctlHost *host, gboolean create,
                         GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VmctlStateDir) state = NULL;
  g_autofree gchar *boot_id = NULL;
  VmctlStateDir *directory = NULL;
  VmctlHostJournal *journal;

  g_return_val_if_fail (state_dir != NULL && host != NULL, NULL);
  boot_id = vmctl_host_read_line (host, BOOT_ID_PATH, NULL);
  if (boot_id == NULL || !vmctl_name_is_boot_id (boot_id)) {
    g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_IO,
                 "cannot read the boot id under host root '%s'", vmctl_host_get_root (host));
    return NULL;
  }
  state = vmctl_state_dir_open (state_dir, create, &local_error);
  if (state != NULL)
    directory = vmctl_state_dir_open_subdir (state, "host", create, &local_error);
  if (directory == NULL) {
    if (g_error_matches (local_error, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_MISSING))
      g_set_error_literal (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND,
                           local_error->message);
    else
      translate_state_error (local_error, error);
    return NULL;
  }
  journal = g_new0 (VmctlHostJournal, 1);
  journal->directory = directory;
  journal->boot_id = g_steal_pointer (&boot_id);
  return journal;
}

void
vmctl_host_journal_free (VmctlHostJournal *journal)
{
  if (journal == NULL)
    return;
  vmctl_state_dir_unref (journal->directory);
  g_free (journal->boot_id);
  g_free (journal);
}

const gchar *
vmctl_host_journal_get_boot_id (VmctlHostJournal *journal)
{
  return journal->boot_id;
}

/**
 * vmctl_host_journal_get_directory:
 * Returns: (transfer none): STATE/host, for messages
 */
const gchar *
vmctl_host_journal_get_directory (VmctlHostJournal *journal)
{
  return vmctl_state_dir_get_path (journal->directory);
}

/**
 * vmctl_host_journal_write:
 * @record: the record; a NULL boot_id or time is stamped (only on success)
 * @error: VMCTL_HOST_JOURNAL_ERROR_MALFORMED when a field would not pass
 *   the validator (nothing is written), _IO; the old record is then intact
 *
 * Replaces the record atomically and durably: when this returns TRUE it
 * survives a crash or power loss.
 */
gboolean
vmctl_host_journal_write (VmctlHostJournal *journal, VmctlHostRecord *record, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *data = NULL;
  gsize length = 0;

  if (record->boot_id == NULL)
    record->boot_id = g_strdup (journal->boot_id);
  if (record->time == NULL) {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    record->time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  }
  if (!vmctl_host_record_validate (record, error)) {
    g_prefix_error (error, "host record '%s': ", vmctl_host_record_kind_to_string (record->kind));
    return FALSE;
  }
  data = vmctl_host_record_to_data (record, &length);
  name = vmctl_host_record_file_name (record->kind, record->owner);
  if (length > VMCTL_STATE_DIR_FILE_MAX) {
    g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_IO,
                 "host record '%s' would be larger than %u bytes", name,
                 (guint) VMCTL_STATE_DIR_FILE_MAX);
    return FALSE;
  }
  if (!vmctl_state_dir_replace (journal->directory, name, data, length, &local_error)) {
    translate_state_error (local_error, error);
    return FALSE;
  }
  return TRUE;
}

static VmctlHostRecord *
load_name (VmctlHostJournal *journal, const gchar *name, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *path = vmctl_state_dir_file_path (journal->directory, name);
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autofree gchar *expected = NULL;
  gsize length = 0;

  if (!vmctl_state_dir_read (journal->directory, name, &contents, &length, &local_error)) {
    translate_state_error (local_error, error);
    g_prefix_error (error, "host record '%s': ", path);
    return NULL;
  }
  record = vmctl_host_record_parse (contents, length, error);
  if (record == NULL) {
    g_prefix_error (error, "host record '%s' is corrupt (left in place): ", path);
    return NULL;
  }
  /* a record copied or renamed by hand cannot make vmctl act for another
   * VM or kind */
  expected = vmctl_host_record_file_name (record->kind, record->owner);
  if (g_strcmp0 (expected, name) != 0) {
    g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED,
                 "host record '%s' is about another kind or owner than its name says", path);
    return NULL;
  }
  return g_steal_pointer (&record);
}

/**
 * vmctl_host_journal_load:
 * @owner: (nullable): the VM, for single-gpu and inhibit records
 * @error: VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND (nothing recorded: the usual
 *   case), _MALFORMED for a file that is not a valid record
 *
 * Returns: (transfer full): the record, or NULL
 */
VmctlHostRecord *
vmctl_host_journal_load (VmctlHostJournal *journal, VmctlHostRecordKind kind,
                         const gchar *owner, GError **error)
{
  g_autofree gchar *name = NULL;

  if (owner != NULL && owner[0] != '\0' && !vmctl_name_is_vm (owner)) {
    g_set_error_literal (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND,
                         "not a VM name vmctl records");
    return NULL;
  }
  name = vmctl_host_record_file_name (kind, owner);
  return load_name (journal, name, error);
}

static gint
compare_records (gconstpointer a, gconstpointer b)
{
  const VmctlHostRecord *first = *(const VmctlHostRecord * const *) a;
  const VmctlHostRecord *second = *(const VmctlHostRecord * const *) b;

  if (first->kind != second->kind)
    return (gint) first->kind - (gint) second->kind;
  return g_strcmp0 (first->owner, second->owner);
}

/**
 * vmctl_host_journal_list:
 * @out_problems: (out) (optional) (transfer full) (element-type utf8):
 *   one line per file that is not a valid record; never acted on
 *
 * Returns: (transfer full) (element-type VmctlHostRecord): every valid
 * record, sorted by kind and owner; NULL with _IO when the directory
 * cannot be read
 */
GPtrArray *
vmctl_host_journal_list (VmctlHostJournal *journal, GPtrArray **out_problems, GError **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_host_record_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) local_error = NULL;

  names = vmctl_state_dir_list (journal->directory, &local_error);
  if (names == NULL) {
    translate_state_error (local_error, error);
    return NULL;
  }
  for (guint i = 0; i < names->len; i++) {
    const gchar *name = g_ptr_array_index (names, i);
    g_autoptr(GError) record_error = NULL;
    VmctlHostRecord *record;

    /* temporary files, backups and locks are no records */
    if (name[0] == '.' || !g_str_has_suffix (name, SUFFIX))
      continue;
    record = load_name (journal, name, &record_error);
    if (record != NULL)
      g_ptr_array_add (records, record);
    else if (!g_error_matches (record_error, VMCTL_HOST_JOURNAL_ERROR,
                               VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND))
      g_ptr_array_add (problems, g_strdup (record_error->message));
  }
  g_ptr_array_sort (records, compare_records);
  if (out_problems != NULL)
    *out_problems = g_steal_pointer (&problems);
  return g_steal_pointer (&records);
}

/**
 * vmctl_host_journal_remove:
 * @error: _IO; an absent record is success (an undo may be re-run)
 */
gboolean
vmctl_host_journal_remove (VmctlHostJournal *journal, const VmctlHostRecord *record,
                           GError **error)
{
  g_autofree gchar *name = vmctl_host_record_file_name (record->kind, record->owner);
  g_autoptr(GError) local_error = NULL;

  if (!vmctl_state_dir_remove (journal->directory, name, &local_error)) {
    translate_state_error (local_error, error);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_host_journal_is_stale:
 *
 * Returns: TRUE when @record was written during an earlier boot. For the
 * runtime kinds (isolation, single-gpu, inhibit) the reboot undid all of
 * it; a setup record is never stale (files outlive a reboot).
 */
gboolean
vmctl_host_journal_is_stale (VmctlHostJournal *journal, const VmctlHostRecord *record)
{
  if (record->kind == VMCTL_HOST_RECORD_SETUP || record->boot_id == NULL)
    return FALSE;
  return g_strcmp0 (record->boot_id, journal->boot_id) != 0;
}

static gboolean
is_backup_name (const gchar *name)
{
  return name != NULL
         && g_regex_match_simple ("^setup-backup-[0-9]{1,3}$", name, G_REGEX_DOLLAR_ENDONLY, 0);
}

/**
 * vmctl_host_journal_save_backup:
 * @name: "setup-backup-N"
 *
 * Stores a file's original bytes, durably, before the file is replaced.
 */
gboolean
vmctl_host_journal_save_backup (VmctlHostJournal *journal, const gchar *name,
                                const gchar *data, gsize length, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (is_backup_name (name), FALSE);
  if (!vmctl_state_dir_replace (journal->directory, name, data, length, &local_error)) {
    translate_state_error (local_error, error);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_host_journal_load_backup:
 * @digest: the SHA-256 the record says the original had
 * @error: _MALFORMED when the backup is missing, not a regular file of
 *   ours, or not the bytes the record describes (then nothing may be
 *   restored from it)
 */
gboolean
vmctl_host_journal_load_backup (VmctlHostJournal *journal, const gchar *name,
                                const gchar *digest, gchar **out_data, gsize *out_length,
                                GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *data = NULL;
  g_autofree gchar *actual = NULL;
  g_autofree gchar *path = NULL;
  gsize length = 0;

  if (!is_backup_name (name)) {
    g_set_error_literal (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED,
                         "not a backup name vmctl writes");
    return FALSE;
  }
  path = vmctl_state_dir_file_path (journal->directory, name);
  if (!vmctl_state_dir_read (journal->directory, name, &data, &length, &local_error)) {
    g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED,
                 "backup '%s': %s", path, local_error->message);
    return FALSE;
  }
  actual = vmctl_host_file_digest (data, length);
  if (g_strcmp0 (actual, digest) != 0) {
    g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED,
                 "backup '%s' is not the original the record describes (SHA-256 differs)",
                 path);
    return FALSE;
  }
  *out_data = g_steal_pointer (&data);
  *out_length = length;
  return TRUE;
}

gboolean
vmctl_host_journal_remove_backup (VmctlHostJournal *journal, const gchar *name, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!is_backup_name (name))
    return TRUE;
  if (!vmctl_state_dir_remove (journal->directory, name, &local_error)) {
    translate_state_error (local_error, error);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_host_journal_lock:
 * @name: what is locked ("isolation", "setup"): NAME.lock in STATE/host
 * @timeout_ms: how long to wait for another vmctl holding it
 * @error: VMCTL_HOST_JOURNAL_ERROR_BUSY when it is still held then
 *
 * Serialises the read-modify-write of one record across processes (two
 * VMs starting at once both change the isolation record).
 *
 * Returns: the lock's descriptor for vmctl_host_journal_unlock(), or -1
 */
int
vmctl_host_journal_lock (VmctlHostJournal *journal, const gchar *name, guint timeout_ms,
                         GError **error)
{
  g_autofree gchar *file = g_strconcat (name, ".lock", NULL);
  g_autoptr(GError) local_error = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int fd = vmctl_state_dir_open_lock (journal->directory, file, TRUE, &local_error);

  if (fd < 0) {
    translate_state_error (local_error, error);
    return -1;
  }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_IO,
                   "cannot lock %s: %s", file, g_strerror (saved_errno));
      return -1;
    }
    if (g_get_monotonic_time () >= deadline) {
      close (fd);
      g_set_error (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_BUSY,
                   "another vmctl is changing the host's %s; try again when it is done", name);
      return -1;
    }
    g_usleep (LOCK_POLL_US);
  }
  return fd;
}

/**
 * vmctl_host_journal_unlock:
 * @fd: from vmctl_host_journal_lock(), or -1
 */
void
vmctl_host_journal_unlock (int fd)
{
  if (fd >= 0)
    close (fd);
}
