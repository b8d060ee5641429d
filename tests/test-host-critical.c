/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-critical.c: the host-critical list as shipped, bad lists
 * refused, the marks it puts on the demo host, and the engine refusing a
 * host-critical function on its own, with --force and without a verdict. */
#include "vmctl-host-critical.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-vfio.h"
#include "vmctl-test-util.h"

#include <string.h>

static VmctlHostCritical *
shipped_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = vmctl_test_source_path ("data/host-critical.conf");
  VmctlHostCritical *list = vmctl_host_critical_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static void
test_shipped (void)
{
  g_autoptr(VmctlHostCritical) list = shipped_list ();
  static const struct {
    guint16 vendor, device;
    guint32 class_code;
    const gchar *what;    /* NULL: not host-critical */
  } cases[] = {
    { 0x8086, 0x4660, 0x060000, "host bridge, PCI class 0x0600" },
    { 0x8086, 0x7a84, 0x060100, "ISA/LPC bridge, PCI class 0x0601" },
    { 0x8086, 0x7aa3, 0x0c0500, "SMBus controller, PCI class 0x0c05" },
    { 0x8086, 0x7aa7, 0x050000, "RAM controller, PCI class 0x0500" },
    { 0x8086, 0x09ab, 0x080600, "IOMMU, PCI class 0x0806" },
    { 0x1022, 0x790e, 0x060100, "ISA/LPC bridge, PCI class 0x0601" },
    /* Intel's SPI-flash controllers say only "serial bus controller" */
    { 0x8086, 0x7aa4, 0x0c8000, "Alder Lake-S PCH SPI flash controller, PCI id 8086:7aa4" },
    { 0x8086, 0xa324, 0x0c8000, "Cannon Lake PCH SPI flash controller, PCI id 8086:a324" },
    /* ...and so does a Turing card's USB-C controller, which is no such thing */
    { 0x10de, 0x1ad9, 0x0c8000, NULL },
    { 0x10de, 0x2704, 0x030000, NULL },
    { 0x10de, 0x22bb, 0x040300, NULL },
    { 0x8086, 0x7ae0, 0x0c0330, NULL },
    { 0x144d, 0xa80a, 0x010802, NULL },
    { 0x8086, 0x7aa4 + 1, 0x0c8000, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%04x:%04x class %06x", cases[i].vendor, cases[i].device, cases[i].class_code);
    g_assert_cmpstr (vmctl_host_critical_lookup (list, cases[i].vendor, cases[i].device,
                                                 cases[i].class_code), ==, cases[i].what);
  }
}

static void
test_bad_lists (void)
{
  static const gchar *bad[] = {
    "[classes]\n06=host bridge\n",            /* subclass missing */
    "[classes]\n060000=host bridge\n",        /* prog-if is not part of it */
    "[classes]\nzz00=x\n",
    "[classes]\n0600=\n",                     /* says nothing */
    "[devices]\n8086-7aa4=SPI\n",
    "[devices]\n8086:7aa=SPI\n",
    "[devices]\n8086:7aa4:0=SPI\n",
    "[vendors]\n8086=everything Intel\n",     /* a group vmctl would ignore */
    "not a key file\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlHostCritical) list = vmctl_host_critical_load_from_data (bad[i], &error);

    g_test_message ("%s", bad[i]);
    g_assert_null (list);
    g_assert_nonnull (error);
  }
}

static void
test_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHostCritical) list = vmctl_host_critical_load ("/nonexistent/host-critical.conf",
                                                                &error);

  g_assert_null (list);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "host-critical PCI functions"));
}

/* data/demo-host: which functions the shipped list marks */
static void
test_mark_demo_host (void)
{
  g_autofree gchar *source = vmctl_test_source_path ("data/demo-host");
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new (source, &error);
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlHostCritical) list = shipped_list ();
  g_autoptr(GString) marked = g_string_new (NULL);

  g_assert_no_error (error);
  inventory = vmctl_inventory_from_sysfs (host, &error);
  g_assert_no_error (error);
  vmctl_host_critical_mark (list, inventory);
  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];

    /* bridges stay with the host by the isolation rule itself */
    if (device->host_critical == NULL || vmctl_pci_device_is_bridge (device))
      continue;
    vmctl_pci_address_format (&device->address, text);
    g_string_append_printf (marked, "%s%s", marked->len > 0 ? " " : "", text);
  }
  g_assert_cmpstr (marked->str, ==,
                   "0000:00:00.0 0000:00:14.2 0000:00:1f.0 0000:00:1f.4 0000:00:1f.5");
}

typedef struct {
  gchar *root;
  gchar *state;
  VmctlHost *host;
} EngineFixture;

static void
engine_setup (EngineFixture *fixture, gconstpointer data)
{
  g_autofree gchar *source = vmctl_test_source_path ("data/demo-host");
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_tree (source);
  fixture->state = g_dir_make_tmp ("vmctl-state-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
engine_teardown (EngineFixture *fixture, gconstpointer data)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->state);
  g_free (fixture->root);
  g_free (fixture->state);
}

static gchar *
read_override (EngineFixture *fixture, const gchar *address)
{
  g_autofree gchar *path = g_build_filename (fixture->root, "sys/bus/pci/devices", address,
                                             "driver_override", NULL);
  gchar *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* A caller that skips the verdict and forces: the engine still refuses the
 * SMBus controller, with the sentence the verdict uses, before any write. */
static void
test_engine_refuses (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (fixture->host, fixture->state, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *before = read_override (fixture, "0000:00:1f.4");
  g_autofree gchar *after = NULL;
  VmctlPciAddress addresses[2];

  g_assert_true (vmctl_pci_address_parse ("0000:00:1f.3", &addresses[0], NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:00:1f.4", &addresses[1], NULL));
  vmctl_vfio_set_force (vfio, TRUE);
  vmctl_vfio_set_bind_timeout (vfio, 100);
  g_assert_false (vmctl_vfio_detach (vfio, addresses, G_N_ELEMENTS (addresses), "", &error));
  g_assert_error (error, VMCTL_HOST_CRITICAL_ERROR, VMCTL_HOST_CRITICAL_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==,
                   "0000:00:1f.4 is host-critical (SMBus controller, PCI class 0x0c05): the "
                   "host needs it to run, so vmctl never moves it to vfio-pci, not even with "
                   "--force");
  g_assert_cmpuint (vmctl_vfio_get_actions (vfio)->len, ==, 0);
  after = read_override (fixture, "0000:00:1f.4");
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (vmctl_test_journal_files (fixture->state), <=, 0);
}

/* Without the list the engine cannot tell: it refuses to move anything. */
static void
test_engine_without_list (EngineFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (fixture->host, fixture->state, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *saved = g_strdup (g_getenv ("VMCTL_DATA_DIR"));
  VmctlPciAddress gpu;
  gboolean ok;

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &gpu, NULL));
  vmctl_vfio_set_dry_run (vfio, TRUE);
  g_setenv ("VMCTL_DATA_DIR", fixture->state, TRUE);
  ok = vmctl_vfio_detach (vfio, &gpu, 1, "", &error);
  g_setenv ("VMCTL_DATA_DIR", saved, TRUE);
  g_assert_false (ok);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_cmpuint (vmctl_vfio_get_actions (vfio)->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/host-critical/shipped", test_shipped);
  g_test_add_func ("/vmctl/host-critical/bad-lists", test_bad_lists);
  g_test_add_func ("/vmctl/host-critical/missing", test_missing);
  g_test_add_func ("/vmctl/host-critical/mark-demo-host", test_mark_demo_host);
  g_test_add ("/vmctl/host-critical/engine-refuses", EngineFixture, NULL, engine_setup,
              test_engine_refuses, engine_teardown);
  g_test_add ("/vmctl/host-critical/engine-without-list", EngineFixture, NULL, engine_setup,
              test_engine_without_list, engine_teardown);
  return g_test_run ();
}
