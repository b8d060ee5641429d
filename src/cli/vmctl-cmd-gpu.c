/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu.c: vmctl gpu list and vmctl gpu check ADDR, the IOMMU
 * verdict for display devices: one library call each
 * (vmctl-session-gpu.h), then the verdicts printed. */
#include "vmctl-output.h"

#include "vmctl-pci-address.h"
#include "vmctl-session-gpu.h"

static const gchar gpu_list_description[] =
  "Lists every display-class PCI function (VGA, 3D and other display\n"
  "controllers) with its verdict: passable when its IOMMU group can be given to\n"
  "a VM, blocked when another device in the group is in use by the host,\n"
  "host-critical when it or a function that would go along is one the host\n"
  "cannot run without, in use by the host when the host uses it (its console, a\n"
  "framebuffer, a process holding it), and whether it is the boot VGA device.\n"
  "WITH names the functions that go along (HDMI audio, USB-C). Use\n"
  "'vmctl gpu check ADDR' for the details of one device.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu list\n"
  "  vmctl gpu list --json";

static const gchar gpu_check_description[] =
  "Tells whether the PCI function at ADDR (01:00.0, 0000:01:00.0 or\n"
  "pci_0000_01_00_0) can be given to a VM, and what that involves: companions\n"
  "(same card, same IOMMU group) go along; bridges stay with the host; blockers\n"
  "are devices in the group in use by the host, which must be assigned too\n"
  "(--hostdev) or the card moved to another slot; peers are idle devices in the\n"
  "group that the host cannot use while the VM runs; siblings are functions of\n"
  "the same card in another group, assigned too. Host-critical functions (host\n"
  "bridge, LPC bridge, SMBus, SPI flash, IOMMU...: data/host-critical.conf) are\n"
  "never moved, and a device is not passable while the host uses it or\n"
  "anything that would go along (a mounted or swapping disk below it, the\n"
  "console, a framebuffer, a process holding it); the reasons say which.\n"
  "Exit status 0 means passable, 1 not passable.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu check 01:00.0\n"
  "  vmctl gpu check 0000:01:00.0 --json";

/* ---- gpu list ------------------------------------------------------------ */

static gchar *
verdict_word (const VmctlVerdict *verdict)
{
  if (verdict->iommu_group == VMCTL_PCI_NO_GROUP)
    return vmctl_output_style (VMCTL_STYLE_BAD, "no IOMMU");
  if (verdict->host_critical->len > 0)
    return vmctl_output_style (VMCTL_STYLE_BAD, "host-critical");
  if (verdict->blockers->len > 0)
    return vmctl_output_style (VMCTL_STYLE_BAD, "blocked");
  if (!verdict->passable)
    return vmctl_output_style (VMCTL_STYLE_BAD, "in use by the host");
  if (verdict->boot_vga == VMCTL_TRISTATE_YES)
    return vmctl_output_style (VMCTL_STYLE_WARN, "passable, boot VGA");
  return vmctl_output_style (VMCTL_STYLE_GOOD, "passable");
}

static void
add_gpu_row (VmctlTable *table, const VmctlPciDevice *device, const VmctlVerdict *verdict)
{
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *ids = vmctl_output_ids (device);
  g_autofree gchar *group = NULL;
  g_autofree gchar *word = verdict_word (verdict);
  g_autofree gchar *with = vmctl_output_addresses (verdict->companions);
  g_autofree gchar *description = vmctl_pci_device_describe (device);

  vmctl_pci_address_format (&device->address, address);
  if (verdict->iommu_group != VMCTL_PCI_NO_GROUP)
    group = g_strdup_printf ("%d", verdict->iommu_group);
  vmctl_table_add_row (table, (const gchar *[]) {
    address, ids, vmctl_output_driver (device->driver), group, word, with, description
  });
}

gboolean
vmctl_cmd_gpu_list (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlGpuReport) report = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (7);
  const VmctlInventory *inventory;

  if (!vmctl_invocation_start (invocation, NULL, gpu_list_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  report = vmctl_session_gpu_list (context->session, error);
  if (report == NULL)
    return FALSE;

  inventory = report->inventory;
  vmctl_table_set_header (table, (const gchar *[]) {
    "ADDRESS", "IDS", "DRIVER", "GROUP", "VERDICT", "WITH", "DESCRIPTION"
  });
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "gpus");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->verdicts->len; i++) {
    const VmctlVerdict *verdict = g_ptr_array_index (report->verdicts, i);
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, &verdict->address);
    g_autofree gchar *description = vmctl_pci_device_describe (device);

    vmctl_json_add_verdict (builder, verdict, description);
    add_gpu_row (table, device, verdict);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (context->json)
    vmctl_json_print (builder);
  else if (report->verdicts->len == 0)
    g_print ("No display devices %s %s.\n",
             inventory->source == VMCTL_INVENTORY_SOURCE_SYSFS ? "under host root" : "on",
             inventory->origin);
  else
    vmctl_table_print (table);
  return TRUE;
}

/* ---- gpu check ----------------------------------------------------------- */

/* One section of related devices: a heading, then one row per address with
 * its driver and description. */
static void
add_section (VmctlTable *table, const VmctlInventory *inventory, const gchar *heading,
             GArray *addresses)
{
  if (addresses->len == 0)
    return;
  vmctl_table_add_heading (table, heading);
  for (guint i = 0; i < addresses->len; i++) {
    const VmctlPciAddress *address = &g_array_index (addresses, VmctlPciAddress, i);
    const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, address);
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *description = device != NULL ? vmctl_pci_device_describe (device) : NULL;
    const gchar *driver = device != NULL ? vmctl_output_driver (device->driver) : NULL;

    vmctl_pci_address_format (address, text);
    vmctl_table_add_row (table, (const gchar *[]) { text, driver, description });
  }
}

static const gchar *
tristate_word (VmctlTristate value)
{
  switch (value) {
  case VMCTL_TRISTATE_YES:
    return "yes";
  case VMCTL_TRISTATE_NO:
    return "no";
  case VMCTL_TRISTATE_UNKNOWN:
  default:
    return "unknown";
  }
}

static gchar *
reset_text (const VmctlVerdict *verdict)
{
  if (verdict->reset_method != NULL && verdict->reset_method[0] != '\0')
    return g_strdup (verdict->reset_method);
  if (verdict->can_reset == VMCTL_TRISTATE_YES)
    return g_strdup ("yes");
  if (verdict->can_reset == VMCTL_TRISTATE_NO)
    return g_strdup ("none (no FLR, no bus reset)");
  return g_strdup ("unknown");
}

static void
print_check_human (const VmctlInventory *inventory, const VmctlPciDevice *device,
                   const VmctlVerdict *verdict, const VmctlPciBars *bars)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (3);
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *description = vmctl_pci_device_describe (device);
  g_autofree gchar *group = NULL;
  g_autofree gchar *answer = NULL;
  g_autofree gchar *reset = reset_text (verdict);

  vmctl_pci_address_format (&verdict->address, address);
  if (verdict->iommu_group != VMCTL_PCI_NO_GROUP)
    group = g_strdup_printf ("IOMMU group %d", verdict->iommu_group);
  else
    group = g_strdup ("no IOMMU group");
  g_print ("%s  %s\n", address, description);
  g_print ("  driver %s, %s\n", verdict->driver != NULL ? verdict->driver : "none", group);
  answer = verdict->passable ? vmctl_output_style (VMCTL_STYLE_GOOD, "passable")
                             : vmctl_output_style (VMCTL_STYLE_BAD, "NOT passable");
  g_print ("\n%s\n\n", answer);

  vmctl_table_set_indent (table, 2);
  add_section (table, inventory, "Companions (go along to the VM):", verdict->companions);
  add_section (table, inventory, "Bridges (stay with the host):", verdict->bridges);
  add_section (table, inventory,
               "Blockers (in use by the host: assign them too with --hostdev, or move the card):",
               verdict->blockers);
  add_section (table, inventory,
               "Peers (idle now, unusable by the host while the VM runs):", verdict->peers);
  add_section (table, inventory,
               "Siblings (same card, another IOMMU group: assigned too):", verdict->siblings);
  if (verdict->companions->len + verdict->bridges->len + verdict->blockers->len
      + verdict->peers->len + verdict->siblings->len > 0) {
    vmctl_table_print (table);
    g_print ("\n");
  }

  g_print ("Boot VGA: %s\n", tristate_word (verdict->boot_vga));
  g_print ("Reset: %s\n", reset);
  vmctl_gpu_print_bars (bars);
  if (verdict->reasons->len > 0) {
    g_print ("\nWhy:\n");
    for (guint i = 0; i < verdict->reasons->len; i++)
      g_print ("  - %s\n", (const gchar *) g_ptr_array_index (verdict->reasons, i));
  }
}

gboolean
vmctl_cmd_gpu_check (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlGpuReport) report = NULL;
  const VmctlVerdict *verdict;
  VmctlPciAddress address;

  if (!vmctl_invocation_parse (invocation, NULL, gpu_check_description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  /* the address first: bad input is reported before any host access */
  if (!vmctl_pci_address_parse (invocation->arguments[1], &address, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  report = vmctl_session_gpu_check (context->session, &address, error);
  if (report == NULL)
    return FALSE;

  verdict = g_ptr_array_index (report->verdicts, 0);
  /* issue 12: the BARs and Resizable BAR in both forms */
  if (context->json)
    vmctl_gpu_print_check_json (verdict, report->bars);
  else
    print_check_human (report->inventory, vmctl_inventory_lookup (report->inventory, &address),
                       verdict, report->bars);
  invocation->exit_status = verdict->passable ? VMCTL_EXIT_SUCCESS : VMCTL_EXIT_FAILURE;
  return TRUE;
}
