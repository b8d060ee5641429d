/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-pci-address.c: every spelling users type, and everything refused. */
#include "vmctl-pci-address.h"

#include <string.h>

typedef struct {
  const gchar *text;
  const gchar *canonical; /* NULL: must be refused */
} AddressCase;

static const AddressCase cases[] = {
  { "01:00.0", "0000:01:00.0" },
  { "0000:01:00.0", "0000:01:00.0" },
  { "pci_0000_01_00_0", "0000:01:00.0" },
  { "PCI_0000_0A_1F_7", "0000:0a:1f.7" },
  { "0A:00.1", "0000:0a:00.1" },
  { "ffff:ff:1f.7", "ffff:ff:1f.7" },
  { "0001:c1:00.3", "0001:c1:00.3" },
  { "", NULL },
  { "1:00.0", NULL },
  { "01:0.0", NULL },
  { "01:00", NULL },
  { "01:00.", NULL },
  { "0000:01:00.8", NULL },       /* function > 7 */
  { "01:20.0", NULL },            /* slot > 0x1f */
  { "01:00.0x", NULL },           /* trailing junk */
  { "01:00.0 ", NULL },
  { " 01:00.0", NULL },
  { "01:00.0\n", NULL },
  { "0000:01:00.0/..", NULL },
  { "../../etc", NULL },
  { "../00:00.0", NULL },
  { "0000:01:00.0/driver", NULL },
  { "000:01:00.0", NULL },
  { "00000:01:00.0", NULL },
  { "pci_0000_01_00", NULL },
  { "pci_0000_01_00_0_", NULL },
  { "pci_000_01_00_0", NULL },
  { "0x01:00.0", NULL },
  { "g1:00.0", NULL },
  { "01-00.0", NULL },
  { "01:00:0", NULL },
};

static void
test_cases (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    VmctlPciAddress address = { 0x1234, 0x56, 0x07, 0x3 };
    gboolean ok = vmctl_pci_address_parse (cases[i].text, &address, &error);

    g_test_message ("case '%s'", cases[i].text);
    if (cases[i].canonical != NULL) {
      g_autofree gchar *text = NULL;

      g_assert_no_error (error);
      g_assert_true (ok);
      text = vmctl_pci_address_to_string (&address);
      g_assert_cmpstr (text, ==, cases[i].canonical);
    } else {
      g_assert_false (ok);
      g_assert_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_INVALID_ADDRESS);
      /* refused input leaves the out-parameter alone */
      g_assert_cmpuint (address.domain, ==, 0x1234);
      g_assert_cmpuint (address.bus, ==, 0x56);
      g_assert_nonnull (strstr (error->message, "is not a PCI address"));
    }
  }
}

static void
test_names_and_order (void)
{
  VmctlPciAddress a, b, c;
  g_autofree gchar *nodedev = NULL;

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.1", &a, NULL));
  g_assert_true (vmctl_pci_address_parse ("01:00.0", &b, NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:02:00.0", &c, NULL));
  nodedev = vmctl_pci_address_to_nodedev_name (&a);
  g_assert_cmpstr (nodedev, ==, "pci_0000_01_00_1");
  g_assert_cmpint (vmctl_pci_address_compare (&b, &a), <, 0);
  g_assert_cmpint (vmctl_pci_address_compare (&c, &a), >, 0);
  g_assert_cmpint (vmctl_pci_address_compare (&a, &a), ==, 0);
  g_assert_true (vmctl_pci_address_same_slot (&a, &b));
  g_assert_false (vmctl_pci_address_same_slot (&a, &c));
  g_assert_false (vmctl_pci_address_equal (&a, &b));
}

/* parse(format(x)) == x over the whole range of a bus */
static void
test_round_trip (void)
{
  for (guint slot = 0; slot <= 0x1f; slot++)
    for (guint function = 0; function <= 7; function++) {
      VmctlPciAddress in = { 0x0001, 0xab, (guint8) slot, (guint8) function }, out;
      gchar text[VMCTL_PCI_ADDRESS_STRLEN];
      g_autofree gchar *nodedev = vmctl_pci_address_to_nodedev_name (&in);

      vmctl_pci_address_format (&in, text);
      g_assert_true (vmctl_pci_address_parse (text, &out, NULL));
      g_assert_true (vmctl_pci_address_equal (&in, &out));
      g_assert_true (vmctl_pci_address_parse (nodedev, &out, NULL));
      g_assert_true (vmctl_pci_address_equal (&in, &out));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/pci/address/cases", test_cases);
  g_test_add_func ("/vmctl/pci/address/names-and-order", test_names_and_order);
  g_test_add_func ("/vmctl/pci/address/round-trip", test_round_trip);
  return g_test_run ();
}
