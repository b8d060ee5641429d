/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-file.h: configuration files under the host root (/etc,
 * /boot/loader) read with their owner and mode, and replaced the way a
 * crash can never leave half of: a temporary file in the same directory,
 * fsync, rename over the file, fsync of the directory. Issue 13: what
 * `vmctl host setup` writes goes through here. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

/* the largest configuration file vmctl edits (and backs up in the state
 * directory, whose cap is the same): /etc/default/grub is a few KiB */
#define VMCTL_HOST_FILE_MAX (64 * 1024)

typedef struct {
  gboolean exists;
  guint mode;           /* permission bits (07777) */
  guint uid;
  guint gid;
  gchar *contents;      /* NUL-terminated; "" when !exists */
  gsize length;
} VmctlHostFile;

void vmctl_host_file_free (VmctlHostFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostFile, vmctl_host_file_free)

VmctlHostFile *vmctl_host_file_read (VmctlHost *host, const gchar *absolute_path,
                                     GError **error);
gboolean vmctl_host_file_replace (VmctlHost *host, const gchar *absolute_path,
                                  const gchar *data, gsize length, guint mode, guint uid,
                                  guint gid, GPtrArray *made_directories, GError **error);
gboolean vmctl_host_file_remove (VmctlHost *host, const gchar *absolute_path, GError **error);
gboolean vmctl_host_file_remove_directory (VmctlHost *host, const gchar *absolute_path);
gchar *vmctl_host_file_digest (const gchar *data, gsize length);

G_END_DECLS
