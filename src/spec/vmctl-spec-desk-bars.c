/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-desk-bars.c: GPUs with 16 GiB+ BARs, and several GPUs.
 *
 * OVMF maps 64-bit BARs into a 64-bit MMIO aperture it sizes at boot:
 * 32 GiB by default (PcdPciMmio64Size), unless the guest's physical
 * address width lets it size the aperture to that (edk2 202211 and
 * later, when QEMU passes the host's width: host-phys-bits). Each
 * assigned card sits behind its own root port, whose window the firmware
 * sizes to the card's 64-bit BARs rounded up to a power of two and
 * aligns to that size. A window above 16 GiB (a 16 GiB BAR next to the
 * card's small ones, a 24 GiB card's 32 GiB BAR with Resizable BAR on,
 * two cards of 16 GiB) leaves no aligned room for the rest in 32 GiB:
 * OVMF gives up on the BAR and the guest hangs at boot or the driver
 * fails (the "24 GB cards that hang at boot").
 *
 * The cure: <maxphysaddr mode='passthrough'/> (libvirt 8.7+,
 * host-passthrough only; FACTS.md), else OVMF's own knob, the fw_cfg
 * file opt/ovmf/X-PciMmio64Mb with the aperture in MiB. */
#include "vmctl-spec-desk.h"

#include "vmctl-host-facts.h"
#include "vmctl-pci-bars.h"

#include <string.h>

#define MAXPHYSADDR_LIBVIRT 8007000u
/* the smallest aperture worth asking for: twice OVMF's default */
#define MIN_APERTURE_MIB 65536

static void
add_unique (GArray *addresses, const VmctlPciAddress *address)
{
  for (guint i = 0; i < addresses->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (addresses, VmctlPciAddress, i), address))
      return;
  g_array_append_val (addresses, *address);
}

/* every function of @slot's card under @host: what the plan takes along
 * (companions and siblings share the slot) */
static void
add_slot (VmctlHost *host, const VmctlPciAddress *slot, GArray *addresses)
{
  g_autofree gchar *directory = vmctl_host_path (host, "/sys/bus/pci/devices");
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const gchar *name;

  add_unique (addresses, slot);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    VmctlPciAddress address;

    if (vmctl_pci_address_parse (name, &address, NULL)
        && vmctl_pci_address_same_slot (&address, slot))
      add_unique (addresses, &address);
  }
}

/* "0000:01:00.0: BAR 1 16 GiB (Resizable BAR, up to 32 GiB)" */
static gchar *
describe (const VmctlPciAddress *address, const VmctlPciBars *bars)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  g_autoptr(GString) line = g_string_new (NULL);

  vmctl_pci_address_format (address, text);
  g_string_append (line, text);
  for (guint i = 0; i < bars->bars->len; i++) {
    const VmctlPciBar *bar = &g_array_index (bars->bars, VmctlPciBar, i);
    g_autofree gchar *size = NULL;

    if (!bar->is_64bit || bar->size < (G_GUINT64_CONSTANT (1) << 30))
      continue;
    size = vmctl_pci_size_format (bar->size);
    g_string_append_printf (line, ": BAR %u %s", bar->index, size);
    for (guint j = 0; j < bars->rebar->len; j++) {
      const VmctlPciRebar *rebar = &g_array_index (bars->rebar, VmctlPciRebar, j);
      g_autofree gchar *largest = NULL;

      if (rebar->bar != bar->index)
        continue;
      largest = vmctl_pci_size_format (rebar->largest);
      g_string_append_printf (line, " (Resizable BAR, up to %s)", largest);
    }
  }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/**
 * vmctl_spec_settle_large_bars:
 * @facts: the host: BARs are read from its sysfs (FILES and LOCAL facts)
 *
 * Sums the 64-bit BAR windows of every function the --gpu cards and the
 * --hostdev functions bring along; above VMCTL_LARGE_BAR_THRESHOLD it
 * sets spec->desk's maxphysaddr, or mmio64_mib where libvirt or the CPU
 * mode cannot, with a note saying why.
 */
void
vmctl_spec_settle_large_bars (VmctlSpec *spec, VmctlHostFacts *facts)
{
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(GPtrArray) large = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *window_text = NULL;
  g_autofree gchar *list = NULL;
  guint64 window = 0;
  guint libvirt = vmctl_version_number (facts->libvirt_version);
  VmctlSpecDesk *desk;

  if (spec->gpus->len == 0 && spec->hostdevs->len == 0)
    return;
  if (facts->host == NULL) {
    if (spec->gpus->len > 0)
      vmctl_spec_add_note (spec, "the GPUs' BAR sizes are unknown %s: a card with 16 GiB or "
                           "more of VRAM may need <maxphysaddr mode='passthrough'/> in <cpu> "
                           "to boot (vmctl gpu check on that host says)", facts->where);
    return;
  }
  for (guint i = 0; i < spec->gpus->len; i++)
    add_slot (facts->host, &g_array_index (spec->gpus, VmctlSpecGpu, i).address, addresses);
  for (guint i = 0; i < spec->hostdevs->len; i++)
    add_unique (addresses, &g_array_index (spec->hostdevs, VmctlPciAddress, i));
  for (guint i = 0; i < addresses->len; i++) {
    const VmctlPciAddress *address = &g_array_index (addresses, VmctlPciAddress, i);
    g_autoptr(VmctlPciBars) bars = vmctl_pci_bars_read (facts->host, address, NULL);

    if (bars == NULL)
      continue;
    window += vmctl_pci_bars_window (bars);
    if (vmctl_pci_bars_largest (bars) >= (G_GUINT64_CONSTANT (1) << 30))
      g_ptr_array_add (large, describe (address, bars));
  }
  if (window <= VMCTL_LARGE_BAR_THRESHOLD)
    return;

  desk = vmctl_spec_desk_get (spec);
  desk->bar_window = window;
  window_text = vmctl_pci_size_format (window);
  g_ptr_array_add (large, NULL);
  list = g_strjoinv ("; ", (gchar **) large->pdata);
  if (spec->firmware == VMCTL_FIRMWARE_KIND_BIOS) {
    vmctl_spec_add_note (spec, "the assigned devices' 64-bit BARs need %s of guest address "
                         "space (%s), which SeaBIOS cannot map: use --firmware efi",
                         window_text, list);
    return;
  }
  if ((libvirt == 0 || libvirt >= MAXPHYSADDR_LIBVIRT)
      && g_strcmp0 (spec->cpu_mode, "host-passthrough") == 0) {
    desk->maxphysaddr = TRUE;
    vmctl_spec_add_note (spec, "the assigned devices' 64-bit BARs need %s of guest address "
                         "space (%s), more than OVMF's default 64-bit aperture leaves: the "
                         "guest gets the host's physical address bits (<maxphysaddr "
                         "mode='passthrough'/>), so OVMF sizes the aperture to fit (OVMF "
                         "from edk2 202211 on)", window_text, list);
    return;
  }
  desk->mmio64_mib = MAX (MIN_APERTURE_MIB,
                          (vmctl_pci_round_up_power_of_two (window) * 2) >> 20);
  vmctl_spec_add_note (spec, "the assigned devices' 64-bit BARs need %s of guest address space "
                       "(%s), more than OVMF's default 64-bit aperture leaves, and %s: OVMF is "
                       "told to open %" G_GUINT64_FORMAT " MiB instead (fw_cfg "
                       "opt/ovmf/X-PciMmio64Mb)", window_text, list,
                       libvirt != 0 && libvirt < MAXPHYSADDR_LIBVIRT
                       ? "this libvirt predates <maxphysaddr> (8.7)"
                       : "<maxphysaddr mode='passthrough'/> needs the host-passthrough CPU",
                       desk->mmio64_mib);
}
