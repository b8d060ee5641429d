/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host.c: the one place host paths are built. Production uses "/";
 * tests and the demo host use a directory holding sys/, proc/, dev/... */
#include "vmctl-host-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (vmctl-host-error-quark, vmctl_host_error)

struct _VmctlHost {
  gint ref_count;
  gchar *root;     /* absolute, no trailing slash; "" for the real "/" */
};

/**
 * vmctl_host_new:
 * @root: (nullable): directory standing in for "/"; NULL means "/"
 * @error: VMCTL_HOST_ERROR_BAD_ROOT when @root is not a directory
 *
 * Returns: (transfer full): a host, release with vmctl_host_unref()
 */
VmctlHost *
vmctl_host_new (const gchar *root, GError **error)
{
  g_autofree gchar *absolute = NULL;
  g_autofree gchar *canonical = NULL;
  VmctlHost *host;

  if (root == NULL || *root == '\0')
    root = "/";
  absolute = g_canonicalize_filename (root, NULL);
  if (!g_file_test (absolute, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_BAD_ROOT,
                 "host root '%s' is not a directory", root);
    return NULL;
  }
  /* resolve symlinks once so messages and libpci see one spelling */
  canonical = realpath (absolute, NULL);
  if (canonical == NULL)
    canonical = g_strdup (absolute);

  host = g_new0 (VmctlHost, 1);
  host->ref_count = 1;
  host->root = g_strcmp0 (canonical, "/") == 0 ? g_strdup ("") : g_steal_pointer (&canonical);
  return host;
}

VmctlHost *
vmctl_host_ref (VmctlHost *host)
{
  g_return_val_if_fail (host != NULL, NULL);
  g_atomic_int_inc (&host->ref_count);
  return host;
}

void
vmctl_host_unref (VmctlHost *host)
{
  if (host == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&host->ref_count))
    return;
  g_free (host->root);
  g_free (host);
}

/**
 * vmctl_host_get_root:
 * Returns: (transfer none): the root directory, "/" for the real host
 */
const gchar *
vmctl_host_get_root (VmctlHost *host)
{
  return host->root[0] == '\0' ? "/" : host->root;
}

gboolean
vmctl_host_is_real (VmctlHost *host)
{
  return host->root[0] == '\0';
}

/**
 * vmctl_host_path:
 * @absolute_path: a path as it is on the host, starting with "/"
 *
 * Returns: (transfer full): the same path under the host root
 */
gchar *
vmctl_host_path (VmctlHost *host, const gchar *absolute_path)
{
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (absolute_path != NULL && absolute_path[0] == '/', NULL);
  return g_strconcat (host->root, absolute_path, NULL);
}

/**
 * vmctl_host_pathv:
 * @first: the first component, an absolute host path
 * @...: further components, NULL-terminated
 *
 * Returns: (transfer full): the components joined under the host root
 */
gchar *
vmctl_host_pathv (VmctlHost *host, const gchar *first, ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree gchar *joined = NULL;
  va_list args;

  g_return_val_if_fail (first != NULL && first[0] == '/', NULL);
  va_start (args, first);
  for (const gchar *part = first; part != NULL; part = va_arg (args, const gchar *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  joined = g_build_filenamev ((gchar **) parts->pdata);
  return vmctl_host_path (host, joined);
}

gboolean
vmctl_host_exists (VmctlHost *host, const gchar *absolute_path)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/**
 * vmctl_host_is_directory:
 *
 * Returns: TRUE when @absolute_path is a directory under the root, not a
 * symlink to one: a path built below it then stays where it says (sysfs
 * driver directories are real directories)
 */
gboolean
vmctl_host_is_directory (VmctlHost *host, const gchar *absolute_path)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

/**
 * vmctl_host_read:
 * @out_contents: (out) (transfer full): the whole file, NUL-terminated
 * @out_length: (out) (optional): its length
 * @error: VMCTL_HOST_ERROR_NOT_FOUND or VMCTL_HOST_ERROR_READ
 */
gboolean
vmctl_host_read (VmctlHost *host, const gchar *absolute_path,
                 gchar **out_contents, gsize *out_length, GError **error)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  /* sysfs reports st_size 4096 for every attribute; GLib reads to EOF */
  if (!g_file_get_contents (path, &contents, &length, &local_error)) {
    gboolean missing = g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

    g_set_error (error, VMCTL_HOST_ERROR,
                 missing ? VMCTL_HOST_ERROR_NOT_FOUND : VMCTL_HOST_ERROR_READ,
                 "%s: %s", absolute_path,
                 missing ? "no such file" : local_error->message);
    return FALSE;
  }
  *out_contents = g_steal_pointer (&contents);
  if (out_length != NULL)
    *out_length = length;
  return TRUE;
}

/**
 * vmctl_host_read_line:
 *
 * Returns: (transfer full): the first line without surrounding white space;
 * NULL with VMCTL_HOST_ERROR_EMPTY when there is none
 */
gchar *
vmctl_host_read_line (VmctlHost *host, const gchar *absolute_path, GError **error)
{
  g_autofree gchar *contents = NULL;
  gchar *newline;

  if (!vmctl_host_read (host, absolute_path, &contents, NULL, error))
    return NULL;
  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);
  if (contents[0] == '\0') {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_EMPTY,
                 "%s: empty", absolute_path);
    return NULL;
  }
  return g_steal_pointer (&contents);
}

/**
 * vmctl_host_read_hex:
 * Reads a sysfs number such as "0x10de" or "10de".
 */
gboolean
vmctl_host_read_hex (VmctlHost *host, const gchar *absolute_path, guint64 *out_value, GError **error)
{
  g_autofree gchar *line = vmctl_host_read_line (host, absolute_path, error);
  guint64 value = 0;
  const gchar *digits;

  if (line == NULL)
    return FALSE;
  digits = g_str_has_prefix (line, "0x") || g_str_has_prefix (line, "0X") ? line + 2 : line;
  if (!g_ascii_string_to_unsigned (digits, 16, 0, G_MAXUINT64, &value, NULL)) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ,
                 "%s: '%s' is not a hexadecimal number", absolute_path, line);
    return FALSE;
  }
  *out_value = value;
  return TRUE;
}

/**
 * vmctl_host_read_link_name:
 *
 * Returns: (transfer full) (nullable): the last component of the symlink's
 * target ("nvidia" for a driver link, "14" for iommu_group), or NULL when
 * @absolute_path is not a symlink
 */
gchar *
vmctl_host_read_link_name (VmctlHost *host, const gchar *absolute_path)
{
  g_autofree gchar *target = vmctl_host_read_link (host, absolute_path);

  if (target == NULL)
    return NULL;
  return g_path_get_basename (target);
}

/**
 * vmctl_host_read_link:
 *
 * Returns: (transfer full) (nullable): the symlink's target as stored
 * ("/dev/dri/card1" for a /proc/PID/fd entry: a host path, not resolved
 * under the root), or NULL when @absolute_path is not a symlink
 */
gchar *
vmctl_host_read_link (VmctlHost *host, const gchar *absolute_path)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);

  return g_file_read_link (path, NULL);
}

/**
 * vmctl_host_write:
 * @value: written with one write(2), as sysfs attributes require (a store
 *   handler sees exactly one buffer); nothing is appended
 * @error: VMCTL_HOST_ERROR_NOT_FOUND when the file does not exist,
 *   VMCTL_HOST_ERROR_WRITE when open or write fails (the kernel's answer,
 *   e.g. "No such device", is in the message)
 *
 * Writes a control file such as driver_override, drivers_probe or
 * nr_hugepages. The file is never created: sysfs and procfs files exist or
 * the write is wrong. O_TRUNC, as `echo N >` does: the kernel ignores it,
 * and a fake tree's plain file then holds exactly the value written.
 */
gboolean
vmctl_host_write (VmctlHost *host, const gchar *absolute_path, const gchar *value,
                  GError **error)
{
  g_autofree gchar *path = vmctl_host_path (host, absolute_path);
  gsize length = strlen (value);
  ssize_t written;
  int fd, saved;

  fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    saved = errno;
    g_set_error (error, VMCTL_HOST_ERROR,
                 saved == ENOENT ? VMCTL_HOST_ERROR_NOT_FOUND : VMCTL_HOST_ERROR_WRITE,
                 "%s: %s", absolute_path, g_strerror (saved));
    return FALSE;
  }
  do
    written = write (fd, value, length);
  while (written < 0 && errno == EINTR);
  saved = errno;
  if (close (fd) < 0 && written >= 0) {
    written = -1;
    saved = errno;
  }
  if (written < 0 || (gsize) written != length) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE, "%s: %s", absolute_path,
                 written < 0 ? g_strerror (saved) : "short write");
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_host_unescape_field: (skip)
 * @field: one whitespace-separated field of /proc/mounts,
 *   /proc/self/mountinfo or /proc/swaps
 *
 * The kernel writes a space, tab, newline or backslash in such a field as
 * a three-digit octal escape (\040, \011, \012, \134: seq_escape() in
 * fs/proc_namespace.c). Exactly those escapes, \001 to \377, are decoded;
 * any other backslash is an ordinary character. g_strcompress() would also
 * take C escapes, end the field at a \000 and warn on a trailing
 * backslash, which a host root can hold even though the kernel never
 * writes one.
 *
 * Returns: (transfer full): the field as the kernel had it
 */
gchar *
vmctl_host_unescape_field (const gchar *field)
{
  GString *decoded = g_string_sized_new (strlen (field));

  for (const gchar *p = field; *p != '\0'; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7'
        && p[3] >= '0' && p[3] <= '7') {
      gint value = (p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0');

      if (value != 0) {
        g_string_append_c (decoded, (gchar) value);
        p += 3;
        continue;
      }
    }
    g_string_append_c (decoded, *p);
  }
  return g_string_free (decoded, FALSE);
}
