/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-block.c: block devices for the tests of --disk (see
 * vmctl-test-block.h). */
#include "vmctl-test-block.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vmctl-test-util.h"

gboolean
vmctl_test_block_node (const gchar *path, const gchar *link, guint major, guint minor)
{
  if (mknod (path, S_IFBLK | 0600, makedev (major, minor)) != 0) {
    g_autofree gchar *why = g_strdup_printf ("cannot make a block device node: %s",
                                             g_strerror (errno));

    g_test_skip (why);
    return FALSE;
  }
  if (link != NULL && symlink (path, link) != 0)
    g_error ("symlink %s: %s", link, g_strerror (errno));
  return TRUE;
}

static void
link_to (const gchar *root, const gchar *relative, const gchar *target)
{
  g_autofree gchar *path = g_build_filename (root, relative, NULL);
  g_autofree gchar *directory = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (directory, 0755), ==, 0);
  if (symlink (target, path) != 0)
    g_error ("symlink %s: %s", path, g_strerror (errno));
}

/* as the kernel lays it out: the device's directory under
 * devices/virtual/block (a partition's inside its disk's), with relative
 * links to it from class/block and dev/block */
void
vmctl_test_block_sysfs (const gchar *root, const gchar *name, guint major, guint minor,
                        const gchar *disk)
{
  g_autofree gchar *directory = disk != NULL
                                ? g_build_filename ("devices/virtual/block", disk, name, NULL)
                                : g_build_filename ("devices/virtual/block", name, NULL);
  g_autofree gchar *dev_file = g_build_filename ("sys", directory, "dev", NULL);
  g_autofree gchar *number = g_strdup_printf ("%u:%u", major, minor);
  g_autofree gchar *contents = g_strconcat (number, "\n", NULL);
  g_autofree gchar *class_link = g_build_filename ("sys/class/block", name, NULL);
  g_autofree gchar *dev_link = g_build_filename ("sys/dev/block", number, NULL);
  g_autofree gchar *target = g_build_filename ("../..", directory, NULL);

  vmctl_test_write (root, dev_file, contents);
  link_to (root, class_link, target);
  link_to (root, dev_link, target);
}

gchar *
vmctl_test_block_shm_file (void)
{
  gchar *path = g_strdup ("/dev/shm/vmctl-test-XXXXXX");
  gint fd = g_mkstemp (path);

  if (fd < 0) {
    g_autofree gchar *why = g_strdup_printf ("no file in /dev/shm: %s", g_strerror (errno));

    g_free (path);
    g_test_skip (why);
    return NULL;
  }
  g_assert_cmpint (write (fd, "raw", 3), ==, 3);
  close (fd);
  return path;
}
