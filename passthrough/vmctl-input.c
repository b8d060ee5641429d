/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-input.c: /dev/input/by-id.
 *
 * udev's 60-persistent-input.rules names each event device of a USB (or
 * Bluetooth, serial...) input device "BUS-SERIAL[-ifNN]-event-KIND": KIND
 * is "kbd" for ID_INPUT_KEYBOARD, "mouse" for ID_INPUT_MOUSE, "joystick"
 * for ID_INPUT_JOYSTICK (gamepads); "-ifNN" marks a device's further
 * interfaces (a receiver's mouse, a keyboard's media keys). The links are
 * relative, "../eventN". The legacy "-mouse" and "-joystick" nodes (mouseN,
 * jsN) are no event devices and QEMU's input-linux cannot take them.
 *
 * The USB device behind an event node comes from its sysfs device path:
 * /sys/class/input/eventN links into
 * devices/.../usbB/B-P/B-P:C.I/HID/input/inputM/eventN, whose last
 * "B-P" component names the USB device. */
#include "vmctl-input.h"

#include "vmctl-usb.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-input-error-quark, vmctl_input_error)

/* udev sanitizes ID_SERIAL to ASCII letters, digits, "#+-.:=@_" and
 * valid UTF-8 (replace_chars(): an Xbox 360 pad is
 * "usb-\u00a9Microsoft_Corporation_Controller-event-joystick"); a name
 * here becomes part of a path and of the XML, so nothing else passes. */
#define NAME_MAX_BYTES 255

void
vmctl_input_device_free (VmctlInputDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->path);
  g_free (device->event);
  g_free (device->usb_device);
  g_free (device);
}

/**
 * vmctl_input_kind_from_name:
 * Returns: the kind a by-id name ends in; VMCTL_INPUT_OTHER for other
 *   event devices
 */
VmctlInputKind
vmctl_input_kind_from_name (const gchar *name)
{
  if (g_str_has_suffix (name, "-event-kbd"))
    return VMCTL_INPUT_KEYBOARD;
  if (g_str_has_suffix (name, "-event-mouse"))
    return VMCTL_INPUT_MOUSE;
  if (g_str_has_suffix (name, "-event-joystick"))
    return VMCTL_INPUT_GAMEPAD;
  return VMCTL_INPUT_OTHER;
}

/**
 * vmctl_input_kind_to_string:
 * Returns: (transfer none): "keyboard", "mouse", "gamepad" or "other"
 */
const gchar *
vmctl_input_kind_to_string (VmctlInputKind kind)
{
  switch (kind) {
  case VMCTL_INPUT_KEYBOARD:
    return "keyboard";
  case VMCTL_INPUT_MOUSE:
    return "mouse";
  case VMCTL_INPUT_GAMEPAD:
    return "gamepad";
  case VMCTL_INPUT_OTHER:
  default:
    return "other";
  }
}

static gboolean
is_event_name (const gchar *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > NAME_MAX_BYTES || name[0] == '.' || !g_utf8_validate (name, -1, NULL)
      || strstr (name, "-event-") == NULL)
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p++) {
    guchar c = (guchar) *p;

    if (c >= 0x80)
      continue;
    if (!g_ascii_isalnum (c) && strchr ("#+-.:=@_", c) == NULL)
      return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_input_check_path:
 * @error: VMCTL_INPUT_ERROR_INVALID
 *
 * Accepts "/dev/input/by-id/NAME" with NAME an event device's by-id name
 * (ending in -event-kbd, -event-mouse, -event-joystick...): a name that
 * survives replugging, unlike /dev/input/eventN, whose number the kernel
 * hands out anew.
 */
gboolean
vmctl_input_check_path (const gchar *path, GError **error)
{
  const gchar *name;

  if (!g_str_has_prefix (path, VMCTL_INPUT_BY_ID "/")) {
    g_set_error (error, VMCTL_INPUT_ERROR, VMCTL_INPUT_ERROR_INVALID,
                 "'%s' is not under %s: give the device's stable name there (see vmctl "
                 "input list); /dev/input/eventN changes its number at replug", path,
                 VMCTL_INPUT_BY_ID);
    return FALSE;
  }
  name = path + strlen (VMCTL_INPUT_BY_ID "/");
  if (!is_event_name (name)) {
    g_set_error (error, VMCTL_INPUT_ERROR, VMCTL_INPUT_ERROR_INVALID,
                 "'%s' is not an event device's name (want ...-event-kbd, ...-event-mouse or "
                 "...-event-joystick: see vmctl input list)", path);
    return FALSE;
  }
  return TRUE;
}

/* "1-2.4" from the sysfs path of /sys/class/input/@event */
static gchar *
usb_device_of (VmctlHost *host, const gchar *event)
{
  g_autofree gchar *link = g_build_filename ("/sys/class/input", event, NULL);
  g_autofree gchar *target = vmctl_host_read_link (host, link);
  g_auto(GStrv) parts = NULL;
  gchar *found = NULL;

  if (target == NULL)
    return NULL;
  parts = g_strsplit (target, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (vmctl_usb_is_device_name (parts[i])) {
      g_free (found);
      found = g_strdup (parts[i]);
    }
  return found;
}

static VmctlInputDevice *
read_device (VmctlHost *host, const gchar *name)
{
  g_autoptr(VmctlInputDevice) device = g_new0 (VmctlInputDevice, 1);
  g_autofree gchar *target = NULL;
  g_autofree gchar *node = NULL;

  device->name = g_strdup (name);
  device->path = g_build_filename (VMCTL_INPUT_BY_ID, name, NULL);
  device->kind = vmctl_input_kind_from_name (name);
  target = vmctl_host_read_link (host, device->path);
  if (target != NULL) {
    g_autofree gchar *base = g_path_get_basename (target);

    /* only "eventN" becomes part of a path */
    if (g_regex_match_simple ("^event[0-9]{1,5}$", base, G_REGEX_DOLLAR_ENDONLY, 0))
      device->event = g_steal_pointer (&base);
  }
  if (device->event != NULL) {
    node = g_build_filename ("/dev/input", device->event, NULL);
    device->exists = vmctl_host_exists (host, node);
    device->usb_device = usb_device_of (host, device->event);
  }
  return g_steal_pointer (&device);
}

static gint
compare_devices (gconstpointer a, gconstpointer b)
{
  const VmctlInputDevice *left = *(VmctlInputDevice * const *) a;
  const VmctlInputDevice *right = *(VmctlInputDevice * const *) b;

  if (left->kind != right->kind)
    return left->kind < right->kind ? -1 : 1;
  return strcmp (left->name, right->name);
}

/**
 * vmctl_input_list:
 * @error: VMCTL_HOST_ERROR_READ when the directory cannot be listed
 *
 * The event devices in /dev/input/by-id under @host, keyboards first,
 * then mice, gamepads and others, by name within each kind. No directory
 * (a host without USB input, a container) is an empty list.
 *
 * Returns: (transfer full) (element-type VmctlInputDevice)
 */
GPtrArray *
vmctl_input_list (VmctlHost *host, GError **error)
{
  g_autoptr(GPtrArray) devices =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_input_device_free);
  g_autofree gchar *directory = vmctl_host_path (host, VMCTL_INPUT_BY_ID);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const gchar *name;

  if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&devices);
  dir = g_dir_open (directory, 0, &local_error);
  if (dir == NULL) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ, "%s: %s", VMCTL_INPUT_BY_ID,
                 local_error->message);
    return NULL;
  }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (is_event_name (name))
      g_ptr_array_add (devices, read_device (host, name));
  g_ptr_array_sort (devices, compare_devices);
  return g_steal_pointer (&devices);
}
