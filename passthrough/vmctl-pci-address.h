/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-address.h: PCI addresses as the user types them and as sysfs
 * names them. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * vmctl_pci_error_quark:
 *
 * The domain of vmctl_pci_address_parse()'s errors (VMCTL_PCI_ERROR).
 *
 * Returns: the quark
 */
#define VMCTL_PCI_ERROR (vmctl_pci_error_quark ())

typedef enum {
  VMCTL_PCI_ERROR_INVALID_ADDRESS, /* not DDDD:BB:SS.F or an accepted short form */
  VMCTL_PCI_ERROR_NOT_FOUND,       /* absent under the host root or inventory */
  VMCTL_PCI_ERROR_UNREADABLE,      /* an attribute is missing, empty or garbled */
} VmctlPciError;

GQuark vmctl_pci_error_quark (void);

typedef struct {
  guint16 domain;
  guint8 bus;
  guint8 slot;     /* 0..0x1f */
  guint8 function; /* 0..7 */
} VmctlPciAddress;

/* "0000:01:00.0" plus the terminating NUL */
#define VMCTL_PCI_ADDRESS_STRLEN 13

gboolean vmctl_pci_address_parse (const gchar *text,
                                  VmctlPciAddress *out_address,
                                  GError **error);
/**
 * vmctl_pci_address_format:
 * @address: a PCI address
 * @buffer: (out caller-allocates): VMCTL_PCI_ADDRESS_STRLEN bytes
 *
 * Writes "DDDD:BB:SS.F" without allocating.
 */
void vmctl_pci_address_format (const VmctlPciAddress *address,
                               gchar buffer[VMCTL_PCI_ADDRESS_STRLEN]);
gchar *vmctl_pci_address_to_string (const VmctlPciAddress *address);
gchar *vmctl_pci_address_to_nodedev_name (const VmctlPciAddress *address);
/**
 * vmctl_pci_address_compare:
 * @a: a PCI address
 * @b: another
 *
 * Returns: negative, 0 or positive as @a sorts before, with or after @b
 *   (domain, bus, slot, function)
 */
gint vmctl_pci_address_compare (const VmctlPciAddress *a, const VmctlPciAddress *b);
/**
 * vmctl_pci_address_equal:
 * @a: a PCI address
 * @b: another
 *
 * Returns: whether they name the same function
 */
gboolean vmctl_pci_address_equal (const VmctlPciAddress *a, const VmctlPciAddress *b);
/**
 * vmctl_pci_address_same_slot:
 * @a: a PCI address
 * @b: another
 *
 * Returns: whether they are functions of one device (same domain, bus and
 *   slot), like a GPU and its HDMI audio
 */
gboolean vmctl_pci_address_same_slot (const VmctlPciAddress *a, const VmctlPciAddress *b);

G_END_DECLS
