/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-reset-check.c: the AMD reset bug and its fix.
 *
 * Polaris, Vega and Navi 1x cards (data/quirks/reset-bug.conf) do not
 * reset through FLR or a bus reset: a second VM start finds the card
 * hung, and the AMD reset bug shows up as "Unknown PCI header type '127'"
 * (the config space reading all ones). vendor-reset
 * (github.com/gnif/vendor-reset) resets them the device's own way; on
 * kernels from 5.15 the PCI core uses it only when the device's
 * reset_method (Documentation/ABI/testing/sysfs-bus-pci) lists
 * device_specific, which a udev rule or one write selects. The module
 * registers as /sys/module/vendor_reset when loaded.
 *
 * A card that did not come back answers every config read with all ones:
 * vendor id 0xffff. A remove and rescan of the function sometimes brings
 * it back; vmctl offers that and never does it unasked, since the rescan
 * re-probes the whole bus. */
#include "vmctl-reset-check.h"

#include <string.h>

#define DEVICE_SPECIFIC "device_specific"

void
vmctl_reset_state_clear (VmctlResetState *state)
{
  g_clear_pointer (&state->reset_method, g_free);
}

/**
 * vmctl_reset_state_read:
 * @out_state: (out caller-allocates): filled only when the device is on
 *   the list
 *
 * Returns: TRUE when @device is on the reset-bug list
 */
gboolean
vmctl_reset_state_read (VmctlHost *host, const VmctlPciDevice *device, const VmctlQuirks *quirks,
                        VmctlResetState *out_state)
{
  VmctlResetState state = { 0 };
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *path = NULL;

  state.problem = quirks != NULL ? vmctl_quirks_reset_problem (quirks, device->vendor_id,
                                                               device->device_id) : NULL;
  if (state.problem == NULL)
    return FALSE;
  vmctl_pci_address_format (&device->address, address);
  state.vendor_reset = vmctl_host_is_directory (host, "/sys/module/vendor_reset")
                       ? VMCTL_TRISTATE_YES : VMCTL_TRISTATE_NO;
  path = g_strdup_printf ("/sys/bus/pci/devices/%s/reset_method", address);
  state.reset_method = vmctl_host_read_line (host, path, NULL);
  if (state.reset_method == NULL && vmctl_host_exists (host, path))
    state.reset_method = g_strdup ("");
  if (state.reset_method == NULL)
    state.device_specific = VMCTL_TRISTATE_UNKNOWN;
  else
    /* the kernel tries the methods in the order listed */
    state.device_specific = g_str_has_prefix (state.reset_method, DEVICE_SPECIFIC)
                            ? VMCTL_TRISTATE_YES : VMCTL_TRISTATE_NO;
  *out_state = state;
  return TRUE;
}

/**
 * vmctl_reset_state_describe:
 *
 * One sentence for gpu check's reasons and start's notes: what the list
 * says, whether vendor-reset covers the card here, and the fix when not.
 *
 * Returns: (transfer full): the sentence
 */
gchar *
vmctl_reset_state_describe (const VmctlResetState *state, const VmctlPciAddress *address,
                            guint16 vendor_id, guint16 device_id)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *select = NULL;
  g_autofree gchar *rule = NULL;

  vmctl_pci_address_format (address, text);
  select = g_strdup_printf ("echo %s > /sys/bus/pci/devices/%s/reset_method", DEVICE_SPECIFIC,
                            text);
  rule = g_strdup_printf ("ACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x%04x\", "
                          "ATTR{device}==\"0x%04x\", ATTR{reset_method}=\"%s\" in "
                          "/etc/udev/rules.d/99-vendor-reset.rules", vendor_id, device_id,
                          DEVICE_SPECIFIC);
  if (state->vendor_reset != VMCTL_TRISTATE_YES)
    return g_strdup_printf ("%s is on the reset-bug list and the vendor_reset module is not "
                            "loaded: a second VM start will find the card hung; install "
                            "vendor-reset (github.com/gnif/vendor-reset, dkms), load it early "
                            "(vendor-reset in /etc/modules-load.d/vendor-reset.conf), then %s "
                            "(and the udev rule %s)", text, select, rule);
  if (state->device_specific == VMCTL_TRISTATE_UNKNOWN)
    return g_strdup_printf ("%s is on the reset-bug list; vendor_reset is loaded and this "
                            "kernel (before 5.15, no reset_method) lets it reset the card", text);
  if (state->device_specific == VMCTL_TRISTATE_NO)
    return g_strdup_printf ("%s is on the reset-bug list; vendor_reset is loaded but its "
                            "reset_method is '%s', without device_specific first, so the kernel "
                            "does not use it: %s (and the udev rule %s)", text,
                            state->reset_method, select, rule);
  return g_strdup_printf ("%s is on the reset-bug list; vendor_reset is loaded and reset_method "
                          "is '%s': the card is reset the way vendor-reset knows", text,
                          state->reset_method);
}

/**
 * vmctl_reset_check_answers:
 *
 * Reads the vendor id from the function's config space.
 *
 * Returns: NO when it reads 0xffff (the card does not answer), YES when
 *   it reads anything else, UNKNOWN when config cannot be read
 */
VmctlTristate
vmctl_reset_check_answers (VmctlHost *host, const VmctlPciAddress *address)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *path = NULL;
  g_autofree gchar *config = NULL;
  gsize length = 0;

  vmctl_pci_address_format (address, text);
  path = g_strdup_printf ("/sys/bus/pci/devices/%s/config", text);
  if (!vmctl_host_read (host, path, &config, &length, NULL) || length < 2)
    return VMCTL_TRISTATE_UNKNOWN;
  return (guchar) config[0] == 0xff && (guchar) config[1] == 0xff ? VMCTL_TRISTATE_NO
                                                                 : VMCTL_TRISTATE_YES;
}

/**
 * vmctl_reset_dead_advice:
 *
 * Returns: (transfer full): what to do about a card that stopped
 *   answering: the remove/rescan commands (offered, never run by vmctl)
 *   and the reboot that always works
 */
gchar *
vmctl_reset_dead_advice (const VmctlPciAddress *address)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (address, text);
  return g_strdup_printf ("%s does not answer (its config space reads vendor id 0xffff): the "
                          "card did not come back from the guest (the reset bug). Do not start "
                          "a VM with it again. To try to get it back without a reboot: echo 1 "
                          "> /sys/bus/pci/devices/%s/remove; echo 1 > /sys/bus/pci/rescan "
                          "(as root; vmctl does not do this for you). If it stays dead, power "
                          "the host off and on: a warm reboot may not reset it either", text,
                          text);
}
