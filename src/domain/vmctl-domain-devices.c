/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-devices.c: <devices>, in the order libvirt itself prints
 * them (disks, controllers, interfaces, inputs, TPM, graphics, video,
 * hostdevs, balloon, RNG), so the XML libvirt gives back after define
 * lists vmctl's devices in the order vmctl wrote them. Controllers, the
 * emulator and USB/SATA buses are left to libvirt, which adds them. */
#include "vmctl-domain-xml-private.h"

static gchar *
format_hex (guint value, gint digits)
{
  return g_strdup_printf ("0x%0*x", digits, value);
}

static gboolean
build_disk (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlDomainDisk *disk,
            const VmctlDomainLayout *layout, GError **error)
{
  static const gchar * const templates[] = {
    [VMCTL_DOMAIN_DISK_FILE] = "disk-file.xml",
    [VMCTL_DOMAIN_DISK_BLOCK] = "disk-block.xml",
    [VMCTL_DOMAIN_DISK_VOLUME] = "disk-volume.xml",
  };
  xmlNodePtr node = vmctl_domain_builder_append (builder, devices, templates[disk->kind], error);

  if (node == NULL
      || !vmctl_domain_builder_set_at (builder, node, "driver", "type", disk->format, error)
      || !vmctl_domain_builder_set_at (builder, node, "target", "dev", disk->target, error)
      || !vmctl_domain_builder_set_at (builder, node, "target", "bus", layout->disk_bus, error))
    return FALSE;
  if (!layout->iothread
      && !vmctl_domain_builder_remove (builder, node, "driver/@iothread", error))
    return FALSE;
  switch (disk->kind) {
  case VMCTL_DOMAIN_DISK_FILE:
    return vmctl_domain_builder_set_at (builder, node, "source", "file", disk->disk->path, error);
  case VMCTL_DOMAIN_DISK_BLOCK:
    return vmctl_domain_builder_set_at (builder, node, "source", "dev", disk->disk->path, error);
  case VMCTL_DOMAIN_DISK_VOLUME:
  default:
    return vmctl_domain_builder_set_at (builder, node, "source", "pool",
                                        disk->disk->pool != NULL ? disk->disk->pool : "default",
                                        error)
           && vmctl_domain_builder_set_at (builder, node, "source", "volume", disk->volume, error);
  }
}

static gboolean
build_disks (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlSpec *spec,
             const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr node;

  for (guint i = 0; i < layout->disks->len; i++)
    if (!build_disk (builder, devices, &g_array_index (layout->disks, VmctlDomainDisk, i),
                     layout, error))
      return FALSE;
  if (spec->cdrom == NULL)
    return TRUE;
  node = vmctl_domain_builder_append (builder, devices, "cdrom.xml", error);
  return node != NULL
         && vmctl_domain_builder_set_at (builder, node, "source", "file", spec->cdrom, error)
         && vmctl_domain_builder_set_at (builder, node, "target", "dev", layout->cdrom_target, error);
}

static gboolean
build_root_ports (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlDomainLayout *layout,
                  GError **error)
{
  for (guint i = 0; i < layout->root_ports->len; i++) {
    g_autofree gchar *index = g_strdup_printf ("%u", g_array_index (layout->root_ports, guint, i));
    xmlNodePtr node = vmctl_domain_builder_append (builder, devices,
                                                   "controller-pcie-root-port.xml", error);

    if (node == NULL || !vmctl_domain_builder_set (builder, node, "index", index, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
build_interface (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlSpec *spec,
                 const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr node;

  switch (spec->network) {
  case VMCTL_NETWORK_NONE:
    return TRUE;
  case VMCTL_NETWORK_BRIDGE:
    node = vmctl_domain_builder_append (builder, devices, "interface-bridge.xml", error);
    if (node == NULL
        || !vmctl_domain_builder_set_at (builder, node, "source", "bridge", spec->bridge, error))
      return FALSE;
    break;
  case VMCTL_NETWORK_DEFAULT:
  default:
    node = vmctl_domain_builder_append (builder, devices, "interface-network.xml", error);
    /* libvirt's NAT network every distribution package defines */
    if (node == NULL
        || !vmctl_domain_builder_set_at (builder, node, "source", "network", "default", error))
      return FALSE;
    break;
  }
  return vmctl_domain_builder_set_at (builder, node, "model", "type", layout->nic_model, error);
}

static gboolean
build_hostdevs (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlDomainLayout *layout,
                GError **error)
{
  for (guint i = 0; i < layout->hostdevs->len; i++) {
    const VmctlDomainHostdev *hostdev = &g_array_index (layout->hostdevs, VmctlDomainHostdev, i);
    const VmctlPciAddress *host = &hostdev->function->address;
    g_autofree gchar *domain = format_hex (host->domain, 4);
    g_autofree gchar *bus = format_hex (host->bus, 2);
    g_autofree gchar *slot = format_hex (host->slot, 2);
    g_autofree gchar *function = format_hex (host->function, 1);
    g_autofree gchar *guest_bus = format_hex (hostdev->guest_bus, 2);
    g_autofree gchar *guest_slot = format_hex (hostdev->guest_slot, 2);
    g_autofree gchar *guest_function = format_hex (hostdev->guest_function, 1);
    xmlNodePtr node = vmctl_domain_builder_append (builder, devices, "hostdev-pci.xml", error);
    xmlNodePtr source;
    xmlNodePtr guest;

    if (node == NULL)
      return FALSE;
    source = vmctl_domain_builder_find (builder, node, "source/address", error);
    guest = source != NULL ? vmctl_domain_builder_find (builder, node, "address", error) : NULL;
    if (guest == NULL
        || !vmctl_domain_builder_set (builder, source, "domain", domain, error)
        || !vmctl_domain_builder_set (builder, source, "bus", bus, error)
        || !vmctl_domain_builder_set (builder, source, "slot", slot, error)
        || !vmctl_domain_builder_set (builder, source, "function", function, error)
        || !vmctl_domain_builder_set (builder, guest, "bus", guest_bus, error)
        || !vmctl_domain_builder_set (builder, guest, "slot", guest_slot, error)
        || !vmctl_domain_builder_set (builder, guest, "function", guest_function, error))
      return FALSE;
    if (!hostdev->multifunction
        && !vmctl_domain_builder_remove (builder, node, "address/@multifunction", error))
      return FALSE;
    if (hostdev->rom_path != NULL) {
      if (!vmctl_domain_builder_set_at (builder, node, "rom", "file", hostdev->rom_path, error))
        return FALSE;
    } else if (!vmctl_domain_builder_remove (builder, node, "rom", error)) {
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vmctl_domain_build_devices: (skip)
 *
 * Fills the skeleton's <devices> from @spec and @layout.
 */
gboolean
vmctl_domain_build_devices (VmctlDomainBuilder *builder, const VmctlSpec *spec,
                            const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr domain = xmlDocGetRootElement (builder->document);
  xmlNodePtr devices = vmctl_domain_builder_find (builder, domain, "devices", error);
  const gchar *graphics = NULL;

  if (devices == NULL
      || !build_disks (builder, devices, spec, layout, error)
      || !build_root_ports (builder, devices, layout, error)
      || !build_interface (builder, devices, spec, layout, error))
    return FALSE;
  if (spec->graphics == VMCTL_GRAPHICS_SPICE)
    graphics = "graphics-spice.xml";
  else if (spec->graphics == VMCTL_GRAPHICS_VNC)
    graphics = "graphics-vnc.xml";
  /* libvirt's order: channel, input, tpm, graphics, video */
  if (spec->graphics == VMCTL_GRAPHICS_SPICE
      && vmctl_domain_builder_append (builder, devices, "channel-spice.xml", error) == NULL)
    return FALSE;
  if (graphics != NULL
      && vmctl_domain_builder_append (builder, devices, "input-tablet.xml", error) == NULL)
    return FALSE;
  if (spec->tpm && vmctl_domain_builder_append (builder, devices, "tpm-emulated.xml", error) == NULL)
    return FALSE;
  if (graphics != NULL && vmctl_domain_builder_append (builder, devices, graphics, error) == NULL)
    return FALSE;
  if (vmctl_domain_builder_append (builder, devices,
                                   spec->emulated_video ? "video-virtio.xml" : "video-none.xml",
                                   error) == NULL
      || !build_hostdevs (builder, devices, layout, error)
      || vmctl_domain_builder_append (builder, devices,
                                      layout->balloon ? "memballoon-virtio.xml"
                                                      : "memballoon-none.xml", error) == NULL
      || vmctl_domain_builder_append (builder, devices, "rng-virtio.xml", error) == NULL)
    return FALSE;
  return TRUE;
}
