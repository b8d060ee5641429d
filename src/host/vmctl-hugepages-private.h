/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hugepages-private.h: the hugepage rules and readers the spec, the
 * domain layout, the host facts and the host check share, so each is
 * decided in one place (vmctl-hugepages.c). Not installed. */
#pragma once

#include "vmctl-host-facts.h"
#include "vmctl-hugepages.h"

G_BEGIN_DECLS

/* x86's smallest hugepage: 2 MiB (the other size, 1 GiB, needs pdpe1gb).
 * Memory that is no whole number of these fits no hugepage size at all. */
#define VMCTL_HUGEPAGES_SMALLEST_KIB G_GUINT64_CONSTANT (2048)

gboolean vmctl_hugepages_whole (guint64 memory_kib, guint64 page_kib);
guint64 vmctl_hugepages_needed (guint64 memory_kib, guint64 page_kib);

/* the readers: pools (sysfs, else /proc/meminfo) and hugetlbfs mounts */
GArray *vmctl_hugepages_read_pools (VmctlHost *host);

typedef struct {
  gchar *mount_point;         /* unescaped */
  guint64 page_kib;           /* pagesize=, else the default size; 0 when unknown */
} VmctlHugetlbfsMount;

GPtrArray *vmctl_hugepages_read_mounts (VmctlHost *host);
void vmctl_hugetlbfs_mount_free (VmctlHugetlbfsMount *mount);

/* one pool as the start-time check and the reservations (strictly) read it */
#define VMCTL_HUGEPAGES_PROC_NR "/proc/sys/vm/nr_hugepages"
typedef struct {
  guint64 page_kib;
  guint64 total;              /* nr_hugepages */
  guint64 free;               /* free_hugepages */
  gboolean is_default;        /* the size /proc/sys/vm/nr_hugepages and hugepages= set */
  gchar control[128];         /* host path of this size's nr_hugepages */
} VmctlHugepagesPoolState;

gboolean vmctl_hugepages_read_state (VmctlHost *host, guint64 page_kib,
                                     VmctlHugepagesPoolState *out_pool, GError **error);
gboolean vmctl_hugepages_check_state (const VmctlHugepagesPoolState *pool, guint64 memory_kib,
                                      GError **error);

G_END_DECLS
