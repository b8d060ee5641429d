/* vmctl-vfio-private.h: what the engine's two files share. */
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
  GPtrArray *actions;           /* gchar*: host changes made or planned */
};

VmctlJournal *vmctl_vfio_journal (VmctlVfio *vfio, GError **error);
void vmctl_vfio_progress (VmctlVfio *vfio, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
gboolean vmctl_vfio_device_exists (VmctlVfio *vfio, const gchar *name);
gchar *vmctl_vfio_current_driver (VmctlVfio *vfio, const gchar *name);
gboolean vmctl_vfio_restore_one (VmctlVfio *vfio, const VmctlJournalEntry *entry, GError **error);
GArray *vmctl_vfio_unique (const VmctlPciAddress *addresses, guint n);
GPtrArray *vmctl_vfio_lock (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                            GError **error);

G_END_DECLS
