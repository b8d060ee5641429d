/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-error.c: the one table from the modules' private error domains to
 * VMCTL_ERROR. A module that adds an error code adds its row here; a code
 * without a row becomes VMCTL_ERROR_FAILED, never a wrong exit status. */
#include "vmctl-error.h"

#include "vmctl-connect.h"
#include "vmctl-cpu-topology.h"
#include "vmctl-device-lock.h"
#include "vmctl-domain-xml.h"
#include "vmctl-firmware.h"
#include "vmctl-host.h"
#include "vmctl-host-critical.h"
#include "vmctl-host-command.h"
#include "vmctl-host-facts.h"
#include "vmctl-host-journal.h"
#include "vmctl-host-setup.h"
#include "vmctl-system-bus.h"
#include "vmctl-hugepages.h"
#include "vmctl-input.h"
#include "vmctl-inventory-nodedev.h"
#include "vmctl-journal.h"
#include "vmctl-libvirt.h"
#include "vmctl-lifecycle.h"
#include "vmctl-os.h"
#include "vmctl-pci-address.h"
#include "vmctl-pci-rom.h"
#include "vmctl-plan.h"
#include "vmctl-profile.h"
#include "vmctl-quirks.h"
#include "vmctl-size.h"
#include "vmctl-spec.h"
#include "vmctl-state-dir.h"
#include "vmctl-usb.h"
#include "vmctl-vfio.h"

G_DEFINE_QUARK (vmctl-error-quark, vmctl_error)

#define ANY_CODE (-1)

typedef struct {
  GQuark (*domain) (void);
  gint code;          /* ANY_CODE: every code of the domain */
  VmctlError error;
} ErrorRow;

/* First match wins: a domain's specific codes come before its ANY_CODE. */
static const ErrorRow rows[] = {
  /* what the user typed */
  { vmctl_pci_error_quark, VMCTL_PCI_ERROR_INVALID_ADDRESS, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_pci_error_quark, VMCTL_PCI_ERROR_NOT_FOUND, VMCTL_ERROR_NOT_FOUND },
  { vmctl_pci_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  { vmctl_size_error_quark, ANY_CODE, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_spec_error_quark, VMCTL_SPEC_ERROR_NO_PROFILE, VMCTL_ERROR_NOT_FOUND },
  { vmctl_spec_error_quark, VMCTL_SPEC_ERROR_MISSING_FILE, VMCTL_ERROR_NOT_FOUND },
  { vmctl_spec_error_quark, VMCTL_SPEC_ERROR_HOST_IN_USE, VMCTL_ERROR_HOST_IN_USE },
  { vmctl_spec_error_quark, ANY_CODE, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_host_error_quark, VMCTL_HOST_ERROR_BAD_ROOT, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_host_error_quark, VMCTL_HOST_ERROR_WRITE, VMCTL_ERROR_HOST },
  { vmctl_host_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  { vmctl_plan_error_quark, VMCTL_PLAN_ERROR_DUPLICATE, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_plan_error_quark, VMCTL_PLAN_ERROR_HOST_IN_USE, VMCTL_ERROR_HOST_IN_USE },
  { vmctl_plan_error_quark, ANY_CODE, VMCTL_ERROR_NOT_PASSABLE },
  /* the host's own devices */
  { vmctl_host_critical_error_quark, VMCTL_HOST_CRITICAL_ERROR_REFUSED, VMCTL_ERROR_HOST_CRITICAL },
  { vmctl_host_critical_error_quark, ANY_CODE, VMCTL_ERROR_DATA },
  /* the engine */
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_NO_DEVICE, VMCTL_ERROR_NOT_FOUND },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_BRIDGE, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_NOT_HELD, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_HELD, VMCTL_ERROR_BUSY },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_RUNNING, VMCTL_ERROR_BUSY },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_IN_USE, VMCTL_ERROR_HOST_IN_USE },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_UNDO, VMCTL_ERROR_INCOMPLETE },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_REMOTE, VMCTL_ERROR_HYPERVISOR },
  { vmctl_vfio_error_quark, VMCTL_VFIO_ERROR_CORRUPT, VMCTL_ERROR_STATE },
  { vmctl_vfio_error_quark, ANY_CODE, VMCTL_ERROR_HOST },
  { vmctl_device_lock_error_quark, VMCTL_DEVICE_LOCK_ERROR_BUSY, VMCTL_ERROR_BUSY },
  { vmctl_device_lock_error_quark, ANY_CODE, VMCTL_ERROR_STATE },
  { vmctl_journal_error_quark, ANY_CODE, VMCTL_ERROR_STATE },
  { vmctl_state_dir_error_quark, ANY_CODE, VMCTL_ERROR_STATE },
  { vmctl_hugepages_error_quark, VMCTL_HUGEPAGES_ERROR_IO, VMCTL_ERROR_HOST },
  { vmctl_hugepages_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  /* libvirt */
  { vmctl_virt_error_quark, VMCTL_VIRT_ERROR_BAD_URI, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_virt_error_quark, VMCTL_VIRT_ERROR_NO_DOMAIN, VMCTL_ERROR_NOT_FOUND },
  { vmctl_virt_error_quark, VMCTL_VIRT_ERROR_EXISTS, VMCTL_ERROR_EXISTS },
  { vmctl_virt_error_quark, ANY_CODE, VMCTL_ERROR_HYPERVISOR },
  { vmctl_libvirt_error_quark, ANY_CODE, VMCTL_ERROR_HYPERVISOR },
  { vmctl_nodedev_error_quark, ANY_CODE, VMCTL_ERROR_HYPERVISOR },
  { vmctl_host_facts_error_quark, VMCTL_HOST_FACTS_ERROR_LIBVIRT, VMCTL_ERROR_HYPERVISOR },
  { vmctl_host_facts_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_NO_VM, VMCTL_ERROR_NOT_FOUND },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_EXISTS, VMCTL_ERROR_EXISTS },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_RUNNING, VMCTL_ERROR_RUNNING },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_TIMEOUT, VMCTL_ERROR_TIMEOUT },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_METADATA, VMCTL_ERROR_DATA },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_STORAGE_IN_USE, VMCTL_ERROR_BUSY },
  { vmctl_lifecycle_error_quark, VMCTL_LIFECYCLE_ERROR_USERS_UNKNOWN, VMCTL_ERROR_HYPERVISOR },
  { vmctl_lifecycle_error_quark, ANY_CODE, VMCTL_ERROR_HYPERVISOR },
  /* data vmctl ships or was handed */
  { vmctl_profile_error_quark, ANY_CODE, VMCTL_ERROR_DATA },
  { vmctl_quirks_error_quark, ANY_CODE, VMCTL_ERROR_DATA },
  { vmctl_firmware_error_quark, VMCTL_FIRMWARE_ERROR_PARSE, VMCTL_ERROR_DATA },
  { vmctl_firmware_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  { vmctl_domain_xml_error_quark, VMCTL_DOMAIN_XML_ERROR_TEMPLATE, VMCTL_ERROR_DATA },
  { vmctl_domain_xml_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  { vmctl_cpu_topology_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  /* libosinfo (issue 11) */
  { vmctl_os_error_quark, VMCTL_OS_ERROR_UNKNOWN, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_os_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  /* issue 12: ROM files, USB and input devices */
  { vmctl_rom_error_quark, VMCTL_ROM_ERROR_NO_FILE, VMCTL_ERROR_NOT_FOUND },
  { vmctl_rom_error_quark, VMCTL_ROM_ERROR_EMPTY, VMCTL_ERROR_FAILED },
  { vmctl_rom_error_quark, ANY_CODE, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_usb_error_quark, VMCTL_USB_ERROR_NOT_FOUND, VMCTL_ERROR_NOT_FOUND },
  { vmctl_usb_error_quark, ANY_CODE, VMCTL_ERROR_INVALID_INPUT },
  { vmctl_input_error_quark, VMCTL_INPUT_ERROR_NOT_FOUND, VMCTL_ERROR_NOT_FOUND },
  { vmctl_input_error_quark, ANY_CODE, VMCTL_ERROR_INVALID_INPUT },
  /* host changes beyond drivers (issue 13) */
  { vmctl_host_setup_error_quark, VMCTL_HOST_SETUP_ERROR_APPLIED, VMCTL_ERROR_STATE },
  { vmctl_host_setup_error_quark, VMCTL_HOST_SETUP_ERROR_FAILED, VMCTL_ERROR_HOST },
  { vmctl_host_setup_error_quark, VMCTL_HOST_SETUP_ERROR_INCOMPLETE, VMCTL_ERROR_INCOMPLETE },
  { vmctl_host_setup_error_quark, ANY_CODE, VMCTL_ERROR_FAILED },
  { vmctl_host_journal_error_quark, VMCTL_HOST_JOURNAL_ERROR_BUSY, VMCTL_ERROR_BUSY },
  { vmctl_host_journal_error_quark, ANY_CODE, VMCTL_ERROR_STATE },
  { vmctl_host_command_error_quark, ANY_CODE, VMCTL_ERROR_HOST },
  { vmctl_system_bus_error_quark, ANY_CODE, VMCTL_ERROR_HOST },
};

/**
 * vmctl_error_convert:
 * @error: (inout) (nullable): an error from any vmctl module, or NULL
 *
 * Makes *@error a VMCTL_ERROR with the code one table assigns to its
 * module's domain and code, keeping the message. GLib's errors that a
 * module passed on become VMCTL_ERROR_DATA (key files) or
 * VMCTL_ERROR_HOST (files, I/O, spawning, D-Bus); anything else without a
 * row becomes VMCTL_ERROR_FAILED. Only an error already in VMCTL_ERROR and
 * GLib's option parser's (the CLI's usage errors) are left as they are.
 */
void
vmctl_error_convert (GError **error)
{
  GError *old;
  VmctlError code = VMCTL_ERROR_FAILED;

  if (error == NULL || *error == NULL || (*error)->domain == VMCTL_ERROR)
    return;
  old = *error;
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++) {
    if (rows[i].domain () != old->domain
        || (rows[i].code != ANY_CODE && rows[i].code != old->code))
      continue;
    *error = g_error_new_literal (VMCTL_ERROR, rows[i].error, old->message);
    g_error_free (old);
    return;
  }
  /* GLib's own errors reach here where a vmctl module passed one on (a
   * data file that cannot be read, a command that cannot be spawned, a
   * D-Bus call): a consumer still gets one enum */
  if (old->domain == G_OPTION_ERROR)
    return;
  if (old->domain == G_KEY_FILE_ERROR)
    code = VMCTL_ERROR_DATA;
  else if (old->domain == G_FILE_ERROR || old->domain == G_IO_ERROR
           || old->domain == G_SPAWN_ERROR || old->domain == G_DBUS_ERROR)
    code = VMCTL_ERROR_HOST;
  *error = g_error_new_literal (VMCTL_ERROR, code, old->message);
  g_error_free (old);
}

/**
 * vmctl_error_code_to_string:
 *
 * Returns: (transfer none): the code's name in JSON output, e.g.
 *   "host-in-use"
 */
const gchar *
vmctl_error_code_to_string (VmctlError code)
{
  static const gchar * const names[] = {
    [VMCTL_ERROR_FAILED] = "failed",
    [VMCTL_ERROR_INVALID_INPUT] = "invalid-input",
    [VMCTL_ERROR_NOT_FOUND] = "not-found",
    [VMCTL_ERROR_EXISTS] = "exists",
    [VMCTL_ERROR_NOT_PASSABLE] = "not-passable",
    [VMCTL_ERROR_HOST_CRITICAL] = "host-critical",
    [VMCTL_ERROR_HOST_IN_USE] = "host-in-use",
    [VMCTL_ERROR_BUSY] = "busy",
    [VMCTL_ERROR_STATE] = "state",
    [VMCTL_ERROR_HYPERVISOR] = "hypervisor",
    [VMCTL_ERROR_HOST] = "host",
    [VMCTL_ERROR_DATA] = "data",
    [VMCTL_ERROR_INCOMPLETE] = "incomplete",
    [VMCTL_ERROR_TIMEOUT] = "timeout",
    [VMCTL_ERROR_RUNNING] = "running",
  };

  if ((guint) code >= G_N_ELEMENTS (names))
    return "failed";
  return names[code];
}
