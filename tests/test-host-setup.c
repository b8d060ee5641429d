/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-setup.c: vmctl host setup on the fixture hosts (issue 13):
 * a Debian GRUB host, an Arch-like systemd-boot host and a Fedora-like
 * dracut host. The dry run changes nothing; apply writes what host check
 * asks for through the boot loader the host uses; undo leaves every file
 * byte for byte (and mode) as it was; a failure or a SIGKILL at every step
 * of an apply leaves, after --undo, the host as before. Commands are
 * recording stand-ins first on PATH; faults come from the simulated
 * kernel (fail-rename, kill-after-rename). */
#include "vmctl-test-host.h"
#include "vmctl-test-sim.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const gchar * const config_dirs[] = { "etc", "boot", "usr/lib/modules", NULL };

static void
setup_grub (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_setup (fixture, "grub-host");
}

static void
setup_systemd_boot (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_setup (fixture, "systemd-boot-host");
}

static void
setup_dracut (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_setup (fixture, "dracut-host");
}

static void
teardown (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_teardown (fixture);
}

static VmctlTestRun *
setup_run (HostFixture *fixture, const gchar * const *words)
{
  return vmctl_test_host_run_joined (fixture, (const gchar *[]) { "host", "setup", NULL }, words,
                                     NULL);
}

static void
assert_ok (VmctlTestRun *run)
{
  if (run->exit_status != 0)
    g_error ("vmctl exited %d\nstdout:\n%s\nstderr:\n%s", run->exit_status, run->out, run->err);
}

static void
assert_commands (HostFixture *fixture, const gchar * const *expected)
{
  g_auto(GStrv) commands = vmctl_test_host_take_commands (fixture);
  g_autofree gchar *got = g_strjoinv ("\n", commands);
  g_autofree gchar *want = g_strjoinv ("\n", (gchar **) expected);

  g_assert_cmpstr (got, ==, want);
}

/* vmctl host setup --undo, which must succeed and leave the configuration
 * as @before, byte for byte; returns the run for more checks */
static VmctlTestRun *
undo_to (HostFixture *fixture, GHashTable *before)
{
  VmctlTestRun *undo = setup_run (fixture, (const gchar *[]) { "--undo", NULL });
  g_autoptr(GHashTable) after = NULL;

  assert_ok (undo);
  after = vmctl_test_host_snapshot (fixture, config_dirs);
  vmctl_test_host_assert_same (before, after);
  return undo;
}

/* host check's setup.applied row, "" when there is none */
static gchar *
setup_check (HostFixture *fixture)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_host_run (fixture, NULL,
                                                     (const gchar *[]) { "host", "check", NULL });
  g_auto(GStrv) lines = g_strsplit (run->out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "vmctl host setup") != NULL)
      return g_strdup (lines[i]);
  return g_strdup ("");
}

/* a reboot with the new configuration: what the kernel then shows */
static void
reboot_grub_host (HostFixture *fixture)
{
  g_autofree gchar *cmdline = vmctl_test_host_read (fixture, "proc/cmdline");
  g_autofree gchar *rebooted = NULL;

  g_strchomp (cmdline);
  rebooted = g_strconcat (cmdline, " intel_iommu=on iommu=pt\n", NULL);
  vmctl_test_write (fixture->root, "proc/cmdline", rebooted);
  vmctl_test_write (fixture->root, "sys/module/kvm_intel/parameters/nested", "Y\n");
  vmctl_test_write (fixture->root, "proc/sys/vm/nr_hugepages", "2048\n");
}

static void
test_grub_apply_undo (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);
  g_autoptr(GHashTable) after_dry = NULL;
  g_autoptr(VmctlTestRun) dry = setup_run (fixture, (const gchar *[]) { "--hugepages", "4G", NULL });
  g_autoptr(VmctlTestRun) apply = NULL;
  g_autoptr(VmctlTestRun) undo = NULL;
  g_autofree gchar *check = NULL;

  /* the dry run is the default: diffs and commands, nothing changed */
  assert_ok (dry);
  g_assert_nonnull (strstr (dry->out, "-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
                                      "+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"));
  g_assert_nonnull (strstr (dry->out, "+++ /etc/modprobe.d/kvm-nested.conf\n"));
  g_assert_nonnull (strstr (dry->out, "Would run:\n  update-grub\n"));
  g_assert_nonnull (strstr (dry->err, "boot loader: GRUB"));
  after_dry = vmctl_test_host_snapshot (fixture, config_dirs);
  vmctl_test_host_assert_same (before, after_dry);
  assert_commands (fixture, (const gchar *[]) { NULL });
  check = setup_check (fixture);
  g_assert_cmpstr (check, ==, "");

  apply = setup_run (fixture, (const gchar *[]) { "--hugepages", "4G", "--apply", NULL });
  assert_ok (apply);
  vmctl_test_host_assert_file_has (fixture, "etc/default/grub",
                                   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");
  vmctl_test_host_assert_file_has (fixture, "etc/modprobe.d/kvm-nested.conf",
                                   "options kvm_intel nested=1\n");
  vmctl_test_host_assert_file_has (fixture, "etc/modules-load.d/vfio.conf",
                                   "vfio\nvfio_iommu_type1\nvfio_pci\n");
  vmctl_test_host_assert_file_has (fixture, "etc/sysctl.d/80-vmctl-hugepages.conf",
                                   "vm.nr_hugepages = 2048\n");
  assert_commands (fixture, (const gchar *[]) { "update-grub", NULL });

  /* host check: applied, not in effect before the reboot, in effect after */
  g_free (check);
  check = setup_check (fixture);
  g_assert_nonnull (strstr (check, "WARN"));
  g_assert_nonnull (strstr (check, "effective after reboot: no"));
  g_assert_nonnull (strstr (check, "kernel command line: intel_iommu=on"));
  reboot_grub_host (fixture);
  g_free (check);
  check = setup_check (fixture);
  g_assert_nonnull (strstr (check, "PASS"));
  g_assert_nonnull (strstr (check, "effective after reboot: yes"));

  undo = undo_to (fixture, before);
  g_assert_nonnull (strstr (undo->out, "Undone"));
  assert_commands (fixture, (const gchar *[]) { "update-grub", NULL });
  g_free (check);
  check = setup_check (fixture);
  g_assert_cmpstr (check, ==, "");
}

static void
test_systemd_boot_gpu (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);
  g_autoptr(VmctlTestRun) apply = setup_run (fixture, (const gchar *[]) { "--gpu", "0c:00.0",
                                                                         "--apply", NULL });
  g_autoptr(VmctlTestRun) undo = NULL;

  assert_ok (apply);
  /* AMD: no intel_iommu; the whole kernel-install command line */
  vmctl_test_host_assert_file_has (fixture, "etc/kernel/cmdline",
                                   "root=UUID=3f9c1e4a-7b2d-4c8e-9a51-6d0e2b8f4c17 rw quiet iommu=pt\n");
  /* the Navi card and its HDMI audio (a sibling in its own group), by
   * address, and their ids: no other function has them */
  vmctl_test_host_assert_file_has (fixture, "etc/udev/rules.d/05-vmctl-vfio.rules",
                                   "KERNEL==\"0000:0c:00.0\", ATTR{driver_override}=\"vfio-pci\"\n");
  vmctl_test_host_assert_file_has (fixture, "etc/udev/rules.d/05-vmctl-vfio.rules",
                                   "KERNEL==\"0000:0c:00.1\", ATTR{driver_override}=\"vfio-pci\"\n");
  vmctl_test_host_assert_file_has (fixture, "etc/modprobe.d/vmctl-vfio.conf",
                                   "softdep amdgpu pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n"
                                   "options vfio-pci ids=1002:73bf,1002:ab28\n");
  /* vfio before amdgpu in the initramfs */
  vmctl_test_host_assert_file_has (fixture, "etc/mkinitcpio.conf",
                                   "MODULES=(vfio_pci vfio vfio_iommu_type1 amdgpu)\n");
  vmctl_test_host_assert_file_has (fixture, "etc/mkinitcpio.conf",
                                   "FILES=(/etc/udev/rules.d/05-vmctl-vfio.rules "
                                   "/etc/modprobe.d/vmctl-vfio.conf)\n");
  /* the initramfs before the loader entry that copies it */
  assert_commands (fixture, (const gchar *[]) {
    "mkinitcpio -P",
    "kernel-install add 6.1.0-27-amd64 /usr/lib/modules/6.1.0-27-amd64/vmlinuz",
    NULL });

  undo = undo_to (fixture, before);
}

/* the dracut host rebooted with the setup: dracut's pre-load on the
 * command line, nested KVM on, the GPU and its audio on vfio-pci from
 * boot (the kernel's driver links) */
static void
reboot_dracut_host (HostFixture *fixture)
{
  static const gchar * const functions[] = { "0000:01:00.0", "0000:01:00.1", NULL };
  g_autofree gchar *cmdline = vmctl_test_host_read (fixture, "proc/cmdline");
  g_autofree gchar *rebooted = NULL;

  g_strchomp (cmdline);
  rebooted = g_strconcat (cmdline, " rd.driver.pre=vfio-pci\n", NULL);
  vmctl_test_write (fixture->root, "proc/cmdline", rebooted);
  vmctl_test_write (fixture->root, "sys/module/kvm_intel/parameters/nested", "Y\n");
  for (guint i = 0; functions[i] != NULL; i++) {
    g_autofree gchar *link = g_build_filename (fixture->root, "sys/bus/pci/devices",
                                               functions[i], "driver", NULL);

    g_assert_cmpint (g_unlink (link), ==, 0);
    g_assert_cmpint (symlink ("../../../../bus/pci/drivers/vfio-pci", link), ==, 0);
  }
}

static void
test_dracut_gpu (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);
  g_autoptr(VmctlTestRun) apply = setup_run (fixture, (const gchar *[]) { "--gpu", "01:00.0",
                                                                         "--apply", NULL });
  g_autoptr(VmctlTestRun) undo = NULL;
  g_autofree gchar *grub = NULL;
  g_autofree gchar *check = NULL;

  assert_ok (apply);
  /* the IOMMU is on GRUB_CMDLINE_LINUX already: only dracut's pre-load
   * joins, on a new _DEFAULT line; $(sed ...) on another line is left be */
  grub = vmctl_test_host_read (fixture, "etc/default/grub");
  g_assert_nonnull (strstr (grub, "GRUB_CMDLINE_LINUX=\"rhgb quiet intel_iommu=on iommu=pt\"\n"));
  g_assert_true (g_str_has_suffix (grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"rd.driver.pre=vfio-pci\"\n"));
  vmctl_test_host_assert_file_has (fixture, "etc/dracut.conf.d/vmctl-vfio.conf",
                                   "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n");
  vmctl_test_host_assert_file_has (fixture, "etc/modprobe.d/vmctl-vfio.conf",
                                   "softdep nvidia pre: vfio-pci\n");
  assert_commands (fixture, (const gchar *[]) {
    "dracut --force --regenerate-all",
    "grub2-mkconfig -o /boot/grub2/grub.cfg",
    NULL });
  check = setup_check (fixture);
  g_test_message ("before the reboot: %s", check);
  g_assert_nonnull (strstr (check, "effective after reboot: no"));
  g_assert_nonnull (strstr (check, "0000:01:00.0 on vfio-pci"));
  reboot_dracut_host (fixture);
  g_free (check);
  check = setup_check (fixture);
  g_test_message ("after the reboot: %s", check);
  g_assert_nonnull (strstr (check, "effective after reboot: yes"));
  undo = undo_to (fixture, before);
}

/* without --hugepages the pool is sized from the VMs defined with
 * hugepages of the default size (libvirt asked, here its test driver):
 * 2 GiB + 1 GiB of 2 MiB pages; a VM without them and one on 1 GiB
 * pages count for nothing */
static void
test_hugepages_from_vms (HostFixture *fixture, gconstpointer data)
{
  static const gchar domain_format[] =
    "  <domain type='test'>\n"
    "    <name>%s</name>\n"
    "    <memory unit='KiB'>%s</memory>\n"
    "    %s\n"
    "    <os><type arch='x86_64'>hvm</type></os>\n"
    "  </domain>\n";
  g_autofree gchar *first = g_strdup_printf (domain_format, "gaming", "2097152",
                                             "<memoryBacking><hugepages/></memoryBacking>");
  g_autofree gchar *second = g_strdup_printf (domain_format, "work", "1048576",
                                              "<memoryBacking><hugepages><page size='2048' "
                                              "unit='KiB'/></hugepages></memoryBacking>");
  g_autofree gchar *plain = g_strdup_printf (domain_format, "plain", "8388608", "");
  g_autofree gchar *giant = g_strdup_printf (domain_format, "giant", "4194304",
                                             "<memoryBacking><hugepages><page size='1048576' "
                                             "unit='KiB'/></hugepages></memoryBacking>");
  g_autofree gchar *xml = g_strconcat ("<node>\n", first, second, plain, giant, "</node>\n", NULL);
  g_autofree gchar *driver = NULL;
  g_autofree gchar *uri = NULL;
  g_autoptr(VmctlTestRun) dry = NULL;

  vmctl_test_write (fixture->root, ".vms.xml", xml);
  driver = g_build_filename (fixture->root, ".vms.xml", NULL);
  uri = g_strconcat ("test://", driver, NULL);
  dry = setup_run (fixture, (const gchar *[]) { "-c", uri, NULL });
  assert_ok (dry);
  g_assert_nonnull (strstr (dry->out, "+++ /etc/sysctl.d/80-vmctl-hugepages.conf\n"));
  g_assert_nonnull (strstr (dry->out, "+vm.nr_hugepages = 1536\n"));
}

/* Pop!_OS: systemd-boot managed by kernelstub, whose JSON configuration
 * holds the kernel options; found before GRUB's files, which such a host
 * may still carry */
static void
setup_kernelstub (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_setup (fixture, "grub-host");
  vmctl_test_write (fixture->root, "etc/kernelstub/configuration",
                    "{\n  \"default\": {\n    \"kernel_options\": [\"quiet\", \"splash\"]\n  },\n"
                    "  \"user\": {\n    \"kernel_options\": [\"quiet\", \"loglevel=0\"],\n"
                    "    \"esp_path\": \"/boot/efi\"\n  }\n}\n");
}

static void
test_kernelstub_apply_undo (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);
  g_autoptr(VmctlTestRun) apply = setup_run (fixture, (const gchar *[]) { "--apply", NULL });
  g_autoptr(VmctlTestRun) undo = NULL;
  g_autofree gchar *configuration = NULL;
  g_autofree gchar *grub = NULL;

  assert_ok (apply);
  g_assert_nonnull (strstr (apply->err, "boot loader: systemd-boot managed by kernelstub"));
  configuration = vmctl_test_host_read (fixture, "etc/kernelstub/configuration");
  g_assert_nonnull (strstr (configuration, "\"kernel_options\" : [\n      \"quiet\",\n"
                                           "      \"loglevel=0\",\n      \"intel_iommu=on\",\n"
                                           "      \"iommu=pt\"\n    ]"));
  /* kernelstub's defaults and GRUB's file are not the user's options */
  g_assert_nonnull (strstr (configuration, "\"splash\""));
  grub = vmctl_test_host_read (fixture, "etc/default/grub");
  g_assert_null (strstr (grub, "iommu"));
  assert_commands (fixture, (const gchar *[]) { "kernelstub", NULL });
  undo = undo_to (fixture, before);
  assert_commands (fixture, (const gchar *[]) { "kernelstub", NULL });
}

/* identical cards: the ids would take both, so only addresses are used */
static void
setup_twin (HostFixture *fixture, gconstpointer data)
{
  vmctl_test_host_setup (fixture, "twin-gpus");
  vmctl_test_write (fixture->root, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
  vmctl_test_write (fixture->root, "boot/grub/grub.cfg", "");
  vmctl_test_write (fixture->root, "etc/initramfs-tools/initramfs.conf", "MODULES=most\n");
}

static void
test_twin_ids (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) dry = setup_run (fixture, (const gchar *[]) { "--gpu", "02:00.0", NULL });

  assert_ok (dry);
  g_assert_nonnull (strstr (dry->err, "warning: 0000:02:00.0 has the id 10de:2504 like another "
                                      "function on this host: bound by address only"));
  g_assert_nonnull (strstr (dry->out, "+ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:02:00.0\""));
  g_assert_null (strstr (dry->out, "KERNEL==\"0000:01:00.0\""));
  g_assert_null (strstr (dry->out, "options vfio-pci ids="));
  g_assert_nonnull (strstr (dry->out, "+++ /etc/initramfs-tools/hooks/vmctl-vfio\n"));
}

/* a second apply (--gpu once the IOMMU is on) joins the first; one undo
 * unwinds both to the original bytes */
static void
test_second_apply (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(VmctlTestRun) first = setup_run (fixture, (const gchar *[]) { "--apply", NULL });
  g_autoptr(VmctlTestRun) second = NULL;
  g_autoptr(VmctlTestRun) undo = NULL;

  assert_ok (first);
  second = setup_run (fixture, (const gchar *[]) { "--gpu", "01:00.0", "--hugepages", "2G",
                                                   "--apply", NULL });
  /* grub-host's IOMMU is off: no groups, no verdict for the GPU yet */
  g_assert_cmpint (second->exit_status, ==, 1);
  g_assert_nonnull (strstr (second->err, "IOMMU"));
  g_clear_pointer (&second, vmctl_test_run_free);
  second = setup_run (fixture, (const gchar *[]) { "--hugepages", "2G", "--apply", NULL });
  assert_ok (second);
  vmctl_test_host_assert_file_has (fixture, "etc/sysctl.d/80-vmctl-hugepages.conf",
                                   "vm.nr_hugepages = 1024\n");
  undo = undo_to (fixture, before);
}

/* a file changed after vmctl wrote it: undo would lose that edit */
static void
test_undo_refuses_changed (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) apply = setup_run (fixture, (const gchar *[]) { "--apply", NULL });
  g_autoptr(VmctlTestRun) undo = NULL;
  g_autoptr(VmctlTestRun) forced = NULL;
  g_autofree gchar *grub = NULL;

  assert_ok (apply);
  vmctl_test_write (fixture->root, "etc/modprobe.d/kvm-nested.conf", "options kvm_intel nested=0\n");
  undo = setup_run (fixture, (const gchar *[]) { "--undo", NULL });
  g_assert_cmpint (undo->exit_status, ==, 1);
  g_assert_nonnull (strstr (undo->err, "/etc/modprobe.d/kvm-nested.conf changed since vmctl "
                                       "wrote it"));
  /* nothing was restored */
  grub = vmctl_test_host_read (fixture, "etc/default/grub");
  g_assert_nonnull (strstr (grub, "intel_iommu=on"));
  forced = setup_run (fixture, (const gchar *[]) { "--undo", "--force", NULL });
  assert_ok (forced);
  g_assert_null (vmctl_test_host_read (fixture, "etc/modprobe.d/kvm-nested.conf"));
}

/* the steps of the GRUB host's apply, each a fault point */
static const gchar * const grub_files[] = {
  "etc/default/grub", "etc/modprobe.d/kvm-nested.conf", "etc/modules-load.d/vfio.conf",
  "etc/sysctl.d/80-vmctl-hugepages.conf", NULL,
};

static void
test_fault_every_step (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);

  /* a file that cannot be renamed into place, at each file */
  for (guint i = 0; grub_files[i] != NULL; i++) {
    g_autoptr(VmctlTestRun) apply = NULL;
    g_autoptr(GHashTable) after = NULL;
    g_autofree gchar *fault = g_strdup_printf ("%s 28\n", grub_files[i]);
    g_auto(GStrv) discarded = NULL;

    vmctl_test_write (fixture->root, ".sim/fail-rename", fault);
    apply = setup_run (fixture, (const gchar *[]) { "--hugepages", "4G", "--apply", NULL });
    g_assert_cmpint (apply->exit_status, ==, 1);
    g_assert_nonnull (strstr (apply->err, "No space left on device"));
    g_assert_nonnull (strstr (apply->err, "every file is back as it was"));
    after = vmctl_test_host_snapshot (fixture, config_dirs);
    vmctl_test_host_assert_same (before, after);
    g_assert_null (vmctl_test_host_read (fixture, "var/lib/vmctl/host/setup.record"));
    discarded = vmctl_test_host_take_commands (fixture);
  }
  vmctl_test_unlink (fixture->root, ".sim/fail-rename");
  /* the regeneration command fails (once): files back, and it runs again
   * for the restored files */
  {
    g_autoptr(VmctlTestRun) apply = NULL;
    g_autoptr(GHashTable) after = NULL;

    vmctl_test_host_fail_next (fixture, "update-grub");
    apply = setup_run (fixture, (const gchar *[]) { "--hugepages", "4G", "--apply", NULL });
    g_assert_cmpint (apply->exit_status, ==, 1);
    g_assert_nonnull (strstr (apply->err, "'update-grub' failed: update-grub: injected failure"));
    after = vmctl_test_host_snapshot (fixture, config_dirs);
    vmctl_test_host_assert_same (before, after);
    assert_commands (fixture, (const gchar *[]) { "update-grub", "update-grub", NULL });
  }
}

/* SIGKILL at every step of an apply: the record, each file, the command;
 * then --undo puts the host back */
static void
test_kill_every_step (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) before = vmctl_test_host_snapshot (fixture, config_dirs);
  g_autoptr(GPtrArray) points = g_ptr_array_new ();

  g_ptr_array_add (points, (gpointer) "var/lib/vmctl/host/setup.record");
  for (guint i = 0; grub_files[i] != NULL; i++)
    g_ptr_array_add (points, (gpointer) grub_files[i]);
  g_ptr_array_add (points, (gpointer) "update-grub");
  for (guint i = 0; i < points->len; i++) {
    const gchar *point = g_ptr_array_index (points, i);
    g_autoptr(VmctlTestRun) apply = NULL;
    g_autoptr(VmctlTestRun) undo = NULL;
    g_autoptr(GHashTable) after = NULL;
    g_auto(GStrv) discarded = NULL;

    if (strchr (point, '/') != NULL) {
      g_autofree gchar *line = g_strconcat (point, "\n", NULL);

      vmctl_test_write (fixture->root, ".sim/kill-after-rename", line);
    } else {
      vmctl_test_host_kill_next (fixture, point);
    }
    apply = setup_run (fixture, (const gchar *[]) { "--hugepages", "4G", "--apply", NULL });
    g_assert_cmpint (apply->exit_status, ==, 128 + 9);
    vmctl_test_write (fixture->root, ".sim/kill-after-rename", "");
    /* an apply cut short: nothing else is done until it is undone */
    g_clear_pointer (&apply, vmctl_test_run_free);
    apply = setup_run (fixture, (const gchar *[]) { "--apply", NULL });
    g_assert_cmpint (apply->exit_status, ==, 1);
    g_assert_nonnull (strstr (apply->err, "was cut short"));
    undo = undo_to (fixture, before);
    discarded = vmctl_test_host_take_commands (fixture);
  }
}

/* what is refused before anything is read or written */
static void
test_usage (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) both = setup_run (fixture, (const gchar *[]) { "--apply", "--undo", NULL });
  g_autoptr(VmctlTestRun) nothing = setup_run (fixture, (const gchar *[]) { "--undo", NULL });
  g_autoptr(VmctlTestRun) bad = setup_run (fixture, (const gchar *[]) { "--gpu", "zz", NULL });

  g_assert_cmpint (both->exit_status, ==, 2);
  g_assert_cmpint (nothing->exit_status, ==, 1);
  g_assert_nonnull (strstr (nothing->err, "no host setup by vmctl to undo"));
  g_assert_cmpint (bad->exit_status, ==, 2);
}

/* no boot loader vmctl can tell: refused, nothing guessed */
static void
test_unknown_loader (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) dry = NULL;

  vmctl_test_unlink (fixture->root, "boot/grub/grub.cfg");
  dry = setup_run (fixture, (const gchar *[]) { NULL });
  g_assert_cmpint (dry->exit_status, ==, 1);
  g_assert_nonnull (strstr (dry->err, "cannot tell which boot loader this host uses"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_test_require_sim (argv[0]);
  g_test_add ("/vmctl/host-setup/grub/apply-undo", HostFixture, NULL, setup_grub,
              test_grub_apply_undo, teardown);
  g_test_add ("/vmctl/host-setup/systemd-boot/gpu", HostFixture, NULL, setup_systemd_boot,
              test_systemd_boot_gpu, teardown);
  g_test_add ("/vmctl/host-setup/kernelstub/apply-undo", HostFixture, NULL, setup_kernelstub,
              test_kernelstub_apply_undo, teardown);
  g_test_add ("/vmctl/host-setup/grub/hugepages-from-vms", HostFixture, NULL, setup_grub,
              test_hugepages_from_vms, teardown);
  g_test_add ("/vmctl/host-setup/dracut/gpu", HostFixture, NULL, setup_dracut,
              test_dracut_gpu, teardown);
  g_test_add ("/vmctl/host-setup/ids/not-unique", HostFixture, NULL, setup_twin,
              test_twin_ids, teardown);
  g_test_add ("/vmctl/host-setup/grub/second-apply", HostFixture, NULL, setup_grub,
              test_second_apply, teardown);
  g_test_add ("/vmctl/host-setup/grub/undo-changed", HostFixture, NULL, setup_grub,
              test_undo_refuses_changed, teardown);
  g_test_add ("/vmctl/host-setup/grub/fault-every-step", HostFixture, NULL, setup_grub,
              test_fault_every_step, teardown);
  g_test_add ("/vmctl/host-setup/grub/kill-every-step", HostFixture, NULL, setup_grub,
              test_kill_every_step, teardown);
  g_test_add ("/vmctl/host-setup/usage", HostFixture, NULL, setup_grub, test_usage, teardown);
  g_test_add ("/vmctl/host-setup/unknown-loader", HostFixture, NULL, setup_grub,
              test_unknown_loader, teardown);
  return g_test_run ();
}
