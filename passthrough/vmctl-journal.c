/* vmctl-journal.c: one GKeyFile per moved PCI function, replaced atomically
 * and durably, so that after a crash or power loss every function is either
 * recorded with its original driver or was never touched. */
#include "vmctl-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (vmctl-journal-error-quark, vmctl_journal_error)

#define GROUP "entry"
#define SUFFIX ".entry"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

struct _VmctlJournal {
  gchar *directory; /* STATE/journal */
  gchar *boot_id;   /* of the host this process runs on */
};

static const gchar * const step_names[] = {
  [VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN] = "override-written",
  [VMCTL_JOURNAL_STEP_UNBOUND] = "unbound",
  [VMCTL_JOURNAL_STEP_PROBED] = "probed",
  [VMCTL_JOURNAL_STEP_BOUND_VFIO] = "bound-vfio",
};

const gchar *
vmctl_journal_step_to_string (VmctlJournalStep step)
{
  g_return_val_if_fail ((guint) step < G_N_ELEMENTS (step_names), NULL);
  return step_names[step];
}

gboolean
vmctl_journal_step_from_string (const gchar *text, VmctlJournalStep *out_step)
{
  for (guint i = 0; i < G_N_ELEMENTS (step_names); i++) {
    if (g_strcmp0 (text, step_names[i]) == 0) {
      *out_step = (VmctlJournalStep) i;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * vmctl_journal_entry_new:
 * @original_driver: (nullable): NULL or "" when the function had no driver
 * @original_driver_override: (nullable): NULL or "" when it was empty
 * @owner: (nullable): the VM name; NULL or "" for a manual detach
 *
 * boot_id and time stay NULL; vmctl_journal_write() stamps them.
 *
 * Returns: (transfer full): free with vmctl_journal_entry_free()
 */
VmctlJournalEntry *
vmctl_journal_entry_new (const VmctlPciAddress *address, const gchar *original_driver,
                         const gchar *original_driver_override, const gchar *owner,
                         VmctlJournalStep step)
{
  VmctlJournalEntry *entry;

  g_return_val_if_fail (address != NULL, NULL);
  entry = g_new0 (VmctlJournalEntry, 1);
  entry->address = *address;
  entry->original_driver = g_strdup (original_driver != NULL ? original_driver : "");
  entry->original_driver_override =
    g_strdup (original_driver_override != NULL ? original_driver_override : "");
  entry->owner = g_strdup (owner != NULL ? owner : "");
  entry->step = step;
  return entry;
}

/**
 * vmctl_journal_entry_copy:
 * Returns: (transfer full): a deep copy
 */
VmctlJournalEntry *
vmctl_journal_entry_copy (const VmctlJournalEntry *entry)
{
  VmctlJournalEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);
  copy = vmctl_journal_entry_new (&entry->address, entry->original_driver,
                                  entry->original_driver_override, entry->owner, entry->step);
  copy->boot_id = g_strdup (entry->boot_id);
  copy->time = g_strdup (entry->time);
  return copy;
}

void
vmctl_journal_entry_free (VmctlJournalEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->original_driver);
  g_free (entry->original_driver_override);
  g_free (entry->owner);
  g_free (entry->boot_id);
  g_free (entry->time);
  g_free (entry);
}

void
vmctl_journal_problem_free (VmctlJournalProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->path);
  g_free (problem->message);
  g_free (problem);
}

static void
set_io_error (GError **error, int saved_errno, const gchar *what, const gchar *path)
{
  g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_IO,
               "cannot %s '%s': %s", what, path, g_strerror (saved_errno));
}

/* fsync a directory so a rename or unlink inside it survives power loss:
 * rename() and unlink() only change the directory, and until the directory
 * itself is on disk the old name may come back after a crash */
static gboolean
sync_directory (const gchar *directory, GError **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0) {
    set_io_error (error, errno, "open directory", directory);
    return FALSE;
  }
  if (fsync (fd) != 0) {
    int saved_errno = errno;

    close (fd);
    set_io_error (error, saved_errno, "sync directory", directory);
    return FALSE;
  }
  close (fd);
  return TRUE;
}

static gboolean
make_private_directory (const gchar *path, const gchar *state_dir, GError **error)
{
  /* 0700: the journal says which devices vmctl holds; only root needs it */
  if (g_mkdir_with_parents (path, 0700) != 0) {
    int saved_errno = errno;

    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_STATE_DIR,
                 "cannot create state directory '%s': %s (choose another with --state-dir)",
                 state_dir, g_strerror (saved_errno));
    return FALSE;
  }
  /* access() honours a read-only mount (EROFS) even for root, which is
   * what a root-run vmctl can actually hit; plain permission bits are not
   * checked for root, and a later write would fail with a vaguer error */
  if (access (path, W_OK | X_OK) != 0) {
    int saved_errno = errno;

    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_STATE_DIR,
                 "state directory '%s' is not writable: %s (choose another with --state-dir)",
                 state_dir, g_strerror (saved_errno));
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_journal_open:
 * @state_dir: the state directory (--state-dir); created 0700 when missing
 * @host: the host whose boot_id entries are compared against
 * @error: VMCTL_JOURNAL_ERROR_STATE_DIR when the directory cannot be created
 *   or written, VMCTL_JOURNAL_ERROR_BOOT_ID when the host has no boot_id,
 *   VMCTL_JOURNAL_ERROR_IO when a new directory cannot be synced
 *
 * Returns: (transfer full): free with vmctl_journal_free()
 */
VmctlJournal *
vmctl_journal_open (const gchar *state_dir, VmctlHost *host, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *directory = NULL;
  g_autofree gchar *boot_id = NULL;
  gboolean created;
  VmctlJournal *journal;

  g_return_val_if_fail (state_dir != NULL && *state_dir != '\0', NULL);
  g_return_val_if_fail (host != NULL, NULL);

  /* read the boot id first: without it no entry can be judged stale, and
   * nothing should be created on disk for a journal that cannot work */
  boot_id = vmctl_host_read_line (host, BOOT_ID_PATH, &local_error);
  if (boot_id == NULL) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_BOOT_ID,
                 "cannot read the boot id under host root '%s': %s",
                 vmctl_host_get_root (host), local_error->message);
    return NULL;
  }
  directory = g_build_filename (state_dir, "journal", NULL);
  created = !g_file_test (directory, G_FILE_TEST_IS_DIR);
  if (!make_private_directory (directory, state_dir, error))
    return NULL;
  /* a new directory is only a name in its parent until the parent is
   * synced: without this the first entry, although synced itself, could
   * vanish with its directory after power loss */
  if (created) {
    g_autofree gchar *parent = g_path_get_dirname (state_dir);

    if (!sync_directory (state_dir, error) || !sync_directory (parent, error))
      return NULL;
  }

  journal = g_new0 (VmctlJournal, 1);
  journal->directory = g_steal_pointer (&directory);
  journal->boot_id = g_steal_pointer (&boot_id);
  return journal;
}

void
vmctl_journal_free (VmctlJournal *journal)
{
  if (journal == NULL)
    return;
  g_free (journal->directory);
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
  return journal->directory;
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

/**
 * vmctl_journal_entry_path:
 * Returns: (transfer full): STATE/journal/DDDD:BB:SS.F.entry, built from the
 * parsed address so no user text reaches the path
 */
gchar *
vmctl_journal_entry_path (VmctlJournal *journal, const VmctlPciAddress *address)
{
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *file = NULL;

  vmctl_pci_address_format (address, name);
  file = g_strconcat (name, SUFFIX, NULL);
  return g_build_filename (journal->directory, file, NULL);
}

static gboolean
write_all (int fd, const gchar *data, gsize length)
{
  while (length > 0) {
    gssize written = write (fd, data, length);

    if (written < 0) {
      if (errno == EINTR)
        continue;
      return FALSE;
    }
    data += written;
    length -= (gsize) written;
  }
  return TRUE;
}

/* temp file in the same directory, fsync, rename over, fsync directory */
static gboolean
replace_file (const gchar *directory, const gchar *path, const gchar *data, gsize length,
              GError **error)
{
  g_autofree gchar *temp_path = NULL;
  int fd;

  /* same directory: rename() is only atomic within one file system. The
   * leading dot keeps a crash leftover out of vmctl_journal_list() */
  temp_path = g_build_filename (directory, ".entry-XXXXXX", NULL);
  fd = g_mkstemp_full (temp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    set_io_error (error, errno, "create a temporary file in", directory);
    return FALSE;
  }
  /* fsync before rename: otherwise the rename can reach the disk before the
   * data and a crash leaves an empty or partial entry under the real name */
  if (!write_all (fd, data, length) || fsync (fd) != 0) {
    int saved_errno = errno;

    close (fd);
    g_unlink (temp_path);
    set_io_error (error, saved_errno, "write", temp_path);
    return FALSE;
  }
  /* close() can report a deferred write error (NFS); do not trust the data then */
  if (close (fd) != 0) {
    int saved_errno = errno;

    g_unlink (temp_path);
    set_io_error (error, saved_errno, "write", temp_path);
    return FALSE;
  }
  /* rename() replaces the old entry atomically: a reader sees the whole
   * old file or the whole new one, never a mix */
  if (rename (temp_path, path) != 0) {
    int saved_errno = errno;

    g_unlink (temp_path);
    set_io_error (error, saved_errno, "rename into place", path);
    return FALSE;
  }
  return sync_directory (directory, error);
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
 * @error: VMCTL_JOURNAL_ERROR_IO; the previous entry, if any, is then intact
 *
 * Replaces the entry for @entry->address atomically and durably: when this
 * returns TRUE the entry survives a crash or power loss.
 */
gboolean
vmctl_journal_write (VmctlJournal *journal, VmctlJournalEntry *entry, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree gchar *path = NULL;
  g_autofree gchar *data = NULL;
  g_autofree gchar *stamped_time = NULL;
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  const gchar *boot_id;
  const gchar *time;
  gsize length = 0;

  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail ((guint) entry->step < G_N_ELEMENTS (step_names), FALSE);

  boot_id = entry->boot_id != NULL ? entry->boot_id : journal->boot_id;
  if (entry->time == NULL)
    stamped_time = now_iso8601 ();
  time = entry->time != NULL ? entry->time : stamped_time;

  vmctl_pci_address_format (&entry->address, address);
  g_key_file_set_string (key_file, GROUP, "address", address);
  g_key_file_set_string (key_file, GROUP, "original_driver",
                         entry->original_driver != NULL ? entry->original_driver : "");
  g_key_file_set_string (key_file, GROUP, "original_driver_override",
                         entry->original_driver_override != NULL ? entry->original_driver_override : "");
  g_key_file_set_string (key_file, GROUP, "owner", entry->owner != NULL ? entry->owner : "");
  g_key_file_set_string (key_file, GROUP, "boot_id", boot_id);
  g_key_file_set_string (key_file, GROUP, "time", time);
  g_key_file_set_string (key_file, GROUP, "step", vmctl_journal_step_to_string (entry->step));
  data = g_key_file_to_data (key_file, &length, NULL);

  path = vmctl_journal_entry_path (journal, &entry->address);
  if (!replace_file (journal->directory, path, data, length, error)) {
    g_prefix_error (error, "journal entry for %s: ", address);
    return FALSE;
  }
  if (entry->boot_id == NULL)
    entry->boot_id = g_strdup (journal->boot_id);
  if (entry->time == NULL)
    entry->time = g_steal_pointer (&stamped_time);
  return TRUE;
}

static gchar *
get_required (GKeyFile *key_file, const gchar *key, gboolean allow_empty, GError **error)
{
  g_autofree gchar *value = g_key_file_get_string (key_file, GROUP, key, NULL);

  if (value == NULL || (!allow_empty && value[0] == '\0')) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "key '%s' is %s", key, value == NULL ? "missing" : "empty");
    return NULL;
  }
  return g_steal_pointer (&value);
}

/* Parse one entry file; @expected is the address its name says, so a file
 * copied or renamed by hand cannot make vmctl act on another device. */
static VmctlJournalEntry *
load_entry (const gchar *path, const VmctlPciAddress *expected, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VmctlJournalEntry) entry = g_new0 (VmctlJournalEntry, 1);
  g_autofree gchar *address_text = NULL;
  g_autofree gchar *step_text = NULL;
  g_autoptr(GDateTime) parsed_time = NULL;
  gchar expected_text[VMCTL_PCI_ADDRESS_STRLEN];

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error)) {
    gboolean missing = g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

    g_set_error (error, VMCTL_JOURNAL_ERROR,
                 missing ? VMCTL_JOURNAL_ERROR_NOT_FOUND : VMCTL_JOURNAL_ERROR_MALFORMED,
                 "%s: %s", path, local_error->message);
    return NULL;
  }
  if ((address_text = get_required (key_file, "address", FALSE, &local_error)) == NULL
      || (entry->original_driver = get_required (key_file, "original_driver", TRUE, &local_error)) == NULL
      || (entry->original_driver_override = get_required (key_file, "original_driver_override", TRUE, &local_error)) == NULL
      || (entry->owner = get_required (key_file, "owner", TRUE, &local_error)) == NULL
      || (entry->boot_id = get_required (key_file, "boot_id", FALSE, &local_error)) == NULL
      || (entry->time = get_required (key_file, "time", FALSE, &local_error)) == NULL
      || (step_text = get_required (key_file, "step", FALSE, &local_error)) == NULL) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "%s: %s", path, local_error->message);
    return NULL;
  }
  if (!vmctl_pci_address_parse (address_text, &entry->address, &local_error)) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "%s: %s", path, local_error->message);
    return NULL;
  }
  vmctl_pci_address_format (expected, expected_text);
  if (!vmctl_pci_address_equal (&entry->address, expected)) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "%s: address '%s' does not match the file name (%s)",
                 path, address_text, expected_text);
    return NULL;
  }
  if (!vmctl_journal_step_from_string (step_text, &entry->step)) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "%s: unknown step '%s'", path, step_text);
    return NULL;
  }
  parsed_time = g_date_time_new_from_iso8601 (entry->time, NULL);
  if (parsed_time == NULL) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED,
                 "%s: time '%s' is not ISO 8601", path, entry->time);
    return NULL;
  }
  return g_steal_pointer (&entry);
}

/**
 * vmctl_journal_lookup:
 * @error: VMCTL_JOURNAL_ERROR_NOT_FOUND when there is no entry (the usual
 *   case for a function vmctl does not hold), VMCTL_JOURNAL_ERROR_MALFORMED
 *   when the file exists but is not a valid entry
 *
 * Returns: (transfer full): the entry, or NULL
 */
VmctlJournalEntry *
vmctl_journal_lookup (VmctlJournal *journal, const VmctlPciAddress *address, GError **error)
{
  g_autofree gchar *path = NULL;

  g_return_val_if_fail (journal != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  path = vmctl_journal_entry_path (journal, address);
  return load_entry (path, address, error);
}

static gint
compare_entries (gconstpointer a, gconstpointer b)
{
  const VmctlJournalEntry *entry_a = *(const VmctlJournalEntry * const *) a;
  const VmctlJournalEntry *entry_b = *(const VmctlJournalEntry * const *) b;

  return vmctl_pci_address_compare (&entry_a->address, &entry_b->address);
}

static void
add_problem (GPtrArray *problems, const gchar *path, const gchar *message)
{
  VmctlJournalProblem *problem = g_new0 (VmctlJournalProblem, 1);

  problem->path = g_strdup (path);
  problem->message = g_strdup (message);
  g_ptr_array_add (problems, problem);
}

/**
 * vmctl_journal_list:
 * @out_problems: (out) (optional) (transfer full): a GPtrArray of
 *   VmctlJournalProblem, one per entry file that could not be loaded
 *   (possibly empty); a bad file never hides the good ones
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
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *name;

  g_return_val_if_fail (journal != NULL, NULL);
  dir = g_dir_open (journal->directory, 0, &local_error);
  if (dir == NULL) {
    g_set_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_IO,
                 "cannot read journal '%s': %s", journal->directory, local_error->message);
    return NULL;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (journal->directory, name, NULL);
    g_autofree gchar *stem = NULL;
    g_autoptr(GError) entry_error = NULL;
    VmctlPciAddress address;
    VmctlJournalEntry *entry;

    /* temporary files of an interrupted write: the rename never happened,
     * so the real entry (or its absence) is still the truth */
    if (name[0] == '.')
      continue;
    if (!g_str_has_suffix (name, SUFFIX)) {
      add_problem (problems, path, "not a journal entry (want DDDD:BB:SS.F" SUFFIX ")");
      continue;
    }
    stem = g_strndup (name, strlen (name) - strlen (SUFFIX));
    if (!vmctl_pci_address_parse (stem, &address, &entry_error)) {
      add_problem (problems, path, entry_error->message);
      continue;
    }
    entry = load_entry (path, &address, &entry_error);
    /* removed by another vmctl since readdir(): not a problem, just gone */
    if (entry == NULL && g_error_matches (entry_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_NOT_FOUND))
      continue;
    if (entry == NULL) {
      add_problem (problems, path, entry_error->message);
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
 * back after a crash.
 */
gboolean
vmctl_journal_remove (VmctlJournal *journal, const VmctlPciAddress *address, GError **error)
{
  g_autofree gchar *path = NULL;

  g_return_val_if_fail (journal != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  path = vmctl_journal_entry_path (journal, address);
  if (g_unlink (path) != 0 && errno != ENOENT) {
    set_io_error (error, errno, "remove journal entry", path);
    return FALSE;
  }
  /* an unlink is a directory change too: sync it, or the entry may
   * reappear after power loss and recovery would "restore" a device that
   * was already given back */
  return sync_directory (journal->directory, error);
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
