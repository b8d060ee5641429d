/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hostcheck.c: the readiness report against the fixture hosts in
 * tests/data/sysfs, and against copies of them edited per test into the
 * half-configured states users actually have: CPU, KVM and IOMMU checks, and
 * hosts too broken to read. */
#include <glib/gstdio.h>
#include <string.h>

#include "vmctl-test-hostcheck.h"

static void
test_clean (HostFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("clean-gpu-audio");
  const VmctlCheckResult *libvirt;

  vmctl_test_hostcheck_run (fixture, uri);
  g_assert_true (fixture->report->ready);
  /* the tree has everything but swtpm: every other check passes */
  for (guint i = 0; i < VMCTL_TEST_N_CHECKS; i++)
    if (g_strcmp0 (vmctl_test_check_order[i], "firmware.tpm") != 0)
      assert_status (fixture, vmctl_test_check_order[i], VMCTL_CHECK_PASS);
  assert_status (fixture, "firmware.tpm", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "firmware.tpm", "apt install swtpm swtpm-tools");
  vmctl_test_assert_message_contains (fixture, "cpu.virtualization", "GenuineIntel");
  vmctl_test_assert_message_contains (fixture, "kvm.modules", "kvm_intel");
  vmctl_test_assert_message_contains (fixture, "iommu.acpi", "DMAR");
  vmctl_test_assert_message_contains (fixture, "iommu.groups", "8 IOMMU groups");
  vmctl_test_assert_message_contains (fixture, "iommu.groups", "dmar0");
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "INTR_REMAP");
  vmctl_test_assert_message_contains (fixture, "hugepages", "2048 kB: 8192 total, 8192 free (16 GiB)");
  vmctl_test_assert_message_contains (fixture, "hugepages.mount", "/dev/hugepages");
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "3 UEFI builds");
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "Secure Boot build available");
  libvirt = vmctl_test_hostcheck_result (fixture, "libvirt.connection");
  g_assert_true (g_str_has_prefix (libvirt->message, uri));
  g_assert_nonnull (strstr (libvirt->message, ": libvirt "));
  g_assert_nonnull (strstr (libvirt->message, ", hypervisor TEST "));
}

static void
test_clean_without_uri (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
}

static void
test_amd (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  for (guint i = 0; i < VMCTL_TEST_N_CHECKS - 1; i++)
    if (g_strcmp0 (vmctl_test_check_order[i], "firmware.tpm") != 0)
      assert_status (fixture, vmctl_test_check_order[i], VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "cpu.virtualization", "AuthenticAMD");
  vmctl_test_assert_message_contains (fixture, "cpu.virtualization", "svm");
  vmctl_test_assert_message_contains (fixture, "kvm.modules", "kvm_amd");
  vmctl_test_assert_message_contains (fixture, "kvm.nested", "kvm_amd nested=1");
  vmctl_test_assert_message_contains (fixture, "iommu.acpi", "IVRS");
  vmctl_test_assert_message_contains (fixture, "iommu.groups", "ivhd0");
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "ivhd");
}

static void
test_amd_without_passthrough (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_set_cmdline (fixture, "");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "GRUB_CMDLINE_LINUX_DEFAULT=\"... iommu=pt\"");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "update-grub");
  /* AMD-Vi needs no switch on the command line */
  vmctl_test_assert_fix_lacks (fixture, "iommu.cmdline", "intel_iommu");
  vmctl_test_assert_fix_lacks (fixture, "iommu.cmdline", "amd_iommu=on");
  g_assert_true (fixture->report->ready);
}

static void
test_amd_iommu_off (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_set_cmdline (fixture, "amd_iommu=off iommu=pt");
  vmctl_test_hostcheck_remove (fixture, "sys/kernel/iommu_groups");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "iommu.cmdline", "amd_iommu=off");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "remove amd_iommu=off");
  assert_status (fixture, "iommu.groups", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "AMD-Vi");
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "remove amd_iommu=off");
  vmctl_test_assert_fix_lacks (fixture, "iommu.groups", "intel_iommu");
}

static void
test_amd_nested_off (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "sys/module/kvm_amd/parameters/nested", "0\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "kvm.nested", "echo 'options kvm_amd nested=1' > "
                                              "/etc/modprobe.d/kvm-nested.conf");
  vmctl_test_assert_fix_contains (fixture, "kvm.nested", "modprobe -r kvm_amd");
}

static void
test_nested_off (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "kvm.nested", "nested=N");
  vmctl_test_assert_fix_contains (fixture, "kvm.nested", "echo 'options kvm_intel nested=1' > "
                                              "/etc/modprobe.d/kvm-nested.conf");
  vmctl_test_assert_fix_contains (fixture, "kvm.nested", "modprobe -r kvm_intel && modprobe kvm_intel");
}

static void
test_iommu_off (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  /* firmware has VT-d (DMAR), the kernel was not asked to use it */
  assert_status (fixture, "iommu.acpi", VMCTL_CHECK_PASS);
  assert_status (fixture, "iommu.groups", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "iommu.groups", "no IOMMU groups");
  vmctl_test_assert_fix_contains (fixture, "iommu.groups",
                       "GRUB_CMDLINE_LINUX_DEFAULT=\"... intel_iommu=on iommu=pt\"");
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "/etc/default/grub");
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "update-grub");
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "grub2-mkconfig -o /boot/grub2/grub.cfg");
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "intel_iommu=on");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "iommu=pt");
}

static void
test_no_iommu_at_all (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "sys/firmware/acpi/tables/DMAR");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.acpi", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "iommu.acpi", "VT-d");
  /* firmware first, then the command line */
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "VT-d");
  vmctl_test_assert_fix_contains (fixture, "iommu.groups", "intel_iommu=on");
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "cannot tell without an IOMMU");
}

/* CONFIG_INTEL_IOMMU_DEFAULT_ON: groups exist without intel_iommu=on */
static void
test_intel_default_on (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_set_cmdline (fixture, "iommu=pt");
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "iommu.groups", VMCTL_CHECK_PASS);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "iommu.cmdline", "CONFIG_INTEL_IOMMU_DEFAULT_ON");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "GRUB_CMDLINE_LINUX_DEFAULT=\"... intel_iommu=on\"");
}

static void
test_intel_without_passthrough (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_set_cmdline (fixture, "intel_iommu=on");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "iommu.cmdline", "iommu=pt");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "GRUB_CMDLINE_LINUX_DEFAULT=\"... iommu=pt\"");
}

static void
test_intel_iommu_off (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_set_cmdline (fixture, "intel_iommu=off iommu=pt");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "iommu.cmdline", "intel_iommu=off");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "remove intel_iommu=off");
  vmctl_test_assert_fix_contains (fixture, "iommu.cmdline", "intel_iommu=on");
}

static void
test_cmdline_last_wins (HostFixture *fixture, gconstpointer data)
{
  /* later settings override earlier ones, as the kernel parses them;
   * iommu.passthrough=1 is the generic spelling of iommu=pt */
  vmctl_test_hostcheck_set_cmdline (fixture, "intel_iommu=off intel_iommu=on,sm_on iommu.passthrough=1");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_PASS);
  vmctl_test_hostcheck_set_cmdline (fixture, "intel_iommu=on iommu=pt iommu=nopt");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
}

static void
test_no_intremap (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "intremap=off");
  vmctl_test_assert_fix_contains (fixture, "iommu.interrupt_remapping", "remove intremap=off");
  vmctl_test_assert_fix_contains (fixture, "iommu.interrupt_remapping",
                       "options vfio_iommu_type1 allow_unsafe_interrupts=1");
  vmctl_test_assert_fix_contains (fixture, "iommu.interrupt_remapping", "arbitrary MSIs");
}

static void
test_no_intremap_allowed_unsafely (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping",
                           "allowed unsafely: a guest can fire arbitrary MSIs at the host");
}

/* the hardware has it, only the command line turns it off */
static void
test_intremap_off_on_capable_hardware (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_set_cmdline (fixture, "intel_iommu=on iommu=pt intremap=no");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "iommu.interrupt_remapping", "remove intremap=no");
  vmctl_test_assert_fix_lacks (fixture, "iommu.interrupt_remapping", "hardware lacks");
}

/* the kernel wants IR on every unit: one without it is enough to lose it */
static void
test_intremap_unit_without_ir (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f050d2\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "dmar0 lacks IR");
  vmctl_test_assert_fix_contains (fixture, "iommu.interrupt_remapping", "VT-d");
}

static void
test_no_kvm (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "cpu.virtualization", "VT-x");
  assert_status (fixture, "kvm.modules", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "kvm.modules", "modprobe kvm_intel");
  vmctl_test_assert_fix_contains (fixture, "kvm.modules", "/etc/modules-load.d/kvm.conf");
  assert_status (fixture, "kvm.device", VMCTL_CHECK_FAIL);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
}

/* A cloud VM: no vmx, the hypervisor flag, and KVM served by kvm_pvm
 * (what this project's own CI machines look like). */
static void
make_guest (HostFixture *fixture, gboolean pvm)
{
  g_autofree gchar *cpuinfo_path = g_build_filename (fixture->root, "proc/cpuinfo", NULL);
  g_autofree gchar *kvm_intel = g_build_filename (fixture->root, "sys/module/kvm_intel", NULL);
  g_autofree gchar *cpuinfo = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree gchar *guest = NULL;

  g_assert_true (g_file_get_contents (cpuinfo_path, &cpuinfo, NULL, NULL));
  parts = g_strsplit (cpuinfo, " vmx ", -1);
  g_assert_cmpuint (g_strv_length (parts), >, 1);
  guest = g_strjoinv (" hypervisor ", parts);
  vmctl_test_write (fixture->root, "proc/cpuinfo", guest);
  vmctl_test_remove_tree (kvm_intel);
  if (pvm)
    vmctl_test_write (fixture->root, "sys/module/kvm_pvm/parameters/allow_unsafe_mappings", "N\n");
}

static void
test_pvm_guest (HostFixture *fixture, gconstpointer data)
{
  make_guest (fixture, TRUE);
  vmctl_test_hostcheck_run (fixture, NULL);
  /* KVM works: VMs vmctl_test_hostcheck_run, only passthrough is out of reach */
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_WARN);
  g_assert_nonnull (strstr (vmctl_test_hostcheck_result (fixture, "cpu.virtualization")->message, "kvm_pvm"));
  g_assert_nonnull (strstr (vmctl_test_hostcheck_result (fixture, "cpu.virtualization")->message, "virtual machine"));
  assert_status (fixture, "kvm.modules", VMCTL_CHECK_PASS);
  assert_status (fixture, "kvm.device", VMCTL_CHECK_PASS);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  g_assert_null (strstr (vmctl_test_hostcheck_result (fixture, "kvm.nested")->fix, "modprobe"));
}

static void
test_guest_without_vmx (HostFixture *fixture, gconstpointer data)
{
  make_guest (fixture, FALSE);
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "cpu.virtualization", "outer host");
  assert_status (fixture, "kvm.modules", VMCTL_CHECK_FAIL);
}

static void
test_kvm_device_unopenable (HostFixture *fixture, gconstpointer data)
{
  g_autofree gchar *node = g_build_filename (fixture->root, "dev", "kvm", NULL);

  /* root opens any regular file; a directory fails open(O_RDWR) for
   * everyone, which stands in for a node without group permission */
  vmctl_test_unlink (fixture->root, "dev/kvm");
  g_assert_cmpint (g_mkdir (node, 0755), ==, 0);
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "kvm.device", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "kvm.device", "usermod -aG kvm $USER");
  g_assert_true (fixture->report->ready);
}

static void
test_empty_cpuinfo (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "proc/cpuinfo", "");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "cpu.virtualization", "cannot tell");
  /* the vendor still comes from kvm_intel and DMAR */
  vmctl_test_assert_message_contains (fixture, "kvm.modules", "kvm_intel");
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_PASS);
}

static void
test_garbage_cpuinfo (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "proc/cpuinfo", "\x01\x02 garbage : : :\nflags\n:\n\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_cmpint (vmctl_test_hostcheck_result (fixture, "cpu.virtualization")->status, !=, VMCTL_CHECK_PASS);
}

static void
test_garbage_dmar (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "sys/firmware/acpi/tables/DMAR", "garbage");
  vmctl_test_hostcheck_run (fixture, NULL);
  /* the units' ecap still answers */
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "malformed");

  vmctl_test_hostcheck_write (fixture, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "not hex\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "iommu.interrupt_remapping", "cannot tell");
}

static void
test_garbage_counts (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "lots\n");
  vmctl_test_hostcheck_write (fixture, "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "");
  vmctl_test_hostcheck_write (fixture, "sys/module/kvm_intel/parameters/nested", "");
  vmctl_test_hostcheck_write (fixture, "proc/sys/kernel/osrelease", "");
  vmctl_test_hostcheck_write (fixture, "proc/mounts", "\n\n  \nhugetlbfs\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "hugepages", VMCTL_CHECK_WARN);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_WARN);
  /* modules are loaded: sysfs alone is enough */
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_PASS);
}

static void
test_missing_proc (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_remove (fixture, "proc");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_WARN);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "iommu.cmdline", "/proc/cmdline");
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_WARN);
  /* loaded modules do not need modules.dep */
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_PASS);
}

static void
test_empty_root (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "kvm.modules", VMCTL_CHECK_FAIL);
  assert_status (fixture, "iommu.acpi", VMCTL_CHECK_FAIL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_FAIL);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_WARN);
}

static void
test_nonexistent_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new ("/nonexistent/vmctl-host-root", &error);

  g_assert_null (host);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_BAD_ROOT);
}

static void
test_status_strings (void)
{
  g_assert_cmpstr (vmctl_check_status_to_string (VMCTL_CHECK_PASS), ==, "PASS");
  g_assert_cmpstr (vmctl_check_status_to_string (VMCTL_CHECK_WARN), ==, "WARN");
  g_assert_cmpstr (vmctl_check_status_to_string (VMCTL_CHECK_FAIL), ==, "FAIL");
}

/* Every fixture host, including the ones made for other modules, gives a
 * report that keeps the invariants. */
static void
test_every_scenario (void)
{
  g_autofree gchar *directory = vmctl_test_source_path ("tests/data/sysfs");
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const gchar *name;
  guint count = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (directory, name, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlHost) host = NULL;
    g_autoptr(VmctlHostReport) report = NULL;

    if (!g_file_test (path, G_FILE_TEST_IS_DIR))
      continue;
    /* read-only: the checks never write, so the source tree will do */
    host = vmctl_host_new (path, &error);
    g_assert_no_error (error);
    report = vmctl_host_check_run (host, NULL);
    g_assert_cmpuint (report->results->len, ==, VMCTL_TEST_N_CHECKS - 1);
    vmctl_test_hostcheck_assert_invariants (report);
    count++;
  }
  g_assert_cmpuint (count, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vmctl/hostcheck/status-strings", test_status_strings);
  g_test_add_func ("/vmctl/hostcheck/root/nonexistent", test_nonexistent_root);
  g_test_add_func ("/vmctl/hostcheck/every-scenario", test_every_scenario);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/clean/with-libvirt", "clean-gpu-audio", test_clean);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/clean/without-uri", "clean-gpu-audio", test_clean_without_uri);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/amd/clean", "amd-host", test_amd);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/amd/no-passthrough", "amd-host", test_amd_without_passthrough);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/amd/iommu-off", "amd-host", test_amd_iommu_off);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/amd/nested-off", "amd-host", test_amd_nested_off);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/kvm/nested-off", "nested-off", test_nested_off);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/kvm/no-kvm", "no-kvm", test_no_kvm);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/kvm/pvm-guest", "clean-gpu-audio", test_pvm_guest);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/kvm/guest-without-vmx", "clean-gpu-audio", test_guest_without_vmx);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/kvm/device-unopenable", "clean-gpu-audio",
                            test_kvm_device_unopenable);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/iommu/off", "iommu-off", test_iommu_off);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/iommu/none", "iommu-off", test_no_iommu_at_all);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/iommu/intel-default-on", "clean-gpu-audio",
                            test_intel_default_on);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/iommu/no-passthrough", "clean-gpu-audio",
                            test_intel_without_passthrough);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/iommu/intel-iommu-off", "clean-gpu-audio",
                            test_intel_iommu_off);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/iommu/cmdline-last-wins", "clean-gpu-audio",
                            test_cmdline_last_wins);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/intremap/missing", "no-intremap", test_no_intremap);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/intremap/allowed-unsafely", "no-intremap",
                            test_no_intremap_allowed_unsafely);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/intremap/cmdline-only", "clean-gpu-audio",
                            test_intremap_off_on_capable_hardware);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/intremap/unit-without-ir", "clean-gpu-audio",
                            test_intremap_unit_without_ir);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/damaged/empty-cpuinfo", "clean-gpu-audio", test_empty_cpuinfo);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/damaged/garbage-cpuinfo", "clean-gpu-audio",
                            test_garbage_cpuinfo);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/damaged/garbage-dmar", "clean-gpu-audio", test_garbage_dmar);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/damaged/garbage-counts", "clean-gpu-audio",
                            test_garbage_counts);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/damaged/missing-proc", "clean-gpu-audio", test_missing_proc);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/damaged/empty-root", NULL, test_empty_root);
  return g_test_run ();
}
