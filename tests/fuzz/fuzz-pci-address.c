/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-pci-address.c: PCI addresses as users type them (01:00.0,
 * 0000:01:00.0, pci_0000_01_00_0, any case) and the --gpu ADDR[,rom=PATH]
 * and --hostdev ADDR options around them. */
#include "vmctl-fuzz.h"
#include "vmctl-pci-address.h"
#include "vmctl-spec.h"

/* the longest address is 16 bytes; the rest is room for a ROM path */
#define HARNESS_MAX_INPUT 4096

/* Every spelling vmctl prints must read back as the same address. */
static void
assert_round_trip (const VmctlPciAddress *address)
{
  gchar canonical[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *nodedev = vmctl_pci_address_to_nodedev_name (address);
  VmctlPciAddress again = { 0 };

  vmctl_pci_address_format (address, canonical);
  g_assert_true (vmctl_pci_address_parse (canonical, &again, NULL));
  g_assert_true (vmctl_pci_address_equal (address, &again));
  g_assert_true (vmctl_pci_address_parse (nodedev, &again, NULL));
  g_assert_true (vmctl_pci_address_equal (address, &again));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, HARNESS_MAX_INPUT);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = NULL;
  VmctlPciAddress address = { 0 };

  if (text == NULL)
    return 0;
  if (vmctl_pci_address_parse (text, &address, &error)) {
    g_assert_cmpuint (address.slot, <=, 0x1f);
    g_assert_cmpuint (address.function, <=, 7);
    assert_round_trip (&address);
  } else {
    g_assert_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_INVALID_ADDRESS);
  }

  /* the same text as --gpu, then as --hostdev: the second is refused as
   * given twice whenever the first was accepted */
  spec = vmctl_spec_new ();
  if (vmctl_spec_add_gpu (spec, text, NULL))
    g_assert_false (vmctl_spec_add_hostdev (spec, text, NULL));
  else
    vmctl_spec_add_hostdev (spec, text, NULL);
  return 0;
}
