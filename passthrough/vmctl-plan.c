/* vmctl-plan.c: from "--gpu 01:00.0 --hostdev 00:14.0" to the exact list
 * of host functions a VM gets. Each request runs the isolation verdict;
 * companions go along, siblings go along when they are passable on their
 * own, and blockers stop the plan unless they were requested too. */
#include "vmctl-plan.h"
#include "vmctl-verdict.h"

G_DEFINE_QUARK (vmctl-plan-error-quark, vmctl_plan_error)

/**
 * vmctl_plan_role_to_string:
 *
 * Returns: (transfer none): "gpu", "companion", "sibling" or "hostdev".
 * These are stored in the domain's vmctl metadata (role=): never change them.
 */
const gchar *
vmctl_plan_role_to_string (VmctlPlanRole role)
{
  switch (role) {
  case VMCTL_PLAN_ROLE_GPU:
    return "gpu";
  case VMCTL_PLAN_ROLE_COMPANION:
    return "companion";
  case VMCTL_PLAN_ROLE_SIBLING:
    return "sibling";
  case VMCTL_PLAN_ROLE_HOSTDEV:
  default:
    return "hostdev";
  }
}

static void
clear_function (gpointer data)
{
  VmctlPlanFunction *function = data;

  g_free (function->driver);
}

void
vmctl_plan_free (VmctlPlan *plan)
{
  if (plan == NULL)
    return;
  g_array_unref (plan->functions);
  g_ptr_array_unref (plan->notes);
  g_free (plan);
}

static VmctlPlan *
plan_new (void)
{
  VmctlPlan *plan = g_new0 (VmctlPlan, 1);

  plan->functions = g_array_new (FALSE, TRUE, sizeof (VmctlPlanFunction));
  g_array_set_clear_func (plan->functions, clear_function);
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  return plan;
}

static gboolean
address_in (const VmctlPciAddress *address, const VmctlPciAddress *list, guint n)
{
  for (guint i = 0; i < n; i++)
    if (vmctl_pci_address_equal (address, &list[i]))
      return TRUE;
  return FALSE;
}

static gboolean
plan_has (const VmctlPlan *plan, const VmctlPciAddress *address)
{
  for (guint i = 0; i < plan->functions->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (plan->functions, VmctlPlanFunction, i).address,
                                 address))
      return TRUE;
  return FALSE;
}

static void
plan_add (VmctlPlan *plan, const VmctlInventory *inventory, const VmctlPciAddress *address,
          VmctlPlanRole role, const VmctlPciAddress *owner)
{
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);
  VmctlPlanFunction function = { 0 };

  /* a function reached twice (a companion also given as --hostdev) keeps
   * the role it was first planned with */
  if (plan_has (plan, address))
    return;
  function.address = *address;
  function.role = role;
  function.owner = *owner;
  function.driver = g_strdup (device != NULL ? device->driver : NULL);
  function.iommu_group = device != NULL ? device->iommu_group : VMCTL_PCI_NO_GROUP;
  g_array_append_val (plan->functions, function);
}

static void
note (VmctlPlan *plan, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
note (VmctlPlan *plan, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (plan->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The blockers nobody asked for, as "0000:00:14.0 (xhci_hcd), ..." */
static gchar *
uncovered_blockers (const VmctlVerdict *verdict, const VmctlInventory *inventory,
                    const VmctlPciAddress *covered, guint n_covered)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < verdict->blockers->len; i++) {
    const VmctlPciAddress *blocker = &g_array_index (verdict->blockers, VmctlPciAddress, i);
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, blocker);
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];

    if (address_in (blocker, covered, n_covered))
      continue;
    vmctl_pci_address_format (blocker, text);
    g_string_append_printf (list, "%s%s (%s)", list->len > 0 ? ", " : "", text,
                            device != NULL && device->driver != NULL ? device->driver : "bound");
  }
  if (list->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* Boot VGA, idle peers and reset trouble do not stop a plan; the user
 * should still hear about them before the VM takes the card. */
static void
note_verdict (VmctlPlan *plan, const VmctlVerdict *verdict, const VmctlInventory *inventory,
              const VmctlQuirks *quirks)
{
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, &verdict->address);
  const gchar *problem = vmctl_quirks_reset_problem (quirks, device->vendor_id, device->device_id);
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&verdict->address, text);
  if (verdict->boot_vga == VMCTL_TRISTATE_YES && !vmctl_pci_driver_is_vfio_safe (verdict->driver))
    note (plan, "%s is the boot VGA device (driver %s): the host console goes dark while the "
          "VM runs", text, verdict->driver);
  if (problem != NULL)
    note (plan, "%s: %s", text, problem);
  else if (verdict->can_reset == VMCTL_TRISTATE_NO)
    note (plan, "%s has no reset method: it may keep guest state between VM starts", text);
  for (guint i = 0; i < verdict->peers->len; i++) {
    gchar peer[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&g_array_index (verdict->peers, VmctlPciAddress, i), peer);
    note (plan, "%s shares IOMMU group %d with %s: the host cannot use %s while the VM runs",
          peer, verdict->iommu_group, text, peer);
  }
}

/* One request (a --gpu or a --hostdev): its verdict, then the functions it
 * brings along. */
static gboolean
plan_request (VmctlPlan *plan, const VmctlInventory *inventory, const VmctlPciAddress *address,
              VmctlPlanRole role, const VmctlPciAddress *covered, guint n_covered,
              const VmctlQuirks *quirks, GError **error)
{
  g_autoptr(VmctlVerdict) verdict = vmctl_verdict_compute (inventory, address, quirks, error);
  const VmctlPciDevice *device;
  g_autofree gchar *blocked = NULL;
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  if (verdict == NULL)
    return FALSE;
  device = vmctl_inventory_lookup (inventory, address);
  vmctl_pci_address_format (address, text);
  if (vmctl_pci_device_is_bridge (device)) {
    g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE,
                 "%s is a PCI bridge; only endpoints can be given to a VM", text);
    return FALSE;
  }
  if (verdict->iommu_group == VMCTL_PCI_NO_GROUP) {
    g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE,
                 "%s is in no IOMMU group%s", text,
                 inventory->iommu_enabled ? "" : ": the IOMMU is off (see vmctl host check)");
    return FALSE;
  }
  blocked = uncovered_blockers (verdict, inventory, covered, n_covered);
  if (blocked != NULL) {
    g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_BLOCKED,
                 "%s shares IOMMU group %d with devices the host uses: %s; assign them too "
                 "with --hostdev, or move the card to a slot with its own group",
                 text, verdict->iommu_group, blocked);
    return FALSE;
  }

  plan_add (plan, inventory, address, role, address);
  for (guint i = 0; i < verdict->companions->len; i++)
    plan_add (plan, inventory, &g_array_index (verdict->companions, VmctlPciAddress, i),
              VMCTL_PLAN_ROLE_COMPANION, address);
  for (guint i = 0; i < verdict->siblings->len; i++) {
    const VmctlPciAddress *sibling = &g_array_index (verdict->siblings, VmctlPciAddress, i);
    g_autoptr(VmctlVerdict) own = vmctl_verdict_compute (inventory, sibling, quirks, NULL);
    g_autofree gchar *sibling_blocked = NULL;
    gchar sibling_text[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (sibling, sibling_text);
    if (own != NULL && own->iommu_group != VMCTL_PCI_NO_GROUP)
      sibling_blocked = uncovered_blockers (own, inventory, covered, n_covered);
    if (own == NULL || own->iommu_group == VMCTL_PCI_NO_GROUP || sibling_blocked != NULL) {
      note (plan, "%s (same card as %s) stays with the host: %s", sibling_text, text,
            sibling_blocked != NULL ? sibling_blocked : "it is in no IOMMU group");
      continue;
    }
    plan_add (plan, inventory, sibling, VMCTL_PLAN_ROLE_SIBLING, address);
  }
  note_verdict (plan, verdict, inventory, quirks);
  return TRUE;
}

/**
 * vmctl_plan_compute:
 * @inventory: the host's PCI functions
 * @gpus: (array length=n_gpus): the --gpu addresses, in the order given
 * @hostdevs: (array length=n_hostdevs): the --hostdev addresses
 * @quirks: (nullable): known-bad devices, for notes
 * @error: VMCTL_PLAN_ERROR_DUPLICATE when an address is requested twice,
 *   VMCTL_PCI_ERROR_NOT_FOUND for an unknown one, VMCTL_PLAN_ERROR_BLOCKED
 *   when a group holds host-bound devices nobody requested,
 *   VMCTL_PLAN_ERROR_NOT_PASSABLE for bridges and group-less devices
 *
 * Returns: (transfer full): the plan
 */
VmctlPlan *
vmctl_plan_compute (const VmctlInventory *inventory,
                    const VmctlPciAddress *gpus, guint n_gpus,
                    const VmctlPciAddress *hostdevs, guint n_hostdevs,
                    const VmctlQuirks *quirks, GError **error)
{
  g_autoptr(VmctlPlan) plan = plan_new ();
  g_autoptr(GArray) requested = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(GArray) covered = NULL;

  g_return_val_if_fail (inventory != NULL, NULL);
  g_array_append_vals (requested, gpus, n_gpus);
  g_array_append_vals (requested, hostdevs, n_hostdevs);
  for (guint i = 0; i < requested->len; i++) {
    const VmctlPciAddress *address = &g_array_index (requested, VmctlPciAddress, i);

    if (address_in (address, (const VmctlPciAddress *) requested->data, i)) {
      gchar text[VMCTL_PCI_ADDRESS_STRLEN];

      vmctl_pci_address_format (address, text);
      g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_DUPLICATE,
                   "%s is requested twice", text);
      return NULL;
    }
  }

  /* What the VM takes in the end covers a blocker: the requests and their
   * companions (with --gpu 05:00.0 --hostdev 00:14.0, the GPU's audio
   * function must not count as blocking the USB controller). */
  covered = g_array_copy (requested);
  for (guint i = 0; i < requested->len; i++) {
    g_autoptr(VmctlVerdict) verdict = vmctl_verdict_compute (inventory,
                                                             &g_array_index (requested, VmctlPciAddress, i),
                                                             quirks, error);

    if (verdict == NULL)
      return NULL;
    g_array_append_vals (covered, verdict->companions->data, verdict->companions->len);
  }

  for (guint i = 0; i < requested->len; i++) {
    const VmctlPciAddress *address = &g_array_index (requested, VmctlPciAddress, i);

    if (!plan_request (plan, inventory, address,
                       i < n_gpus ? VMCTL_PLAN_ROLE_GPU : VMCTL_PLAN_ROLE_HOSTDEV,
                       (const VmctlPciAddress *) covered->data, covered->len,
                       quirks, error))
      return NULL;
  }
  return g_steal_pointer (&plan);
}
