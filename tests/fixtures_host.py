# SPDX-License-Identifier: GPL-2.0-or-later
"""Host fixtures for issue 13, used by gen-fixtures.py: the boot
configuration files of three kinds of host (a Debian GRUB host with
initramfs-tools, an Arch-like systemd-boot host with kernel-install and
mkinitcpio, a Fedora-like GRUB2 host with dracut), and the runtime state a
single-GPU hand-off and CPU isolation change (virtual consoles, the EFI
framebuffer, cgroup v2 cpusets, cpufreq governors, IRQ affinities, the
NVIDIA module stack), laid out as the kernel shows them."""

ROOT_UUID = "3f9c1e4a-7b2d-4c8e-9a51-6d0e2b8f4c17"
MACHINE_ID = "0f6c2a8e4b1d4e7f9a3c5b2d8e6f1a4c"

# Debian 12's /etc/default/grub as installed (its GRUB_DISTRIBUTOR line has
# backticks: vmctl must edit around them, not refuse the file)
GRUB_DEBIAN = """\
# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""

# If your computer has multiple operating systems installed, then you
# probably want to run os-prober. However, if your computer is a host
# for guest OSes installed via LVM or raw disk devices, running
# os-prober can cause damage to those guest OSes as it mounts them.
# To enable this, uncomment the following line.
#GRUB_DISABLE_OS_PROBER=false
"""

# Fedora 39's, with the IOMMU already on (the user followed a wiki page)
GRUB_FEDORA = """\
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DEFAULT=saved
GRUB_DISABLE_SUBMENU=true
GRUB_TERMINAL_OUTPUT="console"
GRUB_CMDLINE_LINUX="rhgb quiet intel_iommu=on iommu=pt"
GRUB_DISABLE_RECOVERY="true"
GRUB_ENABLE_BLSCFG=true
"""

MKINITCPIO = """\
# vim:set ft=sh
# MODULES
# The following modules are loaded before any boot hooks are
# run.  Advanced users may wish to specify all system modules
# in this array.  For instance:
#     MODULES=(usbhid xhci_hcd)
MODULES=(amdgpu)

# BINARIES
BINARIES=()

# FILES
FILES=()

# HOOKS
HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)
"""


def etc_grub_debian(osrelease):
    return {
        "etc/default/grub": GRUB_DEBIAN,
        "boot/grub/grub.cfg": "# stand-in for the grub.cfg update-grub writes\n",
        "etc/initramfs-tools/initramfs.conf": "MODULES=most\nBUSYBOX=auto\nCOMPRESS=zstd\n",
        "etc/initramfs-tools/modules": "# List of modules that you want to include in your initramfs.\n",
        "etc/modprobe.d/alsa-base.conf": "options snd-usb-audio index=-2\n",
        "etc/sysctl.d/99-sysctl.conf": "#kernel.domainname = example.com\n",
        "etc/udev/rules.d/70-persistent-net.rules": "# generated\n",
        "boot/vmlinuz-" + osrelease: "stand-in kernel image\n",
    }, ["etc/initramfs-tools/hooks", "etc/initramfs-tools/scripts"]


def etc_systemd_boot(osrelease, cmdline):
    entry = ("boot/efi/loader/entries/%s-%s.conf" % (MACHINE_ID, osrelease))
    return {
        "etc/kernel/cmdline": cmdline + "\n",
        "boot/efi/loader/loader.conf": "timeout 3\n#console-mode keep\n",
        entry: ("title      Arch Linux\nversion    %s\nmachine-id %s\n"
                "linux      /%s/%s/linux\ninitrd     /%s/%s/initrd\noptions    %s\n"
                % (osrelease, MACHINE_ID, MACHINE_ID, osrelease, MACHINE_ID, osrelease, cmdline)),
        "etc/mkinitcpio.conf": MKINITCPIO,
        "usr/lib/modules/%s/vmlinuz" % osrelease: "stand-in kernel image\n",
    }, ["etc/modprobe.d", "etc/sysctl.d", "etc/udev/rules.d"]


def etc_fedora_dracut(osrelease):
    return {
        "etc/default/grub": GRUB_FEDORA,
        "boot/grub2/grub.cfg": "# stand-in for the grub.cfg grub2-mkconfig writes\n",
        "etc/dracut.conf": "# PUT YOUR CONFIG IN separate files\n# in /etc/dracut.conf.d\n",
        "etc/modprobe.d/firewalld-sysctls.conf":
            "install nf_conntrack /usr/sbin/modprobe --ignore-install nf_conntrack\n",
        "lib/modules/%s/vmlinuz" % osrelease: "stand-in kernel image\n",
    }, ["etc/dracut.conf.d", "etc/modules-load.d", "etc/sysctl.d", "etc/udev/rules.d"]


def write_runtime(tree, ncpu, irqs, governor, holders):
    """What a single-GPU hand-off and CPU isolation read and write."""
    cpus = "0-%d" % (ncpu - 1)
    # an EFI boot: the framebuffer console on efifb (vtcon1), the dummy
    # console that is never unbound (vtcon0)
    for n, (name, bound) in enumerate((("(S) dummy device", 0), ("(M) frame buffer device", 1))):
        base = "sys/devices/virtual/vtconsole/vtcon%d/" % n
        tree.file(base + "name", name + "\n")
        tree.file(base + "bind", "%d\n" % bound)
        tree.link("sys/class/vtconsole/vtcon%d" % n, "../../devices/virtual/vtconsole/vtcon%d" % n)
    dev = "sys/devices/platform/efi-framebuffer.0/"
    tree.file(dev + "uevent", "DRIVER=efi-framebuffer\nMODALIAS=platform:efi-framebuffer\n")
    tree.link(dev + "driver", "../../../bus/platform/drivers/efi-framebuffer")
    tree.link(dev + "subsystem", "../../../bus/platform")
    drv = "sys/bus/platform/drivers/efi-framebuffer/"
    for name in ("bind", "unbind", "uevent"):
        tree.file(drv + name, "")
    tree.link(drv + "efi-framebuffer.0", "../../../../devices/platform/efi-framebuffer.0")
    tree.link("sys/bus/platform/devices/efi-framebuffer.0",
              "../../../devices/platform/efi-framebuffer.0")
    # cgroup v2 as systemd sets it up: cpuset enabled for the top level
    cg = "sys/fs/cgroup/"
    tree.file(cg + "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    tree.file(cg + "cgroup.subtree_control", "cpuset cpu io memory pids\n")
    tree.file(cg + "cpuset.cpus.effective", cpus + "\n")
    for group in ("init.scope", "system.slice", "user.slice", "machine.slice"):
        tree.file(cg + group + "/cpuset.cpus", "\n")
        tree.file(cg + group + "/cpuset.cpus.effective", cpus + "\n")
        tree.file(cg + group + "/cgroup.procs", "")
    for i in range(ncpu):
        base = "sys/devices/system/cpu/cpu%d/cpufreq/" % i
        tree.file(base + "scaling_governor", governor + "\n")
        tree.file(base + "scaling_available_governors", "performance powersave\n")
        tree.file(base + "scaling_driver", "intel_pstate\n")
    tree.file("proc/irq/default_smp_affinity", "%x\n" % ((1 << ncpu) - 1))
    for irq in irqs:
        tree.file("proc/irq/%d/smp_affinity_list" % irq, cpus + "\n")
        tree.file("proc/irq/%d/smp_affinity" % irq, "%x\n" % ((1 << ncpu) - 1))
    # modules that use others: /sys/module/X/holders/Y -> ../../Y, and refcnt
    for module, users in holders.items():
        tree.file("sys/module/%s/refcnt" % module, "%d\n" % len(users))
        for user in users:
            tree.link("sys/module/%s/holders/%s" % (module, user), "../../" + user)
