/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-connect.c: which hypervisor URI, opening it, and libvirt errors as
 * GError. libvirt keeps one error per thread and clears it on the next
 * public call, so every failing call is converted right where it fails. */
#include "vmctl-connect.h"
#include "vmctl-connect-private.h"
#include "vmctl-libvirt.h"

#include <libvirt/virterror.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-virt-error-quark, vmctl_virt_error)

/**
 * vmctl_virt_init:
 *
 * Loads libvirt now, if it is installed, instead of at the first
 * connection (see vmctl-libvirt.h: vmctl does not link libvirt, so commands
 * that never connect do not pay for loading it). Safe to call from several
 * threads and several times; vmctl_connect_open() does the same itself and
 * reports a missing libvirt as an error.
 */
void
vmctl_virt_init (void)
{
  (void) vmctl_libvirt_load (NULL);
}

static const gchar *
non_empty (const gchar *value)
{
  return value != NULL && value[0] != '\0' ? value : NULL;
}

/**
 * vmctl_connect_resolve_uri:
 * @explicit_uri: (nullable): the URI given with -c/--connect
 *
 * Picks the hypervisor URI: @explicit_uri, else $VMCTL_DEFAULT_URI, else
 * $LIBVIRT_DEFAULT_URI, else "qemu:///system". Empty strings count as unset.
 *
 * Returns: (transfer none): the URI; it points into @explicit_uri, the
 * environment or a static string, so copy it before changing the environment
 */
const gchar *
vmctl_connect_resolve_uri (const gchar *explicit_uri)
{
  const gchar *uri;

  if ((uri = non_empty (explicit_uri)) != NULL)
    return uri;
  if ((uri = non_empty (g_getenv ("VMCTL_DEFAULT_URI"))) != NULL)
    return uri;
  if ((uri = non_empty (g_getenv ("LIBVIRT_DEFAULT_URI"))) != NULL)
    return uri;
  return "qemu:///system";
}

/**
 * vmctl_connect_uri_is_local:
 * @uri: a libvirt URI
 *
 * Whether @uri talks to the hypervisor of this machine, so that sysfs under
 * the host root describes the same host libvirt manages.
 *
 * Returns: TRUE for URIs without a server and without a "+transport"
 * ("qemu:///system", "qemu:///session"); FALSE for remote URIs, for
 * test:/// (the test driver serves an invented host) and for text that is
 * not a URI
 */
gboolean
vmctl_connect_uri_is_local (const gchar *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const gchar *scheme;
  const gchar *server;

  if (uri == NULL)
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  server = g_uri_get_host (parsed);
  if (scheme == NULL || strchr (scheme, '+') != NULL)
    return FALSE;
  if (g_ascii_strcasecmp (scheme, "test") == 0)
    return FALSE;
  return server == NULL || server[0] == '\0';
}

/* libvirt puts newlines in a few messages (ssh's stderr, for one); vmctl's
 * errors are one line */
static gchar *
one_line (const gchar *text)
{
  g_autofree gchar *copy = g_strdup (text != NULL ? text : "unknown libvirt error");

  for (gchar *p = copy; *p != '\0'; p++) {
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  }
  g_strstrip (copy);
  return g_steal_pointer (&copy);
}

static gboolean
contains (const gchar *haystack, const gchar *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

/* the client side of the remote driver saying nobody listens where the
 * daemon should: a missing unix socket or a refused TCP connection */
static gboolean
is_daemon_missing (const virError *error)
{
  if (error->code != VIR_ERR_NO_CONNECT && error->code != VIR_ERR_SYSTEM_ERROR)
    return FALSE;
  return contains (error->message, "Failed to connect socket")
         || contains (error->message, "libvirt-sock")
         || contains (error->message, "daemon")
         || contains (error->message, "Connection refused");
}

static VmctlVirtError
classify (const virError *error)
{
  /* URI syntax is checked by libvirt's URI module whatever the call */
  if (error->domain == VIR_FROM_URI)
    return VMCTL_VIRT_ERROR_BAD_URI;
  if (contains (error->message, "no connection driver available"))
    return VMCTL_VIRT_ERROR_BAD_URI;
  /* before the daemon test: a socket that exists but is not ours to open
   * reads "Failed to connect socket to ...: Permission denied" */
  if (error->code == VIR_ERR_SYSTEM_ERROR && contains (error->message, "Permission denied"))
    return VMCTL_VIRT_ERROR_DENIED;
  if (is_daemon_missing (error))
    return VMCTL_VIRT_ERROR_NO_DAEMON;

  switch (error->code) {
  case VIR_ERR_NO_CONNECT:
    /* what is left of NO_CONNECT is a scheme nobody serves */
    return VMCTL_VIRT_ERROR_BAD_URI;
  case VIR_ERR_NO_DOMAIN:
    return VMCTL_VIRT_ERROR_NO_DOMAIN;
  case VIR_ERR_NO_NODE_DEVICE:
    return VMCTL_VIRT_ERROR_NO_NODEDEV;
  case VIR_ERR_AUTH_FAILED:
  case VIR_ERR_AUTH_CANCELLED:
  case VIR_ERR_AUTH_UNAVAILABLE:
  case VIR_ERR_OPERATION_DENIED:
  case VIR_ERR_ACCESS_DENIED:
    return VMCTL_VIRT_ERROR_DENIED;
  case VIR_ERR_NO_SUPPORT:
  case VIR_ERR_OPERATION_UNSUPPORTED:
    return VMCTL_VIRT_ERROR_UNSUPPORTED;
  case VIR_ERR_INVALID_ARG:
    /* virConnectOpen() rejects a URI it cannot use with INVALID_ARG */
    if (contains (error->message, "URI"))
      return VMCTL_VIRT_ERROR_BAD_URI;
    return VMCTL_VIRT_ERROR_INVALID;
  case VIR_ERR_XML_ERROR:
  case VIR_ERR_CONFIG_UNSUPPORTED:
  case VIR_ERR_XML_DETAIL:
    return VMCTL_VIRT_ERROR_INVALID;
  case VIR_ERR_DOM_EXIST:
    return VMCTL_VIRT_ERROR_EXISTS;
  case VIR_ERR_OPERATION_INVALID:
  case VIR_ERR_OPERATION_FAILED:
    /* libvirt's shared domain list reports a duplicate name as
     * OPERATION_FAILED ("domain 'x' already exists with uuid ..."), other
     * paths use OPERATION_INVALID; only the text tells them apart */
    if (contains (error->message, "already exists")
        || contains (error->message, "is already defined"))
      return VMCTL_VIRT_ERROR_EXISTS;
    return VMCTL_VIRT_ERROR_FAILED;
  default:
    return VMCTL_VIRT_ERROR_FAILED;
  }
}

/**
 * vmctl_virt_set_error:
 * @error: (nullable): where to put the converted error
 * @what: what failed, e.g. "cannot connect to qemu:///system"; prefixed to
 *   libvirt's message
 *
 * Converts libvirt's last error of this thread into a VMCTL_VIRT_ERROR and
 * resets it. Call it right after the failing libvirt call, before any other
 * libvirt function (virFree included), which would clear the error. When
 * libvirt recorded nothing the code is VMCTL_VIRT_ERROR_FAILED.
 */
void
vmctl_virt_set_error (GError **error, const gchar *what)
{
  vmctl_virt_error_convert (sym_virGetLastError (), what, error);
  sym_virResetLastError ();
}

/* the conversion alone, for a given error: tests feed it errors a running
 * system cannot be made to raise on demand */
void
vmctl_virt_error_convert (const virError *raised, const gchar *what, GError **error)
{
  g_autofree gchar *message = NULL;
  VmctlVirtError code;

  if (raised == NULL) {
    g_set_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_FAILED,
                 "%s: libvirt gave no reason", what);
    return;
  }
  code = classify (raised);
  message = one_line (raised->message);
  if (code == VMCTL_VIRT_ERROR_NO_DAEMON && contains (message, "virtlogd"))
    /* libvirtd answered; the QEMU driver could not reach its log daemon */
    g_set_error (error, VMCTL_VIRT_ERROR, code,
                 "%s: %s; is virtlogd running? start it with "
                 "'systemctl start virtlogd.socket' or 'virtlogd -d'",
                 what, message);
  else if (code == VMCTL_VIRT_ERROR_NO_DAEMON)
    g_set_error (error, VMCTL_VIRT_ERROR, code,
                 "%s: %s; is libvirtd running? start it with "
                 "'systemctl start libvirtd' or 'libvirtd -d'", what, message);
  else
    g_set_error (error, VMCTL_VIRT_ERROR, code, "%s: %s", what, message);
}

/* The test driver loads the file named by the URI in-process; when it is
 * missing, libxml2 prints an I/O warning to stderr before libvirt returns a
 * generic XML error. Catch that case first and call it a bad URI. */
static gboolean
check_test_uri (const gchar *uri, GError **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  g_autofree gchar *path = NULL;
  const gchar *host;

  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "test") != 0)
    return TRUE;
  host = g_uri_get_host (parsed);
  if (host != NULL && host[0] != '\0')
    return TRUE;  /* served by a remote daemon: its files are not ours to see */
  path = g_uri_unescape_string (g_uri_get_path (parsed), NULL);
  if (path == NULL || g_strcmp0 (path, "/default") == 0 || path[0] != '/')
    return TRUE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_BAD_URI,
                 "cannot connect to %s: test driver file '%s' does not exist",
                 uri, path);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_connect_open:
 * @uri: (nullable): a libvirt URI; NULL picks one with
 *   vmctl_connect_resolve_uri()
 * @read_only: open with virConnectOpenReadOnly(), enough for queries and
 *   allowed to more users on most hosts
 * @error: a VMCTL_VIRT_ERROR: NO_DAEMON (with how to start it), DENIED,
 *   BAD_URI or FAILED
 *
 * Returns: (transfer full): the connection, release with virConnectClose()
 * or g_autoptr(VmctlConnect); NULL on failure
 */
virConnectPtr
vmctl_connect_open (const gchar *uri, gboolean read_only, GError **error)
{
  g_autofree gchar *what = NULL;
  virConnectPtr connection;

  if (!vmctl_libvirt_load (error))
    return NULL;
  if (uri == NULL)
    uri = vmctl_connect_resolve_uri (NULL);
  if (!check_test_uri (uri, error))
    return NULL;

  connection = read_only ? sym_virConnectOpenReadOnly (uri) : sym_virConnectOpen (uri);
  if (connection == NULL) {
    what = g_strdup_printf ("cannot connect to %s", uri);
    vmctl_virt_set_error (error, what);
    return NULL;
  }
  return connection;
}
