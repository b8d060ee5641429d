/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vmctl-test-host.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define STANDIN_HEADER \
  "#!/bin/sh\n" \
  "name=$(basename \"$0\")\n" \
  "echo \"$name $*\" >> \"$VMCTL_TEST_STANDINS/log\"\n" \
  "if [ -e \"$VMCTL_TEST_STANDINS/fail-$name\" ]; then\n" \
  "  rm -f \"$VMCTL_TEST_STANDINS/fail-$name\"; echo \"$name: injected failure\" >&2; exit 1\n" \
  "fi\n" \
  "if [ -e \"$VMCTL_TEST_STANDINS/kill-$name\" ]; then\n" \
  "  rm -f \"$VMCTL_TEST_STANDINS/kill-$name\"; kill -9 $PPID; exit 1\n" \
  "fi\n"

static const gchar * const default_standins[] = {
  "update-grub", "grub-mkconfig", "grub2-mkconfig", "kernel-install", "kernelstub",
  "update-initramfs", "dracut", "mkinitcpio", NULL,
};

void
vmctl_test_host_standin (HostFixture *fixture, const gchar *name, const gchar *body)
{
  g_autofree gchar *path = g_build_filename (fixture->standins, name, NULL);
  g_autofree gchar *script = g_strconcat (STANDIN_HEADER, body != NULL ? body : "exit 0\n", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

void
vmctl_test_host_setup (HostFixture *fixture, const gchar *scenario)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *log = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->state_dir = g_build_filename (fixture->root, "var/lib/vmctl", NULL);
  fixture->standins = g_dir_make_tmp ("vmctl-standins-XXXXXX", &error);
  g_assert_no_error (error);
  log = g_build_filename (fixture->standins, "log", NULL);
  g_file_set_contents (log, "", 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; default_standins[i] != NULL; i++)
    vmctl_test_host_standin (fixture, default_standins[i], NULL);
  fixture->env = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (fixture->env, g_strdup_printf ("PATH=%s:%s", fixture->standins,
                                                  g_getenv ("PATH")));
  g_ptr_array_add (fixture->env, g_strdup_printf ("VMCTL_TEST_STANDINS=%s", fixture->standins));
  g_ptr_array_add (fixture->env, g_strdup_printf ("VMCTL_SIM_ROOT=%s", fixture->root));
  g_ptr_array_add (fixture->env, g_strdup ("VMCTL_BIND_TIMEOUT_MS=300"));
  g_ptr_array_add (fixture->env, g_strdup ("VMCTL_LOCK_TIMEOUT_MS=2000"));
  g_ptr_array_add (fixture->env, NULL);
}

void
vmctl_test_host_teardown (HostFixture *fixture)
{
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->standins);
  g_free (fixture->root);
  g_free (fixture->state_dir);
  g_free (fixture->standins);
  g_ptr_array_unref (fixture->env);
}

static void
touch (const gchar *directory, const gchar *name)
{
  g_autofree gchar *path = g_build_filename (directory, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
}

void
vmctl_test_host_fail_next (HostFixture *fixture, const gchar *name)
{
  g_autofree gchar *flag = g_strconcat ("fail-", name, NULL);

  touch (fixture->standins, flag);
}

void
vmctl_test_host_kill_next (HostFixture *fixture, const gchar *name)
{
  g_autofree gchar *flag = g_strconcat ("kill-", name, NULL);

  touch (fixture->standins, flag);
}

gchar **
vmctl_test_host_take_commands (HostFixture *fixture)
{
  g_autofree gchar *log = g_build_filename (fixture->standins, "log", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) error = NULL;
  gchar **lines;

  g_file_get_contents (log, &contents, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (log, "", 0, &error);
  g_assert_no_error (error);
  g_strchomp (contents);
  lines = contents[0] != '\0' ? g_strsplit (contents, "\n", -1) : g_new0 (gchar *, 1);
  /* "update-grub " without arguments: the stand-in's echo adds a space */
  for (guint i = 0; lines[i] != NULL; i++)
    g_strchomp (lines[i]);
  return lines;
}

VmctlTestRun *
vmctl_test_host_run (HostFixture *fixture, const gchar * const *extra_env,
                     const gchar * const *words)
{
  g_autoptr(GPtrArray) env = g_ptr_array_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  for (guint i = 0; i + 1 < fixture->env->len; i++)
    g_ptr_array_add (env, g_ptr_array_index (fixture->env, i));
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    g_ptr_array_add (env, (gpointer) extra_env[i]);
  g_ptr_array_add (env, NULL);
  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, fixture->root);
  g_ptr_array_add (argv, (gpointer) "--state-dir");
  g_ptr_array_add (argv, fixture->state_dir);
  for (guint i = 0; words[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) words[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl_env ((const gchar * const *) env->pdata,
                                   (const gchar * const *) argv->pdata);
}

VmctlTestRun *
vmctl_test_host_run_joined (HostFixture *fixture, const gchar * const *head,
                            const gchar * const *words, const gchar * const *tail)
{
  const gchar * const *parts[] = { head, words, tail };
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
    for (guint i = 0; parts[p] != NULL && parts[p][i] != NULL; i++)
      g_ptr_array_add (all, (gpointer) parts[p][i]);
  g_ptr_array_add (all, NULL);
  return vmctl_test_host_run (fixture, NULL, (const gchar * const *) all->pdata);
}

static void
snapshot_dir (GHashTable *table, const gchar *root, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISLNK (st.st_mode)) {
    g_autofree gchar *target = g_file_read_link (path, NULL);

    g_hash_table_insert (table, g_strdup (relative), g_strdup_printf ("link %s", target));
    return;
  }
  if (S_ISREG (st.st_mode)) {
    g_autofree gchar *contents = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    g_hash_table_insert (table, g_strdup (relative),
                         g_strdup_printf ("file %o %u:%u %s", st.st_mode & 07777,
                                          (guint) st.st_uid, (guint) st.st_gid, contents));
    return;
  }
  g_hash_table_insert (table, g_strdup (relative), g_strdup_printf ("dir %o", st.st_mode & 07777));
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *child = g_build_filename (relative, name, NULL);

    snapshot_dir (table, root, child);
  }
}

GHashTable *
vmctl_test_host_snapshot (HostFixture *fixture, const gchar * const *dirs)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; dirs[i] != NULL; i++)
    snapshot_dir (table, fixture->root, dirs[i]);
  return table;
}

void
vmctl_test_host_assert_same (GHashTable *before, GHashTable *after)
{
  g_autoptr(GString) differences = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    const gchar *now = g_hash_table_lookup (after, key);

    if (now == NULL)
      g_string_append_printf (differences, "\n  gone: %s", (const gchar *) key);
    else if (strcmp (now, value) != 0)
      g_string_append_printf (differences, "\n  changed: %s\n    was: %s\n    now: %s",
                              (const gchar *) key, (const gchar *) value, now);
  }
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (before, key))
      g_string_append_printf (differences, "\n  new: %s", (const gchar *) key);
  if (differences->len > 0)
    g_error ("the host is not as before:%s", differences->str);
}

gchar *
vmctl_test_host_read (HostFixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

void
vmctl_test_host_assert_file_has (HostFixture *fixture, const gchar *relative,
                                 const gchar *needle)
{
  g_autofree gchar *contents = vmctl_test_host_read (fixture, relative);

  if (contents == NULL || strstr (contents, needle) == NULL)
    g_error ("%s does not hold '%s'; it is:\n%s", relative, needle,
             contents != NULL ? contents : "(missing)");
}
