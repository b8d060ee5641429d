/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-users.c: which running VM uses a function vmctl holds, for
 * `gpu recover` and `gpu reattach` alike: its owner VM while that runs, or
 * any running domain that has it as a hostdev (a function detached by hand
 * and given to a VM). libvirt is asked read-only, once per command. */
#include "vmctl-cmd-gpu-private.h"

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-lifecycle.h"

struct _VmctlGpuUsers {
  gchar *uri;
  virConnectPtr connection;  /* NULL: libvirt was not needed or not reached */
  GHashTable *answers;       /* owner -> GINT_TO_POINTER (1 running, 2 not) */
  GHashTable *hostdevs;      /* "DDDD:BB:SS.F" -> running VM, read once */
  GPtrArray *unknown;        /* gchar*: what libvirt could not answer */
};

VmctlGpuUsers *
vmctl_gpu_users_new (VmctlContext *context)
{
  VmctlGpuUsers *users = g_new0 (VmctlGpuUsers, 1);

  users->uri = g_strdup (vmctl_session_get_uri (context->session));
  users->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  users->unknown = g_ptr_array_new_with_free_func (g_free);
  return users;
}

void
vmctl_gpu_users_free (VmctlGpuUsers *users)
{
  if (users == NULL)
    return;
  g_clear_pointer (&users->connection, vmctl_connect_close);
  g_clear_pointer (&users->hostdevs, g_hash_table_unref);
  g_hash_table_unref (users->answers);
  g_ptr_array_unref (users->unknown);
  g_free (users->uri);
  g_free (users);
}

/**
 * vmctl_gpu_users_connect:
 * @journal: (nullable): to leave out entries of an earlier boot
 * @entries: (element-type VmctlJournalEntry): the entries to be asked about
 * @error: the connection's error, when libvirt cannot be reached and one
 *   of @entries names a VM (then nobody can say whether it runs)
 *
 * Opens libvirt when @entries hold one of this boot. Without a VM named, a
 * libvirt that is not there means no VM of it runs: the lookups then say
 * "none".
 */
gboolean
vmctl_gpu_users_connect (VmctlGpuUsers *users, VmctlJournal *journal, GPtrArray *entries,
                         GError **error)
{
  g_autoptr(GError) connect_error = NULL;
  gboolean needed = FALSE;
  gboolean owned = FALSE;

  for (guint i = 0; i < entries->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (entries, i);

    if (journal != NULL && vmctl_journal_entry_is_stale (journal, entry))
      continue;
    needed = TRUE;
    owned |= entry->owner[0] != '\0';
  }
  if (!needed || users->connection != NULL)
    return TRUE;
  users->connection = vmctl_connect_open (users->uri, TRUE, &connect_error);
  if (users->connection == NULL && owned) {
    g_propagate_error (error, g_steal_pointer (&connect_error));
    return FALSE;
  }
  return TRUE;
}

/* 1 running, 0 not, -1 unknown (the reason added to users->unknown) */
static gint
owner_active (VmctlGpuUsers *users, const gchar *owner)
{
  gpointer known = g_hash_table_lookup (users->answers, owner);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  gint active;

  if (known != NULL)
    return GPOINTER_TO_INT (known) == 1;
  domain = sym_virDomainLookupByName (users->connection, owner);
  if (domain == NULL) {
    g_autofree gchar *what = g_strdup_printf ("looking up VM '%s'", owner);

    vmctl_virt_set_error (&error, what);
    active = g_error_matches (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_DOMAIN) ? 0 : -1;
  } else {
    active = sym_virDomainIsActive (domain);
    if (active < 0) {
      g_autofree gchar *what = g_strdup_printf ("asking whether VM '%s' runs", owner);

      vmctl_virt_set_error (&error, what);
    }
  }
  if (active < 0) {
    g_ptr_array_add (users->unknown, g_strdup_printf ("%s (its functions were kept)",
                                                      error->message));
    return -1;
  }
  g_hash_table_insert (users->answers, g_strdup (owner), GINT_TO_POINTER (active ? 1 : 2));
  return active != 0;
}

/**
 * vmctl_gpu_users_lookup:
 * @users: a VmctlGpuUsers (a VmctlVfioUserFunc's data)
 *
 * When libvirt cannot say, the function counts as used ("(unknown)", the
 * reason in vmctl_gpu_users_get_unknown()): taking a device from a running
 * guest is worse than leaving it held.
 *
 * Returns: (transfer full) (nullable): the running VM using the entry's
 * function, NULL when none does
 */
gchar *
vmctl_gpu_users_lookup (const VmctlJournalEntry *entry, gpointer user_data)
{
  VmctlGpuUsers *users = user_data;
  g_autofree gchar *address = vmctl_pci_address_to_string (&entry->address);
  const gchar *vm;

  if (users->connection == NULL)
    return NULL;
  if (entry->owner[0] != '\0') {
    gint active = owner_active (users, entry->owner);

    if (active != 0)
      return g_strdup (active > 0 ? entry->owner : "(unknown)");
  }
  if (users->hostdevs == NULL) {
    g_autoptr(GError) error = NULL;

    users->hostdevs = vmctl_vm_running_hostdevs (users->connection, NULL, &error);
    if (users->hostdevs == NULL) {
      g_ptr_array_add (users->unknown, g_strdup_printf ("%s (functions detached by hand "
                                                        "were kept)", error->message));
      users->hostdevs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (users->hostdevs, g_strdup ("*"), g_strdup ("(unknown)"));
    }
  }
  vm = g_hash_table_lookup (users->hostdevs, address);
  if (vm == NULL)
    vm = g_hash_table_lookup (users->hostdevs, "*");
  return g_strdup (vm);
}

/**
 * vmctl_gpu_users_get_unknown:
 * Returns: (transfer none) (element-type utf8): what libvirt could not
 * answer, one line each
 */
GPtrArray *
vmctl_gpu_users_get_unknown (VmctlGpuUsers *users)
{
  return users->unknown;
}
