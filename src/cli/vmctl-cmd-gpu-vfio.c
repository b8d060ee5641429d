/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-vfio.c: vmctl gpu detach and status, and what the gpu
 * commands share: moving PCI functions from their host drivers to vfio-pci
 * by hand through the passthrough engine (passthrough/vmctl-vfio.h), the
 * libvirt hook's prepare (detach --hook), and what vmctl holds. reattach is
 * vmctl-cmd-gpu-reattach.c, recover vmctl-cmd-gpu-recover.c. */
#include "vmctl-cmd-gpu-private.h"

#include "vmctl-inventory-sysfs.h"
#include "vmctl-lifecycle-hook.h"
#include "vmctl-pci-address.h"
#include "vmctl-plan.h"
#include "vmctl-state-dir.h"
#include "vmctl-vfio.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const gchar gpu_detach_description[] =
  "Moves the PCI function at ADDR, and every function that must go along with\n"
  "it (its companions in the IOMMU group and its passable siblings on the same\n"
  "card), from their host drivers to vfio-pci, so that a VM can be given them.\n"
  "For each function vmctl writes vfio-pci to its driver_override, unbinds it\n"
  "from its driver and asks the kernel to probe it again. Bridges stay with the\n"
  "host. A group shared with devices the host uses is refused: name them with\n"
  "--hostdev to move them too. The boot VGA device (the host's console) and\n"
  "devices behind a framebuffer or a mounted disk need --force.\n"
  "\n"
  "Every move is recorded first in the journal, STATE/journal/ under the state\n"
  "directory (--state-dir, default /var/lib/vmctl), so that 'vmctl gpu\n"
  "reattach' gives each function back to the exact driver it came from and\n"
  "'vmctl gpu recover' can finish the job after a crash. If any step fails,\n"
  "the functions already moved are given back at once. A VM started later\n"
  "uses a function detached here as it is, and leaves it detached.\n"
  "\n"
  "With -c naming another machine (and no --host-root), the plan comes from\n"
  "that host's node devices and libvirt detaches them there.\n"
  "\n"
  "--vm NAME --hook (instead of ADDR) is what the libvirt hook runs at\n"
  "'prepare', when libvirt starts the VM (autostart, virsh, virt-manager):\n"
  "it reads the domain XML from stdin and, when it is a vmctl VM, does what\n"
  "'vmctl start' does before the start: the plan in its metadata re-checked\n"
  "and moved to vfio-pci for NAME, its dynamic hugepages reserved. It never\n"
  "contacts libvirt (libvirt waits for the hook); functions already detached\n"
  "for NAME are used as they are; it waits at most 3 s for any driver or\n"
  "lock (VMCTL_BIND_TIMEOUT_MS overrides). On failure nothing stays moved\n"
  "and the exit status is 1, so libvirt refuses the start with this message.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu detach 01:00.0 --dry-run    show the sysfs writes, change nothing\n"
  "  vmctl gpu detach 01:00.0\n"
  "  vmctl gpu detach 01:00.0 --hostdev 02:00.0 --json\n"
  "  vmctl gpu detach --vm gamer --hook < domain.xml";

static const gchar gpu_status_description[] =
  "Lists the PCI functions vmctl holds on vfio-pci, from the journal in the\n"
  "state directory (STATE/journal/): the driver each is on now, the one it\n"
  "came from, the VM it was detached for ('-' for a manual 'gpu detach'),\n"
  "since when, and its state. \"stale: earlier boot\" means the entry predates\n"
  "the last reboot (which already gave the function back); \"interrupted at\n"
  "STEP\" means a vmctl process died mid-way: run 'vmctl gpu recover'. Changes\n"
  "nothing.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu status\n"
  "  vmctl gpu status --json --state-dir /var/lib/vmctl";

/* ---- shared ---------------------------------------------------------------- */

/* Progress is for a person watching: on a terminal, or when asked. */
static void
print_progress (const gchar *line, gpointer user_data)
{
  g_printerr ("%s\n", line);
}

VmctlVfio *
vmctl_gpu_open_engine (VmctlContext *context, gboolean dry_run, gboolean verbose, GError **error)
{
  g_autoptr(VmctlVfio) vfio = vmctl_vfio_new (vmctl_session_get_host (context->session), vmctl_session_get_state_dir (context->session), error);

  if (vfio == NULL)
    return NULL;
  vmctl_vfio_set_dry_run (vfio, dry_run);
  if (!context->json && (verbose || isatty (STDERR_FILENO)))
    vmctl_vfio_set_progress (vfio, print_progress, NULL);
  return g_steal_pointer (&vfio);
}

/* The actions of a dry run: "would: write /sys/... vfio-pci" lines, or
 * {"dry_run": true, "actions": [...]} as the start of a JSON object (the
 * caller closes it). */
void
vmctl_gpu_print_actions (GPtrArray *actions)
{
  for (guint i = 0; i < actions->len; i++)
    g_print ("would: %s\n", (const gchar *) g_ptr_array_index (actions, i));
  if (actions->len == 0)
    g_print ("would: change nothing\n");
}

void
vmctl_gpu_add_actions_json (JsonBuilder *builder, GPtrArray *actions)
{
  json_builder_set_member_name (builder, "dry_run");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "actions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < actions->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (actions, i));
  json_builder_end_array (builder);
}

void
vmctl_gpu_add_string_array (JsonBuilder *builder, const gchar *member, GPtrArray *strings)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (strings, i));
  json_builder_end_array (builder);
}

/* The state directory checked before anything else, dry runs and readers
 * included: one that is no directory would read as "holds nothing", and
 * one that is a symlink, someone else's or writable by others is refused
 * with the fix (vmctl-state-dir.h). A missing one is fine: it is created
 * on the first write. */
gboolean
vmctl_gpu_check_state_dir (VmctlContext *context, GError **error)
{
  return vmctl_state_dir_check (vmctl_session_get_state_dir (context->session), error);
}

/* the driver a function is bound to now, NULL when none */
static gchar *
current_driver (VmctlContext *context, const gchar *name)
{
  g_autofree gchar *path = g_strdup_printf ("/sys/bus/pci/devices/%s/driver", name);

  return vmctl_host_read_link_name (vmctl_session_get_host (context->session), path);
}

/* ---- gpu detach ------------------------------------------------------------ */

/* Named functions that are bad input, before any plan: unknown ones and
 * bridges (the plan would call a bridge "not passable", a failure, but
 * naming one is a mistake in the request). */
static gboolean
check_requested (const VmctlInventory *inventory, const VmctlPciAddress *address,
                 GError **error)
{
  const VmctlPciDevice *device = vmctl_inventory_find (inventory, address, error);

  if (device == NULL)
    return FALSE;
  if (vmctl_pci_device_is_bridge (device)) {
    g_autofree gchar *refusal = vmctl_pci_bridge_refusal (address);

    g_set_error_literal (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_BRIDGE, refusal);
    return FALSE;
  }
  return TRUE;
}

static void
print_detached (VmctlContext *context, const VmctlPlan *plan)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (4);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "detached");
  json_builder_begin_array (builder);
  for (guint i = 0; i < plan->functions->len; i++) {
    const VmctlPlanFunction *function = &g_array_index (plan->functions, VmctlPlanFunction, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *now = NULL;

    vmctl_pci_address_format (&function->address, name);
    now = current_driver (context, name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "address");
    json_builder_add_string_value (builder, name);
    vmctl_json_add_string_or_null (builder, "from", function->driver);
    json_builder_end_object (builder);
    vmctl_table_add_row (table, (const gchar *[]) {
      name, vmctl_output_driver (function->driver), "->", vmctl_output_driver (now)
    });
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (context->json) {
    vmctl_json_print (builder);
    return;
  }
  vmctl_table_print (table);
}

/* the domain XML libvirt passes on the hook's stdin */
static gchar *
read_stdin (gsize *out_length, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gchar buffer[65536];
  gsize got;

  while ((got = fread (buffer, 1, sizeof buffer, stdin)) > 0) {
    g_string_append_len (text, buffer, (gssize) got);
    if (text->len > VMCTL_HOOK_XML_MAX) {
      g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                   "gpu detach --hook: the domain XML on stdin is larger than %u bytes",
                   (guint) VMCTL_HOOK_XML_MAX);
      return NULL;
    }
  }
  if (ferror (stdin)) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "gpu detach --hook: cannot read the domain XML from stdin");
    return NULL;
  }
  *out_length = text->len;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* `gpu detach --vm NAME --hook`: the libvirt hook's prepare */
static gboolean
detach_hook (VmctlInvocation *invocation, const gchar *vm, GError **error)
{
  g_autoptr(VmctlContext) context = vmctl_invocation_open_context (invocation, error);
  g_autofree gchar *xml = NULL;
  gsize length = 0;

  if (context == NULL || !vmctl_gpu_check_state_dir (context, error))
    return FALSE;
  xml = read_stdin (&length, error);
  if (xml == NULL)
    return FALSE;
  if (!vmctl_lifecycle_hook_prepare (context->session, vm, xml, length, error)) {
    /* libvirt shows this line with the start it refuses */
    g_prefix_error (error, "cannot start VM '%s': ", vm);
    return FALSE;
  }
  return TRUE;
}

gboolean
vmctl_cmd_gpu_detach (VmctlInvocation *invocation, GError **error)
{
  g_auto(GStrv) hostdev_texts = NULL;
  g_autofree gchar *vm = NULL;
  gboolean force = FALSE;
  gboolean dry_run = FALSE;
  gboolean verbose = FALSE;
  gboolean hook = FALSE;
  const GOptionEntry entries[] = {
    { "hostdev", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hostdev_texts,
      "Move this function too, to clear a shared IOMMU group (repeatable)", "ADDR" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      "Take a function the host uses (boot console, framebuffer, mounted disk)", NULL },
    { "vm", 0, 0, G_OPTION_ARG_STRING, &vm,
      "With --hook: the VM libvirt is starting", "NAME" },
    { "hook", 0, 0, G_OPTION_ARG_NONE, &hook,
      "Called by the libvirt hook at prepare: detach the plan of the domain XML on stdin", NULL },
    VMCTL_GPU_RUN_OPTIONS (&dry_run, &verbose),
    { NULL }
  };
  g_autoptr(GArray) hostdevs = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(VmctlQuirks) quirks = NULL;
  g_autoptr(VmctlPlan) plan = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (VmctlPciAddress));
  VmctlPciAddress address;

  if (!vmctl_invocation_parse (invocation, entries, gpu_detach_description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  if (hook || vm != NULL) {
    if (!hook || vm == NULL || vm[0] == '\0' || invocation->arguments[1] != NULL
        || hostdev_texts != NULL || force || dry_run) {
      g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                           "gpu detach: --hook and --vm NAME go together, without ADDR, "
                           "--hostdev, --force or --dry-run");
      return FALSE;
    }
    return detach_hook (invocation, vm, error);
  }
  if (invocation->arguments[1] == NULL) {
    g_set_error_literal (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                         "gpu detach: give ADDR");
    return FALSE;
  }
  /* every address first: bad input is reported before any host access */
  if (!vmctl_pci_address_parse (invocation->arguments[1], &address, error))
    return FALSE;
  for (guint i = 0; hostdev_texts != NULL && hostdev_texts[i] != NULL; i++) {
    VmctlPciAddress hostdev;

    if (!vmctl_pci_address_parse (hostdev_texts[i], &hostdev, error)) {
      g_prefix_error (error, "--hostdev: ");
      return FALSE;
    }
    g_array_append_val (hostdevs, hostdev);
  }
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  /* another machine's hypervisor (and no host root given): its node
   * devices and libvirt's detach there */
  if (vmctl_session_uses_nodedev (context->session))
    return vmctl_gpu_remote (context, &address, hostdevs, TRUE, dry_run, error);
  if (!vmctl_gpu_check_state_dir (context, error))
    return FALSE;
  /* the functions move on the host root's sysfs: the plan is made from
   * the same tree */
  inventory = vmctl_session_load_inventory (context->session, VMCTL_INVENTORY_FLAGS_NONE, error);
  /* host-critical functions stop the plan in any role; host use is left
   * to the engine, which checks it right before the move (with --force) */
  if (inventory == NULL)
    return FALSE;
  if (!check_requested (inventory, &address, error))
    return FALSE;
  for (guint i = 0; i < hostdevs->len; i++)
    if (!check_requested (inventory, &g_array_index (hostdevs, VmctlPciAddress, i), error))
      return FALSE;
  quirks = vmctl_session_load_quirks (context->session, error);
  if (quirks == NULL)
    return FALSE;
  plan = vmctl_plan_compute (inventory, &address, 1, (const VmctlPciAddress *) hostdevs->data,
                             hostdevs->len, quirks, error);
  if (plan == NULL)
    return FALSE;
  for (guint i = 0; i < plan->functions->len; i++)
    g_array_append_val (addresses, g_array_index (plan->functions, VmctlPlanFunction, i).address);

  vfio = vmctl_gpu_open_engine (context, dry_run, verbose, error);
  if (vfio == NULL)
    return FALSE;
  vmctl_vfio_set_force (vfio, force);
  if (!vmctl_vfio_detach (vfio, (const VmctlPciAddress *) addresses->data, addresses->len, "",
                          error))
    return FALSE;

  if (dry_run && context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    vmctl_gpu_add_actions_json (builder, vmctl_vfio_get_actions (vfio));
    json_builder_end_object (builder);
    vmctl_json_print (builder);
  } else if (dry_run) {
    vmctl_gpu_print_actions (vmctl_vfio_get_actions (vfio));
  } else {
    print_detached (context, plan);
  }
  return TRUE;
}

/* ---- gpu status ------------------------------------------------------------ */

static gchar *
state_text (VmctlJournal *journal, const VmctlJournalEntry *entry)
{
  if (journal != NULL && vmctl_journal_entry_is_stale (journal, entry))
    return g_strdup ("stale: earlier boot");
  if (entry->step != VMCTL_JOURNAL_STEP_BOUND_VFIO)
    return g_strdup_printf ("interrupted at %s", vmctl_journal_step_to_string (entry->step));
  return g_strdup (vmctl_journal_step_to_string (entry->step));
}

gboolean
vmctl_cmd_gpu_status (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlVfio) vfio = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (6);
  VmctlJournal *journal;

  if (!vmctl_invocation_start (invocation, NULL, gpu_status_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  if (!vmctl_gpu_check_state_dir (context, error))
    return FALSE;
  /* as a dry run: reading must not create the state directory */
  vfio = vmctl_gpu_open_engine (context, TRUE, FALSE, error);
  if (vfio == NULL)
    return FALSE;
  entries = vmctl_vfio_status (vfio, &problems, error);
  if (entries == NULL)
    return FALSE;
  journal = vmctl_vfio_get_journal (vfio);

  vmctl_table_set_header (table, (const gchar *[]) {
    "ADDRESS", "NOW", "ORIGINAL", "VM", "SINCE", "STATE"
  });
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "functions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++) {
    const VmctlJournalEntry *entry = g_ptr_array_index (entries, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *now = NULL;
    g_autofree gchar *state = state_text (journal, entry);
    gboolean stale = journal != NULL && vmctl_journal_entry_is_stale (journal, entry);

    vmctl_pci_address_format (&entry->address, name);
    now = current_driver (context, name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "address");
    json_builder_add_string_value (builder, name);
    vmctl_json_add_string_or_null (builder, "driver", now);
    json_builder_set_member_name (builder, "original_driver");
    json_builder_add_string_value (builder, entry->original_driver);
    json_builder_set_member_name (builder, "original_driver_override");
    json_builder_add_string_value (builder, entry->original_driver_override);
    json_builder_set_member_name (builder, "owner");
    json_builder_add_string_value (builder, entry->owner);
    vmctl_json_add_string_or_null (builder, "since", entry->time);
    json_builder_set_member_name (builder, "step");
    json_builder_add_string_value (builder, vmctl_journal_step_to_string (entry->step));
    json_builder_set_member_name (builder, "stale");
    json_builder_add_boolean_value (builder, stale);
    json_builder_end_object (builder);
    vmctl_table_add_row (table, (const gchar *[]) {
      name, vmctl_output_driver (now),
      vmctl_output_driver (entry->original_driver[0] != '\0' ? entry->original_driver : NULL),
      entry->owner[0] != '\0' ? entry->owner : "-",
      entry->time != NULL ? entry->time : "?", state
    });
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < problems->len; i++) {
    const VmctlJournalProblem *problem = g_ptr_array_index (problems, i);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "path");
    json_builder_add_string_value (builder, problem->path);
    json_builder_set_member_name (builder, "message");
    json_builder_add_string_value (builder, problem->message);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (context->json) {
    vmctl_json_print (builder);
    return TRUE;
  }
  if (entries->len == 0)
    g_print ("vmctl holds no PCI functions\n");
  else
    vmctl_table_print (table);
  if (problems->len > 0) {
    g_print ("\nCorrupt journal entries (left in place, never acted on):\n");
    for (guint i = 0; i < problems->len; i++) {
      const VmctlJournalProblem *problem = g_ptr_array_index (problems, i);

      g_print ("  %s: %s\n", problem->path, problem->message);
    }
  }
  return TRUE;
}
