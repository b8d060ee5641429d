/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-host-record.c: one host-change record (STATE/host/*.record), which
 * `vmctl host setup --undo`, `vmctl host recover` and the libvirt hook
 * read back to restore files, rewrite kernel attributes and run
 * regeneration commands as root: whatever it holds must be refused, or
 * parsed into a record the one validator accepts and that reads back
 * exactly as it is written. */
#include "vmctl-fuzz.h"
#include "vmctl-host-journal.h"

#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(VmctlHostRecord) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *written = NULL;
  g_autofree gchar *rewritten = NULL;
  gsize written_length = 0;

  if (text == NULL)
    return 0;
  record = vmctl_host_record_parse (text, size, &error);
  if (record == NULL) {
    g_assert_true (error != NULL && error->domain == VMCTL_HOST_JOURNAL_ERROR);
    return 0;
  }
  g_assert_no_error (error);
  g_assert_true (vmctl_host_record_validate (record, NULL));
  for (guint i = 0; i < record->changes->len; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);

    /* a restored file is one of setup's own, never reached through ".." */
    if (change->type == VMCTL_HOST_CHANGE_FILE) {
      g_assert_true (vmctl_host_record_is_setup_file (change->path));
      g_assert_null (strstr (change->path, "/."));
    }
  }
  /* what vmctl writes of it, it reads back, and writes the same again */
  written = vmctl_host_record_to_data (record, &written_length);
  again = vmctl_host_record_parse (written, written_length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  rewritten = vmctl_host_record_to_data (again, NULL);
  g_assert_cmpstr (written, ==, rewritten);
  return 0;
}
