/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-command.c: running a host command by argument vector. No
 * shell ever sees a word of it (no system(), no popen()): a kernel version
 * or a path is one argument whatever bytes it holds. */
#include "vmctl-host-command.h"

#include <gio/gio.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-host-command-error-quark, vmctl_host_command_error)

/* the running kernel's image for kernel-install: where the distributions
 * put it (Fedora and Arch keep it beside the modules, Debian in /boot) */
static gchar *
kernel_image (VmctlHost *host, const gchar *version)
{
  g_autofree gchar *usr_lib = g_build_filename ("/usr/lib/modules", version, "vmlinuz", NULL);
  g_autofree gchar *lib = g_build_filename ("/lib/modules", version, "vmlinuz", NULL);

  if (vmctl_host_exists (host, usr_lib))
    return g_steal_pointer (&usr_lib);
  if (vmctl_host_exists (host, lib))
    return g_steal_pointer (&lib);
  return g_strconcat ("/boot/vmlinuz-", version, NULL);
}

/**
 * vmctl_host_command_argv:
 * @name: a regeneration command, as host-change records name it
 *   ("update-grub", "grub2-mkconfig", "kernel-install", "dracut"...)
 * @parameter: (nullable): its one parameter: the grub.cfg to write, the
 *   kernel version for kernel-install; validated by the record first
 *
 * The argument vector is built here from the name, never stored: a record
 * read back can choose among these commands, not say what to run.
 *
 * Returns: (transfer full): the argument vector, NULL for an unknown name
 */
gchar **
vmctl_host_command_argv (VmctlHost *host, const gchar *name, const gchar *parameter)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, name);
  if (g_strcmp0 (name, "update-grub") == 0 || g_strcmp0 (name, "kernelstub") == 0) {
    /* update-grub writes the grub.cfg it knows; kernelstub applies its
     * configuration file to the loader entries */
  } else if (g_strcmp0 (name, "grub-mkconfig") == 0 || g_strcmp0 (name, "grub2-mkconfig") == 0) {
    g_strv_builder_add_many (builder, "-o", parameter, NULL);
  } else if (g_strcmp0 (name, "kernel-install") == 0) {
    g_autofree gchar *image = kernel_image (host, parameter);

    g_strv_builder_add_many (builder, "add", parameter, image, NULL);
  } else if (g_strcmp0 (name, "update-initramfs") == 0) {
    g_strv_builder_add_many (builder, "-u", "-k", "all", NULL);
  } else if (g_strcmp0 (name, "dracut") == 0) {
    g_strv_builder_add_many (builder, "--force", "--regenerate-all", NULL);
  } else if (g_strcmp0 (name, "mkinitcpio") == 0) {
    g_strv_builder_add (builder, "-P");
  } else {
    return NULL;
  }
  return g_strv_builder_end (builder);
}

/**
 * vmctl_host_command_format:
 * Returns: (transfer full): @argv as one line for people ("update-grub",
 *   "grub2-mkconfig -o /boot/grub2/grub.cfg"); words with spaces quoted
 */
gchar *
vmctl_host_command_format (const gchar * const *argv)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++) {
    g_autofree gchar *word = strpbrk (argv[i], " \t'\"\\") != NULL || argv[i][0] == '\0'
                             ? g_shell_quote (argv[i]) : g_strdup (argv[i]);

    g_string_append_printf (line, "%s%s", i > 0 ? " " : "", word);
  }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/**
 * vmctl_host_command_run:
 * @argv: the program (looked up on PATH) and its arguments
 * @error: VMCTL_HOST_COMMAND_ERROR_MISSING when the program is not on PATH,
 *   _FAILED when it exits with a status other than 0 or dies (its last
 *   line of stderr in the message)
 */
gboolean
vmctl_host_command_run (const gchar * const *argv, GError **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *errors = NULL;
  g_autofree gchar *line = vmctl_host_command_format (argv);
  g_autofree gchar *program = g_find_program_in_path (argv[0]);

  if (program == NULL) {
    g_set_error (error, VMCTL_HOST_COMMAND_ERROR, VMCTL_HOST_COMMAND_ERROR_MISSING,
                 "cannot run '%s': %s is not installed (not on PATH)", line, argv[0]);
    return FALSE;
  }
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                     | G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error);
  if (process == NULL
      || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &errors, &local_error)) {
    g_set_error (error, VMCTL_HOST_COMMAND_ERROR, VMCTL_HOST_COMMAND_ERROR_FAILED,
                 "cannot run '%s': %s", line, local_error->message);
    return FALSE;
  }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0) {
    g_autofree gchar *stripped = g_strstrip (g_strdup (errors != NULL ? errors : ""));
    const gchar *last = strrchr (stripped, '\n');

    g_set_error (error, VMCTL_HOST_COMMAND_ERROR, VMCTL_HOST_COMMAND_ERROR_FAILED,
                 "'%s' failed: %s", line,
                 stripped[0] == '\0' ? "no reason given" : last != NULL ? last + 1 : stripped);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_host_command_modprobe:
 * Returns: (transfer none): the modprobe to run: $VMCTL_MODPROBE (a test's
 *   recording stand-in, as the vfio engine honours it), else "modprobe"
 */
const gchar *
vmctl_host_command_modprobe (void)
{
  const gchar *program = g_getenv ("VMCTL_MODPROBE");

  return program != NULL && program[0] != '\0' ? program : "modprobe";
}
