/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-usb.c: vmctl input list and vmctl usb list. Both read the
 * host's files (sysfs, /dev/input/by-id): libvirt's node devices carry
 * neither the port paths nor the event devices, so a remote URI without a
 * host root is refused with the way to ask that host. */
#include "vmctl-session-desk.h"

#include "vmctl-error.h"

static gboolean
require_local (VmctlSession *session, const gchar *command, GError **error)
{
  if (!vmctl_session_uses_nodedev (session))
    return TRUE;
  g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT,
               "%s reads the host's sysfs and /dev/input, which libvirt does not report for "
               "%s: run it on that host (or give --host-root with a copy of its files)",
               command, vmctl_session_get_uri (session));
  return FALSE;
}

/**
 * vmctl_session_input_list:
 * @error: VMCTL_ERROR_INVALID_INPUT on a remote host, VMCTL_ERROR_FAILED
 *   when /dev/input/by-id cannot be read
 *
 * Returns: (transfer full) (element-type VmctlInputDevice): the host's
 *   event devices in /dev/input/by-id, keyboards first
 */
GPtrArray *
vmctl_session_input_list (VmctlSession *session, GError **error)
{
  GPtrArray *devices;

  g_return_val_if_fail (session != NULL, NULL);
  if (!require_local (session, "input list", error))
    return NULL;
  devices = vmctl_input_list (vmctl_session_get_host (session), error);
  vmctl_error_convert (error);
  return devices;
}

static void
controller_free (VmctlUsbController *controller)
{
  g_free (controller->description);
  g_free (controller->driver);
  g_clear_pointer (&controller->verdict, vmctl_verdict_free);
  g_clear_pointer (&controller->keyboards, g_ptr_array_unref);
  g_clear_pointer (&controller->buses, g_ptr_array_unref);
  g_clear_pointer (&controller->devices, g_ptr_array_unref);
  g_free (controller);
}

void
vmctl_usb_report_free (VmctlUsbReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->controllers, g_ptr_array_unref);
  g_clear_pointer (&report->topology, vmctl_usb_topology_free);
  g_clear_pointer (&report->inputs, g_ptr_array_unref);
  g_free (report);
}

/* PCI class 0x0c03: UHCI, OHCI, EHCI, xHCI and USB device controllers */
static gboolean
is_usb_controller (const VmctlPciDevice *device)
{
  return (device->class_code >> 8) == 0x0c03;
}

static VmctlUsbController *
controller_new (const VmctlUsbReport *report, const VmctlPciDevice *device)
{
  VmctlUsbController *controller = g_new0 (VmctlUsbController, 1);

  controller->address = device->address;
  controller->description = vmctl_pci_device_describe (device);
  controller->driver = g_strdup (device->driver);
  controller->keyboards = g_ptr_array_new_with_free_func (g_free);
  controller->buses = g_ptr_array_new ();
  controller->devices = vmctl_usb_topology_devices_of (report->topology, &device->address);
  for (guint i = 0; i < report->topology->buses->len; i++) {
    VmctlUsbBus *bus = g_ptr_array_index (report->topology->buses, i);

    if (bus->has_controller && vmctl_pci_address_equal (&bus->controller, &device->address))
      g_ptr_array_add (controller->buses, bus);
  }
  /* the host's own keyboard behind it: passing the controller takes it */
  for (guint i = 0; i < report->inputs->len; i++) {
    const VmctlInputDevice *input = g_ptr_array_index (report->inputs, i);

    if (input->kind != VMCTL_INPUT_KEYBOARD || input->usb_device == NULL)
      continue;
    for (guint j = 0; j < controller->devices->len; j++) {
      const VmctlUsbDevice *usb = g_ptr_array_index (controller->devices, j);

      if (g_strcmp0 (usb->name, input->usb_device) == 0)
        g_ptr_array_add (controller->keyboards, g_strdup (input->name));
    }
  }
  return controller;
}

/**
 * vmctl_session_usb_list:
 * @error: VMCTL_ERROR_INVALID_INPUT on a remote host; the inventory's and
 *   the quirk list's errors
 *
 * Every USB controller of the host with the verdict of the same isolation
 * rule as gpu check (its group, what would go along, the host's use of it:
 * a mounted disk below it), the host keyboards behind it, and its buses
 * and devices; so the user can pass a whole controller with --hostdev or
 * single devices with --usb.
 */
VmctlUsbReport *
vmctl_session_usb_list (VmctlSession *session, GError **error)
{
  g_autoptr(VmctlUsbReport) report = g_new0 (VmctlUsbReport, 1);
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  VmctlHost *host;

  g_return_val_if_fail (session != NULL, NULL);
  report->controllers = g_ptr_array_new_with_free_func ((GDestroyNotify) controller_free);
  if (!require_local (session, "usb list", error))
    return NULL;
  host = vmctl_session_get_host (session);
  inventory = vmctl_session_load_inventory (session, VMCTL_INVENTORY_NAMES, error);
  quirks = inventory != NULL ? vmctl_session_load_quirks (session, error) : NULL;
  report->topology = quirks != NULL ? vmctl_usb_topology_read (host, error) : NULL;
  report->inputs = report->topology != NULL ? vmctl_input_list (host, error) : NULL;
  if (report->inputs == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (is_usb_controller (device))
      g_array_append_val (addresses, device->address);
  }
  vmctl_session_load_host_use (session, inventory, (const VmctlPciAddress *) addresses->data,
                               addresses->len);
  for (guint i = 0; i < addresses->len; i++) {
    const VmctlPciAddress *address = &g_array_index (addresses, VmctlPciAddress, i);
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);
    VmctlUsbController *controller = controller_new (report, device);

    controller->verdict = vmctl_verdict_compute (inventory, address, quirks, error);
    if (controller->verdict == NULL) {
      controller_free (controller);
      vmctl_error_convert (error);
      return NULL;
    }
    for (guint j = 0; j < controller->keyboards->len; j++)
      g_ptr_array_add (controller->verdict->reasons,
                       g_strdup_printf ("the host's keyboard %s is behind it: passing the "
                                        "controller takes it from the host (pass single "
                                        "devices with --usb instead)",
                                        (const gchar *) g_ptr_array_index (controller->keyboards, j)));
    g_ptr_array_add (report->controllers, controller);
  }
  return g_steal_pointer (&report);
}
