/* vmctl-vfio.c: the passthrough engine's moves, one function at a time and
 * whole plans as transactions. Recovery and status, which only read the
 * journal and call the reattach here, are vmctl-vfio-recover.c.
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
  vfio->progress = func;
  vfio->progress_data = user_data;
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
 * dry run that cannot open it reads as an empty journal. */
VmctlJournal *
vmctl_vfio_journal (VmctlVfio *vfio, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (vfio->journal != NULL)
    return vfio->journal;
  if (vfio->dry_run) {
    /* opening creates STATE/journal/: a dry run must not */
    g_autofree gchar *directory = g_build_filename (vfio->state_dir, "journal", NULL);

    if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
      return NULL;
  }
  vfio->journal = vmctl_journal_open (vfio->state_dir, vfio->host, &local_error);
  if (vfio->journal == NULL && !vfio->dry_run)
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

/* ---- sysfs, through the host root ---- */

static gchar *
device_path (const gchar *name, const gchar *attribute)
{
  return g_strdup_printf ("/sys/bus/pci/devices/%s/%s", name, attribute);
}

static gchar *
driver_path (const gchar *driver, const gchar *attribute)
{
  return g_strdup_printf ("/sys/bus/pci/drivers/%s/%s", driver, attribute);
}

/* one host change: recorded, and made unless this is a dry run */
static gboolean
host_write (VmctlVfio *vfio, const gchar *path, const gchar *value, GError **error)
{
  g_autofree gchar *shown = g_strchomp (g_strdup (value));

  g_ptr_array_add (vfio->actions, g_strdup_printf ("write %s %s", path,
                                                   shown[0] == '\0' ? "''" : shown));
  if (vfio->dry_run)
    return TRUE;
  return vmctl_host_write (vfio->host, path, value, error);
}

gboolean
vmctl_vfio_device_exists (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *path = device_path (name, "config");

  return vmctl_host_exists (vfio->host, path);
}

/* the bound driver's name, NULL when none */
gchar *
vmctl_vfio_current_driver (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *path = device_path (name, "driver");

  return vmctl_host_read_link_name (vfio->host, path);
}

/* driver_override, "" when empty ("(null)") or unreadable */
static gchar *
current_override (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *path = device_path (name, "driver_override");
  g_autofree gchar *line = vmctl_host_read_line (vfio->host, path, NULL);

  if (line == NULL || g_strcmp0 (line, "(null)") == 0)
    return g_strdup ("");
  return g_steal_pointer (&line);
}

/* header type from config byte 0x0e, falling back on the class code */
static gboolean
is_bridge (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *config_path = device_path (name, "config");
  g_autofree gchar *class_path = device_path (name, "class");
  g_autofree gchar *config = NULL;
  gsize length = 0;
  guint64 class_code = 0;

  if (vmctl_host_read (vfio->host, config_path, &config, &length, NULL) && length > 0x0e)
    return (config[0x0e] & 0x7f) != 0;
  return vmctl_host_read_hex (vfio->host, class_path, &class_code, NULL)
         && (class_code >> 8) == 0x0604;
}

/* polls the driver link until it names @want (NULL: no driver) */
static gboolean
wait_for_driver (VmctlVfio *vfio, const gchar *name, const gchar *want, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) vfio->bind_timeout_ms * 1000;
  gboolean announced = FALSE;

  if (want != NULL)
    g_ptr_array_add (vfio->actions,
                     g_strdup_printf ("wait until /sys/bus/pci/devices/%s/driver -> %s", name, want));
  else
    g_ptr_array_add (vfio->actions,
                     g_strdup_printf ("wait until /sys/bus/pci/devices/%s/driver is gone", name));
  if (vfio->dry_run)
    return TRUE;
  for (;;) {
    g_autofree gchar *driver = vmctl_vfio_current_driver (vfio, name);

    if (g_strcmp0 (driver, want) == 0)
      return TRUE;
    if (!vmctl_vfio_device_exists (vfio, name)) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_VANISHED,
                   "%s disappeared from /sys/bus/pci/devices", name);
      return FALSE;
    }
    if (g_get_monotonic_time () >= deadline) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_TIMEOUT,
                   "%s is on %s, not %s, after %u ms", name,
                   driver != NULL ? driver : "no driver", want != NULL ? want : "no driver",
                   vfio->bind_timeout_ms);
      return FALSE;
    }
    if (!announced && vfio->bind_timeout_ms >= 1000) {
      vmctl_vfio_progress (vfio, "%s: waiting up to %u s for %s", name,
                           vfio->bind_timeout_ms / 1000, want != NULL ? want : "no driver");
      announced = TRUE;
    }
    g_usleep (POLL_INTERVAL_US);
  }
}

/* a sysfs write failure as the engine reports it: function and step */
static void
set_step_error (GError **error, GError *cause, const gchar *name, const gchar *step)
{
  gint code = VMCTL_VFIO_ERROR_WRITE;

  if (cause->domain == VMCTL_VFIO_ERROR)
    code = cause->code;
  g_set_error (error, VMCTL_VFIO_ERROR, code, "%s: %s failed: %s", name, step, cause->message);
}

/* ---- one function back: undo from any step ---- */

/**
 * vmctl_vfio_restore_one:
 * @entry: the function's journal entry (its step may be anything)
 *
 * Puts the function back to what @entry recorded, writing only what
 * differs from it now, then removes the entry. A function that has
 * disappeared has nothing left to give back: its entry is removed too.
 */
gboolean
vmctl_vfio_restore_one (VmctlVfio *vfio, const VmctlJournalEntry *entry, GError **error)
{
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];
  const gchar *original = entry->original_driver;
  g_autofree gchar *driver = NULL;
  g_autofree gchar *override = NULL;
  g_autoptr(GError) local_error = NULL;

  vmctl_pci_address_format (&entry->address, name);
  if (!vmctl_vfio_device_exists (vfio, name)) {
    vmctl_vfio_progress (vfio, "%s: gone from the host, nothing to give back", name);
    return vfio->dry_run || vmctl_journal_remove (vfio->journal, &entry->address, error);
  }
  driver = vmctl_vfio_current_driver (vfio, name);
  override = current_override (vfio, name);

  /* off whatever holds it, unless that is already the original driver */
  if (driver != NULL && g_strcmp0 (driver, original) != 0) {
    g_autofree gchar *unbind = driver_path (driver, "unbind");

    if (!host_write (vfio, unbind, name, &local_error)
        || !wait_for_driver (vfio, name, NULL, &local_error)) {
      g_autofree gchar *step = g_strdup_printf ("unbinding from %s", driver);

      set_step_error (error, local_error, name, step);
      return FALSE;
    }
    g_clear_pointer (&driver, g_free);
  }
  if (g_strcmp0 (override, entry->original_driver_override) != 0) {
    g_autofree gchar *path = device_path (name, "driver_override");
    g_autofree gchar *value = g_strdup_printf ("%s\n", entry->original_driver_override);

    if (!host_write (vfio, path, value, &local_error)) {
      set_step_error (error, local_error, name, "restoring driver_override");
      return FALSE;
    }
  }
  if (original[0] != '\0' && driver == NULL) {
    g_autofree gchar *bind = driver_path (original, "bind");

    /* the recorded driver, explicitly: a re-probe would hand the function
     * to whichever driver claims its ids first (vfio-pci.ids, pci-stub) */
    if (!host_write (vfio, bind, name, &local_error)
        || !wait_for_driver (vfio, name, original, &local_error)) {
      g_autofree gchar *step = g_strdup_printf ("binding back to %s", original);

      set_step_error (error, local_error, name, step);
      return FALSE;
    }
  }
  if (vfio->dry_run)
    return TRUE;
  vmctl_vfio_progress (vfio, "%s: back on %s", name, original[0] != '\0' ? original : "no driver");
  return vmctl_journal_remove (vfio->journal, &entry->address, error);
}

/* ---- one function to vfio-pci ---- */

static gboolean
advance (VmctlVfio *vfio, VmctlJournalEntry *entry, VmctlJournalStep step, GError **error)
{
  entry->step = step;
  return vfio->dry_run || vmctl_journal_write (vfio->journal, entry, error);
}

/* Moves one function to vfio-pci, journaling each step ahead of it. On
 * failure *out_entry is the entry as far as it got (for the undo), or NULL
 * when nothing was journaled. */
static gboolean
detach_one (VmctlVfio *vfio, const VmctlPciAddress *address, const gchar *owner,
            VmctlJournalEntry **out_entry, GError **error)
{
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *driver = NULL;
  g_autofree gchar *override = NULL;
  g_autofree gchar *override_path = NULL;
  g_autoptr(GError) local_error = NULL;
  VmctlJournalEntry *entry;
  const gchar *step = "writing driver_override";

  vmctl_pci_address_format (address, name);
  driver = vmctl_vfio_current_driver (vfio, name);
  override = current_override (vfio, name);
  entry = vmctl_journal_entry_new (address, driver, override, owner,
                                   VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN);
  *out_entry = NULL;
  if (!advance (vfio, entry, VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN, error)) {
    vmctl_journal_entry_free (entry);
    g_prefix_error (error, "%s: ", name);
    return FALSE;
  }
  *out_entry = entry;
  vmctl_vfio_progress (vfio, "%s: %s -> vfio-pci", name, driver != NULL ? driver : "no driver");
  override_path = device_path (name, "driver_override");
  if (!host_write (vfio, override_path, VFIO_DRIVER "\n", &local_error))
    goto failed;
  if (driver != NULL) {
    g_autofree gchar *unbind = driver_path (driver, "unbind");

    step = "unbinding from its driver";
    if (!advance (vfio, entry, VMCTL_JOURNAL_STEP_UNBOUND, &local_error)
        || !host_write (vfio, unbind, name, &local_error)
        || !wait_for_driver (vfio, name, NULL, &local_error))
      goto failed;
  }
  step = "probing vfio-pci";
  if (!advance (vfio, entry, VMCTL_JOURNAL_STEP_PROBED, &local_error)
      || !host_write (vfio, "/sys/bus/pci/drivers_probe", name, &local_error)
      || !wait_for_driver (vfio, name, VFIO_DRIVER, &local_error))
    goto failed;
  step = "recording the move";
  if (!advance (vfio, entry, VMCTL_JOURNAL_STEP_BOUND_VFIO, &local_error))
    goto failed;
  return TRUE;

failed:
  set_step_error (error, local_error, name, step);
  return FALSE;
}

/* ---- checks before any change ---- */

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
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE,
                   "%s is a PCI bridge: bridges stay with the host (vfio-pci refuses them)",
                   name);
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
 * vfio-pci); anything else means the function is taken. */
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
    if (!detach_one (vfio, &addresses[i], owner, &entry, &local_error)) {
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

/* the locks for @addresses; a dry run takes none (returns an empty array) */
GPtrArray *
vmctl_vfio_lock (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n, GError **error)
{
  if (vfio->dry_run)
    return g_ptr_array_new ();
  return vmctl_device_lock_acquire_all (vfio->state_dir, addresses, n, vfio->lock_timeout_ms,
                                        error);
}

gboolean
vmctl_vfio_detach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                   const gchar *owner, GError **error)
{
  g_autoptr(GArray) unique = vmctl_vfio_unique (addresses, n);
  g_autoptr(GPtrArray) locks = NULL;
  const VmctlPciAddress *list = (const VmctlPciAddress *) unique->data;
  gboolean ok;

  g_return_val_if_fail (vfio != NULL, FALSE);
  if (!check_functions (vfio, list, unique->len, error))
    return FALSE;
  if (vmctl_vfio_journal (vfio, error) == NULL && !vfio->dry_run)
    return FALSE;
  if (!ensure_vfio_module (vfio, error))
    return FALSE;
  locks = vmctl_vfio_lock (vfio, list, unique->len, error);
  if (locks == NULL)
    return FALSE;
  /* in the caller's order: the GPU first, as the plan lists it; entries
   * are complete or removed before the locks go */
  ok = detach_locked (vfio, list, unique->len, owner != NULL ? owner : "", error);
  return ok;
}
