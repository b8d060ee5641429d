/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-host.h: what the host shows of a running guest, read from /proc
 * and /sys the way an administrator would check it: QEMU's threads and
 * their CPU affinity, the hugepages behind its memory, its tap device and
 * its SPICE socket; and the hugepage reservations the suite makes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ---- CPU lists ("0-3,8", sysfs and Cpus_allowed_list syntax) ---- */

/* sorted, without duplicates; NULL when @text is not a CPU list. A
 * parser of the test's own: vmctl's is what is under test. */
GArray *guest_cpu_list_parse (const gchar *text);
gboolean guest_cpu_list_equal (GArray *a, GArray *b);
/* this host's online CPUs, and the SMT siblings of @cpu (itself
 * included), as sysfs lists them */
gchar *guest_host_online_cpus (void);
gchar *guest_host_thread_siblings (guint cpu);

/* ---- QEMU's process ---- */

typedef struct {
  gint tid;
  gchar *comm;              /* "CPU 0/TCG", "CPU 1/KVM", "qemu-system-x86", ... */
  gchar *cpus_allowed;      /* Cpus_allowed_list from status */
} GuestThread;

/* libvirt's pid file for domain @name, or 0 */
gint guest_host_qemu_pid (const gchar *name);
/* every thread of @pid; element type GuestThread */
GPtrArray *guest_host_threads (gint pid);

/* Sum of the mappings of @pid whose KernelPageSize is @page_kib (smaps),
 * and the number of numa_maps lines that say "huge". */
guint64 guest_host_mapped_kib (gint pid, guint64 page_kib);
guint guest_host_numa_huge_lines (gint pid);
/* Sum of the mappings of @pid whose KernelPageSize is above 4 kB. */
guint64 guest_host_hugetlb_kib (gint pid);

/* ---- hugepage pools (/sys/kernel/mm/hugepages/hugepages-NkB);
 *      guest-hugepages.c ---- */

typedef struct {
  guint64 total;
  guint64 free;
  guint64 reserved;
} GuestHugepagePool;

gboolean guest_host_hugepage_pool (guint64 page_kib, GuestHugepagePool *out_pool);
/* pages held by someone: allocated to a mapping or promised to one */
guint64 guest_hugepage_pool_committed (const GuestHugepagePool *pool);
/* Raise (pages > 0) or lower (< 0) nr_hugepages of @page_kib by @pages,
 * under a lock shared by every test process, so two shards never
 * overwrite each other's change. Raising fails when the kernel could not
 * allocate them all (what it did allocate is given back). */
gboolean guest_host_hugepages_adjust (guint64 page_kib, gint64 pages, GError **error);
/* Gives back what test processes that no longer run still had reserved
 * (a killed run never reached its clean-up). */
void guest_host_hugepages_sweep (void);
/* serialises the hugepage-backed cases of all shards (guest-hugepages.c) */
gint guest_host_hugepages_case_lock (void);
void guest_host_hugepages_case_unlock (gint lock);

/* ---- devices ---- */

/* the bridge @interface is enslaved to (/sys/class/net/IF/master), or NULL */
gchar *guest_host_bridge_of (const gchar *interface);
/* whether something listens on TCP @address:@port (IPv4, /proc/net/tcp) */
gboolean guest_host_tcp_listening (const gchar *address, guint port);

void guest_thread_free (GuestThread *thread);

G_END_DECLS
