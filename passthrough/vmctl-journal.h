/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-journal.h: the crash-safe record of every PCI function vmctl moved
 * to vfio-pci, one small key file per function in STATE/journal/, so that
 * `gpu recover` can give each back to its original driver after any failure
 * or process death. The journal lives in the trusted state directory
 * (vmctl-state-dir.h), and every field read back is validated before it
 * can become part of a path or a write (vmctl_journal_entry_parse()). */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-address.h"

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

/* How far a detach may have got. The detach engine writes the entry with
 * the step it is ABOUT to perform before performing it (write-ahead), so
 * the recorded step is the furthest the host may have been changed. */
typedef enum {
  VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN, /* "override-written": driver_override may say vfio-pci */
  VMCTL_JOURNAL_STEP_UNBOUND,          /* "unbound": may be unbound from the original driver */
  VMCTL_JOURNAL_STEP_PROBED,           /* "probed": drivers_probe may have been written */
  VMCTL_JOURNAL_STEP_BOUND_VFIO,       /* "bound-vfio": verified on vfio-pci */
} VmctlJournalStep;

const gchar *vmctl_journal_step_to_string (VmctlJournalStep step);
gboolean vmctl_journal_step_from_string (const gchar *text, VmctlJournalStep *out_step);

typedef struct {
  VmctlPciAddress address;
  gchar *original_driver;          /* "" = the function had no driver */
  gchar *original_driver_override; /* "" = driver_override was empty */
  gchar *owner;                    /* VM name, "" for a manual `gpu detach` */
  GArray *plan;                    /* VmctlPciAddress: every function detached
                                    * together with this one, in detach order
                                    * (itself included); NULL in entries
                                    * written before plans were recorded */
  gchar *boot_id;                  /* NULL until written: stamped by _write */
  gchar *time;                     /* ISO 8601 UTC; NULL until written */
  VmctlJournalStep step;
} VmctlJournalEntry;

VmctlJournalEntry *vmctl_journal_entry_new (const VmctlPciAddress *address,
                                            const gchar *original_driver,
                                            const gchar *original_driver_override,
                                            const gchar *owner,
                                            VmctlJournalStep step);
VmctlJournalEntry *vmctl_journal_entry_copy (const VmctlJournalEntry *entry);
void vmctl_journal_entry_free (VmctlJournalEntry *entry);
void vmctl_journal_entry_set_plan (VmctlJournalEntry *entry, const VmctlPciAddress *addresses,
                                   guint n);
gboolean vmctl_journal_entry_validate (const VmctlJournalEntry *entry, GError **error);
VmctlJournalEntry *vmctl_journal_entry_parse (const gchar *data, gsize length,
                                              const VmctlPciAddress *expected, GError **error);
gchar *vmctl_journal_entry_to_data (const VmctlJournalEntry *entry, gsize *out_length);

/* An entry file that could not be loaded; reported, never fatal to others. */
typedef struct {
  gchar *path;    /* the offending file */
  gchar *message; /* why it was rejected */
  gboolean has_address;    /* the file is named after a PCI function: */
  VmctlPciAddress address; /* that function's entry is the corrupt one */
} VmctlJournalProblem;

void vmctl_journal_problem_free (VmctlJournalProblem *problem);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlJournalEntry, vmctl_journal_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlJournalProblem, vmctl_journal_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlJournal, vmctl_journal_free)

G_END_DECLS
