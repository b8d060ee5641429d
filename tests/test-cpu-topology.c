/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cpu-topology.c: host cores from the fixture sysfs trees (4 cores x
 * 2 threads, siblings N and N+4), CPU lists, and the pinning vmctl
 * derives: auto keeps the first core for the host, a list is taken as
 * given, and the guest sees SMT only where the host has it. */
#include <string.h>

#include "vmctl-cpu-topology.h"
#include "vmctl-test-util.h"

typedef struct {
  gchar *root;
  VmctlHost *host;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (data != NULL ? data : "clean-gpu-audio");
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static VmctlCpuTopology *
read_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  VmctlCpuTopology *topology = vmctl_cpu_topology_read (fixture->host, &error);

  g_assert_no_error (error);
  g_assert_nonnull (topology);
  return topology;
}

static gchar *
format_array (const GArray *cpus)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < cpus->len; i++)
    g_ptr_array_add (parts, g_strdup_printf ("%u", g_array_index (cpus, guint, i)));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" ", (gchar **) parts->pdata);
}

#define assert_cpus(array, expected) \
  G_STMT_START { \
    g_autofree gchar *assert_cpus_ = format_array (array); \
    g_assert_cmpstr (assert_cpus_, ==, (expected)); \
  } G_STMT_END

static void
test_list_parse (void)
{
  static const struct {
    const gchar *text;
    const gchar *expected;  /* NULL: an error */
  } cases[] = {
    { "0-7\n", "0 1 2 3 4 5 6 7" },
    { "0,4", "0 4" },
    { "  1-2,8,10-11 ", "1 2 8 10 11" },
    { "3,1", "3 1" },        /* order kept: --cpu-pin lists are per vCPU */
    { "2,2", "2 2" },        /* repeats kept: callers decide */
    { "", "" },
    { "5", "5" },
    { "a", NULL },
    { "1-", NULL },
    { "-1", NULL },
    { "3-1", NULL },
    { "1,,2", NULL },
    { "0-99999999", NULL },  /* bounded, never a huge allocation */
    { "1 2", NULL },
    { "0x1", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) cpus = NULL;
    gboolean ok = vmctl_cpu_list_parse (cases[i].text, &cpus, &error);

    if (cases[i].expected == NULL) {
      g_assert_false (ok);
      g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ);
      g_assert_null (cpus);
    } else {
      g_assert_no_error (error);
      g_assert_true (ok);
      assert_cpus (cpus, cases[i].expected);
    }
  }
}

static void
test_list_format (void)
{
  static const guint pair[] = { 4, 0 };
  static const guint run[] = { 3, 1, 2, 7, 5, 6, 9 };
  static const guint two[] = { 0, 1 };
  static const guint repeats[] = { 2, 2, 3 };
  g_autofree gchar *a = vmctl_cpu_list_format (pair, G_N_ELEMENTS (pair));
  g_autofree gchar *b = vmctl_cpu_list_format (run, G_N_ELEMENTS (run));
  g_autofree gchar *c = vmctl_cpu_list_format (two, G_N_ELEMENTS (two));
  g_autofree gchar *d = vmctl_cpu_list_format (repeats, G_N_ELEMENTS (repeats));
  g_autofree gchar *e = vmctl_cpu_list_format (NULL, 0);

  /* libvirt's virBitmapFormat(): sorted, runs of two or more as a-b */
  g_assert_cmpstr (a, ==, "0,4");
  g_assert_cmpstr (b, ==, "1-3,5-7,9");
  g_assert_cmpstr (c, ==, "0-1");
  g_assert_cmpstr (d, ==, "2-3");
  g_assert_cmpstr (e, ==, "");
}

static void
test_read_fixture (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlCpuTopology) topology = read_ok (fixture);

  g_assert_cmpuint (topology->n_cpus, ==, 8);
  g_assert_cmpuint (topology->threads_per_core, ==, 2);
  g_assert_cmpuint (topology->cores->len, ==, 4);
  for (guint i = 0; i < 4; i++) {
    const VmctlCpuCore *core = &g_array_index (topology->cores, VmctlCpuCore, i);
    g_autofree gchar *expected = g_strdup_printf ("%u %u", i, i + 4);

    assert_cpus (core->cpus, expected);
    g_assert_cmpuint (core->core_id, ==, i);
    g_assert_cmpuint (core->package, ==, 0);
  }
  if (g_strcmp0 (data, "amd-host") == 0) {
    g_assert_cmpstr (topology->vendor, ==, "AuthenticAMD");
    g_assert_true (vmctl_cpu_topology_is_amd (topology));
  } else {
    g_assert_cmpstr (topology->vendor, ==, "GenuineIntel");
    g_assert_false (vmctl_cpu_topology_is_amd (topology));
  }
}

static void
test_read_offline (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlCpuTopology) topology = NULL;

  /* CPU 7 offline: core 3 keeps only CPU 3 */
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/online", "0-6\n");
  topology = read_ok (fixture);
  g_assert_cmpuint (topology->n_cpus, ==, 7);
  g_assert_cmpuint (topology->cores->len, ==, 4);
  assert_cpus (g_array_index (topology->cores, VmctlCpuCore, 3).cpus, "3");
  g_assert_cmpuint (topology->threads_per_core, ==, 2);
}

static void
test_read_no_smt (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlCpuTopology) topology = NULL;
  g_autoptr(VmctlCpuPinning) pinning = NULL;
  g_autoptr(GError) error = NULL;

  /* SMT off in firmware: every CPU its own core */
  for (guint cpu = 0; cpu < 8; cpu++) {
    g_autofree gchar *path = g_strdup_printf ("sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", cpu);
    g_autofree gchar *self = g_strdup_printf ("%u\n", cpu);

    vmctl_test_write (fixture->root, path, self);
  }
  topology = read_ok (fixture);
  g_assert_cmpuint (topology->cores->len, ==, 8);
  g_assert_cmpuint (topology->threads_per_core, ==, 1);
  pinning = vmctl_cpu_topology_pin_auto (topology, 4, &error);
  g_assert_no_error (error);
  assert_cpus (pinning->vcpu_cpus, "1 2 3 4");
  assert_cpus (pinning->emulator_cpus, "0");
  g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, 4, pinning), ==, 1);
}

static void
test_read_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  VmctlCpuTopology *topology;

  vmctl_test_write (fixture->root, "sys/devices/system/cpu/cpu2/topology/core_id", "two\n");
  topology = vmctl_cpu_topology_read (fixture->host, &error);
  g_assert_null (topology);
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "cpu2/topology/core_id"));
  g_clear_error (&error);

  vmctl_test_write (fixture->root, "sys/devices/system/cpu/cpu2/topology/core_id", "2\n");
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/cpu2/topology/thread_siblings_list", "3,7\n");
  topology = vmctl_cpu_topology_read (fixture->host, &error);
  g_assert_null (topology);
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_READ);
  g_clear_error (&error);

  vmctl_test_unlink (fixture->root, "sys/devices/system/cpu/cpu2/topology/thread_siblings_list");
  topology = vmctl_cpu_topology_read (fixture->host, &error);
  g_assert_null (topology);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_NOT_FOUND);
  g_clear_error (&error);

  vmctl_test_unlink (fixture->root, "sys/devices/system/cpu/present");
  topology = vmctl_cpu_topology_read (fixture->host, &error);
  g_assert_null (topology);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_NOT_FOUND);
}

static void
test_no_cpuinfo (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlCpuTopology) topology = NULL;

  vmctl_test_unlink (fixture->root, "proc/cpuinfo");
  topology = read_ok (fixture);
  g_assert_null (topology->vendor);
  g_assert_false (vmctl_cpu_topology_is_amd (topology));
}

static void
test_pin_auto (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlCpuTopology) topology = read_ok (fixture);
  /* 3 cores after the host's: even counts on whole cores (SMT pairs),
   * odd ones one per core; 5 is neither */
  static const gchar * const expected[] = {
    NULL, "1", "1 5", "1 2 3", "1 5 2 6", NULL, "1 5 2 6 3 7",
  };

  for (guint vcpus = 1; vcpus <= 6; vcpus++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlCpuPinning) pinning = vmctl_cpu_topology_pin_auto (topology, vcpus, &error);

    if (expected[vcpus] == NULL) {
      g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH);
      g_assert_nonnull (strstr (error->message, "give a multiple of 2 up to 6, or 3 or fewer"));
      continue;
    }
    g_assert_no_error (error);
    assert_cpus (pinning->vcpu_cpus, expected[vcpus]);
    /* the whole first core for the host and QEMU */
    assert_cpus (pinning->emulator_cpus, "0 4");
    g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, vcpus, pinning), ==,
                      vcpus % 2 == 0 ? 2 : 1);
  }
}

/* ---- every vCPU count on several hosts ---------------------------------- */

/* A host of @cores cores with @threads threads each, numbered the way
 * Linux numbers them (siblings n and n + cores), in @packages packages;
 * @offline: one CPU left out (its core keeps one thread), or G_MAXUINT. */
static VmctlCpuTopology *
synthetic_host (guint cores, guint threads, guint packages, guint offline, const gchar *vendor)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (VmctlCpuEntry));
  g_autoptr(GError) error = NULL;
  VmctlCpuTopology *topology;

  for (guint cpu = 0; cpu < cores * threads; cpu++) {
    VmctlCpuEntry entry = { cpu, (cpu % cores) / (cores / packages), cpu % cores,
                            g_array_new (FALSE, FALSE, sizeof (guint)) };

    if (cpu == offline) {
      g_array_unref (entry.siblings);
      continue;
    }
    for (guint t = 0; t < threads; t++) {
      guint sibling = cpu % cores + t * cores;

      g_array_append_val (entry.siblings, sibling);
    }
    g_array_append_val (entries, entry);
  }
  topology = vmctl_cpu_topology_new_from_entries ((const VmctlCpuEntry *) entries->data,
                                                  entries->len, vendor, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    g_array_unref (g_array_index (entries, VmctlCpuEntry, i).siblings);
  return topology;
}

static const VmctlCpuCore *
core_of_cpu (const VmctlCpuTopology *topology, guint cpu)
{
  for (guint i = 0; i < topology->cores->len; i++) {
    const VmctlCpuCore *core = &g_array_index (topology->cores, VmctlCpuCore, i);

    for (guint j = 0; j < core->cpus->len; j++)
      if (g_array_index (core->cpus, guint, j) == cpu)
        return core;
  }
  return NULL;
}

/* What the guest is told is what the pinning does: sockets*dies*cores*
 * threads == vCPUs, and threads == 2 exactly when the vCPUs sit on
 * sibling pairs (vCPUs 2k and 2k+1 on one core), else no two vCPUs share
 * a core. */
static void
assert_truthful (const VmctlCpuTopology *topology, guint vcpus, const VmctlCpuPinning *pinning)
{
  guint threads = vmctl_cpu_topology_guest_threads (topology, vcpus, pinning);
  guint cores = vcpus / threads;
  const VmctlCpuCore *host_core = &g_array_index (topology->cores, VmctlCpuCore, 0);

  g_assert_cmpuint (pinning->vcpu_cpus->len, ==, vcpus);
  g_assert_cmpuint (1 * 1 * cores * threads, ==, vcpus);
  for (guint i = 0; i < vcpus; i++) {
    guint cpu = g_array_index (pinning->vcpu_cpus, guint, i);

    g_assert_true (core_of_cpu (topology, cpu) != host_core);
    for (guint j = 0; j < i; j++) {
      guint other = g_array_index (pinning->vcpu_cpus, guint, j);
      gboolean same_core = core_of_cpu (topology, cpu) == core_of_cpu (topology, other);

      g_assert_cmpuint (cpu, !=, other);
      /* sharing a core is allowed only as guest SMT siblings */
      if (same_core)
        g_assert_true (threads > 1 && i / threads == j / threads);
      if (threads > 1 && i / threads == j / threads)
        g_assert_true (same_core);
    }
  }
}

static void
check_every_count (const VmctlCpuTopology *topology)
{
  guint spare_cores = topology->cores->len - 1;
  guint full_pairs = 0;

  for (guint i = 1; i < topology->cores->len; i++)
    full_pairs += g_array_index (topology->cores, VmctlCpuCore, i).cpus->len == 2;
  for (guint vcpus = 1; vcpus <= topology->n_cpus; vcpus++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlCpuPinning) pinning = vmctl_cpu_topology_pin_auto (topology, vcpus, &error);
    gboolean expect = vcpus <= spare_cores
                      || (topology->threads_per_core == 2 && vcpus % 2 == 0
                          && vcpus / 2 <= full_pairs);

    g_assert_cmpint (vmctl_cpu_topology_auto_fits (topology, vcpus, NULL), ==, expect);
    /* floating vCPUs are on no sibling pair: one core each */
    g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, vcpus, NULL), ==, 1);
    if (!expect) {
      g_assert_null (pinning);
      g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH);
      continue;
    }
    g_assert_no_error (error);
    assert_truthful (topology, vcpus, pinning);
    /* an even count that fits in pairs uses them */
    if (topology->threads_per_core == 2 && vcpus % 2 == 0 && vcpus / 2 <= full_pairs)
      g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, vcpus, pinning), ==, 2);
    /* the same CPUs given as a list are told the same */
    {
      g_autoptr(VmctlCpuPinning) listed = vmctl_cpu_topology_pin_list (topology,
                                                                        (const guint *) pinning->vcpu_cpus->data,
                                                                        vcpus, vcpus, &error);

      g_assert_no_error (error);
      assert_truthful (topology, vcpus, listed);
    }
  }
}

static void
test_every_count (void)
{
  static const struct {
    guint cores, threads, packages, offline;
    const gchar *vendor;
  } hosts[] = {
    { 8, 2, 1, G_MAXUINT, "GenuineIntel" },   /* 8 cores, 16 threads */
    { 16, 2, 1, G_MAXUINT, "AuthenticAMD" },  /* 16 cores, 32 threads, topoext */
    { 8, 1, 1, G_MAXUINT, "GenuineIntel" },   /* SMT off */
    { 6, 2, 2, G_MAXUINT, "GenuineIntel" },   /* two packages */
    { 4, 2, 1, 7, "AuthenticAMD" },           /* one sibling offline: 7 CPUs */
    { 1, 2, 1, G_MAXUINT, "GenuineIntel" },   /* one core: nothing to give */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (hosts); i++) {
    g_autoptr(VmctlCpuTopology) topology = synthetic_host (hosts[i].cores, hosts[i].threads,
                                                           hosts[i].packages, hosts[i].offline,
                                                           hosts[i].vendor);

    check_every_count (topology);
  }
}

static void
test_pin_auto_not_enough (Fixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlCpuTopology) topology = read_ok (fixture);
  g_autoptr(GError) error = NULL;
  VmctlCpuPinning *pinning = vmctl_cpu_topology_pin_auto (topology, 7, &error);

  g_assert_null (pinning);
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH);
  g_assert_nonnull (strstr (error->message, "lower --vcpus to 6"));
  g_clear_error (&error);

  /* a host of one core has nothing to give */
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0\n");
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/online", "0\n");
  g_clear_pointer (&topology, vmctl_cpu_topology_free);
  topology = read_ok (fixture);
  pinning = vmctl_cpu_topology_pin_auto (topology, 1, &error);
  g_assert_null (pinning);
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH);
  g_assert_nonnull (strstr (error->message, "no other"));
}

static void
test_pin_list (Fixture *fixture, gconstpointer data)
{
  static const guint siblings[] = { 2, 6, 3, 7 };
  static const guint scattered[] = { 1, 2, 3, 5 };
  static const guint every[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  static const guint absent[] = { 1, 8 };
  static const guint twice[] = { 3, 3 };
  g_autoptr(VmctlCpuTopology) topology = read_ok (fixture);
  g_autoptr(VmctlCpuPinning) pinning = NULL;
  g_autoptr(GError) error = NULL;

  pinning = vmctl_cpu_topology_pin_list (topology, siblings, 4, 4, &error);
  g_assert_no_error (error);
  assert_cpus (pinning->vcpu_cpus, "2 6 3 7");
  assert_cpus (pinning->emulator_cpus, "0 1 4 5");
  /* vCPUs 0,1 and 2,3 are whole host cores: the guest may see SMT */
  g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, 4, pinning), ==, 2);
  g_clear_pointer (&pinning, vmctl_cpu_pinning_free);

  pinning = vmctl_cpu_topology_pin_list (topology, scattered, 4, 4, &error);
  g_assert_no_error (error);
  assert_cpus (pinning->emulator_cpus, "0 4 6 7");
  /* 1 and 2 are different cores: claiming SMT would mislead the guest */
  g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, 4, pinning), ==, 1);
  /* floating vCPUs are on no sibling pair in particular */
  g_assert_cmpuint (vmctl_cpu_topology_guest_threads (topology, 4, NULL), ==, 1);
  g_assert_cmpuint (vmctl_cpu_topology_guest_threads (NULL, 4, NULL), ==, 1);
  g_clear_pointer (&pinning, vmctl_cpu_pinning_free);

  pinning = vmctl_cpu_topology_pin_list (topology, every, 8, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pinning->emulator_cpus->len, ==, 0);
  g_clear_pointer (&pinning, vmctl_cpu_pinning_free);

  g_assert_null (vmctl_cpu_topology_pin_list (topology, absent, 2, 2, &error));
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU);
  g_clear_error (&error);
  g_assert_null (vmctl_cpu_topology_pin_list (topology, twice, 2, 2, &error));
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU);
  g_clear_error (&error);
  g_assert_null (vmctl_cpu_topology_pin_list (topology, siblings, 4, 6, &error));
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_NOT_ENOUGH);
  g_clear_error (&error);
  g_assert_null (vmctl_cpu_topology_pin_list (topology, siblings, 4, 2, &error));
  g_assert_error (error, VMCTL_CPU_TOPOLOGY_ERROR, VMCTL_CPU_TOPOLOGY_ERROR_INVALID_CPU);
}

static void
add (const gchar *path, const gchar *scenario, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, scenario, fixture_setup, test, fixture_teardown);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/cpu-topology/list/parse", test_list_parse);
  g_test_add_func ("/vmctl/cpu-topology/pin-auto/every-count", test_every_count);
  g_test_add_func ("/vmctl/cpu-topology/list/format", test_list_format);
  add ("/vmctl/cpu-topology/read/intel", "clean-gpu-audio", test_read_fixture);
  add ("/vmctl/cpu-topology/read/amd", "amd-host", test_read_fixture);
  add ("/vmctl/cpu-topology/read/offline", "clean-gpu-audio", test_read_offline);
  add ("/vmctl/cpu-topology/read/no-smt", "clean-gpu-audio", test_read_no_smt);
  add ("/vmctl/cpu-topology/read/errors", "clean-gpu-audio", test_read_errors);
  add ("/vmctl/cpu-topology/read/no-cpuinfo", "clean-gpu-audio", test_no_cpuinfo);
  add ("/vmctl/cpu-topology/pin/auto", "clean-gpu-audio", test_pin_auto);
  add ("/vmctl/cpu-topology/pin/auto-not-enough", "clean-gpu-audio", test_pin_auto_not_enough);
  add ("/vmctl/cpu-topology/pin/list", "clean-gpu-audio", test_pin_list);
  return g_test_run ();
}
