/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims-host.c: the XML's claims as the host shows them while the
 * VM runs. QEMU names its vCPU threads "CPU N/KVM" or "CPU N/TCG", libvirt
 * pins them with sched_setaffinity (Cpus_allowed_list shows the result),
 * and hugetlbfs mappings carry their page size in smaps' KernelPageSize. */
#include "guest-claims.h"

#include <stdio.h>
#include <string.h>

#define HOST "host"

/* The vCPU threads, indexed by vCPU number; NULL slots where none. */
static GPtrArray *
vcpu_threads (GPtrArray *threads, guint vcpus, const gchar **out_accelerator)
{
  GPtrArray *by_vcpu = g_ptr_array_new ();

  g_ptr_array_set_size (by_vcpu, vcpus);
  *out_accelerator = NULL;
  for (guint i = 0; i < threads->len; i++) {
    GuestThread *thread = g_ptr_array_index (threads, i);
    guint vcpu;
    gchar accelerator[16];

    if (sscanf (thread->comm, "CPU %u/%15s", &vcpu, accelerator) != 2)
      continue;
    if (vcpu < vcpus)
      g_ptr_array_index (by_vcpu, vcpu) = thread;
    *out_accelerator = strcmp (accelerator, "KVM") == 0 ? "KVM"
                       : strcmp (accelerator, "TCG") == 0 ? "TCG" : "other";
  }
  return by_vcpu;
}

static void
check_accelerator (GPtrArray *rows, xmlDoc *live, GPtrArray *threads)
{
  g_autofree gchar *type = guest_xml_string (live, "/domain/@type");
  guint vcpus = guest_xml_vcpus (live);
  const gchar *accelerator = NULL;
  g_autoptr(GPtrArray) by_vcpu = vcpu_threads (threads, vcpus, &accelerator);
  const gchar *wanted = strcmp (type, "kvm") == 0 ? "KVM" : "TCG";
  guint found = 0;
  g_autofree gchar *expected = g_strdup_printf ("%u vCPU threads '/%s'", vcpus, wanted);
  g_autofree gchar *seen = NULL;

  for (guint i = 0; i < by_vcpu->len; i++)
    if (g_ptr_array_index (by_vcpu, i) != NULL)
      found++;
  seen = g_strdup_printf ("%u vCPU threads '/%s'", found, accelerator != NULL ? accelerator : "?");
  guest_rows_add (rows, HOST, found == vcpus && g_strcmp0 (accelerator, wanted) == 0,
                  "domain type (accelerator), vCPU threads", expected, seen);
}

/* The host CPUs the XML lets vCPU @vcpu run on, as the XML or sysfs
 * spells them: its <vcpupin>, else <vcpu cpuset>, else all of them. */
static gchar *
allowed_for_vcpu (xmlDoc *live, guint vcpu)
{
  g_autofree gchar *pin_path = g_strdup_printf ("/domain/cputune/vcpupin[@vcpu='%u']/@cpuset",
                                                vcpu);
  g_autofree gchar *pin = guest_xml_string (live, pin_path);
  g_autofree gchar *cpuset = guest_xml_string (live, "/domain/vcpu/@cpuset");

  if (*pin != '\0')
    return g_steal_pointer (&pin);
  if (*cpuset != '\0')
    return g_steal_pointer (&cpuset);
  return guest_host_online_cpus ();
}

static void
add_affinity_row (GPtrArray *rows, const gchar *claim, const gchar *wanted, const gchar *seen)
{
  g_autoptr(GArray) wanted_cpus = guest_cpu_list_parse (wanted);
  g_autoptr(GArray) seen_cpus = guest_cpu_list_parse (seen);

  guest_rows_add (rows, HOST, wanted_cpus != NULL && guest_cpu_list_equal (wanted_cpus, seen_cpus),
                  claim, wanted, seen);
}

static void
check_affinity (GPtrArray *rows, xmlDoc *live, GPtrArray *threads, gint pid)
{
  guint vcpus = guest_xml_vcpus (live);
  const gchar *accelerator = NULL;
  g_autoptr(GPtrArray) by_vcpu = vcpu_threads (threads, vcpus, &accelerator);
  g_autofree gchar *emulator = guest_xml_string (live, "/domain/cputune/emulatorpin/@cpuset");

  for (guint vcpu = 0; vcpu < vcpus; vcpu++) {
    GuestThread *thread = g_ptr_array_index (by_vcpu, vcpu);
    g_autofree gchar *wanted = allowed_for_vcpu (live, vcpu);
    g_autofree gchar *claim = g_strdup_printf ("vCPU %u pinning (Cpus_allowed_list of 'CPU %u/..')",
                                               vcpu, vcpu);

    add_affinity_row (rows, claim, wanted, thread != NULL ? thread->cpus_allowed : "no thread");
  }
  if (*emulator != '\0') {
    const gchar *seen = "no main thread";

    /* the main thread is QEMU's emulator thread; libvirt pins it (and the
     * other non-vCPU threads) with <emulatorpin> */
    for (guint i = 0; i < threads->len; i++) {
      GuestThread *thread = g_ptr_array_index (threads, i);

      if (thread->tid == pid)
        seen = thread->cpus_allowed;
    }
    add_affinity_row (rows, "emulatorpin (QEMU's main thread)", emulator, seen);
  }
}

static gchar *
vcpupin (xmlDoc *live, guint vcpu)
{
  g_autofree gchar *path = g_strdup_printf ("/domain/cputune/vcpupin[@vcpu='%u']/@cpuset", vcpu);

  return guest_xml_string (live, path);
}

/* vCPUs that the topology makes threads of one guest core must sit on
 * SMT siblings of one host core, or the guest schedules as if they shared
 * a core when they do not. QEMU numbers vCPUs thread-fastest. */
static void
check_pinning_matches_topology (GPtrArray *rows, xmlDoc *live)
{
  g_autofree gchar *threads_text = guest_xml_string (live, "/domain/cpu/topology/@threads");
  guint threads = (guint) g_ascii_strtoull (threads_text, NULL, 10);
  guint vcpus = guest_xml_vcpus (live);
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree gchar *expected = g_strdup_printf ("each guest core's %u thread(s) on one host core",
                                                threads);
  gboolean ok = TRUE;

  if (guest_xml_count (live, "/domain/cputune/vcpupin") == 0 || threads == 0)
    return;
  for (guint first = 0; first < vcpus; first += threads) {
    g_autofree gchar *first_pin = vcpupin (live, first);
    g_autoptr(GArray) first_cpus = guest_cpu_list_parse (first_pin);
    g_autofree gchar *host_core = NULL;
    g_autoptr(GArray) siblings = NULL;

    if (first_cpus == NULL || first_cpus->len == 0) {
      ok = FALSE;
      g_string_append_printf (seen, "vCPU %u unpinned; ", first);
      continue;
    }
    host_core = guest_host_thread_siblings (g_array_index (first_cpus, guint, 0));
    siblings = guest_cpu_list_parse (host_core);
    g_string_append_printf (seen, "guest core of vCPU %u-%u on host CPUs", first,
                            MIN (first + threads, vcpus) - 1);
    for (guint vcpu = first; vcpu < first + threads && vcpu < vcpus; vcpu++) {
      g_autofree gchar *pin = vcpupin (live, vcpu);
      g_autoptr(GArray) cpus = guest_cpu_list_parse (pin);

      g_string_append_printf (seen, " %s", pin);
      for (guint i = 0; cpus != NULL && i < cpus->len; i++) {
        gboolean sibling = FALSE;

        for (guint j = 0; siblings != NULL && j < siblings->len; j++)
          sibling |= g_array_index (siblings, guint, j) == g_array_index (cpus, guint, i);
        ok &= sibling;
      }
    }
    g_string_append_printf (seen, " (host core %s); ", host_core != NULL ? host_core : "?");
  }
  guest_rows_add (rows, HOST, ok, "topology threads match the pinning", expected, seen->str);
}

static void
check_memory_backing (GPtrArray *rows, xmlDoc *live, gint pid,
                      const GuestHugepagePool *pool_before)
{
  guint64 memory = guest_xml_memory_kib (live, "memory");
  guint64 page = guest_xml_hugepage_kib (live);

  if (page == 0) {
    guint64 huge = guest_host_hugetlb_kib (pid);
    g_autofree gchar *seen = g_strdup_printf ("%" G_GUINT64_FORMAT " KiB in hugetlb mappings", huge);

    guest_rows_add (rows, HOST, huge == 0, "no <hugepages>: ordinary pages back the memory",
                    "0 KiB in hugetlb mappings", seen);
    return;
  }
  {
    guint64 mapped = guest_host_mapped_kib (pid, page);
    guint lines = guest_host_numa_huge_lines (pid);
    g_autofree gchar *expected = g_strdup_printf (">= %" G_GUINT64_FORMAT " KiB mapped with "
                                                  "KernelPageSize %" G_GUINT64_FORMAT " kB",
                                                  memory, page);
    g_autofree gchar *seen = g_strdup_printf ("%" G_GUINT64_FORMAT " KiB (smaps), %u 'huge' "
                                              "lines (numa_maps)", mapped, lines);

    guest_rows_add (rows, HOST, mapped >= memory && lines > 0,
                    "<hugepages> page size backs the guest memory (smaps, numa_maps)", expected,
                    seen);
  }
  {
    GuestHugepagePool now = { 0 };
    gboolean read = guest_host_hugepage_pool (page, &now);
    guint64 taken = read ? guest_hugepage_pool_committed (&now)
                           - guest_hugepage_pool_committed (pool_before) : 0;
    g_autofree gchar *expected = g_strdup_printf ("%" G_GUINT64_FORMAT " pages of %" G_GUINT64_FORMAT
                                                  " kB taken from the pool", memory / page, page);
    g_autofree gchar *seen = read ? g_strdup_printf ("%" G_GUINT64_FORMAT " taken (total %"
                                                     G_GUINT64_FORMAT ", free %" G_GUINT64_FORMAT
                                                     " -> %" G_GUINT64_FORMAT ", reserved %"
                                                     G_GUINT64_FORMAT ")", taken, now.total,
                                                     pool_before->free, now.free, now.reserved)
                                  : g_strdup ("no such pool on this host");

    guest_rows_add (rows, HOST, read && taken >= memory / page,
                    "hugepage pool (free_hugepages/resv_hugepages)", expected, seen);
  }
}

static void
check_interfaces (GPtrArray *rows, xmlDoc *live)
{
  gint count = guest_xml_count (live, "/domain/devices/interface");

  for (gint i = 1; i <= count; i++) {
    g_autofree gchar *base = g_strdup_printf ("/domain/devices/interface[%d]", i);
    g_autofree gchar *bridge = guest_xml_string_at (live, base, "source/@bridge");
    g_autofree gchar *target = guest_xml_string_at (live, base, "target/@dev");
    g_autofree gchar *network = guest_xml_string_at (live, base, "source/@network");
    g_autofree gchar *master = *target != '\0' ? guest_host_bridge_of (target) : NULL;
    g_autofree gchar *claim = g_strdup_printf ("interface %d on %s %s", i,
                                               *network != '\0' ? "network" : "bridge",
                                               *network != '\0' ? network : bridge);
    g_autofree gchar *expected = g_strdup_printf ("tap %s enslaved to %s", target, bridge);
    g_autofree gchar *seen = g_strdup_printf ("tap %s enslaved to %s", target,
                                              master != NULL ? master : "nothing");

    guest_rows_add (rows, HOST, *bridge != '\0' && g_strcmp0 (master, bridge) == 0, claim,
                    expected, seen);
  }
}

static void
check_graphics (GPtrArray *rows, xmlDoc *live)
{
  gint count = guest_xml_count (live, "/domain/devices/graphics");

  for (gint i = 1; i <= count; i++) {
    g_autofree gchar *base = g_strdup_printf ("/domain/devices/graphics[%d]", i);
    g_autofree gchar *type = guest_xml_string_at (live, base, "@type");
    g_autofree gchar *port = guest_xml_string_at (live, base, "@port");
    g_autofree gchar *listen = guest_xml_string_at (live, base, "listen[1]/@address");
    g_autofree gchar *claim = g_strdup_printf ("%s display", type);
    g_autofree gchar *expected = g_strdup_printf ("QEMU listens on %s:%s", listen, port);
    guint64 number = g_ascii_strtoull (port, NULL, 10);
    gboolean listening = number > 0 && guest_host_tcp_listening (listen, (guint) number);

    guest_rows_add (rows, HOST, listening, claim, expected,
                    listening ? expected : "nothing listens there");
  }
}

void
guest_claims_check_host (GPtrArray *rows, xmlDoc *live, gint qemu_pid,
                         const GuestHugepagePool *pool_before)
{
  g_autoptr(GPtrArray) threads = NULL;

  if (qemu_pid <= 0) {
    guest_rows_add (rows, HOST, FALSE, "a QEMU process runs the domain", "a pid file",
                    "no /run/libvirt/qemu/NAME.pid");
    return;
  }
  threads = guest_host_threads (qemu_pid);
  check_accelerator (rows, live, threads);
  check_affinity (rows, live, threads, qemu_pid);
  check_pinning_matches_topology (rows, live);
  check_memory_backing (rows, live, qemu_pid, pool_before);
  check_interfaces (rows, live);
  check_graphics (rows, live);
}
