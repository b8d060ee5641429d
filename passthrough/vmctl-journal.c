/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-journal.c: one key file per moved PCI function in STATE/journal,
 * replaced atomically and durably, so that after a crash or power loss
 * every function is either recorded with its original driver or was never
 * touched. Every file is reached through the trusted state directory
 * (vmctl-state-dir.c): relative to its descriptor, never through a link,
 * never blocking, and validated before use (vmctl-journal-entry.c). */
#include "vmctl-journal.h"
#include "vmctl-names.h"
#include "vmctl-state-dir.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-journal-error-quark, vmctl_journal_error)

#define SUFFIX ".entry"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

struct _VmctlJournal {
  VmctlStateDir *directory; /* STATE/journal, checked */
  gchar *boot_id;           /* of the host this process runs on */
};

void
vmctl_journal_problem_free (VmctlJournalProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->path);
  g_free (problem->message);
  g_free (problem);
}

/* the state directory's errors in the journal's domain: a directory that
 * cannot be trusted or used is the state directory's problem, whichever
 * file was wanted */
static void
translate_state_error (GError *from, GError **error)
{
  VmctlJournalError code = VMCTL_JOURNAL_ERROR_IO;

  if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_MISSING))
    code = VMCTL_JOURNAL_ERROR_ABSENT;
  else if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNTRUSTED)
           || g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_UNUSABLE))
    code = VMCTL_JOURNAL_ERROR_STATE_DIR;
  else if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_FOUND))
    code = VMCTL_JOURNAL_ERROR_NOT_FOUND;
  else if (g_error_matches (from, VMCTL_STATE_DIR_ERROR, VMCTL_STATE_DIR_ERROR_NOT_REGULAR))
    code = VMCTL_JOURNAL_ERROR_MALFORMED;
  g_set_error_literal (error, VMCTL_JOURNAL_ERROR, code, from->message);
}

static VmctlJournal *
journal_open (const gchar *state_dir, VmctlHost *host, gboolean create, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *boot_id = NULL;
  g_autoptr(VmctlStateDir) state = NULL;
  VmctlJournal *journal;
  VmctlStateDir *directory;

  g_return_val_if_fail (state_dir != NULL && *state_dir != '\0', NULL);
  g_return_val_if_fail (host != NULL, NULL);

  /* read the boot id first: without it no entry can be judged stale, and
   * nothing should be created on disk for a journal that cannot work */
  boot_id = vmctl_host_read_line (host, BOOT_ID_PATH, &local_error);
  if (boot_id == NULL || !vmctl_name_is_boot_id (boot_id)) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_BOOT_ID,
                 "cannot read the boot id under host root '%s': %s",
                 vmctl_host_get_root (host),
                 local_error != NULL ? local_error->message : "not a UUID");
    return NULL;
  }
  state = vmctl_state_dir_open (state_dir, create, &local_error);
  directory = state != NULL ? vmctl_state_dir_open_subdir (state, "journal", create, &local_error)
                            : NULL;
  if (directory == NULL) {
    translate_state_error (local_error, error);
    return NULL;
  }
  journal = g_new0 (VmctlJournal, 1);
  journal->directory = directory;
  journal->boot_id = g_steal_pointer (&boot_id);
  return journal;
}

/**
 * vmctl_journal_open:
 * @state_dir: the state directory (--state-dir); it and STATE/journal are
 *   created 0700 when missing
 * @host: the host whose boot_id entries are compared against
 * @error: VMCTL_JOURNAL_ERROR_STATE_DIR when the directory cannot be
 *   created, written or trusted (a symlink, someone else's, group- or
 *   world-writable: the message says how to fix it),
 *   VMCTL_JOURNAL_ERROR_BOOT_ID when the host has no boot_id,
 *   VMCTL_JOURNAL_ERROR_IO when a new directory cannot be synced
 *
 * Returns: (transfer full): free with vmctl_journal_free()
 */
VmctlJournal *
vmctl_journal_open (const gchar *state_dir, VmctlHost *host, GError **error)
{
  return journal_open (state_dir, host, TRUE, error);
}

/**
 * vmctl_journal_open_existing:
 * @error: as vmctl_journal_open(), and VMCTL_JOURNAL_ERROR_ABSENT when
 *   there is no journal yet (nothing is held)
 *
 * Opens the journal without creating anything: for readers and dry runs.
 * The state directory is checked all the same.
 */
VmctlJournal *
vmctl_journal_open_existing (const gchar *state_dir, VmctlHost *host, GError **error)
{
  return journal_open (state_dir, host, FALSE, error);
}

void
vmctl_journal_free (VmctlJournal *journal)
{
  if (journal == NULL)
    return;
  vmctl_state_dir_unref (journal->directory);
  g_free (journal->boot_id);
  g_free (journal);
}

/**
 * vmctl_journal_get_directory:
 * Returns: (transfer none): STATE/journal
 */
const gchar *
vmctl_journal_get_directory (VmctlJournal *journal)
{
  return vmctl_state_dir_get_path (journal->directory);
}

/**
 * vmctl_journal_get_boot_id:
 * Returns: (transfer none): the current host's boot id
 */
const gchar *
vmctl_journal_get_boot_id (VmctlJournal *journal)
{
  return journal->boot_id;
}

/* DDDD:BB:SS.F.entry, built from the parsed address so no user text
 * reaches the name */
static gchar *
entry_name (const VmctlPciAddress *address)
{
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (address, name);
  return g_strconcat (name, SUFFIX, NULL);
}

/**
 * vmctl_journal_entry_path:
 * Returns: (transfer full): STATE/journal/DDDD:BB:SS.F.entry, for messages
 */
gchar *
vmctl_journal_entry_path (VmctlJournal *journal, const VmctlPciAddress *address)
{
  g_autofree gchar *name = entry_name (address);

  return vmctl_state_dir_file_path (journal->directory, name);
}

static gchar *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * vmctl_journal_write:
 * @entry: the entry; a NULL boot_id or time is stamped with the current
 *   boot id and time (only on success), existing values are kept so that
 *   step updates do not reset "since when"
 * @error: VMCTL_JOURNAL_ERROR_MALFORMED when a field would not pass
 *   vmctl_journal_entry_validate() (nothing is written),
 *   VMCTL_JOURNAL_ERROR_IO; the previous entry, if any, is then intact
 *
 * Replaces the entry for @entry->address atomically and durably: when this
 * returns TRUE the entry survives a crash or power loss.
 */
gboolean
vmctl_journal_write (VmctlJournal *journal, VmctlJournalEntry *entry, GError **error)
{
  g_autoptr(VmctlJournalEntry) stamped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *data = NULL;
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  gsize length = 0;

  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  vmctl_pci_address_format (&entry->address, address);
  stamped = vmctl_journal_entry_copy (entry);
  if (stamped->boot_id == NULL)
    stamped->boot_id = g_strdup (journal->boot_id);
  if (stamped->time == NULL)
    stamped->time = now_iso8601 ();
  if (!vmctl_journal_entry_validate (stamped, error)) {
    g_prefix_error (error, "journal entry for %s: ", address);
    return FALSE;
  }
  data = vmctl_journal_entry_to_data (stamped, &length);
  name = entry_name (&entry->address);
  if (!vmctl_state_dir_replace (journal->directory, name, data, length, &local_error)) {
    translate_state_error (local_error, error);
    g_prefix_error (error, "journal entry for %s: ", address);
    return FALSE;
  }
  if (entry->boot_id == NULL)
    entry->boot_id = g_strdup (stamped->boot_id);
  if (entry->time == NULL)
    entry->time = g_strdup (stamped->time);
  return TRUE;
}

/* Reads and parses the file @name, which is named after @expected; the
 * error says what is wrong with it, without its name. */
static VmctlJournalEntry *
load_entry (VmctlJournal *journal, const gchar *name, const VmctlPciAddress *expected,
            GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  if (!vmctl_state_dir_read (journal->directory, name, &contents, &length, &local_error)) {
    translate_state_error (local_error, error);
    return NULL;
  }
  return vmctl_journal_entry_parse (contents, length, expected, error);
}

/**
 * vmctl_journal_lookup:
 * @error: VMCTL_JOURNAL_ERROR_NOT_FOUND when there is no entry (the usual
 *   case for a function vmctl does not hold), VMCTL_JOURNAL_ERROR_MALFORMED
 *   when the file exists but is not a valid entry (or no regular file)
 *
 * Returns: (transfer full): the entry, or NULL
 */
VmctlJournalEntry *
vmctl_journal_lookup (VmctlJournal *journal, const VmctlPciAddress *address, GError **error)
{
  g_autofree gchar *name = NULL;

  g_autofree gchar *path = NULL;
  g_autoptr(GError) local_error = NULL;
  VmctlJournalEntry *entry;

  g_return_val_if_fail (journal != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  name = entry_name (address);
  entry = load_entry (journal, name, address, &local_error);
  if (entry != NULL)
    return entry;
  path = vmctl_state_dir_file_path (journal->directory, name);
  if (g_error_matches (local_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED))
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "journal entry '%s' is corrupt (%s); it is left in place", path,
                 local_error->message);
  else
    g_set_error (error, VMCTL_JOURNAL_ERROR, local_error->code, "journal entry '%s': %s", path,
                 local_error->message);
  return NULL;
}

static gint
compare_entries (gconstpointer a, gconstpointer b)
{
  const VmctlJournalEntry *entry_a = *(const VmctlJournalEntry * const *) a;
  const VmctlJournalEntry *entry_b = *(const VmctlJournalEntry * const *) b;

  return vmctl_pci_address_compare (&entry_a->address, &entry_b->address);
}

static void
add_problem (GPtrArray *problems, const gchar *path, const gchar *message,
             const VmctlPciAddress *address)
{
  VmctlJournalProblem *problem = g_new0 (VmctlJournalProblem, 1);

  problem->path = g_strdup (path);
  problem->message = g_strdup (message);
  if (address != NULL) {
    problem->has_address = TRUE;
    problem->address = *address;
  }
  g_ptr_array_add (problems, problem);
}

/**
 * vmctl_journal_list:
 * @out_problems: (out) (optional) (transfer full): a GPtrArray of
 *   VmctlJournalProblem, one per file that is not a valid entry (a FIFO,
 *   a symlink, a malformed or invalid entry), possibly empty; a bad file
 *   never hides the good ones, and is never acted on
 * @error: VMCTL_JOURNAL_ERROR_IO when the journal directory cannot be read
 *
 * Returns: (transfer full) (element-type VmctlJournalEntry): every valid
 * entry, sorted by address
 */
GPtrArray *
vmctl_journal_list (VmctlJournal *journal, GPtrArray **out_problems, GError **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_problem_free);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (journal != NULL, NULL);
  names = vmctl_state_dir_list (journal->directory, &local_error);
  if (names == NULL) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_IO, "cannot read the journal: %s",
                 local_error->message);
    return NULL;
  }
  for (guint i = 0; i < names->len; i++) {
    const gchar *name = g_ptr_array_index (names, i);
    g_autofree gchar *path = vmctl_state_dir_file_path (journal->directory, name);
    g_autofree gchar *stem = NULL;
    g_autoptr(GError) entry_error = NULL;
    VmctlPciAddress address;
    VmctlJournalEntry *entry;

    /* temporary files of an interrupted write: the rename never happened,
     * so the real entry (or its absence) is still the truth */
    if (name[0] == '.')
      continue;
    stem = g_str_has_suffix (name, SUFFIX) ? g_strndup (name, strlen (name) - strlen (SUFFIX))
                                           : NULL;
    if (stem == NULL || !vmctl_pci_address_parse (stem, &address, NULL)) {
      add_problem (problems, path, "not a journal entry (want DDDD:BB:SS.F" SUFFIX ")", NULL);
      continue;
    }
    entry = load_entry (journal, name, &address, &entry_error);
    /* removed by another vmctl since it was listed: not a problem, just gone */
    if (entry == NULL && g_error_matches (entry_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_NOT_FOUND))
      continue;
    if (entry == NULL) {
      add_problem (problems, path, entry_error->message, &address);
      continue;
    }
    g_ptr_array_add (entries, entry);
  }
  g_ptr_array_sort (entries, compare_entries);
  if (out_problems != NULL)
    *out_problems = g_steal_pointer (&problems);
  return g_steal_pointer (&entries);
}

/**
 * vmctl_journal_remove:
 * @error: VMCTL_JOURNAL_ERROR_IO; removing an absent entry succeeds, so
 *   recovery can be re-run after it was interrupted
 *
 * Removes the entry durably: when this returns TRUE the entry does not come
 * back after a crash (and recovery does not "restore" a device that was
 * already given back).
 */
gboolean
vmctl_journal_remove (VmctlJournal *journal, const VmctlPciAddress *address, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *name = NULL;

  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  name = entry_name (address);
  if (!vmctl_state_dir_remove (journal->directory, name, &local_error)) {
    translate_state_error (local_error, error);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_journal_entry_is_stale:
 *
 * Returns: TRUE when @entry was written during an earlier boot: the host
 * has rebooted since, every driver binding it describes is gone, and it must
 * be reported and dropped, never acted on
 */
gboolean
vmctl_journal_entry_is_stale (VmctlJournal *journal, const VmctlJournalEntry *entry)
{
  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  /* an entry never written has no boot id yet and belongs to this boot */
  if (entry->boot_id == NULL)
    return FALSE;
  return g_strcmp0 (entry->boot_id, journal->boot_id) != 0;
}
