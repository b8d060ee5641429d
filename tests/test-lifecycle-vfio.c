/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-lifecycle-vfio.c: start and stop driving the passthrough engine, on
 * libvirt's test driver with a copy of clean-gpu-audio under the simulated
 * kernel (LD_PRELOAD): the plan's functions go to vfio-pci before the
 * domain starts and back after it stops; a plan the topology no longer
 * allows, or a group another running VM holds, refuses the start with
 * nothing moved; a reattach that fails keeps the journal. */
#include "vmctl-test-lifecycle.h"
#include "vmctl-test-util.h"
#include "vmctl-device-lock.h"
#include "vmctl-vfio.h"

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

typedef struct {
  LifecycleFixture lifecycle;
  gchar *state;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *sim = NULL;

  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_lifecycle_reset_spec (&fixture->lifecycle, "gamer");
  sim = g_build_filename (fixture->lifecycle.domain.root, ".sim", NULL);
  g_assert_cmpint (g_mkdir (sim, 0755), ==, 0);
  g_setenv ("VMCTL_SIM_ROOT", fixture->lifecycle.domain.root, TRUE);
  g_setenv ("VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  fixture->state = g_dir_make_tmp ("vmctl-lifecycle-vfio-XXXXXX", NULL);
  /* the planned functions live under the fixture's host root */
  vmctl_test_lifecycle_open (&fixture->lifecycle, NULL, fixture->lifecycle.domain.root,
                             fixture->state);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_lifecycle_teardown (&fixture->lifecycle, data);
  vmctl_test_remove_tree (fixture->state);
  g_free (fixture->state);
}

static gchar *
driver_of (Fixture *fixture, const gchar *addr)
{
  return vmctl_test_sim_driver (fixture->lifecycle.domain.root, addr);
}

static void
assert_driver (Fixture *fixture, const gchar *addr, const gchar *expected)
{
  g_autofree gchar *driver = driver_of (fixture, addr);

  g_assert_cmpstr (driver, ==, expected);
}

static guint
journal_size (Fixture *fixture)
{
  return (guint) MAX (vmctl_test_journal_files (fixture->state), 0);
}

static void
assert_host_as_before (Fixture *fixture)
{
  assert_driver (fixture, "0000:01:00.0", "nvidia");
  assert_driver (fixture, "0000:01:00.1", "snd_hda_intel");
  g_assert_cmpuint (journal_size (fixture), ==, 0);
}

static void
define_gamer (Fixture *fixture)
{
  vmctl_test_lifecycle_define_gpu (&fixture->lifecycle);
}

static void
collect_progress (const gchar *vm, const gchar *line, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s: %s", vm, line));
}

static void
test_start_stop (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_ref (fixture->lifecycle.domain.host);
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (host, fixture->state, NULL);
  g_autoptr(GPtrArray) entries = NULL;
  VmctlJournalEntry *entry;

  define_gamer (fixture);
  vmctl_session_set_progress_func (fixture->lifecycle.session, collect_progress, lines);
  g_assert_true (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  vmctl_session_set_progress_func (fixture->lifecycle.session, NULL, NULL);
  g_assert_no_error (error);
  /* the steps reach whoever watches, named by VM */
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "gamer: 0000:01:00.0: nvidia -> vfio-pci");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==,
                   "gamer: 0000:01:00.1: snd_hda_intel -> vfio-pci");
  assert_driver (fixture, "0000:01:00.0", "vfio-pci");
  assert_driver (fixture, "0000:01:00.1", "vfio-pci");
  entries = vmctl_vfio_status (vfio, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->owner, ==, "gamer");
  g_assert_cmpstr (entry->original_driver, ==, "nvidia");

  g_assert_true (vmctl_vm_destroy (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_host_as_before (fixture);
}

/* the plan holds the GPU only; its audio function, still on its host
 * driver, shares the group: the kernel would refuse, vmctl says why first */
static void
test_plan_no_longer_fits (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  vmctl_test_domain_spec_add_gpu (fixture->lifecycle.domain.spec, "0000:01:00.0", NULL);
  vmctl_test_domain_plan_add (fixture->lifecycle.domain.plan, "0000:01:00.0",
                              VMCTL_PLAN_ROLE_GPU, "0000:01:00.0", "nvidia", 1);
  g_assert_true (vmctl_test_lifecycle_define_spec (&fixture->lifecycle, &error));
  g_assert_no_error (error);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "IOMMU group 1 changed since the VM was made: "
                                                  "0000:01:00.1 (snd_hda_intel)");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&fixture->lifecycle, "gamer"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  assert_host_as_before (fixture);
}

/* another VM runs with the audio function: the group is taken */
static void
test_group_in_use (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  vmctl_test_lifecycle_reset_spec (&fixture->lifecycle, "other");
  {
    VmctlPciAddress audio;

    g_assert_true (vmctl_pci_address_parse ("0000:01:00.1", &audio, NULL));
    g_array_append_val (fixture->lifecycle.domain.spec->hostdevs, audio);
  }
  vmctl_test_domain_plan_add (fixture->lifecycle.domain.plan, "0000:01:00.1",
                              VMCTL_PLAN_ROLE_HOSTDEV, "0000:01:00.1", "snd_hda_intel", 1);
  g_assert_true (vmctl_test_lifecycle_define_spec (&fixture->lifecycle, &error));
  g_assert_no_error (error);
  /* started behind vmctl's back, as a hand-made domain would be */
  {
    g_autoptr(VmctlDomain) other = virDomainLookupByName (fixture->lifecycle.connection, "other");

    g_assert_cmpint (virDomainCreate (other), ==, 0);
  }
  vmctl_test_lifecycle_reset_spec (&fixture->lifecycle, "gamer");
  define_gamer (fixture);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "IOMMU group 1 is in use by running VM 'other' "
                                                  "(0000:01:00.1)");
  assert_host_as_before (fixture);
}

/* the GPU never binds to vfio-pci: the engine undoes the audio function
 * it had not reached and the GPU itself; the domain stays off */
static void
test_detach_fails (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  define_gamer (fixture);
  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/never-bind", "0000:01:00.1 vfio-pci\n");
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_TIMEOUT);
  vmctl_test_lifecycle_assert_message_has (error, "0000:01:00.1");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&fixture->lifecycle, "gamer"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  assert_host_as_before (fixture);
}

/* giving back fails (vfio-pci refuses to let go): stop reports it and the
 * journal keeps both functions for `gpu recover` */
static void
test_reattach_fails (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  define_gamer (fixture);
  g_assert_true (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/fail-write", "drivers/vfio-pci/unbind 16\n");
  g_assert_false (vmctl_vm_destroy (fixture->lifecycle.session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "vmctl gpu recover");
  g_clear_error (&error);
  g_assert_cmpuint (journal_size (fixture), ==, 2);
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&fixture->lifecycle, "gamer"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  /* the fault gone, the next stop-side call finishes the job */
  vmctl_test_unlink (fixture->lifecycle.domain.root, ".sim/fail-write");
  {
    g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (fixture->lifecycle.domain.host, fixture->state, NULL);

    g_assert_true (vmctl_vfio_reattach_owner (vfio, "gamer", NULL, &error));
    g_assert_no_error (error);
  }
  assert_host_as_before (fixture);
}

static gchar *
empty_pool (Fixture *fixture)
{
  return vmctl_test_lifecycle_empty_pool (fixture->lifecycle.domain.root);
}

static void
define_hugepage_gamer (Fixture *fixture, gboolean dynamic)
{
  fixture->lifecycle.domain.spec->memory_kib = 128 * 1024;
  fixture->lifecycle.domain.spec->hugepages = TRUE;
  fixture->lifecycle.domain.spec->hugepages_dynamic = dynamic;
  define_gamer (fixture);
}

static void
assert_pool (const gchar *nr_path, const gchar *expected)
{
  g_autofree gchar *contents = NULL;

  g_assert_true (g_file_get_contents (nr_path, &contents, NULL, NULL));
  g_assert_cmpstr (g_strstrip (contents), ==, expected);
}

/* not enough free pages: the start is refused before any device moves,
 * with the command that fixes it */
static void
test_hugepages_short (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *nr_path = NULL;

  /* defined while the pages were free (create refuses otherwise), taken
   * by the time of the start */
  define_hugepage_gamer (fixture, FALSE);
  nr_path = empty_pool (fixture);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "echo 64 > /proc/sys/vm/nr_hugepages");
  assert_host_as_before (fixture);
  assert_pool (nr_path, "0");
}

/* dynamic: reserved for the start, given back after the stop */
static void
test_hugepages_dynamic (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *nr_path = empty_pool (fixture);

  define_hugepage_gamer (fixture, TRUE);
  g_assert_true (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_pool (nr_path, "64");
  assert_driver (fixture, "0000:01:00.0", "vfio-pci");
  g_assert_true (vmctl_vm_destroy (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_pool (nr_path, "0");
  assert_host_as_before (fixture);
}

/* dynamic, but the detach fails: the reservation is released too */
static void
test_hugepages_dynamic_undone (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *nr_path = empty_pool (fixture);

  define_hugepage_gamer (fixture, TRUE);
  vmctl_test_write (fixture->lifecycle.domain.root, ".sim/never-bind", "0000:01:00.0 vfio-pci\n");
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_TIMEOUT);
  assert_pool (nr_path, "0");
  assert_host_as_before (fixture);
}

/* two starts of one VM take turns: with the first one's lock held and no
 * wait allowed, the second refuses before touching anything */
static void
test_start_takes_turns (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlDeviceLock) first = NULL;

  define_gamer (fixture);
  first = vmctl_owner_lock_acquire (fixture->state, "gamer", 0, &error);
  g_assert_no_error (error);
  g_setenv ("VMCTL_LOCK_TIMEOUT_MS", "0", TRUE);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_unsetenv ("VMCTL_LOCK_TIMEOUT_MS");
  g_assert_error (error, VMCTL_DEVICE_LOCK_ERROR, VMCTL_DEVICE_LOCK_ERROR_BUSY);
  vmctl_test_lifecycle_assert_message_has (error, "VM 'gamer' is in use by another vmctl");
  g_clear_error (&error);
  assert_host_as_before (fixture);
  g_clear_pointer (&first, vmctl_device_lock_release);
  g_assert_true (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_vm_destroy (fixture->lifecycle.session, "gamer", NULL, &error));
  assert_host_as_before (fixture);
}

/* the boot display's card: start refuses, naming the way; after a
 * deliberate detach the start uses it, and the stop leaves it detached */
static void
test_boot_vga (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (fixture->lifecycle.domain.host, fixture->state, NULL);
  VmctlPciAddress gpu[2];

  vmctl_test_write (fixture->lifecycle.domain.root,
                    "sys/bus/pci/devices/0000:01:00.0/boot_vga", "1\n");
  define_gamer (fixture);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_IN_USE);
  vmctl_test_lifecycle_assert_message_has (error, "'vmctl gpu detach ADDR --force'");
  g_clear_error (&error);
  assert_host_as_before (fixture);

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &gpu[0], NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:01:00.1", &gpu[1], NULL));
  vmctl_vfio_set_force (vfio, TRUE);
  g_assert_true (vmctl_vfio_detach (vfio, gpu, 2, "", &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vmctl_vm_destroy (fixture->lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_driver (fixture, "0000:01:00.0", "vfio-pci");
  assert_driver (fixture, "0000:01:00.1", "vfio-pci");
  g_assert_true (vmctl_vfio_reattach (vfio, gpu, 2, NULL, &error));
  g_assert_no_error (error);
  assert_host_as_before (fixture);
}

/* a FIFO where a planned function's journal entry would be: the start
 * returns at once, refused, naming it (nobody can tell whether that
 * function is held), and nothing moves. Run in a child, which a hang cannot
 * take this process down with. */
static void
test_fifo_start (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *journal = g_build_filename (fixture->state, "journal", NULL);
  g_autofree gchar *fifo = g_build_filename (journal, "0000:01:00.1.entry", NULL);

  if (!g_test_subprocess ()) {
    g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed ();
    return;
  }
  define_gamer (fixture);
  g_assert_cmpint (g_mkdir (journal, 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (vmctl_vm_start (fixture->lifecycle.session, "gamer", NULL, &error));
  vmctl_test_lifecycle_assert_message_has (error, "0000:01:00.1.entry");
  vmctl_test_lifecycle_assert_message_has (error, "it is a FIFO");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&fixture->lifecycle, "gamer"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
  assert_driver (fixture, "0000:01:00.0", "nvidia");
  assert_driver (fixture, "0000:01:00.1", "snd_hda_intel");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/vmctl/lifecycle-vfio/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("start-stop", test_start_stop);
  ADD ("plan-no-longer-fits", test_plan_no_longer_fits);
  ADD ("group-in-use", test_group_in_use);
  ADD ("detach-fails", test_detach_fails);
  ADD ("reattach-fails", test_reattach_fails);
  ADD ("hugepages-short", test_hugepages_short);
  ADD ("boot-vga", test_boot_vga);
  ADD ("start-takes-turns", test_start_takes_turns);
  ADD ("hugepages-dynamic", test_hugepages_dynamic);
  ADD ("hugepages-dynamic-undone", test_hugepages_dynamic_undone);
  ADD ("fifo-start", test_fifo_start);
#undef ADD
  return g_test_run ();
}
