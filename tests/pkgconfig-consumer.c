/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkgconfig-consumer.c HOST_ROOT: a program that knows libvmctl only
 * through its installed headers and libvmctl.pc (tests/install-check.sh,
 * tests/package-check.sh). Exit 0 when 01:00.0 under HOST_ROOT (the demo
 * host) is passable with one companion. */
#include <vmctl-pci-address.h>
#include <vmctl-inventory-sysfs.h>
#include <vmctl-verdict.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHost) host = vmctl_host_new (argv[1], &error);
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlVerdict) verdict = NULL;
  VmctlPciAddress address;

  if (host == NULL || !vmctl_pci_address_parse ("01:00.0", &address, &error))
    return 1;
  inventory = vmctl_inventory_from_sysfs (host, &error);
  if (inventory == NULL)
    return 1;
  verdict = vmctl_verdict_compute (inventory, &address, NULL, &error);
  return verdict != NULL && verdict->passable && verdict->companions->len == 1 ? 0 : 1;
}
