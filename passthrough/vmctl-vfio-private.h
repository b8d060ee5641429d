/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-private.h: what the engine's files share. */
#pragma once

#include "vmctl-vfio.h"

G_BEGIN_DECLS

struct _VmctlVfio {
  VmctlHost *host;
  gchar *state_dir;
  VmctlJournal *journal;        /* opened on first use */
  gboolean dry_run;
  gboolean force;
  guint bind_timeout_ms;
  guint lock_timeout_ms;
  VmctlVfioProgressFunc progress;
  gpointer progress_data;
  GDestroyNotify progress_destroy;
  VmctlVfioUserFunc user;       /* NULL: reattach asks nobody */
  gpointer user_data;
  GPtrArray *actions;           /* gchar*: host changes made or planned */
};

VmctlJournal *vmctl_vfio_journal (VmctlVfio *vfio, GError **error);
void vmctl_vfio_progress (VmctlVfio *vfio, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
/* vmctl-vfio-function.c */
gchar *vmctl_vfio_device_path (const gchar *name, const gchar *attribute);
gboolean vmctl_vfio_device_exists (VmctlVfio *vfio, const gchar *name);
gchar *vmctl_vfio_current_driver (VmctlVfio *vfio, const gchar *name);
gboolean vmctl_vfio_restore_one (VmctlVfio *vfio, const VmctlJournalEntry *entry, GError **error);
gboolean vmctl_vfio_detach_one (VmctlVfio *vfio, const VmctlPciAddress *address,
                                const gchar *owner, const VmctlPciAddress *plan,
                                guint plan_length, VmctlJournalEntry **out_entry,
                                GError **error);

/* vmctl-vfio.c */
GArray *vmctl_vfio_unique (const VmctlPciAddress *addresses, guint n);
GPtrArray *vmctl_vfio_lock (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                            guint timeout_ms, GError **error);

/* vmctl-vfio-plans.c: journal entries grouped into the plans they were
 * detached with, and a plan given back whole */
typedef struct {
  gchar *owner;
  GArray *members;      /* VmctlPciAddress: the functions to lock, in detach order */
  gboolean recorded;    /* the entries carry this plan; FALSE: entries of an
                         * older vmctl, grouped by owner and slot */
  GPtrArray *entries;   /* VmctlJournalEntry (owned copies) as listed */
} VmctlVfioPlan;

void vmctl_vfio_plan_free (VmctlVfioPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVfioPlan, vmctl_vfio_plan_free)

GPtrArray *vmctl_vfio_plans_group (GPtrArray *entries);
gchar *vmctl_vfio_plan_describe (const VmctlVfioPlan *plan);
gchar *vmctl_vfio_plan_user (VmctlVfioPlan *plan, VmctlVfioUserFunc user, gpointer user_data);
gboolean vmctl_vfio_plan_give_back (VmctlVfio *vfio, VmctlVfioPlan *plan, gboolean wait,
                                    GPtrArray *given, GPtrArray *dropped, GPtrArray *failed,
                                    GError **error);
GPtrArray *vmctl_vfio_list_entries (VmctlVfio *vfio, GPtrArray **out_problems, GError **error);

G_END_DECLS
