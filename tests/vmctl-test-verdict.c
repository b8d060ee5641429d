/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-verdict.c: hand-built inventories and what a verdict says,
 * shared by the verdict test programs. */
#include "vmctl-test-verdict.h"

#include <string.h>

VmctlPciDevice *
vmctl_test_add_device (VmctlInventory *inventory, const gchar *address, gint header,
                       guint32 class_code, const gchar *driver, gint group)
{
  VmctlPciDevice *device = vmctl_pci_device_new ();

  g_assert_true (vmctl_pci_address_parse (address, &device->address, NULL));
  device->header_type = header;
  device->class_code = class_code;
  device->driver = g_strdup (driver);
  device->iommu_group = group;
  device->vendor_id = 0x10de;
  device->device_id = 0x2484;
  device->boot_vga = VMCTL_TRISTATE_NO;
  device->can_reset = VMCTL_TRISTATE_YES;
  vmctl_inventory_add (inventory, device);
  return device;
}

gchar *
vmctl_test_join_addresses (GArray *addresses)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++) {
    gchar buffer[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&g_array_index (addresses, VmctlPciAddress, i), buffer);
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "", buffer);
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
vmctl_test_assert_list (GArray *addresses, const gchar *expected)
{
  g_autofree gchar *actual = vmctl_test_join_addresses (addresses);

  g_assert_cmpstr (actual, ==, expected);
}

gboolean
vmctl_test_has_reason (const VmctlVerdict *verdict, const gchar *needle)
{
  for (guint i = 0; i < verdict->reasons->len; i++)
    if (strstr (g_ptr_array_index (verdict->reasons, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

VmctlVerdict *
vmctl_test_verdict (VmctlInventory *inventory, const gchar *text, const VmctlQuirks *quirks)
{
  g_autoptr(GError) error = NULL;
  VmctlPciAddress address;
  VmctlVerdict *verdict;

  vmctl_inventory_sort (inventory);
  g_assert_true (vmctl_pci_address_parse (text, &address, NULL));
  verdict = vmctl_verdict_compute (inventory, &address, quirks, &error);
  g_assert_no_error (error);
  g_assert_nonnull (verdict);
  return verdict;
}

