/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-network.c: the libvirt networks a VM's interfaces use,
 * brought up before it starts. virDomainCreate fails with a bare
 * "network 'default' is not active" otherwise, and on Debian the default
 * network is defined but not always marked autostart (FACTS.md). */
#include "vmctl-lifecycle-private.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "vmctl-connect.h"

typedef virNetwork VmctlNetwork;

static void
network_free (virNetworkPtr network)
{
  if (vmctl_libvirt_load (NULL))
    sym_virNetworkFree (network);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlNetwork, network_free)

/* the networks of <interface type='network'>, in order, without repeats */
static GPtrArray *
interface_networks (virDomainPtr domain, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlXPathContext) context = NULL;
  g_autoptr(xmlXPathObject) found = NULL;
  char *xml = sym_virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);

  if (xml == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot read the definition of VM '%s'",
                                    sym_virDomainGetName (domain));
    return NULL;
  }
  document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  free (xml);
  if (document != NULL)
    context = xmlXPathNewContext (document);
  if (context != NULL)
    found = xmlXPathEvalExpression ((const xmlChar *)
                                    "/domain/devices/interface[@type='network']/source/@network",
                                    context);
  for (int i = 0; found != NULL && found->nodesetval != NULL && i < found->nodesetval->nodeNr; i++) {
    xmlChar *name = xmlNodeGetContent (found->nodesetval->nodeTab[i]);

    if (name != NULL && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
      g_ptr_array_add (names, g_strdup ((const gchar *) name));
    xmlFree (name);
  }
  return g_steal_pointer (&names);
}

/* what to do about libvirt's reason a network did not start */
static const gchar *
network_fix (const gchar *reason)
{
  /* libvirt's NAT network runs dnsmasq: "Cannot check dnsmasq binary
   * /usr/sbin/dnsmasq: No such file or directory" */
  if (reason != NULL && strstr (reason, "dnsmasq") != NULL)
    return "install dnsmasq-base (Debian/Ubuntu: apt install dnsmasq-base; Fedora: dnf "
           "install dnsmasq), then start the VM again";
  return "see 'virsh net-start NETWORK' and libvirtd's log; or recreate the VM with "
         "--network none or --network bridge=BR";
}

/**
 * vmctl_lifecycle_start_networks: (skip)
 * @domain: a defined, shut-off domain
 * @error: VMCTL_LIFECYCLE_ERROR_NETWORK with libvirt's reason and the fix
 *   when a network cannot start
 *
 * Starts every inactive libvirt network the domain's interfaces use, and
 * says so through the session's note function (the VM the subject): a
 * network left running is a change on the host the user should know of.
 */
gboolean
vmctl_lifecycle_start_networks (VmctlSession *session, virDomainPtr domain, GError **error)
{
  const gchar *vm = sym_virDomainGetName (domain);
  virConnectPtr connection = sym_virDomainGetConnect (domain);
  g_autoptr(GPtrArray) names = interface_networks (domain, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++) {
    const gchar *name = g_ptr_array_index (names, i);
    g_autoptr(VmctlNetwork) network = sym_virNetworkLookupByName (connection, name);
    g_autoptr(GError) reason = NULL;
    int active;

    /* a network that does not exist is libvirt's to report ("Network
     * not found"); create has warned of it */
    if (network == NULL) {
      sym_virResetLastError ();
      continue;
    }
    active = sym_virNetworkIsActive (network);
    if (active == 1)
      continue;
    if (active < 0 || sym_virNetworkCreate (network) < 0) {
      g_autofree gchar *what = g_strdup_printf ("network '%s'", name);

      vmctl_virt_set_error (&reason, what);
      g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NETWORK,
                   "VM '%s' needs network '%s', which is inactive and cannot start: %s; "
                   "fix: %s", vm, name, reason->message, network_fix (reason->message));
      return FALSE;
    }
    vmctl_session_note (session, vm, "started network '%s' (mark it autostart with: virsh "
                        "net-autostart %s)", name, name);
  }
  return TRUE;
}

/**
 * vmctl_network_note_missing:
 * @connection: the connection the VM is defined on
 * @name: a libvirt network name
 *
 * Returns: (transfer full) (nullable): a note when the network does not
 *   exist there (the VM could not start), NULL when it does or the
 *   driver cannot say
 */
gchar *
vmctl_network_note_missing (virConnectPtr connection, const gchar *name)
{
  g_autoptr(VmctlNetwork) network = NULL;
  virErrorPtr last;
  gboolean missing;

  g_return_val_if_fail (connection != NULL && name != NULL, NULL);
  network = sym_virNetworkLookupByName (connection, name);
  if (network != NULL)
    return NULL;
  last = sym_virGetLastError ();
  missing = last != NULL && last->code == VIR_ERR_NO_NETWORK;
  sym_virResetLastError ();
  if (!missing)
    return NULL;
  return g_strdup_printf ("libvirt has no network '%s': the VM cannot start until it exists "
                          "(Debian: apt install libvirt-daemon-config-network), or recreate "
                          "it with --network none or --network bridge=BR", name);
}
