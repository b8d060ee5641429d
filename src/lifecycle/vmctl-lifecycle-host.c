/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-host.c: where start and stop make the host changes of
 * issue 13, and how a recovery gives back what a crash left:
 *   before the devices move   the single-GPU hand-off (metadata single-gpu);
 *   after they moved          a sleep inhibitor (a VM with a GPU), CPU
 *                             isolation (metadata isolate-cpus);
 *   after the stop            all of it given back, each independently.
 * Only on a host vmctl drives through sysfs: a remote host's consoles and
 * cgroups are not this machine's files. */
#include "vmctl-lifecycle-host.h"

#include "vmctl-domain-xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

VmctlHostRecovery *
vmctl_host_recovery_new (void)
{
  VmctlHostRecovery *recovery = g_new0 (VmctlHostRecovery, 1);

  recovery->given_back = g_ptr_array_new_with_free_func (g_free);
  recovery->kept = g_ptr_array_new_with_free_func (g_free);
  recovery->dropped = g_ptr_array_new_with_free_func (g_free);
  recovery->failed = g_ptr_array_new_with_free_func (g_free);
  return recovery;
}

void
vmctl_host_recovery_free (VmctlHostRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_ptr_array_unref (recovery->given_back);
  g_ptr_array_unref (recovery->kept);
  g_ptr_array_unref (recovery->dropped);
  g_ptr_array_unref (recovery->failed);
  g_free (recovery);
}

/**
 * vmctl_lifecycle_spec_says_yes: (skip)
 */
gboolean
vmctl_lifecycle_spec_says_yes (xmlNodePtr spec, const gchar *attribute)
{
  xmlChar *value = xmlGetProp (spec, (const xmlChar *) attribute);
  gboolean yes = g_strcmp0 ((const gchar *) value, "yes") == 0;

  xmlFree (value);
  return yes;
}

/* the host changes' object for the session's host, NULL (and TRUE) when
 * there is nothing of this kind to do here: a remote host, or nothing
 * recorded yet for a stop */
static gboolean
open_changes (VmctlSession *session, gboolean create, VmctlHostChanges **out_changes,
              GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *out_changes = NULL;
  if (vmctl_session_uses_nodedev (session))
    return TRUE;
  *out_changes = vmctl_host_changes_new (vmctl_session_get_host (session),
                                         vmctl_session_get_state_dir (session), create,
                                         &local_error);
  /* a stop by someone who cannot read the state directory (a user's VM
   * without devices): vmctl made no host change they could give back;
   * a record that is there but corrupt is reported by its own load */
  if (*out_changes != NULL || !create)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * vmctl_lifecycle_host_before_passthrough: (skip)
 *
 * The single-GPU hand-off, for a VM whose metadata asks for it.
 */
gboolean
vmctl_lifecycle_host_before_passthrough (VmctlSession *session, virDomainPtr domain,
                                         const VmctlVmMetadata *metadata, GError **error)
{
  g_autoptr(VmctlHostChanges) changes = NULL;
  g_autoptr(GArray) functions = NULL;

  if (metadata == NULL || !metadata->single_gpu || metadata->functions->len == 0)
    return TRUE;
  if (!open_changes (session, TRUE, &changes, error))
    return FALSE;
  if (changes == NULL)
    return TRUE;
  return vmctl_lifecycle_parse_functions (metadata->functions, &functions, error)
         && vmctl_single_gpu_hand_off (changes, sym_virDomainGetName (domain), functions, error);
}

/**
 * vmctl_lifecycle_host_after_passthrough: (skip)
 *
 * The sleep inhibitor for a VM with a GPU, CPU isolation when asked for.
 * On failure the caller runs the stop's step, which gives back both.
 */
gboolean
vmctl_lifecycle_host_after_passthrough (VmctlSession *session, virDomainPtr domain,
                                        const VmctlVmMetadata *metadata, GError **error)
{
  g_autoptr(VmctlHostChanges) changes = NULL;
  g_autoptr(GArray) cpus = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *why = NULL;
  const gchar *name = sym_virDomainGetName (domain);

  if (metadata == NULL || (metadata->gpus->len == 0 && !metadata->isolate_cpus))
    return TRUE;
  if (!open_changes (session, TRUE, &changes, error))
    return FALSE;
  if (changes == NULL)
    return TRUE;
  if (metadata->gpus->len > 0 && !vmctl_inhibit_acquire (changes, name, error))
    return FALSE;
  if (!metadata->isolate_cpus)
    return TRUE;
  /* a host that cannot do it still runs the VM, and is told so */
  if (!vmctl_isolation_available (changes, &why)) {
    vmctl_session_note (session, name, "%s", why);
    return TRUE;
  }
  cpus = vmctl_isolation_domain_cpus (domain, &local_error);
  if (cpus == NULL) {
    vmctl_session_note (session, name, "%s", local_error->message);
    return TRUE;
  }
  return vmctl_isolation_acquire (changes, name, cpus, error);
}

/**
 * vmctl_lifecycle_host_after_stop: (skip)
 * @name: the VM that stopped
 *
 * Gives back the VM's isolation, inhibitor and display, each tried even
 * when another fails; the first failure is returned. Part of the one
 * after-stop policy (vmctl-lifecycle-release.c), after the functions went
 * back to their drivers: the display's console and framebuffer rebind to
 * the GPU's own driver.
 */
gboolean
vmctl_lifecycle_host_after_stop (VmctlSession *session, const gchar *name, GError **error)
{
  g_autoptr(VmctlHostChanges) changes = NULL;
  g_autoptr(GError) isolation_error = NULL;
  g_autoptr(GError) inhibit_error = NULL;
  g_autoptr(GError) display_error = NULL;
  GError **first;

  if (!open_changes (session, FALSE, &changes, error))
    return FALSE;
  if (changes == NULL)
    return TRUE;
  (void) vmctl_isolation_release (changes, name, &isolation_error);
  (void) vmctl_inhibit_release (changes, name, &inhibit_error);
  (void) vmctl_single_gpu_give_back (changes, name, &display_error);
  first = isolation_error != NULL ? &isolation_error
          : inhibit_error != NULL ? &inhibit_error : &display_error;
  if (*first == NULL)
    return TRUE;
  g_propagate_prefixed_error (error, g_steal_pointer (first), "VM '%s': ", name);
  return FALSE;
}

/**
 * vmctl_host_recover_owned: (skip)
 *
 * Every record of @kind (single-gpu, inhibit) whose VM neither runs nor
 * is being started is given back; one of an earlier boot is dropped (the
 * reboot gave it back).
 */
void
vmctl_host_recover_owned (VmctlHostChanges *changes, VmctlHostRecordKind kind,
                          VmctlHostRunningFunc running, gpointer user_data,
                          VmctlHostRecovery *recovery)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = vmctl_host_journal_list (changes->journal, &problems, &error);
  const gchar *what = kind == VMCTL_HOST_RECORD_SINGLE_GPU ? "single-GPU hand-off"
                                                           : "sleep inhibitor";

  if (records == NULL) {
    g_ptr_array_add (recovery->failed, g_strdup (error->message));
    return;
  }
  for (guint i = 0; i < records->len; i++) {
    VmctlHostRecord *record = g_ptr_array_index (records, i);
    g_autoptr(GError) local_error = NULL;
    gboolean ok;

    if (record->kind != kind)
      continue;
    if (vmctl_host_journal_is_stale (changes->journal, record)) {
      (void) vmctl_host_journal_remove (changes->journal, record, NULL);
      g_ptr_array_add (recovery->dropped, g_strdup_printf ("%s for VM '%s' of an earlier boot",
                                                           what, record->owner));
      continue;
    }
    if (running (record->owner, user_data)) {
      g_ptr_array_add (recovery->kept, g_strdup_printf ("%s for running VM '%s'", what,
                                                        record->owner));
      continue;
    }
    ok = kind == VMCTL_HOST_RECORD_SINGLE_GPU
         ? vmctl_single_gpu_give_back (changes, record->owner, &local_error)
         : vmctl_inhibit_release (changes, record->owner, &local_error);
    g_ptr_array_add (ok ? recovery->given_back : recovery->failed,
                     ok ? g_strdup_printf ("%s of VM '%s'", what, record->owner)
                        : g_strdup_printf ("%s of VM '%s': %s", what, record->owner,
                                           local_error->message));
  }
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    g_ptr_array_add (recovery->failed, g_strdup (g_ptr_array_index (problems, i)));
}

/* ---- start --single-gpu ---- */

/**
 * vmctl_vm_set_single_gpu:
 * @session: the VM's connection (opened read-write)
 * @name: a VM made by vmctl
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM, _METADATA for a VM without vmctl
 *   metadata, or a VMCTL_VIRT_ERROR
 *
 * Marks the VM as the one the host's only display is handed to at start
 * (single-gpu="yes" in its vmctl metadata, in the persistent definition):
 * what `start --single-gpu` asks for, kept for later starts.
 */
gboolean
vmctl_vm_set_single_gpu (VmctlSession *session, const gchar *name, GError **error)
{
  virConnectPtr connection = vmctl_session_get_connection (session, FALSE, error);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GString) xml = NULL;
  xmlBufferPtr buffer;
  xmlNodePtr spec = NULL;
  char *text;

  if (connection == NULL)
    return FALSE;
  domain = vmctl_lifecycle_lookup (connection, name, error);
  if (domain == NULL)
    return FALSE;
  text = sym_virDomainGetMetadata (domain, VIR_DOMAIN_METADATA_ELEMENT, VMCTL_METADATA_NAMESPACE,
                                   VIR_DOMAIN_AFFECT_CONFIG);
  if (text == NULL) {
    sym_virResetLastError ();
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
                 "VM '%s' was not made by vmctl: --single-gpu needs its plan", name);
    return FALSE;
  }
  document = xmlReadMemory (text, (int) strlen (text), "metadata.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  free (text);
  for (xmlNodePtr node = document != NULL ? xmlDocGetRootElement (document)->children : NULL;
       node != NULL && spec == NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && g_strcmp0 ((const gchar *) node->name, "spec") == 0)
      spec = node;
  if (spec == NULL) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
                 "VM '%s' has invalid vmctl metadata: no <vmctl:spec>", name);
    return FALSE;
  }
  if (vmctl_lifecycle_spec_says_yes (spec, "single-gpu"))
    return TRUE;
  xmlSetProp (spec, (const xmlChar *) "single-gpu", (const xmlChar *) "yes");
  buffer = xmlBufferCreate ();
  xmlNodeDump (buffer, document, xmlDocGetRootElement (document), 0, 0);
  xml = g_string_new ((const gchar *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  if (sym_virDomainSetMetadata (domain, VIR_DOMAIN_METADATA_ELEMENT, xml->str,
                                VMCTL_METADATA_PREFIX, VMCTL_METADATA_NAMESPACE,
                                VIR_DOMAIN_AFFECT_CONFIG) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot mark VM '%s' for --single-gpu", name);
    return FALSE;
  }
  return TRUE;
}
