/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hugepages.h: are enough hugepages free for a VM, and, for profiles
 * that ask for dynamic hugepages, reserving them through nr_hugepages before
 * start and giving them back after stop. Each reservation is recorded in
 * STATE/hugepages/OWNER.conf so that release lowers the pool by exactly
 * what vmctl added, from any later process. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_HUGEPAGES_ERROR (vmctl_hugepages_error_quark ())

typedef enum {
  VMCTL_HUGEPAGES_ERROR_NOT_ENOUGH,  /* fewer pages free than the VM needs, or
                                      * the kernel could not allocate more; the
                                      * message has the command that fixes it */
  VMCTL_HUGEPAGES_ERROR_UNSUPPORTED, /* the host has no pool of that page size
                                      * (e.g. 1 GiB without pdpe1gb) */
  VMCTL_HUGEPAGES_ERROR_IO,          /* a pool file could not be read or written,
                                      * or the state directory or a record could
                                      * not be created, read or removed; the
                                      * message names the path and the reason */
} VmctlHugepagesError;

GQuark vmctl_hugepages_error_quark (void);

guint64 vmctl_hugepages_default_page_kib (VmctlHost *host);
gboolean vmctl_hugepages_read (VmctlHost *host, guint64 page_kib,
                               guint64 *out_total, guint64 *out_free, GError **error);
gboolean vmctl_hugepages_check (VmctlHost *host, guint64 memory_kib, guint64 page_kib,
                                GError **error);
gboolean vmctl_hugepages_reserve (VmctlHost *host, const gchar *state_dir, const gchar *owner,
                                  guint64 memory_kib, guint64 page_kib, GError **error);
typedef struct _VmctlHostFacts VmctlHostFacts;
gboolean vmctl_hugepages_choose (VmctlHostFacts *facts, guint64 memory_kib, const GArray *cells,
                                 gboolean dynamic, guint64 *out_page_kib, GError **error);
gboolean vmctl_hugepages_release (VmctlHost *host, const gchar *state_dir, const gchar *owner,
                                  GError **error);

G_END_DECLS
