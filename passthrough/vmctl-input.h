/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-input.h: the host's keyboards, mice and gamepads as udev names
 * them in /dev/input/by-id, for <input type='evdev'>: their stable names,
 * their kind, whether they exist now, and the USB device they belong to. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_INPUT_ERROR (vmctl_input_error_quark ())

typedef enum {
  VMCTL_INPUT_ERROR_INVALID,    /* not a /dev/input/by-id event device path (exit 2) */
  VMCTL_INPUT_ERROR_NOT_FOUND,  /* no such device on the host (exit 2) */
} VmctlInputError;

GQuark vmctl_input_error_quark (void);

#define VMCTL_INPUT_BY_ID "/dev/input/by-id"

typedef enum {
  VMCTL_INPUT_KEYBOARD,
  VMCTL_INPUT_MOUSE,
  VMCTL_INPUT_GAMEPAD,
  VMCTL_INPUT_OTHER,
} VmctlInputKind;

typedef struct {
  gchar *name;                /* the by-id name, "usb-Logitech_USB_Receiver-if02-event-mouse" */
  gchar *path;                /* "/dev/input/by-id/NAME" */
  VmctlInputKind kind;
  gchar *event;               /* "event3": the node the link names; NULL when it names none */
  gboolean exists;            /* /dev/input/eventN is there now */
  gchar *usb_device;          /* "1-2", the USB device it belongs to; NULL when unknown */
} VmctlInputDevice;

GPtrArray *vmctl_input_list (VmctlHost *host, GError **error);
void vmctl_input_device_free (VmctlInputDevice *device);
VmctlInputKind vmctl_input_kind_from_name (const gchar *name);
const gchar *vmctl_input_kind_to_string (VmctlInputKind kind);
gboolean vmctl_input_check_path (const gchar *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlInputDevice, vmctl_input_device_free)

G_END_DECLS
