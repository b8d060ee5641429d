/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-names.c: pci.ids lookups through libpci.
 *
 * libpci's stock error callback calls exit(), and the callback is declared
 * noreturn, so returning from a replacement is not allowed either. vmctl is a
 * library: every libpci call goes through a setjmp() guard and the callback
 * jumps back to it. After such a jump the names are simply not available.
 */
#include "vmctl-pci-names.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>

struct _VmctlPciNames {
  struct pci_access *access;
  gboolean broken;           /* libpci reported an error: no more calls */
};

/* the guard of the libpci call running on this thread: set before and
 * cleared after each call, on the calling thread only (libpci's callback
 * takes no user data), so no session ever sees another's */
static __thread jmp_buf *pci_guard;

static void
pci_message_ignore (char *format, ...)
{
  /* a missing pci.ids only costs names: the ids are printed instead */
}

static void G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
pci_error_jump (char *format, ...)
{
  va_list args;
  gchar *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("libpci: %s", message);
  g_free (message);
  if (pci_guard == NULL)
    g_error ("libpci error outside a guarded call: %s", format);
  longjmp (*pci_guard, 1);
}

/**
 * vmctl_pci_names_new:
 * @sysfs_bus_pci: (nullable): the host root's sys/bus/pci, so libpci never
 *   looks at the real /sys when vmctl runs against a fake root
 */
VmctlPciNames *
vmctl_pci_names_new (const gchar *sysfs_bus_pci)
{
  VmctlPciNames *names = g_new0 (VmctlPciNames, 1);
  g_autofree gchar *path = g_strdup (sysfs_bus_pci);
  jmp_buf guard;

  names->access = pci_alloc ();
  names->access->error = pci_error_jump;
  names->access->warning = pci_message_ignore;
  names->access->debug = pci_message_ignore;
  names->access->method = PCI_ACCESS_SYS_BUS_PCI;
  pci_guard = &guard;
  if (setjmp (guard) == 0) {
    /* libpci copies the value */
    if (path != NULL)
      pci_set_param (names->access, (char *) "sysfs.path", path);
    pci_init (names->access);
  } else {
    names->broken = TRUE;
  }
  pci_guard = NULL;
  return names;
}

void
vmctl_pci_names_free (VmctlPciNames *names)
{
  if (names == NULL)
    return;
  pci_cleanup (names->access);
  g_free (names);
}

/* No hwdb (network lookups are off unless asked for): pci.ids alone is
 * fast and the same on every host, which keeps output deterministic. */
#define LOOKUP_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

static gchar *
lookup (VmctlPciNames *names, int flags, int vendor_id, int device_id)
{
  char buffer[256];
  const char *volatile name = NULL;
  jmp_buf guard;

  if (names->broken)
    return NULL;
  pci_guard = &guard;
  if (setjmp (guard) == 0)
    name = pci_lookup_name (names->access, buffer, sizeof buffer, flags | LOOKUP_FLAGS,
                            vendor_id, device_id);
  else
    names->broken = TRUE;
  pci_guard = NULL;
  return name != NULL ? g_strdup (name) : NULL;
}

/**
 * vmctl_pci_names_vendor:
 * Returns: (transfer full) (nullable): the vendor's name, NULL when unknown
 */
gchar *
vmctl_pci_names_vendor (VmctlPciNames *names, guint16 vendor_id)
{
  return lookup (names, PCI_LOOKUP_VENDOR, vendor_id, 0);
}

/**
 * vmctl_pci_names_device:
 * Returns: (transfer full) (nullable): the device's name, NULL when unknown
 */
gchar *
vmctl_pci_names_device (VmctlPciNames *names, guint16 vendor_id, guint16 device_id)
{
  return lookup (names, PCI_LOOKUP_DEVICE, vendor_id, device_id);
}
