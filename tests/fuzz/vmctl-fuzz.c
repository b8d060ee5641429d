/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-fuzz.c: the harnesses' common setup. */
#include "vmctl-fuzz.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static gchar *host_root;
static VmctlHost *host;

/* A GLib warning or critical on some input is a bug vmctl must not ship
 * (a g_return_if_fail() that tripped, a GError set twice, a GLib function
 * fed what it refuses), but by default it is one line on stderr that
 * libFuzzer never reads. Abort instead, which libFuzzer reports as a crash
 * with the input that caused it; G_DEBUG=fatal-warnings would do the
 * same, but only when the runner remembers to set it. */
static GLogWriterOutput
abort_on_warnings (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                   gpointer user_data)
{
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return G_LOG_WRITER_HANDLED;  /* quiet: messages and debug output are not findings */
  g_log_writer_standard_streams (level, fields, n_fields, user_data);
  abort ();
}

/* Removes what vmctl_fuzz_host() and vmctl_fuzz_write_host_file() made:
 * the root, proc/ and the files in it. */
static void
remove_host_root (void)
{
  g_autofree gchar *proc = NULL;
  g_autoptr(GDir) directory = NULL;
  const gchar *name;

  if (host_root == NULL)
    return;
  g_clear_pointer (&host, vmctl_host_unref);
  proc = g_build_filename (host_root, "proc", NULL);
  directory = g_dir_open (proc, 0, NULL);
  while (directory != NULL && (name = g_dir_read_name (directory)) != NULL) {
    g_autofree gchar *path = g_build_filename (proc, name, NULL);

    g_unlink (path);
  }
  g_rmdir (proc);
  g_rmdir (host_root);
  g_clear_pointer (&host_root, g_free);
}

/* libFuzzer calls this once, before the first input */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (abort_on_warnings, NULL, NULL);
  return 0;
}

/**
 * vmctl_fuzz_text:
 * @max: the longest input worth parsing (VMCTL_FUZZ_MAX_INPUT or less)
 *
 * Returns: (transfer full) (nullable): the input as a NUL-terminated
 *   string (the parser sees it up to its first NUL, as it would a file's
 *   contents), or NULL when it is longer than @max
 */
gchar *
vmctl_fuzz_text (const uint8_t *data, size_t size, gsize max)
{
  gchar *text;

  if (size > max)
    return NULL;
  text = g_malloc (size + 1);

  if (size > 0)
    memcpy (text, data, size);
  text[size] = '\0';
  return text;
}

/**
 * vmctl_fuzz_host:
 *
 * An empty host root in a temporary directory, made on first use and
 * removed when the process exits: the parsers that also look for files
 * (a firmware image, /sys/module/kvm_amd) find nothing, every run alike.
 *
 * Returns: (transfer none): the host
 */
VmctlHost *
vmctl_fuzz_host (void)
{
  g_autoptr(GError) error = NULL;

  if (host != NULL)
    return host;
  host_root = g_dir_make_tmp ("vmctl-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  host = vmctl_host_new (host_root, &error);
  g_assert_no_error (error);
  atexit (remove_host_root);
  return host;
}

/**
 * vmctl_fuzz_write_host_file:
 * @name: a file directly in the host's /proc, such as "mounts"
 *
 * For the few readers that take only a host: write the input where they
 * look, in vmctl_fuzz_host()'s root.
 */
void
vmctl_fuzz_write_host_file (const gchar *name, const gchar *contents)
{
  g_autofree gchar *proc = vmctl_host_path (vmctl_fuzz_host (), "/proc");
  g_autofree gchar *path = g_build_filename (proc, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (strchr (name, '/'));
  g_assert_cmpint (g_mkdir_with_parents (proc, 0700), ==, 0);
  /* no fsync: the file lives for one input */
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
}
