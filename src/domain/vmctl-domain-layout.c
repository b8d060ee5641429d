/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-layout.c: every decision behind the domain XML, made in one
 * place before any XML exists, from the host facts (vmctl-host-facts.h):
 * which firmware build, which hugepage size, the guest CPU topology and
 * pinning, which Hyper-V enlightenments, where each assigned function sits in
 * the guest, and the disks' target names. The builders then only copy
 * templates and fill in these answers. */
#include "vmctl-domain-xml-private.h"

#include <string.h>

#include "vmctl-hugepages.h"
#include "vmctl-spec-private.h"

/* The guest's architecture: descriptors, <os><type arch> and QEMU's
 * target all use this name. */
#define GUEST_ARCHITECTURE "x86_64"

/* what libvirt's tuning guide asks of <locked/>: a hard limit covering
 * the guest's memory plus what QEMU itself uses; libvirt budgets 1 GiB
 * for that when it raises the memlock limit for VFIO itself
 * (qemuDomainGetMemLockLimitBytes) */
#define QEMU_OVERHEAD_KIB G_GUINT64_CONSTANT (1048576)

/* i440fx has no PCIe root ports: functions go on the root bus from this
 * slot up, clear of the slots libvirt assigns automatically (from 1). */
#define PC_FIRST_GUEST_SLOT 0x10
#define PC_LAST_GUEST_SLOT 0x1f

static void
disk_clear (VmctlDomainDisk *disk)
{
  g_clear_pointer (&disk->target, g_free);
  g_clear_pointer (&disk->volume, g_free);
}

void
vmctl_domain_layout_clear (VmctlDomainLayout *layout)
{
  g_clear_pointer (&layout->firmware, vmctl_firmware_free);
  g_clear_pointer (&layout->pinning, vmctl_cpu_pinning_free);
  g_clear_pointer (&layout->hostdevs, g_array_unref);
  g_clear_pointer (&layout->root_ports, g_array_unref);
  g_clear_pointer (&layout->disks, g_array_unref);
  g_clear_pointer (&layout->cdrom_target, g_free);
  g_clear_pointer (&layout->hyperv_features, g_ptr_array_unref);
}

static gboolean
resolve_firmware (VmctlHostFacts *facts, const VmctlSpec *spec, VmctlDomainLayout *layout,
                  GError **error)
{
  const VmctlDomainCaps *caps = vmctl_host_facts_domain_caps (facts, spec->virt_type);
  g_autoptr(GError) local_error = NULL;

  if (spec->firmware == VMCTL_FIRMWARE_KIND_BIOS)
    return TRUE;  /* no <loader>: QEMU's default SeaBIOS */
  layout->secure_boot = spec->firmware == VMCTL_FIRMWARE_KIND_EFI_SECURE;
  if (facts->firmwares == NULL) {
    /* a remote host: its descriptors are not ours to read, so libvirt
     * picks the build there (<os firmware='efi'>) under explicit feature
     * constraints (never Secure Boot for plain efi: FACTS.md, Firmware) */
    if (caps->efi_autoselect == VMCTL_FACT_NO
        || (layout->secure_boot && caps->secure_boot == VMCTL_FACT_NO)) {
      g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
                   "libvirt %s offers no UEFI firmware%s for %s domains; install ovmf there",
                   facts->where, layout->secure_boot ? " with Secure Boot" : "",
                   vmctl_virt_type_to_string (spec->virt_type));
      return FALSE;
    }
    layout->firmware_auto = TRUE;
    layout->enrolled_keys = layout->secure_boot;
    layout->smm = layout->secure_boot;
    return TRUE;
  }
  layout->firmware = vmctl_firmware_choose_from (facts->firmwares, facts->firmware_warnings,
                                                 (const gchar * const *) caps->loader_paths,
                                                 layout->secure_boot, spec->machine,
                                                 GUEST_ARCHITECTURE, &local_error);
  if (layout->firmware == NULL) {
    g_set_error_literal (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
                         local_error->message);
    return FALSE;
  }
  layout->enrolled_keys = vmctl_firmware_has_feature (layout->firmware, "enrolled-keys");
  /* firmware.json: a requires-smm build restricts its variable store to
   * SMM, and without SMM the guest never gets past the firmware */
  layout->smm = layout->secure_boot
                || vmctl_firmware_has_feature (layout->firmware, "requires-smm");
  return TRUE;
}

/* The host cells the vCPUs are pinned to: QEMU's guest memory is touched
 * first by the vCPU threads, so the kernel takes its pages there. NULL
 * (any cell) when the vCPUs float. */
static GArray *
pinned_cells (VmctlHostFacts *facts, const VmctlDomainLayout *layout)
{
  GArray *cells;

  if (layout->pinning == NULL)
    return NULL;
  cells = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < layout->pinning->vcpu_cpus->len; i++) {
    guint cell = vmctl_host_facts_cell_of (facts, g_array_index (layout->pinning->vcpu_cpus, guint, i));
    gboolean seen = FALSE;

    for (guint j = 0; j < cells->len && !seen; j++)
      seen = g_array_index (cells, guint, j) == cell;
    if (!seen)
      g_array_append_val (cells, cell);
  }
  return cells;
}

static gboolean
resolve_memory (VmctlHostFacts *facts, const VmctlSpec *spec, VmctlDomainLayout *layout,
                GError **error)
{
  g_autoptr(GArray) cells = NULL;
  g_autoptr(GError) local_error = NULL;

  if (spec->memory_locked) {
    layout->memory_locked = TRUE;
    layout->hard_limit_kib = spec->memory_kib + QEMU_OVERHEAD_KIB;
  }
  if (!spec->hugepages)
    return TRUE;
  cells = pinned_cells (facts, layout);
  if (!vmctl_hugepages_choose (facts, spec->memory_kib, cells, spec->hugepages_dynamic,
                               &layout->hugepage_kib, &local_error)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  return TRUE;
}

/* The mode by the spec's rule (vmctl_virt_type_cpu_mode(): "maximum"
 * under TCG), also for a spec that was never finalized, so the template
 * always matches what the finalized spec says. */
static gboolean
resolve_cpu_mode (const VmctlSpec *spec, VmctlDomainLayout *layout, GError **error)
{
  const gchar *mode = vmctl_virt_type_cpu_mode (spec->virt_type, spec->cpu_mode);

  if (g_strcmp0 (mode, "host-passthrough") == 0)
    layout->cpu_template = "cpu-host-passthrough.xml";
  else if (g_strcmp0 (mode, "host-model") == 0)
    layout->cpu_template = "cpu-host-model.xml";
  else if (g_strcmp0 (mode, "maximum") == 0)
    layout->cpu_template = "cpu-maximum.xml";
  if (layout->cpu_template == NULL) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                 "CPU mode '%s' is none of host-passthrough, host-model, maximum", mode);
    return FALSE;
  }
  /* libvirt passes the host's cache sizes only for the two modes that
   * show the host CPU as it is */
  layout->cache_passthrough = spec->cpu_cache_passthrough
                              && g_strcmp0 (mode, "host-model") != 0;
  return TRUE;
}

static gboolean
resolve_cpu (VmctlHostFacts *facts, const VmctlSpec *spec, VmctlDomainLayout *layout,
             GError **error)
{
  const VmctlCpuTopology *topology = facts->topology;
  g_autoptr(GError) local_error = NULL;

  if (topology == NULL && spec->cpu_pin != VMCTL_CPU_PIN_NONE) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY,
                 "cannot pin vCPUs without the host's CPU topology (%s)", facts->where);
    return FALSE;
  }

  if (spec->cpu_pin == VMCTL_CPU_PIN_AUTO)
    layout->pinning = vmctl_cpu_topology_pin_auto (topology, spec->vcpus, &local_error);
  else if (spec->cpu_pin == VMCTL_CPU_PIN_LIST)
    layout->pinning = vmctl_cpu_topology_pin_list (topology,
                                                   spec->cpu_pin_list != NULL
                                                   ? (const guint *) spec->cpu_pin_list->data : NULL,
                                                   spec->cpu_pin_list != NULL
                                                   ? spec->cpu_pin_list->len : 0,
                                                   spec->vcpus, &local_error);
  if (local_error != NULL) {
    g_set_error_literal (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY,
                         local_error->message);
    return FALSE;
  }

  /* threads=2 exactly when the pinning puts vCPU pairs on sibling pairs
   * (vmctl_cpu_topology_guest_threads()), so the guest's view is true */
  layout->threads = spec->cpu_smt_topology
                    ? vmctl_cpu_topology_guest_threads (topology, spec->vcpus, layout->pinning)
                    : 1;
  layout->cores = spec->vcpus / layout->threads;
  /* AMD's CPUID reports SMT siblings only through the topoext leaves;
   * without them a Windows guest treats every vCPU as its own core. The
   * flag means nothing to TCG's emulated CPU. */
  layout->topoext = spec->cpu_smt_topology && spec->virt_type == VMCTL_VIRT_TYPE_KVM
                    && vmctl_host_facts_is_amd (facts);
  return resolve_cpu_mode (spec, layout, error);
}

/* Hyper-V enlightenments only under KVM and only those the host has
 * (vmctl_host_facts_hyperv_feature()), keeping the dependencies QEMU
 * enforces (target/i386/kvm/kvm.c, kvm_hyperv_properties): synic, tlbflush
 * and ipi need vpindex, stimer needs synic and the Hyper-V clock,
 * evmcs needs vapic. The Hyper-V clock (hypervclock, QEMU's hv-time) is
 * no <hyperv> child and libvirt does not list it: it goes with "relaxed",
 * which every KVM with Hyper-V emulation has (kvm_pvm has none). */
static void
resolve_hyperv (VmctlHostFacts *facts, const VmctlSpec *spec, VmctlDomainLayout *layout)
{
  static const gchar * const features[] = {
    "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset",
    "vendor_id", "frequencies", "tlbflush", "ipi", "avic",
  };
  gboolean clock;

  layout->hyperv_features = g_ptr_array_new ();
  clock = spec->clock == VMCTL_CLOCK_WINDOWS
          && vmctl_host_facts_hyperv_feature (facts, spec->virt_type, "relaxed");
  layout->hypervclock = clock;
  if (!spec->hyperv)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (features); i++) {
    const gchar *feature = features[i];

    if (g_strcmp0 (feature, "vendor_id") == 0 && spec->hyperv_vendor_id == NULL)
      continue;
    if (!vmctl_host_facts_hyperv_feature (facts, spec->virt_type, feature))
      continue;
    if ((g_strcmp0 (feature, "synic") == 0 || g_strcmp0 (feature, "tlbflush") == 0
         || g_strcmp0 (feature, "ipi") == 0)
        && !g_ptr_array_find_with_equal_func (layout->hyperv_features, "vpindex", g_str_equal, NULL))
      continue;
    if (g_strcmp0 (feature, "stimer") == 0
        && (!clock || !g_ptr_array_find_with_equal_func (layout->hyperv_features, "synic",
                                                         g_str_equal, NULL)))
      continue;
    g_ptr_array_add (layout->hyperv_features, (gpointer) feature);
  }
}

/* The planned functions of one host slot, in plan order. */
typedef struct {
  VmctlPciAddress slot;
  GPtrArray *functions;       /* const VmctlPlanFunction* */
} SlotGroup;

static void
slot_group_clear (SlotGroup *group)
{
  g_clear_pointer (&group->functions, g_ptr_array_unref);
}

static gint
compare_function_numbers (gconstpointer a, gconstpointer b)
{
  const VmctlPlanFunction *x = *(const VmctlPlanFunction * const *) a;
  const VmctlPlanFunction *y = *(const VmctlPlanFunction * const *) b;

  return (gint) x->address.function - (gint) y->address.function;
}

/* A card's functions stay together on one guest slot, as on the host:
 * drivers expect the GPU and its HDMI audio at functions 0 and 1 of one
 * device. On q35 each host slot gets its own PCIe root port, numbered
 * from 1 so the guest bus equals the port's index. libvirt fills any gap
 * below the highest index with extra root ports (seen with 9.0 when
 * starting at 0x10: fifteen empty ports), so the numbering starts low
 * and the devices libvirt places itself take the indexes after ours. */
static gboolean
resolve_hostdevs (const VmctlSpec *spec, const VmctlPlan *plan, VmctlDomainLayout *layout,
                  GError **error)
{
  g_autoptr(GArray) groups = g_array_new (FALSE, TRUE, sizeof (SlotGroup));
  gboolean q35 = vmctl_machine_is_q35 (spec->machine);

  g_array_set_clear_func (groups, (GDestroyNotify) slot_group_clear);
  layout->hostdevs = g_array_new (FALSE, TRUE, sizeof (VmctlDomainHostdev));
  layout->root_ports = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; plan != NULL && i < plan->functions->len; i++) {
    const VmctlPlanFunction *function = &g_array_index (plan->functions, VmctlPlanFunction, i);
    SlotGroup *group = NULL;

    for (guint g = 0; g < groups->len && group == NULL; g++)
      if (vmctl_pci_address_same_slot (&g_array_index (groups, SlotGroup, g).slot,
                                       &function->address))
        group = &g_array_index (groups, SlotGroup, g);
    if (group == NULL) {
      SlotGroup fresh = { function->address, g_ptr_array_new () };

      g_array_append_val (groups, fresh);
      group = &g_array_index (groups, SlotGroup, groups->len - 1);
    }
    g_ptr_array_add (group->functions, (gpointer) function);
  }

  for (guint g = 0; g < groups->len; g++) {
    SlotGroup *group = &g_array_index (groups, SlotGroup, g);
    g_autoptr(GPtrArray) by_number = g_ptr_array_copy (group->functions, NULL, NULL);
    gboolean has_function_0 = FALSE;
    guint guest_bus = q35 ? g + 1 : 0;
    guint guest_slot = q35 ? 0 : PC_FIRST_GUEST_SLOT + g;

    if (guest_slot > PC_LAST_GUEST_SLOT) {
      g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                   "%u host devices do not fit on the pc machine's root bus; use q35",
                   groups->len);
      return FALSE;
    }
    if (q35)
      g_array_append_val (layout->root_ports, guest_bus);
    g_ptr_array_sort (by_number, compare_function_numbers);
    has_function_0 = ((const VmctlPlanFunction *) g_ptr_array_index (by_number, 0))->address.function == 0;

    for (guint i = 0; i < group->functions->len; i++) {
      const VmctlPlanFunction *function = g_ptr_array_index (group->functions, i);
      VmctlDomainHostdev hostdev = { function, guest_bus, guest_slot, function->address.function };
      guint rank = 0;

      /* a guest only probes a slot's other functions when function 0
       * exists: without the host's function 0, number them from 0 */
      if (!has_function_0) {
        g_ptr_array_find (by_number, function, &rank);
        hostdev.guest_function = rank;
      }
      hostdev.multifunction = hostdev.guest_function == 0 && group->functions->len > 1;
      g_array_append_val (layout->hostdevs, hostdev);
    }
  }

  for (guint i = 0; spec->gpus != NULL && i < spec->gpus->len; i++) {
    const VmctlSpecGpu *gpu = &g_array_index (spec->gpus, VmctlSpecGpu, i);
    gboolean placed = FALSE;

    if (gpu->rom_path == NULL)
      continue;
    for (guint j = 0; j < layout->hostdevs->len && !placed; j++) {
      VmctlDomainHostdev *hostdev = &g_array_index (layout->hostdevs, VmctlDomainHostdev, j);

      if (vmctl_pci_address_equal (&hostdev->function->address, &gpu->address)) {
        hostdev->rom_path = gpu->rom_path;
        placed = TRUE;
      }
    }
    if (!placed) {
      g_autofree gchar *address = vmctl_pci_address_to_string (&gpu->address);

      g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                   "a ROM file is given for %s, but the plan does not assign it", address);
      return FALSE;
    }
  }
  return TRUE;
}

/* libvirt's virIndexToDiskName(): a..z, aa..az, ... */
static gchar *
disk_name (const gchar *prefix, guint index)
{
  g_autoptr(GString) letters = g_string_new (NULL);
  gint64 rest = index;

  do {
    g_string_prepend_c (letters, (gchar) ('a' + rest % 26));
    rest = rest / 26 - 1;
  } while (rest >= 0);
  return g_strconcat (prefix, letters->str, NULL);
}

static const gchar *
disk_prefix (const gchar *bus)
{
  if (g_strcmp0 (bus, "virtio") == 0)
    return "vd";
  if (g_strcmp0 (bus, "ide") == 0)
    return "hd";
  return "sd";  /* sata, scsi, usb */
}

/* What the spec found the path to be (vmctl-spec-disk.c: stat() after
 * symlinks), never what its name suggests: a file in /dev/shm is a file,
 * a /dev/disk/by-id link is a block device. */
static VmctlDomainDiskKind
disk_kind (const VmctlSpecDisk *disk)
{
  if (disk->path == NULL)
    return VMCTL_DOMAIN_DISK_VOLUME;
  return disk->block ? VMCTL_DOMAIN_DISK_BLOCK : VMCTL_DOMAIN_DISK_FILE;
}

/* The spec names the format; when it does not, what the disk most likely
 * is: new volumes are qcow2 (thin, snapshots), devices are raw. */
static const gchar *
disk_format (const VmctlSpecDisk *disk, VmctlDomainDiskKind kind)
{
  if (disk->format != NULL)
    return disk->format;
  if (kind == VMCTL_DOMAIN_DISK_VOLUME)
    return "qcow2";
  if (kind == VMCTL_DOMAIN_DISK_FILE && g_str_has_suffix (disk->path, ".qcow2"))
    return "qcow2";
  return "raw";
}

/**
 * vmctl_domain_xml_volume_name:
 * @disk_index: an index into @spec->disks
 *
 * The storage volume a --disk size= is created as: NAME.qcow2 for the
 * first such disk, NAME-2.qcow2, NAME-3.qcow2 for later ones (".img" for
 * raw). The lifecycle code creates the volume under this name, and the
 * domain XML refers to it.
 *
 * Returns: (transfer full) (nullable): the name, NULL when that disk is
 *   not a volume
 */
gchar *
vmctl_domain_xml_volume_name (const VmctlSpec *spec, guint disk_index)
{
  const VmctlSpecDisk *disk;
  const gchar *extension;
  guint ordinal = 0;

  g_return_val_if_fail (spec != NULL && spec->disks != NULL, NULL);
  g_return_val_if_fail (disk_index < spec->disks->len, NULL);
  disk = g_ptr_array_index (spec->disks, disk_index);
  if (disk_kind (disk) != VMCTL_DOMAIN_DISK_VOLUME)
    return NULL;
  for (guint i = 0; i < disk_index; i++)
    if (disk_kind (g_ptr_array_index (spec->disks, i)) == VMCTL_DOMAIN_DISK_VOLUME)
      ordinal++;
  extension = g_strcmp0 (disk_format (disk, VMCTL_DOMAIN_DISK_VOLUME), "qcow2") == 0 ? "qcow2" : "img";
  if (ordinal == 0)
    return g_strdup_printf ("%s.%s", spec->name, extension);
  return g_strdup_printf ("%s-%u.%s", spec->name, ordinal + 1, extension);
}

static void
resolve_disks (const VmctlSpec *spec, VmctlDomainLayout *layout)
{
  guint on_bus = 0;
  guint on_sata = 0;
  gboolean sata_bus;

  layout->disk_bus = spec->disk_bus != NULL ? spec->disk_bus : "virtio";
  sata_bus = strcmp (disk_prefix (layout->disk_bus), "sd") == 0;
  layout->disks = g_array_new (FALSE, TRUE, sizeof (VmctlDomainDisk));
  g_array_set_clear_func (layout->disks, (GDestroyNotify) disk_clear);
  for (guint i = 0; spec->disks != NULL && i < spec->disks->len; i++) {
    const VmctlSpecDisk *spec_disk = g_ptr_array_index (spec->disks, i);
    VmctlDomainDisk disk = { spec_disk, disk_kind (spec_disk) };

    disk.format = disk_format (spec_disk, disk.kind);
    disk.target = disk_name (disk_prefix (layout->disk_bus), on_bus++);
    disk.volume = vmctl_domain_xml_volume_name (spec, i);
    g_array_append_val (layout->disks, disk);
  }
  /* the cdrom is on SATA, after any disks that are on SATA (sdX) too */
  if (sata_bus)
    on_sata = on_bus;
  if (spec->cdrom != NULL)
    layout->cdrom_target = disk_name ("sd", on_sata);
}

/**
 * vmctl_domain_layout_resolve:
 * @layout: (out caller-allocates): cleared with vmctl_domain_layout_clear(),
 *   also after a failure
 * @error: VMCTL_DOMAIN_XML_ERROR_FIRMWARE, _TOPOLOGY or _INVALID
 *
 * The one place where defaults and host facts turn into answers.
 */
gboolean
vmctl_domain_layout_resolve (VmctlHostFacts *facts, const VmctlSpec *spec, const VmctlPlan *plan,
                             VmctlDomainLayout *layout, GError **error)
{
  memset (layout, 0, sizeof *layout);
  if (!resolve_firmware (facts, spec, layout, error)
      || !resolve_cpu (facts, spec, layout, error)
      || !resolve_memory (facts, spec, layout, error)
      || !resolve_hostdevs (spec, plan, layout, error))
    return FALSE;
  resolve_hyperv (facts, spec, layout);
  resolve_disks (spec, layout);
  layout->nic_model = spec->nic_model != NULL ? spec->nic_model : "virtio";
  /* With pinned vCPUs, virtio-blk's I/O gets a thread of its own on the
   * host's CPUs (FACTS.md, CPU isolation: emulatorpin and iothreadpin on
   * host cores); otherwise it would run in QEMU's main loop. Only
   * virtio-blk takes an iothread. */
  layout->iothread = layout->pinning != NULL && layout->pinning->emulator_cpus->len > 0
                     && g_strcmp0 (layout->disk_bus, "virtio") == 0 && layout->disks->len > 0;
  /* ballooning cannot shrink memory that VFIO has pinned for DMA (and
   * hugepages are never ballooned): it would only confuse the guest */
  layout->balloon = layout->hostdevs->len == 0;
  return TRUE;
}
