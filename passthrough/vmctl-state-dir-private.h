/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-state-dir-private.h: what the state directory's two files share. */
#pragma once

#include "vmctl-state-dir.h"

G_BEGIN_DECLS

struct _VmctlStateDir {
  gint ref_count;
  int fd;       /* O_DIRECTORY|O_NOFOLLOW, checked with fstat() */
  gchar *path;  /* for messages only */
};

/* every byte of @data to @fd (short writes, EINTR); also for
 * vmctl-host-file.c's atomic writes */
gboolean vmctl_write_all (int fd, const gchar *data, gsize length);

G_END_DECLS
