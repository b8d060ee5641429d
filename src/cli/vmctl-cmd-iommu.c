/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-iommu.c: vmctl iommu list, every IOMMU group and its devices:
 * one library call (vmctl_session_iommu_list()), then the groups
 * printed. */
#include "vmctl-output.h"

#include "vmctl-session-gpu.h"

static const gchar iommu_list_description[] =
  "Lists the IOMMU groups in numeric order with every PCI function in them: its\n"
  "address, vendor:device ids, class, bound driver and name. The kernel gives a\n"
  "VM a whole group or nothing, so a GPU is easy to pass through when its group\n"
  "holds only the card's own functions and PCI bridges. With -c and a remote URI\n"
  "the list comes from libvirt's node devices.\n"
  "\n"
  "Examples:\n"
  "  vmctl iommu list\n"
  "  vmctl iommu list --json\n"
  "  vmctl -c qemu+ssh://root@gpu-host/system iommu list";

static void
add_device_json (JsonBuilder *builder, const VmctlPciDevice *device)
{
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *class_code = g_strdup_printf ("0x%06x", device->class_code);
  g_autofree gchar *vendor = g_strdup_printf ("0x%04x", device->vendor_id);
  g_autofree gchar *device_id = g_strdup_printf ("0x%04x", device->device_id);
  g_autofree gchar *description = vmctl_pci_device_describe (device);

  vmctl_pci_address_format (&device->address, address);
  json_builder_begin_object (builder);
  vmctl_json_add_string_or_null (builder, "address", address);
  vmctl_json_add_string_or_null (builder, "class", class_code);
  vmctl_json_add_string_or_null (builder, "vendor", vendor);
  vmctl_json_add_string_or_null (builder, "device", device_id);
  vmctl_json_add_string_or_null (builder, "driver", device->driver);
  vmctl_json_add_string_or_null (builder, "description", description);
  json_builder_end_object (builder);
}

static void
print_json (const VmctlInventory *inventory, GArray *group_ids)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "groups");
  json_builder_begin_array (builder);
  for (guint i = 0; i < group_ids->len; i++) {
    gint group = g_array_index (group_ids, gint, i);
    g_autoptr(GPtrArray) members = vmctl_inventory_group_members (inventory, group);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "id");
    json_builder_add_int_value (builder, group);
    json_builder_set_member_name (builder, "devices");
    json_builder_begin_array (builder);
    for (guint j = 0; j < members->len; j++)
      add_device_json (builder, g_ptr_array_index (members, j));
    json_builder_end_array (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
add_device_row (VmctlTable *table, const VmctlPciDevice *device)
{
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *ids = vmctl_output_ids (device);
  g_autofree gchar *class_name = vmctl_output_class (device);
  g_autofree gchar *description = vmctl_pci_device_describe (device);

  vmctl_pci_address_format (&device->address, address);
  vmctl_table_add_row (table, (const gchar *[]) {
    address, ids, class_name, vmctl_output_driver (device->driver), description
  });
}

static void
print_human (const VmctlInventory *inventory, GArray *group_ids)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (5);
  gboolean ungrouped = FALSE;

  vmctl_table_set_indent (table, 2);
  for (guint i = 0; i < group_ids->len; i++) {
    gint group = g_array_index (group_ids, gint, i);
    g_autoptr(GPtrArray) members = vmctl_inventory_group_members (inventory, group);
    g_autofree gchar *heading = g_strdup_printf ("IOMMU group %d", group);
    g_autofree gchar *styled = vmctl_output_style (VMCTL_STYLE_BOLD, heading);

    vmctl_table_add_heading (table, styled);
    for (guint j = 0; j < members->len; j++)
      add_device_row (table, g_ptr_array_index (members, j));
  }

  /* a device outside every group while others have one cannot be given to
   * a VM at all; show it rather than hide it */
  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (device->iommu_group != VMCTL_PCI_NO_GROUP)
      continue;
    if (!ungrouped) {
      g_autofree gchar *styled = vmctl_output_style (VMCTL_STYLE_BOLD, "No IOMMU group");

      vmctl_table_add_heading (table, styled);
      ungrouped = TRUE;
    }
    add_device_row (table, device);
  }
  vmctl_table_print (table);
}

gboolean
vmctl_cmd_iommu_list (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(GArray) group_ids = NULL;

  if (!vmctl_invocation_start (invocation, NULL, iommu_list_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  inventory = vmctl_session_iommu_list (context->session, error);
  if (inventory == NULL)
    return FALSE;

  group_ids = vmctl_inventory_group_ids (inventory);
  if (group_ids->len == 0) {
    /* still valid JSON for scripts, and a one-line reason on stderr */
    if (context->json)
      print_json (inventory, group_ids);
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "no IOMMU groups %s %s: the IOMMU is off (run 'vmctl host check' for the fix)",
                 inventory->source == VMCTL_INVENTORY_SOURCE_SYSFS ? "under host root" : "on",
                 inventory->origin);
    return FALSE;
  }

  if (context->json)
    print_json (inventory, group_ids);
  else
    print_human (inventory, group_ids);
  return TRUE;
}
