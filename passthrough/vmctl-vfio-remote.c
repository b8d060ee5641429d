/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-remote.c: node-device detach and reattach over any libvirt
 * connection, as transactions. Every libvirt call goes through the sym_
 * pointers (vmctl-libvirt.h). */
#include "vmctl-vfio-remote.h"
#include "vmctl-inventory-nodedev.h"
#include "vmctl-vfio.h"

#include <stdlib.h>

/* the node device of @address, NULL (libvirt's error kept) when missing */
static virNodeDevicePtr
lookup (virConnectPtr connection, const VmctlPciAddress *address, gchar **out_name)
{
  *out_name = vmctl_pci_address_to_nodedev_name (address);
  return sym_virNodeDeviceLookupByName (connection, *out_name);
}

/* the driver the node device reports, NULL when none or unknown */
static gchar *
driver_of (virNodeDevicePtr device)
{
  char *xml = sym_virNodeDeviceGetXMLDesc (device, 0);
  VmctlPciDevice *parsed;
  gchar *driver = NULL;

  if (xml == NULL) {
    sym_virResetLastError ();
    return NULL;
  }
  parsed = vmctl_pci_device_from_nodedev_xml (xml, NULL);
  free (xml);
  if (parsed != NULL)
    driver = g_strdup (parsed->driver);
  vmctl_pci_device_free (parsed);
  return driver;
}

/* libvirt's last error, one line, as VMCTL_VFIO_ERROR_REMOTE */
static void
set_remote_error (GError **error, const gchar *what, const gchar *name)
{
  g_autofree gchar *message = g_strdup (sym_virGetLastErrorMessage ());

  g_strdelimit (message, "\n", ' ');
  g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_REMOTE, "%s %s: %s", what, name,
               message);
  sym_virResetLastError ();
}

static void
record (GPtrArray *actions, const gchar *verb, const gchar *name)
{
  if (actions != NULL)
    g_ptr_array_add (actions, g_strdup_printf ("libvirt: %s %s", verb, name));
}

/* the reattach of one function, errors reset (undo must go on) */
static void
undo_one (virConnectPtr connection, const VmctlPciAddress *address, GPtrArray *actions)
{
  g_autofree gchar *name = NULL;
  virNodeDevicePtr device = lookup (connection, address, &name);

  record (actions, "reattach", name);
  if (device == NULL || sym_virNodeDeviceReAttach (device) < 0)
    sym_virResetLastError ();
  if (device != NULL)
    sym_virNodeDeviceFree (device);
}

gboolean
vmctl_vfio_remote_detach (virConnectPtr connection, const VmctlPciAddress *addresses, guint n,
                          GPtrArray *actions, gboolean dry_run, GError **error)
{
  g_autoptr(GArray) moved = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  gboolean ok = TRUE;

  for (guint i = 0; i < n && ok; i++) {
    g_autofree gchar *name = NULL;
    g_autofree gchar *driver = NULL;
    virNodeDevicePtr device = lookup (connection, &addresses[i], &name);

    if (device == NULL) {
      set_remote_error (error, "cannot detach", name);
      ok = FALSE;
      break;
    }
    driver = driver_of (device);
    if (g_strcmp0 (driver, "vfio-pci") != 0) {
      record (actions, "detach to vfio", name);
      if (!dry_run && sym_virNodeDeviceDetachFlags (device, "vfio", 0) < 0) {
        set_remote_error (error, "cannot detach", name);
        ok = FALSE;
      } else {
        g_array_append_val (moved, addresses[i]);
      }
    }
    sym_virNodeDeviceFree (device);
  }
  if (ok || dry_run)
    return ok;
  for (guint i = moved->len; i > 0; i--)
    undo_one (connection, &g_array_index (moved, VmctlPciAddress, i - 1), actions);
  return FALSE;
}

gboolean
vmctl_vfio_remote_reattach (virConnectPtr connection, const VmctlPciAddress *addresses, guint n,
                            GPtrArray *actions, gboolean dry_run, GError **error)
{
  gboolean ok = TRUE;

  for (guint i = n; i > 0; i--) {
    g_autofree gchar *name = NULL;
    g_autofree gchar *driver = NULL;
    virNodeDevicePtr device = lookup (connection, &addresses[i - 1], &name);

    if (device == NULL) {
      sym_virResetLastError ();
      continue;
    }
    driver = driver_of (device);
    if (g_strcmp0 (driver, "vfio-pci") == 0) {
      record (actions, "reattach", name);
      if (!dry_run && sym_virNodeDeviceReAttach (device) < 0) {
        if (ok)
          set_remote_error (error, "cannot give back", name);
        else
          sym_virResetLastError ();
        ok = FALSE;
      }
    }
    sym_virNodeDeviceFree (device);
  }
  return ok;
}
