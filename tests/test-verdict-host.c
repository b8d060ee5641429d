/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-verdict-host.c: the host's side of the verdict on hand-built
 * inventories: host-critical functions in every role, and host use. */
#include "vmctl-test-verdict.h"

#include <string.h>

#define REFUSAL_TAIL "the host needs it to run, so vmctl never moves it to vfio-pci, " \
  "not even with --force"

/* An endpoint, host-critical when @critical says what it is. */
static VmctlPciDevice *
endpoint (VmctlInventory *inventory, const gchar *address, guint32 class_code,
          const gchar *driver, gint group, const gchar *critical)
{
  VmctlPciDevice *device = vmctl_test_add_device (inventory, address, VMCTL_PCI_HEADER_NORMAL,
                                                  class_code, driver, group);

  device->host_critical = g_strdup (critical);
  return device;
}

static void
set_host_use (VmctlPciDevice *device, const gchar *first, ...)
{
  va_list args;

  device->host_use = g_ptr_array_new_with_free_func (g_free);
  va_start (args, first);
  for (const gchar *use = first; use != NULL; use = va_arg (args, const gchar *))
    g_ptr_array_add (device->host_use, g_strdup (use));
  va_end (args);
}

/* every function looked at, none in use: what a local command fills */
static void
set_no_host_use (VmctlInventory *inventory)
{
  for (guint i = 0; i < inventory->devices->len; i++) {
    VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    if (device->host_use == NULL)
      device->host_use = g_ptr_array_new_with_free_func (g_free);
  }
}

/* The PCH slot of an Alder Lake board: LPC bridge, HD audio, SMBus and
 * SPI flash in one group. */
static VmctlInventory *
pch_inventory (void)
{
  VmctlInventory *inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");

  endpoint (inventory, "00:1f.0", 0x060100, NULL, 22, "ISA/LPC bridge, PCI class 0x0601");
  endpoint (inventory, "00:1f.3", 0x040300, "snd_hda_intel", 22, NULL);
  endpoint (inventory, "00:1f.4", 0x0c0500, "i801_smbus", 22, "SMBus controller, PCI class 0x0c05");
  endpoint (inventory, "00:1f.5", 0x0c8000, "intel-spi", 22,
            "SPI flash controller, PCI id 8086:7aa4");
  set_no_host_use (inventory);
  return inventory;
}

static void
test_critical_target (void)
{
  g_autoptr(VmctlInventory) inventory = pch_inventory ();
  g_autoptr(VmctlVerdict) verdict = vmctl_test_verdict (inventory, "00:1f.0", NULL);

  g_assert_false (verdict->passable);
  /* the group itself is fine by the kernel's rule: all companions */
  vmctl_test_assert_list (verdict->blockers, "");
  vmctl_test_assert_list (verdict->companions, "0000:00:1f.3 0000:00:1f.4 0000:00:1f.5");
  vmctl_test_assert_list (verdict->host_critical, "0000:00:1f.0 0000:00:1f.4 0000:00:1f.5");
  g_assert_true (vmctl_test_has_reason (verdict, "0000:00:1f.0 is host-critical (ISA/LPC bridge, "
                                                 "PCI class 0x0601): " REFUSAL_TAIL));
  g_assert_true (vmctl_test_has_reason (verdict, "companion 0000:00:1f.4 is host-critical (SMBus"));
  g_assert_true (vmctl_test_has_reason (verdict, "companion 0000:00:1f.5 is host-critical (SPI"));
}

/* the PCH audio is harmless itself; what would go along with it is not */
static void
test_critical_companion (void)
{
  g_autoptr(VmctlInventory) inventory = pch_inventory ();
  g_autoptr(VmctlVerdict) verdict = vmctl_test_verdict (inventory, "00:1f.3", NULL);

  g_assert_false (verdict->passable);
  vmctl_test_assert_list (verdict->host_critical, "0000:00:1f.0 0000:00:1f.4 0000:00:1f.5");
  g_assert_true (vmctl_test_has_reason (verdict, "companion 0000:00:1f.0 is host-critical (ISA"));
  g_assert_false (vmctl_test_has_reason (verdict, "0000:00:1f.3 is host-critical"));
}

/* A host-critical function of the same slot in another group stays
 * behind, as siblings that cannot go along do: nothing refused. */
static void
test_critical_sibling (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;

  endpoint (inventory, "00:1f.3", 0x040300, "snd_hda_intel", 23, NULL);
  endpoint (inventory, "00:1f.4", 0x0c0500, "i801_smbus", 24, "SMBus controller, PCI class 0x0c05");
  set_no_host_use (inventory);
  verdict = vmctl_test_verdict (inventory, "00:1f.3", NULL);
  g_assert_true (verdict->passable);
  vmctl_test_assert_list (verdict->siblings, "0000:00:1f.4");
  vmctl_test_assert_list (verdict->host_critical, "");
  g_assert_true (vmctl_test_has_reason (verdict, "sibling 0000:00:1f.4 is host-critical (SMBus "
                                                 "controller, PCI class 0x0c05): " REFUSAL_TAIL
                                                 "; it stays with the host"));
  g_assert_false (vmctl_test_has_reason (verdict, "assigns it too"));
}

/* Idle in the group, a host bridge is a peer as before: it does not move,
 * so it changes nothing. Bound to a driver it blocks, like any endpoint,
 * but assigning it is no way out. */
static void
test_critical_peer (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) verdict = NULL;
  g_autoptr(VmctlVerdict) blocked = NULL;
  VmctlPciDevice *uncore;

  vmctl_test_add_device (inventory, "00:01.0", VMCTL_PCI_HEADER_BRIDGE, 0x060400, "pcieport", 1);
  endpoint (inventory, "01:00.0", 0x030000, "nvidia", 1, NULL);
  endpoint (inventory, "01:00.1", 0x040300, "snd_hda_intel", 1, NULL);
  uncore = endpoint (inventory, "00:00.0", 0x060000, NULL, 1, "host bridge, PCI class 0x0600");
  set_no_host_use (inventory);
  verdict = vmctl_test_verdict (inventory, "01:00.0", NULL);
  g_assert_true (verdict->passable);
  vmctl_test_assert_list (verdict->peers, "0000:00:00.0");
  vmctl_test_assert_list (verdict->host_critical, "");
  g_assert_false (vmctl_test_has_reason (verdict, "host-critical"));

  uncore->driver = g_strdup ("skx_uncore");
  blocked = vmctl_test_verdict (inventory, "01:00.0", NULL);
  g_assert_false (blocked->passable);
  vmctl_test_assert_list (blocked->blockers, "0000:00:00.0");
  vmctl_test_assert_list (blocked->host_critical, "");
  g_assert_true (vmctl_test_has_reason (blocked, "it is host-critical (host bridge, PCI class "
                                                 "0x0600) and can never be assigned: move the "
                                                 "card"));
  g_assert_false (vmctl_test_has_reason (blocked, "--hostdev 0000:00:00.0"));
}

/* Host use of anything that would move makes it not passable, and each
 * use is a reason; nothing in use and all looked at: no reason at all. */
static void
test_host_use (void)
{
  g_autoptr(VmctlInventory) inventory = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) disk = NULL;
  g_autoptr(VmctlVerdict) gpu = NULL;
  g_autoptr(VmctlVerdict) navi = NULL;
  g_autoptr(VmctlVerdict) clean = NULL;

  set_host_use (endpoint (inventory, "02:00.0", 0x010802, "nvme", 4, NULL),
                "/dev/nvme0n1p2 under it is mounted on /", "/dev/nvme0n1p3 under it is swap", NULL);
  endpoint (inventory, "01:00.0", 0x030000, "nvidia", 1, NULL);
  set_host_use (endpoint (inventory, "01:00.1", 0x040300, "snd_hda_intel", 1, NULL),
                "/dev/snd/pcmC1D3p is open in pipewire (PID 900)", NULL);
  endpoint (inventory, "0c:00.0", 0x030000, "amdgpu", 5, NULL);
  set_host_use (endpoint (inventory, "0c:00.1", 0x040300, "snd_hda_intel", 6, NULL),
                "/dev/snd/controlC2 is open in wireplumber (PID 901)", NULL);
  endpoint (inventory, "03:00.0", 0x030000, "nvidia", 7, NULL)->boot_vga = VMCTL_TRISTATE_YES;
  set_no_host_use (inventory);

  disk = vmctl_test_verdict (inventory, "02:00.0", NULL);
  g_assert_false (disk->passable);
  g_assert_cmpuint (disk->host_use->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (disk->host_use, 0), ==,
                   "0000:02:00.0 is in use by the host: /dev/nvme0n1p2 under it is mounted on /");
  g_assert_true (vmctl_test_has_reason (disk, "0000:02:00.0 is in use by the host: "
                                              "/dev/nvme0n1p3 under it is swap"));
  g_assert_true (vmctl_test_has_reason (disk, "only with --force"));
  /* a companion in use: the GPU cannot go without it */
  gpu = vmctl_test_verdict (inventory, "01:00.0", NULL);
  g_assert_false (gpu->passable);
  g_assert_true (vmctl_test_has_reason (gpu, "0000:01:00.1 is in use by the host: /dev/snd/"));
  /* a sibling that would go along, the same */
  navi = vmctl_test_verdict (inventory, "0c:00.0", NULL);
  g_assert_false (navi->passable);
  g_assert_true (vmctl_test_has_reason (navi, "0000:0c:00.1 is in use by the host"));
  /* looked at and unused: passable, and the boot VGA flag alone (no
   * console found on it) is no reason either */
  clean = vmctl_test_verdict (inventory, "03:00.0", NULL);
  g_assert_true (clean->passable);
  g_assert_cmpuint (clean->host_use->len, ==, 0);
  g_assert_cmpuint (clean->reasons->len, ==, 0);
}

/* Nobody looked (node devices of a remote host, or a local caller that
 * leaves it to the engine): unknown is said, and is not a refusal. */
static void
test_host_use_unknown (void)
{
  g_autoptr(VmctlInventory) remote = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_NODEDEV,
                                                          "qemu+ssh://box/system");
  g_autoptr(VmctlInventory) local = vmctl_inventory_new (VMCTL_INVENTORY_SOURCE_SYSFS, "/x");
  g_autoptr(VmctlVerdict) far = NULL;
  g_autoptr(VmctlVerdict) near = NULL;

  endpoint (remote, "01:00.0", 0x030000, "nvidia", 1, NULL);
  endpoint (remote, "01:00.1", 0x040300, "snd_hda_intel", 1, NULL);
  far = vmctl_test_verdict (remote, "01:00.0", NULL);
  g_assert_true (far->passable);
  g_assert_null (far->host_use);
  g_assert_true (vmctl_test_has_reason (far, "whether the host uses it is unknown: libvirt does "
                                             "not report a remote host's mounts, consoles or "
                                             "open device files"));

  endpoint (local, "01:00.0", 0x030000, "nvidia", 1, NULL);
  near = vmctl_test_verdict (local, "01:00.0", NULL);
  g_assert_true (near->passable);
  g_assert_null (near->host_use);
  g_assert_true (vmctl_test_has_reason (near, "whether the host uses it was not checked"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/verdict/host-critical/target", test_critical_target);
  g_test_add_func ("/vmctl/verdict/host-critical/companion", test_critical_companion);
  g_test_add_func ("/vmctl/verdict/host-critical/sibling", test_critical_sibling);
  g_test_add_func ("/vmctl/verdict/host-critical/peer", test_critical_peer);
  g_test_add_func ("/vmctl/verdict/host-use/in-use", test_host_use);
  g_test_add_func ("/vmctl/verdict/host-use/unknown", test_host_use_unknown);
  return g_test_run ();
}
