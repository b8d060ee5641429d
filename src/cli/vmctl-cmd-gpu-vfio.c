/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-vfio.c: vmctl gpu detach (and its --vm --hook mode, the
 * libvirt hook's prepare) and gpu status: moving PCI functions from their
 * host drivers to vfio-pci by hand, and what vmctl holds; one library
 * call each (vmctl-session-gpu.h). reattach is vmctl-cmd-gpu-reattach.c,
 * recover vmctl-cmd-gpu-recover.c. */
#include "vmctl-output.h"

#include "vmctl-lifecycle-hook.h"
#include "vmctl-pci-address.h"
#include "vmctl-session-gpu.h"

#include <stdio.h>

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

/* ---- gpu detach ------------------------------------------------------------ */

static void
print_detached (VmctlContext *context, const VmctlMoves *moves)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (4);

  if (moves->remote) {
    vmctl_output_print_remote_moves (context, moves, "detached",
                                     "every function is on vfio-pci already");
    return;
  }
  json_builder_begin_object (builder);
  if (moves->dry_run) {
    vmctl_json_add_actions (builder, moves->actions);
    json_builder_end_object (builder);
    if (context->json)
      vmctl_json_print (builder);
    else
      vmctl_output_print_actions (moves->actions);
    return;
  }
  json_builder_set_member_name (builder, "detached");
  json_builder_begin_array (builder);
  for (guint i = 0; i < moves->functions->len; i++) {
    const VmctlMovedFunction *function = &g_array_index (moves->functions, VmctlMovedFunction, i);
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&function->address, name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "address");
    json_builder_add_string_value (builder, name);
    vmctl_json_add_string_or_null (builder, "from", function->from);
    json_builder_end_object (builder);
    vmctl_table_add_row (table, (const gchar *[]) {
      name, vmctl_output_driver (function->from), "->", vmctl_output_driver (function->to)
    });
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (context->json)
    vmctl_json_print (builder);
  else
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

  if (context == NULL)
    return FALSE;
  xml = read_stdin (&length, error);
  return xml != NULL
         && vmctl_session_gpu_hook_prepare (context->session, vm, xml, length, error);
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
  g_autoptr(GArray) hostdevs = NULL;
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlMoves) moves = NULL;
  VmctlGpuFlags flags = VMCTL_GPU_FLAGS_NONE;
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
  if (!vmctl_pci_address_parse (invocation->arguments[1], &address, error)
      || !vmctl_parse_addresses (hostdev_texts, "--hostdev", &hostdevs, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  vmctl_output_show_progress (context, verbose);
  if (force)
    flags |= VMCTL_GPU_FORCE;
  if (dry_run)
    flags |= VMCTL_GPU_DRY_RUN;
  moves = vmctl_session_gpu_detach (context->session, &address,
                                    (const VmctlPciAddress *) hostdevs->data, hostdevs->len,
                                    flags, error);
  if (moves == NULL)
    return FALSE;
  print_detached (context, moves);
  return TRUE;
}

/* ---- gpu status ------------------------------------------------------------ */

static gchar *
state_text (const VmctlHeldFunction *held)
{
  const VmctlJournalEntry *entry = held->entry;

  if (held->stale)
    return g_strdup ("stale: earlier boot");
  if (entry->step != VMCTL_JOURNAL_STEP_BOUND_VFIO)
    return g_strdup_printf ("interrupted at %s", vmctl_journal_step_to_string (entry->step));
  return g_strdup (vmctl_journal_step_to_string (entry->step));
}

gboolean
vmctl_cmd_gpu_status (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlGpuStatus) status = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(VmctlTable) table = vmctl_table_new (6);

  if (!vmctl_invocation_start (invocation, NULL, gpu_status_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  status = vmctl_session_gpu_status (context->session, error);
  if (status == NULL)
    return FALSE;

  vmctl_table_set_header (table, (const gchar *[]) {
    "ADDRESS", "NOW", "ORIGINAL", "VM", "SINCE", "STATE"
  });
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "functions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < status->functions->len; i++) {
    const VmctlHeldFunction *held = g_ptr_array_index (status->functions, i);
    const VmctlJournalEntry *entry = held->entry;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *state = state_text (held);

    vmctl_pci_address_format (&entry->address, name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "address");
    json_builder_add_string_value (builder, name);
    vmctl_json_add_string_or_null (builder, "driver", held->driver);
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
    json_builder_add_boolean_value (builder, held->stale);
    json_builder_end_object (builder);
    vmctl_table_add_row (table, (const gchar *[]) {
      name, vmctl_output_driver (held->driver),
      vmctl_output_driver (entry->original_driver[0] != '\0' ? entry->original_driver : NULL),
      entry->owner[0] != '\0' ? entry->owner : "-",
      entry->time != NULL ? entry->time : "?", state
    });
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < status->problems->len; i++) {
    const VmctlJournalProblem *problem = g_ptr_array_index (status->problems, i);

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
  if (status->functions->len == 0)
    g_print ("vmctl holds no PCI functions\n");
  else
    vmctl_table_print (table);
  if (status->problems->len > 0) {
    g_print ("\nCorrupt journal entries (left in place, never acted on):\n");
    for (guint i = 0; i < status->problems->len; i++) {
      const VmctlJournalProblem *problem = g_ptr_array_index (status->problems, i);

      g_print ("  %s: %s\n", problem->path, problem->message);
    }
  }
  return TRUE;
}
