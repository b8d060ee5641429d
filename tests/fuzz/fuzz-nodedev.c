/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-nodedev.c: libvirt node-device XML, which a remote host (any
 * libvirt URI) sends and vmctl turns into the inventory the verdict is
 * computed from. An input may hold several documents separated by form
 * feeds (not allowed in XML, so no document loses one), which makes
 * inventories of several devices, duplicates and dangling groups
 * included. */
#include "vmctl-fuzz.h"
#include "vmctl-inventory-nodedev.h"
#include "vmctl-verdict.h"

/* more devices than this add nothing a group of eight does not */
#define MAX_DOCUMENTS 8

static void
check_document (const gchar *xml)
{
  g_autoptr(VmctlPciDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *description = NULL;

  device = vmctl_pci_device_from_nodedev_xml (xml, &error);
  if (device == NULL) {
    g_assert_true (error->domain == VMCTL_NODEDEV_ERROR);
    return;
  }
  g_assert_cmpuint (device->address.slot, <=, 0x1f);
  g_assert_cmpuint (device->address.function, <=, 7);
  description = vmctl_pci_device_describe (device);
  g_assert_nonnull (description);
}

/* The verdict of every device: the pure function a remote host's XML
 * reaches without any check in between. */
static void
check_inventory (const gchar * const *documents)
{
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlQuirks) quirks = vmctl_quirks_new_empty ();
  g_autoptr(GArray) groups = NULL;

  inventory = vmctl_inventory_from_nodedev_xmls ("test:///fuzz", documents, NULL);
  if (inventory == NULL)
    return;
  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);
    g_autoptr(VmctlVerdict) verdict = NULL;
    g_autoptr(GError) error = NULL;

    verdict = vmctl_verdict_compute (inventory, &device->address, quirks, &error);
    g_assert_true (verdict != NULL || error != NULL);
  }
  groups = vmctl_inventory_group_ids (inventory);
  for (guint i = 0; i < groups->len; i++) {
    g_autoptr(GPtrArray) members =
      vmctl_inventory_group_members (inventory, g_array_index (groups, gint, i));

    g_assert_cmpuint (members->len, >, 0);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_auto(GStrv) documents = NULL;

  if (text == NULL)
    return 0;
  documents = g_strsplit (text, "\f", MAX_DOCUMENTS);
  for (guint i = 0; documents[i] != NULL; i++)
    check_document (documents[i]);
  check_inventory ((const gchar * const *) documents);
  return 0;
}
