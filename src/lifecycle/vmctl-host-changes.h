/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-changes.h: the runtime host changes of issue 13 made and
 * undone one at a time, each recorded before it is made and its effect
 * checked after: a kernel attribute written and read back, a framebuffer
 * unbound until its link is gone, a module unloaded until /sys/module
 * says so, a systemd unit stopped until it is inactive, a unit's
 * AllowedCPUs set and read back, a sleep inhibitor's holder ended. Undo
 * is driven by what the host shows now plus what was recorded, so it can
 * run after a crash at any step, or twice. Not installed. */
#pragma once

#include <gio/gio.h>
#include "vmctl-host.h"
#include "vmctl-host-journal.h"

G_BEGIN_DECLS

typedef struct {
  VmctlHost *host;
  gchar *state_dir;
  VmctlHostJournal *journal;
  GDBusConnection *bus;       /* NULL: no system bus for this host */
  gboolean systemd;           /* org.freedesktop.systemd1 answers on it */
  gboolean logind;            /* org.freedesktop.login1 answers on it */
  gchar *bus_note;            /* why there is no bus */
} VmctlHostChanges;

VmctlHostChanges *vmctl_host_changes_new (VmctlHost *host, const gchar *state_dir,
                                          gboolean create, GError **error);
void vmctl_host_changes_free (VmctlHostChanges *changes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostChanges, vmctl_host_changes_free)

gboolean vmctl_host_changes_load (VmctlHostChanges *changes, VmctlHostRecordKind kind,
                                  const gchar *owner, VmctlHostRecord **out_record,
                                  GError **error);
/* @change is in @record, not done: records it, makes it, checks it, marks
 * it done. FALSE when it could not be made; the record then still holds
 * it, for the undo. */
gboolean vmctl_host_changes_make (VmctlHostChanges *changes, VmctlHostRecord *record,
                                  VmctlHostChange *change, GError **error);
gboolean vmctl_host_changes_undo (VmctlHostChanges *changes, const VmctlHostChange *change,
                                  GError **error);
/* every change of @record in reverse, then the record removed; the first
 * failure is returned, the others still tried, and the record then stays */
gboolean vmctl_host_changes_undo_record (VmctlHostChanges *changes, VmctlHostRecord *record,
                                         GError **error);

gchar *vmctl_host_changes_read_attribute (VmctlHost *host, const gchar *path);
gboolean vmctl_host_changes_write_attribute (VmctlHost *host, const gchar *path,
                                             const gchar *value, GError **error);
gboolean vmctl_host_changes_run_modprobe (const gchar *module, gboolean remove, GError **error);
gboolean vmctl_host_changes_module_loaded (VmctlHost *host, const gchar *module);
gboolean vmctl_host_changes_process_matches (gint pid, guint64 start_time);
guint64 vmctl_host_changes_process_start (gint pid);

G_END_DECLS
