/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio.c: the passthrough engine: the object, the checks before any
 * change, and whole plans detached as transactions. One function's moves
 * are vmctl-vfio-function.c; giving plans back (reattach, recover) is
 * vmctl-vfio-plans.c and vmctl-vfio-recover.c.
 *
 * Rules every path keeps:
 *  - the journal entry is written (durably) BEFORE the sysfs write it
 *    announces, so a crash at any point leaves an entry that says how far
 *    the host may have been changed;
 *  - undo is driven by what sysfs shows now plus what the journal recorded,
 *    and writes only what differs: it can run after a crash at any step,
 *    twice, or after a write that failed without effect;
 *  - the journal entry is removed before the lock is released. */
#include "vmctl-vfio-private.h"
#include "vmctl-device-lock.h"
#include "vmctl-host-critical.h"
#include "vmctl-host-use.h"
#include "vmctl-names.h"

#include <gio/gio.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-vfio-error-quark, vmctl_vfio_error)

#define DEFAULT_BIND_TIMEOUT_MS 10000
#define DEFAULT_LOCK_TIMEOUT_MS 30000
#define POLL_INTERVAL_US 10000
#define VFIO_DRIVER "vfio-pci"

/* ---- the object ---- */

/* @minimum: 0 for the lock ("never wait"), 1 for the bind wait */
static guint
timeout_from_env (const gchar *name, guint minimum, guint fallback)
{
  const gchar *text = g_getenv (name);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, minimum, G_MAXUINT, &value, NULL))
    return fallback;
  return (guint) value;
}

/**
 * vmctl_vfio_new:
 * @state_dir: where the journal and locks live; created on first use, not
 *   here, so that a dry run writes nothing
 *
 * The bind timeout defaults to 10 s (VMCTL_BIND_TIMEOUT_MS overrides it, for
 * tests and slow hosts), the lock timeout to 30 s (VMCTL_LOCK_TIMEOUT_MS;
 * 0 refuses at once when another vmctl holds a function).
 */
VmctlVfio *
vmctl_vfio_new (VmctlHost *host, const gchar *state_dir, GError **error)
{
  VmctlVfio *vfio;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (state_dir != NULL, NULL);
  vfio = g_new0 (VmctlVfio, 1);
  vfio->host = vmctl_host_ref (host);
  vfio->state_dir = g_strdup (state_dir);
  vfio->bind_timeout_ms = timeout_from_env ("VMCTL_BIND_TIMEOUT_MS", 1, DEFAULT_BIND_TIMEOUT_MS);
  vfio->lock_timeout_ms = timeout_from_env ("VMCTL_LOCK_TIMEOUT_MS", 0, DEFAULT_LOCK_TIMEOUT_MS);
  vfio->actions = g_ptr_array_new_with_free_func (g_free);
  return vfio;
}

void
vmctl_vfio_free (VmctlVfio *vfio)
{
  if (vfio == NULL)
    return;
  vmctl_vfio_set_progress (vfio, NULL, NULL);
  g_clear_pointer (&vfio->journal, vmctl_journal_free);
  g_clear_pointer (&vfio->host, vmctl_host_unref);
  g_free (vfio->state_dir);
  g_ptr_array_unref (vfio->actions);
  g_free (vfio);
}

void
vmctl_vfio_set_dry_run (VmctlVfio *vfio, gboolean dry_run)
{
  vfio->dry_run = dry_run;
}

void
vmctl_vfio_set_force (VmctlVfio *vfio, gboolean force)
{
  vfio->force = force;
}

void
vmctl_vfio_set_bind_timeout (VmctlVfio *vfio, guint timeout_ms)
{
  vfio->bind_timeout_ms = timeout_ms;
}

void
vmctl_vfio_set_lock_timeout (VmctlVfio *vfio, guint timeout_ms)
{
  vfio->lock_timeout_ms = timeout_ms;
}

void
vmctl_vfio_set_progress (VmctlVfio *vfio, VmctlVfioProgressFunc func, gpointer user_data)
{
  vmctl_vfio_set_progress_full (vfio, func, user_data, NULL);
}

/**
 * vmctl_vfio_set_progress_full:
 * @func: (nullable): receives one line per step; NULL drops them
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data when it is replaced or the engine
 *   is freed
 *
 * vmctl_vfio_set_progress() for data the engine keeps alive itself (a
 * session and the VM the lines are about).
 */
void
vmctl_vfio_set_progress_full (VmctlVfio *vfio, VmctlVfioProgressFunc func, gpointer user_data,
                              GDestroyNotify destroy)
{
  if (vfio->progress_destroy != NULL)
    vfio->progress_destroy (vfio->progress_data);
  vfio->progress = func;
  vfio->progress_data = user_data;
  vfio->progress_destroy = destroy;
}

void
vmctl_vfio_set_user (VmctlVfio *vfio, VmctlVfioUserFunc func, gpointer user_data)
{
  vfio->user = func;
  vfio->user_data = user_data;
}

/**
 * vmctl_vfio_get_actions:
 * Returns: (transfer none) (element-type utf8)
 */
GPtrArray *
vmctl_vfio_get_actions (VmctlVfio *vfio)
{
  return vfio->actions;
}

/* The journal, opened (and the state directory created) on first use. A
 * dry run creates nothing: without a journal yet it gets NULL and no error
 * (nothing is held). A state directory that cannot be trusted is an error
 * in either case. */
VmctlJournal *
vmctl_vfio_journal (VmctlVfio *vfio, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (vfio->journal != NULL)
    return vfio->journal;
  if (vfio->dry_run)
    vfio->journal = vmctl_journal_open_existing (vfio->state_dir, vfio->host, &local_error);
  else
    vfio->journal = vmctl_journal_open (vfio->state_dir, vfio->host, &local_error);
  if (vfio->journal == NULL
      && !g_error_matches (local_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_ABSENT))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return vfio->journal;
}

/**
 * vmctl_vfio_get_journal:
 * Returns: (transfer none) (nullable): the journal, NULL when the state
 * directory cannot be opened
 */
VmctlJournal *
vmctl_vfio_get_journal (VmctlVfio *vfio)
{
  return vmctl_vfio_journal (vfio, NULL);
}

void
vmctl_vfio_progress (VmctlVfio *vfio, const gchar *format, ...)
{
  g_autofree gchar *line = NULL;
  va_list args;

  if (vfio->progress == NULL)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  vfio->progress (line, vfio->progress_data);
}

/* ---- checks before any change ---- */

/* the header type from config byte 0x0e and the class, read here (the
 * engine trusts no inventory), judged by the one rule */
static gboolean
is_bridge (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *config_path = vmctl_vfio_device_path (name, "config");
  g_autofree gchar *class_path = vmctl_vfio_device_path (name, "class");
  g_autofree gchar *config = NULL;
  gsize length = 0;
  guint64 class_code = 0;
  gint header_type = VMCTL_PCI_HEADER_UNKNOWN;

  if (vmctl_host_read (vfio->host, config_path, &config, &length, NULL) && length > 0x0e)
    header_type = config[0x0e] & 0x7f;
  (void) vmctl_host_read_hex (vfio->host, class_path, &class_code, NULL);
  return vmctl_pci_header_is_bridge (header_type, (guint32) class_code);
}


/* unknown functions and bridges are bad input; the host's own devices are
 * refused unless forced */
static gboolean
check_functions (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n, GError **error)
{
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  /* the host's own chipset never moves, whoever called and with --force:
   * the engine reads the list itself rather than trust a verdict ran */
  g_autoptr(VmctlHostCritical) critical = vmctl_host_critical_load_default (error);

  if (critical == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++) {
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *driver = NULL;

    vmctl_pci_address_format (&addresses[i], name);
    if (!vmctl_vfio_device_exists (vfio, name)) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_NO_DEVICE,
                   "no PCI function %s on this host (see 'vmctl iommu list')", name);
      return FALSE;
    }
    if (is_bridge (vfio, name)) {
      g_autofree gchar *refusal = vmctl_pci_bridge_refusal (&addresses[i]);

      g_set_error_literal (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE, refusal);
      return FALSE;
    }
    if (!vmctl_host_critical_check_sysfs (critical, vfio->host, &addresses[i], error))
      return FALSE;
    driver = vmctl_vfio_current_driver (vfio, name);
    /* on vfio-pci already: it will not move, and the host is not using it */
    if (!vfio->force && g_strcmp0 (driver, VFIO_DRIVER) != 0) {
      g_autoptr(GPtrArray) found = vmctl_host_use_reasons (vfio->host, &addresses[i]);

      for (guint j = 0; j < found->len; j++)
        g_ptr_array_add (reasons, g_strdup (g_ptr_array_index (found, j)));
    }
  }
  if (reasons->len > 0) {
    g_autofree gchar *joined = NULL;

    g_ptr_array_add (reasons, NULL);
    joined = g_strjoinv ("; ", (gchar **) reasons->pdata);
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_IN_USE,
                 "the host is using it: %s (--force to take it anyway)", joined);
    return FALSE;
  }
  return TRUE;
}

/* vfio-pci must be registered before anything is probed for it */
static gboolean
ensure_vfio_module (VmctlVfio *vfio, GError **error)
{
  const gchar *program = g_getenv ("VMCTL_MODPROBE");
  g_autoptr(GSubprocess) process = NULL;
  g_autofree gchar *errors = NULL;
  gint64 deadline;

  if (vmctl_host_exists (vfio->host, "/sys/bus/pci/drivers/" VFIO_DRIVER))
    return TRUE;
  if (program == NULL || program[0] == '\0')
    program = "modprobe";
  g_ptr_array_add (vfio->actions, g_strdup_printf ("run %s vfio-pci", program));
  if (vfio->dry_run)
    return TRUE;
  vmctl_vfio_progress (vfio, "loading the vfio-pci module");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              error, program, "vfio-pci", NULL);
  if (process == NULL
      || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &errors, error)) {
    g_prefix_error (error, "cannot load vfio-pci: ");
    if (error != NULL && *error != NULL) {
      (*error)->domain = VMCTL_VFIO_ERROR;
      (*error)->code = VMCTL_VFIO_ERROR_MODULE;
    }
    return FALSE;
  }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0) {
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_MODULE,
                 "cannot load vfio-pci: %s vfio-pci failed: %s", program,
                 errors != NULL && errors[0] != '\0' ? g_strstrip (errors) : "no reason given");
    return FALSE;
  }
  /* udev-free hosts register the driver directory synchronously; be lenient */
  deadline = g_get_monotonic_time () + (gint64) vfio->bind_timeout_ms * 1000;
  while (!vmctl_host_exists (vfio->host, "/sys/bus/pci/drivers/" VFIO_DRIVER)) {
    if (g_get_monotonic_time () >= deadline) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_MODULE,
                   "%s vfio-pci succeeded but /sys/bus/pci/drivers/vfio-pci did not appear "
                   "(is vfio-pci built for this kernel?)", program);
      return FALSE;
    }
    g_usleep (POLL_INTERVAL_US);
  }
  return TRUE;
}

/* An entry left for a function: from an earlier boot it is dropped; a
 * completed manual detach (`gpu detach`, owner "") is what a VM may use
 * as it is (the function stays the user's, and a stop leaves it on
 * vfio-pci); a completed detach for the same VM is used as it is too
 * (`vmctl start` detached it before libvirt ran the hook's prepare for
 * the same start); anything else means the function is taken. */
static gboolean
check_not_held (VmctlVfio *vfio, const VmctlPciAddress *address, const gchar *owner,
                GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VmctlJournalEntry) entry = NULL;
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];

  if (vfio->journal == NULL)
    return TRUE;
  vmctl_pci_address_format (address, name);
  entry = vmctl_journal_lookup (vfio->journal, address, &local_error);
  if (entry == NULL) {
    if (g_error_matches (local_error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_NOT_FOUND))
      return TRUE;
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (vmctl_journal_entry_is_stale (vfio->journal, entry)) {
    vmctl_vfio_progress (vfio, "%s: dropping a journal entry from an earlier boot", name);
    return vfio->dry_run || vmctl_journal_remove (vfio->journal, address, error);
  }
  if (owner[0] != '\0' && entry->owner[0] == '\0'
      && entry->step == VMCTL_JOURNAL_STEP_BOUND_VFIO) {
    vmctl_vfio_progress (vfio, "%s: detached by hand earlier, used as it is", name);
    return TRUE;
  }
  if (owner[0] != '\0' && g_strcmp0 (entry->owner, owner) == 0
      && entry->step == VMCTL_JOURNAL_STEP_BOUND_VFIO) {
    g_autofree gchar *driver = vmctl_vfio_current_driver (vfio, name);

    if (g_strcmp0 (driver, VFIO_DRIVER) == 0) {
      vmctl_vfio_progress (vfio, "%s: already detached for VM '%s'", name, owner);
      return TRUE;
    }
  }
  if (entry->owner[0] != '\0')
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_HELD,
                 "%s is already detached by vmctl for VM '%s' (since %s); if that VM is "
                 "not running, 'vmctl gpu recover' gives it back", name, entry->owner,
                 entry->time != NULL ? entry->time : "?");
  else
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_HELD,
                 "%s is already detached by vmctl (since %s); 'vmctl gpu reattach %s' "
                 "gives it back", name, entry->time != NULL ? entry->time : "?", name);
  return FALSE;
}

/* ---- whole plans ---- */

/* undoes @moved (entries, in the order they were made) in reverse; the
 * first undo failure is returned, the rest still attempted */
static gboolean
undo_moves (VmctlVfio *vfio, GPtrArray *moved, GError **error)
{
  gboolean ok = TRUE;

  for (guint i = moved->len; i > 0; i--) {
    g_autoptr(GError) local_error = NULL;

    if (!vmctl_vfio_restore_one (vfio, g_ptr_array_index (moved, i - 1), &local_error)) {
      if (ok)
        g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  }
  return ok;
}

static gboolean
detach_locked (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n, const gchar *owner,
               GError **error)
{
  g_autoptr(GPtrArray) moved = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_journal_entry_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) undo_error = NULL;

  for (guint i = 0; i < n; i++)
    if (!check_not_held (vfio, &addresses[i], owner, error))
      return FALSE;
  for (guint i = 0; i < n; i++) {
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *driver = NULL;
    VmctlJournalEntry *entry = NULL;

    vmctl_pci_address_format (&addresses[i], name);
    driver = vmctl_vfio_current_driver (vfio, name);
    if (g_strcmp0 (driver, VFIO_DRIVER) == 0) {
      vmctl_vfio_progress (vfio, "%s: already on vfio-pci, left as it is", name);
      continue;
    }
    if (!vmctl_vfio_detach_one (vfio, &addresses[i], owner, addresses, n, &entry, &local_error)) {
      if (entry != NULL)
        g_ptr_array_add (moved, entry);
      break;
    }
    g_ptr_array_add (moved, entry);
  }
  if (local_error == NULL)
    return TRUE;
  if (!undo_moves (vfio, moved, &undo_error)) {
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_UNDO,
                 "%s; undoing it failed too: %s; the journal keeps the functions not given "
                 "back: run 'vmctl gpu recover'", local_error->message, undo_error->message);
    return FALSE;
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* in the caller's order, duplicates dropped: locks and journal see each
 * function once */
GArray *
vmctl_vfio_unique (const VmctlPciAddress *addresses, guint n)
{
  GArray *unique = g_array_sized_new (FALSE, FALSE, sizeof (VmctlPciAddress), n);

  for (guint i = 0; i < n; i++) {
    gboolean seen = FALSE;

    for (guint j = 0; j < unique->len && !seen; j++)
      seen = vmctl_pci_address_equal (&g_array_index (unique, VmctlPciAddress, j), &addresses[i]);
    if (!seen)
      g_array_append_val (unique, addresses[i]);
  }
  return unique;
}

/* the locks for @addresses, waiting up to @timeout_ms for each; a dry run
 * takes none (returns an empty array) */
GPtrArray *
vmctl_vfio_lock (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n, guint timeout_ms,
                 GError **error)
{
  if (vfio->dry_run)
    return g_ptr_array_new ();
  return vmctl_device_lock_acquire_all (vfio->state_dir, addresses, n, timeout_ms, error);
}

gboolean
vmctl_vfio_detach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                   const gchar *owner, GError **error)
{
  g_autoptr(GArray) unique = vmctl_vfio_unique (addresses, n);
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(GError) local_error = NULL;
  const VmctlPciAddress *list = (const VmctlPciAddress *) unique->data;
  gboolean ok;

  g_return_val_if_fail (vfio != NULL, FALSE);
  if (!check_functions (vfio, list, unique->len, error))
    return FALSE;
  /* a dry run without a journal yet goes on (nothing is held) */
  if (vmctl_vfio_journal (vfio, &local_error) == NULL && local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (!ensure_vfio_module (vfio, error))
    return FALSE;
  /* every lock of the plan before the first write, held to the end: a
   * recover or reattach finds the whole plan busy, never half of it */
  locks = vmctl_vfio_lock (vfio, list, unique->len, vfio->lock_timeout_ms, error);
  if (locks == NULL)
    return FALSE;
  /* in the caller's order: the GPU first, as the plan lists it; entries
   * are complete or removed before the locks go */
  ok = detach_locked (vfio, list, unique->len, owner != NULL ? owner : "", error);
  return ok;
}
