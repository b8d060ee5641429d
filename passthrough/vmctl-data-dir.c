/* vmctl-data-dir.c: the data directory: $VMCTL_DATA_DIR, the installed
 * one, or the source tree's data/. */
#include "vmctl-data-dir.h"

#include "vmctl-config.h"

/**
 * vmctl_data_path:
 * @relative: a path inside vmctl's data directory, e.g.
 *   "quirks/reset-bug.conf"
 *
 * The data directory is $VMCTL_DATA_DIR when set and not empty (tests,
 * relocated installs), else the installed one when it exists, else the
 * source tree's data/ so an uninstalled build in the source tree just works.
 *
 * Returns: (transfer full): the full path; it may not exist
 */
gchar *
vmctl_data_path (const gchar *relative)
{
  const gchar *directory = g_getenv ("VMCTL_DATA_DIR");

  g_return_val_if_fail (relative != NULL, NULL);
  if (directory == NULL || directory[0] == '\0')
    directory = g_file_test (VMCTL_INSTALLED_DATA_DIR, G_FILE_TEST_IS_DIR)
                ? VMCTL_INSTALLED_DATA_DIR : VMCTL_SOURCE_DATA_DIR;
  return g_build_filename (directory, relative, NULL);
}
