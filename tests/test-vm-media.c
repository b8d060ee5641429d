/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-vm-media.c: display URIs and media read back from domain XML
 * (src/lifecycle/vmctl-vm-media.c), for the cases the test driver cannot
 * serve: a remote connection's host, UNIX sockets, a VM without ports
 * yet, the older <os><boot dev> order. */
#include "vmctl-vm-media.h"

static GPtrArray *
displays_of (const gchar *devices, const gchar *uri)
{
  g_autofree gchar *xml = g_strdup_printf ("<domain type='kvm'><name>x</name><devices>%s"
                                           "</devices></domain>", devices);
  g_autoptr(GError) error = NULL;
  GPtrArray *displays = vmctl_display_list_from_xml (xml, uri, &error);

  g_assert_no_error (error);
  return displays;
}

static const gchar *
uri_at (GPtrArray *displays, guint index)
{
  g_assert_cmpuint (index, <, displays->len);
  return ((const VmctlDisplay *) g_ptr_array_index (displays, index))->uri;
}

/* a wildcard address is the connection's host: what a client can reach */
static void
test_remote_host (void)
{
  g_autoptr(GPtrArray) remote = displays_of ("<graphics type='spice' port='5900' listen='0.0.0.0'/>",
                                             "qemu+ssh://root@gpu-host/system");
  g_autoptr(GPtrArray) local = displays_of ("<graphics type='spice' port='5900'>"
                                            "<listen type='address' address='::'/></graphics>",
                                            "qemu:///system");
  g_autoptr(GPtrArray) loopback = displays_of ("<graphics type='vnc' port='5907'>"
                                               "<listen type='address' address='127.0.0.1'/>"
                                               "</graphics>", "qemu+ssh://gpu-host/system");

  g_assert_cmpstr (uri_at (remote, 0), ==, "spice://gpu-host:5900");
  g_assert_cmpstr (uri_at (local, 0), ==, "spice://localhost:5900");
  g_assert_cmpstr (uri_at (loopback, 0), ==, "vnc://127.0.0.1:7");
}

static void
test_socket_and_no_port (void)
{
  g_autoptr(GPtrArray) socket = displays_of ("<graphics type='vnc'><listen type='socket' "
                                             "socket='/run/libvirt/qemu/vnc.sock'/></graphics>",
                                             NULL);
  g_autoptr(GPtrArray) inactive = displays_of ("<graphics type='spice' autoport='yes'>"
                                               "<listen type='address' address='127.0.0.1'/>"
                                               "</graphics><graphics type='vnc' port='-1'/>",
                                               NULL);

  g_assert_cmpstr (uri_at (socket, 0), ==, "vnc+unix:///run/libvirt/qemu/vnc.sock");
  /* VNC first, as virsh lists them; no URI before the ports exist */
  g_assert_cmpstr (((const VmctlDisplay *) g_ptr_array_index (inactive, 0))->type, ==, "vnc");
  g_assert_null (uri_at (inactive, 0));
  g_assert_null (uri_at (inactive, 1));
}

static void
test_legacy_boot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlVmMedia) media = vmctl_vm_media_from_xml (
    "<domain type='kvm'><name>x</name><os><type>hvm</type><boot dev='hd'/><boot dev='cdrom'/>"
    "</os><devices><disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>"
    "</devices></domain>", NULL, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (media->boot->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (media->boot, 0), ==, "disk");
  g_assert_cmpstr (g_ptr_array_index (media->boot, 1), ==, "cdrom");
  g_assert_null (((VmctlVmDrive *) g_ptr_array_index (media->drives, 0))->source);
  g_assert_null (media->console);
}

static void
test_not_xml (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (vmctl_display_list_from_xml ("<domain", NULL, &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/vm-media/display/remote-host", test_remote_host);
  g_test_add_func ("/vmctl/vm-media/display/socket-and-no-port", test_socket_and_no_port);
  g_test_add_func ("/vmctl/vm-media/legacy-boot", test_legacy_boot);
  g_test_add_func ("/vmctl/vm-media/not-xml", test_not_xml);
  return g_test_run ();
}
