/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-media.h: how a VM is installed and booted (issue 11): its
 * cdroms, the bus and cache of each disk, the boot order, direct kernel
 * boot, and the guest OS whose needs (libosinfo) set the defaults. */
#pragma once

#include <glib.h>

#include "vmctl-spec.h"

G_BEGIN_DECLS

typedef enum {
  VMCTL_BOOT_CDROM,
  VMCTL_BOOT_DISK,
  VMCTL_BOOT_NETWORK,
} VmctlBootDevice;

typedef struct {
  gchar *path;                /* absolute, on the machine vmctl runs on */
  gboolean drivers;           /* a driver ISO (virtio-win): attached, never booted */
} VmctlSpecCdrom;

/* where virtio-win packages install the driver ISO (Fedora, RHEL, and
 * the RPM the virtio-win project ships) */
#define VMCTL_VIRTIO_WIN_ISO "/usr/share/virtio-win/virtio-win.iso"

/* The create options of issue 11, as GOptionContext leaves them. */
typedef struct {
  gchar **cdroms;             /* --cdrom, repeatable */
  gchar *boot;                /* --boot cdrom,disk,network */
  gchar *kernel;
  gchar *initrd;
  gchar *cmdline;
  gchar *os;                  /* --os ID */
  gchar *drivers;             /* --drivers auto */
} VmctlSpecMediaOptions;

void vmctl_spec_media_options_clear (VmctlSpecMediaOptions *options);
gboolean vmctl_spec_apply_media_options (VmctlSpec *spec, const VmctlSpecMediaOptions *options,
                                         GError **error);

gboolean vmctl_spec_add_cdrom (VmctlSpec *spec, const gchar *path, GError **error);
gboolean vmctl_spec_set_boot (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_kernel_boot (VmctlSpec *spec, const gchar *kernel, const gchar *initrd,
                                     const gchar *cmdline, GError **error);
gboolean vmctl_spec_set_os (VmctlSpec *spec, const gchar *id, GError **error);
gboolean vmctl_spec_set_drivers (VmctlSpec *spec, const gchar *text, GError **error);

/* every cdrom in order: spec->cdrom (the single-cdrom field) first */
GPtrArray *vmctl_spec_list_cdroms (const VmctlSpec *spec);
/* the bus of disk @index: its own (bus=) or the spec's default */
const gchar *vmctl_spec_disk_bus (const VmctlSpec *spec, const VmctlSpecDisk *disk);
/* --boot as given, or the default: cdroms first when there are any, then disks */
GArray *vmctl_spec_boot_order (const VmctlSpec *spec);
const gchar *vmctl_boot_device_to_string (VmctlBootDevice device);
gchar *vmctl_spec_format_boot (GArray *boot);
void vmctl_spec_cdrom_free (VmctlSpecCdrom *cdrom);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlSpecCdrom, vmctl_spec_cdrom_free)

G_END_DECLS
