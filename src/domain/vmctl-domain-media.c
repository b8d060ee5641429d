/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-media.c: how the VM is reached and installed (issue 11):
 * every cdrom in the order given, each disk on its own bus, the
 * per-device boot order, direct kernel boot, and the serial console with
 * its log. The decisions are made with the rest of the layout
 * (vmctl_domain_media_resolve()); the XML is written after the other
 * builders (vmctl_domain_build_media()), from templates like theirs. */
#include "vmctl-domain-xml-private.h"

#include <string.h>

#include "vmctl-os.h"
#include "vmctl-spec-media.h"

typedef struct {
  gchar *path;
  gchar *target;              /* "sdc" */
  const gchar *bus;           /* "sata" on q35, "ide" on pc */
  guint boot_order;           /* 0: never booted (a driver ISO, or left out of --boot) */
  gboolean drivers;
} MediaCdrom;

typedef struct _VmctlDomainMedia {
  GArray *cdroms;             /* MediaCdrom, spec->cdrom first */
  guint interface_boot_order; /* 0: the NIC is no boot device */
  gchar *boot;                /* the order as --boot spells it, for the metadata */
  gchar *serial_log;          /* NULL: no <log> (a path vmctl cannot know) */
  gboolean scsi_controller;   /* a disk is on bus=scsi */
} VmctlDomainMedia;

/* the elements libvirt prints after the consoles in <devices> */
static const gchar * const after_consoles[] = {
  "channel", "input", "tpm", "graphics", "sound", "audio", "video", "hostdev", "redirdev",
  "watchdog", "memballoon", "rng", "shmem", NULL,
};

static void
media_cdrom_clear (MediaCdrom *cdrom)
{
  g_clear_pointer (&cdrom->path, g_free);
  g_clear_pointer (&cdrom->target, g_free);
}

void
vmctl_domain_media_free (VmctlDomainMedia *media)
{
  if (media == NULL)
    return;
  g_clear_pointer (&media->cdroms, g_array_unref);
  g_free (media->boot);
  g_free (media->serial_log);
  g_free (media);
}

static gboolean
machine_is_pc (const gchar *machine)
{
  return g_strcmp0 (machine, "pc") == 0 || g_str_has_prefix (machine, "pc-i440fx-");
}

/* The next free name of @bus's kind: sata and scsi share "sd". */
static gchar *
next_name (GHashTable *used, const gchar *bus)
{
  const gchar *prefix = vmctl_domain_layout_disk_prefix (bus);
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (used, prefix));

  g_hash_table_insert (used, (gpointer) prefix, GUINT_TO_POINTER (index + 1));
  return vmctl_domain_layout_disk_name (bus, index);
}

/* libvirt's own log directory of the QEMU driver the URI names: the
 * system daemon's, or the session daemon's under the user's cache, which
 * only this machine's user has (a remote user's home is unknown). */
static gchar *
serial_log_path (VmctlHostFacts *facts, const VmctlSpec *spec)
{
  g_autofree gchar *file = g_strconcat (spec->name, "-serial.log", NULL);
  g_autoptr(GUri) uri = facts->uri != NULL ? g_uri_parse (facts->uri, G_URI_FLAGS_NONE, NULL)
                                           : NULL;

  if (uri != NULL && g_strcmp0 (g_uri_get_path (uri), "/session") == 0) {
    if (facts->host == NULL)
      return NULL;
    return g_build_filename (g_get_user_cache_dir (), "libvirt", "qemu", "log", file, NULL);
  }
  return g_build_filename ("/var/log/libvirt/qemu", file, NULL);
}

static void
assign_boot_orders (const VmctlSpec *spec, VmctlDomainLayout *layout)
{
  VmctlDomainMedia *media = layout->media;
  g_autoptr(GArray) boot = vmctl_spec_boot_order (spec);
  guint order = 1;

  for (guint i = 0; i < boot->len; i++) {
    switch (g_array_index (boot, VmctlBootDevice, i)) {
    case VMCTL_BOOT_CDROM:
      for (guint c = 0; c < media->cdroms->len; c++) {
        MediaCdrom *cdrom = &g_array_index (media->cdroms, MediaCdrom, c);

        if (!cdrom->drivers)
          cdrom->boot_order = order++;
      }
      break;
    case VMCTL_BOOT_DISK:
      for (guint d = 0; d < layout->disks->len; d++)
        g_array_index (layout->disks, VmctlDomainDisk, d).boot_order = order++;
      break;
    case VMCTL_BOOT_NETWORK:
    default:
      if (spec->network != VMCTL_NETWORK_NONE)
        media->interface_boot_order = order++;
      break;
    }
  }
  media->boot = vmctl_spec_format_boot (boot);
}

/**
 * vmctl_domain_media_resolve: (skip)
 *
 * After the layout named the disks: each disk on its own bus, then the
 * cdroms, named after the disks of their kind (libvirt's names must be
 * unique per kind: "sd" for sata and scsi alike); the boot order; where
 * the serial console logs.
 */
gboolean
vmctl_domain_media_resolve (VmctlHostFacts *facts, const VmctlSpec *spec,
                            VmctlDomainLayout *layout, GError **error)
{
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) cdroms = vmctl_spec_list_cdroms (spec);
  VmctlDomainMedia *media = g_new0 (VmctlDomainMedia, 1);
  const gchar *cdrom_bus = machine_is_pc (spec->machine) ? "ide" : "sata";

  layout->media = media;
  for (guint i = 0; i < layout->disks->len; i++) {
    VmctlDomainDisk *disk = &g_array_index (layout->disks, VmctlDomainDisk, i);

    disk->bus = vmctl_spec_disk_bus (spec, disk->disk);
    if (machine_is_pc (spec->machine) && g_strcmp0 (disk->bus, "sata") == 0) {
      g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                   "the pc machine has no SATA controller for disk %u; use q35 or bus=virtio",
                   i + 1);
      return FALSE;
    }
    g_free (disk->target);
    disk->target = next_name (used, disk->bus);
    media->scsi_controller |= g_strcmp0 (disk->bus, "scsi") == 0;
  }
  media->cdroms = g_array_new (FALSE, TRUE, sizeof (MediaCdrom));
  g_array_set_clear_func (media->cdroms, (GDestroyNotify) media_cdrom_clear);
  for (guint i = 0; i < cdroms->len; i++) {
    const VmctlSpecCdrom *spec_cdrom = g_ptr_array_index (cdroms, i);
    MediaCdrom cdrom = { g_strdup (spec_cdrom->path), next_name (used, cdrom_bus), cdrom_bus, 0,
                         spec_cdrom->drivers };

    g_array_append_val (media->cdroms, cdrom);
  }
  /* the single-cdrom field is built by vmctl-domain-devices.c, under
   * this name */
  if (spec->cdrom != NULL) {
    g_free (layout->cdrom_target);
    layout->cdrom_target = g_strdup (g_array_index (media->cdroms, MediaCdrom, 0).target);
  }
  assign_boot_orders (spec, layout);
  media->serial_log = serial_log_path (facts, spec);
  return TRUE;
}

/* ---- the XML ---------------------------------------------------------------- */

/* @parent's element children called @name, in document order. */
static GPtrArray *
children_named (xmlNodePtr parent, const gchar *name, const gchar *device)
{
  GPtrArray *found = g_ptr_array_new ();

  for (xmlNodePtr node = parent->children; node != NULL; node = node->next) {
    g_autofree xmlChar *kind = NULL;

    if (node->type != XML_ELEMENT_NODE || g_strcmp0 ((const gchar *) node->name, name) != 0)
      continue;
    kind = xmlGetProp (node, (const xmlChar *) "device");
    if (device == NULL || g_strcmp0 ((const gchar *) kind, device) == 0)
      g_ptr_array_add (found, node);
  }
  return found;
}

static gboolean
add_boot_order (VmctlDomainBuilder *builder, xmlNodePtr device, guint order, GError **error)
{
  g_autofree gchar *text = vmctl_domain_format_uint (order);
  xmlNodePtr boot;

  if (order == 0)
    return TRUE;
  boot = vmctl_domain_builder_append (builder, device, "boot-order.xml", error);
  return boot != NULL && vmctl_domain_builder_set (builder, boot, "order", text, error);
}

/* <os>: the per-device order replaces <boot dev>, which libvirt refuses
 * next to it; then the directly booted kernel. */
static gboolean
build_os (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec, GError **error)
{
  xmlNodePtr os = vmctl_domain_builder_find (builder, domain, "os", error);
  g_autoptr(GPtrArray) boots = NULL;
  const gchar * const parts[][2] = {
    { "kernel", spec->kernel }, { "initrd", spec->initrd }, { "cmdline", spec->cmdline },
  };
  xmlNodePtr wrapper;

  if (os == NULL)
    return FALSE;
  boots = children_named (os, "boot", NULL);
  for (guint i = 0; i < boots->len; i++) {
    xmlUnlinkNode (g_ptr_array_index (boots, i));
    xmlFreeNode (g_ptr_array_index (boots, i));
  }
  if (spec->kernel == NULL)
    return TRUE;
  wrapper = vmctl_domain_builder_fragment (builder, "os-kernel.xml", error);
  if (wrapper == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++) {
    xmlNodePtr node = vmctl_domain_builder_find (builder, wrapper, parts[i][0], error);

    if (node == NULL || (parts[i][1] != NULL
                         && !vmctl_domain_builder_set_text (node, parts[i][1], error))) {
      xmlFreeNode (wrapper);
      return FALSE;
    }
    xmlUnlinkNode (node);
    if (parts[i][1] != NULL)
      xmlAddChild (os, node);
    else
      xmlFreeNode (node);
  }
  xmlFreeNode (wrapper);
  return TRUE;
}

/* What a cache mode allows: io='native' is Linux AIO on O_DIRECT, which
 * only the modes that bypass the host's page cache open with. */
static gboolean
fill_disk (VmctlDomainBuilder *builder, xmlNodePtr node, const VmctlDomainDisk *disk,
           GError **error)
{
  const gchar *cache = disk->disk->cache;
  xmlNodePtr driver = vmctl_domain_builder_find (builder, node, "driver", error);

  if (driver == NULL
      || !vmctl_domain_builder_set_at (builder, node, "target", "bus", disk->bus, error))
    return FALSE;
  /* only virtio-blk takes an I/O thread */
  if (g_strcmp0 (disk->bus, "virtio") != 0)
    xmlUnsetProp (driver, (const xmlChar *) "iothread");
  if (cache != NULL) {
    if (!vmctl_domain_builder_set (builder, driver, "cache", cache, error))
      return FALSE;
    if (g_strcmp0 (cache, "none") != 0 && g_strcmp0 (cache, "directsync") != 0)
      xmlUnsetProp (driver, (const xmlChar *) "io");
  }
  return add_boot_order (builder, node, disk->boot_order, error);
}

static gboolean
build_disks (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlDomainLayout *layout,
             GError **error)
{
  VmctlDomainMedia *media = layout->media;
  g_autoptr(GPtrArray) disks = children_named (devices, "disk", "disk");
  g_autoptr(GPtrArray) cdroms = children_named (devices, "disk", "cdrom");
  xmlNodePtr last = disks->len > 0 ? g_ptr_array_index (disks, disks->len - 1) : NULL;

  g_assert (disks->len == layout->disks->len);
  for (guint i = 0; i < disks->len; i++)
    if (!fill_disk (builder, g_ptr_array_index (disks, i),
                    &g_array_index (layout->disks, VmctlDomainDisk, i), error))
      return FALSE;
  if (cdroms->len > 0)
    last = g_ptr_array_index (cdroms, cdroms->len - 1);
  /* the single-cdrom field's is built already, as the first */
  for (guint i = cdroms->len; i < media->cdroms->len; i++) {
    const MediaCdrom *cdrom = &g_array_index (media->cdroms, MediaCdrom, i);
    xmlNodePtr node = vmctl_domain_builder_fragment (builder, "cdrom.xml", error);

    if (node == NULL)
      return FALSE;
    /* disks come first in <devices> */
    if (last != NULL)
      xmlAddNextSibling (last, node);
    else if (devices->children != NULL)
      xmlAddPrevSibling (devices->children, node);
    else
      xmlAddChild (devices, node);
    if (!vmctl_domain_builder_set_at (builder, node, "source", "file", cdrom->path, error)
        || !vmctl_domain_builder_set_at (builder, node, "target", "dev", cdrom->target, error))
      return FALSE;
    g_ptr_array_add (cdroms, node);
    last = node;
  }
  for (guint i = 0; i < cdroms->len; i++) {
    const MediaCdrom *cdrom = &g_array_index (media->cdroms, MediaCdrom, i);
    xmlNodePtr node = g_ptr_array_index (cdroms, i);

    if (!vmctl_domain_builder_set_at (builder, node, "target", "bus", cdrom->bus, error)
        || !add_boot_order (builder, node, cdrom->boot_order, error))
      return FALSE;
  }
  if (media->scsi_controller) {
    xmlNodePtr controller = vmctl_domain_builder_fragment (builder, "controller-virtio-scsi.xml",
                                                           error);

    if (controller == NULL)
      return FALSE;
    xmlAddNextSibling (last, controller);
  }
  return TRUE;
}

/* The serial port and its console go after the NICs, before the first
 * device libvirt prints after consoles. */
static gboolean
build_console (VmctlDomainBuilder *builder, xmlNodePtr devices, const VmctlDomainMedia *media,
               GError **error)
{
  xmlNodePtr serial = vmctl_domain_builder_fragment (builder, "serial-pty.xml", error);
  xmlNodePtr console = serial != NULL
                       ? vmctl_domain_builder_fragment (builder, "console-pty.xml", error) : NULL;
  xmlNodePtr before = NULL;

  if (console == NULL) {
    xmlFreeNode (serial);
    return FALSE;
  }
  for (xmlNodePtr node = devices->children; node != NULL && before == NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE
        && g_strv_contains (after_consoles, (const gchar *) node->name))
      before = node;
  if (before != NULL) {
    xmlAddPrevSibling (before, serial);
    xmlAddPrevSibling (before, console);
  } else {
    xmlAddChild (devices, serial);
    xmlAddChild (devices, console);
  }
  if (media->serial_log == NULL)
    return vmctl_domain_builder_remove (builder, serial, "log", error);
  return vmctl_domain_builder_set_at (builder, serial, "log", "file", media->serial_log, error);
}

/* vmctl's record: each disk's bus and cache, every cdrom, the boot order,
 * the kernel, the OS (xml-templates/README.md) */
static gboolean
build_metadata (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
                const VmctlDomainLayout *layout, GError **error)
{
  const VmctlDomainMedia *media = layout->media;
  xmlNodePtr record = vmctl_domain_builder_find (builder, domain,
                                                 "metadata/vmctl:vmctl/vmctl:spec", error);
  xmlNodePtr network = record != NULL
                       ? vmctl_domain_builder_find (builder, record, "vmctl:network", error) : NULL;
  g_autoptr(GPtrArray) disks = NULL;
  g_autoptr(GPtrArray) cdroms = NULL;

  if (network == NULL)
    return FALSE;
  xmlSetProp (record, (const xmlChar *) "boot", (const xmlChar *) media->boot);
  if (spec->os != NULL)
    xmlSetProp (record, (const xmlChar *) "os", (const xmlChar *) spec->os->id);
  disks = children_named (record, "disk", NULL);
  for (guint i = 0; i < disks->len && i < layout->disks->len; i++) {
    const VmctlDomainDisk *disk = &g_array_index (layout->disks, VmctlDomainDisk, i);

    xmlSetProp (g_ptr_array_index (disks, i), (const xmlChar *) "bus", (const xmlChar *) disk->bus);
    if (disk->disk->cache != NULL)
      xmlSetProp (g_ptr_array_index (disks, i), (const xmlChar *) "cache",
                  (const xmlChar *) disk->disk->cache);
  }
  cdroms = children_named (record, "cdrom", NULL);
  for (guint i = 0; i < media->cdroms->len; i++) {
    const MediaCdrom *cdrom = &g_array_index (media->cdroms, MediaCdrom, i);
    xmlNodePtr node = i < cdroms->len ? g_ptr_array_index (cdroms, i) : NULL;

    if (node == NULL) {
      node = xmlNewNode (network->ns, (const xmlChar *) "cdrom");
      xmlSetProp (node, (const xmlChar *) "path", (const xmlChar *) cdrom->path);
      xmlAddPrevSibling (network, node);
    }
    if (cdrom->drivers)
      xmlSetProp (node, (const xmlChar *) "drivers", (const xmlChar *) "yes");
  }
  if (spec->kernel != NULL) {
    xmlNodePtr kernel = xmlNewNode (network->ns, (const xmlChar *) "kernel");

    xmlSetProp (kernel, (const xmlChar *) "path", (const xmlChar *) spec->kernel);
    if (spec->initrd != NULL)
      xmlSetProp (kernel, (const xmlChar *) "initrd", (const xmlChar *) spec->initrd);
    if (spec->cmdline != NULL)
      xmlSetProp (kernel, (const xmlChar *) "cmdline", (const xmlChar *) spec->cmdline);
    xmlAddPrevSibling (network, kernel);
  }
  return TRUE;
}

/**
 * vmctl_domain_build_media: (skip)
 *
 * After the devices are built: the disks' own buses, cache modes and
 * boot orders, the cdroms after the first, the NIC's boot order, the
 * serial console, <os>, and the metadata of all of it.
 */
gboolean
vmctl_domain_build_media (VmctlDomainBuilder *builder, const VmctlSpec *spec,
                          const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr domain = xmlDocGetRootElement (builder->document);
  xmlNodePtr devices = vmctl_domain_builder_find (builder, domain, "devices", error);
  g_autoptr(GPtrArray) interfaces = NULL;

  if (devices == NULL
      || !build_os (builder, domain, spec, error)
      || !build_disks (builder, devices, layout, error))
    return FALSE;
  interfaces = children_named (devices, "interface", NULL);
  if (interfaces->len > 0
      && !add_boot_order (builder, g_ptr_array_index (interfaces, 0),
                          layout->media->interface_boot_order, error))
    return FALSE;
  return build_console (builder, devices, layout->media, error)
         && build_metadata (builder, domain, spec, layout, error);
}
