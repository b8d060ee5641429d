/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-connect.c: URI choice, locality and libvirt errors as GError. Uses
 * libvirt's in-process test driver on a throwaway node file, and a socket
 * path nobody listens on for the missing-daemon case. */
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-connect-private.h"
#include "vmctl-test-util.h"

typedef struct {
  gchar *dir;
  gchar *uri;   /* test:///<dir>/node.xml */
} ConnectFixture;

static void
connect_setup (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  fixture->dir = g_dir_make_tmp ("vmctl-test-connect-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "node.xml", NULL);
  /* an empty host: each connection gets its own copy of it, never the
   * process-wide state of test:///default */
  g_file_set_contents (path, "<node/>\n", -1, &error);
  g_assert_no_error (error);
  fixture->uri = g_strconcat ("test://", path, NULL);
}

static void
connect_teardown (ConnectFixture *fixture, gconstpointer data)
{
  vmctl_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->uri);
}

static void
test_resolve_order (void)
{
  /* meson sets LIBVIRT_DEFAULT_URI for every test; restore it after */
  g_autofree gchar *saved = g_strdup (g_getenv ("LIBVIRT_DEFAULT_URI"));

  g_unsetenv ("VMCTL_DEFAULT_URI");
  g_unsetenv ("LIBVIRT_DEFAULT_URI");
  g_assert_cmpstr (vmctl_connect_resolve_uri (NULL), ==, "qemu:///system");
  g_assert_cmpstr (vmctl_connect_resolve_uri (""), ==, "qemu:///system");

  g_setenv ("LIBVIRT_DEFAULT_URI", "qemu:///session", TRUE);
  g_assert_cmpstr (vmctl_connect_resolve_uri (NULL), ==, "qemu:///session");

  g_setenv ("VMCTL_DEFAULT_URI", "qemu+ssh://host/system", TRUE);
  g_assert_cmpstr (vmctl_connect_resolve_uri (NULL), ==, "qemu+ssh://host/system");
  g_assert_cmpstr (vmctl_connect_resolve_uri ("test:///x.xml"), ==, "test:///x.xml");

  /* an empty variable is how a shell clears an exported one */
  g_setenv ("VMCTL_DEFAULT_URI", "", TRUE);
  g_assert_cmpstr (vmctl_connect_resolve_uri (NULL), ==, "qemu:///session");
  g_setenv ("LIBVIRT_DEFAULT_URI", "", TRUE);
  g_assert_cmpstr (vmctl_connect_resolve_uri (NULL), ==, "qemu:///system");

  g_unsetenv ("VMCTL_DEFAULT_URI");
  if (saved != NULL)
    g_setenv ("LIBVIRT_DEFAULT_URI", saved, TRUE);
  else
    g_unsetenv ("LIBVIRT_DEFAULT_URI");
}

static void
test_is_local (void)
{
  g_assert_true (vmctl_connect_uri_is_local ("qemu:///system"));
  g_assert_true (vmctl_connect_uri_is_local ("qemu:///session"));
  g_assert_true (vmctl_connect_uri_is_local ("qemu:///system?socket=/run/x.sock"));
  g_assert_false (vmctl_connect_uri_is_local ("qemu+ssh://host/system"));
  g_assert_false (vmctl_connect_uri_is_local ("qemu+ssh://root@host:2222/system"));
  g_assert_false (vmctl_connect_uri_is_local ("qemu://host/system"));
  g_assert_false (vmctl_connect_uri_is_local ("qemu+tls://host.example/system"));
  g_assert_false (vmctl_connect_uri_is_local ("qemu+unix:///system"));
  g_assert_false (vmctl_connect_uri_is_local ("test:///default"));
  g_assert_false (vmctl_connect_uri_is_local ("test:///abs/path/host.xml"));
  g_assert_false (vmctl_connect_uri_is_local ("not a uri"));
  g_assert_false (vmctl_connect_uri_is_local (""));
  g_assert_false (vmctl_connect_uri_is_local (NULL));
}

static void
assert_one_line (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_false (g_str_has_suffix (error->message, " "));
}

static void
test_open_test_driver (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (connection);
  g_assert_cmpstr (virConnectGetType (connection), ==, "TEST");
}

static void
test_open_missing_test_file (void)
{
  g_autoptr(GError) error = NULL;
  virConnectPtr connection = vmctl_connect_open ("test:///nonexistent/vmctl/host.xml", TRUE, &error);

  g_assert_null (connection);
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_BAD_URI);
  g_assert_nonnull (strstr (error->message, "/nonexistent/vmctl/host.xml"));
  assert_one_line (error);
}

static void
test_open_malformed (void)
{
  g_autoptr(GError) error = NULL;
  virConnectPtr connection = vmctl_connect_open (":::not-a-uri", FALSE, &error);

  g_assert_null (connection);
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_BAD_URI);
  g_assert_true (g_str_has_prefix (error->message, "cannot connect to :::not-a-uri: "));
  assert_one_line (error);
}

static void
test_open_no_daemon (void)
{
  g_autoptr(GError) error = NULL;
  /* a socket path that cannot exist: the same failure as a stopped
   * libvirtd, whatever runs on the machine the tests run on */
  virConnectPtr connection = vmctl_connect_open ("qemu:///system?socket=/nonexistent/vmctl-test-sock",
                                                 TRUE, &error);

  g_assert_null (connection);
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_DAEMON);
  g_assert_nonnull (strstr (error->message, "is libvirtd running? start it with "
                                            "'systemctl start libvirtd' or 'libvirtd -d'"));
  g_assert_true (g_str_has_prefix (error->message, "cannot connect to qemu:///system"));
  assert_one_line (error);
  /* converted and reset: nothing left for a later call to trip over */
  g_assert_null (virGetLastError ());
}

/* libvirtd answers but its QEMU driver cannot reach virtlogd: the hint
 * must name the daemon that is actually missing */
static void
test_error_no_virtlogd (void)
{
  g_autoptr(GError) error = NULL;
  virError raised = {
    .code = VIR_ERR_SYSTEM_ERROR,
    .domain = VIR_FROM_RPC,
    .level = VIR_ERR_ERROR,
    .message = (char *) "Failed to connect socket to '/run/libvirt/virtlogd-sock': "
                        "Connection refused",
  };

  vmctl_virt_error_convert (&raised, "cannot start VM 'x'", &error);
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_DAEMON);
  g_assert_nonnull (strstr (error->message, "is virtlogd running?"));
  g_assert_null (strstr (error->message, "libvirtd running"));
  assert_one_line (error);
}

static void
test_error_no_domain (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, FALSE, &error);
  g_autoptr(VmctlDomain) domain = NULL;

  g_assert_no_error (error);
  domain = virDomainLookupByName (connection, "no-such-vm");
  g_assert_null (domain);
  vmctl_virt_set_error (&error, "no-such-vm");
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_DOMAIN);
  g_assert_true (g_str_has_prefix (error->message, "no-such-vm: "));
  assert_one_line (error);
}

static void
test_error_no_nodedev (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, FALSE, &error);
  g_autoptr(VmctlNodeDevice) device = NULL;

  g_assert_no_error (error);
  device = virNodeDeviceLookupByName (connection, "pci_0000_99_00_0");
  g_assert_null (device);
  vmctl_virt_set_error (&error, "0000:99:00.0");
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_NODEDEV);
}

static void
test_error_invalid_xml (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, FALSE, &error);
  g_autoptr(VmctlDomain) domain = NULL;

  g_assert_no_error (error);
  domain = virDomainDefineXML (connection, "<domain");
  g_assert_null (domain);
  vmctl_virt_set_error (&error, "define");
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_INVALID);
  /* libxml2's report spans three lines; vmctl's errors are one */
  assert_one_line (error);
}

static void
test_error_exists (ConnectFixture *fixture, gconstpointer data)
{
  static const gchar xml[] =
    "<domain type='test'><name>twice</name><memory>1024</memory>"
    "<os><type>hvm</type></os></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, FALSE, &error);
  g_autoptr(VmctlDomain) first = NULL;
  g_autoptr(VmctlDomain) second = NULL;

  g_assert_no_error (error);
  first = virDomainDefineXML (connection, xml);
  g_assert_nonnull (first);
  /* a new UUID each time: the name alone collides */
  second = virDomainCreateXML (connection, xml, 0);
  g_assert_null (second);
  vmctl_virt_set_error (&error, "twice");
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_EXISTS);
}

static void
test_error_invalid_argument (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (virConnectGetLibVersion (connection, NULL), <, 0);
  vmctl_virt_set_error (&error, "version");
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_INVALID);
}

static void
test_error_none_recorded (void)
{
  g_autoptr(GError) error = NULL;

  vmctl_virt_init ();
  virResetLastError ();
  vmctl_virt_set_error (&error, "nothing");
  g_assert_error (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "nothing: "));
}

static void
test_error_null_gerror (ConnectFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (fixture->uri, FALSE, &error);

  g_assert_no_error (error);
  g_assert_null (virDomainLookupByName (connection, "ghost"));
  /* callers that do not want the error still get libvirt's reset */
  vmctl_virt_set_error (NULL, "ghost");
  g_assert_null (virGetLastError ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vmctl_virt_init ();

  g_test_add_func ("/vmctl/connect/resolve/order", test_resolve_order);
  g_test_add_func ("/vmctl/connect/uri/is-local", test_is_local);
  g_test_add ("/vmctl/connect/open/test-driver", ConnectFixture, NULL,
              connect_setup, test_open_test_driver, connect_teardown);
  g_test_add_func ("/vmctl/connect/open/missing-test-file", test_open_missing_test_file);
  g_test_add_func ("/vmctl/connect/open/malformed", test_open_malformed);
  g_test_add_func ("/vmctl/connect/open/no-daemon", test_open_no_daemon);
  g_test_add ("/vmctl/connect/error/no-domain", ConnectFixture, NULL,
              connect_setup, test_error_no_domain, connect_teardown);
  g_test_add ("/vmctl/connect/error/no-nodedev", ConnectFixture, NULL,
              connect_setup, test_error_no_nodedev, connect_teardown);
  g_test_add ("/vmctl/connect/error/invalid-xml", ConnectFixture, NULL,
              connect_setup, test_error_invalid_xml, connect_teardown);
  g_test_add ("/vmctl/connect/error/exists", ConnectFixture, NULL,
              connect_setup, test_error_exists, connect_teardown);
  g_test_add ("/vmctl/connect/error/invalid-argument", ConnectFixture, NULL,
              connect_setup, test_error_invalid_argument, connect_teardown);
  g_test_add_func ("/vmctl/connect/error/no-virtlogd", test_error_no_virtlogd);
  g_test_add_func ("/vmctl/connect/error/none-recorded", test_error_none_recorded);
  g_test_add ("/vmctl/connect/error/null-gerror", ConnectFixture, NULL,
              connect_setup, test_error_null_gerror, connect_teardown);
  return g_test_run ();
}
