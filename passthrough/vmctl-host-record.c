/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-record.c: one host-change record in memory and as bytes.
 * The parser is pure (bytes in, record or error out), and it and the
 * writer apply one validator: a record vmctl would refuse to read back is
 * never written, and nothing read back reaches a path, a write or a
 * command unchecked. A path "/etc/../root/.ssh/authorized_keys" in a
 * planted record would otherwise make an undo restore any file as root. */
#include "vmctl-host-journal.h"
#include "vmctl-names.h"
#include "vmctl-pci-address.h"
#include "vmctl-state-dir.h"
#include "vmctl-glib-util.h"

#include <string.h>

#define CHANGES_MAX 512
#define HOLDERS_MAX 64
#define TIME_MAX 64
#define VALUE_MAX 4096

static const gchar * const kind_names[] = {
  [VMCTL_HOST_RECORD_SETUP] = "setup",
  [VMCTL_HOST_RECORD_ISOLATION] = "isolation",
  [VMCTL_HOST_RECORD_SINGLE_GPU] = "single-gpu",
  [VMCTL_HOST_RECORD_INHIBIT] = "inhibit",
};

static const gchar * const type_names[] = {
  [VMCTL_HOST_CHANGE_FILE] = "file",
  [VMCTL_HOST_CHANGE_COMMAND] = "command",
  [VMCTL_HOST_CHANGE_WRITE] = "write",
  [VMCTL_HOST_CHANGE_UNIT_STOP] = "unit-stop",
  [VMCTL_HOST_CHANGE_UNIT_CPUS] = "unit-cpus",
  [VMCTL_HOST_CHANGE_UNBIND] = "unbind",
  [VMCTL_HOST_CHANGE_MODULE] = "module",
  [VMCTL_HOST_CHANGE_INHIBITOR] = "inhibitor",
  [VMCTL_HOST_CHANGE_SETTING] = "setting",
};

/* every file `vmctl host setup` may write: nothing else is ever restored
 * from a backup, whatever a record says */
static const gchar * const setup_files[] = {
  "/etc/default/grub",
  "/etc/kernel/cmdline",
  "/etc/kernelstub/configuration",
  "/etc/modprobe.d/vmctl-vfio.conf",
  "/etc/modprobe.d/kvm-nested.conf",
  "/etc/modules-load.d/vfio.conf",
  "/etc/sysctl.d/80-vmctl-hugepages.conf",
  "/etc/udev/rules.d/05-vmctl-vfio.rules",
  "/etc/initramfs-tools/hooks/vmctl-vfio",
  "/etc/dracut.conf.d/vmctl-vfio.conf",
  "/etc/mkinitcpio.conf",
  NULL,
};

/* the regeneration commands, by name: argv is built from the name (and a
 * validated parameter), never read back */
static const gchar * const command_names[] = {
  "update-grub", "grub-mkconfig", "grub2-mkconfig", "kernel-install", "kernelstub",
  "update-initramfs", "dracut", "mkinitcpio", NULL,
};

/* what `host check` compares after a reboot; and for a single-GPU
 * hand-off, the GPU and the driver it must have again when given back */
static const gchar * const setting_keys[] = {
  "cmdline", "vfio-address", "nested", "hugepages", "module", "gpu", "gpu-driver", NULL,
};

static const gchar * const framebuffer_drivers[] = {
  "efi-framebuffer", "vesa-framebuffer", "simple-framebuffer", NULL,
};

const gchar *
vmctl_host_record_kind_to_string (VmctlHostRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

const gchar *
vmctl_host_change_type_to_string (VmctlHostChangeType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

/* ---- the model ---- */

VmctlHostChange *
vmctl_host_change_new (VmctlHostChangeType type)
{
  VmctlHostChange *change = g_new0 (VmctlHostChange, 1);

  change->type = type;
  change->made_directories = g_ptr_array_new_with_free_func (g_free);
  return change;
}

void
vmctl_host_change_free (VmctlHostChange *change)
{
  if (change == NULL)
    return;
  g_free (change->path);
  g_free (change->name);
  g_free (change->driver);
  g_free (change->original);
  g_free (change->value);
  g_free (change->backup);
  g_free (change->original_digest);
  g_free (change->new_digest);
  g_clear_pointer (&change->made_directories, g_ptr_array_unref);
  g_free (change);
}

static void
holder_free (VmctlHostHolder *holder)
{
  g_free (holder->vm);
  g_free (holder->cpus);
  g_free (holder);
}

/**
 * vmctl_host_record_new:
 * @owner: (nullable): the VM, for single-gpu and inhibit records
 *
 * Returns: (transfer full): an empty record; boot_id and time are stamped
 * by vmctl_host_journal_write()
 */
VmctlHostRecord *
vmctl_host_record_new (VmctlHostRecordKind kind, const gchar *owner)
{
  VmctlHostRecord *record = g_new0 (VmctlHostRecord, 1);

  record->kind = kind;
  record->owner = g_strdup (owner != NULL ? owner : "");
  record->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_host_change_free);
  record->holders = g_ptr_array_new_with_free_func ((GDestroyNotify) holder_free);
  return record;
}

void
vmctl_host_record_free (VmctlHostRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->owner);
  g_free (record->boot_id);
  g_free (record->time);
  g_clear_pointer (&record->changes, g_ptr_array_unref);
  g_clear_pointer (&record->holders, g_ptr_array_unref);
  g_free (record);
}

/**
 * vmctl_host_record_add:
 * Returns: (transfer none): a new change at the end of @record, not done
 */
VmctlHostChange *
vmctl_host_record_add (VmctlHostRecord *record, VmctlHostChangeType type)
{
  VmctlHostChange *change = vmctl_host_change_new (type);

  g_ptr_array_add (record->changes, change);
  return change;
}

/**
 * vmctl_host_record_find:
 * @path_or_name: the change's path (FILE, WRITE) or name (the others)
 *
 * Returns: (transfer none) (nullable): the first change of @type about it
 */
VmctlHostChange *
vmctl_host_record_find (VmctlHostRecord *record, VmctlHostChangeType type,
                        const gchar *path_or_name)
{
  for (guint i = 0; i < record->changes->len; i++) {
    VmctlHostChange *change = g_ptr_array_index (record->changes, i);
    const gchar *key = change->path != NULL ? change->path : change->name;

    if (change->type == type && g_strcmp0 (key, path_or_name) == 0)
      return change;
  }
  return NULL;
}

void
vmctl_host_record_add_holder (VmctlHostRecord *record, const gchar *vm, const gchar *cpus)
{
  VmctlHostHolder *holder = g_new0 (VmctlHostHolder, 1);

  vmctl_host_record_remove_holder (record, vm);
  holder->vm = g_strdup (vm);
  holder->cpus = g_strdup (cpus);
  g_ptr_array_add (record->holders, holder);
}

/**
 * vmctl_host_record_remove_holder:
 * Returns: whether @vm held the record
 */
gboolean
vmctl_host_record_remove_holder (VmctlHostRecord *record, const gchar *vm)
{
  for (guint i = 0; i < record->holders->len; i++) {
    VmctlHostHolder *holder = g_ptr_array_index (record->holders, i);

    if (g_strcmp0 (holder->vm, vm) == 0) {
      g_ptr_array_remove_index (record->holders, i);
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * vmctl_host_record_file_name:
 * @owner: (nullable): the VM, already a valid VM name
 *
 * Returns: (transfer full): "setup.record", "single-gpu@NAME.record"...;
 * '@' is no character of a VM name, so two records never share a name
 */
gchar *
vmctl_host_record_file_name (VmctlHostRecordKind kind, const gchar *owner)
{
  if (owner == NULL || owner[0] == '\0')
    return g_strconcat (vmctl_host_record_kind_to_string (kind), ".record", NULL);
  return g_strconcat (vmctl_host_record_kind_to_string (kind), "@", owner, ".record", NULL);
}

/* ---- validators ---- */

static gboolean
matches (const gchar *pattern, const gchar *text)
{
  return text != NULL && strlen (text) <= VALUE_MAX
         && g_regex_match_simple (pattern, text, G_REGEX_DOLLAR_ENDONLY, 0);
}

/**
 * vmctl_host_record_is_setup_file:
 * Returns: whether @path is a file `vmctl host setup` may write: one of its
 * fixed files, or a systemd-boot loader entry
 */
gboolean
vmctl_host_record_is_setup_file (const gchar *path)
{
  if (path != NULL && g_strv_contains (setup_files, path))
    return TRUE;
  /* the entry's name is one component: no '/', and never "." or ".." */
  return matches ("^/(boot|efi|boot/efi)/loader/entries/[A-Za-z0-9][A-Za-z0-9._+-]{0,127}\\.conf$",
                  path);
}

/**
 * vmctl_host_record_is_write_path:
 * Returns: whether @path is a kernel attribute vmctl writes for a VM: a
 * virtual console's bind, a CPU's cpufreq governor, an IRQ's affinity, a
 * top-level cgroup's cpuset.cpus
 */
gboolean
vmctl_host_record_is_write_path (const gchar *path)
{
  return matches ("^/sys/class/vtconsole/vtcon[0-9]{1,3}/bind$", path)
         || matches ("^/sys/devices/system/cpu/cpu[0-9]{1,5}/cpufreq/scaling_governor$", path)
         || matches ("^/proc/irq/[0-9]{1,6}/smp_affinity_list$", path)
         || (matches ("^/sys/fs/cgroup/[A-Za-z0-9_.@:-]{1,128}/cpuset\\.cpus$", path)
             && !g_str_has_prefix (path, "/sys/fs/cgroup/./")
             && !g_str_has_prefix (path, "/sys/fs/cgroup/../"));
}

/**
 * vmctl_host_record_is_cpu_list:
 * Returns: whether @text is a kernel CPU list ("0-3,8"), or empty
 */
gboolean
vmctl_host_record_is_cpu_list (const gchar *text)
{
  return matches ("^([0-9]{1,5}(-[0-9]{1,5})?(,[0-9]{1,5}(-[0-9]{1,5})?)*)?$", text);
}

/**
 * vmctl_host_record_is_write_value:
 * Returns: whether @value is what the attribute @path takes
 */
gboolean
vmctl_host_record_is_write_value (const gchar *path, const gchar *value)
{
  if (g_str_has_suffix (path, "/bind"))
    return g_strcmp0 (value, "0") == 0 || g_strcmp0 (value, "1") == 0;
  if (g_str_has_suffix (path, "/scaling_governor"))
    return matches ("^[a-z0-9_]{1,32}$", value);
  return vmctl_host_record_is_cpu_list (value);
}

gboolean
vmctl_host_record_is_module (const gchar *text)
{
  return matches ("^[a-z0-9_]{1,56}$", text);
}

gboolean
vmctl_host_record_is_unit (const gchar *text)
{
  return matches ("^[A-Za-z0-9:_@-][A-Za-z0-9:_.@\\\\-]{0,127}\\.(service|slice|scope)$", text);
}

gboolean
vmctl_host_record_is_framebuffer_driver (const gchar *text)
{
  return text != NULL && g_strv_contains (framebuffer_drivers, text);
}

static gboolean
invalid (GError **error, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  vmctl_fail_valist (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED, format, args);
  va_end (args);
  return FALSE;
}

static gboolean
is_digest (const gchar *text, gboolean empty_ok)
{
  return (empty_ok && g_strcmp0 (text, "") == 0) || matches ("^[0-9a-f]{64}$", text);
}

static gboolean
validate_file (const VmctlHostChange *change, GError **error)
{
  if (!vmctl_host_record_is_setup_file (change->path))
    return invalid (error, "a file change names a file vmctl host setup never writes");
  if (!is_digest (change->original_digest, !change->existed) || !is_digest (change->new_digest, FALSE))
    return invalid (error, "a file change has no valid SHA-256 digests");
  if (change->existed && !matches ("^setup-backup-[0-9]{1,3}$", change->backup))
    return invalid (error, "a file change names no valid backup");
  if (change->mode > 07777)
    return invalid (error, "a file change has an invalid mode");
  for (guint i = 0; i < change->made_directories->len; i++) {
    const gchar *directory = g_ptr_array_index (change->made_directories, i);
    g_autofree gchar *prefix = g_strconcat (directory, "/", NULL);

    /* only directories on the way to the file itself may be removed */
    if (strstr (directory, "/.") != NULL || !g_str_has_prefix (change->path, prefix)
        || g_strcmp0 (directory, "/etc") == 0 || g_strcmp0 (directory, "/boot") == 0)
      return invalid (error, "a file change names a directory not on its path");
  }
  return TRUE;
}

/* each command's one parameter, exactly what setup gives it: the grub.cfg
 * the host has, the running kernel's version, or none */
static gboolean
valid_command_parameter (const gchar *name, const gchar *parameter)
{
  static const gchar * const grub_configs[] = { "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg",
                                                NULL };

  if (parameter == NULL)
    return FALSE;
  if (g_strcmp0 (name, "grub-mkconfig") == 0 || g_strcmp0 (name, "grub2-mkconfig") == 0)
    return g_strv_contains (grub_configs, parameter);
  if (g_strcmp0 (name, "kernel-install") == 0)
    return matches ("^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$", parameter)
           && strstr (parameter, "..") == NULL;
  return parameter[0] == '\0';
}

static gboolean
validate_change (const VmctlHostChange *change, GError **error)
{
  switch (change->type) {
  case VMCTL_HOST_CHANGE_FILE:
    return validate_file (change, error);
  case VMCTL_HOST_CHANGE_COMMAND:
    if (!g_strv_contains (command_names, change->name ? change->name : "")
        || !valid_command_parameter (change->name, change->original))
      return invalid (error, "a command change names no regeneration command vmctl runs");
    return TRUE;
  case VMCTL_HOST_CHANGE_WRITE:
    if (!vmctl_host_record_is_write_path (change->path)
        || !vmctl_host_record_is_write_value (change->path, change->original)
        || !vmctl_host_record_is_write_value (change->path, change->value))
      return invalid (error, "a write change names an attribute or value vmctl never writes");
    return TRUE;
  case VMCTL_HOST_CHANGE_UNIT_STOP:
    if (!vmctl_host_record_is_unit (change->name) || !g_str_has_suffix (change->name, ".service"))
      return invalid (error, "a unit-stop change names no service");
    return TRUE;
  case VMCTL_HOST_CHANGE_UNIT_CPUS:
    if (!vmctl_host_record_is_unit (change->name) || g_str_has_suffix (change->name, ".service")
        || !vmctl_host_record_is_cpu_list (change->original)
        || !vmctl_host_record_is_cpu_list (change->value))
      return invalid (error, "a unit-cpus change names no slice or scope, or no CPU list");
    return TRUE;
  case VMCTL_HOST_CHANGE_UNBIND:
    if (!vmctl_host_record_is_framebuffer_driver (change->driver)
        || !matches ("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", change->name))
      return invalid (error, "an unbind change names no framebuffer device");
    return TRUE;
  case VMCTL_HOST_CHANGE_MODULE:
    if (!vmctl_host_record_is_module (change->name))
      return invalid (error, "a module change names no module");
    return TRUE;
  case VMCTL_HOST_CHANGE_INHIBITOR:
    if (change->pid < 2 || change->pid > 4194304 || change->start_time == 0)
      return invalid (error, "an inhibitor change names no process");
    return TRUE;
  case VMCTL_HOST_CHANGE_SETTING:
    if (!g_strv_contains (setting_keys, change->name ? change->name : "")
        || !matches ("^[A-Za-z0-9_.,=:+-]{1,128}$", change->original)
        || (g_strcmp0 (change->name, "gpu-driver") == 0 && !vmctl_name_is_driver (change->original))
        || (g_strcmp0 (change->name, "gpu") == 0
            && !matches ("^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]$", change->original)))
      return invalid (error, "a setting names no key vmctl sets, or a value it does not take");
    return TRUE;
  default:
    return invalid (error, "unknown change type %d", (gint) change->type);
  }
}

/**
 * vmctl_host_record_validate:
 * @error: VMCTL_HOST_JOURNAL_ERROR_MALFORMED naming what is wrong
 *
 * Every field as vmctl may use it (see the file's comment); boot_id and
 * time may be NULL (not stamped yet).
 */
gboolean
vmctl_host_record_validate (const VmctlHostRecord *record, GError **error)
{
  gboolean needs_owner;

  g_return_val_if_fail (record != NULL, FALSE);
  if ((guint) record->kind >= G_N_ELEMENTS (kind_names))
    return invalid (error, "unknown record kind");
  needs_owner = record->kind == VMCTL_HOST_RECORD_SINGLE_GPU
                || record->kind == VMCTL_HOST_RECORD_INHIBIT;
  if (record->owner == NULL || (needs_owner ? !vmctl_name_is_vm (record->owner)
                                            : record->owner[0] != '\0'))
    return invalid (error, "owner is not what a %s record has", kind_names[record->kind]);
  if (record->boot_id != NULL && !vmctl_name_is_boot_id (record->boot_id))
    return invalid (error, "boot_id is not a boot id (a UUID)");
  if (record->time != NULL) {
    g_autoptr(GDateTime) parsed = NULL;

    if (strlen (record->time) <= TIME_MAX)
      parsed = g_date_time_new_from_iso8601 (record->time, NULL);
    if (parsed == NULL)
      return invalid (error, "time is not an ISO 8601 time");
  }
  if (record->changes->len > CHANGES_MAX || record->holders->len > HOLDERS_MAX)
    return invalid (error, "too many changes or holders");
  for (guint i = 0; i < record->changes->len; i++)
    if (!validate_change (g_ptr_array_index (record->changes, i), error))
      return FALSE;
  for (guint i = 0; i < record->holders->len; i++) {
    const VmctlHostHolder *holder = g_ptr_array_index (record->holders, i);

    if (!vmctl_name_is_vm (holder->vm) || !vmctl_host_record_is_cpu_list (holder->cpus)
        || holder->cpus[0] == '\0')
      return invalid (error, "a holder is not a VM name with a CPU list");
  }
  return TRUE;
}
