/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-use.h: is the host itself using a PCI function right now?
 * Taking such a function away blanks the console or pulls a mounted disk
 * from under the host, so the engine refuses unless --force. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

/* One line per reason the host uses @address, empty when none:
 *  - the boot VGA device (boot_vga = 1) while a driver other than vfio-pci
 *    or pci-stub holds it;
 *  - a memory BAR (sysfs `resource`, lines 0-5) overlapping a firmware
 *    framebuffer in /proc/iomem (efifb, simpledrm, simple-framebuffer,
 *    vesafb, vga16fb, BOOTFB);
 *  - a block device under the function in sysfs whose node (or a
 *    partition's, or that of a dm/md device stacked on it) is mounted
 *    (/proc/self/mountinfo by device number, else /proc/mounts) or is
 *    active swap in /proc/swaps;
 *  - a process with one of its device nodes open (/dev/dri/cardN and
 *    renderDN from its drm/ directory, /dev/nvidiaN from
 *    /proc/driver/nvidia/gpus/ADDR/information): unbinding would wait for
 *    it, which hangs the write; up to five are named.
 * Files that cannot be read give no reason (the detach itself will report
 * a missing device). Never NULL; free with g_ptr_array_unref(). */
GPtrArray *vmctl_host_use_reasons (VmctlHost *host, const VmctlPciAddress *address);

/* The same mount and swap reasons for one block device, by its number
 * (a disk given to a VM): the device, its partitions, or a dm/md device
 * stacked on them mounted or swapping. Never NULL. */
GPtrArray *vmctl_host_use_block_reasons (VmctlHost *host, guint major, guint minor);

G_END_DECLS
