/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-journal.h: the crash-safe record of every PCI function vmctl moved
 * to vfio-pci, one small key file per function in STATE/journal/, so that
 * `gpu recover` can give each back to its original driver after any failure
 * or process death. The journal lives in the trusted state directory
 * (vmctl-state-dir.h), and every field read back is validated before it
 * can become part of a path or a write (vmctl_journal_entry_parse()). */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

/* How far a detach may have got. The detach engine writes the entry with
 * the step it is ABOUT to perform before performing it (write-ahead), so
 * the recorded step is the furthest the host may have been changed. */
typedef enum {
  VMCTL_JOURNAL_STEP_OVERRIDE_WRITTEN, /* "override-written": driver_override may say vfio-pci */
  VMCTL_JOURNAL_STEP_UNBOUND,          /* "unbound": may be unbound from the original driver */
  VMCTL_JOURNAL_STEP_PROBED,           /* "probed": drivers_probe may have been written */
  VMCTL_JOURNAL_STEP_BOUND_VFIO,       /* "bound-vfio": verified on vfio-pci */
} VmctlJournalStep;

/**
 * vmctl_journal_step_to_string:
 * @step: a step
 *
 * Returns: (transfer none): its spelling in the journal and in JSON output,
 *   e.g. "bound-vfio"
 */
const gchar *vmctl_journal_step_to_string (VmctlJournalStep step);

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

VmctlJournalEntry *vmctl_journal_entry_copy (const VmctlJournalEntry *entry);
/**
 * vmctl_journal_entry_free:
 * @entry: (nullable): an entry
 *
 * Frees @entry.
 */
void vmctl_journal_entry_free (VmctlJournalEntry *entry);

/* An entry file that could not be loaded; reported, never fatal to others. */
typedef struct {
  gchar *path;    /* the offending file */
  gchar *message; /* why it was rejected */
  gboolean has_address;    /* the file is named after a PCI function: */
  VmctlPciAddress address; /* that function's entry is the corrupt one */
} VmctlJournalProblem;

/**
 * vmctl_journal_problem_free:
 * @problem: (nullable): a problem
 *
 * Frees @problem.
 */
void vmctl_journal_problem_free (VmctlJournalProblem *problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlJournalEntry, vmctl_journal_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlJournalProblem, vmctl_journal_problem_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-journal-private.h"
#endif
