/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-state-dir.h: the state directory (--state-dir) as a directory vmctl
 * can trust before root writes anything in it. It and its subdirectories
 * must be real directories (no symlinks), owned by the effective user and
 * not group- or world-writable; files inside are opened relative to the
 * directory's descriptor with O_NOFOLLOW and O_NONBLOCK, and only regular
 * files of the effective user under a size cap are read or locked. So a
 * planted symlink never redirects a write, and a FIFO never hangs a read. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMCTL_STATE_DIR_ERROR (vmctl_state_dir_error_quark ())

typedef enum {
  VMCTL_STATE_DIR_ERROR_MISSING,     /* the directory does not exist and was not
                                      * to be created (a dry run, a reader) */
  VMCTL_STATE_DIR_ERROR_UNTRUSTED,   /* a symlink, not owned by the effective
                                      * user, or group-/world-writable; the
                                      * message names the path and the fix */
  VMCTL_STATE_DIR_ERROR_UNUSABLE,    /* cannot be created, opened or written:
                                      * not a directory, a read-only mount */
  VMCTL_STATE_DIR_ERROR_NOT_FOUND,   /* no such file in the directory */
  VMCTL_STATE_DIR_ERROR_NOT_REGULAR, /* the file is a symlink, FIFO, device or
                                      * directory, someone else's, hard-linked,
                                      * or over the size cap: corrupt, left alone */
  VMCTL_STATE_DIR_ERROR_IO,          /* reading, writing, syncing, renaming or
                                      * removing failed */
} VmctlStateDirError;

GQuark vmctl_state_dir_error_quark (void);

/* the largest file vmctl reads from its state directory: a journal entry
 * is a few hundred bytes */
#define VMCTL_STATE_DIR_FILE_MAX (64 * 1024)

typedef struct _VmctlStateDir VmctlStateDir;

VmctlStateDir *vmctl_state_dir_open (const gchar *path, gboolean create, GError **error);
VmctlStateDir *vmctl_state_dir_open_subdir (VmctlStateDir *parent, const gchar *name,
                                            gboolean create, GError **error);
gboolean vmctl_state_dir_check (const gchar *path, GError **error);
VmctlStateDir *vmctl_state_dir_ref (VmctlStateDir *dir);
void vmctl_state_dir_unref (VmctlStateDir *dir);
const gchar *vmctl_state_dir_get_path (VmctlStateDir *dir);
gchar *vmctl_state_dir_file_path (VmctlStateDir *dir, const gchar *name);

gboolean vmctl_state_dir_read (VmctlStateDir *dir, const gchar *name, gchar **out_contents,
                               gsize *out_length, GError **error);
gboolean vmctl_state_dir_replace (VmctlStateDir *dir, const gchar *name, const gchar *data,
                                  gsize length, GError **error);
gboolean vmctl_state_dir_remove (VmctlStateDir *dir, const gchar *name, GError **error);
GPtrArray *vmctl_state_dir_list (VmctlStateDir *dir, GError **error);
int vmctl_state_dir_open_lock (VmctlStateDir *dir, const gchar *name, gboolean create,
                               GError **error);
gboolean vmctl_state_dir_sync (VmctlStateDir *dir, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlStateDir, vmctl_state_dir_unref)

G_END_DECLS
