/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-use.c: the boot console, firmware framebuffers and mounted
 * disks that make the host depend on a PCI function, and the damaged or
 * missing files that must give no reason at all. */
#include "vmctl-host-use.h"
#include "vmctl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  gchar *root;      /* a copied scenario tree */
  VmctlHost *host;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (data);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static GPtrArray *
reasons_for (Fixture *fixture, const gchar *text)
{
  VmctlPciAddress address = { 0 };
  g_autoptr(GError) error = NULL;
  GPtrArray *reasons;

  g_assert_true (vmctl_pci_address_parse (text, &address, &error));
  g_assert_no_error (error);
  reasons = vmctl_host_use_reasons (fixture->host, &address);
  g_assert_nonnull (reasons);
  return reasons;
}

static void
assert_reasons (GPtrArray *reasons, const gchar * const *expected)
{
  guint count = g_strv_length ((gchar **) expected);

  for (guint i = 0; i < MIN (count, reasons->len); i++)
    g_assert_cmpstr (g_ptr_array_index (reasons, i), ==, expected[i]);
  g_assert_cmpuint (reasons->len, ==, count);
}

static void
assert_no_reasons (Fixture *fixture, const gchar *text)
{
  g_autoptr(GPtrArray) reasons = reasons_for (fixture, text);
  const gchar *none[] = { NULL };

  assert_reasons (reasons, none);
}

/* the whole of a host file, read from the copied tree */
static gchar *
read_file (Fixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

/* rewrites a host file without the lines containing @fragment */
static void
drop_lines (Fixture *fixture, const gchar *relative, const gchar *fragment)
{
  g_autofree gchar *contents = read_file (fixture, relative);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr(GString) kept = g_string_new (NULL);
  guint dropped = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    if (strstr (lines[i], fragment) != NULL) {
      dropped++;
      continue;
    }
    if (lines[i][0] != '\0')
      g_string_append_printf (kept, "%s\n", lines[i]);
  }
  g_assert_cmpuint (dropped, >, 0);
  vmctl_test_write (fixture->root, relative, kept->str);
}

static void
append_line (Fixture *fixture, const gchar *relative, const gchar *line)
{
  g_autofree gchar *contents = read_file (fixture, relative);
  g_autofree gchar *longer = g_strconcat (contents, line, "\n", NULL);

  vmctl_test_write (fixture->root, relative, longer);
}

static void
make_link (Fixture *fixture, const gchar *relative, const gchar *target)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);
  g_autofree gchar *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

#define TURING_GPU "0000:01:00.0"
#define IGPU "0000:00:02.0"
#define NVME "0000:02:00.0"
#define SATA "0000:00:17.0"
#define IGPU_DRIVER "sys/devices/pci0000:00/0000:00:02.0/driver"
#define IGPU_RESOURCE "sys/devices/pci0000:00/0000:00:02.0/resource"
#define IGPU_BOOT_VGA IGPU " is the boot VGA device and is driven by i915: " \
  "the host console would go dark"
#define IGPU_EFIFB "BAR 2 (0x4020000000-0x402fffffff) holds the firmware framebuffer " \
  "'efifb' in /proc/iomem"

static void
test_boot_vga_turing (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = reasons_for (fixture, TURING_GPU);
  const gchar *expected[] = {
    TURING_GPU " is the boot VGA device and is driven by nvidia: the host console would go dark",
    "BAR 1 (0x4000000000-0x400fffffff) holds the firmware framebuffer 'efifb' in /proc/iomem",
    NULL,
  };

  assert_reasons (reasons, expected);
  /* its root port's prefetchable window spans the framebuffer too, but a
   * bridge window is not a BAR of the bridge */
  assert_no_reasons (fixture, "0000:00:01.0");
}

static void
test_boot_vga_igpu (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = reasons_for (fixture, IGPU);
  const gchar *expected[] = { IGPU_BOOT_VGA, IGPU_EFIFB, NULL };

  assert_reasons (reasons, expected);
}

static void
test_boot_vga_unbound (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = { IGPU_EFIFB, NULL };

  /* unbound: the console is gone already, but efifb still claims the BAR */
  vmctl_test_unlink (fixture->root, IGPU_DRIVER);
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

/* on vfio-pci (a guest's already): no host console on it */
static void
test_boot_vga_vfio (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = { IGPU_EFIFB, NULL };

  vmctl_test_unlink (fixture->root, IGPU_DRIVER);
  make_link (fixture, IGPU_DRIVER, "../../../bus/pci/drivers/vfio-pci");
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

static void
test_boot_vga_zero (Fixture *fixture, gconstpointer data)
{
  const gchar *expected[] = { IGPU_EFIFB, NULL };
  g_autoptr(GPtrArray) reasons = NULL;

  vmctl_test_write (fixture->root, "sys/devices/pci0000:00/0000:00:02.0/boot_vga", "0\n");
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

static void
test_second_gpu (Fixture *fixture, gconstpointer data)
{
  /* the discrete GPU of a laptop, and its bridge */
  assert_no_reasons (fixture, "0000:01:00.0");
  assert_no_reasons (fixture, "0000:00:01.0");
}

static void
test_framebuffer_moved (Fixture *fixture, gconstpointer data)
{
  drop_lines (fixture, "proc/iomem", "efifb");
  /* inside System RAM, far from every BAR */
  append_line (fixture, "proc/iomem", "  01000000-017e8fff : efifb");
  {
    g_autoptr(GPtrArray) reasons = reasons_for (fixture, IGPU);
    const gchar *expected[] = { IGPU_BOOT_VGA, NULL };

    assert_reasons (reasons, expected);
  }
}

static void
test_framebuffer_names (Fixture *fixture, gconstpointer data)
{
  const gchar *expected[] = {
    "BAR 0 (0x4000000000-0x4000ffffff) holds the firmware framebuffer "
    "'simple-framebuffer.0' in /proc/iomem",
    "BAR 2 (0x4020000000-0x402fffffff) holds the firmware framebuffer 'vesafb' in /proc/iomem",
    NULL,
  };
  g_autoptr(GPtrArray) reasons = NULL;

  vmctl_test_unlink (fixture->root, IGPU_DRIVER);
  vmctl_test_write (fixture->root, IGPU_RESOURCE,
                    "0x0000004000000000 0x0000004000ffffff 0x0000000000140204\n"
                    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
                    "0x0000004020000000 0x000000402fffffff 0x000000000014220c\n"
                    "0x0000000000003000 0x000000000000303f 0x0000000000040101\n");
  /* "framebuffer-ish" and an I/O-port-sized overlap must not count */
  vmctl_test_write (fixture->root, "proc/iomem",
                    "00003000-0000303f : vesafb\n"
                    "4000000000-7fffffffff : PCI Bus 0000:00\n"
                    "  4000000000-4000ffffff : 0000:00:02.0\n"
                    "    4000100000-40001fffff : simple-framebuffer.0\n"
                    "  4020000000-402fffffff : 0000:00:02.0\n"
                    "    4020000000-40207e8fff : vesafb\n"
                    "    4020800000-40208fffff : myfbdriver\n");
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

static void
test_iomem_hidden (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *contents = read_file (fixture, "proc/iomem");
  g_autoptr(GRegex) digits = g_regex_new ("[0-9a-f]+-[0-9a-f]+ :", 0, 0, NULL);
  g_autofree gchar *hidden = g_regex_replace_literal (digits, contents, -1, 0,
                                                      "00000000-00000000 :", 0, NULL);
  const gchar *expected[] = { IGPU_BOOT_VGA, NULL };
  g_autoptr(GPtrArray) reasons = NULL;

  /* what a non-root reader sees on a real host */
  g_assert_nonnull (strstr (hidden, "00000000-00000000 : efifb"));
  vmctl_test_write (fixture->root, "proc/iomem", hidden);
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

static void
test_framebuffer_files_missing (Fixture *fixture, gconstpointer data)
{
  const gchar *expected[] = { IGPU_BOOT_VGA, NULL };

  vmctl_test_unlink (fixture->root, IGPU_RESOURCE);
  {
    g_autoptr(GPtrArray) reasons = reasons_for (fixture, IGPU);

    assert_reasons (reasons, expected);
  }
  vmctl_test_unlink (fixture->root, "proc/iomem");
  {
    g_autoptr(GPtrArray) reasons = reasons_for (fixture, IGPU);

    assert_reasons (reasons, expected);
  }
}

static void
test_framebuffer_files_garbled (Fixture *fixture, gconstpointer data)
{
  const gchar *expected[] = { IGPU_BOOT_VGA, NULL };
  g_autofree gchar *resource = g_build_filename (fixture->root, IGPU_RESOURCE, NULL);
  g_autoptr(GPtrArray) reasons = NULL;

  /* a directory cannot be read as a file: the nearest to EACCES as root */
  vmctl_test_unlink (fixture->root, IGPU_RESOURCE);
  g_assert_cmpint (g_mkdir (resource, 0755), ==, 0);
  vmctl_test_write (fixture->root, "proc/iomem",
                    "zzzz-4020000000 : efifb\n"
                    "4020000000 : efifb\n"
                    " : efifb\n"
                    "4020000000-40207e8fff:efifb\n"
                    "\n");
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

static void
test_resource_garbled (Fixture *fixture, gconstpointer data)
{
  const gchar *expected[] = { IGPU_BOOT_VGA, NULL };
  g_autoptr(GPtrArray) reasons = NULL;

  vmctl_test_write (fixture->root, IGPU_RESOURCE,
                    "garbage\n"
                    "0x0000004020000000 0x000000402fffffff\n"
                    "0x0000004020000000 0x000000402fffffff 0xzz\n"
                    "0x000000402fffffff 0x0000004020000000 0x000000000014220c\n");
  reasons = reasons_for (fixture, IGPU);
  assert_reasons (reasons, expected);
}

static void
test_nvme_mounted (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = reasons_for (fixture, NVME);
  const gchar *expected[] = {
    "/dev/nvme0n1p2 under it is mounted on /",
    "/dev/nvme0n1p1 under it is mounted on /boot/efi",
    NULL,
  };

  assert_reasons (reasons, expected);
}

/* mountinfo, where the host has it, names devices by number: the root
 * file system mounted as "/dev/root" is still found, and mountinfo wins
 * over /proc/mounts */
static void
test_nvme_mountinfo (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = {
    "/dev/nvme0n1p2 under it is mounted on /",
    "/dev/nvme0n1p1 under it is mounted on /boot/efi",
    NULL,
  };

  vmctl_test_write (fixture->root, "proc/self/mountinfo",
                    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
                    "28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
                    "61 28 259:1 / /boot/efi rw,relatime shared:31 - vfat /dev/nvme0n1p1 rw\n");
  drop_lines (fixture, "proc/mounts", "nvme");
  reasons = reasons_for (fixture, NVME);
  assert_reasons (reasons, expected);
  g_clear_pointer (&reasons, g_ptr_array_unref);
  /* not in mountinfo, only in a stale /proc/mounts line: not mounted */
  vmctl_test_write (fixture->root, "proc/self/mountinfo",
                    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n");
  append_line (fixture, "proc/mounts", "/dev/nvme0n1p2 / ext4 rw 0 0");
  assert_no_reasons (fixture, NVME);
}

/* a process with descriptor 3 on @node */
static void
add_process (Fixture *fixture, const gchar *pid, const gchar *comm, const gchar *node)
{
  g_autofree gchar *comm_path = g_build_filename ("proc", pid, "comm", NULL);
  g_autofree gchar *fd_path = g_build_filename ("proc", pid, "fd", "3", NULL);
  g_autofree gchar *text = g_strconcat (comm, "\n", NULL);

  vmctl_test_write (fixture->root, comm_path, text);
  make_link (fixture, fd_path, node);
}

#define CLEAN_GPU "0000:01:00.0"
#define CLEAN_GPU_DIR "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0"

static void
test_open_drm (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = {
    "/dev/dri/card1 is open in Xorg (PID 1187)",
    "/dev/dri/renderD129 is open in blender (PID 30211)",
    NULL,
  };

  assert_no_reasons (fixture, CLEAN_GPU);
  vmctl_test_write (fixture->root, CLEAN_GPU_DIR "/drm/card1/dev", "226:1\n");
  vmctl_test_write (fixture->root, CLEAN_GPU_DIR "/drm/renderD129/dev", "226:129\n");
  /* the iGPU's nodes, open elsewhere, are not the GPU's */
  add_process (fixture, "812", "gnome-shell", "/dev/dri/card0");
  add_process (fixture, "1187", "Xorg", "/dev/dri/card1");
  add_process (fixture, "30211", "blender", "/dev/dri/renderD129");
  reasons = reasons_for (fixture, CLEAN_GPU);
  assert_reasons (reasons, expected);
}

static void
test_open_nvidia (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = {
    "/dev/nvidia0 is open in nvidia-persist (PID 20)",
    "/dev/nvidia0 is open in python3 (PID 21)",
    "/dev/nvidia0 is open in python3 (PID 22)",
    "/dev/nvidia0 is open in python3 (PID 23)",
    "/dev/nvidia0 is open in python3 (PID 24)",
    "and 2 more processes have it open",
    NULL,
  };

  vmctl_test_write (fixture->root, "proc/driver/nvidia/gpus/" CLEAN_GPU "/information",
                    "Model: \t\t NVIDIA GeForce RTX 3070\nIRQ:   \t\t 130\n"
                    "Device Minor: \t 0\nBus Location: \t 0000:01:00.0\n");
  add_process (fixture, "20", "nvidia-persist", "/dev/nvidia0");
  for (guint i = 21; i <= 26; i++) {
    g_autofree gchar *pid = g_strdup_printf ("%u", i);

    add_process (fixture, pid, "python3", "/dev/nvidia0");
  }
  add_process (fixture, "27", "bash", "/dev/nvidia1");
  reasons = reasons_for (fixture, CLEAN_GPU);
  assert_reasons (reasons, expected);
}

static void
test_nvme_unmounted (Fixture *fixture, gconstpointer data)
{
  drop_lines (fixture, "proc/mounts", "nvme");
  assert_no_reasons (fixture, NVME);
}

static void
test_nvme_swap (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = { "/dev/nvme0n1p1 under it is active swap", NULL };

  drop_lines (fixture, "proc/mounts", "nvme");
  append_line (fixture, "proc/swaps",
               "/dev/nvme0n1p1                          partition\t8388604\t\t0\t\t-3");
  reasons = reasons_for (fixture, NVME);
  assert_reasons (reasons, expected);
}

static void
test_mount_point_escaped (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = { "/dev/nvme0n1 under it is mounted on /mnt/my disk", NULL };

  drop_lines (fixture, "proc/mounts", "nvme");
  append_line (fixture, "proc/mounts", "/dev/nvme0n1 /mnt/my\\040disk ext4 rw 0 0");
  reasons = reasons_for (fixture, NVME);
  assert_reasons (reasons, expected);
}

/* Found by tests/fuzz/fuzz-mounts: a field ending in a lone backslash
 * (never written by the kernel, which escapes it as \134, but possible in
 * any host root) made g_strcompress() warn, which is fatal here. It is a
 * plain character, and the mount is still reported. */
static void
test_mount_point_backslash (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = { "/dev/nvme0n1 under it is mounted on /mnt/odd\\", NULL };

  drop_lines (fixture, "proc/mounts", "nvme");
  append_line (fixture, "proc/mounts", "/dev/nvme0n1 /mnt/odd\\ ext4 rw 0 0");
  reasons = reasons_for (fixture, NVME);
  assert_reasons (reasons, expected);
}

static void
test_sata_unmounted (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *disk = g_build_filename (fixture->root, "sys/class/block/sda", NULL);

  /* the disk is there: the answer is not for want of looking */
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_DIR));
  assert_no_reasons (fixture, SATA);
}

static void
test_sata_mounted_and_swap (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = {
    "/dev/sda under it is mounted on /srv",
    "/dev/sda under it is active swap",
    NULL,
  };

  append_line (fixture, "proc/mounts", "/dev/sda /srv xfs rw,relatime 0 0");
  append_line (fixture, "proc/swaps", "/dev/sda partition 8388604 0 -3");
  reasons = reasons_for (fixture, SATA);
  assert_reasons (reasons, expected);
  /* nothing of it rubs off on the NVMe controller */
  drop_lines (fixture, "proc/mounts", "nvme");
  assert_no_reasons (fixture, NVME);
}

static void
test_swap_file (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *swaps = read_file (fixture, "proc/swaps");

  /* /swapfile sits on the root file system: the mount names it, not swap */
  g_assert_nonnull (strstr (swaps, "/swapfile "));
  drop_lines (fixture, "proc/mounts", "nvme0n1p1");
  {
    g_autoptr(GPtrArray) reasons = reasons_for (fixture, NVME);
    const gchar *expected[] = { "/dev/nvme0n1p2 under it is mounted on /", NULL };

    assert_reasons (reasons, expected);
  }
}

static void
test_device_mapper (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = {
    "/dev/mapper/vg-root under it is mounted on /srv",
    "/dev/dm-1 under it is active swap",
    NULL,
  };

  /* LVM on LUKS on sda: dm-0 (vg-root) on dm-1 (crypt) on sda; numbered
   * against the scan order, so finding dm-0 takes a second pass */
  vmctl_test_write (fixture->root, "sys/devices/virtual/block/dm-0/dm/name", "vg-root\n");
  vmctl_test_write (fixture->root, "sys/devices/virtual/block/dm-1/dm/name", "crypt\n");
  make_link (fixture, "sys/class/block/dm-0", "../../devices/virtual/block/dm-0");
  make_link (fixture, "sys/class/block/dm-1", "../../devices/virtual/block/dm-1");
  make_link (fixture, "sys/devices/virtual/block/dm-1/slaves/sda",
             "../../../../pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda");
  make_link (fixture, "sys/devices/virtual/block/dm-0/slaves/dm-1", "../../dm-1");
  append_line (fixture, "proc/mounts", "/dev/mapper/vg-root /srv ext4 rw 0 0");
  append_line (fixture, "proc/swaps", "/dev/dm-1 partition 8388604 0 -3");
  reasons = reasons_for (fixture, SATA);
  assert_reasons (reasons, expected);
  /* the NVMe controller's own mounts stay its own */
  {
    g_autoptr(GPtrArray) nvme = reasons_for (fixture, NVME);

    g_assert_cmpuint (nvme->len, ==, 2);
  }
}

static void
test_md_raid (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = NULL;
  const gchar *expected[] = { "/dev/md127 under it is mounted on /data", NULL };

  /* md RAID lists its members in slaves/ as device-mapper does */
  make_link (fixture, "sys/class/block/md127", "../../devices/virtual/block/md127");
  make_link (fixture, "sys/devices/virtual/block/md127/slaves/sda",
             "../../../../pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda");
  append_line (fixture, "proc/mounts", "/dev/md127 /data ext4 rw 0 0");
  reasons = reasons_for (fixture, SATA);
  assert_reasons (reasons, expected);
}

static void
test_block_files_missing (Fixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "proc/mounts");
  vmctl_test_unlink (fixture->root, "proc/swaps");
  assert_no_reasons (fixture, NVME);
}

static void
test_no_class_block (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *class_block = g_build_filename (fixture->root, "sys/class/block", NULL);

  vmctl_test_remove_tree (class_block);
  assert_no_reasons (fixture, NVME);
}

static void
test_absent_device (Fixture *fixture, gconstpointer data)
{
  assert_no_reasons (fixture, "0000:09:00.0");
}

static void
test_amd_bootfb (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) reasons = reasons_for (fixture, "0000:0e:00.0");

  g_assert_cmpuint (reasons->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (reasons, 0), ==,
                   "0000:0e:00.0 is the boot VGA device and is driven by amdgpu: "
                   "the host console would go dark");
  g_assert_true (g_str_has_prefix (g_ptr_array_index (reasons, 1), "BAR 0 (0x"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (reasons, 1),
                                   "holds the firmware framebuffer 'BOOTFB' in /proc/iomem"));
  /* the other Radeon has a driver but is not the boot device */
  {
    g_autoptr(GPtrArray) other = reasons_for (fixture, "0000:0c:00.0");

    g_assert_cmpuint (other->len, ==, 0);
  }
}

static void
add (const gchar *path, const gchar *scenario,
     void (*body) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, scenario, setup, body, teardown);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add ("/vmctl/host-use/boot-vga/turing", "turing-4fn", test_boot_vga_turing);
  add ("/vmctl/host-use/boot-vga/igpu", "intel-igpu-boot", test_boot_vga_igpu);
  add ("/vmctl/host-use/boot-vga/unbound", "intel-igpu-boot", test_boot_vga_unbound);
  add ("/vmctl/host-use/boot-vga/zero", "intel-igpu-boot", test_boot_vga_zero);
  add ("/vmctl/host-use/boot-vga/vfio", "intel-igpu-boot", test_boot_vga_vfio);
  add ("/vmctl/host-use/boot-vga/second-gpu", "intel-igpu-boot", test_second_gpu);
  add ("/vmctl/host-use/boot-vga/amd", "amd-host", test_amd_bootfb);
  add ("/vmctl/host-use/framebuffer/moved", "intel-igpu-boot", test_framebuffer_moved);
  add ("/vmctl/host-use/framebuffer/names", "intel-igpu-boot", test_framebuffer_names);
  add ("/vmctl/host-use/framebuffer/hidden", "intel-igpu-boot", test_iomem_hidden);
  add ("/vmctl/host-use/framebuffer/missing", "intel-igpu-boot", test_framebuffer_files_missing);
  add ("/vmctl/host-use/framebuffer/unreadable", "intel-igpu-boot",
       test_framebuffer_files_garbled);
  add ("/vmctl/host-use/framebuffer/garbled", "intel-igpu-boot", test_resource_garbled);
  add ("/vmctl/host-use/block/nvme-mounted", "clean-gpu-audio", test_nvme_mounted);
  add ("/vmctl/host-use/block/nvme-mountinfo", "clean-gpu-audio", test_nvme_mountinfo);
  add ("/vmctl/host-use/open/drm", "clean-gpu-audio", test_open_drm);
  add ("/vmctl/host-use/open/nvidia", "clean-gpu-audio", test_open_nvidia);
  add ("/vmctl/host-use/block/nvme-unmounted", "clean-gpu-audio", test_nvme_unmounted);
  add ("/vmctl/host-use/block/nvme-swap", "clean-gpu-audio", test_nvme_swap);
  add ("/vmctl/host-use/block/escaped", "clean-gpu-audio", test_mount_point_escaped);
  add ("/vmctl/host-use/block/backslash", "clean-gpu-audio", test_mount_point_backslash);
  add ("/vmctl/host-use/block/sata-unmounted", "clean-gpu-audio", test_sata_unmounted);
  add ("/vmctl/host-use/block/sata-mounted", "clean-gpu-audio", test_sata_mounted_and_swap);
  add ("/vmctl/host-use/block/swap-file", "clean-gpu-audio", test_swap_file);
  add ("/vmctl/host-use/block/device-mapper", "clean-gpu-audio", test_device_mapper);
  add ("/vmctl/host-use/block/md-raid", "clean-gpu-audio", test_md_raid);
  add ("/vmctl/host-use/block/files-missing", "clean-gpu-audio", test_block_files_missing);
  add ("/vmctl/host-use/block/no-class-block", "clean-gpu-audio", test_no_class_block);
  add ("/vmctl/host-use/absent", "clean-gpu-audio", test_absent_device);
  return g_test_run ();
}
