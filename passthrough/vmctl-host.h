/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host.h: every host path (/sys, /proc, /dev, /etc, /usr/share)
 * resolved from one root directory, so tests and the demo host can stand in
 * for the real machine. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMCTL_HOST_ERROR (vmctl_host_error_quark ())

typedef enum {
  VMCTL_HOST_ERROR_BAD_ROOT,  /* the root does not exist or is not a directory */
  VMCTL_HOST_ERROR_NOT_FOUND, /* the file does not exist under the root */
  VMCTL_HOST_ERROR_READ,      /* the file exists but could not be read */
  VMCTL_HOST_ERROR_EMPTY,     /* the file was read but holds nothing */
  VMCTL_HOST_ERROR_WRITE,     /* opening or writing the file failed; the
                               * message carries the kernel's errno text */
} VmctlHostError;

GQuark vmctl_host_error_quark (void);

typedef struct _VmctlHost VmctlHost;

VmctlHost *vmctl_host_new (const gchar *root, GError **error);
VmctlHost *vmctl_host_ref (VmctlHost *host);
void vmctl_host_unref (VmctlHost *host);
const gchar *vmctl_host_get_root (VmctlHost *host);
gboolean vmctl_host_is_real (VmctlHost *host);

gchar *vmctl_host_path (VmctlHost *host, const gchar *absolute_path);
gchar *vmctl_host_pathv (VmctlHost *host, const gchar *first, ...) G_GNUC_NULL_TERMINATED;
gboolean vmctl_host_exists (VmctlHost *host, const gchar *absolute_path);
gboolean vmctl_host_is_directory (VmctlHost *host, const gchar *absolute_path);
gboolean vmctl_host_read (VmctlHost *host, const gchar *absolute_path,
                          gchar **out_contents, gsize *out_length, GError **error);
gchar *vmctl_host_read_line (VmctlHost *host, const gchar *absolute_path, GError **error);
gboolean vmctl_host_read_hex (VmctlHost *host, const gchar *absolute_path,
                              guint64 *out_value, GError **error);
gchar *vmctl_host_read_link_name (VmctlHost *host, const gchar *absolute_path);
gchar *vmctl_host_read_link (VmctlHost *host, const gchar *absolute_path);
gboolean vmctl_host_write (VmctlHost *host, const gchar *absolute_path, const gchar *value,
                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHost, vmctl_host_unref)

G_END_DECLS
