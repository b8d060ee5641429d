/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-plan.c: from "--gpu 01:00.0 --hostdev 00:14.0" to the exact list
 * of host functions a VM gets. Each request runs the isolation verdict;
 * companions go along, siblings go along when they are passable on their
 * own, and blockers stop the plan unless they were requested too. A
 * host-critical function stops it in any role that would move it (a
 * host-critical sibling stays behind instead), and so does one the host
 * uses, unless forced. */
#include "vmctl-plan.h"

#include "vmctl-host-critical.h"
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
    g_string_append_printf (list, "%s%s (%s%s)", list->len > 0 ? ", " : "", text,
                            device != NULL && device->driver != NULL ? device->driver : "bound",
                            device != NULL && device->host_critical != NULL
                            ? ", host-critical: never assignable" : "");
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
  /* with host use known, the console is one of its uses (refused, or
   * noted as taken with --force) */
  if (device->host_use == NULL && verdict->boot_vga == VMCTL_TRISTATE_YES
      && !vmctl_pci_driver_is_vfio_safe (verdict->driver))
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

/* The first host-critical function the verdict found among what would
 * move (the request or a companion), as the error every layer gives. */
static void
set_host_critical_error (const VmctlVerdict *verdict, const VmctlInventory *inventory,
                         GError **error)
{
  const VmctlPciAddress *address = &g_array_index (verdict->host_critical, VmctlPciAddress, 0);
  const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);
  g_autofree gchar *refusal = NULL;

  refusal = vmctl_host_critical_refusal (vmctl_pci_address_equal (address, &verdict->address)
                                         ? NULL : "companion",
                                         address, device->host_critical);
  g_set_error_literal (error, VMCTL_HOST_CRITICAL_ERROR, VMCTL_HOST_CRITICAL_ERROR_REFUSED,
                       refusal);
}

typedef struct {
  VmctlPciAddress address;
  VmctlPlanRole role;
} Move;

/* The siblings that go along: passable on their own with the other
 * requests covering their blockers; the others stay behind with a note. */
static void
add_siblings (VmctlPlan *plan, GArray *moves, const VmctlVerdict *verdict,
              const VmctlInventory *inventory, const VmctlPciAddress *covered, guint n_covered,
              const VmctlQuirks *quirks)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&verdict->address, text);
  for (guint i = 0; i < verdict->siblings->len; i++) {
    const VmctlPciAddress *sibling = &g_array_index (verdict->siblings, VmctlPciAddress, i);
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, sibling);
    g_autoptr(VmctlVerdict) own = vmctl_verdict_compute (inventory, sibling, quirks, NULL);
    g_autofree gchar *sibling_blocked = NULL;
    gchar sibling_text[VMCTL_PCI_ADDRESS_STRLEN];
    Move move = { *sibling, VMCTL_PLAN_ROLE_SIBLING };

    vmctl_pci_address_format (sibling, sibling_text);
    if (device->host_critical != NULL) {
      g_autofree gchar *refusal = vmctl_host_critical_refusal ("sibling", sibling,
                                                               device->host_critical);

      note (plan, "%s (same card as %s) stays with the host: %s", sibling_text, text, refusal);
      continue;
    }
    if (own != NULL && own->iommu_group != VMCTL_PCI_NO_GROUP)
      sibling_blocked = uncovered_blockers (own, inventory, covered, n_covered);
    if (own == NULL || own->iommu_group == VMCTL_PCI_NO_GROUP || sibling_blocked != NULL) {
      note (plan, "%s (same card as %s) stays with the host: %s", sibling_text, text,
            sibling_blocked != NULL ? sibling_blocked : "it is in no IOMMU group");
      continue;
    }
    g_array_append_val (moves, move);
  }
}

/* What the host uses among @moves: refused unless forced, a note each
 * when forced. Functions nobody looked at (a remote host) count as
 * unknown, which the plan says once. */
static gboolean
check_host_use (VmctlPlan *plan, GArray *moves, const VmctlInventory *inventory,
                VmctlPlanFlags flags, gboolean *unknown, GError **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *joined = NULL;

  for (guint i = 0; i < moves->len; i++) {
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory,
                                                           &g_array_index (moves, Move, i).address);

    if (!vmctl_verdict_add_host_use (device, found))
      *unknown = TRUE;
  }
  if (found->len == 0)
    return TRUE;
  if (flags & VMCTL_PLAN_FORCE) {
    for (guint i = 0; i < found->len; i++)
      note (plan, "%s; taken anyway (--force)", (const gchar *) g_ptr_array_index (found, i));
    return TRUE;
  }
  g_ptr_array_add (found, NULL);
  joined = g_strjoinv ("; ", (gchar **) found->pdata);
  g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_HOST_IN_USE,
               "%s (--force takes it anyway)", joined);
  return FALSE;
}

/* One request (a --gpu or a --hostdev): its verdict, then the functions it
 * brings along. */
static gboolean
plan_request (VmctlPlan *plan, const VmctlInventory *inventory, const VmctlPciAddress *address,
              VmctlPlanRole role, const VmctlPciAddress *covered, guint n_covered,
              const VmctlQuirks *quirks, VmctlPlanFlags flags, gboolean *unknown_use,
              GError **error)
{
  g_autoptr(VmctlVerdict) verdict = vmctl_verdict_compute (inventory, address, quirks, error);
  g_autoptr(GArray) moves = g_array_new (FALSE, FALSE, sizeof (Move));
  const VmctlPciDevice *device;
  g_autofree gchar *blocked = NULL;
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  Move request = { *address, role };

  if (verdict == NULL)
    return FALSE;
  device = vmctl_inventory_lookup (inventory, address);
  vmctl_pci_address_format (address, text);
  if (vmctl_pci_device_is_bridge (device)) {
    g_autofree gchar *refusal = vmctl_pci_bridge_refusal (address);

    g_set_error_literal (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE, refusal);
    return FALSE;
  }
  /* before anything --hostdev or --force could change */
  if (verdict->host_critical->len > 0) {
    set_host_critical_error (verdict, inventory, error);
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

  g_array_append_val (moves, request);
  for (guint i = 0; i < verdict->companions->len; i++) {
    Move companion = { g_array_index (verdict->companions, VmctlPciAddress, i),
                       VMCTL_PLAN_ROLE_COMPANION };

    g_array_append_val (moves, companion);
  }
  add_siblings (plan, moves, verdict, inventory, covered, n_covered, quirks);
  if (!check_host_use (plan, moves, inventory, flags, unknown_use, error))
    return FALSE;
  for (guint i = 0; i < moves->len; i++) {
    const Move *move = &g_array_index (moves, Move, i);

    plan_add (plan, inventory, &move->address, move->role, address);
  }
  note_verdict (plan, verdict, inventory, quirks);
  return TRUE;
}

/**
 * vmctl_plan_compute:
 *
 * vmctl_plan_compute_full() without flags: functions the host uses are
 * refused.
 *
 * Returns: (transfer full): the plan
 */
VmctlPlan *
vmctl_plan_compute (const VmctlInventory *inventory,
                    const VmctlPciAddress *gpus, guint n_gpus,
                    const VmctlPciAddress *hostdevs, guint n_hostdevs,
                    const VmctlQuirks *quirks, GError **error)
{
  return vmctl_plan_compute_full (inventory, gpus, n_gpus, hostdevs, n_hostdevs, quirks,
                                  VMCTL_PLAN_FLAGS_NONE, error);
}

/**
 * vmctl_plan_compute_full:
 * @inventory: the host's PCI functions, host-critical ones marked
 *   (vmctl_host_critical_mark()) and host use filled in for what the
 *   requests can move (left NULL, it is unknown: not refused, and noted
 *   for a remote host)
 * @gpus: (array length=n_gpus): the --gpu addresses, in the order given
 * @hostdevs: (array length=n_hostdevs): the --hostdev addresses
 * @quirks: (nullable): known-bad devices, for notes
 * @flags: VMCTL_PLAN_FORCE takes functions the host uses
 * @error: VMCTL_PLAN_ERROR_DUPLICATE when an address is requested twice,
 *   VMCTL_PCI_ERROR_NOT_FOUND for an unknown one, VMCTL_PLAN_ERROR_BLOCKED
 *   when a group holds host-bound devices nobody requested,
 *   VMCTL_PLAN_ERROR_NOT_PASSABLE for bridges and group-less devices,
 *   VMCTL_HOST_CRITICAL_ERROR_REFUSED when a request or a companion is
 *   host-critical (whatever @flags say), VMCTL_PLAN_ERROR_HOST_IN_USE when
 *   the host uses something that would move and @flags do not force
 *
 * Returns: (transfer full): the plan
 */
VmctlPlan *
vmctl_plan_compute_full (const VmctlInventory *inventory,
                         const VmctlPciAddress *gpus, guint n_gpus,
                         const VmctlPciAddress *hostdevs, guint n_hostdevs,
                         const VmctlQuirks *quirks, VmctlPlanFlags flags, GError **error)
{
  g_autoptr(VmctlPlan) plan = plan_new ();
  gboolean unknown_use = FALSE;
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
                       quirks, flags, &unknown_use, error))
      return NULL;
  }
  /* a local caller that leaves host use to the engine (gpu detach) is
   * answered there; a remote host's is not known to anyone here */
  if (unknown_use && inventory->source == VMCTL_INVENTORY_SOURCE_NODEDEV)
    note (plan, "whether the host uses these functions is unknown: libvirt does not report a "
          "remote host's mounts, consoles or open device files");
  return g_steal_pointer (&plan);
}

static gboolean
in_group_of (const VmctlPlanFunction *function, const VmctlInventory *inventory,
             const VmctlPciAddress *addresses, guint n)
{
  for (guint i = 0; i < n; i++) {
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, &addresses[i]);

    if (device != NULL && function->iommu_group != VMCTL_PCI_NO_GROUP
        && device->iommu_group == function->iommu_group)
      return TRUE;
  }
  return FALSE;
}

/**
 * vmctl_plan_recheck:
 * @inventory: today's PCI functions, host-critical ones marked; host use
 *   may be left unknown (the engine checks it right before a move)
 * @functions: (array length=n): the functions a plan made earlier holds
 *   (a VM's, from its metadata)
 * @error: VMCTL_PLAN_ERROR_NOT_PASSABLE when one is gone,
 *   VMCTL_PLAN_ERROR_BLOCKED when its IOMMU group now holds a function
 *   the plan lacks, or the error vmctl_plan_compute_full() gives for
 *   these functions today
 *
 * Whether a plan made earlier still holds on today's topology (a new
 * card, a BIOS update regrouping slots): the plan is made again from the
 * same functions by the same rule as at create (vmctl_plan_compute_full(),
 * every function a request), and must need nothing in their IOMMU groups
 * that the old one did not take. Siblings it would add in other groups
 * change nothing: the kernel hands a group over as a whole, no more.
 */
gboolean
vmctl_plan_recheck (const VmctlInventory *inventory, const VmctlPciAddress *functions, guint n,
                    GError **error)
{
  g_autoptr(VmctlPlan) plan = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (inventory != NULL, FALSE);
  for (guint i = 0; i < n; i++) {
    if (vmctl_inventory_lookup (inventory, &functions[i]) == NULL) {
      gchar text[VMCTL_PCI_ADDRESS_STRLEN];

      vmctl_pci_address_format (&functions[i], text);
      /* not bad input: the host changed under a VM that was fine (exit 1) */
      g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE,
                   "%s, planned for this VM, is not on the host any more", text);
      return FALSE;
    }
  }
  plan = vmctl_plan_compute_full (inventory, NULL, 0, functions, n, NULL, VMCTL_PLAN_FLAGS_NONE,
                                  &local_error);
  if (plan == NULL) {
    /* a host-critical function says why itself */
    if (local_error->domain == VMCTL_PLAN_ERROR)
      g_prefix_error (&local_error, "the host changed since the VM was made: ");
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  for (guint i = 0; i < plan->functions->len; i++) {
    const VmctlPlanFunction *function = &g_array_index (plan->functions, VmctlPlanFunction, i);
    gchar text[VMCTL_PCI_ADDRESS_STRLEN], owner[VMCTL_PCI_ADDRESS_STRLEN];

    if (address_in (&function->address, functions, n)
        || !in_group_of (function, inventory, functions, n))
      continue;
    vmctl_pci_address_format (&function->address, text);
    vmctl_pci_address_format (&function->owner, owner);
    g_set_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_BLOCKED,
                 "IOMMU group %d changed since the VM was made: %s (%s) shares it with %s "
                 "and is not in the VM; recreate it with '--hostdev %s'",
                 function->iommu_group, text,
                 function->driver != NULL ? function->driver : "no driver", owner, text);
    return FALSE;
  }
  return TRUE;
}
