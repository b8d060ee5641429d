/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hostcheck-system.c: the readiness checks for what sits on top of
 * the IOMMU: VFIO modules, hugepages, UEFI firmware, device nodes, libvirt. */
#include <glib/gstdio.h>
#include <string.h>

#include "vmctl-test-hostcheck.h"

static void
test_vfio_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "vfio.modules", "kernel lacks VFIO");
  vmctl_test_assert_message_contains (fixture, "vfio.modules", "CONFIG_VFIO_PCI");
  vmctl_test_assert_fix_contains (fixture, "vfio.modules", "CONFIG_VFIO_PCI");
  assert_status (fixture, "vfio.device", VMCTL_CHECK_FAIL);
}

static void
test_vfio_loadable (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio");
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio_pci");
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio_iommu_type1");
  vmctl_test_hostcheck_remove (fixture, "dev/vfio");
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "vfio.modules", "vfio_pci not loaded");
  vmctl_test_assert_fix_contains (fixture, "vfio.modules",
                       "printf 'vfio\\nvfio_iommu_type1\\nvfio_pci\\n' > "
                       "/etc/modules-load.d/vfio.conf");
  vmctl_test_assert_fix_contains (fixture, "vfio.modules", "modprobe");
  assert_status (fixture, "vfio.device", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "vfio.device", "modprobe vfio_pci");
}

static void
test_vfio_builtin (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio");
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio_pci");
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio_iommu_type1");
  vmctl_test_hostcheck_write (fixture, "lib/modules/6.1.0-27-amd64/modules.dep", "");
  /* the file name uses '-', the module name '_' */
  vmctl_test_hostcheck_write (fixture, "lib/modules/6.1.0-27-amd64/modules.builtin",
              "kernel/drivers/vfio/vfio.ko\n"
              "kernel/drivers/vfio/vfio_iommu_type1.ko\n"
              "kernel/drivers/vfio/pci/vfio-pci.ko\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "vfio.modules", "vfio_pci built in");
  assert_status (fixture, "vfio.device", VMCTL_CHECK_PASS);
}

static void
test_vfio_compressed_modules (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio");
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio_pci");
  vmctl_test_hostcheck_remove (fixture, "sys/module/vfio_iommu_type1");
  vmctl_test_hostcheck_write (fixture, "lib/modules/6.1.0-27-amd64/modules.dep",
              "kernel/drivers/vfio/vfio.ko.zst:\n"
              "kernel/drivers/vfio/vfio_iommu_type1.ko.xz: kernel/drivers/vfio/vfio.ko.zst\n"
              "kernel/drivers/vfio/pci/vfio-pci.ko.zst: kernel/drivers/vfio/vfio.ko.zst\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "vfio.modules", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "vfio.modules", "/etc/modules-load.d/vfio.conf");
}

static void
test_no_hugepages (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "hugepages", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "hugepages", "2048 kB: 0 total, 0 free");
  vmctl_test_assert_fix_contains (fixture, "hugepages", "> /proc/sys/vm/nr_hugepages");
  vmctl_test_assert_fix_contains (fixture, "hugepages", "/etc/sysctl.d/40-hugepages.conf");
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "hugepages.mount", "mount -t hugetlbfs hugetlbfs /dev/hugepages");
  vmctl_test_assert_fix_contains (fixture, "hugepages.mount", "/etc/fstab");
}

static void
test_hugepages_suggestion (HostFixture *fixture, gconstpointer data)
{
  /* 64 GiB of RAM: the usual 16 GiB of 2 MiB pages */
  vmctl_test_hostcheck_write (fixture, "proc/meminfo", "MemTotal:       67108864 kB\nMemFree: 1 kB\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  vmctl_test_assert_fix_contains (fixture, "hugepages", "echo 8192 > /proc/sys/vm/nr_hugepages (16 GiB of 2 MiB pages");
  vmctl_test_assert_fix_contains (fixture, "hugepages", "vm.nr_hugepages=8192 in /etc/sysctl.d/40-hugepages.conf");
  /* 8 GiB of RAM: never more than half of it */
  vmctl_test_hostcheck_write (fixture, "proc/meminfo", "MemTotal:        8388608 kB\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  vmctl_test_assert_fix_contains (fixture, "hugepages", "echo 2048 > /proc/sys/vm/nr_hugepages (4 GiB");
}

static void
test_hugepages_all_used (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "0\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "hugepages", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "hugepages", "in use");
}

/* Found by tests/fuzz/fuzz-mounts: a mount point ending in a lone
 * backslash made g_strcompress() warn (fatal here); \040 still decodes. */
static void
test_hugepages_mount_escapes (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "proc/mounts",
                              "hugetlbfs /dev/huge\\ hugetlbfs rw 0 0\n"
                              "hugetlbfs /mnt/huge\\0401G hugetlbfs rw,pagesize=1024M 0 0\n");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "hugepages.mount", VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "hugepages.mount",
                                      "hugetlbfs mounted on /dev/huge\\, /mnt/huge 1G");
}

static void
test_no_ovmf (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_FAIL);
  vmctl_test_assert_fix_contains (fixture, "firmware.ovmf", "apt install ovmf");
  vmctl_test_assert_fix_contains (fixture, "firmware.ovmf", "dnf install edk2-ovmf");
}

static void
test_ovmf_images_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.fd");
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "/usr/share/OVMF/OVMF_CODE_4M.fd");
  vmctl_test_assert_fix_contains (fixture, "firmware.ovmf", "apt install --reinstall ovmf");
}

static void
test_ovmf_secure_only_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "1 UEFI build");
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "no Secure Boot build");
}

static void
test_ovmf_malformed_descriptor (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_write (fixture, "etc/qemu/firmware/30-local.json", "{\"description\": ");
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "firmware.ovmf", "/etc/qemu/firmware/30-local.json");
}

static void
test_devices_missing (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "dev/vhost-net");
  vmctl_test_unlink (fixture->root, "dev/net/tun");
  vmctl_test_hostcheck_run (fixture, NULL);
  g_assert_true (fixture->report->ready);
  assert_status (fixture, "devices.vhost_net", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "devices.vhost_net", "modprobe vhost_net");
  assert_status (fixture, "devices.tun", VMCTL_CHECK_WARN);
  vmctl_test_assert_fix_contains (fixture, "devices.tun", "modprobe tun");
}

static void
test_libvirt_no_daemon (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, "qemu:///system?socket=/nonexistent/vmctl-test-sock");
  g_assert_false (fixture->report->ready);
  assert_status (fixture, "libvirt.connection", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "libvirt.connection",
                           "start it with 'systemctl start libvirtd' or 'libvirtd -d'");
  vmctl_test_assert_fix_contains (fixture, "libvirt.connection", "systemctl start libvirtd");
}

static void
test_libvirt_bad_uri (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_hostcheck_run (fixture, "test:///nonexistent/vmctl/host.xml");
  assert_status (fixture, "libvirt.connection", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "libvirt.connection", "/nonexistent/vmctl/host.xml");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/vfio/missing", "vfio-missing", test_vfio_missing);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/vfio/loadable", "clean-gpu-audio", test_vfio_loadable);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/vfio/builtin", "clean-gpu-audio", test_vfio_builtin);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/vfio/compressed", "clean-gpu-audio",
                            test_vfio_compressed_modules);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/hugepages/none", "no-hugepages", test_no_hugepages);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/hugepages/suggestion", "no-hugepages",
                            test_hugepages_suggestion);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/hugepages/all-used", "clean-gpu-audio",
                            test_hugepages_all_used);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/hugepages/mount-escapes", "clean-gpu-audio",
                            test_hugepages_mount_escapes);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/firmware/none", "no-ovmf", test_no_ovmf);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/firmware/images-missing", "clean-gpu-audio",
                            test_ovmf_images_missing);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/firmware/secure-missing", "clean-gpu-audio",
                            test_ovmf_secure_only_missing);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/firmware/malformed", "clean-gpu-audio",
                            test_ovmf_malformed_descriptor);

  vmctl_test_hostcheck_add ("/vmctl/hostcheck/devices/missing", "clean-gpu-audio", test_devices_missing);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/libvirt/no-daemon", "clean-gpu-audio", test_libvirt_no_daemon);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck/libvirt/bad-uri", "clean-gpu-audio", test_libvirt_bad_uri);
  return g_test_run ();
}
