/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-use-private.h: the text-level halves of
 * vmctl_host_use_reasons(). vmctl-host-use.c and vmctl-host-use-block.c
 * read the files through the host root and hand their text here, so the
 * fuzzing harnesses (tests/fuzz) feed any text through exactly the code a
 * host's files go through; and the helpers the two files share. Not
 * installed. */
#pragma once

#include "vmctl-host-use.h"

G_BEGIN_DECLS

void vmctl_host_use_framebuffer_reasons (const gchar *resource, const gchar *iomem,
                                         GPtrArray *reasons);
void vmctl_host_use_mount_reasons (const gchar *mounts, GHashTable *found,
                                   GHashTable *aliases, GPtrArray *reasons);
gboolean vmctl_host_use_mountinfo_reasons (const gchar *mountinfo, GHashTable *numbers,
                                           GPtrArray *reasons);
void vmctl_host_use_swap_reasons (const gchar *swaps, GHashTable *found,
                                  GHashTable *aliases, GPtrArray *reasons);

/* shared by vmctl-host-use.c and vmctl-host-use-block.c */
gchar *vmctl_host_use_read_text (VmctlHost *host, const gchar *absolute_path);
GPtrArray *vmctl_host_use_list_directory (VmctlHost *host, const gchar *absolute_path);
void vmctl_host_use_add_block_reasons (VmctlHost *host, const gchar *device_name,
                                       GPtrArray *reasons);

G_END_DECLS
