/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-plans.c: giving functions back a plan at a time. A plan is
 * the set of functions one detach moved together (an IOMMU group, the
 * card's siblings, --hostdev extras); giving back part of one leaves the
 * rest of its group on vfio-pci, where the host cannot use it and a VM
 * cannot either (the kernel hands a group over only whole). So every give
 * back here locks the whole plan first, re-reads its entries under the
 * locks (another vmctl may have finished or started with it meanwhile) and
 * restores every function of it, or leaves all of them alone. */
#include "vmctl-vfio-private.h"
#include "vmctl-device-lock.h"

void
vmctl_vfio_plan_free (VmctlVfioPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->owner);
  g_array_unref (plan->members);
  g_ptr_array_unref (plan->entries);
  g_free (plan);
}

/* whether @entry was detached with @plan: the same owner and the same
 * recorded plan, or (entries of an older vmctl, which recorded none) the
 * same owner and card slot, as reattach grouped them before */
static gboolean
belongs (const VmctlVfioPlan *plan, const VmctlJournalEntry *entry)
{
  if (g_strcmp0 (entry->owner, plan->owner) != 0)
    return FALSE;
  if (!plan->recorded)
    return entry->plan == NULL
           && vmctl_pci_address_same_slot (&entry->address,
                                           &g_array_index (plan->members, VmctlPciAddress, 0));
  if (entry->plan == NULL || entry->plan->len != plan->members->len)
    return FALSE;
  for (guint i = 0; i < plan->members->len; i++)
    if (!vmctl_pci_address_equal (&g_array_index (entry->plan, VmctlPciAddress, i),
                                  &g_array_index (plan->members, VmctlPciAddress, i)))
      return FALSE;
  return TRUE;
}

static gboolean
has_member (const VmctlVfioPlan *plan, const VmctlPciAddress *address)
{
  for (guint i = 0; i < plan->members->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (plan->members, VmctlPciAddress, i), address))
      return TRUE;
  return FALSE;
}

/**
 * vmctl_vfio_plans_group:
 * @entries: (element-type VmctlJournalEntry): journal entries
 *
 * Returns: (transfer full) (element-type VmctlVfioPlan): the plans the
 * entries belong to, each with copies of its entries, in the order their
 * first entry comes in @entries
 */
GPtrArray *
vmctl_vfio_plans_group (GPtrArray *entries)
{
  GPtrArray *plans = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_vfio_plan_free);

  for (guint i = 0; i < entries->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (entries, i);
    VmctlVfioPlan *plan = NULL;

    for (guint j = 0; j < plans->len && plan == NULL; j++)
      if (belongs (g_ptr_array_index (plans, j), entry))
        plan = g_ptr_array_index (plans, j);
    if (plan == NULL) {
      plan = g_new0 (VmctlVfioPlan, 1);
      plan->owner = g_strdup (entry->owner);
      plan->recorded = entry->plan != NULL;
      plan->members = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
      if (plan->recorded)
        g_array_append_vals (plan->members, entry->plan->data, entry->plan->len);
      plan->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
      g_ptr_array_add (plans, plan);
    }
    if (!has_member (plan, &entry->address))
      g_array_append_val (plan->members, entry->address);
    g_ptr_array_add (plan->entries, vmctl_journal_entry_copy (entry));
  }
  return plans;
}

/**
 * vmctl_vfio_plan_describe:
 * Returns: (transfer full): the plan's functions, "0000:01:00.0 0000:01:00.1"
 */
gchar *
vmctl_vfio_plan_describe (const VmctlVfioPlan *plan)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < plan->members->len; i++) {
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&g_array_index (plan->members, VmctlPciAddress, i), name);
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "", name);
  }
  return g_string_free (text, FALSE);
}

/**
 * vmctl_vfio_plan_user:
 * @user: (nullable): asked for each function of the plan
 *
 * Returns: (transfer full) (nullable): the running VM using any function of
 * the plan, NULL when none does (or nobody is asked)
 */
gchar *
vmctl_vfio_plan_user (VmctlVfioPlan *plan, VmctlVfioUserFunc user, gpointer user_data)
{
  for (guint i = 0; user != NULL && i < plan->entries->len; i++) {
    gchar *vm = user (g_ptr_array_index (plan->entries, i), user_data);

    if (vm != NULL)
      return vm;
  }
  return NULL;
}

/* the plan's entries as the journal has them now (called under the plan's
 * locks); FALSE when one of them is corrupt: nobody can say what that
 * function's driver was, so the plan stays as it is */
static gboolean
reread (VmctlVfio *vfio, VmctlVfioPlan *plan, GPtrArray *current, GError **error)
{
  g_autofree gchar *members = vmctl_vfio_plan_describe (plan);

  for (guint i = 0; i < plan->members->len; i++) {
    const VmctlPciAddress *address = &g_array_index (plan->members, VmctlPciAddress, i);
    g_autoptr(GError) local_error = NULL;
    VmctlJournalEntry *entry = vmctl_journal_lookup (vfio->journal, address, &local_error);

    if (entry == NULL
        && g_error_matches (local_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_NOT_FOUND)) {
      g_ptr_array_add (current, NULL);
      continue;
    }
    if (entry == NULL) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_CORRUPT,
                   "%s, and so is its plan (%s): fix or remove that entry, then try again",
                   local_error->message, members);
      return FALSE;
    }
    if (!belongs (plan, entry)) {
      vmctl_journal_entry_free (entry);
      entry = NULL;
    }
    g_ptr_array_add (current, entry);
  }
  return TRUE;
}

/**
 * vmctl_vfio_plan_give_back:
 * @wait: wait for another vmctl's locks (as long as a detach would);
 *   FALSE refuses at once when any function of the plan is locked
 * @given: (element-type VmctlJournalEntry): gets a copy of each entry given
 *   back, last moved first
 * @dropped: (nullable) (element-type utf8): gets "ADDR (detached TIME,
 *   before the last boot)" for entries of an earlier boot, removed only
 * @failed: (element-type utf8): gets "why" for each function that could not
 *   be given back (its entry stays)
 * @error: when the plan was left alone entirely: a
 *   VMCTL_DEVICE_LOCK_ERROR_BUSY naming the holder, or
 *   VMCTL_VFIO_ERROR_CORRUPT when one of its entries is corrupt
 *
 * Locks every function of the plan, re-reads their entries and gives back
 * every one still journaled with the plan, in reverse detach order.
 */
gboolean
vmctl_vfio_plan_give_back (VmctlVfio *vfio, VmctlVfioPlan *plan, gboolean wait,
                           GPtrArray *given, GPtrArray *dropped, GPtrArray *failed,
                           GError **error)
{
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(GPtrArray) current =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  g_autoptr(GError) local_error = NULL;

  locks = vmctl_vfio_lock (vfio, (const VmctlPciAddress *) plan->members->data,
                           plan->members->len, wait ? vfio->lock_timeout_ms : 0, &local_error);
  if (locks == NULL) {
    g_autofree gchar *members = vmctl_vfio_plan_describe (plan);

    if (g_error_matches (local_error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY))
      g_prefix_error (&local_error, "plan %s left alone: ", members);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (!reread (vfio, plan, current, error))
    return FALSE;
  for (guint i = current->len; i > 0; i--) {
    const VmctlJournalEntry *entry = g_ptr_array_index (current, i - 1);
    g_autoptr(GError) restore_error = NULL;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    if (entry == NULL)
      continue;  /* given back by someone else meanwhile, or another plan's */
    vmctl_pci_address_format (&entry->address, name);
    if (vmctl_journal_entry_is_stale (vfio->journal, entry)) {
      /* the reboot already gave the function back */
      vmctl_vfio_progress (vfio, "%s: entry from an earlier boot (%s), dropped", name,
                           entry->time != NULL ? entry->time : "?");
      if (!vfio->dry_run && !vmctl_journal_remove (vfio->journal, &entry->address, &restore_error))
        g_ptr_array_add (failed, g_strdup_printf ("%s: %s", name, restore_error->message));
      else if (dropped != NULL)
        g_ptr_array_add (dropped, g_strdup_printf ("%s (detached %s, before the last boot)", name,
                                                   entry->time != NULL ? entry->time : "?"));
      continue;
    }
    if (!vmctl_vfio_restore_one (vfio, entry, &restore_error)) {
      g_ptr_array_add (failed, g_strdup (restore_error->message));
      continue;
    }
    g_ptr_array_add (given, vmctl_journal_entry_copy (entry));
  }
  return TRUE;
}

/**
 * vmctl_vfio_list_entries:
 * @out_problems: (out) (optional) (transfer full): VmctlJournalProblem*
 *
 * Returns: (transfer full): the journal's current entries; empty when a dry
 * run finds no journal yet; NULL with @error when it cannot be read
 */
GPtrArray *
vmctl_vfio_list_entries (VmctlVfio *vfio, GPtrArray **out_problems, GError **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *entries;

  if (vmctl_vfio_journal (vfio, &local_error) == NULL) {
    if (local_error != NULL) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    if (out_problems != NULL)
      *out_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_problem_free);
    return g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  }
  entries = vmctl_journal_list (vfio->journal, &problems, error);
  if (entries != NULL && out_problems != NULL)
    *out_problems = g_steal_pointer (&problems);
  return entries;
}
