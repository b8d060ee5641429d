/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-journal.c: one journal entry file (STATE/journal/ADDR), which
 * `gpu recover` reads back after a crash to give devices to their original
 * drivers: whatever it holds must be refused or parsed into values that
 * are safe to act on.
 *
 * Built once vmctl_journal_entry_parse() exists (see meson.build). */
#include "vmctl-fuzz.h"
#include "vmctl-journal.h"
#include "vmctl-pci-address.h"

#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* the file name the entry was found under; the seeds are for it */
  const VmctlPciAddress expected = { .domain = 0, .bus = 1, .slot = 0, .function = 0 };
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_autoptr(VmctlJournalEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return 0;
  entry = vmctl_journal_entry_parse (text, size, &expected, &error);
  if (entry == NULL) {
    g_assert_true (error != NULL && error->domain == VMCTL_JOURNAL_ERROR);
    return 0;
  }
  g_assert_no_error (error);
  /* a file renamed by hand cannot make vmctl act on another device */
  g_assert_true (vmctl_pci_address_equal (&entry->address, &expected));
  /* the driver names become sysfs paths (drivers/NAME/bind): never a
   * path of their own */
  g_assert_null (strchr (entry->original_driver, '/'));
  g_assert_cmpstr (entry->original_driver, !=, ".");
  g_assert_cmpstr (entry->original_driver, !=, "..");
  g_assert_null (strchr (entry->original_driver_override, '/'));
  g_assert_nonnull (entry->boot_id);
  g_assert_nonnull (entry->time);
  return 0;
}
