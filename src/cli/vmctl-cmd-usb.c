/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-usb.c: vmctl usb list, the host's USB controllers with their
 * verdict and the devices behind each. */
#include "vmctl-output.h"

#include "vmctl-session-desk.h"

static const gchar usb_list_description[] =
  "Lists every USB controller of the host with the verdict of the same\n"
  "isolation rule as gpu check (its IOMMU group, what shares it, whether it is\n"
  "host-critical or the host uses it), the host keyboards behind it, its buses\n"
  "and the devices on each port. Pass a whole controller (every port, replug\n"
  "included) with 'vmctl create --hostdev ADDR', or single devices with\n"
  "'--usb VENDOR:PRODUCT' or '--usb BUS-PORT'. By port tells two identical\n"
  "devices apart; libvirt finds the device by its bus and device number, which\n"
  "a replug changes, so vmctl start renews them from the port.\n"
  "\n"
  "Examples:\n"
  "  vmctl usb list\n"
  "  vmctl usb list --json";

static const gchar *
verdict_word (const VmctlVerdict *verdict)
{
  if (verdict->iommu_group == VMCTL_PCI_NO_GROUP)
    return "no IOMMU";
  if (verdict->host_critical->len > 0)
    return "host-critical";
  if (verdict->blockers->len > 0)
    return "blocked";
  if (!verdict->passable)
    return "in use by the host";
  return "passable";
}

/* "HID", "mass storage", "hub", "vendor" from the interface classes */
static gchar *
device_kinds (const VmctlUsbDevice *device)
{
  static const struct {
    guint8 class_code;
    const gchar *name;
  } names[] = {
    { 0x01, "audio" }, { 0x02, "communications" }, { 0x03, "HID" }, { 0x06, "imaging" },
    { 0x07, "printer" }, { 0x08, "mass storage" }, { 0x09, "hub" }, { 0x0a, "CDC data" },
    { 0x0e, "video" }, { 0xe0, "wireless" }, { 0xef, "misc" }, { 0xff, "vendor" },
  };
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (vmctl_usb_device_has_class (device, names[i].class_code))
      g_ptr_array_add (kinds, (gpointer) names[i].name);
  if (kinds->len == 0)
    return g_strdup ("-");
  g_ptr_array_add (kinds, NULL);
  return g_strjoinv (",", (gchar **) kinds->pdata);
}

static void
add_controller_json (JsonBuilder *builder, const VmctlUsbController *controller)
{
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&controller->address, address);
  json_builder_begin_object (builder);
  vmctl_json_add_string_or_null (builder, "address", address);
  vmctl_json_add_string_or_null (builder, "description", controller->description);
  vmctl_json_add_string_or_null (builder, "driver", controller->driver);
  json_builder_set_member_name (builder, "iommu_group");
  if (controller->verdict->iommu_group == VMCTL_PCI_NO_GROUP)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, controller->verdict->iommu_group);
  json_builder_set_member_name (builder, "passable");
  json_builder_add_boolean_value (builder, controller->verdict->passable);
  vmctl_json_add_string_or_null (builder, "verdict", verdict_word (controller->verdict));
  json_builder_set_member_name (builder, "host_critical");
  json_builder_add_boolean_value (builder, controller->verdict->host_critical->len > 0);
  vmctl_json_add_string_array (builder, "keyboards", controller->keyboards);
  vmctl_json_add_string_array (builder, "reasons", controller->verdict->reasons);
  json_builder_set_member_name (builder, "buses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < controller->buses->len; i++) {
    const VmctlUsbBus *bus = g_ptr_array_index (controller->buses, i);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "bus");
    json_builder_add_int_value (builder, bus->bus);
    vmctl_json_add_string_or_null (builder, "speed", bus->speed);
    json_builder_set_member_name (builder, "ports");
    json_builder_add_int_value (builder, bus->ports);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < controller->devices->len; i++) {
    const VmctlUsbDevice *device = g_ptr_array_index (controller->devices, i);
    g_autofree gchar *ids = g_strdup_printf ("%04x:%04x", device->vendor_id, device->product_id);
    g_autofree gchar *description = vmctl_usb_device_describe (device);
    g_autofree gchar *kinds = device_kinds (device);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "port", device->name);
    vmctl_json_add_string_or_null (builder, "id", ids);
    json_builder_set_member_name (builder, "bus");
    json_builder_add_int_value (builder, device->bus);
    json_builder_set_member_name (builder, "device");
    json_builder_add_int_value (builder, device->devnum);
    vmctl_json_add_string_or_null (builder, "class", kinds);
    vmctl_json_add_string_or_null (builder, "description", description);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_controller (const VmctlUsbController *controller)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (4);
  g_autoptr(GString) buses = g_string_new (NULL);
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *group = NULL;

  vmctl_pci_address_format (&controller->address, address);
  if (controller->verdict->iommu_group != VMCTL_PCI_NO_GROUP)
    group = g_strdup_printf ("IOMMU group %d", controller->verdict->iommu_group);
  g_print ("%s  %s\n", address, controller->description);
  g_print ("  driver %s, %s: %s\n", vmctl_output_driver (controller->driver),
           group != NULL ? group : "no IOMMU group", verdict_word (controller->verdict));
  for (guint i = 0; i < controller->buses->len; i++) {
    const VmctlUsbBus *bus = g_ptr_array_index (controller->buses, i);

    g_string_append_printf (buses, "%sbus %u (%s Mb/s, %u ports)", i > 0 ? ", " : "", bus->bus,
                            bus->speed != NULL ? bus->speed : "?", bus->ports);
  }
  if (buses->len > 0)
    g_print ("  %s\n", buses->str);
  if (controller->devices->len > 0) {
    vmctl_table_set_indent (table, 2);
    vmctl_table_set_header (table, (const gchar *[]) { "PORT", "ID", "CLASS", "DEVICE" });
    for (guint i = 0; i < controller->devices->len; i++) {
      const VmctlUsbDevice *device = g_ptr_array_index (controller->devices, i);
      g_autofree gchar *ids = g_strdup_printf ("%04x:%04x", device->vendor_id,
                                               device->product_id);
      g_autofree gchar *kinds = device_kinds (device);
      g_autofree gchar *description = vmctl_usb_device_describe (device);

      vmctl_table_add_row (table, (const gchar *[]) { device->name, ids, kinds, description });
    }
    vmctl_table_print (table);
  } else {
    g_print ("  no devices\n");
  }
  for (guint i = 0; i < controller->verdict->reasons->len; i++)
    g_print ("  - %s\n", (const gchar *) g_ptr_array_index (controller->verdict->reasons, i));
}

gboolean
vmctl_cmd_usb_list (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlUsbReport) report = NULL;

  if (!vmctl_invocation_start (invocation, NULL, usb_list_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  report = vmctl_session_usb_list (context->session, error);
  if (report == NULL)
    return FALSE;
  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "controllers");
    json_builder_begin_array (builder);
    for (guint i = 0; i < report->controllers->len; i++)
      add_controller_json (builder, g_ptr_array_index (report->controllers, i));
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
    return TRUE;
  }
  if (report->controllers->len == 0)
    g_print ("No USB controllers.\n");
  for (guint i = 0; i < report->controllers->len; i++) {
    if (i > 0)
      g_print ("\n");
    print_controller (g_ptr_array_index (report->controllers, i));
  }
  return TRUE;
}
