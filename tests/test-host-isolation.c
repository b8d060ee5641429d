/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-isolation.c: CPU isolation while VMs run, and the sleep
 * inhibitor while a VM holds a GPU (issue 13), through vmctl_vm_start and
 * vmctl_vm_destroy on the single-gpu host (8 CPUs) under the simulated
 * kernel. Without a bus the top-level cgroups' cpuset.cpus are written;
 * with python-dbusmock's systemd, AllowedCPUs goes through
 * SetUnitProperties. Two isolating VMs add up, and stopping them in either
 * order gives back exactly what only the stopped one needed: after both,
 * cgroups, governors and IRQ affinities are byte for byte as before. */
#include "vmctl-test-runtime.h"
#include "vmctl-test-sim.h"
#include "vmctl-vfio.h"

#include <string.h>

#define SLICE "sys/fs/cgroup/system.slice/cpuset.cpus"
#define USER "sys/fs/cgroup/user.slice/cpuset.cpus"
#define INIT "sys/fs/cgroup/init.scope/cpuset.cpus"
#define MACHINE "sys/fs/cgroup/machine.slice/cpuset.cpus"
#define GOVERNOR(n) "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_governor"
#define IRQ "proc/irq/120/smp_affinity_list"

static void
assert_host_cpus (RuntimeFixture *fixture, const gchar *cpus)
{
  vmctl_test_runtime_assert_line (fixture, SLICE, cpus);
  vmctl_test_runtime_assert_line (fixture, USER, cpus);
  vmctl_test_runtime_assert_line (fixture, INIT, cpus);
  /* the VMs' own cgroup is never restricted */
  vmctl_test_runtime_assert_line (fixture, MACHINE, "");
}

static void
define_two (RuntimeFixture *fixture)
{
  vmctl_test_runtime_define (fixture, "first", "2,3", FALSE, TRUE, FALSE);
  vmctl_test_runtime_define (fixture, "second", "4,5", FALSE, TRUE, FALSE);
}

static void
start_both (RuntimeFixture *fixture)
{
  vmctl_test_runtime_start_ok (fixture, "first");
  assert_host_cpus (fixture, "0-1,4-7");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (2), "performance");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (4), "powersave");
  vmctl_test_runtime_assert_line (fixture, IRQ, "0-1,4-7");
  vmctl_test_runtime_start_ok (fixture, "second");
  assert_host_cpus (fixture, "0-1,6-7");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (3), "performance");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (5), "performance");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (6), "powersave");
  vmctl_test_runtime_assert_line (fixture, IRQ, "0-1,6-7");
}

static void
test_two_vms_first_stops_first (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_runtime_snapshot (fixture);
  g_autoptr(GHashTable) after = NULL;

  define_two (fixture);
  start_both (fixture);
  /* the second VM still needs CPUs 4-5 kept free, not 2-3 */
  vmctl_test_runtime_destroy_ok (fixture, "first");
  assert_host_cpus (fixture, "0-3,6-7");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (2), "powersave");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (4), "performance");
  vmctl_test_runtime_assert_line (fixture, IRQ, "0-3,6-7");
  vmctl_test_runtime_destroy_ok (fixture, "second");
  after = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_host_assert_same (before, after);
  g_assert_cmpuint (vmctl_test_runtime_records (fixture), ==, 0);
}

static void
test_two_vms_second_stops_first (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_runtime_snapshot (fixture);
  g_autoptr(GHashTable) after = NULL;

  define_two (fixture);
  start_both (fixture);
  vmctl_test_runtime_destroy_ok (fixture, "second");
  assert_host_cpus (fixture, "0-1,4-7");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (5), "powersave");
  vmctl_test_runtime_assert_line (fixture, GOVERNOR (3), "performance");
  vmctl_test_runtime_destroy_ok (fixture, "first");
  after = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_host_assert_same (before, after);
  g_assert_cmpuint (vmctl_test_runtime_records (fixture), ==, 0);
}

/* an IRQ the kernel will not move stays as it was; the others move */
static void
test_irq_not_movable (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;

  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/fail-write",
                    "proc/irq/0/smp_affinity_list 5\n");
  before = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_runtime_define (fixture, "first", "2,3", FALSE, TRUE, FALSE);
  vmctl_test_runtime_start_ok (fixture, "first");
  vmctl_test_runtime_assert_line (fixture, "proc/irq/0/smp_affinity_list", "0-7");
  vmctl_test_runtime_assert_line (fixture, IRQ, "0-1,4-7");
  vmctl_test_runtime_destroy_ok (fixture, "first");
  after = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_host_assert_same (before, after);
}

/* a cgroup write that fails: the start fails, the host is as before */
static void
test_failure_undone (RuntimeFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_runtime_snapshot (fixture);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;

  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/fail-write",
                    "sys/fs/cgroup/user.slice/cpuset.cpus 28\n");
  vmctl_test_runtime_define (fixture, "first", "2,3", FALSE, TRUE, FALSE);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "first", NULL, &error));
  g_assert_nonnull (strstr (error->message, "cannot isolate CPUs 2-3 for VM 'first'"));
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&fixture->lifecycle, "first"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/fail-write", "");
  after = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_host_assert_same (before, after);
  g_assert_cmpuint (vmctl_test_runtime_records (fixture), ==, 0);
}

/* systemd: runtime AllowedCPUs on the three units, the exact calls */
static void
test_systemd (RuntimeFixture *fixture, gconstpointer data)
{
  static const gchar * const units[] = { "init.scope", "system.slice", "user.slice", NULL };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_auto(GStrv) calls = NULL;
  g_autofree gchar *joined = NULL;

  if (fixture->dbus == NULL)
    return;
  for (guint i = 0; units[i] != NULL; i++)
    vmctl_test_dbus_add_unit (fixture->dbus, units[i], "active", "");
  before = vmctl_test_runtime_snapshot (fixture);
  define_two (fixture);
  vmctl_test_runtime_start_ok (fixture, "first");
  vmctl_test_runtime_start_ok (fixture, "second");
  for (guint i = 0; units[i] != NULL; i++) {
    g_autofree gchar *cpus = vmctl_test_dbus_allowed_cpus (fixture->dbus, units[i]);

    g_assert_cmpstr (cpus, ==, "0-1,6-7");
  }
  vmctl_test_runtime_destroy_ok (fixture, "first");
  vmctl_test_runtime_destroy_ok (fixture, "second");
  calls = vmctl_test_dbus_systemd_calls (fixture->dbus, "SetUnitProperties");
  joined = g_strjoinv ("\n", calls);
  g_assert_cmpstr (joined, ==,
                   "init.scope true AllowedCPUs=0-1,4-7\n"
                   "system.slice true AllowedCPUs=0-1,4-7\n"
                   "user.slice true AllowedCPUs=0-1,4-7\n"
                   "init.scope true AllowedCPUs=0-1,6-7\n"
                   "system.slice true AllowedCPUs=0-1,6-7\n"
                   "user.slice true AllowedCPUs=0-1,6-7\n"
                   "init.scope true AllowedCPUs=0-3,6-7\n"
                   "system.slice true AllowedCPUs=0-3,6-7\n"
                   "user.slice true AllowedCPUs=0-3,6-7\n"
                   "user.slice true AllowedCPUs=\n"
                   "system.slice true AllowedCPUs=\n"
                   "init.scope true AllowedCPUs=");
  for (guint i = 0; units[i] != NULL; i++) {
    g_autofree gchar *cpus = vmctl_test_dbus_allowed_cpus (fixture->dbus, units[i]);

    g_assert_cmpstr (cpus, ==, "");
  }
  /* through systemd, the cgroup files are systemd's: vmctl wrote none;
   * governors and IRQs are back too */
  after = vmctl_test_runtime_snapshot (fixture);
  vmctl_test_host_assert_same (before, after);
}

/* a VM with a GPU holds a logind sleep inhibitor while it runs */
static void
test_inhibitor (RuntimeFixture *fixture, gconstpointer data)
{
  g_auto(GStrv) held = NULL;

  if (fixture->dbus == NULL)
    return;
  vmctl_test_runtime_define (fixture, "gamer", "2,3", TRUE, FALSE, FALSE);
  /* the GPU is the boot VGA here: detached by hand first, as today */
  {
    g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (fixture->lifecycle.domain.host, fixture->state, NULL);
    const VmctlPciAddress plan[] = { { 0, 1, 0, 0 }, { 0, 1, 0, 1 } };
    g_autoptr(GError) error = NULL;

    vmctl_vfio_set_force (vfio, TRUE);
    g_assert_true (vmctl_vfio_detach (vfio, plan, 2, "gamer", &error));
    g_assert_no_error (error);
  }
  vmctl_test_runtime_start_ok (fixture, "gamer");
  held = vmctl_test_dbus_inhibitors (fixture->dbus);
  g_assert_cmpuint (g_strv_length (held), ==, 1);
  g_assert_cmpstr (held[0], ==, "sleep vmctl VM 'gamer' holds a GPU on vfio-pci: a suspend would "
                                "leave it unusable block");
  vmctl_test_runtime_destroy_ok (fixture, "gamer");
  vmctl_test_runtime_assert_no_inhibitor (fixture);
  g_assert_cmpuint (vmctl_test_runtime_records (fixture), ==, 0);
}

/* killed after each write of an isolation: host recover restores */
static void
test_kill_recover (RuntimeFixture *fixture, gconstpointer data)
{
  static const gchar * const points[] = {
    "sys/fs/cgroup/init.scope/cpuset.cpus", "sys/fs/cgroup/user.slice/cpuset.cpus",
    "proc/irq/120/smp_affinity_list", "sys/devices/system/cpu/cpu3/cpufreq/scaling_governor",
    NULL,
  };
  g_autoptr(GHashTable) before = vmctl_test_runtime_snapshot (fixture);

  vmctl_test_runtime_define (fixture, "first", "2,3", FALSE, TRUE, FALSE);
  for (guint i = 0; points[i] != NULL; i++) {
    g_autofree gchar *out = vmctl_test_runtime_kill_then_recover (fixture, "first", "kill-after",
                                                                  points[i]);
    g_autoptr(GHashTable) now = vmctl_test_runtime_snapshot (fixture);

    g_assert_nonnull (strstr (out, "given back: CPU isolation of VM 'first'"));
    vmctl_test_host_assert_same (before, now);
    g_assert_cmpuint (vmctl_test_runtime_records (fixture), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim (argv[0]);
  add_runtime_test ("/vmctl/isolation/cgroupfs/first-stops-first",
                    test_two_vms_first_stops_first, FALSE);
  add_runtime_test ("/vmctl/isolation/cgroupfs/second-stops-first",
                    test_two_vms_second_stops_first, FALSE);
  add_runtime_test ("/vmctl/isolation/cgroupfs/irq-not-movable", test_irq_not_movable, FALSE);
  add_runtime_test ("/vmctl/isolation/cgroupfs/failure-undone", test_failure_undone, FALSE);
  add_runtime_test ("/vmctl/isolation/systemd", test_systemd, TRUE);
  add_runtime_test ("/vmctl/isolation/inhibitor", test_inhibitor, TRUE);
  add_runtime_test ("/vmctl/isolation/cgroupfs/kill-recover", test_kill_recover, FALSE);
  return g_test_run ();
}
