/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-display.c: vmctl display NAME (the SPICE/VNC URI of a running
 * VM, as virsh domdisplay prints it) and vmctl os list (the guest OSes
 * --os takes, from libosinfo's database). */
#include "vmctl-output.h"

#include "vmctl-session-media.h"

static const gchar display_description[] =
  "Prints the URI of the running VM's display, as 'virsh domdisplay' does:\n"
  "spice://HOST:PORT or vnc://HOST:DISPLAY, one line per display. Open it with\n"
  "remote-viewer (virt-viewer). The workstation profile listens on 127.0.0.1\n"
  "only; for a remote host, tunnel the port (ssh -L) or use virt-viewer -c URI.\n"
  "\n"
  "Exit status 1 when the VM is not running or has no graphics (a VM whose\n"
  "passed-through GPU drives its own monitor: vmctl console NAME reaches it),\n"
  "2 for an unknown VM.\n"
  "\n"
  "Examples:\n"
  "  vmctl display desk\n"
  "  remote-viewer \"$(vmctl display desk)\"\n"
  "  vmctl display desk --json";

static const gchar os_list_description[] =
  "Lists the guest operating systems 'vmctl create --os ID' knows, from\n"
  "libosinfo's database (osinfo-db, the one virt-install uses): each OS's short\n"
  "ID, name, version and family. An OS newer than the installed osinfo-db is\n"
  "missing: update osinfo-db, or take the closest older ID.\n"
  "\n"
  "Examples:\n"
  "  vmctl os list\n"
  "  vmctl os list --json";

gboolean
vmctl_cmd_display (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(GPtrArray) displays = NULL;

  if (!vmctl_invocation_start (invocation, NULL, display_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;
  displays = vmctl_session_display (context->session, invocation->arguments[1], error);
  if (displays == NULL)
    return FALSE;
  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "name", invocation->arguments[1]);
    vmctl_json_add_string_or_null (builder, "uri",
                                   ((const VmctlDisplay *) g_ptr_array_index (displays, 0))->uri);
    vmctl_output_add_displays_json (builder, displays);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
    return TRUE;
  }
  for (guint i = 0; i < displays->len; i++) {
    const VmctlDisplay *display = g_ptr_array_index (displays, i);

    if (display->uri != NULL)
      g_print ("%s\n", display->uri);
  }
  return TRUE;
}

static void
print_os_json (GPtrArray *oses)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "oses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < oses->len; i++) {
    const VmctlOs *os = g_ptr_array_index (oses, i);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "id", os->id);
    json_builder_set_member_name (builder, "aliases");
    json_builder_begin_array (builder);
    for (guint j = 0; os->aliases[j] != NULL; j++)
      json_builder_add_string_value (builder, os->aliases[j]);
    json_builder_end_array (builder);
    vmctl_json_add_string_or_null (builder, "name", os->name);
    vmctl_json_add_string_or_null (builder, "vendor", os->vendor);
    vmctl_json_add_string_or_null (builder, "version", os->version);
    vmctl_json_add_string_or_null (builder, "family", os->family);
    vmctl_json_add_string_or_null (builder, "release_date", os->release_date);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

gboolean
vmctl_cmd_os_list (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(GPtrArray) oses = NULL;
  g_autoptr(VmctlTable) table = vmctl_table_new (4);

  if (!vmctl_invocation_start (invocation, NULL, os_list_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;
  oses = vmctl_session_os_list (context->session, error);
  if (oses == NULL)
    return FALSE;
  if (context->json) {
    print_os_json (oses);
    return TRUE;
  }
  vmctl_table_set_header (table, (const gchar *[]) { "ID", "NAME", "VERSION", "FAMILY" });
  for (guint i = 0; i < oses->len; i++) {
    const VmctlOs *os = g_ptr_array_index (oses, i);

    vmctl_table_add_row (table, (const gchar *[]) { os->id, os->name, os->version, os->family });
  }
  vmctl_table_print (table);
  return TRUE;
}
