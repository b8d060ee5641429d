/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-remote.c: gpu detach and reattach when the hypervisor is
 * another machine (-c qemu+ssh://... without --host-root): the plan comes
 * from that host's node devices and libvirt moves the functions there.
 * No journal is kept on this machine for them: the remote libvirt knows
 * which functions it detached, and `vmctl gpu reattach` gives back the
 * card's functions the remote host has on vfio-pci, unless a domain running
 * there uses one (--force overrides). */
#include "vmctl-cmd-gpu-private.h"

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-lifecycle.h"
#include "vmctl-plan.h"
#include "vmctl-vfio.h"
#include "vmctl-vfio-remote.h"

/* the plan for @address on the remote host; bridges and unknown
 * functions are bad input there too */
static GArray *
remote_plan (VmctlContext *context, const VmctlPciAddress *address, GArray *hostdevs,
             GError **error)
{
  g_autoptr(VmctlInventory) inventory = vmctl_session_load_inventory (context->session, VMCTL_INVENTORY_NAMES, error);
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(VmctlPlan) plan = NULL;
  const VmctlPciDevice *device;
  GArray *functions;

  if (inventory == NULL)
    return NULL;
  device = vmctl_inventory_find (inventory, address, error);
  if (device == NULL)
    return NULL;
  if (vmctl_pci_device_is_bridge (device)) {
    g_autofree gchar *refusal = vmctl_pci_bridge_refusal (address);

    g_set_error_literal (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE, refusal);
    return NULL;
  }
  quirks = vmctl_session_load_quirks (context->session, error);
  if (quirks == NULL)
    return NULL;
  plan = vmctl_plan_compute (inventory, address, 1, (const VmctlPciAddress *) hostdevs->data,
                             hostdevs->len, quirks, error);
  if (plan == NULL)
    return NULL;
  functions = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  for (guint i = 0; i < plan->functions->len; i++)
    g_array_append_val (functions, g_array_index (plan->functions, VmctlPlanFunction, i).address);
  return functions;
}

static void
print_result (VmctlContext *context, GPtrArray *actions, gboolean detach, gboolean dry_run)
{
  const gchar *member = detach ? "detached" : "reattached";
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (dry_run && !context->json) {
    vmctl_gpu_print_actions (actions);
    return;
  }
  if (!context->json) {
    for (guint i = 0; i < actions->len; i++)
      g_print ("%s\n", (const gchar *) g_ptr_array_index (actions, i));
    if (actions->len == 0)
      g_print ("nothing to do: %s\n", detach ? "every function is on vfio-pci already"
                                             : "no function of it is on vfio-pci");
    return;
  }
  json_builder_begin_object (builder);
  if (dry_run)
    vmctl_gpu_add_actions_json (builder, actions);
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < actions->len && !dry_run; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (actions, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

/* a function of @functions a domain running on @connection has as a
 * hostdev: taking it from under the guest is refused, naming the domain */
static gboolean
check_not_running (virConnectPtr connection, GArray *functions, GError **error)
{
  g_autoptr(GHashTable) users = vmctl_vm_running_hostdevs (connection, NULL, error);

  if (users == NULL) {
    g_prefix_error (error, "cannot tell whether a running VM uses them, so nothing was given "
                           "back (--force gives them back anyway): ");
    return FALSE;
  }
  for (guint i = 0; i < functions->len; i++) {
    g_autofree gchar *name = vmctl_pci_address_to_string (&g_array_index (functions,
                                                                          VmctlPciAddress, i));
    const gchar *vm = g_hash_table_lookup (users, name);

    if (vm != NULL) {
      g_set_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING,
                   "%s is in use by running VM '%s': stop it first, or give --force to take "
                   "it anyway", name, vm);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
remote_run (VmctlContext *context, const VmctlPciAddress *address, GArray *hostdevs,
            gboolean detach, gboolean force, gboolean dry_run, GError **error)
{
  g_autoptr(GArray) functions = remote_plan (context, address, hostdevs, error);
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);
  const VmctlPciAddress *list;
  gboolean ok;

  if (functions == NULL)
    return FALSE;
  connection = vmctl_connect_open (vmctl_session_get_uri (context->session), dry_run, error);
  if (connection == NULL)
    return FALSE;
  if (!detach && !force && !check_not_running (connection, functions, error))
    return FALSE;
  list = (const VmctlPciAddress *) functions->data;
  ok = detach ? vmctl_vfio_remote_detach (connection, list, functions->len, actions, dry_run, error)
              : vmctl_vfio_remote_reattach (connection, list, functions->len, actions, dry_run,
                                            error);
  if (ok)
    print_result (context, actions, detach, dry_run);
  return ok;
}

/**
 * vmctl_gpu_remote:
 * @detach: TRUE for gpu detach, FALSE for gpu reattach
 *
 * gpu detach / reattach of @address and its companions on the host the
 * connection names, through libvirt's node-device API; a reattach refuses
 * functions a domain running there uses.
 */
gboolean
vmctl_gpu_remote (VmctlContext *context, const VmctlPciAddress *address, GArray *hostdevs,
                  gboolean detach, gboolean dry_run, GError **error)
{
  return remote_run (context, address, hostdevs, detach, FALSE, dry_run, error);
}

/**
 * vmctl_gpu_remote_reattach:
 * @force: give back functions a running domain uses, too
 */
gboolean
vmctl_gpu_remote_reattach (VmctlContext *context, const VmctlPciAddress *address,
                           gboolean force, gboolean dry_run, GError **error)
{
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));

  return remote_run (context, address, none, FALSE, force, dry_run, error);
}
