/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-address.c: parse what users type, print what sysfs names. */
#include "vmctl-pci-address.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-pci-error-quark, vmctl_pci_error)

static gint
hex_digit (gchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Reads exactly `digits` lowercase hex digits. */
static gboolean
read_hex (const gchar **cursor, guint digits, guint *out_value)
{
  guint value = 0;

  for (guint i = 0; i < digits; i++) {
    gint digit = hex_digit ((*cursor)[i]);

    if (digit < 0)
      return FALSE;
    value = value * 16 + (guint) digit;
  }
  *cursor += digits;
  *out_value = value;
  return TRUE;
}

static gboolean
expect (const gchar **cursor, gchar c)
{
  if (**cursor != c)
    return FALSE;
  (*cursor)++;
  return TRUE;
}

/**
 * vmctl_pci_address_parse:
 * @text: "01:00.0", "0000:01:00.0" or "pci_0000_01_00_0", any case
 * @out_address: (out): written only on success
 * @error: VMCTL_PCI_ERROR_INVALID_ADDRESS for anything else
 *
 * Every later path is built from the parsed numbers, never from @text, so
 * nothing a user types can reach the file system.
 *
 * Returns: TRUE with @out_address set, FALSE with @error
 */
gboolean
vmctl_pci_address_parse (const gchar *text, VmctlPciAddress *out_address, GError **error)
{
  g_autofree gchar *lower = NULL;
  const gchar *cursor;
  guint domain = 0, bus = 0, slot = 0, function = 0;
  gboolean ok;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_address != NULL, FALSE);

  lower = g_ascii_strdown (text, -1);
  cursor = lower;
  if (g_str_has_prefix (cursor, "pci_")) {
    cursor += 4;
    ok = read_hex (&cursor, 4, &domain) && expect (&cursor, '_')
         && read_hex (&cursor, 2, &bus) && expect (&cursor, '_')
         && read_hex (&cursor, 2, &slot) && expect (&cursor, '_')
         && read_hex (&cursor, 1, &function);
  } else {
    /* the domain is optional: "01:00.0" means domain 0000 */
    gsize length = strlen (cursor);

    if (length == 12)
      ok = read_hex (&cursor, 4, &domain) && expect (&cursor, ':');
    else
      ok = length == 7;
    ok = ok && read_hex (&cursor, 2, &bus) && expect (&cursor, ':')
         && read_hex (&cursor, 2, &slot) && expect (&cursor, '.')
         && read_hex (&cursor, 1, &function);
  }

  if (!ok || *cursor != '\0') {
    g_set_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_INVALID_ADDRESS,
                 "'%s' is not a PCI address (want BB:SS.F, DDDD:BB:SS.F or pci_DDDD_BB_SS_F)",
                 text);
    return FALSE;
  }
  if (slot > 0x1f || function > 7) {
    g_set_error (error, VMCTL_PCI_ERROR, VMCTL_PCI_ERROR_INVALID_ADDRESS,
                 "'%s' is not a PCI address (slot must be 00-1f, function 0-7)", text);
    return FALSE;
  }

  out_address->domain = (guint16) domain;
  out_address->bus = (guint8) bus;
  out_address->slot = (guint8) slot;
  out_address->function = (guint8) function;
  return TRUE;
}

void
vmctl_pci_address_format (const VmctlPciAddress *address, gchar buffer[VMCTL_PCI_ADDRESS_STRLEN])
{
  g_snprintf (buffer, VMCTL_PCI_ADDRESS_STRLEN, "%04x:%02x:%02x.%x",
              address->domain, address->bus, address->slot, address->function);
}

/**
 * vmctl_pci_address_to_string:
 * Returns: (transfer full): "DDDD:BB:SS.F", the spelling sysfs uses
 */
gchar *
vmctl_pci_address_to_string (const VmctlPciAddress *address)
{
  gchar buffer[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (address, buffer);
  return g_strdup (buffer);
}

/**
 * vmctl_pci_address_to_nodedev_name:
 * Returns: (transfer full): libvirt's node-device name, "pci_DDDD_BB_SS_F"
 */
gchar *
vmctl_pci_address_to_nodedev_name (const VmctlPciAddress *address)
{
  return g_strdup_printf ("pci_%04x_%02x_%02x_%x",
                          address->domain, address->bus, address->slot, address->function);
}

gint
vmctl_pci_address_compare (const VmctlPciAddress *a, const VmctlPciAddress *b)
{
  if (a->domain != b->domain)
    return a->domain < b->domain ? -1 : 1;
  if (a->bus != b->bus)
    return a->bus < b->bus ? -1 : 1;
  if (a->slot != b->slot)
    return a->slot < b->slot ? -1 : 1;
  if (a->function != b->function)
    return a->function < b->function ? -1 : 1;
  return 0;
}

gboolean
vmctl_pci_address_equal (const VmctlPciAddress *a, const VmctlPciAddress *b)
{
  return vmctl_pci_address_compare (a, b) == 0;
}

gboolean
vmctl_pci_address_same_slot (const VmctlPciAddress *a, const VmctlPciAddress *b)
{
  return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}
