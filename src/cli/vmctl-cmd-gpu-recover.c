/* vmctl-cmd-gpu-recover.c: vmctl gpu recover: giving back what a crashed
 * vmctl or a VM that died without cleaning up left on vfio-pci, never a
 * function a running (or starting) VM uses. */
#include "vmctl-output.h"

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-lifecycle.h"
#include "vmctl-vfio.h"

static const gchar gpu_recover_description[] =
  "Puts the host back in order after a crash or a VM that died without\n"
  "cleaning up: every function in the journal (STATE/journal/ under the state\n"
  "directory) goes back to its original driver unless a running VM uses it:\n"
  "the VM it was detached for, while that runs, or any running VM that has\n"
  "it as a hostdev (libvirt is asked read-only, -c/--connect), or a VM\n"
  "another vmctl is starting. Half-done moves are rolled back from the step\n"
  "they reached; manual detaches no VM uses are given back too; entries from\n"
  "an earlier boot are dropped. If libvirt cannot be reached and an entry\n"
  "names a VM, nothing is given back. Exit status 1 when any function could\n"
  "not be given back.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu recover --dry-run\n"
  "  vmctl gpu recover";

/* ---- gpu recover ----------------------------------------------------------- */

typedef struct {
  virConnectPtr connection;  /* NULL: libvirt was not needed or not reached */
  GHashTable *answers;       /* owner -> GINT_TO_POINTER (1 running, 2 not) */
  GHashTable *hostdevs;      /* "DDDD:BB:SS.F" -> running VM, read once */
  GPtrArray *unknown;        /* gchar*: what libvirt could not answer */
} RunningCheck;

/* 1 running, 0 not, -1 unknown (the reason added to check->unknown) */
static gint
owner_active (RunningCheck *check, const gchar *owner)
{
  gpointer known = g_hash_table_lookup (check->answers, owner);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  gint active;

  if (known != NULL)
    return GPOINTER_TO_INT (known) == 1;
  domain = sym_virDomainLookupByName (check->connection, owner);
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
    g_ptr_array_add (check->unknown, g_strdup_printf ("%s (its functions were kept)",
                                                      error->message));
    return -1;
  }
  g_hash_table_insert (check->answers, g_strdup (owner), GINT_TO_POINTER (active ? 1 : 2));
  return active != 0;
}

/* The running VM that uses the entry's function: its owner while that
 * runs, or any running VM with it as a hostdev (a function detached by
 * hand). When libvirt cannot say, the function is kept: taking a device
 * from a running guest is worse than leaving it held. */
static gchar *
entry_user (const VmctlJournalEntry *entry, gpointer user_data)
{
  RunningCheck *check = user_data;
  g_autofree gchar *address = vmctl_pci_address_to_string (&entry->address);
  const gchar *vm;

  if (check->connection == NULL)
    return NULL;
  if (entry->owner[0] != '\0') {
    gint active = owner_active (check, entry->owner);

    if (active != 0)
      return g_strdup (active > 0 ? entry->owner : "(unknown)");
  }
  if (check->hostdevs == NULL) {
    g_autoptr(GError) error = NULL;

    check->hostdevs = vmctl_vm_running_hostdevs (check->connection, NULL, &error);
    if (check->hostdevs == NULL) {
      g_ptr_array_add (check->unknown, g_strdup_printf ("%s (functions detached by hand "
                                                        "were kept)", error->message));
      check->hostdevs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (check->hostdevs, g_strdup ("*"), g_strdup ("(unknown)"));
    }
  }
  vm = g_hash_table_lookup (check->hostdevs, address);
  if (vm == NULL)
    vm = g_hash_table_lookup (check->hostdevs, "*");
  return g_strdup (vm);
}

/* Entries of this boot need libvirt's answer: *out_owned says whether one
 * names a VM (then libvirt must answer; without one, a libvirt that is not
 * there means no VM of it runs). */
static gboolean
needs_libvirt (VmctlVfio *vfio, gboolean *out_owned, GError **error)
{
  g_autoptr(GPtrArray) entries = vmctl_vfio_status (vfio, NULL, error);
  VmctlJournal *journal;
  gboolean needed = FALSE;

  *out_owned = FALSE;
  if (entries == NULL)
    return FALSE;
  journal = vmctl_vfio_get_journal (vfio);
  for (guint i = 0; i < entries->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (entries, i);

    if (journal != NULL && vmctl_journal_entry_is_stale (journal, entry))
      continue;
    needed = TRUE;
    *out_owned |= entry->owner[0] != '\0';
  }
  return needed;
}

static void
print_recovery (VmctlContext *context, VmctlVfio *vfio, gboolean dry_run,
                const VmctlVfioRecovery *recovery)
{
  struct {
    const gchar *word;
    GPtrArray *lines;
  } sections[] = {
    { "reattached", recovery->reattached },
    { "kept", recovery->kept },
    { "dropped", recovery->dropped },
    { "failed", recovery->failed },
  };
  guint total = 0;

  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    if (dry_run)
      vmctl_gpu_add_actions_json (builder, vmctl_vfio_get_actions (vfio));
    for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
      vmctl_gpu_add_string_array (builder, sections[i].word, sections[i].lines);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
    return;
  }
  if (dry_run)
    vmctl_gpu_print_actions (vmctl_vfio_get_actions (vfio));
  for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
    for (guint j = 0; j < sections[i].lines->len; j++, total++)
      g_print ("%s%s: %s\n", dry_run && i == 0 ? "would be " : "", sections[i].word,
               (const gchar *) g_ptr_array_index (sections[i].lines, j));
  if (total == 0)
    g_print ("nothing to recover: vmctl holds no PCI functions\n");
}

gboolean
vmctl_cmd_gpu_recover (VmctlInvocation *invocation, GError **error)
{
  gboolean dry_run = FALSE;
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    VMCTL_GPU_RUN_OPTIONS (&dry_run, &verbose),
    { NULL }
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(VmctlVfioRecovery) recovery = NULL;
  g_autoptr(GHashTable) answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  RunningCheck check = { NULL, answers, NULL, unknown };
  gboolean owned = FALSE;

  if (!vmctl_invocation_start (invocation, entries, gpu_recover_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  if (!vmctl_gpu_check_state_dir (context, error))
    return FALSE;
  vfio = vmctl_gpu_open_engine (context, dry_run, verbose, error);
  if (vfio == NULL)
    return FALSE;
  if (needs_libvirt (vfio, &owned, &local_error)) {
    g_autoptr(GError) connect_error = NULL;

    connection = vmctl_connect_open (vmctl_context_get_uri (context), TRUE, &connect_error);
    if (connection == NULL && owned) {
      /* a failure to recover (exit 1) whatever the cause, a bad URI
       * included: the journal is intact and the command can be rerun */
      g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                   "cannot tell which VMs still run, so nothing was given back: %s",
                   connect_error->message);
      return FALSE;
    }
    check.connection = connection;
  } else if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  recovery = vmctl_vfio_recover (vfio, entry_user, &check, error);
  g_clear_pointer (&check.hostdevs, g_hash_table_unref);
  if (recovery == NULL)
    return FALSE;
  for (guint i = 0; i < unknown->len; i++)
    g_ptr_array_add (recovery->failed, g_strdup (g_ptr_array_index (unknown, i)));

  print_recovery (context, vfio, dry_run, recovery);
  if (recovery->failed->len > 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "recovery incomplete, %u problem%s; the first: %s",
                 recovery->failed->len, recovery->failed->len == 1 ? "" : "s",
                 (const gchar *) g_ptr_array_index (recovery->failed, 0));
    return FALSE;
  }
  return TRUE;
}
