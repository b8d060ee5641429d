/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-host-setup.c: vmctl host setup for a session: the
 * functions to bind early come from the verdict (a GPU with its
 * companions and siblings, never a group half taken), the hugepages from
 * --hugepages or from the VMs defined with hugepages, and the files are
 * this machine's (or the host root's). */
#include "vmctl-session-host-setup.h"

#include "vmctl-autocleanups.h"
#include "vmctl-error.h"
#include "vmctl-hugepages.h"
#include "vmctl-libvirt.h"
#include "vmctl-plan.h"
#include "vmctl-size.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

/* the functions that go along with each --gpu, as create would plan them */
static GArray *
plan_functions (VmctlSession *session, const gchar * const *gpus, VmctlInventory **out_inventory,
                GError **error)
{
  g_autoptr(GArray) requested = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(GArray) functions = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(VmctlPlan) plan = NULL;

  for (guint i = 0; gpus != NULL && gpus[i] != NULL; i++) {
    VmctlPciAddress address;

    if (!vmctl_pci_address_parse (gpus[i], &address, error))
      return NULL;
    g_array_append_val (requested, address);
  }
  inventory = vmctl_session_load_inventory (session, VMCTL_INVENTORY_FLAGS_NONE, error);
  if (inventory == NULL)
    return NULL;
  if (requested->len > 0) {
    quirks = vmctl_session_load_quirks (session, error);
    if (quirks == NULL)
      return NULL;
    vmctl_session_load_host_use (session, inventory, (const VmctlPciAddress *) requested->data,
                                 requested->len);
    plan = vmctl_plan_compute_full (inventory, (const VmctlPciAddress *) requested->data,
                                    requested->len, NULL, 0, quirks, VMCTL_PLAN_FLAGS_NONE, error);
    if (plan == NULL)
      return NULL;
    for (guint i = 0; i < plan->functions->len; i++)
      g_array_append_val (functions,
                          g_array_index (plan->functions, VmctlPlanFunction, i).address);
  }
  *out_inventory = g_steal_pointer (&inventory);
  return g_steal_pointer (&functions);
}

/* one domain's hugepage-backed memory in KiB of @page_kib pages, 0 when
 * it has none */
static guint64
domain_hugepage_kib (const gchar *xml, guint64 page_kib)
{
  g_autoptr(xmlDoc) document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                                              XML_PARSE_NONET | XML_PARSE_NOERROR
                                              | XML_PARSE_NOWARNING);
  g_autoptr(xmlXPathContext) context = document != NULL ? xmlXPathNewContext (document) : NULL;
  g_autoptr(xmlXPathObject) backing = NULL;
  g_autoptr(xmlXPathObject) memory = NULL;
  g_autoptr(xmlXPathObject) size = NULL;

  if (context == NULL)
    return 0;
  backing = xmlXPathEvalExpression ((const xmlChar *) "/domain/memoryBacking/hugepages", context);
  if (backing == NULL || backing->nodesetval == NULL || backing->nodesetval->nodeNr == 0)
    return 0;
  /* pages of another size (1 GiB) are no business of vm.nr_hugepages */
  size = xmlXPathEvalExpression ((const xmlChar *) "number(/domain/memoryBacking/hugepages/page/@size)",
                                 context);
  if (size != NULL && !xmlXPathIsNaN (size->floatval) && (guint64) size->floatval != page_kib)
    return 0;
  memory = xmlXPathEvalExpression ((const xmlChar *) "number(/domain/memory)", context);
  return memory != NULL && !xmlXPathIsNaN (memory->floatval) ? (guint64) memory->floatval : 0;
}

/* what the VMs defined with hugepages need together, KiB; 0 with a note
 * when libvirt cannot say */
static guint64
defined_hugepage_kib (VmctlSession *session, GPtrArray *notes)
{
  g_autoptr(GError) local_error = NULL;
  virConnectPtr connection = vmctl_session_get_connection (session, TRUE, &local_error);
  guint64 page_kib = vmctl_hugepages_default_page_kib (vmctl_session_get_host (session));
  virDomainPtr *domains = NULL;
  guint64 total = 0;
  int n;

  if (connection == NULL) {
    g_ptr_array_add (notes, g_strdup_printf ("hugepages: cannot list the VMs (%s); give "
                                             "--hugepages SIZE", local_error->message));
    return 0;
  }
  n = sym_virConnectListAllDomains (connection, &domains, 0);
  for (int i = 0; i < n; i++) {
    char *xml = sym_virDomainGetXMLDesc (domains[i], VIR_DOMAIN_XML_INACTIVE);

    if (xml != NULL)
      total += domain_hugepage_kib (xml, page_kib);
    free (xml);
    sym_virDomainFree (domains[i]);
  }
  free (domains);
  if (n < 0)
    sym_virResetLastError ();
  return total;
}

/**
 * vmctl_session_host_setup:
 * @gpus: (nullable) (array zero-terminated=1): --gpu addresses to bind to
 *   vfio-pci at boot, with what goes along with each
 * @hugepages: (nullable): --hugepages SIZE; NULL sizes the pool from the
 *   VMs defined with hugepages
 * @mode: dry run (the default of the command), apply, undo
 * @force: undo even files changed since vmctl wrote them
 * @error: a VMCTL_ERROR: INVALID_INPUT for a bad address or size or a
 *   remote host, NOT_PASSABLE for a GPU that cannot be isolated, FAILED
 *   with what to do for a host vmctl cannot set up, STATE, HOST
 *
 * Returns: (transfer full): what changed or would change
 */
VmctlHostSetupReport *
vmctl_session_host_setup (VmctlSession *session, const gchar * const *gpus,
                          const gchar *hugepages, VmctlHostSetupMode mode, gboolean force,
                          GError **error)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(GArray) functions = NULL;
  VmctlHostSetupRequest request = { 0 };
  VmctlHostSetupReport *report;
  guint64 bytes = 0;

  g_return_val_if_fail (session != NULL, NULL);
  if (vmctl_session_uses_nodedev (session)) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT,
                 "host setup edits this machine's boot configuration: run it on the host that "
                 "runs the VMs, not over %s", vmctl_session_get_uri (session));
    return NULL;
  }
  if (hugepages != NULL && !vmctl_size_parse (hugepages, &bytes, error)) {
    vmctl_error_convert (error);
    return NULL;
  }
  if (mode == VMCTL_HOST_SETUP_APPLY || mode == VMCTL_HOST_SETUP_DRY_RUN) {
    functions = plan_functions (session, gpus, &inventory, error);
    if (functions == NULL) {
      vmctl_error_convert (error);
      return NULL;
    }
    request.hugepages_kib = hugepages != NULL ? bytes / 1024 : defined_hugepage_kib (session, notes);
  }
  request.inventory = inventory;
  request.functions = functions;
  request.force = force;
  report = vmctl_host_setup_run (vmctl_session_get_host (session),
                                 vmctl_session_get_state_dir (session), &request, mode, error);
  if (report == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  for (guint i = 0; i < notes->len; i++)
    g_ptr_array_add (report->notes, g_strdup (g_ptr_array_index (notes, i)));
  return report;
}
