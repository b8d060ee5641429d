/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-uninstalled.c: the data directories of an uninstalled build.
 *
 * The binary meson builds is the binary it installs, so nothing about the
 * build tree may be compiled in: a package is built in a directory that
 * is gone (or someone else's) when it is installed. Instead meson writes
 * vmctl-uninstalled.ini next to the programs that run from the build tree
 * (build/src/cli/, build/tests/), naming the source tree's data/ and
 * xml-templates/. An installed vmctl has no such file beside it and uses
 * the installed data. */
#include "vmctl-uninstalled.h"
#include "vmctl-glib-util.h"

#define UNINSTALLED_FILE "vmctl-uninstalled.ini"
#define UNINSTALLED_GROUP "uninstalled"

/**
 * vmctl_uninstalled_dir:
 * @key: VMCTL_UNINSTALLED_DATA_DIR or VMCTL_UNINSTALLED_TEMPLATE_DIR
 *
 * This process's own executable is asked through the real /proc, not the
 * host root: it is about where this vmctl came from, not about the host it
 * inspects. A value is used only when it is an absolute path to an
 * existing directory, so a stale or broken file falls through to the
 * installed data instead of into a half-found tree.
 *
 * Returns: (transfer full) (nullable): the directory the build tree's
 * vmctl-uninstalled.ini names for @key, or NULL when this program is not
 * an uninstalled build (no file beside it, or no usable value)
 */
gchar *
vmctl_uninstalled_dir (const gchar *key)
{
  g_autofree gchar *executable = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *directory = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *value = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();

  g_return_val_if_fail (key != NULL, NULL);
  if (executable == NULL)
    return NULL;
  directory = g_path_get_dirname (executable);
  path = g_build_filename (directory, UNINSTALLED_FILE, NULL);
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  value = vmctl_key_file_get_string (file, UNINSTALLED_GROUP, key, NULL);
  if (value == NULL || !g_path_is_absolute (value)
      || !g_file_test (value, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_steal_pointer (&value);
}
