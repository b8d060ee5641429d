/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-usb.h: the host's USB topology from sysfs (/sys/bus/usb/devices):
 * each bus (root hub) with the PCI controller it hangs off, and each
 * device with its vendor:product, bus, device number and port path, so a
 * user can pass one device by id or by port, or a whole controller. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

#define VMCTL_USB_ERROR (vmctl_usb_error_quark ())

typedef enum {
  VMCTL_USB_ERROR_INVALID,    /* not VENDOR:PRODUCT or BUS-PORT (exit 2) */
  VMCTL_USB_ERROR_NOT_FOUND,  /* no such device on the host (exit 2) */
  VMCTL_USB_ERROR_AMBIGUOUS,  /* several devices share the id: pick by port (exit 2) */
} VmctlUsbError;

GQuark vmctl_usb_error_quark (void);

#define VMCTL_USB_CLASS_HID     0x03
#define VMCTL_USB_CLASS_STORAGE 0x08
#define VMCTL_USB_CLASS_HUB     0x09

typedef struct {
  guint bus;
  gchar *port;                /* "2", "4.1": the devpath, hub ports from the root */
  gchar *name;                /* sysfs name, "BUS-PORT": "1-2", "1-4.1" */
  guint devnum;               /* changes at every replug */
  guint16 vendor_id;
  guint16 product_id;
  guint8 device_class;
  GArray *interface_classes;  /* guint8, one per interface of the active config */
  gchar *manufacturer;        /* NULL when the device gives none */
  gchar *product;
  VmctlPciAddress controller;
  gboolean has_controller;
} VmctlUsbDevice;

typedef struct {
  guint bus;
  guint ports;                /* the root hub's maxchild */
  gchar *speed;               /* Mb/s as sysfs says: "480", "5000", "10000" */
  VmctlPciAddress controller;
  gboolean has_controller;    /* FALSE for a virtual host controller (dummy_hcd...) */
} VmctlUsbBus;

typedef struct {
  GPtrArray *buses;           /* VmctlUsbBus*, by bus number */
  GPtrArray *devices;         /* VmctlUsbDevice*, by bus, then port */
} VmctlUsbTopology;

/* What the user gave: VENDOR:PRODUCT or BUS-PORT */
typedef struct {
  gboolean by_port;
  guint16 vendor_id;
  guint16 product_id;
  guint bus;
  gchar *port;
} VmctlUsbSelector;

VmctlUsbTopology *vmctl_usb_topology_read (VmctlHost *host, GError **error);
void vmctl_usb_topology_free (VmctlUsbTopology *topology);
const VmctlUsbDevice *vmctl_usb_topology_find (const VmctlUsbTopology *topology,
                                               const VmctlUsbSelector *selector,
                                               GError **error);
GPtrArray *vmctl_usb_topology_devices_of (const VmctlUsbTopology *topology,
                                          const VmctlPciAddress *controller);
gboolean vmctl_usb_device_has_class (const VmctlUsbDevice *device, guint8 class_code);
gchar *vmctl_usb_device_describe (const VmctlUsbDevice *device);

gboolean vmctl_usb_selector_parse (const gchar *text, VmctlUsbSelector *out_selector,
                                   GError **error);
void vmctl_usb_selector_clear (VmctlUsbSelector *selector);
gchar *vmctl_usb_selector_to_string (const VmctlUsbSelector *selector);
gboolean vmctl_usb_is_device_name (const gchar *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlUsbTopology, vmctl_usb_topology_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VmctlUsbSelector, vmctl_usb_selector_clear)

G_END_DECLS
