/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-input.c: vmctl input list, the keyboards, mice and gamepads
 * create --input can give a VM. */
#include "vmctl-output.h"

#include "vmctl-session-desk.h"

static const gchar input_list_description[] =
  "Lists the host's input event devices by their stable names in\n"
  "/dev/input/by-id: kind (keyboard, mouse, gamepad, other), whether the device\n"
  "node is there now, and the USB device (BUS-PORT, as in vmctl usb list) it\n"
  "belongs to. Give one to a VM with 'vmctl create --input evdev=PATH', or the\n"
  "host's keyboards and mice with '--input auto'; both Ctrl keys (or\n"
  "--input-toggle) switch them between host and guest while the VM runs.\n"
  "\n"
  "Examples:\n"
  "  vmctl input list\n"
  "  vmctl input list --json";

static void
print_json (GPtrArray *devices)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < devices->len; i++) {
    const VmctlInputDevice *device = g_ptr_array_index (devices, i);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "name", device->name);
    vmctl_json_add_string_or_null (builder, "path", device->path);
    vmctl_json_add_string_or_null (builder, "kind", vmctl_input_kind_to_string (device->kind));
    vmctl_json_add_string_or_null (builder, "event", device->event);
    json_builder_set_member_name (builder, "exists");
    json_builder_add_boolean_value (builder, device->exists);
    vmctl_json_add_string_or_null (builder, "usb_device", device->usb_device);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
print_human (GPtrArray *devices)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (5);

  if (devices->len == 0) {
    g_print ("No input event devices in /dev/input/by-id.\n");
    return;
  }
  vmctl_table_set_header (table, (const gchar *[]) { "KIND", "EXISTS", "EVENT", "USB", "PATH" });
  for (guint i = 0; i < devices->len; i++) {
    const VmctlInputDevice *device = g_ptr_array_index (devices, i);

    vmctl_table_add_row (table, (const gchar *[]) {
      vmctl_input_kind_to_string (device->kind), device->exists ? "yes" : "no",
      device->event != NULL ? device->event : "-",
      device->usb_device != NULL ? device->usb_device : "-", device->path
    });
  }
  vmctl_table_print (table);
}

gboolean
vmctl_cmd_input_list (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(GPtrArray) devices = NULL;

  if (!vmctl_invocation_start (invocation, NULL, input_list_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  devices = vmctl_session_input_list (context->session, error);
  if (devices == NULL)
    return FALSE;
  if (context->json)
    print_json (devices);
  else
    print_human (devices);
  return TRUE;
}
