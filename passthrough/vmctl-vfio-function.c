/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-function.c: one PCI function to vfio-pci and back, through
 * sysfs under the host root: the writes, the waits for the driver link, the
 * journal step written ahead of each write, and the undo from any step.
 * Whole plans and the checks before them are vmctl-vfio.c. */
#include "vmctl-vfio-private.h"
#include "vmctl-names.h"

#define VFIO_DRIVER "vfio-pci"
#define POLL_INTERVAL_US 10000

/* ---- sysfs, through the host root ---- */

gchar *
vmctl_vfio_device_path (const gchar *name, const gchar *attribute)
{
  return g_strdup_printf ("/sys/bus/pci/devices/%s/%s", name, attribute);
}

/* /sys/bus/pci/drivers/DRIVER/ATTRIBUTE: the one place a driver name
 * becomes a path. The name must be one (a journal entry or a crafted sysfs
 * link could say "../../../../tmp/x"), and its directory must exist under
 * the host root as a real directory, so the write lands in a driver's
 * control file and nowhere else. */
static gchar *
driver_path (VmctlVfio *vfio, const gchar *driver, const gchar *attribute, GError **error)
{
  g_autofree gchar *directory = NULL;

  if (!vmctl_name_is_driver (driver)) {
    g_autofree gchar *shown = driver != NULL ? g_strescape (driver, NULL) : g_strdup ("");

    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BAD_DRIVER,
                 "'%s' is not a driver name ([A-Za-z0-9_.-], no '/' or '..')", shown);
    return NULL;
  }
  directory = g_strconcat ("/sys/bus/pci/drivers/", driver, NULL);
  if (!vmctl_host_is_directory (vfio->host, directory)) {
    g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BAD_DRIVER,
                 "driver '%s' is not loaded (no %s): load it, then try again", driver,
                 directory);
    return NULL;
  }
  return g_strconcat (directory, "/", attribute, NULL);
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
  g_autofree gchar *path = vmctl_vfio_device_path (name, "config");

  return vmctl_host_exists (vfio->host, path);
}

/* the bound driver's name, NULL when none */
gchar *
vmctl_vfio_current_driver (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *path = vmctl_vfio_device_path (name, "driver");

  return vmctl_host_read_link_name (vfio->host, path);
}

/* driver_override, "" when empty ("(null)") or unreadable */
static gchar *
current_override (VmctlVfio *vfio, const gchar *name)
{
  g_autofree gchar *path = vmctl_vfio_device_path (name, "driver_override");
  g_autofree gchar *line = vmctl_host_read_line (vfio->host, path, NULL);

  if (line == NULL || g_strcmp0 (line, "(null)") == 0)
    return g_strdup ("");
  return g_steal_pointer (&line);
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
  g_autofree gchar *bind = NULL;
  g_autoptr(GError) local_error = NULL;

  vmctl_pci_address_format (&entry->address, name);
  if (!vmctl_vfio_device_exists (vfio, name)) {
    vmctl_vfio_progress (vfio, "%s: gone from the host, nothing to give back", name);
    return vfio->dry_run || vmctl_journal_remove (vfio->journal, &entry->address, error);
  }
  driver = vmctl_vfio_current_driver (vfio, name);
  override = current_override (vfio, name);
  /* the way back checked before anything is changed: a function left
   * unbound because its driver cannot be found is worse off than one still
   * on vfio-pci */
  if (original[0] != '\0' && g_strcmp0 (driver, original) != 0) {
    bind = driver_path (vfio, original, "bind", &local_error);
    if (bind == NULL) {
      set_step_error (error, local_error, name, "finding the original driver");
      return FALSE;
    }
  }

  /* off whatever holds it, unless that is already the original driver */
  if (driver != NULL && g_strcmp0 (driver, original) != 0) {
    g_autofree gchar *unbind = driver_path (vfio, driver, "unbind", &local_error);

    if (unbind == NULL || !host_write (vfio, unbind, name, &local_error)
        || !wait_for_driver (vfio, name, NULL, &local_error)) {
      g_autofree gchar *step = g_strdup_printf ("unbinding from %s", driver);

      set_step_error (error, local_error, name, step);
      return FALSE;
    }
    g_clear_pointer (&driver, g_free);
  }
  if (g_strcmp0 (override, entry->original_driver_override) != 0) {
    g_autofree gchar *path = vmctl_vfio_device_path (name, "driver_override");
    g_autofree gchar *value = g_strdup_printf ("%s\n", entry->original_driver_override);

    if (!host_write (vfio, path, value, &local_error)) {
      set_step_error (error, local_error, name, "restoring driver_override");
      return FALSE;
    }
  }
  if (original[0] != '\0' && driver == NULL) {
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
gboolean
vmctl_vfio_detach_one (VmctlVfio *vfio, const VmctlPciAddress *address, const gchar *owner,
            const VmctlPciAddress *plan, guint plan_length, VmctlJournalEntry **out_entry,
            GError **error)
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
  vmctl_journal_entry_set_plan (entry, plan, plan_length);
  *out_entry = NULL;
  if (!advance (vfio, entry, VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN, error)) {
    vmctl_journal_entry_free (entry);
    g_prefix_error (error, "%s: ", name);
    return FALSE;
  }
  *out_entry = entry;
  vmctl_vfio_progress (vfio, "%s: %s -> vfio-pci", name, driver != NULL ? driver : "no driver");
  override_path = vmctl_vfio_device_path (name, "driver_override");
  if (!host_write (vfio, override_path, VFIO_DRIVER "\n", &local_error))
    goto failed;
  if (driver != NULL) {
    g_autofree gchar *unbind = NULL;

    step = "unbinding from its driver";
    if (!advance (vfio, entry, VMCTL_JOURNAL_STEP_UNBOUND, &local_error)
        || (unbind = driver_path (vfio, driver, "unbind", &local_error)) == NULL
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

