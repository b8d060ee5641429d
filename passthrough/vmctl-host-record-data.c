/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-record-data.c: a host-change record as a key file. One
 * [record] group, then [change-NNN] groups in the order the changes were
 * made and [holder-NNN] groups; the parser takes only what the writer
 * writes, and validates the result with the one validator
 * (vmctl-host-record.c). */
#include "vmctl-host-journal.h"
#include "vmctl-state-dir.h"
#include "vmctl-glib-util.h"

#include <string.h>

#define RECORD_GROUP "record"

static void
set_optional (GKeyFile *key_file, const gchar *group, const gchar *key, const gchar *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
}

static void
change_to_data (GKeyFile *key_file, const gchar *group, const VmctlHostChange *change)
{
  g_key_file_set_string (key_file, group, "type", vmctl_host_change_type_to_string (change->type));
  g_key_file_set_boolean (key_file, group, "done", change->done);
  set_optional (key_file, group, "path", change->path);
  set_optional (key_file, group, "name", change->name);
  set_optional (key_file, group, "driver", change->driver);
  set_optional (key_file, group, "original", change->original);
  set_optional (key_file, group, "value", change->value);
  if (change->type == VMCTL_HOST_CHANGE_FILE) {
    g_autofree gchar *mode = g_strdup_printf ("%04o", change->mode);

    g_key_file_set_boolean (key_file, group, "existed", change->existed);
    set_optional (key_file, group, "backup", change->backup);
    set_optional (key_file, group, "original_digest", change->original_digest);
    set_optional (key_file, group, "new_digest", change->new_digest);
    g_key_file_set_string (key_file, group, "mode", mode);
    g_key_file_set_uint64 (key_file, group, "uid", change->uid);
    g_key_file_set_uint64 (key_file, group, "gid", change->gid);
    if (change->made_directories->len > 0)
      g_key_file_set_string_list (key_file, group, "made_directories",
                                  (const gchar * const *) change->made_directories->pdata,
                                  change->made_directories->len);
  }
  if (change->type == VMCTL_HOST_CHANGE_INHIBITOR) {
    g_key_file_set_integer (key_file, group, "pid", change->pid);
    g_key_file_set_uint64 (key_file, group, "start_time", change->start_time);
  }
}

/**
 * vmctl_host_record_to_data:
 * Returns: (transfer full): @record as a key file
 */
gchar *
vmctl_host_record_to_data (const VmctlHostRecord *record, gsize *out_length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  g_key_file_set_string (key_file, RECORD_GROUP, "kind",
                         vmctl_host_record_kind_to_string (record->kind));
  g_key_file_set_string (key_file, RECORD_GROUP, "owner", record->owner);
  set_optional (key_file, RECORD_GROUP, "boot_id", record->boot_id);
  set_optional (key_file, RECORD_GROUP, "time", record->time);
  g_key_file_set_boolean (key_file, RECORD_GROUP, "complete", record->complete);
  for (guint i = 0; i < record->changes->len; i++) {
    g_autofree gchar *group = g_strdup_printf ("change-%03u", i);

    change_to_data (key_file, group, g_ptr_array_index (record->changes, i));
  }
  for (guint i = 0; i < record->holders->len; i++) {
    const VmctlHostHolder *holder = g_ptr_array_index (record->holders, i);
    g_autofree gchar *group = g_strdup_printf ("holder-%03u", i);

    g_key_file_set_string (key_file, group, "vm", holder->vm);
    g_key_file_set_string (key_file, group, "cpus", holder->cpus);
  }
  return g_key_file_to_data (key_file, out_length, NULL);
}

static gboolean
malformed (GError **error, const gchar *message)
{
  g_set_error_literal (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED,
                       message);
  return FALSE;
}

static gint
lookup_name (const gchar *text, const gchar *(*to_string) (guint), guint n)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (to_string (i), text) == 0)
      return (gint) i;
  return -1;
}

static const gchar *
kind_string (guint kind)
{
  return vmctl_host_record_kind_to_string ((VmctlHostRecordKind) kind);
}

static const gchar *
type_string (guint type)
{
  return vmctl_host_change_type_to_string ((VmctlHostChangeType) type);
}

/* a whole number in [@minimum, @maximum] written as vmctl writes it */
static gboolean
get_number (GKeyFile *key_file, const gchar *group, const gchar *key, guint base,
            guint64 minimum, guint64 maximum, guint64 *out_value)
{
  g_autofree gchar *text = vmctl_key_file_get_string (key_file, group, key, NULL);

  return text != NULL
         && g_ascii_string_to_unsigned (text, base, minimum, maximum, out_value, NULL);
}

static gboolean
parse_change (GKeyFile *key_file, const gchar *group, VmctlHostChange **out_change,
              GError **error)
{
  g_autofree gchar *type_text = vmctl_key_file_get_string (key_file, group, "type", NULL);
  g_autoptr(VmctlHostChange) change = NULL;
  g_autoptr(GError) local_error = NULL;
  gint type = lookup_name (type_text, type_string, VMCTL_HOST_CHANGE_SETTING + 1);

  if (type < 0)
    return malformed (error, "a change has an unknown type");
  change = vmctl_host_change_new ((VmctlHostChangeType) type);
  change->done = g_key_file_get_boolean (key_file, group, "done", &local_error);
  if (local_error != NULL)
    return malformed (error, "a change has no done flag");
  change->path = vmctl_key_file_get_string (key_file, group, "path", NULL);
  change->name = vmctl_key_file_get_string (key_file, group, "name", NULL);
  change->driver = vmctl_key_file_get_string (key_file, group, "driver", NULL);
  change->original = vmctl_key_file_get_string (key_file, group, "original", NULL);
  change->value = vmctl_key_file_get_string (key_file, group, "value", NULL);
  if (change->type == VMCTL_HOST_CHANGE_FILE) {
    g_auto(GStrv) directories = vmctl_key_file_get_string_list (key_file, group, "made_directories",
                                                            NULL, NULL);
    guint64 mode = 0, uid = 0, gid = 0;

    change->existed = g_key_file_get_boolean (key_file, group, "existed", &local_error);
    change->backup = vmctl_key_file_get_string (key_file, group, "backup", NULL);
    change->original_digest = vmctl_key_file_get_string (key_file, group, "original_digest", NULL);
    change->new_digest = vmctl_key_file_get_string (key_file, group, "new_digest", NULL);
    if (local_error != NULL || !get_number (key_file, group, "mode", 8, 0, 07777, &mode)
        || !get_number (key_file, group, "uid", 10, 0, G_MAXUINT32, &uid)
        || !get_number (key_file, group, "gid", 10, 0, G_MAXUINT32, &gid))
      return malformed (error, "a file change lacks its existed flag, mode or owner");
    change->mode = (guint) mode;
    change->uid = (guint) uid;
    change->gid = (guint) gid;
    for (guint i = 0; directories != NULL && directories[i] != NULL && i < 16; i++)
      g_ptr_array_add (change->made_directories, g_strdup (directories[i]));
  }
  if (change->type == VMCTL_HOST_CHANGE_INHIBITOR) {
    guint64 pid = 0, start_time = 0;

    if (!get_number (key_file, group, "pid", 10, 2, 4194304, &pid)
        || !get_number (key_file, group, "start_time", 10, 1, G_MAXUINT64, &start_time))
      return malformed (error, "an inhibitor change lacks its process");
    change->pid = (gint) pid;
    change->start_time = start_time;
  }
  *out_change = g_steal_pointer (&change);
  return TRUE;
}

/* the groups after [record]: change-000, change-001... then holder-000...,
 * each numbered by its position, nothing else */
static gboolean
parse_groups (GKeyFile *key_file, VmctlHostRecord *record, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++) {
    g_autofree gchar *change_name = g_strdup_printf ("change-%03u", record->changes->len);
    g_autofree gchar *holder_name = g_strdup_printf ("holder-%03u", record->holders->len);

    if (g_strcmp0 (groups[i], RECORD_GROUP) == 0)
      continue;
    if (g_strcmp0 (groups[i], change_name) == 0 && record->holders->len == 0) {
      VmctlHostChange *change = NULL;

      if (!parse_change (key_file, groups[i], &change, error))
        return FALSE;
      g_ptr_array_add (record->changes, change);
    } else if (g_strcmp0 (groups[i], holder_name) == 0) {
      g_autofree gchar *vm = vmctl_key_file_get_string (key_file, groups[i], "vm", NULL);
      g_autofree gchar *cpus = vmctl_key_file_get_string (key_file, groups[i], "cpus", NULL);

      if (vm == NULL || cpus == NULL)
        return malformed (error, "a holder lacks its VM or CPUs");
      vmctl_host_record_add_holder (record, vm, cpus);
    } else {
      return malformed (error, "a group out of order, or one vmctl never writes");
    }
  }
  return TRUE;
}

/**
 * vmctl_host_record_parse:
 * @data: (array length=length): a record file's bytes
 * @error: VMCTL_HOST_JOURNAL_ERROR_MALFORMED saying what is wrong, without
 *   quoting bytes that failed validation
 *
 * Pure: reads nothing but @data.
 *
 * Returns: (transfer full): the validated record, or NULL
 */
VmctlHostRecord *
vmctl_host_record_parse (const gchar *data, gsize length, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *kind_text = NULL;
  g_autofree gchar *owner = NULL;
  gint kind;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  if (length == 0 || length > VMCTL_STATE_DIR_FILE_MAX || memchr (data, '\0', length) != NULL
      || !g_utf8_validate (data, (gssize) length, NULL)) {
    malformed (error, length == 0 ? "empty" : "not a text file vmctl wrote");
    return NULL;
  }
  if (!g_key_file_load_from_data (key_file, data, length, G_KEY_FILE_NONE, &local_error)) {
    malformed (error, "not a key file");
    return NULL;
  }
  kind_text = vmctl_key_file_get_string (key_file, RECORD_GROUP, "kind", NULL);
  kind = lookup_name (kind_text, kind_string, VMCTL_HOST_RECORD_INHIBIT + 1);
  owner = vmctl_key_file_get_string (key_file, RECORD_GROUP, "owner", NULL);
  if (kind < 0 || owner == NULL) {
    malformed (error, "no valid [record] kind and owner");
    return NULL;
  }
  record = vmctl_host_record_new ((VmctlHostRecordKind) kind, owner);
  record->boot_id = vmctl_key_file_get_string (key_file, RECORD_GROUP, "boot_id", NULL);
  record->time = vmctl_key_file_get_string (key_file, RECORD_GROUP, "time", NULL);
  record->complete = g_key_file_get_boolean (key_file, RECORD_GROUP, "complete", &local_error);
  if (local_error != NULL || record->boot_id == NULL || record->time == NULL) {
    malformed (error, "[record] lacks boot_id, time or complete");
    return NULL;
  }
  if (!parse_groups (key_file, record, error) || !vmctl_host_record_validate (record, error))
    return NULL;
  return g_steal_pointer (&record);
}
