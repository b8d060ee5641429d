/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-sim.c: helpers for the tests under the simulated kernel. */
#include "vmctl-test-sim.h"

#include <string.h>

void
vmctl_test_require_sim (const gchar *program)
{
  const gchar *preload = g_getenv ("LD_PRELOAD");

  if (preload == NULL || strstr (preload, "kernel-sim") == NULL) {
    g_printerr ("%s needs libvmctl-kernel-sim.so in LD_PRELOAD (see tests/meson.build)\n",
                program);
    exit (1);
  }
}

GSubprocess *
vmctl_test_sim_spawn (const gchar *root, const gchar *state_dir, const gchar *lock_ms,
                      guint seconds, const gchar * const *words)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "VMCTL_SIM_ROOT", root, TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  g_subprocess_launcher_setenv (launcher, "VMCTL_LOCK_TIMEOUT_MS", lock_ms, TRUE);
  g_ptr_array_add (argv, g_strdup ("timeout"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", seconds));
  g_ptr_array_add (argv, g_strdup (g_getenv ("VMCTL_BIN")));
  g_ptr_array_add (argv, g_strdup ("--host-root"));
  g_ptr_array_add (argv, g_strdup (root));
  g_ptr_array_add (argv, g_strdup ("--state-dir"));
  g_ptr_array_add (argv, g_strdup (state_dir));
  for (guint i = 0; words[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (words[i]));
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}
