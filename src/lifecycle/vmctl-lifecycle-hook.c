/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-hook.c: the libvirt hook's "prepare" phase. A VM started
 * by anything but vmctl (libvirt autostart at boot, `virsh start`,
 * virt-manager) would otherwise find its GPU on the host driver: its
 * hostdevs are managed='no', so libvirt moves nothing. The hook runs the
 * same passthrough step as `vmctl start` (vmctl_lifecycle_prepare_host())
 * from the domain XML on stdin, and a failure fails the start. */
#include "vmctl-lifecycle-hook.h"
#include "vmctl-lifecycle-private.h"

#include "vmctl-domain-xml.h"
#include "vmctl-names.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

static gboolean
bad_xml (GError **error, const gchar *name, const gchar *why)
{
  g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
               "the domain XML of VM '%s' from libvirt %s", name, why);
  return FALSE;
}

/* vmctl's metadata element of @document as text of its own (namespace
 * declared on it, as libvirt's metadata API would return it); NULL when
 * the domain has none: it is not vmctl's */
static gchar *
metadata_text (xmlDocPtr document)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autoptr(xmlXPathObject) found = NULL;
  g_autoptr(xmlDoc) copy = NULL;
  xmlChar *text = NULL;
  gchar *result;
  int length = 0;
  xmlNodePtr node;

  if (context == NULL
      || xmlXPathRegisterNs (context, (const xmlChar *) "vmctl",
                             (const xmlChar *) VMCTL_METADATA_NAMESPACE) != 0)
    return NULL;
  found = xmlXPathEvalExpression ((const xmlChar *) "/domain/metadata/vmctl:vmctl", context);
  if (found == NULL || found->nodesetval == NULL || found->nodesetval->nodeNr == 0)
    return NULL;
  /* a document of its own, namespaces reconciled onto the copy: the
   * declaration may sit on an ancestor in libvirt's XML */
  copy = xmlNewDoc ((const xmlChar *) "1.0");
  node = xmlDocCopyNode (found->nodesetval->nodeTab[0], copy, 1);
  if (node == NULL)
    return NULL;
  xmlDocSetRootElement (copy, node);
  xmlReconciliateNs (copy, node);
  xmlDocDumpMemory (copy, &text, &length);
  result = g_strndup ((const gchar *) text, (gsize) MAX (length, 0));
  xmlFree (text);
  return result;
}

/* /domain/name, NULL when missing */
static gchar *
domain_name (xmlDocPtr document)
{
  xmlNodePtr root = xmlDocGetRootElement (document);

  for (xmlNodePtr node = root != NULL ? root->children : NULL; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && g_strcmp0 ((const gchar *) node->name, "name") == 0) {
      xmlChar *content = xmlNodeGetContent (node);
      gchar *name = g_strdup ((const gchar *) content);

      xmlFree (content);
      return name;
    }
  return NULL;
}

/**
 * vmctl_lifecycle_hook_wait_ms: (skip)
 *
 * Returns: how long the hook's calls wait for any one driver link or
 *   lock: $VMCTL_BIND_TIMEOUT_MS, or VMCTL_HOOK_WAIT_MS
 */
guint
vmctl_lifecycle_hook_wait_ms (void)
{
  const gchar *text = g_getenv ("VMCTL_BIND_TIMEOUT_MS");
  guint64 value;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL))
    return (guint) value;
  return VMCTL_HOOK_WAIT_MS;
}

/**
 * vmctl_lifecycle_hook_prepare:
 * @session: the host root and state directory of the host libvirt runs
 *   the VM on (the hook runs there); its connection is never opened
 * @name: the guest name libvirt passed to the hook
 * @domain_xml: (array length=length): the domain XML from the hook's stdin
 * @error: VMCTL_LIFECYCLE_ERROR_METADATA for a name or XML vmctl cannot
 *   accept, or the start's own errors (the plan no longer fits, a function
 *   held by another VM, a detach that failed and was undone)
 *
 * For a domain with vmctl's metadata: its planned functions to vfio-pci
 * (and its dynamic hugepages reserved), as `vmctl start` does, for @name.
 * A domain without it is none of vmctl's business: TRUE, nothing done.
 * While it runs it holds the VM's owner lock when it can have it at once;
 * when `vmctl start` holds it (this hook then runs inside that start, which
 * detached everything already and waits for libvirt) it goes on without:
 * the functions journaled for @name are used as they are. Any one wait
 * for a driver link or a lock is bounded (vmctl_lifecycle_hook_wait_ms()),
 * and the hook itself is too.
 */
gboolean
vmctl_lifecycle_hook_prepare (VmctlSession *session, const gchar *name,
                              const gchar *domain_xml, gsize length, GError **error)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(VmctlVmMetadata) metadata = NULL;
  g_autoptr(VmctlDeviceLock) owner_lock = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *named = NULL;

  g_return_val_if_fail (session != NULL && name != NULL, FALSE);
  /* the name becomes the journal's owner and a lock file's name */
  if (!vmctl_name_is_vm (name)) {
    g_autofree gchar *shown = g_strescape (name, NULL);

    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
                 "VM name '%s' is not one vmctl accepts (1 to %d letters, digits, '.', '_', "
                 "'+' or '-'): rename the domain", shown, VMCTL_NAME_VM_MAX);
    return FALSE;
  }
  if (domain_xml == NULL || length == 0 || length > VMCTL_HOOK_XML_MAX)
    return bad_xml (error, name, "is empty or too large");
  /* NONET and no entities: the text comes from whoever can define domains */
  document = xmlReadMemory (domain_xml, (int) length, "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == NULL)
    return bad_xml (error, name, "is not well-formed");
  named = domain_name (document);
  if (g_strcmp0 (named, name) != 0)
    return bad_xml (error, name, "names another domain");
  text = metadata_text (document);
  if (text == NULL)
    return TRUE;
  if (!vmctl_lifecycle_parse_metadata (name, text, &metadata, error))
    return FALSE;
  /* a recover meanwhile leaves the functions of a starting VM alone */
  owner_lock = vmctl_owner_lock_acquire (vmctl_session_get_state_dir (session), name, 0, NULL);
  return vmctl_lifecycle_prepare_host (session, NULL, name, document, metadata,
                                       vmctl_lifecycle_hook_wait_ms (), error);
}
