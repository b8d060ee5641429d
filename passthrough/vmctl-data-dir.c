/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-data-dir.c: the data directory: $VMCTL_DATA_DIR, the source
 * tree's data/ for an uninstalled build, or the installed one. */
#include "vmctl-data-dir.h"

#include "vmctl-config.h"
#include "vmctl-uninstalled.h"

/**
 * vmctl_data_path:
 * @relative: a path inside vmctl's data directory, e.g.
 *   "quirks/reset-bug.conf"
 *
 * The data directory is $VMCTL_DATA_DIR when set and not empty (tests,
 * relocated installs), else the source tree's data/ for a vmctl run from
 * its build tree (vmctl_uninstalled_dir(): an uninstalled build uses its
 * own tree even where an older vmctl is installed), else the installed
 * one.
 *
 * Returns: (transfer full): the full path; it may not exist
 */
gchar *
vmctl_data_path (const gchar *relative)
{
  const gchar *directory = g_getenv ("VMCTL_DATA_DIR");
  g_autofree gchar *uninstalled = NULL;

  g_return_val_if_fail (relative != NULL, NULL);
  if (directory == NULL || directory[0] == '\0')
    directory = uninstalled = vmctl_uninstalled_dir (VMCTL_UNINSTALLED_DATA_DIR);
  if (directory == NULL)
    directory = VMCTL_INSTALLED_DATA_DIR;
  return g_build_filename (directory, relative, NULL);
}
