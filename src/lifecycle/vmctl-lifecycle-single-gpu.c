/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-single-gpu.c: handing the host's only display to a VM
 * (issue 13, start --single-gpu), the sequence the single-GPU hook
 * scripts run, but each step recorded first, checked after, and undone in
 * reverse when a later one fails:
 *   stop display-manager.service (systemd over D-Bus), until inactive;
 *   unbind every bound virtual console (/sys/class/vtconsole/vtconN/bind);
 *   unbind the firmware framebuffer (efi-, vesa-, simple-framebuffer);
 *   unload the GPU's driver stack when its modules still hold the card
 *     (holders first: nvidia_drm, nvidia_modeset, nvidia), naming what
 *     holds it when that fails;
 *   refuse if anything else still uses the card (a process with its
 *     device nodes open, a mount), naming it;
 *   move the plan to vfio-pci (the journaled engine).
 * Giving back runs after the functions went back from vfio-pci: the
 * modules are loaded again (their probe takes the card), the card's
 * driver is checked, then the framebuffer, the consoles and the display
 * manager come back. A crash at any step leaves the record for
 * `vmctl host recover`. The boot VGA refusal stays for every other case:
 * this runs only when the GPU is the boot display and no other display
 * has a host driver. */
#include "vmctl-lifecycle-host.h"

#include "vmctl-host-use.h"
#include "vmctl-names.h"
#include "vmctl-pci-device.h"
#include "vmctl-system-bus.h"
#include "vmctl-vfio.h"

#include <string.h>

#define DISPLAY_MANAGER "display-manager.service"
#define DRIVER_TIMEOUT_MS 10000
#define POLL_US 10000

static const gchar * const framebuffer_drivers[] = { "efi-framebuffer", "vesa-framebuffer",
                                                     "simple-framebuffer", NULL };

static gchar *
device_attribute (const gchar *name, const gchar *attribute)
{
  return g_build_filename ("/sys/bus/pci/devices", name, attribute, NULL);
}

static gboolean
is_display (VmctlHost *host, const gchar *name)
{
  g_autofree gchar *path = device_attribute (name, "class");
  guint64 class_code = 0;

  return vmctl_host_read_hex (host, path, &class_code, NULL) && (class_code >> 16) == 0x03;
}

static gchar *
driver_of (VmctlHost *host, const gchar *name)
{
  g_autofree gchar *path = device_attribute (name, "driver");

  return vmctl_host_read_link_name (host, path);
}

static gboolean
in_plan (GArray *functions, const gchar *name)
{
  VmctlPciAddress address;

  if (!vmctl_pci_address_parse (name, &address, NULL))
    return FALSE;
  for (guint i = 0; i < functions->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (functions, VmctlPciAddress, i), &address))
      return TRUE;
  return FALSE;
}

/* the plan's boot display with a host driver, when no other display has
 * one: the host's only screen; NULL otherwise */
static gchar *
only_display (VmctlHost *host, GArray *functions)
{
  g_autofree gchar *root = vmctl_host_path (host, "/sys/bus/pci/devices");
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  g_autofree gchar *gpu = NULL;
  const gchar *name;

  for (guint i = 0; i < functions->len; i++) {
    gchar address[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *boot_path = NULL;
    g_autofree gchar *boot = NULL;
    g_autofree gchar *driver = NULL;

    vmctl_pci_address_format (&g_array_index (functions, VmctlPciAddress, i), address);
    boot_path = device_attribute (address, "boot_vga");
    boot = vmctl_host_read_line (host, boot_path, NULL);
    driver = driver_of (host, address);
    if (gpu == NULL && g_strcmp0 (boot, "1") == 0 && is_display (host, address)
        && driver != NULL && !vmctl_pci_driver_is_vfio_safe (driver))
      gpu = g_strdup (address);
  }
  while (gpu != NULL && dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *driver = NULL;

    if (in_plan (functions, name) || !is_display (host, name))
      continue;
    driver = driver_of (host, name);
    if (driver != NULL && !vmctl_pci_driver_is_vfio_safe (driver))
      return NULL;  /* the host keeps a screen: no hand-off */
  }
  return g_steal_pointer (&gpu);
}

static void
add_setting (VmctlHostRecord *record, const gchar *key, const gchar *value)
{
  VmctlHostChange *change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_SETTING);

  change->name = g_strdup (key);
  change->original = g_strdup (value);
  change->done = TRUE;
}

static gboolean
stop_display_manager (VmctlHostChanges *changes, VmctlHostRecord *record, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *state = NULL;
  VmctlHostChange *change;

  if (!changes->systemd)
    return TRUE;  /* no systemd: a display manager still holding the card is named below */
  if (!vmctl_systemd_unit_active_state (changes->bus, DISPLAY_MANAGER, &state, &local_error)) {
    if (g_error_matches (local_error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_NO_UNIT))
      return TRUE;
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (g_strcmp0 (state, "active") != 0)
    return TRUE;
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_UNIT_STOP);
  change->name = g_strdup (DISPLAY_MANAGER);
  return vmctl_host_changes_make (changes, record, change, error);
}

static GPtrArray *
sorted_entries (VmctlHost *host, const gchar *directory)
{
  g_autofree gchar *path = vmctl_host_path (host, directory);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  return names;
}

static gboolean
unbind_consoles (VmctlHostChanges *changes, VmctlHostRecord *record, GError **error)
{
  g_autoptr(GPtrArray) consoles = sorted_entries (changes->host, "/sys/class/vtconsole");

  for (guint i = 0; i < consoles->len; i++) {
    g_autofree gchar *path = g_build_filename ("/sys/class/vtconsole",
                                               g_ptr_array_index (consoles, i), "bind", NULL);
    g_autofree gchar *bound = vmctl_host_read_line (changes->host, path, NULL);
    VmctlHostChange *change;

    if (g_strcmp0 (bound, "1") != 0 || !vmctl_host_record_is_write_path (path))
      continue;
    change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_WRITE);
    change->path = g_steal_pointer (&path);
    change->original = g_strdup ("1");
    change->value = g_strdup ("0");
    if (!vmctl_host_changes_make (changes, record, change, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
unbind_framebuffers (VmctlHostChanges *changes, VmctlHostRecord *record, GError **error)
{
  for (guint d = 0; framebuffer_drivers[d] != NULL; d++) {
    g_autofree gchar *directory = g_build_filename ("/sys/bus/platform/drivers",
                                                    framebuffer_drivers[d], NULL);
    g_autoptr(GPtrArray) entries = sorted_entries (changes->host, directory);

    for (guint i = 0; i < entries->len; i++) {
      const gchar *device = g_ptr_array_index (entries, i);
      g_autofree gchar *link = g_build_filename (directory, device, NULL);
      g_autofree gchar *target = vmctl_host_read_link (changes->host, link);
      VmctlHostChange *change;

      /* the bound devices are the links; module, bind, unbind are not */
      if (target == NULL || g_strcmp0 (device, "module") == 0
          || !vmctl_name_is_driver (device))
        continue;
      change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_UNBIND);
      change->driver = g_strdup (framebuffer_drivers[d]);
      change->name = g_strdup (device);
      if (!vmctl_host_changes_make (changes, record, change, error))
        return FALSE;
    }
  }
  return TRUE;
}

static guint64
module_refcount (VmctlHost *host, const gchar *module)
{
  g_autofree gchar *path = g_build_filename ("/sys/module", module, "refcnt", NULL);
  g_autofree gchar *count = vmctl_host_read_line (host, path, NULL);

  return count != NULL ? g_ascii_strtoull (count, NULL, 10) : 0;
}

/* @module and every module using it, users first: the order to unload */
static void
unload_order (VmctlHost *host, const gchar *module, GPtrArray *order, guint depth)
{
  g_autofree gchar *holders_dir = g_build_filename ("/sys/module", module, "holders", NULL);
  g_autoptr(GPtrArray) holders = sorted_entries (host, holders_dir);

  if (depth > 8 || g_ptr_array_find_with_equal_func (order, module, g_str_equal, NULL))
    return;
  for (guint i = 0; i < holders->len; i++)
    if (vmctl_host_record_is_module (g_ptr_array_index (holders, i)))
      unload_order (host, g_ptr_array_index (holders, i), order, depth + 1);
  g_ptr_array_add (order, g_strdup (module));
}

/* what holds the card: its modules' users and the host's uses of it */
static gchar *
holders_of (VmctlHost *host, const gchar *gpu, GPtrArray *modules)
{
  g_autoptr(GPtrArray) uses = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  VmctlPciAddress address;

  for (guint i = 0; i < modules->len; i++) {
    const gchar *module = g_ptr_array_index (modules, i);
    guint64 count = module_refcount (host, module);

    if (vmctl_host_changes_module_loaded (host, module) && count > 0)
      g_string_append_printf (text, "%s%s is in use (refcnt %" G_GUINT64_FORMAT ")",
                              text->len > 0 ? "; " : "", module, count);
  }
  if (vmctl_pci_address_parse (gpu, &address, NULL)) {
    uses = vmctl_host_use_reasons (host, &address);
    for (guint i = 0; i < uses->len; i++)
      g_string_append_printf (text, "%s%s", text->len > 0 ? "; " : "",
                              (const gchar *) g_ptr_array_index (uses, i));
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
unload_modules (VmctlHostChanges *changes, VmctlHostRecord *record, const gchar *gpu,
                GError **error)
{
  g_autofree gchar *link = device_attribute (gpu, "driver/module");
  g_autofree gchar *module = vmctl_host_read_link_name (changes->host, link);
  g_autofree gchar *holders_dir = NULL;
  g_autoptr(GPtrArray) holders = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);

  /* built in (no refcnt), or nothing holds it: unbinding the card will do */
  if (module == NULL || !vmctl_host_record_is_module (module)
      || !vmctl_host_changes_module_loaded (changes->host, module))
    return TRUE;
  holders_dir = g_build_filename ("/sys/module", module, "holders", NULL);
  holders = sorted_entries (changes->host, holders_dir);
  if (holders->len == 0 && module_refcount (changes->host, module) == 0)
    return TRUE;
  unload_order (changes->host, module, order, 0);
  for (guint i = 0; i < order->len; i++) {
    g_autoptr(GError) local_error = NULL;
    VmctlHostChange *change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_MODULE);

    change->name = g_strdup (g_ptr_array_index (order, i));
    if (!vmctl_host_changes_make (changes, record, change, &local_error)) {
      g_autofree gchar *held = holders_of (changes->host, gpu, order);

      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                   "cannot unload %s, which holds %s: %s%s%s", change->name, gpu,
                   local_error->message, held[0] != '\0' ? "; held by: " : "", held);
      return FALSE;
    }
  }
  return TRUE;
}

/* what still uses the card once consoles and framebuffer are gone: a
 * process with its device nodes open, a disk below it */
static gboolean
check_released (VmctlHost *host, const gchar *gpu, GError **error)
{
  g_autoptr(GPtrArray) uses = NULL;
  g_autoptr(GString) left = g_string_new (NULL);
  VmctlPciAddress address;

  if (!vmctl_pci_address_parse (gpu, &address, NULL))
    return FALSE;
  uses = vmctl_host_use_reasons (host, &address);
  for (guint i = 0; i < uses->len; i++) {
    const gchar *use = g_ptr_array_index (uses, i);

    /* what the hand-off itself released: the console on the boot VGA and
     * the firmware framebuffer on its BAR (/proc/iomem keeps the region) */
    if (strstr (use, "is the boot VGA device") != NULL || strstr (use, "framebuffer") != NULL)
      continue;
    g_string_append_printf (left, "%s%s", left->len > 0 ? "; " : "", use);
  }
  if (left->len == 0)
    return TRUE;
  g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
               "%s is still in use by the host: %s", gpu, left->str);
  return FALSE;
}

static gboolean
detach (VmctlHostChanges *changes, const gchar *vm, GArray *functions, GError **error)
{
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (changes->host, changes->state_dir, error);

  if (vfio == NULL)
    return FALSE;
  /* the host's uses of the card were released and checked above */
  vmctl_vfio_set_force (vfio, TRUE);
  return vmctl_vfio_detach (vfio, (const VmctlPciAddress *) functions->data, functions->len,
                            vm, error);
}

/**
 * vmctl_single_gpu_hand_off:
 * @functions: the VM's plan (VmctlPciAddress)
 *
 * Hands the host's only display to @vm and moves the plan to vfio-pci.
 * Nothing happens when no function of the plan is the host's only
 * display: the usual detach (and its boot VGA refusal) then applies.
 */
gboolean
vmctl_single_gpu_hand_off (VmctlHostChanges *changes, const gchar *vm, GArray *functions,
                           GError **error)
{
  g_autofree gchar *gpu = only_display (changes->host, functions);
  g_autofree gchar *driver = NULL;
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) undo_error = NULL;

  if (gpu == NULL)
    return TRUE;
  record = vmctl_host_journal_load (changes->journal, VMCTL_HOST_RECORD_SINGLE_GPU, vm, NULL);
  if (record != NULL && !vmctl_host_journal_is_stale (changes->journal, record)) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "a single-GPU hand-off to VM '%s' is recorded already (since %s): 'vmctl host "
                 "recover' gives it back", vm, record->time);
    return FALSE;
  }
  g_clear_pointer (&record, vmctl_host_record_free);
  driver = driver_of (changes->host, gpu);
  record = vmctl_host_record_new (VMCTL_HOST_RECORD_SINGLE_GPU, vm);
  add_setting (record, "gpu", gpu);
  if (driver != NULL && vmctl_name_is_driver (driver))
    add_setting (record, "gpu-driver", driver);
  if (vmctl_host_journal_write (changes->journal, record, &local_error)
      && stop_display_manager (changes, record, &local_error)
      && unbind_consoles (changes, record, &local_error)
      && unbind_framebuffers (changes, record, &local_error)
      && unload_modules (changes, record, gpu, &local_error)
      && check_released (changes->host, gpu, &local_error)
      && detach (changes, vm, functions, &local_error)) {
    record->complete = TRUE;
    return vmctl_host_journal_write (changes->journal, record, error);
  }
  /* in reverse, the display manager last: the host gets its screen back */
  if (!vmctl_host_changes_undo_record (changes, record, &undo_error)) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "single-GPU hand-off of %s: %s; undoing it failed too: %s; 'vmctl host "
                 "recover' retries", gpu, local_error->message, undo_error->message);
    return FALSE;
  }
  g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                              "single-GPU hand-off of %s (the host is as before): ", gpu);
  return FALSE;
}

static const gchar *
setting (VmctlHostRecord *record, const gchar *key)
{
  VmctlHostChange *change = vmctl_host_record_find (record, VMCTL_HOST_CHANGE_SETTING, key);

  return change != NULL ? change->original : NULL;
}

/* the card back on its driver: the module's probe binds it on its own
 * time after modprobe returns, so the driver link is what counts */
static gboolean
wait_for_gpu (VmctlHost *host, const gchar *gpu, const gchar *driver, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) DRIVER_TIMEOUT_MS * 1000;

  for (;;) {
    g_autofree gchar *now = driver_of (host, gpu);

    if (g_strcmp0 (now, driver) == 0)
      return TRUE;
    if (g_get_monotonic_time () >= deadline) {
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                   "%s is on %s, not back on %s, after its modules were loaded again", gpu,
                   now != NULL ? now : "no driver", driver);
      return FALSE;
    }
    g_usleep (POLL_US);
  }
}

/* whether the engine still holds a function for @vm (its give-back
 * failed): the card is not the host's yet */
static gboolean
still_detached (VmctlHostChanges *changes, const gchar *vm)
{
  g_autoptr(VmctlJournal) journal = vmctl_journal_open_existing (changes->state_dir,
                                                                 changes->host, NULL);
  g_autoptr(GPtrArray) entries = journal != NULL ? vmctl_journal_list (journal, NULL, NULL) : NULL;

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (entries, i);

    if (g_strcmp0 (entry->owner, vm) == 0 && !vmctl_journal_entry_is_stale (journal, entry))
      return TRUE;
  }
  return FALSE;
}

/**
 * vmctl_single_gpu_give_back:
 *
 * After the plan went back from vfio-pci: the modules, the card's driver
 * (checked), the framebuffer, the consoles, the display manager. Nothing
 * recorded for @vm is success.
 */
gboolean
vmctl_single_gpu_give_back (VmctlHostChanges *changes, const gchar *vm, GError **error)
{
  g_autoptr(VmctlHostRecord) record = NULL;
  const gchar *gpu;
  const gchar *driver;
  gboolean modules = FALSE;

  if (!vmctl_host_changes_load (changes, VMCTL_HOST_RECORD_SINGLE_GPU, vm, &record, error))
    return FALSE;
  if (record == NULL)
    return TRUE;
  if (vmctl_host_journal_is_stale (changes->journal, record))
    return vmctl_host_journal_remove (changes->journal, record, error);
  gpu = setting (record, "gpu");
  driver = setting (record, "gpu-driver");
  if (still_detached (changes, vm)) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "%s is still on vfio-pci for VM '%s': the display stays handed off until "
                 "'vmctl host recover' gives the card back", gpu, vm);
    return FALSE;
  }
  /* the modules first (reverse order: the card's own driver, then its
   * users), then the card checked, then what showed the console */
  for (guint i = record->changes->len; i > 0; i--) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i - 1);

    if (change->type != VMCTL_HOST_CHANGE_MODULE)
      continue;
    modules = TRUE;
    if (!vmctl_host_changes_undo (changes, change, error))
      return FALSE;
  }
  if ((modules || driver != NULL) && gpu != NULL && driver != NULL
      && !wait_for_gpu (changes->host, gpu, driver, error))
    return FALSE;
  return vmctl_host_changes_undo_record (changes, record, error);
}
