/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-plan.c: which functions a VM gets for a set of --gpu/--hostdev
 * requests, on the fixture hosts. */
#include "vmctl-plan.h"
#include "vmctl-host-critical.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-test-util.h"
#include "vmctl-verdict.h"
#include "vmctl-vfio.h"

#include <string.h>

typedef struct {
  gchar *root;
  VmctlInventory *inventory;
  VmctlQuirks *quirks;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = NULL;
  g_autofree gchar *quirks = vmctl_test_source_path ("data/quirks/reset-bug.conf");

  fixture->root = vmctl_test_copy_scenario (scenario);
  host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->inventory = vmctl_inventory_from_sysfs (host, &error);
  g_assert_no_error (error);
  fixture->quirks = vmctl_quirks_load (quirks, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer scenario)
{
  vmctl_inventory_free (fixture->inventory);
  vmctl_quirks_free (fixture->quirks);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static GArray *
addresses (const gchar *list)
{
  g_auto(GStrv) words = g_strsplit (list, " ", -1);
  GArray *result = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));

  for (guint i = 0; words[i] != NULL; i++) {
    VmctlPciAddress address;

    if (words[i][0] == '\0')
      continue;
    g_assert_true (vmctl_pci_address_parse (words[i], &address, NULL));
    g_array_append_val (result, address);
  }
  return result;
}

static VmctlPlan *
compute (Fixture *fixture, const gchar *gpus, const gchar *hostdevs, GError **error)
{
  g_autoptr(GArray) gpu_list = addresses (gpus);
  g_autoptr(GArray) hostdev_list = addresses (hostdevs);

  return vmctl_plan_compute (fixture->inventory,
                             (const VmctlPciAddress *) gpu_list->data, gpu_list->len,
                             (const VmctlPciAddress *) hostdev_list->data, hostdev_list->len,
                             fixture->quirks, error);
}

/* "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0 ..." */
static void
assert_plan (const VmctlPlan *plan, const gchar *expected)
{
  g_autoptr(GString) actual = g_string_new (NULL);

  for (guint i = 0; i < plan->functions->len; i++) {
    const VmctlPlanFunction *function = &g_array_index (plan->functions, VmctlPlanFunction, i);
    gchar address[VMCTL_PCI_ADDRESS_STRLEN], owner[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&function->address, address);
    vmctl_pci_address_format (&function->owner, owner);
    g_string_append_printf (actual, "%s%s=%s", i > 0 ? " " : "", address,
                            vmctl_plan_role_to_string (function->role));
    if (!vmctl_pci_address_equal (&function->address, &function->owner))
      g_string_append_printf (actual, "@%s", owner);
  }
  g_assert_cmpstr (actual->str, ==, expected);
}

static gboolean
has_note (const VmctlPlan *plan, const gchar *needle)
{
  for (guint i = 0; i < plan->notes->len; i++)
    if (strstr (g_ptr_array_index (plan->notes, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_clean (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "01:00.0", "", &error);
  const VmctlPlanFunction *gpu;

  g_assert_no_error (error);
  assert_plan (plan, "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0");
  gpu = &g_array_index (plan->functions, VmctlPlanFunction, 0);
  g_assert_cmpstr (gpu->driver, ==, "nvidia");
  g_assert_cmpint (gpu->iommu_group, ==, 1);
  g_assert_cmpuint (plan->notes->len, ==, 0);
}

/* a companion also given as --hostdev is planned once, as a companion */
static void
test_companion_requested (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "01:00.0", "01:00.1", &error);

  g_assert_no_error (error);
  assert_plan (plan, "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0");
}

static void
test_turing (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "01:00.0", "", &error);

  g_assert_no_error (error);
  assert_plan (plan, "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0 "
               "0000:01:00.2=companion@0000:01:00.0 0000:01:00.3=companion@0000:01:00.0");
  g_assert_true (has_note (plan, "boot VGA device (driver nvidia)"));
}

static void
test_amd (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) navi = compute (fixture, "0c:00.0", "", &error);
  g_autoptr(VmctlPlan) polaris = NULL;

  g_assert_no_error (error);
  /* Navi's HDMI audio sits alone in its own group: it still goes along */
  assert_plan (navi, "0000:0c:00.0=gpu 0000:0c:00.1=sibling@0000:0c:00.0");
  polaris = compute (fixture, "0e:00.0", "", &error);
  g_assert_no_error (error);
  assert_plan (polaris, "0000:0e:00.0=gpu 0000:0e:00.1=companion@0000:0e:00.0");
  g_assert_true (has_note (polaris, "AMD reset bug"));
  g_assert_true (has_note (polaris, "host console goes dark"));
}

static void
test_two_gpus (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "02:00.0 01:00.0", "", &error);

  g_assert_no_error (error);
  /* in the order asked for */
  assert_plan (plan, "0000:02:00.0=gpu 0000:02:00.1=companion@0000:02:00.0 "
               "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0");
}

static void
test_blocked (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "05:00.0", "", &error);
  g_autoptr(VmctlPlan) partial = NULL;
  g_autoptr(VmctlPlan) full = NULL;

  g_assert_null (plan);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_BLOCKED);
  g_assert_nonnull (strstr (error->message, "0000:00:14.0 (xhci_hcd), 0000:00:17.0 (ahci), "
                                            "0000:03:00.0 (igb)"));
  g_assert_nonnull (strstr (error->message, "--hostdev"));
  g_clear_error (&error);

  partial = compute (fixture, "05:00.0", "00:14.0 00:17.0", &error);
  g_assert_null (partial);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_BLOCKED);
  g_assert_nonnull (strstr (error->message, "with devices the host uses: 0000:03:00.0 (igb);"));
  g_clear_error (&error);

  /* everything in the group assigned: the GPU's audio companion must not
   * count as a blocker of the USB controller */
  full = compute (fixture, "05:00.0", "00:14.0 00:17.0 03:00.0", &error);
  g_assert_no_error (error);
  assert_plan (full, "0000:05:00.0=gpu 0000:05:00.1=companion@0000:05:00.0 "
               "0000:00:14.0=hostdev 0000:00:17.0=hostdev 0000:03:00.0=hostdev");
}

static void
test_peers (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "01:00.0", "", &error);

  g_assert_no_error (error);
  assert_plan (plan, "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0");
  g_assert_true (has_note (plan, "0000:02:00.0 shares IOMMU group 1"));
  g_assert_true (has_note (plan, "0000:03:00.0 shares IOMMU group 1"));
}

static void
test_refusals (Fixture *fixture, gconstpointer scenario)
{
  static const struct {
    const gchar *gpus, *hostdevs;
    gboolean pci_domain;  /* VMCTL_PCI_ERROR rather than VMCTL_PLAN_ERROR */
    gint code;
    const gchar *message;
  } cases[] = {
    { "01:00.0", "01:00.0", FALSE, VMCTL_PLAN_ERROR_DUPLICATE, "0000:01:00.0 is requested twice" },
    { "01:00.0 0000:01:00.0", "", FALSE, VMCTL_PLAN_ERROR_DUPLICATE, "requested twice" },
    { "09:00.0", "", TRUE, VMCTL_PCI_ERROR_NOT_FOUND, "no PCI device 0000:09:00.0" },
    { "00:01.0", "", FALSE, VMCTL_PLAN_ERROR_NOT_PASSABLE, "is a PCI bridge" },
    { "", "00:1d.0", FALSE, VMCTL_PLAN_ERROR_NOT_PASSABLE, "is a PCI bridge" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlPlan) plan = compute (fixture, cases[i].gpus, cases[i].hostdevs, &error);
    GQuark domain;

    g_test_message ("case %" G_GSIZE_FORMAT, i);
    g_assert_null (plan);
    g_assert_nonnull (error);
    /* g_assert_error() does not parenthesise its domain argument */
    domain = cases[i].pci_domain ? VMCTL_PCI_ERROR : VMCTL_PLAN_ERROR;
    g_assert_error (error, domain, cases[i].code);
    g_assert_nonnull (strstr (error->message, cases[i].message));
  }
}

/* A bridge is refused in the same words by the verdict (gpu check), the
 * plan (create) and the engine (gpu detach), each with its own code. */
static void
test_bridge_one_sentence (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GArray) bridge = addresses ("00:01.0");
  g_autofree gchar *refusal = vmctl_pci_bridge_refusal (&g_array_index (bridge, VmctlPciAddress, 0));
  g_autoptr(VmctlVerdict) verdict = NULL;
  g_autoptr(VmctlPlan) plan = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new (fixture->root, NULL);
  g_autofree gchar *state = g_dir_make_tmp ("vmctl-plan-XXXXXX", NULL);
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (refusal, ==, "0000:00:01.0 is a PCI bridge: bridges stay with the host "
                                "(vfio-pci only takes endpoints)");
  verdict = vmctl_verdict_compute (fixture->inventory, &g_array_index (bridge, VmctlPciAddress, 0),
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_false (verdict->passable);
  g_assert_cmpuint (verdict->reasons->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (verdict->reasons, 0), ==, refusal);

  plan = compute (fixture, "00:01.0", "", &error);
  g_assert_null (plan);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE);
  g_assert_cmpstr (error->message, ==, refusal);
  g_clear_error (&error);

  vfio = vmctl_vfio_new (host, state, &error);
  g_assert_no_error (error);
  vmctl_vfio_set_dry_run (vfio, TRUE);
  g_assert_false (vmctl_vfio_detach (vfio, (const VmctlPciAddress *) bridge->data, 1, "", &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE);
  g_assert_cmpstr (error->message, ==, refusal);
  vmctl_test_remove_tree (state);
}

/* A plan made earlier, asked again on today's host: whole, a companion
 * it lacks, a function gone. */
static void
test_recheck (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GArray) whole = addresses ("01:00.0 01:00.1");
  g_autoptr(GArray) gpu_only = addresses ("01:00.0");
  g_autoptr(GArray) gone = addresses ("01:00.0 01:00.1 0a:00.0");
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHostCritical) critical = vmctl_host_critical_load_default (&error);

  g_assert_no_error (error);
  vmctl_host_critical_mark (critical, fixture->inventory);
  g_assert_true (vmctl_plan_recheck (fixture->inventory, (const VmctlPciAddress *) whole->data,
                                     whole->len, &error));
  g_assert_no_error (error);

  g_assert_false (vmctl_plan_recheck (fixture->inventory, (const VmctlPciAddress *) gpu_only->data,
                                      gpu_only->len, &error));
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_BLOCKED);
  g_assert_cmpstr (error->message, ==, "IOMMU group 1 changed since the VM was made: 0000:01:00.1 "
                   "(snd_hda_intel) shares it with 0000:01:00.0 and is not in the VM; recreate "
                   "it with '--hostdev 0000:01:00.1'");
  g_clear_error (&error);

  g_assert_false (vmctl_plan_recheck (fixture->inventory, (const VmctlPciAddress *) gone->data,
                                      gone->len, &error));
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE);
  g_assert_nonnull (strstr (error->message, "0000:0a:00.0, planned for this VM, is not on the "
                                            "host any more"));
}

static void
test_iommu_off (Fixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute (fixture, "01:00.0", "", &error);

  g_assert_null (plan);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_NOT_PASSABLE);
  g_assert_nonnull (strstr (error->message, "the IOMMU is off"));
}

/* A sibling whose own group holds a host-bound device stays behind, and
 * the plan says why instead of failing the GPU. */
static void
test_sibling_blocked (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  const struct {
    const gchar *address, *driver;
    gint group;
  } devices[] = {
    { "0c:00.0", "amdgpu", 5 }, { "0c:00.1", "snd_hda_intel", 6 }, { "0d:00.0", "igb", 6 },
  };
  VmctlPciAddress gpu;
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (devices); i++) {
    VmctlPciDevice *device = vmctl_pci_device_new ();

    g_assert_true (vmctl_pci_address_parse (devices[i].address, &device->address, NULL));
    device->header_type = VMCTL_PCI_HEADER_NORMAL;
    device->class_code = 0x030000;
    device->driver = g_strdup (devices[i].driver);
    device->iommu_group = devices[i].group;
    vmctl_inventory_add (inventory, device);
  }
  vmctl_inventory_sort (inventory);
  g_assert_true (vmctl_pci_address_parse ("0c:00.0", &gpu, NULL));
  plan = vmctl_plan_compute (inventory, &gpu, 1, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  assert_plan (plan, "0000:0c:00.0=gpu");
  g_assert_true (has_note (plan, "0000:0c:00.1 (same card as 0000:0c:00.0) stays with the host: "
                                 "0000:0d:00.0 (igb)"));
}

/* ---- the host's own functions ------------------------------------------ */

typedef struct {
  const gchar *address, *driver;
  guint32 class_code;
  gint group;
  const gchar *critical;  /* what the host-critical list says, or NULL */
  const gchar *use;       /* one host use, or NULL for none */
} HostFunction;

/* A hand-built host: the PCH slot, a host bridge idle in the GPU's group,
 * a Navi card whose audio sits in its own group, the root disk. Every
 * function looked at for host use unless @remote (then nobody could). */
static VmctlInventory *
host_inventory (gboolean remote)
{
  static const HostFunction functions[] = {
    { "00:00.0", NULL, 0x060000, 1, "host bridge, PCI class 0x0600", NULL },
    { "00:01.0", "pcieport", 0x060400, 1, NULL, NULL },
    { "01:00.0", "nvidia", 0x030000, 1, NULL, NULL },
    { "01:00.1", "snd_hda_intel", 0x040300, 1, NULL, NULL },
    { "00:1f.0", NULL, 0x060100, 22, "ISA/LPC bridge, PCI class 0x0601", NULL },
    { "00:1f.3", "snd_hda_intel", 0x040300, 22, NULL, NULL },
    { "00:1f.4", "i801_smbus", 0x0c0500, 22, "SMBus controller, PCI class 0x0c05", NULL },
    { "02:00.0", "nvme", 0x010802, 4, NULL, "/dev/nvme0n1p2 under it is mounted on /" },
    { "0c:00.0", "amdgpu", 0x030000, 5, NULL, NULL },
    { "0c:00.1", "snd_hda_intel", 0x040300, 6, NULL, NULL },
    { "0c:00.2", "i801_smbus", 0x0c0500, 7, "SMBus controller, PCI class 0x0c05", NULL },
  };
  VmctlInventory *inventory = vmctl_inventory_new (remote ? VMCTL_INVENTORY_SOURCE_NODEDEV
                                                          : VMCTL_INVENTORY_SOURCE_SYSFS, "/x");

  for (gsize i = 0; i < G_N_ELEMENTS (functions); i++) {
    VmctlPciDevice *device = vmctl_pci_device_new ();

    g_assert_true (vmctl_pci_address_parse (functions[i].address, &device->address, NULL));
    device->class_code = functions[i].class_code;
    device->header_type = (functions[i].class_code >> 8) == 0x0604 ? VMCTL_PCI_HEADER_BRIDGE
                                                                    : VMCTL_PCI_HEADER_NORMAL;
    device->driver = g_strdup (functions[i].driver);
    device->iommu_group = functions[i].group;
    device->host_critical = g_strdup (functions[i].critical);
    if (!remote) {
      device->host_use = g_ptr_array_new_with_free_func (g_free);
      if (functions[i].use != NULL)
        g_ptr_array_add (device->host_use, g_strdup (functions[i].use));
    }
    vmctl_inventory_add (inventory, device);
  }
  vmctl_inventory_sort (inventory);
  return inventory;
}

static VmctlPlan *
compute_on (const VmctlInventory *inventory, const gchar *gpus, const gchar *hostdevs,
            VmctlPlanFlags flags, GError **error)
{
  g_autoptr(GArray) gpu_list = addresses (gpus);
  g_autoptr(GArray) hostdev_list = addresses (hostdevs);

  return vmctl_plan_compute_full (inventory,
                                  (const VmctlPciAddress *) gpu_list->data, gpu_list->len,
                                  (const VmctlPciAddress *) hostdev_list->data, hostdev_list->len,
                                  NULL, flags, error);
}

/* Host-critical as the request, as --hostdev, as a companion: refused with
 * the one sentence, and VMCTL_PLAN_FORCE changes nothing. */
static void
test_host_critical_refused (void)
{
  static const struct {
    const gchar *gpus, *hostdevs, *message;
  } cases[] = {
    { "", "00:00.0", "0000:00:00.0 is host-critical (host bridge, PCI class 0x0600): the host "
                     "needs it to run, so vmctl never moves it to vfio-pci, not even with --force" },
    { "", "00:1f.4", "0000:00:1f.4 is host-critical (SMBus controller" },
    { "00:1f.0", "", "0000:00:1f.0 is host-critical (ISA/LPC bridge" },
    { "00:1f.3", "", "companion 0000:00:1f.0 is host-critical (ISA/LPC bridge" },
    { "", "00:1f.3", "companion 0000:00:1f.0 is host-critical (ISA/LPC bridge" },
    { "01:00.0", "00:1f.3", "companion 0000:00:1f.0 is host-critical" },
  };
  g_autoptr(VmctlInventory) inventory = host_inventory (FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    for (guint force = 0; force <= 1; force++) {
      g_autoptr(GError) error = NULL;
      g_autoptr(VmctlPlan) plan = compute_on (inventory, cases[i].gpus, cases[i].hostdevs,
                                              force ? VMCTL_PLAN_FORCE : VMCTL_PLAN_FLAGS_NONE,
                                              &error);

      g_test_message ("--gpu '%s' --hostdev '%s'%s", cases[i].gpus, cases[i].hostdevs,
                      force ? " --force" : "");
      g_assert_null (plan);
      g_assert_error (error, VMCTL_HOST_CRITICAL_ERROR, VMCTL_HOST_CRITICAL_ERROR_REFUSED);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
  }
}

/* As a peer a host-critical function changes nothing; as a sibling it
 * stays behind with a note. */
static void
test_host_critical_left (void)
{
  g_autoptr(VmctlInventory) inventory = host_inventory (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) gpu = compute_on (inventory, "01:00.0", "", VMCTL_PLAN_FLAGS_NONE, &error);
  g_autoptr(VmctlPlan) navi = NULL;

  g_assert_no_error (error);
  assert_plan (gpu, "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0");
  g_assert_true (has_note (gpu, "0000:00:00.0 shares IOMMU group 1"));
  navi = compute_on (inventory, "0c:00.0", "", VMCTL_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  assert_plan (navi, "0000:0c:00.0=gpu 0000:0c:00.1=sibling@0000:0c:00.0");
  g_assert_true (has_note (navi, "0000:0c:00.2 (same card as 0000:0c:00.0) stays with the host: "
                                 "sibling 0000:0c:00.2 is host-critical (SMBus controller"));
}

/* The root disk: refused, named; forced, taken with a note. */
static void
test_host_in_use (void)
{
  g_autoptr(VmctlInventory) inventory = host_inventory (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) refused = compute_on (inventory, "01:00.0", "02:00.0",
                                             VMCTL_PLAN_FLAGS_NONE, &error);
  g_autoptr(VmctlPlan) forced = NULL;

  g_assert_null (refused);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_HOST_IN_USE);
  g_assert_cmpstr (error->message, ==, "0000:02:00.0 is in use by the host: /dev/nvme0n1p2 "
                                       "under it is mounted on / (--force takes it anyway)");
  g_clear_error (&error);
  forced = compute_on (inventory, "01:00.0", "02:00.0", VMCTL_PLAN_FORCE, &error);
  g_assert_no_error (error);
  assert_plan (forced, "0000:01:00.0=gpu 0000:01:00.1=companion@0000:01:00.0 0000:02:00.0=hostdev");
  g_assert_true (has_note (forced, "0000:02:00.0 is in use by the host: /dev/nvme0n1p2 under it "
                                   "is mounted on /; taken anyway (--force)"));
}

/* What goes along counts too: a companion or a sibling in use. */
static void
test_host_in_use_along (void)
{
  g_autoptr(VmctlInventory) inventory = host_inventory (FALSE);
  VmctlPciAddress address = { 0, 0x0c, 0, 1 };
  VmctlPciDevice *audio = (VmctlPciDevice *) vmctl_inventory_lookup (inventory, &address);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) navi = NULL;
  g_autoptr(VmctlPlan) gpu = NULL;

  g_ptr_array_add (audio->host_use, g_strdup ("/dev/snd/controlC2 is open in wireplumber (PID 9)"));
  navi = compute_on (inventory, "0c:00.0", "", VMCTL_PLAN_FLAGS_NONE, &error);
  g_assert_null (navi);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_HOST_IN_USE);
  g_assert_nonnull (strstr (error->message, "0000:0c:00.1 is in use by the host: /dev/snd/"));
  g_clear_error (&error);

  address.bus = 0x01;
  audio = (VmctlPciDevice *) vmctl_inventory_lookup (inventory, &address);
  g_ptr_array_add (audio->host_use, g_strdup ("/dev/snd/pcmC1D3p is open in pipewire (PID 8)"));
  gpu = compute_on (inventory, "01:00.0", "", VMCTL_PLAN_FLAGS_NONE, &error);
  g_assert_null (gpu);
  g_assert_error (error, VMCTL_PLAN_ERROR, VMCTL_PLAN_ERROR_HOST_IN_USE);
  g_assert_nonnull (strstr (error->message, "0000:01:00.1 is in use by the host"));
}

/* A remote host's use is unknown: the plan goes ahead and says so. */
static void
test_host_use_unknown (void)
{
  g_autoptr(VmctlInventory) inventory = host_inventory (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlPlan) plan = compute_on (inventory, "", "02:00.0", VMCTL_PLAN_FLAGS_NONE, &error);

  g_assert_no_error (error);
  assert_plan (plan, "0000:02:00.0=hostdev");
  g_assert_true (has_note (plan, "whether the host uses these functions is unknown"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vmctl/plan/clean", Fixture, "clean-gpu-audio", setup, test_clean, teardown);
  g_test_add ("/vmctl/plan/companion-requested", Fixture, "clean-gpu-audio", setup,
              test_companion_requested, teardown);
  g_test_add ("/vmctl/plan/turing", Fixture, "turing-4fn", setup, test_turing, teardown);
  g_test_add ("/vmctl/plan/amd", Fixture, "amd-host", setup, test_amd, teardown);
  g_test_add ("/vmctl/plan/two-gpus", Fixture, "twin-gpus", setup, test_two_gpus, teardown);
  g_test_add ("/vmctl/plan/blocked", Fixture, "shared-chipset", setup, test_blocked, teardown);
  g_test_add ("/vmctl/plan/peers", Fixture, "idle-peer", setup, test_peers, teardown);
  g_test_add ("/vmctl/plan/refusals", Fixture, "clean-gpu-audio", setup, test_refusals, teardown);
  g_test_add ("/vmctl/plan/iommu-off", Fixture, "iommu-off", setup, test_iommu_off, teardown);
  g_test_add ("/vmctl/plan/bridge/one-sentence", Fixture, "clean-gpu-audio", setup,
              test_bridge_one_sentence, teardown);
  g_test_add ("/vmctl/plan/recheck", Fixture, "clean-gpu-audio", setup, test_recheck, teardown);
  g_test_add_func ("/vmctl/plan/sibling-blocked", test_sibling_blocked);
  g_test_add_func ("/vmctl/plan/host-critical/refused", test_host_critical_refused);
  g_test_add_func ("/vmctl/plan/host-critical/left-behind", test_host_critical_left);
  g_test_add_func ("/vmctl/plan/host-use/refused-or-forced", test_host_in_use);
  g_test_add_func ("/vmctl/plan/host-use/along", test_host_in_use_along);
  g_test_add_func ("/vmctl/plan/host-use/unknown", test_host_use_unknown);
  return g_test_run ();
}
