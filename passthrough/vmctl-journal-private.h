/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-journal-private.h: the journal itself, which only the passthrough
 * engine reads and writes (never installed); consumers see its entries
 * through vmctl_session_gpu_status(). */
#pragma once

#include "vmctl-journal.h"
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_JOURNAL_ERROR (vmctl_journal_error_quark ())

typedef enum {
  VMCTL_JOURNAL_ERROR_STATE_DIR, /* the state directory cannot be created or
                                  * written (read-only, not a directory):
                                  * pick another with --state-dir */
  VMCTL_JOURNAL_ERROR_BOOT_ID,   /* the host root has no readable
                                  * /proc/sys/kernel/random/boot_id */
  VMCTL_JOURNAL_ERROR_NOT_FOUND, /* no entry for that address */
  VMCTL_JOURNAL_ERROR_MALFORMED, /* an entry file exists but is not a valid
                                  * entry; the message names the file */
  VMCTL_JOURNAL_ERROR_IO,        /* writing, syncing, renaming or removing an
                                  * entry failed; the old entry (if any) is
                                  * still intact */
  VMCTL_JOURNAL_ERROR_ABSENT,    /* opened without creating: STATE/journal
                                  * does not exist, so nothing is held */
} VmctlJournalError;

GQuark vmctl_journal_error_quark (void);

gboolean vmctl_journal_step_from_string (const gchar *text, VmctlJournalStep *out_step);
VmctlJournalEntry *vmctl_journal_entry_new (const VmctlPciAddress *address,
                                            const gchar *original_driver,
                                            const gchar *original_driver_override,
                                            const gchar *owner,
                                            VmctlJournalStep step);
void vmctl_journal_entry_set_plan (VmctlJournalEntry *entry, const VmctlPciAddress *addresses,
                                   guint n);
gboolean vmctl_journal_entry_validate (const VmctlJournalEntry *entry, GError **error);
VmctlJournalEntry *vmctl_journal_entry_parse (const gchar *data, gsize length,
                                              const VmctlPciAddress *expected, GError **error);
gchar *vmctl_journal_entry_to_data (const VmctlJournalEntry *entry, gsize *out_length);
typedef struct _VmctlJournal VmctlJournal;

VmctlJournal *vmctl_journal_open (const gchar *state_dir, VmctlHost *host, GError **error);
VmctlJournal *vmctl_journal_open_existing (const gchar *state_dir, VmctlHost *host,
                                           GError **error);
void vmctl_journal_free (VmctlJournal *journal);
const gchar *vmctl_journal_get_directory (VmctlJournal *journal);
const gchar *vmctl_journal_get_boot_id (VmctlJournal *journal);
gchar *vmctl_journal_entry_path (VmctlJournal *journal, const VmctlPciAddress *address);

gboolean vmctl_journal_write (VmctlJournal *journal, VmctlJournalEntry *entry, GError **error);
VmctlJournalEntry *vmctl_journal_lookup (VmctlJournal *journal, const VmctlPciAddress *address,
                                         GError **error);
GPtrArray *vmctl_journal_list (VmctlJournal *journal, GPtrArray **out_problems, GError **error);
gboolean vmctl_journal_remove (VmctlJournal *journal, const VmctlPciAddress *address,
                               GError **error);
gboolean vmctl_journal_entry_is_stale (VmctlJournal *journal, const VmctlJournalEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlJournal, vmctl_journal_free)

G_END_DECLS
