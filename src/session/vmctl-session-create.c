/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-create.c: `vmctl create` as one library call: the
 * passthrough plan for the spec's devices, the host facts asked once, the
 * spec finished with them, the domain XML, and the VM defined with the
 * volumes its size= disks ask for (or only the XML, for --print-xml). */
#include "vmctl-session-vm.h"

#include "vmctl-autocleanups.h"
#include "vmctl-domain-xml.h"
#include "vmctl-error.h"
#include "vmctl-plan.h"
#include "vmctl-session-private.h"

/* The plan for the spec's --gpu and --hostdev requests, from the host's
 * inventory and how the host uses what they would take. */
static VmctlPlan *
plan_for_spec (VmctlSession *session, const VmctlSpec *spec, GError **error)
{
  /* no names: create prints addresses only, and pci.ids would be most of
   * its run time */
  g_autoptr(VmctlInventory) inventory = vmctl_session_load_inventory (session,
                                                                      VMCTL_INVENTORY_FLAGS_NONE,
                                                                      error);
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(GArray) gpus = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));

  if (inventory == NULL)
    return NULL;
  quirks = vmctl_session_load_quirks (session, error);
  if (quirks == NULL)
    return NULL;
  for (guint i = 0; i < spec->gpus->len; i++)
    g_array_append_val (gpus, g_array_index (spec->gpus, VmctlSpecGpu, i).address);
  vmctl_session_load_host_use (session, inventory, (const VmctlPciAddress *) gpus->data,
                               gpus->len);
  vmctl_session_load_host_use (session, inventory, (const VmctlPciAddress *) spec->hostdevs->data,
                               spec->hostdevs->len);
  return vmctl_plan_compute_full (inventory, (const VmctlPciAddress *) gpus->data, gpus->len,
                                  (const VmctlPciAddress *) spec->hostdevs->data,
                                  spec->hostdevs->len, quirks,
                                  spec->force ? VMCTL_PLAN_FORCE : VMCTL_PLAN_FLAGS_NONE, error);
}

static void
note_all (VmctlSession *session, GPtrArray *notes)
{
  for (guint i = 0; i < notes->len; i++)
    vmctl_session_note (session, NULL, "%s", (const gchar *) g_ptr_array_index (notes, i));
}

static gboolean
define (VmctlSession *session, VmctlSpec *spec, xmlDoc *document, GError **error)
{
  virConnectPtr connection = vmctl_session_get_connection (session, FALSE, error);

  if (connection == NULL || !vmctl_vm_define (connection, spec, document, error))
    return FALSE;
  if (spec->network == VMCTL_NETWORK_DEFAULT) {
    g_autofree gchar *missing = vmctl_network_note_missing (connection, "default");

    if (missing != NULL)
      vmctl_spec_add_note (spec, "%s", missing);
  }
  return TRUE;
}

static gchar *
create (VmctlSession *session, VmctlSpec *spec, VmctlCreateFlags flags, GError **error)
{
  g_autoptr(VmctlPlan) plan = plan_for_spec (session, spec, error);
  g_autoptr(xmlDoc) document = NULL;
  VmctlHostFacts *facts;

  if (plan == NULL)
    return NULL;
  /* the host that will run the VM, asked once: its libvirt, or the files
   * of a given host root (vmctl_host_facts_gather() says which); its notes
   * come with the spec's */
  facts = vmctl_session_get_facts_noting (session, spec->notes, error);
  if (facts == NULL || !vmctl_spec_finalize_with_facts (spec, facts, error))
    return NULL;
  document = vmctl_domain_xml_build_with_facts (facts, spec, plan, error);
  if (document == NULL
      || (!(flags & VMCTL_CREATE_PRINT_XML) && !define (session, spec, document, error)))
    return NULL;
  note_all (session, spec->notes);
  note_all (session, plan->notes);
  return vmctl_domain_xml_to_string (document);
}

/**
 * vmctl_session_create:
 * @session: the host the VM is for: its PCI functions (host root or
 *   remote node devices), its facts, and the connection it is defined on
 * @spec: (inout): the VM as asked (vmctl_spec_new_from_profile() and the
 *   setters); finished here with what the host can do
 * @flags: VMCTL_CREATE_PRINT_XML to build the XML only
 * @error: a VMCTL_ERROR: VMCTL_ERROR_NOT_FOUND for an unknown device,
 *   VMCTL_ERROR_NOT_PASSABLE when the isolation verdict says no,
 *   VMCTL_ERROR_HOST_CRITICAL, VMCTL_ERROR_HOST_IN_USE (spec->force takes
 *   it), VMCTL_ERROR_EXISTS for a name already defined,
 *   VMCTL_ERROR_HYPERVISOR when libvirt refuses
 *
 * The whole of `vmctl create`: the plan for the spec's --gpu and --hostdev
 * requests (companions and passable siblings along, blockers refused
 * unless requested too), the host facts asked once, the spec finished
 * with them, the domain XML built, and the VM defined with the volumes
 * its size= disks ask for (deleted again when defining fails). What the
 * user should know (choices made for them, the facts' source, idle
 * devices in a group, a network libvirt lacks) goes to the session's note
 * function once the VM is made, with no subject; nothing is noted when it
 * fails.
 *
 * Returns: (transfer full): the domain XML, as defined (or, with
 *   VMCTL_CREATE_PRINT_XML, as it would be); NULL with @error
 */
gchar *
vmctl_session_create (VmctlSession *session, VmctlSpec *spec, VmctlCreateFlags flags,
                      GError **error)
{
  gchar *xml;

  g_return_val_if_fail (session != NULL && spec != NULL, NULL);
  xml = create (session, spec, flags, error);
  if (xml == NULL)
    vmctl_error_convert (error);
  return xml;
}
