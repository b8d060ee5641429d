/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-create-safety.c: vmctl create through the binary, on what the
 * other create tests cannot see: memory errors in uninstrumented libraries
 * (valgrind over the real command), GLib's warnings on a broken profile
 * file, and disks whose type is decided by what the path is, not by how it
 * is spelled. */
#include "vmctl-test-block.h"
#include "vmctl-test-cli.h"

#include <glib/gstdio.h>
#include <string.h>

/* ---- memory: valgrind over the real command ----------------------------- */

/* Exit status valgrind gives when it found an error (--error-exitcode). */
#define VALGRIND_ERROR_EXIT 9

/* The builder frees template nodes that an XPath result still points at;
 * libxml2 reads them when the result is freed. ASan does not see reads
 * inside libxml2 (it is not instrumented), valgrind does. */
static void
test_create_under_valgrind (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *valgrind = g_find_program_in_path ("valgrind");
  const gchar *binary = g_getenv ("VMCTL_BIN");
  const gchar * const profiles[] = { "gaming", "workstation", "minimal" };

#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("valgrind cannot run a binary built with AddressSanitizer");
  return;
#endif
  if (valgrind == NULL) {
    g_test_skip ("valgrind is not installed (contrib/scripts/install-deps.sh installs it)");
    return;
  }
  g_assert_nonnull (binary);
  for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++) {
    const gchar *argv[] = {
      valgrind, "--quiet", "--error-exitcode=" G_STRINGIFY (VALGRIND_ERROR_EXIT),
      binary, "--host-root", fixture->root, "create", "g", "--gpu", "01:00.0",
      "--profile", profiles[i], "--print-xml", NULL,
    };
    g_autofree gchar *out = NULL;
    g_autofree gchar *err = NULL;
    g_autoptr(GError) error = NULL;
    gint status = 0;

    g_test_message ("valgrind: create --profile %s", profiles[i]);
    g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    /* valgrind's report on stderr: TAP reads stdout */
    if (!g_spawn_check_wait_status (status, NULL)) {
      g_printerr ("%s", err);
      g_error ("create --profile %s under valgrind: wait status %d", profiles[i], status);
    }
    g_assert_null (strstr (err, "Invalid read"));
    g_assert_null (strstr (err, "Invalid free"));
    g_assert_nonnull (strstr (out, "<domain"));
  }
}

/* ---- a broken profile file ------------------------------------------------- */

/* A value with an invalid escape, before a key that is bad too: one line
 * naming the first key, and no GLib warning about an error set over
 * another (the second key's error used to overwrite the first's). */
static void
test_profile_bad_escape (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *data_dir = g_dir_make_tmp ("vmctl-profile-XXXXXX", NULL);
  g_autofree gchar *environment = g_strconcat ("VMCTL_DATA_DIR=", data_dir, NULL);
  g_autoptr(VmctlTestRun) run = NULL;

  vmctl_test_write (data_dir, "profiles/bad.conf",
                    "[profile]\ndescription=a\\qb\n[memory]\nsize=16X\n");
  run = vmctl_test_run_vmctl_env ((const gchar *[]) { environment, NULL }, (const gchar *[]) {
    "--host-root", fixture->root, "create", "g", "--profile", "bad", "--print-xml", NULL
  });
  vmctl_test_remove_tree (data_dir);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpstr (run->out, ==, "");
  vmctl_test_assert_one_error_line (run);
  g_assert_nonnull (strstr (run->err, "[profile] description: "));
  g_assert_null (strstr (run->err, "size"));
  g_assert_null (strstr (run->err, "GLib"));
}

/* ---- disks: what the path is, not how it is spelled ------------------------ */

/* "vmctl --host-root ROOT create d --profile minimal --disk PATH --print-xml
 * [EXTRA]" */
static VmctlTestRun *
create_with_disk (const CliFixture *fixture, const gchar *path, const gchar *extra)
{
  return vmctl_test_run_vmctlv ("--host-root", fixture->root, "create", "d", "--profile",
                                "minimal", "--network", "none", "--disk", path, "--print-xml",
                                extra, NULL);
}

/* the one <disk> of the printed XML: its type and its source path */
static void
assert_disk (const VmctlTestRun *run, const gchar *type, const gchar *attribute,
             const gchar *path)
{
  g_autofree gchar *disk = g_strdup_printf ("<disk type=\"%s\" device=\"disk\">", type);
  g_autofree gchar *source = g_strdup_printf ("<source %s=\"%s\"/>", attribute, path);

  if (run->exit_status != 0)
    g_error ("create exited %d: %s", run->exit_status, run->err);
  g_assert_nonnull (strstr (run->out, disk));
  g_assert_nonnull (strstr (run->out, source));
}

static void
test_disk_shm_file (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = vmctl_test_block_shm_file ();
  g_autoptr(VmctlTestRun) run = NULL;

  if (path == NULL)
    return;
  run = create_with_disk (fixture, path, NULL);
  g_unlink (path);
  assert_disk (run, "file", "file", path);
}

/* a link to a block device, mounted on the host through a partition:
 * refused (exit 1, one line naming the mount and --force), then given to
 * the VM with --force and a note */
static void
test_disk_block_link (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *node = g_build_filename (fixture->root, "blk", NULL);
  g_autofree gchar *link = g_build_filename (fixture->root, "by-id-disk", NULL);
  g_autoptr(VmctlTestRun) free_disk = NULL;
  g_autoptr(VmctlTestRun) refused = NULL;
  g_autoptr(VmctlTestRun) forced = NULL;

  if (!vmctl_test_block_node (node, link, 7, 200))
    return;
  vmctl_test_block_sysfs (fixture->root, "loop200", 7, 200, NULL);
  vmctl_test_block_sysfs (fixture->root, "loop200p1", 259, 77, "loop200");
  free_disk = create_with_disk (fixture, link, NULL);
  assert_disk (free_disk, "block", "dev", link);
  g_assert_cmpstr (free_disk->err, ==, "");

  vmctl_test_write (fixture->root, "proc/self/mountinfo",
                    "31 1 259:77 / /srv/data rw,relatime - ext4 /dev/loop200p1 rw\n");
  refused = create_with_disk (fixture, link, NULL);
  g_assert_cmpint (refused->exit_status, ==, 1);
  g_assert_cmpstr (refused->out, ==, "");
  vmctl_test_assert_one_error_line (refused);
  g_assert_nonnull (strstr (refused->err, "/dev/loop200p1 under it is mounted on /srv/data"));
  g_assert_nonnull (strstr (refused->err, "--force"));

  forced = create_with_disk (fixture, link, "--force");
  assert_disk (forced, "block", "dev", link);
  g_assert_nonnull (strstr (forced->err, "vmctl: note: --disk"));
  g_assert_nonnull (strstr (forced->err, "/srv/data"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_cli_test ("/vmctl/cli/create-safety/valgrind", "clean-gpu-audio",
                test_create_under_valgrind);
  add_cli_test ("/vmctl/cli/create-safety/profile-bad-escape", "clean-gpu-audio",
                test_profile_bad_escape);
  add_cli_test ("/vmctl/cli/create-safety/disk-shm-file", "clean-gpu-audio",
                test_disk_shm_file);
  add_cli_test ("/vmctl/cli/create-safety/disk-block-link", "clean-gpu-audio",
                test_disk_block_link);
  return g_test_run ();
}
