/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-block.h: block devices for the tests of --disk: a device
 * node made with mknod() (root only: the tests skip otherwise), the sysfs
 * entries of a fixture host that name it, and a regular file under
 * /dev/shm, a file whose path starts with /dev/. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A block device node MAJOR:MINOR at @path, plus a symlink to it at
 * @link when not NULL. FALSE, with the test marked skipped, when the
 * node cannot be made (not root). The node is never opened: any number
 * will do, and the tests use ones this machine does not have. */
gboolean vmctl_test_block_node (const gchar *path, const gchar *link, guint major, guint minor);
/* The sysfs of the host at @root knows block device @name as MAJOR:MINOR
 * (/sys/dev/block, /sys/class/block, its dev file); a partition of the
 * disk @disk when that is not NULL. */
void vmctl_test_block_sysfs (const gchar *root, const gchar *name, guint major, guint minor,
                             const gchar *disk);
/* A new regular file in /dev/shm (remove it when done), or NULL with the
 * test marked skipped when /dev/shm cannot take one. */
gchar *vmctl_test_block_shm_file (void);

G_END_DECLS
