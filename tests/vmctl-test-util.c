/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vmctl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

static const gchar *
source_root (void)
{
  const gchar *root = g_getenv ("VMCTL_SOURCE_ROOT");

  g_assert_nonnull (root);
  return root;
}

gchar *
vmctl_test_source_path (const gchar *relative)
{
  return g_build_filename (source_root (), relative, NULL);
}

static void
spawn_checked (const gchar * const *argv)
{
  g_autoptr(GError) error = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

gchar *
vmctl_test_copy_tree (const gchar *source)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tmp = g_dir_make_tmp ("vmctl-test-XXXXXX", &error);
  g_autofree gchar *source_dot = g_build_filename (source, ".", NULL);
  /* cp -a keeps the relative symlinks that make the tree a faithful sysfs */
  const gchar *argv[] = { "cp", "-a", source_dot, NULL, NULL };

  g_assert_no_error (error);
  g_assert_true (g_file_test (source, G_FILE_TEST_IS_DIR));
  argv[3] = tmp;
  spawn_checked (argv);
  return g_steal_pointer (&tmp);
}

gchar *
vmctl_test_copy_scenario (const gchar *scenario)
{
  g_autofree gchar *relative = g_build_filename ("tests/data/sysfs", scenario, NULL);
  g_autofree gchar *source = vmctl_test_source_path (relative);

  return vmctl_test_copy_tree (source);
}

/* g_ptr_array_sort() passes pointers to the elements */
static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

GPtrArray *
vmctl_test_scenarios (void)
{
  g_autofree gchar *directory = vmctl_test_source_path ("tests/data/sysfs");
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

void
vmctl_test_remove_tree (const gchar *path)
{
  const gchar *argv[] = { "rm", "-rf", path, NULL };

  if (path == NULL)
    return;
  /* only ever our own temporary directories */
  g_assert_true (g_str_has_prefix (path, g_get_tmp_dir ()));
  spawn_checked (argv);
}

gchar *
vmctl_test_libvirt_uri (const gchar *scenario)
{
  g_autofree gchar *name = g_strconcat (scenario, ".xml", NULL);
  g_autofree gchar *path = g_build_filename (source_root (), "tests/data/libvirt", name, NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return g_strconcat ("test://", path, NULL);
}

const gchar *
vmctl_test_e2e_uri (void)
{
  const gchar *uri = g_getenv ("VMCTL_E2E_URI");

  if (uri != NULL && *uri != '\0')
    return uri;
  if (g_strcmp0 (g_getenv ("VMCTL_E2E_REQUIRED"), "1") == 0)
    g_error ("VMCTL_E2E_REQUIRED=1 but VMCTL_E2E_URI is not set");
  g_test_skip ("VMCTL_E2E_URI not set (tests/run-all.sh starts libvirtd and sets it)");
  return NULL;
}

void
vmctl_test_write (const gchar *root, const gchar *relative, const gchar *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = g_build_filename (root, relative, NULL);
  g_autofree gchar *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
vmctl_test_unlink (const gchar *root, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (root, relative, NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
}

VmctlTestRun *
vmctl_test_run_vmctl (const gchar * const *argv)
{
  return vmctl_test_run_vmctl_env (NULL, argv);
}

VmctlTestRun *
vmctl_test_run_vmctl_env (const gchar * const *environment, const gchar * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  const gchar *binary = g_getenv ("VMCTL_BIN");
  VmctlTestRun *run = g_new0 (VmctlTestRun, 1);
  gint status = 0;

  g_assert_nonnull (binary);
  for (guint i = 0; environment != NULL && environment[i] != NULL; i++) {
    g_auto(GStrv) pair = g_strsplit (environment[i], "=", 2);

    g_assert_nonnull (pair[1]);
    envp = g_environ_setenv (envp, pair[0], pair[1], TRUE);
  }
  g_ptr_array_add (full, (gpointer) binary);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (gpointer) argv[i]);
  g_ptr_array_add (full, NULL);
  g_spawn_sync (NULL, (gchar **) full->pdata, envp, G_SPAWN_DEFAULT,
                NULL, NULL, &run->out, &run->err, &status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (status))
    run->exit_status = WEXITSTATUS (status);
  else
    run->exit_status = 128 + WTERMSIG (status);  /* a crash is never 0/1/2 */
  return run;
}

VmctlTestRun *
vmctl_test_run_vmctlv (const gchar *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

void
vmctl_test_run_free (VmctlTestRun *run)
{
  if (run == NULL)
    return;
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

/**
 * vmctl_test_sim_driver:
 * Returns: the driver @address is bound to in @root, NULL when none
 */
gchar *
vmctl_test_sim_driver (const gchar *root, const gchar *address)
{
  g_autofree gchar *path = g_strdup_printf ("%s/sys/bus/pci/devices/%s/driver", root, address);
  g_autofree gchar *target = g_file_read_link (path, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

gchar *
vmctl_test_sim_override (const gchar *root, const gchar *address)
{
  g_autofree gchar *path = g_strdup_printf ("%s/sys/bus/pci/devices/%s/driver_override", root,
                                            address);
  gchar *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return g_strstrip (contents);
}

/**
 * vmctl_test_sim_take_log:
 * Returns: (transfer full): one "NAME VALUE" line per write the simulated
 * kernel saw since the last call (its .sim/log must exist)
 */
gchar **
vmctl_test_sim_take_log (const gchar *root)
{
  g_autofree gchar *path = g_build_filename (root, ".sim/log", NULL);
  g_autofree gchar *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  vmctl_test_write (root, ".sim/log", "");
  g_strchomp (contents);
  return contents[0] != '\0' ? g_strsplit (contents, "\n", -1) : g_new0 (gchar *, 1);
}

gint
vmctl_test_journal_files (const gchar *state_dir)
{
  g_autofree gchar *path = g_build_filename (state_dir, "journal", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  gint n = 0;

  if (dir == NULL)
    return -1;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}
