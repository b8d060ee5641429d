/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-users.c: which running VM uses a PCI function: the
 * running domains' hostdevs (vmctl_vm_running_hostdevs(), also start's
 * check that an IOMMU group is free), and, for functions vmctl holds, the
 * owner VM while it runs (VmctlVmUsers, for every give-back that must not
 * take a device from under a guest). */
#include "vmctl-lifecycle-users.h"
#include "vmctl-lifecycle-private.h"

#include "vmctl-connect.h"

#include <stdlib.h>

/* ---- the running domains' hostdevs ---- */

static guint64
number_prop (xmlNodePtr node, const gchar *name)
{
  g_autofree gchar *text = (gchar *) xmlGetProp (node, (const xmlChar *) name);

  return text != NULL ? g_ascii_strtoull (text, NULL, 0) : G_MAXUINT64;
}

/* the PCI hostdevs of a domain's live XML; none when it cannot be read
 * (the domain stopped meanwhile) */
static GArray *
domain_hostdevs (virDomainPtr domain)
{
  GArray *addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(xmlDoc) document = vmctl_lifecycle_domain_document (domain, 0);
  g_autoptr(xmlXPathObject) found = NULL;

  if (document != NULL)
    found = vmctl_lifecycle_select_nodes (document,
                                          "/domain/devices/hostdev[@type='pci']/source/address");
  for (gint i = 0; i < vmctl_lifecycle_node_count (found); i++) {
    xmlNodePtr node = found->nodesetval->nodeTab[i];
    guint64 domain_nr = number_prop (node, "domain"), bus = number_prop (node, "bus");
    guint64 slot = number_prop (node, "slot"), function = number_prop (node, "function");
    VmctlPciAddress address = { 0 };

    /* numbers libvirt accepted, checked again before they name a device */
    if (domain_nr > 0xffff || bus > 0xff || slot > 0x1f || function > 7)
      continue;
    address.domain = (guint16) domain_nr;
    address.bus = (guint8) bus;
    address.slot = (guint8) slot;
    address.function = (guint8) function;
    g_array_append_val (addresses, address);
  }
  return addresses;
}

/**
 * vmctl_vm_running_hostdevs:
 * @except: (nullable): a VM to leave out
 *
 * Returns: (transfer full): every PCI function a running domain has as a
 * hostdev, "DDDD:BB:SS.F" to that domain's name; NULL with @error when the
 * running domains cannot be listed
 */
GHashTable *
vmctl_vm_running_hostdevs (virConnectPtr connection, const gchar *except, GError **error)
{
  g_autoptr(GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  virDomainPtr *domains = NULL;
  int n = sym_virConnectListAllDomains (connection, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

  if (n < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot list the running VMs");
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    const gchar *name = sym_virDomainGetName (domains[i]);
    g_autoptr(GArray) theirs = NULL;

    if (g_strcmp0 (name, except) != 0)
      theirs = domain_hostdevs (domains[i]);
    for (guint j = 0; theirs != NULL && j < theirs->len; j++)
      g_hash_table_insert (users,
                           vmctl_pci_address_to_string (&g_array_index (theirs, VmctlPciAddress, j)),
                           g_strdup (name));
    sym_virDomainFree (domains[i]);
  }
  free (domains);
  return g_steal_pointer (&users);
}

/* ---- the users of functions vmctl holds ---- */

struct _VmctlVmUsers {
  VmctlSession *session;
  virConnectPtr connection;  /* the session's; NULL: not needed or not reached */
  GHashTable *answers;       /* owner -> GINT_TO_POINTER (1 running, 2 not) */
  GHashTable *hostdevs;      /* "DDDD:BB:SS.F" -> running VM, read once */
  GPtrArray *unknown;        /* gchar*: what libvirt could not answer */
};

/**
 * vmctl_vm_users_new: (skip)
 *
 * Returns: (transfer full): who uses what, asked of @session's libvirt
 * once vmctl_vm_users_connect() found a reason to
 */
VmctlVmUsers *
vmctl_vm_users_new (VmctlSession *session)
{
  VmctlVmUsers *users = g_new0 (VmctlVmUsers, 1);

  users->session = vmctl_session_ref (session);
  users->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  users->unknown = g_ptr_array_new_with_free_func (g_free);
  return users;
}

void
vmctl_vm_users_free (VmctlVmUsers *users)
{
  if (users == NULL)
    return;
  g_clear_pointer (&users->hostdevs, g_hash_table_unref);
  g_hash_table_unref (users->answers);
  g_ptr_array_unref (users->unknown);
  vmctl_session_unref (users->session);
  g_free (users);
}

/**
 * vmctl_vm_users_connect: (skip)
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
vmctl_vm_users_connect (VmctlVmUsers *users, VmctlJournal *journal, GPtrArray *entries,
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
  users->connection = vmctl_session_get_connection (users->session, TRUE, &connect_error);
  if (users->connection == NULL && owned) {
    g_propagate_error (error, g_steal_pointer (&connect_error));
    return FALSE;
  }
  return TRUE;
}

/* 1 running, 0 not, -1 unknown (the reason added to users->unknown) */
static gint
owner_active (VmctlVmUsers *users, const gchar *owner)
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
 * vmctl_vm_users_lookup: (skip)
 * @users: a VmctlVmUsers (a VmctlVfioUserFunc's data)
 *
 * When libvirt cannot say, the function counts as used ("(unknown)", the
 * reason in vmctl_vm_users_get_unknown()): taking a device from a running
 * guest is worse than leaving it held.
 *
 * Returns: (transfer full) (nullable): the running VM using the entry's
 * function, NULL when none does
 */
gchar *
vmctl_vm_users_lookup (const VmctlJournalEntry *entry, gpointer user_data)
{
  VmctlVmUsers *users = user_data;
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
 * vmctl_vm_users_get_unknown: (skip)
 * Returns: (transfer none) (element-type utf8): what libvirt could not
 * answer, one line each
 */
GPtrArray *
vmctl_vm_users_get_unknown (VmctlVmUsers *users)
{
  return users->unknown;
}
