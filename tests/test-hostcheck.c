/* test-hostcheck.c: the readiness report against the fixture hosts in
 * tests/data/sysfs, and against copies of them edited per test into the
 * half-configured states users actually have. */
#include <glib/gstdio.h>
#include <string.h>

#include "vmctl-hostcheck.h"
#include "vmctl-test-util.h"

static const gchar * const check_order[] = {
  "cpu.virtualization", "kvm.modules", "kvm.device", "kvm.nested",
  "iommu.acpi", "iommu.groups", "iommu.cmdline", "iommu.interrupt_remapping",
  "vfio.modules", "vfio.device", "hugepages", "hugepages.mount",
  "firmware.ovmf", "devices.vhost_net", "devices.tun", "libvirt.connection",
};

#define BOOT "BOOT_IMAGE=/vmlinuz-6.1.0-27-amd64 root=UUID=3f9c1e4a ro quiet"

typedef struct {
  gchar *root;
  VmctlHost *host;
  VmctlHostReport *report;
} HostFixture;

/* data: the scenario to copy, or NULL for an empty root */
static void
host_setup (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (data != NULL) {
    fixture->root = vmctl_test_copy_scenario (data);
  } else {
    fixture->root = g_dir_make_tmp ("vmctl-test-hostcheck-XXXXXX", &error);
    g_assert_no_error (error);
  }
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
host_teardown (HostFixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->report, vmctl_host_report_free);
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

/* Every report, whatever the host, keeps these promises. */
static void
assert_report_invariants (const VmctlHostReport *report)
{
  gboolean any_fail = FALSE;

  for (guint i = 0; i < report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (report->results, i);

    g_assert_cmpstr (result->id, ==, check_order[i]);
    g_assert_nonnull (result->title);
    g_assert_nonnull (result->message);
    g_assert_cmpstr (result->message, !=, "");
    g_assert_null (strchr (result->message, '\n'));
    if (result->status == VMCTL_CHECK_PASS) {
      g_assert_null (result->fix);
    } else {
      g_assert_nonnull (result->fix);
      g_assert_null (strchr (result->fix, '\n'));
      /* outdated advice copied from virt-host-validate (FACTS.md) */
      g_assert_null (strstr (result->fix, "iommu=1"));
    }
    /* vfio_virqfd is part of vfio since 6.2 or built in: never ask for it */
    g_assert_null (strstr (result->message, "virqfd"));
    g_assert_true (result->fix == NULL || strstr (result->fix, "virqfd") == NULL);
    any_fail |= result->status == VMCTL_CHECK_FAIL;
  }
  g_assert_cmpint (report->ready, ==, !any_fail);
}

static const VmctlHostReport *
run (HostFixture *fixture, const gchar *uri)
{
  g_clear_pointer (&fixture->report, vmctl_host_report_free);
  fixture->report = vmctl_host_check_run (fixture->host, uri);
  g_assert_nonnull (fixture->report);
  g_assert_cmpuint (fixture->report->results->len, ==,
                    G_N_ELEMENTS (check_order) - (uri == NULL ? 1 : 0));
  assert_report_invariants (fixture->report);
  return fixture->report;
}

static const VmctlCheckResult *
result_for (HostFixture *fixture, const gchar *id)
{
  for (guint i = 0; i < fixture->report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (fixture->report->results, i);

    if (strcmp (result->id, id) == 0)
      return result;
  }
  g_error ("no result for %s", id);
  return NULL;
}

#define assert_status(fixture, id, expected) \
  G_STMT_START { \
    const VmctlCheckResult *r_ = result_for ((fixture), (id)); \
    if (r_->status != (expected)) \
      g_error ("%s: expected %s, got %s: %s (fix: %s)", (id), \
               vmctl_check_status_to_string (expected), \
               vmctl_check_status_to_string (r_->status), r_->message, \
               r_->fix != NULL ? r_->fix : "none"); \
  } G_STMT_END

static void
assert_fix_contains (HostFixture *fixture, const gchar *id, const gchar *needle)
{
  const VmctlCheckResult *result = result_for (fixture, id);

  g_assert_nonnull (result->fix);
  if (strstr (result->fix, needle) == NULL)
    g_error ("%s: fix lacks '%s': %s", id, needle, result->fix);
}

static void
assert_fix_lacks (HostFixture *fixture, const gchar *id, const gchar *needle)
{
  const VmctlCheckResult *result = result_for (fixture, id);

  if (result->fix != NULL && strstr (result->fix, needle) != NULL)
    g_error ("%s: fix should not say '%s': %s", id, needle, result->fix);
}

static void
assert_message_contains (HostFixture *fixture, const gchar *id, const gchar *needle)
{
  const VmctlCheckResult *result = result_for (fixture, id);

  if (strstr (result->message, needle) == NULL)
    g_error ("%s: message lacks '%s': %s", id, needle, result->message);
}

static void
write_file (HostFixture *fixture, const gchar *relative, const gchar *contents)
{
  vmctl_test_write (fixture->root, relative, contents);
}

static void
remove_path (HostFixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  vmctl_test_remove_tree (path);
}

static void
set_cmdline (HostFixture *fixture, const gchar *arguments)
{
  g_autofree gchar *line = g_strdup_printf ("%s %s\n", BOOT, arguments);

  write_file (fixture, "proc/cmdline", line);
}

/* --- whole scenarios ---------------------------------------------------- */

static void
test_clean (HostFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("clean-gpu-audio");
  const VmctlCheckResult *libvirt;

  run (fixture, uri);
  g_assert_true (fixture->report->ready);
  /* the tree has everything: every check passes */
  for (guint i = 0; i < G_N_ELEMENTS (check_order); i++)
    assert_status (fixture, check_order[i], VMCTL_CHECK_PASS);
  assert_message_contains (fixture, "cpu.virtualization", "GenuineIntel");
  assert_message_contains (fixture, "kvm.modules", "kvm_intel");
  assert_message_contains (fixture, "iommu.acpi", "DMAR");
  assert_message_contains (fixture, "iommu.groups", "8 IOMMU groups");
  assert_message_contains (fixture, "iommu.groups", "dmar0");
  assert_message_contains (fixture, "iommu.interrupt_remapping", "INTR_REMAP");
  assert_message_contains (fixture, "hugepages", "2048 kB: 8192 total, 8192 free (16 GiB)");
  assert_message_contains (fixture, "hugepages.mount", "/dev/hugepages");
  assert_message_contains (fixture, "firmware.ovmf", "3 UEFI builds");
  assert_message_contains (fixture, "firmware.ovmf", "Secure Boot build available");
  libvirt = result_for (fixture, "libvirt.connection");
  g_assert_true (g_str_has_prefix (libvirt->message, uri));
  g_assert_nonnull (strstr (libvirt->message, ": libvirt "));
  g_assert_nonnull (strstr (libvirt->message, ", hypervisor TEST "));
}

static void
test_clean_without_uri (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
}

static void
test_amd (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  for (guint i = 0; i < G_N_ELEMENTS (check_order) - 1; i++)
    assert_status (fixture, check_order[i], VMCTL_CHECK_PASS);
  assert_message_contains (fixture, "cpu.virtualization", "AuthenticAMD");
  assert_message_contains (fixture, "cpu.virtualization", "svm");
  assert_message_contains (fixture, "kvm.modules", "kvm_amd");
  assert_message_contains (fixture, "kvm.nested", "kvm_amd nested=1");
  assert_message_contains (fixture, "iommu.acpi", "IVRS");
  assert_message_contains (fixture, "iommu.groups", "ivhd0");
  assert_message_contains (fixture, "iommu.interrupt_remapping", "ivhd");
}

static void
test_amd_without_passthrough (HostFixture *fixture, gconstpointer data)
{
  set_cmdline (fixture, "");
  run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "iommu.cmdline", "GRUB_CMDLINE_LINUX_DEFAULT=\"... iommu=pt\"");
  assert_fix_contains (fixture, "iommu.cmdline", "update-grub");
  /* AMD-Vi needs no switch on the command line */
  assert_fix_lacks (fixture, "iommu.cmdline", "intel_iommu");
  assert_fix_lacks (fixture, "iommu.cmdline", "amd_iommu=on");
  g_assert_true (fixture->report->ready);
}

static void
test_amd_iommu_off (HostFixture *fixture, gconstpointer data)
{
  set_cmdline (fixture, "amd_iommu=off iommu=pt");
  remove_path (fixture, "sys/kernel/iommu_groups");
  run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "iommu.cmdline", "amd_iommu=off");
  assert_fix_contains (fixture, "iommu.cmdline", "remove amd_iommu=off");
  assert_status (fixture, "iommu.groups", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "iommu.groups", "AMD-Vi");
  assert_fix_contains (fixture, "iommu.groups", "remove amd_iommu=off");
  assert_fix_lacks (fixture, "iommu.groups", "intel_iommu");
}

static void
test_amd_nested_off (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "sys/module/kvm_amd/parameters/nested", "0\n");
  run (fixture, NULL);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "kvm.nested", "echo 'options kvm_amd nested=1' > "
                                              "/etc/modprobe.d/kvm-nested.conf");
  assert_fix_contains (fixture, "kvm.nested", "modprobe -r kvm_amd");
}

static void
test_nested_off (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "kvm.nested", "nested=N");
  assert_fix_contains (fixture, "kvm.nested", "echo 'options kvm_intel nested=1' > "
                                              "/etc/modprobe.d/kvm-nested.conf");
  assert_fix_contains (fixture, "kvm.nested", "modprobe -r kvm_intel && modprobe kvm_intel");
}

static void
test_iommu_off (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  /* firmware has VT-d (DMAR), the kernel was not asked to use it */
  assert_status (fixture, "iommu.acpi", VMCTL_CHECK_PASS);
  assert_status (fixture, "iommu.groups", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "iommu.groups", "no IOMMU groups");
  assert_fix_contains (fixture, "iommu.groups",
                       "GRUB_CMDLINE_LINUX_DEFAULT=\"... intel_iommu=on iommu=pt\"");
  assert_fix_contains (fixture, "iommu.groups", "/etc/default/grub");
  assert_fix_contains (fixture, "iommu.groups", "update-grub");
  assert_fix_contains (fixture, "iommu.groups", "grub2-mkconfig -o /boot/grub2/grub.cfg");
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "iommu.cmdline", "intel_iommu=on");
  assert_fix_contains (fixture, "iommu.cmdline", "iommu=pt");
}

static void
test_no_iommu_at_all (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "sys/firmware/acpi/tables/DMAR");
  run (fixture, NULL);
  assert_status (fixture, "iommu.acpi", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "iommu.acpi", "VT-d");
  /* firmware first, then the command line */
  assert_fix_contains (fixture, "iommu.groups", "VT-d");
  assert_fix_contains (fixture, "iommu.groups", "intel_iommu=on");
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "iommu.interrupt_remapping", "cannot tell without an IOMMU");
}

/* CONFIG_INTEL_IOMMU_DEFAULT_ON: groups exist without intel_iommu=on */
static void
test_intel_default_on (HostFixture *fixture, gconstpointer data)
{
  set_cmdline (fixture, "iommu=pt");
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "iommu.groups", VMCTL_CHECK_PASS);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "iommu.cmdline", "CONFIG_INTEL_IOMMU_DEFAULT_ON");
  assert_fix_contains (fixture, "iommu.cmdline", "GRUB_CMDLINE_LINUX_DEFAULT=\"... intel_iommu=on\"");
}

static void
test_intel_without_passthrough (HostFixture *fixture, gconstpointer data)
{
  set_cmdline (fixture, "intel_iommu=on");
  run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "iommu.cmdline", "iommu=pt");
  assert_fix_contains (fixture, "iommu.cmdline", "GRUB_CMDLINE_LINUX_DEFAULT=\"... iommu=pt\"");
}

static void
test_intel_iommu_off (HostFixture *fixture, gconstpointer data)
{
  set_cmdline (fixture, "intel_iommu=off iommu=pt");
  run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "iommu.cmdline", "intel_iommu=off");
  assert_fix_contains (fixture, "iommu.cmdline", "remove intel_iommu=off");
  assert_fix_contains (fixture, "iommu.cmdline", "intel_iommu=on");
}

static void
test_cmdline_last_wins (HostFixture *fixture, gconstpointer data)
{
  /* later settings override earlier ones, as the kernel parses them;
   * iommu.passthrough=1 is the generic spelling of iommu=pt */
  set_cmdline (fixture, "intel_iommu=off intel_iommu=on,sm_on iommu.passthrough=1");
  run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_PASS);
  set_cmdline (fixture, "intel_iommu=on iommu=pt iommu=nopt");
  run (fixture, NULL);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
}

static void
test_no_intremap (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "iommu.interrupt_remapping", "intremap=off");
  assert_fix_contains (fixture, "iommu.interrupt_remapping", "remove intremap=off");
  assert_fix_contains (fixture, "iommu.interrupt_remapping",
                       "options vfio_iommu_type1 allow_unsafe_interrupts=1");
  assert_fix_contains (fixture, "iommu.interrupt_remapping", "arbitrary MSIs");
}

static void
test_no_intremap_allowed_unsafely (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
  run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "iommu.interrupt_remapping",
                           "allowed unsafely: a guest can fire arbitrary MSIs at the host");
}

/* the hardware has it, only the command line turns it off */
static void
test_intremap_off_on_capable_hardware (HostFixture *fixture, gconstpointer data)
{
  set_cmdline (fixture, "intel_iommu=on iommu=pt intremap=no");
  run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "iommu.interrupt_remapping", "remove intremap=no");
  assert_fix_lacks (fixture, "iommu.interrupt_remapping", "hardware lacks");
}

/* the kernel wants IR on every unit: one without it is enough to lose it */
static void
test_intremap_unit_without_ir (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "f050d2\n");
  run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "iommu.interrupt_remapping", "dmar0 lacks IR");
  assert_fix_contains (fixture, "iommu.interrupt_remapping", "VT-d");
}

static void
test_vfio_missing (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "vfio.modules", "kernel lacks VFIO");
  assert_message_contains (fixture, "vfio.modules", "CONFIG_VFIO_PCI");
  assert_fix_contains (fixture, "vfio.modules", "CONFIG_VFIO_PCI");
  assert_status (fixture, "vfio.device", VMCTL_CHECK_FAIL);
}

static void
test_vfio_loadable (HostFixture *fixture, gconstpointer data)
{
  remove_path (fixture, "sys/module/vfio");
  remove_path (fixture, "sys/module/vfio_pci");
  remove_path (fixture, "sys/module/vfio_iommu_type1");
  remove_path (fixture, "dev/vfio");
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "vfio.modules", "vfio_pci not loaded");
  assert_fix_contains (fixture, "vfio.modules",
                       "printf 'vfio\\nvfio_iommu_type1\\nvfio_pci\\n' > "
                       "/etc/modules-load.d/vfio.conf");
  assert_fix_contains (fixture, "vfio.modules", "modprobe");
  assert_status (fixture, "vfio.device", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "vfio.device", "modprobe vfio_pci");
}

static void
test_vfio_builtin (HostFixture *fixture, gconstpointer data)
{
  remove_path (fixture, "sys/module/vfio");
  remove_path (fixture, "sys/module/vfio_pci");
  remove_path (fixture, "sys/module/vfio_iommu_type1");
  write_file (fixture, "lib/modules/6.1.0-27-amd64/modules.dep", "");
  /* the file name uses '-', the module name '_' */
  write_file (fixture, "lib/modules/6.1.0-27-amd64/modules.builtin",
              "kernel/drivers/vfio/vfio.ko\n"
              "kernel/drivers/vfio/vfio_iommu_type1.ko\n"
              "kernel/drivers/vfio/pci/vfio-pci.ko\n");
  run (fixture, NULL);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_PASS);
  assert_message_contains (fixture, "vfio.modules", "vfio_pci built in");
  assert_status (fixture, "vfio.device", VMCTL_CHECK_PASS);
}

static void
test_vfio_compressed_modules (HostFixture *fixture, gconstpointer data)
{
  remove_path (fixture, "sys/module/vfio");
  remove_path (fixture, "sys/module/vfio_pci");
  remove_path (fixture, "sys/module/vfio_iommu_type1");
  write_file (fixture, "lib/modules/6.1.0-27-amd64/modules.dep",
              "kernel/drivers/vfio/vfio.ko.zst:\n"
              "kernel/drivers/vfio/vfio_iommu_type1.ko.xz: kernel/drivers/vfio/vfio.ko.zst\n"
              "kernel/drivers/vfio/pci/vfio-pci.ko.zst: kernel/drivers/vfio/vfio.ko.zst\n");
  run (fixture, NULL);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "vfio.modules", "/etc/modules-load.d/vfio.conf");
}

static void
test_no_hugepages (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "hugepages", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "hugepages", "2048 kB: 0 total, 0 free");
  assert_fix_contains (fixture, "hugepages", "> /proc/sys/vm/nr_hugepages");
  assert_fix_contains (fixture, "hugepages", "/etc/sysctl.d/40-hugepages.conf");
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "hugepages.mount", "mount -t hugetlbfs hugetlbfs /dev/hugepages");
  assert_fix_contains (fixture, "hugepages.mount", "/etc/fstab");
}

static void
test_hugepages_suggestion (HostFixture *fixture, gconstpointer data)
{
  /* 64 GiB of RAM: the usual 16 GiB of 2 MiB pages */
  write_file (fixture, "proc/meminfo", "MemTotal:       67108864 kB\nMemFree: 1 kB\n");
  run (fixture, NULL);
  assert_fix_contains (fixture, "hugepages", "echo 8192 > /proc/sys/vm/nr_hugepages (16 GiB of 2 MiB pages");
  assert_fix_contains (fixture, "hugepages", "vm.nr_hugepages=8192 in /etc/sysctl.d/40-hugepages.conf");
  /* 8 GiB of RAM: never more than half of it */
  write_file (fixture, "proc/meminfo", "MemTotal:        8388608 kB\n");
  run (fixture, NULL);
  assert_fix_contains (fixture, "hugepages", "echo 2048 > /proc/sys/vm/nr_hugepages (4 GiB");
}

static void
test_hugepages_all_used (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "0\n");
  run (fixture, NULL);
  assert_status (fixture, "hugepages", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "hugepages", "in use");
}

static void
test_no_ovmf (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "firmware.ovmf", "apt install ovmf");
  assert_fix_contains (fixture, "firmware.ovmf", "dnf install edk2-ovmf");
}

static void
test_ovmf_images_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.fd");
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "firmware.ovmf", "/usr/share/OVMF/OVMF_CODE_4M.fd");
  assert_fix_contains (fixture, "firmware.ovmf", "apt install --reinstall ovmf");
}

static void
test_ovmf_secure_only_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_PASS);
  assert_message_contains (fixture, "firmware.ovmf", "1 UEFI build");
  assert_message_contains (fixture, "firmware.ovmf", "no Secure Boot build");
}

static void
test_ovmf_malformed_descriptor (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "etc/qemu/firmware/30-local.json", "{\"description\": ");
  run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "firmware.ovmf", "/etc/qemu/firmware/30-local.json");
}

static void
test_no_kvm (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "cpu.virtualization", "VT-x");
  assert_status (fixture, "kvm.modules", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "kvm.modules", "modprobe kvm_intel");
  assert_fix_contains (fixture, "kvm.modules", "/etc/modules-load.d/kvm.conf");
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
  run (fixture, NULL);
  /* KVM works: VMs run, only passthrough is out of reach */
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_WARN);
  g_assert_nonnull (strstr (result_for (fixture, "cpu.virtualization")->message, "kvm_pvm"));
  g_assert_nonnull (strstr (result_for (fixture, "cpu.virtualization")->message, "virtual machine"));
  assert_status (fixture, "kvm.modules", VMCTL_CHECK_PASS);
  assert_status (fixture, "kvm.device", VMCTL_CHECK_PASS);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  g_assert_null (strstr (result_for (fixture, "kvm.nested")->fix, "modprobe"));
}

static void
test_guest_without_vmx (HostFixture *fixture, gconstpointer data)
{
  make_guest (fixture, FALSE);
  run (fixture, NULL);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_FAIL);
  assert_fix_contains (fixture, "cpu.virtualization", "outer host");
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
  run (fixture, NULL);
  assert_status (fixture, "kvm.device", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "kvm.device", "usermod -aG kvm $USER");
  g_assert_true (fixture->report->ready);
}

static void
test_devices_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "dev/vhost-net");
  vmctl_test_unlink (fixture->root, "dev/net/tun");
  run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "devices.vhost_net", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "devices.vhost_net", "modprobe vhost_net");
  assert_status (fixture, "devices.tun", VMCTL_CHECK_WARN);
  assert_fix_contains (fixture, "devices.tun", "modprobe tun");
}

static void
test_libvirt_no_daemon (HostFixture *fixture, gconstpointer data)
{
  run (fixture, "qemu:///system?socket=/nonexistent/vmctl-test-sock");
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "libvirt.connection", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "libvirt.connection",
                           "start it with 'systemctl start libvirtd' or 'libvirtd -d'");
  assert_fix_contains (fixture, "libvirt.connection", "systemctl start libvirtd");
}

static void
test_libvirt_bad_uri (HostFixture *fixture, gconstpointer data)
{
  run (fixture, "test:///nonexistent/vmctl/host.xml");
  assert_status (fixture, "libvirt.connection", VMCTL_CHECK_FAIL);
  assert_message_contains (fixture, "libvirt.connection", "/nonexistent/vmctl/host.xml");
}

/* --- damaged and missing files: findings, never crashes ------------------- */

static void
test_empty_cpuinfo (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "proc/cpuinfo", "");
  run (fixture, NULL);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "cpu.virtualization", "cannot tell");
  /* the vendor still comes from kvm_intel and DMAR */
  assert_message_contains (fixture, "kvm.modules", "kvm_intel");
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_PASS);
}

static void
test_garbage_cpuinfo (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "proc/cpuinfo", "\x01\x02 garbage : : :\nflags\n:\n\n");
  run (fixture, NULL);
  g_assert_cmpint (result_for (fixture, "cpu.virtualization")->status, !=, VMCTL_CHECK_PASS);
}

static void
test_garbage_dmar (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "sys/firmware/acpi/tables/DMAR", "garbage");
  run (fixture, NULL);
  /* the units' ecap still answers */
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_PASS);
  assert_message_contains (fixture, "iommu.interrupt_remapping", "malformed");

  write_file (fixture, "sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "not hex\n");
  run (fixture, NULL);
  assert_status (fixture, "iommu.interrupt_remapping", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "iommu.interrupt_remapping", "cannot tell");
}

static void
test_garbage_counts (HostFixture *fixture, gconstpointer data)
{
  write_file (fixture, "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "lots\n");
  write_file (fixture, "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "");
  write_file (fixture, "sys/module/kvm_intel/parameters/nested", "");
  write_file (fixture, "proc/sys/kernel/osrelease", "");
  write_file (fixture, "proc/mounts", "\n\n  \nhugetlbfs\n");
  run (fixture, NULL);
  assert_status (fixture, "hugepages", VMCTL_CHECK_WARN);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_WARN);
  /* modules are loaded: sysfs alone is enough */
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_PASS);
}

static void
test_missing_proc (HostFixture *fixture, gconstpointer data)
{
  remove_path (fixture, "proc");
  run (fixture, NULL);
  assert_status (fixture, "cpu.virtualization", VMCTL_CHECK_WARN);
  assert_status (fixture, "iommu.cmdline", VMCTL_CHECK_WARN);
  assert_message_contains (fixture, "iommu.cmdline", "/proc/cmdline");
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_WARN);
  /* loaded modules do not need modules.dep */
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_PASS);
}

static void
test_empty_root (HostFixture *fixture, gconstpointer data)
{
  run (fixture, NULL);
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
    g_assert_cmpuint (report->results->len, ==, G_N_ELEMENTS (check_order) - 1);
    assert_report_invariants (report);
    count++;
  }
  g_assert_cmpuint (count, >, 0);
}

static void
add_host_test (const gchar *path, const gchar *scenario,
               void (*test) (HostFixture *, gconstpointer))
{
  g_test_add (path, HostFixture, scenario, host_setup, test, host_teardown);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vmctl/hostcheck/status-strings", test_status_strings);
  g_test_add_func ("/vmctl/hostcheck/root/nonexistent", test_nonexistent_root);
  g_test_add_func ("/vmctl/hostcheck/every-scenario", test_every_scenario);

  add_host_test ("/vmctl/hostcheck/clean/with-libvirt", "clean-gpu-audio", test_clean);
  add_host_test ("/vmctl/hostcheck/clean/without-uri", "clean-gpu-audio", test_clean_without_uri);
  add_host_test ("/vmctl/hostcheck/amd/clean", "amd-host", test_amd);
  add_host_test ("/vmctl/hostcheck/amd/no-passthrough", "amd-host", test_amd_without_passthrough);
  add_host_test ("/vmctl/hostcheck/amd/iommu-off", "amd-host", test_amd_iommu_off);
  add_host_test ("/vmctl/hostcheck/amd/nested-off", "amd-host", test_amd_nested_off);

  add_host_test ("/vmctl/hostcheck/kvm/nested-off", "nested-off", test_nested_off);
  add_host_test ("/vmctl/hostcheck/kvm/no-kvm", "no-kvm", test_no_kvm);
  add_host_test ("/vmctl/hostcheck/kvm/pvm-guest", "clean-gpu-audio", test_pvm_guest);
  add_host_test ("/vmctl/hostcheck/kvm/guest-without-vmx", "clean-gpu-audio", test_guest_without_vmx);
  add_host_test ("/vmctl/hostcheck/kvm/device-unopenable", "clean-gpu-audio",
                 test_kvm_device_unopenable);

  add_host_test ("/vmctl/hostcheck/iommu/off", "iommu-off", test_iommu_off);
  add_host_test ("/vmctl/hostcheck/iommu/none", "iommu-off", test_no_iommu_at_all);
  add_host_test ("/vmctl/hostcheck/iommu/intel-default-on", "clean-gpu-audio",
                 test_intel_default_on);
  add_host_test ("/vmctl/hostcheck/iommu/no-passthrough", "clean-gpu-audio",
                 test_intel_without_passthrough);
  add_host_test ("/vmctl/hostcheck/iommu/intel-iommu-off", "clean-gpu-audio",
                 test_intel_iommu_off);
  add_host_test ("/vmctl/hostcheck/iommu/cmdline-last-wins", "clean-gpu-audio",
                 test_cmdline_last_wins);

  add_host_test ("/vmctl/hostcheck/intremap/missing", "no-intremap", test_no_intremap);
  add_host_test ("/vmctl/hostcheck/intremap/allowed-unsafely", "no-intremap",
                 test_no_intremap_allowed_unsafely);
  add_host_test ("/vmctl/hostcheck/intremap/cmdline-only", "clean-gpu-audio",
                 test_intremap_off_on_capable_hardware);
  add_host_test ("/vmctl/hostcheck/intremap/unit-without-ir", "clean-gpu-audio",
                 test_intremap_unit_without_ir);

  add_host_test ("/vmctl/hostcheck/vfio/missing", "vfio-missing", test_vfio_missing);
  add_host_test ("/vmctl/hostcheck/vfio/loadable", "clean-gpu-audio", test_vfio_loadable);
  add_host_test ("/vmctl/hostcheck/vfio/builtin", "clean-gpu-audio", test_vfio_builtin);
  add_host_test ("/vmctl/hostcheck/vfio/compressed", "clean-gpu-audio",
                 test_vfio_compressed_modules);

  add_host_test ("/vmctl/hostcheck/hugepages/none", "no-hugepages", test_no_hugepages);
  add_host_test ("/vmctl/hostcheck/hugepages/suggestion", "no-hugepages",
                 test_hugepages_suggestion);
  add_host_test ("/vmctl/hostcheck/hugepages/all-used", "clean-gpu-audio",
                 test_hugepages_all_used);

  add_host_test ("/vmctl/hostcheck/firmware/none", "no-ovmf", test_no_ovmf);
  add_host_test ("/vmctl/hostcheck/firmware/images-missing", "clean-gpu-audio",
                 test_ovmf_images_missing);
  add_host_test ("/vmctl/hostcheck/firmware/secure-missing", "clean-gpu-audio",
                 test_ovmf_secure_only_missing);
  add_host_test ("/vmctl/hostcheck/firmware/malformed", "clean-gpu-audio",
                 test_ovmf_malformed_descriptor);

  add_host_test ("/vmctl/hostcheck/devices/missing", "clean-gpu-audio", test_devices_missing);
  add_host_test ("/vmctl/hostcheck/libvirt/no-daemon", "clean-gpu-audio", test_libvirt_no_daemon);
  add_host_test ("/vmctl/hostcheck/libvirt/bad-uri", "clean-gpu-audio", test_libvirt_bad_uri);

  add_host_test ("/vmctl/hostcheck/damaged/empty-cpuinfo", "clean-gpu-audio", test_empty_cpuinfo);
  add_host_test ("/vmctl/hostcheck/damaged/garbage-cpuinfo", "clean-gpu-audio",
                 test_garbage_cpuinfo);
  add_host_test ("/vmctl/hostcheck/damaged/garbage-dmar", "clean-gpu-audio", test_garbage_dmar);
  add_host_test ("/vmctl/hostcheck/damaged/garbage-counts", "clean-gpu-audio",
                 test_garbage_counts);
  add_host_test ("/vmctl/hostcheck/damaged/missing-proc", "clean-gpu-audio", test_missing_proc);
  add_host_test ("/vmctl/hostcheck/damaged/empty-root", NULL, test_empty_root);
  return g_test_run ();
}
