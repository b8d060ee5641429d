/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-journal-entry.c: one journal entry in memory and as bytes. The
 * parser is pure (bytes in, entry or error out) so it can be fuzzed, and it
 * and the writer apply one validator: an entry vmctl would refuse to read
 * back is never written, and nothing read back reaches a path or a sysfs
 * write unchecked (a driver "../../../../tmp/x" would otherwise make the
 * restore write /tmp/x/bind as root). */
#include "vmctl-journal.h"
#include "vmctl-names.h"
#include "vmctl-state-dir.h"
#include "vmctl-glib-util.h"

#include <string.h>

#define GROUP "entry"
/* a plan is one card plus --hostdev extras: far below this */
#define PLAN_MAX 64
#define TIME_MAX 64

static const gchar * const step_names[] = {
  [VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN] = "override-written",
  [VMCTL_JOURNAL_STEP_UNBOUND] = "unbound",
  [VMCTL_JOURNAL_STEP_PROBED] = "probed",
  [VMCTL_JOURNAL_STEP_BOUND_VFIO] = "bound-vfio",
};

const gchar *
vmctl_journal_step_to_string (VmctlJournalStep step)
{
  g_return_val_if_fail ((guint) step < G_N_ELEMENTS (step_names), NULL);
  return step_names[step];
}

gboolean
vmctl_journal_step_from_string (const gchar *text, VmctlJournalStep *out_step)
{
  for (guint i = 0; i < G_N_ELEMENTS (step_names); i++) {
    if (g_strcmp0 (text, step_names[i]) == 0) {
      *out_step = (VmctlJournalStep) i;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * vmctl_journal_entry_new:
 * @original_driver: (nullable): NULL or "" when the function had no driver
 * @original_driver_override: (nullable): NULL or "" when it was empty
 * @owner: (nullable): the VM name; NULL or "" for a manual detach
 *
 * boot_id and time stay NULL; vmctl_journal_write() stamps them. The plan
 * is NULL until vmctl_journal_entry_set_plan().
 *
 * Returns: (transfer full): free with vmctl_journal_entry_free()
 */
VmctlJournalEntry *
vmctl_journal_entry_new (const VmctlPciAddress *address, const gchar *original_driver,
                         const gchar *original_driver_override, const gchar *owner,
                         VmctlJournalStep step)
{
  VmctlJournalEntry *entry;

  g_return_val_if_fail (address != NULL, NULL);
  entry = g_new0 (VmctlJournalEntry, 1);
  entry->address = *address;
  entry->original_driver = g_strdup (original_driver != NULL ? original_driver : "");
  entry->original_driver_override =
    g_strdup (original_driver_override != NULL ? original_driver_override : "");
  entry->owner = g_strdup (owner != NULL ? owner : "");
  entry->step = step;
  return entry;
}

/**
 * vmctl_journal_entry_set_plan:
 * @addresses: (array length=n): the functions detached together, in order
 *
 * Records the plan this entry's function was detached with: recover and
 * reattach give a plan back whole, never part of an IOMMU group.
 */
void
vmctl_journal_entry_set_plan (VmctlJournalEntry *entry, const VmctlPciAddress *addresses,
                              guint n)
{
  g_clear_pointer (&entry->plan, g_array_unref);
  entry->plan = g_array_sized_new (FALSE, FALSE, sizeof (VmctlPciAddress), n);
  g_array_append_vals (entry->plan, addresses, n);
}

/**
 * vmctl_journal_entry_copy:
 * Returns: (transfer full): a deep copy
 */
VmctlJournalEntry *
vmctl_journal_entry_copy (const VmctlJournalEntry *entry)
{
  VmctlJournalEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);
  copy = vmctl_journal_entry_new (&entry->address, entry->original_driver,
                                  entry->original_driver_override, entry->owner, entry->step);
  copy->boot_id = g_strdup (entry->boot_id);
  copy->time = g_strdup (entry->time);
  if (entry->plan != NULL)
    vmctl_journal_entry_set_plan (copy, (const VmctlPciAddress *) entry->plan->data,
                                  entry->plan->len);
  return copy;
}

void
vmctl_journal_entry_free (VmctlJournalEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->original_driver);
  g_free (entry->original_driver_override);
  g_free (entry->owner);
  g_free (entry->boot_id);
  g_free (entry->time);
  g_clear_pointer (&entry->plan, g_array_unref);
  g_free (entry);
}

/* ---- the one validator ---- */

static gboolean
invalid (GError **error, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  vmctl_fail_valist (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED, format, args);
  va_end (args);
  return FALSE;
}

/* "" (none) or a name vmctl_name_is_driver() accepts; the text is only
 * quoted in messages after it passed (it may be any bytes otherwise) */
static gboolean
check_driver (const gchar *key, const gchar *value, GError **error)
{
  if (value == NULL || (value[0] != '\0' && !vmctl_name_is_driver (value)))
    return invalid (error, "%s is not a driver name ([A-Za-z0-9_.-], no '/' or '..')", key);
  return TRUE;
}

/**
 * vmctl_journal_entry_validate:
 * @error: VMCTL_JOURNAL_ERROR_MALFORMED naming the field
 *
 * Every field as vmctl may use it: the drivers are driver names (they
 * become /sys/bus/pci/drivers/NAME/bind), the owner a VM name (it becomes
 * a lock file name), the plan a list of distinct functions including this
 * one, the boot id a UUID, the time ISO 8601. boot_id and time may be NULL
 * (not stamped yet).
 */
gboolean
vmctl_journal_entry_validate (const VmctlJournalEntry *entry, GError **error)
{
  g_return_val_if_fail (entry != NULL, FALSE);
  if (!check_driver ("original_driver", entry->original_driver, error)
      || !check_driver ("original_driver_override", entry->original_driver_override, error))
    return FALSE;
  if (entry->owner == NULL || (entry->owner[0] != '\0' && !vmctl_name_is_vm (entry->owner)))
    return invalid (error, "owner is not a VM name vmctl accepts");
  if ((guint) entry->step >= G_N_ELEMENTS (step_names))
    return invalid (error, "unknown step %d", (gint) entry->step);
  if (entry->boot_id != NULL && !vmctl_name_is_boot_id (entry->boot_id))
    return invalid (error, "boot_id is not a boot id (a UUID)");
  if (entry->time != NULL) {
    g_autoptr(GDateTime) parsed = NULL;

    if (strlen (entry->time) <= TIME_MAX)
      parsed = g_date_time_new_from_iso8601 (entry->time, NULL);
    if (parsed == NULL)
      return invalid (error, "time is not an ISO 8601 time");
  }
  if (entry->plan != NULL) {
    gboolean own = FALSE;

    if (entry->plan->len == 0 || entry->plan->len > PLAN_MAX)
      return invalid (error, "plan has %u functions (want 1 to %d)", entry->plan->len, PLAN_MAX);
    for (guint i = 0; i < entry->plan->len; i++) {
      const VmctlPciAddress *member = &g_array_index (entry->plan, VmctlPciAddress, i);

      own |= vmctl_pci_address_equal (member, &entry->address);
      for (guint j = 0; j < i; j++)
        if (vmctl_pci_address_equal (member, &g_array_index (entry->plan, VmctlPciAddress, j)))
          return invalid (error, "plan names a function twice");
    }
    if (!own)
      return invalid (error, "plan does not include the entry's own function");
  }
  return TRUE;
}

/* ---- bytes ---- */

/**
 * vmctl_journal_entry_to_data:
 * Returns: (transfer full): the entry as a key file; boot_id and time must
 * be set
 */
gchar *
vmctl_journal_entry_to_data (const VmctlJournalEntry *entry, gsize *out_length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&entry->address, address);
  g_key_file_set_string (key_file, GROUP, "address", address);
  g_key_file_set_string (key_file, GROUP, "original_driver", entry->original_driver);
  g_key_file_set_string (key_file, GROUP, "original_driver_override",
                         entry->original_driver_override);
  g_key_file_set_string (key_file, GROUP, "owner", entry->owner);
  if (entry->plan != NULL) {
    g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < entry->plan->len; i++)
      g_ptr_array_add (members,
                       vmctl_pci_address_to_string (&g_array_index (entry->plan, VmctlPciAddress, i)));
    g_key_file_set_string_list (key_file, GROUP, "plan", (const gchar * const *) members->pdata,
                                members->len);
  }
  g_key_file_set_string (key_file, GROUP, "boot_id", entry->boot_id);
  g_key_file_set_string (key_file, GROUP, "time", entry->time);
  g_key_file_set_string (key_file, GROUP, "step", vmctl_journal_step_to_string (entry->step));
  return g_key_file_to_data (key_file, out_length, NULL);
}

static gchar *
get_required (GKeyFile *key_file, const gchar *key, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gchar *value = vmctl_key_file_get_string (key_file, GROUP, key, &local_error);

  if (value != NULL)
    return value;
  if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)
      || g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    invalid (error, "key '%s' is missing", key);
  else
    invalid (error, "key '%s': %s", key, local_error->message);
  return NULL;
}

/* a PCI address exactly as vmctl writes it ("0000:01:00.0"): the file was
 * written by vmctl, so any other spelling means someone else wrote it */
static gboolean
parse_canonical (const gchar *text, VmctlPciAddress *out_address)
{
  gchar formatted[VMCTL_PCI_ADDRESS_STRLEN];

  if (text == NULL || !vmctl_pci_address_parse (text, out_address, NULL))
    return FALSE;
  vmctl_pci_address_format (out_address, formatted);
  return strcmp (formatted, text) == 0;
}

static gboolean
parse_plan (GKeyFile *key_file, VmctlJournalEntry *entry, GError **error)
{
  g_auto(GStrv) members = NULL;
  gsize n = 0;

  /* entries of earlier vmctl versions have none: a plan of their own,
   * grouped by owner and slot when given back */
  if (!g_key_file_has_key (key_file, GROUP, "plan", NULL))
    return TRUE;
  members = vmctl_key_file_get_string_list (key_file, GROUP, "plan", &n, NULL);
  if (members == NULL || n == 0 || n > PLAN_MAX)
    return invalid (error, "plan is not a list of 1 to %d PCI functions", PLAN_MAX);
  entry->plan = g_array_sized_new (FALSE, FALSE, sizeof (VmctlPciAddress), (guint) n);
  for (gsize i = 0; i < n; i++) {
    VmctlPciAddress member;

    if (!parse_canonical (members[i], &member))
      return invalid (error, "plan holds something that is not a PCI address");
    g_array_append_val (entry->plan, member);
  }
  return TRUE;
}

/**
 * vmctl_journal_entry_parse:
 * @data: (array length=length): an entry file's bytes, as read
 * @expected: (nullable): the function the file is named after; the entry
 *   must be about that one, so a file copied or renamed by hand cannot
 *   make vmctl act on another device
 * @error: VMCTL_JOURNAL_ERROR_MALFORMED saying what is wrong (without the
 *   file's name, which the caller adds, and without quoting bytes that
 *   failed validation)
 *
 * Pure: reads nothing but @data. Every field is validated as
 * vmctl_journal_entry_validate() says.
 *
 * Returns: (transfer full): the entry, or NULL
 */
VmctlJournalEntry *
vmctl_journal_entry_parse (const gchar *data, gsize length, const VmctlPciAddress *expected,
                           GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(VmctlJournalEntry) entry = g_new0 (VmctlJournalEntry, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *address_text = NULL;
  g_autofree gchar *step_text = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  if (length == 0) {
    invalid (error, "empty");
    return NULL;
  }
  /* a NUL would end the text early for GKeyFile; vmctl never writes one */
  if (length > VMCTL_STATE_DIR_FILE_MAX || memchr (data, '\0', length) != NULL) {
    invalid (error, length > VMCTL_STATE_DIR_FILE_MAX ? "too large" : "holds a NUL byte");
    return NULL;
  }
  if (!g_utf8_validate (data, (gssize) length, NULL)) {
    invalid (error, "not UTF-8 text");
    return NULL;
  }
  if (!g_key_file_load_from_data (key_file, data, length, G_KEY_FILE_NONE, &local_error)) {
    invalid (error, "not a key file: %s", local_error->message);
    return NULL;
  }
  if ((address_text = get_required (key_file, "address", error)) == NULL
      || (entry->original_driver = get_required (key_file, "original_driver", error)) == NULL
      || (entry->original_driver_override = get_required (key_file, "original_driver_override",
                                                          error)) == NULL
      || (entry->owner = get_required (key_file, "owner", error)) == NULL
      || (entry->boot_id = get_required (key_file, "boot_id", error)) == NULL
      || (entry->time = get_required (key_file, "time", error)) == NULL
      || (step_text = get_required (key_file, "step", error)) == NULL)
    return NULL;
  if (!parse_canonical (address_text, &entry->address)) {
    invalid (error, "address is not a PCI address (want DDDD:BB:SS.F)");
    return NULL;
  }
  if (expected != NULL && !vmctl_pci_address_equal (&entry->address, expected)) {
    gchar expected_text[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (expected, expected_text);
    invalid (error, "address '%s' does not match the file name (%s)", address_text,
             expected_text);
    return NULL;
  }
  if (!vmctl_journal_step_from_string (step_text, &entry->step)) {
    /* the step passed UTF-8 validation; quoted so a typo shows */
    g_autofree gchar *shown = g_strescape (step_text, NULL);

    invalid (error, "unknown step '%s'", strlen (shown) <= 32 ? shown : "(long)");
    return NULL;
  }
  if (!parse_plan (key_file, entry, error) || !vmctl_journal_entry_validate (entry, error))
    return NULL;
  return g_steal_pointer (&entry);
}
