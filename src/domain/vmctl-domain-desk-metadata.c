/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-desk-metadata.c: what issue 12 records in vmctl's
 * <metadata> (documented in xml-templates/README.md): the evdev devices,
 * the USB devices and whether each was named by port (start renews such
 * a device's address, info marks it), Looking Glass, the audio backend
 * and the large-BAR fix, inside <vmctl:spec>. */
#include "vmctl-domain-xml-private.h"

#include "vmctl-spec-desk.h"

static xmlNodePtr
add_element (xmlNodePtr parent, const gchar *name)
{
  /* the parent's vmctl namespace, declared once on <vmctl:vmctl> */
  return xmlNewChild (parent, parent->ns, (const xmlChar *) name, NULL);
}

static void
set (xmlNodePtr node, const gchar *attribute, const gchar *value)
{
  if (value != NULL)
    xmlSetProp (node, (const xmlChar *) attribute, (const xmlChar *) value);
}

static void
set_uint (xmlNodePtr node, const gchar *attribute, guint64 value)
{
  g_autofree gchar *text = vmctl_domain_format_uint (value);

  set (node, attribute, text);
}

static void
add_usb (xmlNodePtr spec_node, const VmctlSpecUsb *usb)
{
  xmlNodePtr node = add_element (spec_node, "usb");
  g_autofree gchar *vendor = g_strdup_printf ("%04x", usb->vendor_id);
  g_autofree gchar *product = g_strdup_printf ("%04x", usb->product_id);

  set (node, "vendor", vendor);
  set (node, "product", product);
  if (usb->selector.by_port) {
    g_autofree gchar *port = g_strdup_printf ("%u-%s", usb->selector.bus, usb->selector.port);

    set (node, "port", port);
  }
  if (usb->resolved) {
    set_uint (node, "bus", usb->bus);
    set_uint (node, "device", usb->devnum);
  }
}

/**
 * vmctl_domain_build_desk_metadata: (skip)
 */
gboolean
vmctl_domain_build_desk_metadata (VmctlDomainBuilder *builder, xmlNodePtr domain,
                                  const VmctlSpec *spec, GError **error)
{
  const VmctlSpecDesk *desk = spec->desk;
  xmlNodePtr spec_node = vmctl_domain_builder_find (builder, domain,
                                                    "metadata/vmctl:vmctl/vmctl:spec", error);
  xmlNodePtr node;

  if (spec_node == NULL)
    return FALSE;
  for (guint i = 0; i < desk->inputs->len; i++) {
    const VmctlSpecInput *input = g_ptr_array_index (desk->inputs, i);

    node = add_element (spec_node, "input");
    set (node, "path", input->path);
    set (node, "kind", vmctl_input_kind_to_string (input->kind));
    if (input->picked)
      set (node, "auto", "yes");
  }
  if (desk->inputs->len > 0 && desk->input_toggle != NULL) {
    node = add_element (spec_node, "input-toggle");
    set (node, "keys", desk->input_toggle);
  }
  for (guint i = 0; i < desk->usb->len; i++)
    add_usb (spec_node, g_ptr_array_index (desk->usb, i));
  if (desk->looking_glass_width > 0) {
    node = add_element (spec_node, "looking-glass");
    set_uint (node, "width", desk->looking_glass_width);
    set_uint (node, "height", desk->looking_glass_height);
    if (desk->looking_glass_hdr)
      set (node, "hdr", "yes");
    set_uint (node, "size-mib", desk->looking_glass_mib);
    set (node, "backend", desk->looking_glass_kvmfr ? "kvmfr" : "shm");
  }
  if (desk->audio != VMCTL_AUDIO_NONE && desk->audio != VMCTL_AUDIO_AUTO) {
    node = add_element (spec_node, "audio");
    set (node, "backend", vmctl_audio_backend_to_string (desk->audio));
    set (node, "runtime-dir", desk->audio_runtime_dir);
  }
  if (desk->maxphysaddr || desk->mmio64_mib > 0) {
    node = add_element (spec_node, "large-bars");
    set_uint (node, "window-bytes", desk->bar_window);
    set (node, "fix", desk->maxphysaddr ? "maxphysaddr" : "mmio64");
    if (desk->mmio64_mib > 0)
      set_uint (node, "mmio64-mib", desk->mmio64_mib);
  }
  return TRUE;
}
