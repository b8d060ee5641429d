/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-verdict.c: the isolation rule of DESIGN.md as a pure function.
 *
 * The kernel hands a VFIO group to userspace only when every member is a
 * bridge, unbound, or bound to vfio-pci/pci-stub (<= 5.18 vfio_group_viable,
 * >= 5.19 driver_managed_dma, which pcieport also sets). So:
 *   companions  endpoints in the group on the device's own bus:slot (go along)
 *   bridges     header type 1/2 members (stay with the host, never vfio-pci)
 *   blockers    other endpoints bound to a host driver
 *   peers       other endpoints idle or already on vfio-pci/pci-stub
 *   siblings    functions of the same slot in another group (Navi audio)
 * and the host's side, from the inventory too: a host-critical function
 * (data/host-critical.conf) never moves, and one the host uses (mounted
 * disk, console, framebuffer, open device file) moves only when forced;
 * either one among what would move makes the device not passable.
 */
#include "vmctl-verdict.h"

#include "vmctl-host-critical.h"

static void
add_reason (VmctlVerdict *verdict, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
add_reason (VmctlVerdict *verdict, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (verdict->reasons, g_strdup_vprintf (format, args));
  va_end (args);
}

static VmctlVerdict *
verdict_new (const VmctlPciDevice *device)
{
  VmctlVerdict *verdict = g_new0 (VmctlVerdict, 1);

  verdict->address = device->address;
  verdict->iommu_group = device->iommu_group;
  verdict->companions = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  verdict->bridges = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  verdict->blockers = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  verdict->peers = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  verdict->siblings = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  verdict->reasons = g_ptr_array_new_with_free_func (g_free);
  verdict->host_critical = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  verdict->host_use = g_ptr_array_new_with_free_func (g_free);
  verdict->boot_vga = device->boot_vga;
  verdict->driver = g_strdup (device->driver);
  verdict->can_reset = device->can_reset;
  verdict->reset_method = g_strdup (device->reset_method);
  return verdict;
}

void
vmctl_verdict_free (VmctlVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_array_unref (verdict->companions);
  g_array_unref (verdict->bridges);
  g_array_unref (verdict->blockers);
  g_array_unref (verdict->peers);
  g_array_unref (verdict->siblings);
  g_ptr_array_unref (verdict->reasons);
  g_array_unref (verdict->host_critical);
  g_clear_pointer (&verdict->host_use, g_ptr_array_unref);
  g_free (verdict->driver);
  g_free (verdict->reset_method);
  g_free (verdict);
}

/* the device at @addresses[@index]; verdict lists hold inventory members */
static const VmctlPciDevice *
device_at (const VmctlInventory *inventory, GArray *addresses, guint index)
{
  return vmctl_inventory_lookup (inventory, &g_array_index (addresses, VmctlPciAddress, index));
}

static void
format_address (const VmctlPciAddress *address, gchar text[VMCTL_PCI_ADDRESS_STRLEN])
{
  vmctl_pci_address_format (address, text);
}

/* Sort the group's members into the verdict's lists. */
static void
classify_group (VmctlVerdict *verdict, const VmctlInventory *inventory,
                const VmctlPciDevice *device)
{
  g_autoptr(GPtrArray) members = vmctl_inventory_group_members (inventory, device->iommu_group);

  for (guint i = 0; i < members->len; i++) {
    const VmctlPciDevice *member = g_ptr_array_index (members, i);
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];

    if (member == device)
      continue;
    format_address (&member->address, text);
    if (vmctl_pci_device_is_bridge (member)) {
      g_array_append_val (verdict->bridges, member->address);
    } else if (vmctl_pci_address_same_slot (&member->address, &device->address)) {
      g_array_append_val (verdict->companions, member->address);
    } else if (vmctl_pci_driver_is_vfio_safe (member->driver)) {
      g_array_append_val (verdict->peers, member->address);
      add_reason (verdict, "%s shares IOMMU group %d (%s); nothing else can use it while the VM runs",
                  text, device->iommu_group,
                  member->driver != NULL ? member->driver : "no driver");
    } else if (member->host_critical != NULL) {
      /* the kernel still needs it off its driver: only another slot helps */
      g_array_append_val (verdict->blockers, member->address);
      add_reason (verdict, "%s shares IOMMU group %d and is in use by the host (driver %s); "
                  "it is host-critical (%s) and can never be assigned: move the card to a "
                  "slot with its own group", text, device->iommu_group, member->driver,
                  member->host_critical);
    } else {
      g_array_append_val (verdict->blockers, member->address);
      add_reason (verdict, "%s shares IOMMU group %d and is in use by the host (driver %s); "
                  "assign it too with --hostdev %s, or move the card to a slot with its own group",
                  text, device->iommu_group, member->driver, text);
    }
  }
}

static void
find_siblings (VmctlVerdict *verdict, const VmctlInventory *inventory,
               const VmctlPciDevice *device)
{
  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *other = g_ptr_array_index (inventory->devices, i);

    if (other == device || vmctl_pci_device_is_bridge (other)
        || !vmctl_pci_address_same_slot (&other->address, &device->address))
      continue;
    /* same group members are companions; no group at all is reported once */
    if (other->iommu_group == device->iommu_group)
      continue;
    g_array_append_val (verdict->siblings, other->address);
  }
}

static void
add_device_reasons (VmctlVerdict *verdict, const VmctlPciDevice *device,
                    const VmctlQuirks *quirks)
{
  const gchar *problem = vmctl_quirks_reset_problem (quirks, device->vendor_id, device->device_id);

  /* when host use was looked at, it says this itself (the console) */
  if (device->host_use == NULL && device->boot_vga == VMCTL_TRISTATE_YES && device->driver != NULL
      && !vmctl_pci_driver_is_vfio_safe (device->driver))
    add_reason (verdict, "boot VGA device bound to %s: it is the host's console; detaching it "
                "blanks the host display and needs --force", device->driver);
  if (problem != NULL)
    add_reason (verdict, "%s", problem);
  else if (device->can_reset == VMCTL_TRISTATE_NO)
    add_reason (verdict, "no reset method (no FLR, no bus reset): the device may keep guest "
                "state between VM starts");
  for (guint i = 0; i < device->problems->len; i++)
    add_reason (verdict, "could not read %s", (const gchar *) g_ptr_array_index (device->problems, i));
}

/**
 * vmctl_verdict_add_host_use:
 * @out: (element-type utf8): gets one "ADDR is in use by the host: WHY"
 *   per way the host uses @device
 *
 * Returns: FALSE when nobody looked (host_use is NULL), TRUE otherwise
 */
gboolean
vmctl_verdict_add_host_use (const VmctlPciDevice *device, GPtrArray *out)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  if (device->host_use == NULL)
    return FALSE;
  vmctl_pci_address_format (&device->address, text);
  for (guint i = 0; i < device->host_use->len; i++) {
    const gchar *use = g_ptr_array_index (device->host_use, i);

    g_ptr_array_add (out, g_strdup_printf ("%s is in use by the host: %s", text, use));
  }
  return TRUE;
}

/* A host-critical function among what would move: refused, with the
 * sentence every layer uses. */
static void
check_host_critical (VmctlVerdict *verdict, const VmctlPciDevice *device, const gchar *role)
{
  g_autofree gchar *refusal = NULL;

  if (device->host_critical == NULL)
    return;
  g_array_append_val (verdict->host_critical, device->address);
  refusal = vmctl_host_critical_refusal (role, &device->address, device->host_critical);
  add_reason (verdict, "%s", refusal);
}

/* Whether a sibling would go along with the device: the plan takes the
 * passable ones; host-critical ones and those in no group stay behind. */
static gboolean
sibling_moves (const VmctlPciDevice *sibling)
{
  return sibling->iommu_group != VMCTL_PCI_NO_GROUP && sibling->host_critical == NULL;
}

/* The host's use of everything that would move: the device, its
 * companions and the siblings that go along. host_use stays NULL when any
 * of them was not looked at: unknown is said, never taken for "unused". */
static void
check_host_use (VmctlVerdict *verdict, const VmctlInventory *inventory,
                const VmctlPciDevice *device)
{
  g_autoptr(GPtrArray) moving = g_ptr_array_new ();
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  gboolean known = TRUE;

  g_ptr_array_add (moving, (gpointer) device);
  for (guint i = 0; i < verdict->companions->len; i++)
    g_ptr_array_add (moving, (gpointer) device_at (inventory, verdict->companions, i));
  for (guint i = 0; i < verdict->siblings->len; i++) {
    const VmctlPciDevice *sibling = device_at (inventory, verdict->siblings, i);

    if (sibling_moves (sibling))
      g_ptr_array_add (moving, (gpointer) sibling);
  }
  for (guint i = 0; i < moving->len; i++) {
    const VmctlPciDevice *function = g_ptr_array_index (moving, i);

    /* refused already, whatever the host does with it */
    if (function->host_critical == NULL && !vmctl_verdict_add_host_use (function, found))
      known = FALSE;
  }
  for (guint i = 0; i < found->len; i++)
    add_reason (verdict, "%s", (const gchar *) g_ptr_array_index (found, i));
  if (found->len > 0)
    add_reason (verdict, "vmctl create and gpu detach take what the host uses only with --force");
  if (!known) {
    g_clear_pointer (&verdict->host_use, g_ptr_array_unref);
    if (inventory->source == VMCTL_INVENTORY_SOURCE_NODEDEV)
      add_reason (verdict, "whether the host uses it is unknown: libvirt does not report a "
                  "remote host's mounts, consoles or open device files");
    else
      add_reason (verdict, "whether the host uses it was not checked");
    return;
  }
  g_ptr_array_extend_and_steal (verdict->host_use, g_steal_pointer (&found));
}

/**
 * vmctl_verdict_compute:
 * @inventory: the host's PCI functions
 * @address: the device to pass through
 * @quirks: (nullable): known-bad devices
 * @error: VMCTL_PCI_ERROR_NOT_FOUND when @address is not in @inventory
 *
 * passable is TRUE exactly when the device is an endpoint in an IOMMU group,
 * no other endpoint of that group is held by a host driver, and nothing
 * that would move (the device, its companions, the siblings that go along)
 * is host-critical or in use by the host (device->host_use; unknown is a
 * reason, not a refusal). Reset trouble and idle peers are reasons only;
 * host-critical peers and siblings stay behind and change nothing.
 *
 * Returns: (transfer full): the verdict
 */
VmctlVerdict *
vmctl_verdict_compute (const VmctlInventory *inventory, const VmctlPciAddress *address,
                       const VmctlQuirks *quirks, GError **error)
{
  const VmctlPciDevice *device = vmctl_inventory_find (inventory, address, error);
  g_autoptr(VmctlVerdict) verdict = NULL;

  if (device == NULL)
    return NULL;
  verdict = verdict_new (device);

  if (vmctl_pci_device_is_bridge (device)) {
    g_autofree gchar *refusal = vmctl_pci_bridge_refusal (&device->address);

    add_reason (verdict, "%s", refusal);
    verdict->passable = FALSE;
    return g_steal_pointer (&verdict);
  }

  check_host_critical (verdict, device, NULL);
  if (device->iommu_group == VMCTL_PCI_NO_GROUP) {
    if (!inventory->iommu_enabled)
      add_reason (verdict, "no IOMMU groups on this host: the IOMMU is off "
                  "(enable VT-d/AMD-Vi in firmware, add intel_iommu=on iommu=pt on Intel; "
                  "see vmctl host check)");
    else
      add_reason (verdict, "the device is in no IOMMU group");
    verdict->passable = FALSE;
  } else {
    classify_group (verdict, inventory, device);
    verdict->passable = verdict->blockers->len == 0;
    for (guint i = 0; i < verdict->companions->len; i++)
      check_host_critical (verdict, device_at (inventory, verdict->companions, i), "companion");
  }

  find_siblings (verdict, inventory, device);
  for (guint i = 0; i < verdict->siblings->len; i++) {
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];
    const VmctlPciDevice *sibling = device_at (inventory, verdict->siblings, i);

    format_address (&sibling->address, text);
    if (sibling->host_critical != NULL) {
      g_autofree gchar *refusal = vmctl_host_critical_refusal ("sibling", &sibling->address,
                                                               sibling->host_critical);

      add_reason (verdict, "%s; it stays with the host", refusal);
    } else if (sibling->iommu_group == VMCTL_PCI_NO_GROUP) {
      add_reason (verdict, "%s is on the same card but in no IOMMU group; it cannot go along",
                  text);
    } else {
      add_reason (verdict, "%s is on the same card in IOMMU group %d; vmctl create --gpu assigns it too",
                  text, sibling->iommu_group);
    }
  }
  check_host_use (verdict, inventory, device);
  if (verdict->host_critical->len > 0
      || (verdict->host_use != NULL && verdict->host_use->len > 0))
    verdict->passable = FALSE;
  add_device_reasons (verdict, device, quirks);
  return g_steal_pointer (&verdict);
}
