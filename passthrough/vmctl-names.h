/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-names.h: the one place that says which names may become part of a
 * host path or a sysfs write: driver names (from sysfs links and from the
 * journal) and VM names (from the command line, the journal and domain XML
 * handed to the libvirt hook). Everything read back from disk passes these
 * before it is used. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the longest VM name vmctl accepts */
#define VMCTL_NAME_VM_MAX 64

gboolean vmctl_name_is_driver (const gchar *text);
gboolean vmctl_name_is_vm (const gchar *text);
gboolean vmctl_name_is_boot_id (const gchar *text);

G_END_DECLS
