/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host.c: the host-root seam: paths, reads, and bad roots. */
#include "vmctl-host-private.h"
#include "vmctl-test-util.h"

#include <glib/gstdio.h>
#include <unistd.h>

typedef struct {
  gchar *root;
  VmctlHost *host;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = g_dir_make_tmp ("vmctl-host-XXXXXX", &error);
  g_assert_no_error (error);
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/x/vendor", "0x10de\n");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/x/class", "0x030000\n");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/x/empty", "");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/x/blank", "  \n\n");
  vmctl_test_write (fixture->root, "sys/bus/pci/devices/x/garbage", "0xzz\n");
  vmctl_test_write (fixture->root, "sys/bus/pci/drivers/nvidia/bind", "");
  vmctl_test_write (fixture->root, "proc/cmdline", "quiet intel_iommu=on\nsecond line\n");
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static void
test_paths (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = vmctl_host_path (fixture->host, "/proc/cmdline");
  g_autofree gchar *joined = vmctl_host_pathv (fixture->host, "/sys/bus/pci/devices", "x", "class", NULL);
  g_autofree gchar *expected = g_build_filename (vmctl_host_get_root (fixture->host), "proc/cmdline", NULL);

  g_assert_cmpstr (path, ==, expected);
  g_assert_true (g_str_has_suffix (joined, "/sys/bus/pci/devices/x/class"));
  g_assert_true (g_str_has_prefix (joined, vmctl_host_get_root (fixture->host)));
  g_assert_false (vmctl_host_is_real (fixture->host));
  g_assert_true (vmctl_host_exists (fixture->host, "/proc/cmdline"));
  g_assert_false (vmctl_host_exists (fixture->host, "/proc/cpuinfo"));
}

static void
test_reads (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = vmctl_host_read_line (fixture->host, "/proc/cmdline", &error);
  guint64 value = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "quiet intel_iommu=on");
  g_assert_true (vmctl_host_read_hex (fixture->host, "/sys/bus/pci/devices/x/vendor", &value, &error));
  g_assert_cmpuint (value, ==, 0x10de);
  g_assert_true (vmctl_host_read_hex (fixture->host, "/sys/bus/pci/devices/x/class", &value, &error));
  g_assert_cmpuint (value, ==, 0x030000);
}

static void
test_bad_reads (Fixture *fixture, gconstpointer data)
{
  guint64 value = 42;
  struct {
    const gchar *path;
    gint code;
  } cases[] = {
    { "/sys/bus/pci/devices/x/missing", VMCTL_HOST_ERROR_NOT_FOUND },
    { "/sys/bus/pci/devices/x/empty", VMCTL_HOST_ERROR_EMPTY },
    { "/sys/bus/pci/devices/x/blank", VMCTL_HOST_ERROR_EMPTY },
    { "/sys/bus/pci/devices/x/garbage", VMCTL_HOST_ERROR_READ },
    { "/sys/bus/pci/devices/x", VMCTL_HOST_ERROR_READ },  /* a directory */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;

    g_assert_false (vmctl_host_read_hex (fixture->host, cases[i].path, &value, &error));
    g_assert_error (error, VMCTL_HOST_ERROR, cases[i].code);
    /* the message names the host path, not the fixture directory */
    g_assert_true (g_str_has_prefix (error->message, cases[i].path));
    g_assert_cmpuint (value, ==, 42);
  }
}

static void
test_links (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *device = g_build_filename (fixture->root, "sys/bus/pci/devices/x", NULL);
  g_autofree gchar *link = g_build_filename (device, "driver", NULL);
  g_autofree gchar *dangling = g_build_filename (device, "iommu_group", NULL);
  g_autofree gchar *name = NULL;
  g_autofree gchar *group = NULL;
  g_autofree gchar *none = NULL;

  g_assert_cmpint (symlink ("../../drivers/nvidia", link), ==, 0);
  g_assert_cmpint (symlink ("../../../../kernel/iommu_groups/14", dangling), ==, 0);
  name = vmctl_host_read_link_name (fixture->host, "/sys/bus/pci/devices/x/driver");
  group = vmctl_host_read_link_name (fixture->host, "/sys/bus/pci/devices/x/iommu_group");
  none = vmctl_host_read_link_name (fixture->host, "/sys/bus/pci/devices/x/vendor");
  g_assert_cmpstr (name, ==, "nvidia");
  g_assert_cmpstr (group, ==, "14");
  g_assert_null (none);
}

static void
test_bad_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new ("/nonexistent/vmctl/root", &error);
  g_autoptr(VmctlHost) file_root = NULL;
  g_autoptr(VmctlHost) real = NULL;

  g_assert_null (host);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_BAD_ROOT);
  g_clear_error (&error);
  file_root = vmctl_host_new ("/proc/cmdline", &error);
  g_assert_null (file_root);
  g_assert_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_BAD_ROOT);
  g_clear_error (&error);
  real = vmctl_host_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (vmctl_host_is_real (real));
  g_assert_cmpstr (vmctl_host_get_root (real), ==, "/");
}

/* Only the kernel's three-digit octal escapes are decoded; other
 * backslashes are characters (tests/fuzz/fuzz-mounts found the trailing
 * one that made g_strcompress() warn). */
static void
test_unescape_field (void)
{
  static const struct {
    const gchar *field;
    const gchar *decoded;
  } cases[] = {
    { "/mnt/my\\040disk", "/mnt/my disk" },
    { "tab\\011newline\\012backslash\\134", "tab\tnewline\nbackslash\\" },
    { "/mnt/odd\\", "/mnt/odd\\" },
    { "\\", "\\" },
    { "\\04", "\\04" },
    { "\\000cut", "\\000cut" },
    { "\\400", "\\400" },
    { "\\n\\t", "\\n\\t" },
    { "\\377", "\377" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *decoded = vmctl_host_unescape_field (cases[i].field);

    g_assert_cmpstr (decoded, ==, cases[i].decoded);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vmctl/host/paths", Fixture, NULL, setup, test_paths, teardown);
  g_test_add ("/vmctl/host/reads", Fixture, NULL, setup, test_reads, teardown);
  g_test_add ("/vmctl/host/bad-reads", Fixture, NULL, setup, test_bad_reads, teardown);
  g_test_add ("/vmctl/host/links", Fixture, NULL, setup, test_links, teardown);
  g_test_add_func ("/vmctl/host/bad-root", test_bad_root);
  g_test_add_func ("/vmctl/host/unescape-field", test_unescape_field);
  return g_test_run ();
}
