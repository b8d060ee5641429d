/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-desk.c: the domain XML of issue 12 from spec->desk: evdev
 * keyboards and mice, USB hostdevs, Looking Glass (IVSHMEM on /dev/shm
 * or /dev/kvmfr0, with virtio keyboard and mouse for its SPICE input),
 * the sound card and its audio backend, and the 64-bit MMIO room large
 * BARs need; plus vmctl's metadata of them. Each device goes where
 * libvirt itself puts it among <devices> (vmctl-domain-devices.c says
 * why the order matters). */
#include "vmctl-domain-xml-private.h"

#include "vmctl-spec-desk.h"

#include <string.h>

#define QEMU_NAMESPACE "http://libvirt.org/schemas/domain/qemu/1.0"

/* libvirt's order of <devices> children (virDomainDefFormatInternal) */
static const gchar * const device_order[] = {
  "emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard",
  "serial", "parallel", "console", "channel", "input", "tpm", "graphics", "sound", "audio",
  "video", "hostdev", "redirdev", "redirfilter", "hub", "watchdog", "memballoon", "rng",
  "nvram", "panic", "shmem", "memory", "iommu", "vsock", "crypto", NULL,
};

static gint
device_rank (const xmlChar *name)
{
  for (gint i = 0; device_order[i] != NULL; i++)
    if (xmlStrEqual (name, (const xmlChar *) device_order[i]))
      return i;
  return G_N_ELEMENTS (device_order);
}

/* Links @node under @devices after every child that comes before or
 * with it in libvirt's order. */
static xmlNodePtr
insert_device (xmlNodePtr devices, xmlNodePtr node)
{
  gint rank = device_rank (node->name);

  for (xmlNodePtr child = devices->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && device_rank (child->name) > rank)
      return xmlAddPrevSibling (child, node);
  return xmlAddChild (devices, node);
}

static xmlNodePtr
add_device (VmctlDomainBuilder *builder, xmlNodePtr devices, const gchar *file, GError **error)
{
  xmlNodePtr node = vmctl_domain_builder_fragment (builder, file, error);

  return node != NULL ? insert_device (devices, node) : NULL;
}

static gboolean
build_inputs (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlSpecDesk *desk,
              GError **error)
{
  for (guint i = 0; i < desk->inputs->len; i++) {
    const VmctlSpecInput *input = g_ptr_array_index (desk->inputs, i);
    xmlNodePtr node = add_device (builder, devices, "input-evdev.xml", error);
    xmlNodePtr source = node != NULL ? vmctl_domain_builder_find (builder, node, "source", error)
                                     : NULL;

    if (source == NULL || !vmctl_domain_builder_set (builder, source, "dev", input->path, error))
      return FALSE;
    if (input->kind != VMCTL_INPUT_KEYBOARD) {
      /* grab, repeat and the toggle are a keyboard's */
      xmlUnsetProp (source, (const xmlChar *) "grab");
      xmlUnsetProp (source, (const xmlChar *) "grabToggle");
      xmlUnsetProp (source, (const xmlChar *) "repeat");
    } else if (desk->input_toggle_unsupported) {
      xmlUnsetProp (source, (const xmlChar *) "grabToggle");
    } else if (!vmctl_domain_builder_set (builder, source, "grabToggle",
                                          desk->input_toggle != NULL
                                          ? desk->input_toggle : VMCTL_INPUT_TOGGLE_DEFAULT,
                                          error)) {
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
build_usb (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlSpecDesk *desk,
           GError **error)
{
  for (guint i = 0; i < desk->usb->len; i++) {
    const VmctlSpecUsb *usb = g_ptr_array_index (desk->usb, i);
    g_autofree gchar *vendor = g_strdup_printf ("0x%04x", usb->vendor_id);
    g_autofree gchar *product = g_strdup_printf ("0x%04x", usb->product_id);
    g_autofree gchar *bus = g_strdup_printf ("%u", usb->bus);
    g_autofree gchar *device = g_strdup_printf ("%u", usb->devnum);
    xmlNodePtr node = add_device (builder, devices, "hostdev-usb.xml", error);

    if (node == NULL
        || !vmctl_domain_builder_set_at (builder, node, "source/vendor", "id", vendor, error)
        || !vmctl_domain_builder_set_at (builder, node, "source/product", "id", product, error))
      return FALSE;
    /* by port: the device at that port now; libvirt checks both ids and
     * address, so of two identical devices the right one is taken */
    if (usb->selector.by_port && usb->resolved) {
      if (!vmctl_domain_builder_set_at (builder, node, "source/address", "bus", bus, error)
          || !vmctl_domain_builder_set_at (builder, node, "source/address", "device", device,
                                           error))
        return FALSE;
    } else if (!vmctl_domain_builder_remove (builder, node, "source/address", error)) {
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
build_audio (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlSpec *spec,
             GError **error)
{
  const VmctlSpecDesk *desk = spec->desk;
  g_autofree gchar *server = NULL;
  xmlNodePtr node;

  switch (desk->audio) {
  case VMCTL_AUDIO_PULSEAUDIO:
    node = add_device (builder, devices, "audio-pulseaudio.xml", error);
    server = desk->audio_runtime_dir != NULL
             ? g_build_filename (desk->audio_runtime_dir, "pulse", "native", NULL) : NULL;
    if (node == NULL || !vmctl_domain_builder_set_or_remove (builder, node, "serverName", server,
                                                             error))
      return FALSE;
    break;
  case VMCTL_AUDIO_PIPEWIRE:
    node = add_device (builder, devices, "audio-pipewire.xml", error);
    if (node == NULL || !vmctl_domain_builder_set_or_remove (builder, node, "runtimeDir",
                                                             desk->audio_runtime_dir, error))
      return FALSE;
    break;
  case VMCTL_AUDIO_JACK:
    node = add_device (builder, devices, "audio-jack.xml", error);
    if (node == NULL
        || !vmctl_domain_builder_set_at (builder, node, "input", "clientName", spec->name, error)
        || !vmctl_domain_builder_set_at (builder, node, "output", "clientName", spec->name,
                                         error))
      return FALSE;
    break;
  case VMCTL_AUDIO_SPICE:
    if (add_device (builder, devices, "audio-spice.xml", error) == NULL)
      return FALSE;
    break;
  case VMCTL_AUDIO_AUTO:
  case VMCTL_AUDIO_NONE:
  default:
    return TRUE;
  }
  return add_device (builder, devices, "sound-ich9.xml", error) != NULL;
}

/* Looking Glass's input goes through SPICE as a relative pointer: the
 * tablet a SPICE display brings would fight it */
static gboolean
build_looking_glass_input (VmctlDomainBuilder *builder, xmlNodePtr devices, GError **error)
{
  for (xmlNodePtr child = devices->children; child != NULL; child = child->next) {
    g_autofree xmlChar *type = NULL;

    if (child->type != XML_ELEMENT_NODE || !xmlStrEqual (child->name, (const xmlChar *) "input"))
      continue;
    type = xmlGetProp (child, (const xmlChar *) "type");
    if (xmlStrEqual (type, (const xmlChar *) "tablet")) {
      xmlUnlinkNode (child);
      xmlFreeNode (child);
      break;
    }
  }
  return add_device (builder, devices, "input-mouse-virtio.xml", error) != NULL
         && add_device (builder, devices, "input-keyboard-virtio.xml", error) != NULL;
}

static gboolean
add_arguments (VmctlDomainBuilder *builder, xmlNodePtr commandline, const gchar * const *words,
               GError **error)
{
  xmlNodePtr prototype = vmctl_domain_builder_find (builder, commandline,
                                                    "*[@prototype='yes']", error);

  for (guint i = 0; prototype != NULL && words[i] != NULL; i++) {
    xmlNodePtr node = vmctl_domain_builder_clone (builder, prototype, error);

    if (node == NULL || !vmctl_domain_builder_set (builder, node, "value", words[i], error))
      return FALSE;
  }
  return prototype != NULL;
}

/* What libvirt has no element for: IVSHMEM on /dev/kvmfr0 (Looking
 * Glass's documented arguments) and OVMF's 64-bit aperture */
static gboolean
build_commandline (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpecDesk *desk,
                   GError **error)
{
  xmlNodePtr commandline;

  if (!(desk->looking_glass_width > 0 && desk->looking_glass_kvmfr) && desk->mmio64_mib == 0)
    return TRUE;
  commandline = vmctl_domain_builder_append (builder, domain, "qemu-commandline.xml", error);
  if (commandline == NULL)
    return FALSE;
  if (desk->looking_glass_width > 0 && desk->looking_glass_kvmfr) {
    g_autofree gchar *object =
      g_strdup_printf ("{'qom-type':'memory-backend-file','id':'looking-glass','mem-path':'%s',"
                       "'size':%" G_GUINT64_FORMAT ",'share':true}", VMCTL_LOOKING_GLASS_KVMFR,
                       (guint64) desk->looking_glass_mib << 20);
    const gchar * const words[] = {
      "-device", "{'driver':'ivshmem-plain','id':'shmem0','memdev':'looking-glass'}",
      "-object", object, NULL,
    };

    if (!add_arguments (builder, commandline, words, error))
      return FALSE;
  }
  if (desk->mmio64_mib > 0) {
    g_autofree gchar *aperture =
      g_strdup_printf ("name=opt/ovmf/X-PciMmio64Mb,string=%" G_GUINT64_FORMAT, desk->mmio64_mib);
    const gchar * const words[] = { "-fw_cfg", aperture, NULL };

    if (!add_arguments (builder, commandline, words, error))
      return FALSE;
  }
  vmctl_domain_builder_remove_prototypes (builder, commandline);
  return TRUE;
}

static gboolean
build_looking_glass (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlSpecDesk *desk,
                     GError **error)
{
  g_autofree gchar *size = g_strdup_printf ("%u", desk->looking_glass_mib);
  xmlNodePtr node;

  if (desk->looking_glass_width == 0)
    return TRUE;
  if (!build_looking_glass_input (builder, devices, error))
    return FALSE;
  if (desk->looking_glass_kvmfr)
    return TRUE;
  node = add_device (builder, devices, "shmem-looking-glass.xml", error);
  node = node != NULL ? vmctl_domain_builder_find (builder, node, "size", error) : NULL;
  return node != NULL && vmctl_domain_builder_set_text (node, size, error);
}

/* <maxphysaddr> with <cpu>'s other children, before its features as
 * libvirt prints it */
static gboolean
build_maxphysaddr (VmctlDomainBuilder *builder, xmlNodePtr domain, GError **error)
{
  xmlNodePtr cpu = vmctl_domain_builder_find (builder, domain, "cpu", error);
  xmlNodePtr node = cpu != NULL ? vmctl_domain_builder_fragment (builder, "cpu-maxphysaddr.xml",
                                                                 error) : NULL;

  if (node == NULL)
    return FALSE;
  for (xmlNodePtr child = cpu->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE
        && (xmlStrEqual (child->name, (const xmlChar *) "feature")
            || xmlStrEqual (child->name, (const xmlChar *) "numa"))) {
      xmlAddPrevSibling (child, node);
      return TRUE;
    }
  xmlAddChild (cpu, node);
  return TRUE;
}

/**
 * vmctl_domain_build_desk: (skip)
 *
 * Adds what spec->desk asks for to the domain the other builders made.
 */
gboolean
vmctl_domain_build_desk (VmctlDomainBuilder *builder, const VmctlSpec *spec, GError **error)
{
  xmlNodePtr domain = xmlDocGetRootElement (builder->document);
  const VmctlSpecDesk *desk = spec->desk;
  xmlNodePtr devices;

  if (desk == NULL)
    return TRUE;
  devices = vmctl_domain_builder_find (builder, domain, "devices", error);
  if (devices == NULL
      || !build_inputs (builder, devices, desk, error)
      || !build_usb (builder, devices, desk, error)
      || !build_audio (builder, devices, spec, error)
      || !build_looking_glass (builder, devices, desk, error)
      || (desk->maxphysaddr && !build_maxphysaddr (builder, domain, error))
      || !build_commandline (builder, domain, desk, error))
    return FALSE;
  return vmctl_domain_build_desk_metadata (builder, domain, spec, error);
}
