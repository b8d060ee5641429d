/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-desk.h: the session's commands of issue 12: input list,
 * usb list, gpu rom check, gpu rom dump (what gpu check adds, BAR sizes,
 * Resizable BAR and vendor-reset, is in its VmctlGpuReport). Every
 * function reports VMCTL_ERROR. */
#pragma once

#include <glib.h>

#include "vmctl-input.h"
#include "vmctl-pci-bars.h"
#include "vmctl-pci-rom.h"
#include "vmctl-session.h"
#include "vmctl-usb.h"
#include "vmctl-verdict.h"

G_BEGIN_DECLS

/* ---- input list, usb list (vmctl-session-usb.c) ---- */

GPtrArray *vmctl_session_input_list (VmctlSession *session, GError **error);

typedef struct {
  VmctlPciAddress address;
  gchar *description;         /* vendor and device names */
  gchar *driver;              /* NULL when unbound */
  VmctlVerdict *verdict;      /* the isolation rule for the controller */
  GPtrArray *keyboards;       /* gchar*: by-id names of the host's keyboards behind it */
  GPtrArray *buses;           /* VmctlUsbBus*, borrowed from the report's topology */
  GPtrArray *devices;         /* VmctlUsbDevice*, borrowed */
} VmctlUsbController;

typedef struct {
  VmctlUsbTopology *topology;
  GPtrArray *controllers;     /* VmctlUsbController*, by address */
  GPtrArray *inputs;          /* VmctlInputDevice*: which device has which event nodes */
} VmctlUsbReport;

VmctlUsbReport *vmctl_session_usb_list (VmctlSession *session, GError **error);
void vmctl_usb_report_free (VmctlUsbReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlUsbReport, vmctl_usb_report_free)

/* ---- gpu rom check, gpu rom dump (vmctl-session-rom.c) ---- */

typedef struct {
  VmctlRom *rom;              /* the file as it is */
  gboolean device_checked;    /* --gpu given: the ids were compared */
  VmctlPciAddress gpu;
  VmctlRom *stripped;         /* --strip OUT: what was written, read back; NULL without */
  gchar *stripped_path;
} VmctlRomReport;

VmctlRomReport *vmctl_session_gpu_rom_check (VmctlSession *session, const gchar *path,
                                             const VmctlPciAddress *gpu, const gchar *strip_out,
                                             GError **error);
void vmctl_rom_report_free (VmctlRomReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlRomReport, vmctl_rom_report_free)

typedef struct {
  gsize length;               /* bytes written */
  VmctlRom *rom;              /* what they hold */
  GPtrArray *warnings;        /* gchar*: why the dump may not be the card's flash */
} VmctlRomDump;

VmctlRomDump *vmctl_session_gpu_rom_dump (VmctlSession *session, const VmctlPciAddress *address,
                                          const gchar *out_path, GError **error);
void vmctl_rom_dump_free (VmctlRomDump *dump);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlRomDump, vmctl_rom_dump_free)

G_END_DECLS
