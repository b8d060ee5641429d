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
 * relocated installs). Otherwise @relative is taken from the installed
 * data directory when it is there, else from the source tree's data/, so
 * an uninstalled build in the source tree just works, also on a machine
 * where an older vmctl is installed that lacks a file this one needs.
 *
 * Returns: (transfer full): the full path; it may not exist (then the
 * installed one if there is an install, for the error to name)
 */
gchar *
vmctl_data_path (const gchar *relative)
{
  const gchar *directory = g_getenv ("VMCTL_DATA_DIR");
  g_autofree gchar *installed = NULL;
  g_autofree gchar *source = NULL;

  g_return_val_if_fail (relative != NULL, NULL);
  if (directory != NULL && directory[0] != '\0')
    return g_build_filename (directory, relative, NULL);
  installed = g_build_filename (VMCTL_INSTALLED_DATA_DIR, relative, NULL);
  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&installed);
  source = g_build_filename (VMCTL_SOURCE_DATA_DIR, relative, NULL);
  if (g_file_test (source, G_FILE_TEST_EXISTS)
      || !g_file_test (VMCTL_INSTALLED_DATA_DIR, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&source);
  return g_steal_pointer (&installed);
}
