/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-recover.c: giving functions back: by address, by owner VM,
 * and after a crash (everything no running VM holds). Each works from the
 * journal a whole plan at a time (vmctl-vfio-plans.c): under all of the
 * plan's locks, with its entries re-read once they are held. */
#include "vmctl-vfio-private.h"
#include "vmctl-device-lock.h"

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

/* Refuses plans a running VM uses (asked through vmctl_vfio_set_user()):
 * taking a device from a running guest crashes it or worse. */
static gboolean
check_users (VmctlVfio *vfio, GPtrArray *plans, GError **error)
{
  for (guint i = 0; vfio->user != NULL && i < plans->len; i++) {
    VmctlVfioPlan *plan = g_ptr_array_index (plans, i);
    g_autofree gchar *vm = vmctl_vfio_plan_user (plan, vfio->user, vfio->user_data);
    g_autofree gchar *members = NULL;

    if (vm == NULL)
      continue;
    members = vmctl_vfio_plan_describe (plan);
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING,
                 "%s %s in use by running VM '%s': stop it first, or give --force to take "
                 "%s anyway", members, plan->members->len == 1 ? "is" : "are", vm,
                 plan->members->len == 1 ? "it" : "them");
    return FALSE;
  }
  return TRUE;
}

/* Gives back every plan; a plan left alone (busy, corrupt) does not stop
 * the others. When that is the only failure its error is returned as it
 * is (a caller can tell busy from corrupt), otherwise all are listed. */
static gboolean
give_back_plans (VmctlVfio *vfio, GPtrArray *plans, gboolean wait, GPtrArray **out_given,
                 GError **error)
{
  g_autoptr(GPtrArray) given =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) refused = NULL;

  if (!check_users (vfio, plans, error))
    return FALSE;
  for (guint i = 0; i < plans->len; i++) {
    g_autoptr(GError) local_error = NULL;

    if (vmctl_vfio_plan_give_back (vfio, g_ptr_array_index (plans, i), wait, given, NULL, failed,
                                   &local_error))
      continue;
    g_ptr_array_add (failed, g_strdup (local_error->message));
    if (refused == NULL)
      refused = g_steal_pointer (&local_error);
  }
  if (out_given != NULL)
    *out_given = g_steal_pointer (&given);
  if (refused != NULL && failed->len == 1) {
    g_propagate_error (error, g_steal_pointer (&refused));
    return FALSE;
  }
  return report_failures (failed, error);
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

/* the plan in @plans holding @address, or NULL */
static VmctlVfioPlan *
plan_of (GPtrArray *plans, const VmctlPciAddress *address)
{
  for (guint i = 0; i < plans->len; i++) {
    VmctlVfioPlan *plan = g_ptr_array_index (plans, i);

    for (guint j = 0; j < plan->entries->len; j++)
      if (vmctl_pci_address_equal (&((VmctlJournalEntry *) g_ptr_array_index (plan->entries, j))->address,
                                   address))
        return plan;
  }
  return NULL;
}

/* the problem (corrupt entry) reported for @address, or NULL */
static VmctlJournalProblem *
problem_of (GPtrArray *problems, const VmctlPciAddress *address)
{
  for (guint i = 0; i < problems->len; i++) {
    VmctlJournalProblem *problem = g_ptr_array_index (problems, i);

    if (problem->has_address && vmctl_pci_address_equal (&problem->address, address))
      return problem;
  }
  return NULL;
}

/**
 * vmctl_vfio_reattach:
 * @out_given: (out) (optional) (transfer full) (element-type VmctlJournalEntry)
 * @error: before any change: VMCTL_VFIO_ERROR_NOT_HELD when one of
 *   @addresses has no journal entry, VMCTL_VFIO_ERROR_CORRUPT when its
 *   entry is corrupt, VMCTL_VFIO_ERROR_RUNNING when a running VM uses a
 *   function of its plan, VMCTL_DEVICE_LOCK_ERROR_BUSY when another vmctl
 *   holds one; after: VMCTL_VFIO_ERROR_UNDO listing every function that
 *   could not be given back
 *
 * Gives back the whole plan of each of @addresses: naming one function of a
 * card gives back every function detached with it.
 */
gboolean
vmctl_vfio_reattach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                     GPtrArray **out_given, GError **error)
{
  g_autoptr(GArray) unique = vmctl_vfio_unique (addresses, n);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

  g_return_val_if_fail (vfio != NULL, FALSE);
  entries = vmctl_vfio_list_entries (vfio, &problems, error);
  if (entries == NULL)
    return FALSE;
  plans = vmctl_vfio_plans_group (entries);
  for (guint i = 0; i < unique->len; i++) {
    const VmctlPciAddress *address = &g_array_index (unique, VmctlPciAddress, i);
    VmctlVfioPlan *plan = plan_of (plans, address);
    VmctlJournalProblem *problem = problem_of (problems, address);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (address, name);
    if (plan == NULL && problem != NULL) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_CORRUPT,
                   "journal entry '%s' is corrupt (%s); %s is left alone", problem->path,
                   problem->message, name);
      return FALSE;
    }
    if (plan == NULL) {
      set_not_held (vfio, name, error);
      return FALSE;
    }
    if (!g_ptr_array_find (chosen, plan, NULL))
      g_ptr_array_add (chosen, plan);
  }
  /* refused at once when another vmctl works on a plan: a detach holds its
   * locks until its last function moved, and waiting for it to give back
   * what it just did makes no sense */
  return give_back_plans (vfio, chosen, FALSE, out_given, error);
}

/**
 * vmctl_vfio_reattach_owner:
 * @out_given: (out) (optional) (transfer full) (element-type VmctlJournalEntry)
 *
 * Gives back every plan journaled for @owner (a VM name); none is success.
 * Entries from an earlier boot are dropped. Waits for the locks as a
 * detach does: this runs once the VM is down, and its plans are its own.
 */
gboolean
vmctl_vfio_reattach_owner (VmctlVfio *vfio, const gchar *owner, GPtrArray **out_given,
                           GError **error)
{
  g_autoptr(GPtrArray) entries = vmctl_vfio_list_entries (vfio, NULL, error);
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  g_autoptr(GPtrArray) plans = NULL;

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (entries, i);

    if (g_strcmp0 (entry->owner, owner) == 0)
      g_ptr_array_add (mine, entry);
  }
  plans = vmctl_vfio_plans_group (mine);
  return give_back_plans (vfio, plans, TRUE, out_given, error);
}

/**
 * vmctl_vfio_status:
 * Returns: (transfer full) (element-type VmctlJournalEntry): sorted by
 * address, NULL with @error when the journal cannot be read (or the state
 * directory cannot be trusted)
 */
GPtrArray *
vmctl_vfio_status (VmctlVfio *vfio, GPtrArray **out_problems, GError **error)
{
  return vmctl_vfio_list_entries (vfio, out_problems, error);
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
  g_ptr_array_unref (recovery->actions);
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
  recovery->actions = g_ptr_array_new_with_free_func (g_free);
  return recovery;
}

/* one "ADDR WHY" line per function of @plan into @into */
static void
add_per_function (GPtrArray *into, VmctlVfioPlan *plan, const gchar *why)
{
  for (guint i = 0; i < plan->entries->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (plan->entries, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&entry->address, name);
    g_ptr_array_add (into, g_strdup_printf ("%s %s", name, why));
  }
}

/* recover's handling of one plan of this boot */
static void
recover_plan (VmctlVfio *vfio, VmctlVfioPlan *plan, VmctlVfioUserFunc user, gpointer user_data,
              VmctlVfioRecovery *recovery)
{
  g_autoptr(GPtrArray) given =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *vm = NULL;

  if (plan->owner[0] != '\0' && vmctl_owner_lock_is_held (vfio->state_dir, plan->owner)) {
    /* its start is under way: the domain will run in a moment */
    g_autofree gchar *why = g_strdup_printf ("held by VM '%s', which another vmctl is starting",
                                             plan->owner);

    add_per_function (recovery->kept, plan, why);
    return;
  }
  vm = vmctl_vfio_plan_user (plan, user, user_data);
  if (vm != NULL) {
    g_autofree gchar *why = g_strdup_printf ("in use by running VM '%s'", vm);

    add_per_function (recovery->kept, plan, why);
    return;
  }
  if (!vmctl_vfio_plan_give_back (vfio, plan, FALSE, given, recovery->dropped, recovery->failed,
                                  &local_error)) {
    /* a detach or reattach under way: never give back part of its plan */
    if (g_error_matches (local_error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY))
      g_ptr_array_add (recovery->kept, g_strdup (local_error->message));
    else
      g_ptr_array_add (recovery->failed, g_strdup (local_error->message));
    return;
  }
  for (guint i = 0; i < given->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (given, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&entry->address, name);
    g_ptr_array_add (recovery->reattached,
                     g_strdup_printf ("%s -> %s", name, entry->original_driver[0] != '\0'
                                                        ? entry->original_driver : "no driver"));
  }
}

/**
 * vmctl_vfio_recover:
 * @user: (nullable): asked for each entry of this boot; NULL counts none
 *   in use
 *
 * Every plan of this boot that no running or starting VM uses and no other
 * vmctl is changing is given back whole; a plan with a corrupt entry is
 * left alone and reported; corrupt entries are reported and left in place;
 * entries of an earlier boot are dropped.
 *
 * Returns: (transfer full): what was done, NULL with @error when the
 * journal cannot be read at all
 */
VmctlVfioRecovery *
vmctl_vfio_recover (VmctlVfio *vfio, VmctlVfioUserFunc user, gpointer user_data,
                    GError **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) entries = vmctl_vfio_list_entries (vfio, &problems, error);
  g_autoptr(GPtrArray) current = g_ptr_array_new ();
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;

  if (entries == NULL)
    return NULL;
  recovery = recovery_new ();
  for (guint i = 0; i < problems->len; i++) {
    VmctlJournalProblem *problem = g_ptr_array_index (problems, i);

    g_ptr_array_add (recovery->failed, g_strdup_printf ("corrupt journal entry %s: %s (left in place)",
                                                        problem->path, problem->message));
  }
  for (guint i = 0; i < entries->len; i++) {
    VmctlJournalEntry *entry = g_ptr_array_index (entries, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autoptr(GError) drop_error = NULL;

    if (!vmctl_journal_entry_is_stale (vfio->journal, entry)) {
      g_ptr_array_add (current, entry);
      continue;
    }
    /* the reboot already gave it back: nothing to lock or restore */
    vmctl_pci_address_format (&entry->address, name);
    vmctl_vfio_progress (vfio, "%s: entry from an earlier boot (%s), dropped", name,
                         entry->time != NULL ? entry->time : "?");
    if (vfio->dry_run || vmctl_journal_remove (vfio->journal, &entry->address, &drop_error))
      g_ptr_array_add (recovery->dropped, g_strdup_printf ("%s (detached %s, before the last boot)",
                                                           name, entry->time != NULL ? entry->time : "?"));
    else
      g_ptr_array_add (recovery->failed, g_strdup_printf ("%s: %s", name, drop_error->message));
  }
  plans = vmctl_vfio_plans_group (current);
  for (guint i = 0; i < plans->len; i++)
    recover_plan (vfio, g_ptr_array_index (plans, i), user, user_data, recovery);
  for (guint i = 0; i < vfio->actions->len; i++)
    g_ptr_array_add (recovery->actions, g_strdup (g_ptr_array_index (vfio->actions, i)));
  return g_steal_pointer (&recovery);
}
