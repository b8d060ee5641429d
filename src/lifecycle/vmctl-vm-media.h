/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vm-media.h: how a defined VM is reached and what it boots, read
 * from its domain XML: the SPICE/VNC URIs `virsh domdisplay` prints, the
 * serial console and its log, the drives and the boot order, direct
 * kernel boot. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

typedef struct {
  gchar *type;                /* "vnc", "spice" */
  gchar *uri;                 /* "spice://localhost:5901"; NULL while the VM has no port
                               * (shut off) or listens nowhere */
  gchar *listen;              /* the address or socket it listens on; NULL: not given */
  gint port;                  /* -1: none yet */
  gint tls_port;              /* -1: none */
} VmctlDisplay;

typedef struct {
  gchar *device;              /* "disk", "cdrom" */
  gchar *target;              /* "vda", "sdc" */
  gchar *bus;                 /* "virtio", "sata", "scsi", "ide" */
  gchar *source;              /* a path, "POOL/VOLUME", or NULL for an empty drive */
  guint boot_order;           /* 0: not a boot device */
} VmctlVmDrive;

typedef struct _VmctlVmMedia {
  gboolean running;           /* from the live XML: pty paths and ports are real */
  gchar *console;             /* the console's type, "pty"; NULL: no console device */
  gchar *console_path;        /* its pty while the VM runs ("/dev/pts/3"), or NULL */
  gchar *console_log;         /* the serial port's <log file>, or NULL */
  GPtrArray *displays;        /* VmctlDisplay*, in virsh's order (vnc, spice) */
  GPtrArray *drives;          /* VmctlVmDrive*, as the XML lists them */
  GPtrArray *boot;            /* gchar*: "cdrom sdc", "disk vda", "network", in boot order */
  gchar *kernel;              /* direct kernel boot, or NULL */
  gchar *initrd;
  gchar *cmdline;
  gchar *os;                  /* vmctl's metadata: the --os ID, or NULL */
} VmctlVmMedia;

GPtrArray *vmctl_display_list_from_xml (const gchar *xml, const gchar *connection_uri,
                                        GError **error);
VmctlVmMedia *vmctl_vm_media_from_xml (const gchar *xml, const gchar *connection_uri,
                                       gboolean running, GError **error);
VmctlVmMedia *vmctl_vm_media (virConnectPtr connection, const gchar *name, GError **error);
void vmctl_display_free (VmctlDisplay *display);
void vmctl_vm_drive_free (VmctlVmDrive *drive);
void vmctl_vm_media_free (VmctlVmMedia *media);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlDisplay, vmctl_display_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVmMedia, vmctl_vm_media_free)

G_END_DECLS
