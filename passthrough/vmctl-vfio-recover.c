/* vmctl-vfio-recover.c: giving functions back: by address, by owner VM,
 * and after a crash (everything no running VM holds). Each works from the
 * journal, under the functions' locks, and re-reads an entry once its lock
 * is held: another vmctl may have finished with it in between. */
#include "vmctl-vfio-private.h"
#include "vmctl-device-lock.h"

/* the entry for @address now, NULL (no error) when there is none */
static VmctlJournalEntry *
lookup (VmctlJournal *journal, const VmctlPciAddress *address, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  VmctlJournalEntry *entry = vmctl_journal_lookup (journal, address, &local_error);

  if (entry == NULL
      && !g_error_matches (local_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return entry;
}

/* drops a stale entry: the reboot already gave the function back */
static gboolean
drop_stale (VmctlVfio *vfio, const VmctlJournalEntry *entry, GError **error)
{
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&entry->address, name);
  vmctl_vfio_progress (vfio, "%s: entry from an earlier boot (%s), dropped", name,
                       entry->time != NULL ? entry->time : "?");
  return vfio->dry_run || vmctl_journal_remove (vfio->journal, &entry->address, error);
}

/* Restores the functions of @entries (already locked), last first; every
 * failure is appended to @failed as "ADDR: why". */
static void
restore_all (VmctlVfio *vfio, GPtrArray *entries, GPtrArray *done, GPtrArray *failed)
{
  for (guint i = entries->len; i > 0; i--) {
    VmctlJournalEntry *entry = g_ptr_array_index (entries, i - 1);
    g_autoptr(GError) local_error = NULL;
    g_autoptr(VmctlJournalEntry) current = NULL;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&entry->address, name);
    current = lookup (vfio->journal, &entry->address, &local_error);
    if (current == NULL && local_error == NULL)
      continue;  /* given back by someone else meanwhile */
    if (current != NULL && vmctl_journal_entry_is_stale (vfio->journal, current)) {
      if (!drop_stale (vfio, current, &local_error))
        g_ptr_array_add (failed, g_strdup_printf ("%s: %s", name, local_error->message));
      continue;
    }
    if (current == NULL || !vmctl_vfio_restore_one (vfio, current, &local_error)) {
      g_ptr_array_add (failed, g_strdup (local_error->message));
      continue;
    }
    if (done != NULL)
      g_ptr_array_add (done, g_strdup_printf ("%s -> %s", name,
                                              current->original_driver[0] != '\0'
                                              ? current->original_driver : "no driver"));
  }
}

static gboolean
report_failures (GPtrArray *failed, GError **error)
{
  g_autofree gchar *joined = NULL;

  if (failed->len == 0)
    return TRUE;
  g_ptr_array_add (failed, NULL);
  joined = g_strjoinv ("; ", (gchar **) failed->pdata);
  g_ptr_array_remove_index (failed, failed->len - 1);
  g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_UNDO,
               "%s; the journal keeps %s for 'vmctl gpu recover'", joined,
               failed->len == 1 ? "it" : "them");
  return FALSE;
}

/* locks the entries' functions, then restores them; FALSE only when the
 * locks cannot be had (nothing was changed then) */
static gboolean
lock_and_restore (VmctlVfio *vfio, GPtrArray *entries, GPtrArray *done, GPtrArray *failed,
                  GError **error)
{
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(GPtrArray) locks = NULL;

  for (guint i = 0; i < entries->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (entries, i);

    g_array_append_val (addresses, entry->address);
  }
  locks = vmctl_vfio_lock (vfio, (VmctlPciAddress *) addresses->data, addresses->len, error);
  if (locks == NULL)
    return FALSE;
  restore_all (vfio, entries, done, failed);
  return TRUE;
}

static gboolean
restore_entries (VmctlVfio *vfio, GPtrArray *entries, GError **error)
{
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);

  return lock_and_restore (vfio, entries, NULL, failed, error)
         && report_failures (failed, error);
}

/* the error for reattaching a function the journal does not hold */
static void
set_not_held (VmctlVfio *vfio, const gchar *name, GError **error)
{
  g_autofree gchar *driver = NULL;

  if (!vmctl_vfio_device_exists (vfio, name)) {
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_NO_DEVICE,
                 "no PCI function %s on this host, and vmctl holds no such function", name);
    return;
  }
  driver = vmctl_vfio_current_driver (vfio, name);
  g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_NOT_HELD,
               "%s was not detached by vmctl (no journal entry; it is on %s); "
               "'vmctl gpu status' lists what vmctl holds", name,
               driver != NULL ? driver : "no driver");
}

/**
 * vmctl_vfio_reattach:
 * @error: VMCTL_VFIO_ERROR_NOT_HELD before any change when one of
 *   @addresses has no journal entry; VMCTL_VFIO_ERROR_UNDO listing every
 *   function that could not be given back
 */
gboolean
vmctl_vfio_reattach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                     GError **error)
{
  g_autoptr(GArray) unique = vmctl_vfio_unique (addresses, n);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);

  g_return_val_if_fail (vfio != NULL, FALSE);
  if (vmctl_vfio_journal (vfio, error) == NULL && !vfio->dry_run)
    return FALSE;
  for (guint i = 0; i < unique->len; i++) {
    const VmctlPciAddress *address = &g_array_index (unique, VmctlPciAddress, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    VmctlJournalEntry *entry;

    vmctl_pci_address_format (address, name);
    /* a dry run before any detach has no journal: nothing is held */
    entry = vfio->journal != NULL ? lookup (vfio->journal, address, error) : NULL;
    if (entry == NULL && error != NULL && *error != NULL)
      return FALSE;
    if (entry == NULL) {
      set_not_held (vfio, name, error);
      return FALSE;
    }
    g_ptr_array_add (entries, entry);
  }
  /* given back last moved first: companions before their GPU */
  return restore_entries (vfio, entries, error);
}

/* the journal's current entries; problems (unreadable files) optional */
static GPtrArray *
list_entries (VmctlVfio *vfio, GPtrArray **out_problems, GError **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  GPtrArray *entries;

  if (vmctl_vfio_journal (vfio, error) == NULL) {
    if (!vfio->dry_run)
      return NULL;
    if (out_problems != NULL)
      *out_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_problem_free);
    return g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  }
  entries = vmctl_journal_list (vfio->journal, &problems, error);
  if (entries != NULL && out_problems != NULL)
    *out_problems = g_steal_pointer (&problems);
  return entries;
}

/**
 * vmctl_vfio_reattach_owner:
 * Gives back every function journaled for @owner (a VM name); none is
 * success. Entries from an earlier boot are dropped.
 */
gboolean
vmctl_vfio_reattach_owner (VmctlVfio *vfio, const gchar *owner, GError **error)
{
  g_autoptr(GPtrArray) entries = list_entries (vfio, NULL, error);
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (entries, i);

    if (g_strcmp0 (entry->owner, owner) == 0)
      g_ptr_array_add (mine, entry);
  }
  if (mine->len == 0)
    return TRUE;
  return restore_entries (vfio, mine, error);
}

/**
 * vmctl_vfio_status:
 * Returns: (transfer full) (element-type VmctlJournalEntry): sorted by
 * address, NULL with @error when the journal cannot be read
 */
GPtrArray *
vmctl_vfio_status (VmctlVfio *vfio, GPtrArray **out_problems, GError **error)
{
  return list_entries (vfio, out_problems, error);
}

void
vmctl_vfio_recovery_free (VmctlVfioRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_ptr_array_unref (recovery->reattached);
  g_ptr_array_unref (recovery->kept);
  g_ptr_array_unref (recovery->dropped);
  g_ptr_array_unref (recovery->failed);
  g_free (recovery);
}

static VmctlVfioRecovery *
recovery_new (void)
{
  VmctlVfioRecovery *recovery = g_new0 (VmctlVfioRecovery, 1);

  recovery->reattached = g_ptr_array_new_with_free_func (g_free);
  recovery->kept = g_ptr_array_new_with_free_func (g_free);
  recovery->dropped = g_ptr_array_new_with_free_func (g_free);
  recovery->failed = g_ptr_array_new_with_free_func (g_free);
  return recovery;
}

/**
 * vmctl_vfio_recover:
 * @user: (nullable): asked for each entry of this boot; NULL counts none
 *   in use
 *
 * Returns: (transfer full): what was done, NULL with @error when the
 * journal cannot be read at all
 */
VmctlVfioRecovery *
vmctl_vfio_recover (VmctlVfio *vfio, VmctlVfioUserFunc user, gpointer user_data,
                    GError **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) entries = list_entries (vfio, &problems, error);
  g_autoptr(GPtrArray) to_restore = g_ptr_array_new ();
  g_autoptr(VmctlVfioRecovery) recovery = NULL;
  g_autoptr(GError) local_error = NULL;

  if (entries == NULL)
    return NULL;
  recovery = recovery_new ();
  for (guint i = 0; i < problems->len; i++) {
    VmctlJournalProblem *problem = g_ptr_array_index (problems, i);

    g_ptr_array_add (recovery->failed, g_strdup_printf ("%s: %s (left in place)",
                                                        problem->path, problem->message));
  }
  for (guint i = 0; i < entries->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (entries, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *vm = NULL;

    vmctl_pci_address_format (&entry->address, name);
    if (vmctl_journal_entry_is_stale (vfio->journal, entry)) {
      g_autoptr(GError) drop_error = NULL;

      if (drop_stale (vfio, entry, &drop_error))
        g_ptr_array_add (recovery->dropped, g_strdup_printf ("%s (detached %s, before the last boot)",
                                                             name, entry->time != NULL ? entry->time : "?"));
      else
        g_ptr_array_add (recovery->failed, g_strdup_printf ("%s: %s", name, drop_error->message));
    } else if (entry->owner[0] != '\0'
               && vmctl_owner_lock_is_held (vfio->state_dir, entry->owner)) {
      /* its start is under way: the domain will run in a moment */
      g_ptr_array_add (recovery->kept, g_strdup_printf ("%s held by VM '%s', which another "
                                                        "vmctl is starting", name, entry->owner));
    } else if (user != NULL && (vm = user (entry, user_data)) != NULL) {
      g_ptr_array_add (recovery->kept, g_strdup_printf ("%s in use by running VM '%s'", name, vm));
    } else {
      g_ptr_array_add (to_restore, entry);
    }
  }
  if (to_restore->len > 0
      && !lock_and_restore (vfio, to_restore, recovery->reattached, recovery->failed, &local_error))
    g_ptr_array_add (recovery->failed, g_strdup (local_error->message));
  return g_steal_pointer (&recovery);
}
