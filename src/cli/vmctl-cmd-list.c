/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-list.c: the read-only VM commands: vmctl list [--all],
 * info NAME and xml NAME, one library call each. The library opens the
 * connection read-only, so they work for users who may look but not
 * touch. */
#include "vmctl-output.h"

#include "vmctl-session-vm.h"
#include "vmctl-size.h"

static gchar *
format_memory (guint64 memory_kib)
{
  return vmctl_size_format (memory_kib * VMCTL_KIB);
}

/* "0000:01:00.0, 0000:02:00.0", or "-" for none */
/* The members list and info share; info adds the rest. */
static void
add_vm_members (JsonBuilder *builder, const VmctlVmInfo *info)
{
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->name);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, vmctl_vm_state_to_string (info->state));
  json_builder_set_member_name (builder, "vcpus");
  json_builder_add_int_value (builder, info->vcpus);
  json_builder_set_member_name (builder, "memory_kib");
  json_builder_add_int_value (builder, (gint64) info->memory_kib);
  vmctl_json_add_string_array (builder, "gpus", info->gpus);
  json_builder_set_member_name (builder, "autostart");
  json_builder_add_boolean_value (builder, info->autostart);
  json_builder_set_member_name (builder, "persistent");
  json_builder_add_boolean_value (builder, info->persistent);
  json_builder_set_member_name (builder, "managed");
  json_builder_add_boolean_value (builder, info->managed_by_vmctl);
}

static void
print_list_json (GPtrArray *vms)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vms");
  json_builder_begin_array (builder);
  for (guint i = 0; i < vms->len; i++) {
    json_builder_begin_object (builder);
    add_vm_members (builder, g_ptr_array_index (vms, i));
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
print_list_table (GPtrArray *vms)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (6);

  vmctl_table_set_header (table, (const gchar *[]) {
    "NAME", "STATE", "VCPUS", "MEMORY", "GPUS", "AUTOSTART"
  });
  for (guint i = 0; i < vms->len; i++) {
    const VmctlVmInfo *info = g_ptr_array_index (vms, i);
    g_autofree gchar *vcpus = g_strdup_printf ("%u", info->vcpus);
    g_autofree gchar *memory = format_memory (info->memory_kib);
    g_autofree gchar *gpus = vmctl_output_join_or_dash (",", info->gpus);

    vmctl_table_add_row (table, (const gchar *[]) {
      info->name, vmctl_vm_state_to_string (info->state), vcpus, memory, gpus,
      info->autostart ? "yes" : "no"
    });
  }
  vmctl_table_print (table);
}

gboolean
vmctl_cmd_list (VmctlInvocation *invocation, GError **error)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Shut-off VMs too, not only running ones", NULL },
    { NULL },
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(GPtrArray) vms = NULL;

  if (!vmctl_invocation_start (invocation, entries,
                               "One line per VM: state, vCPUs, memory, the GPUs vmctl gave it\n"
                               "and whether libvirt starts it at boot. Running VMs only unless\n"
                               "--all is given.",
                               &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  vms = vmctl_session_list (context->session, all, error);
  if (vms == NULL)
    return FALSE;
  if (invocation->options->json)
    print_list_json (vms);
  else
    print_list_table (vms);
  return TRUE;
}

static void
print_info_json (const VmctlVmInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_vm_members (builder, info);
  vmctl_json_add_string_or_null (builder, "uuid", info->uuid);
  vmctl_json_add_string_or_null (builder, "profile", info->profile);
  vmctl_json_add_string_array (builder, "hostdevs", info->hostdevs);
  vmctl_output_media_json (builder, info->media);
  vmctl_json_add_string_array (builder, "usb", info->usb);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
print_info_text (const VmctlVmInfo *info)
{
  g_autofree gchar *memory = format_memory (info->memory_kib);
  g_autofree gchar *gpus = vmctl_output_join_or_dash (",", info->gpus);
  g_autofree gchar *hostdevs = vmctl_output_join_or_dash (",", info->hostdevs);

  g_print ("name:       %s\n", info->name);
  g_print ("uuid:       %s\n", info->uuid != NULL ? info->uuid : "-");
  g_print ("state:      %s\n", vmctl_vm_state_to_string (info->state));
  g_print ("vcpus:      %u\n", info->vcpus);
  g_print ("memory:     %s\n", memory);
  g_print ("gpus:       %s\n", gpus);
  g_print ("hostdevs:   %s\n", hostdevs);
  /* issue 12: a device by port is marked so */
  for (guint i = 0; i < info->usb->len; i++)
    g_print ("usb:        %s\n", (const gchar *) g_ptr_array_index (info->usb, i));
  g_print ("profile:    %s\n", info->profile != NULL ? info->profile : "-");
  g_print ("autostart:  %s\n", info->autostart ? "yes" : "no");
  g_print ("persistent: %s\n", info->persistent ? "yes" : "no");
  g_print ("managed:    %s\n", info->managed_by_vmctl ? "yes (vmctl metadata)" : "no");
  vmctl_output_media_text (info->media);
}

gboolean
vmctl_cmd_info (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlVmInfo) info = NULL;

  if (!vmctl_invocation_start (invocation, NULL,
                               "What libvirt and vmctl's metadata say about one VM: its\n"
                               "state and size, the GPUs vmctl gave it, its serial console\n"
                               "and the log of it, its display (the URI while it runs), its\n"
                               "drives and boot order.",
                               &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  info = vmctl_session_info (context->session, invocation->arguments[1], error);
  if (info == NULL)
    return FALSE;
  if (invocation->options->json)
    print_info_json (info);
  else
    print_info_text (info);
  return TRUE;
}

gboolean
vmctl_cmd_xml (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autofree gchar *xml = NULL;

  if (!vmctl_invocation_start (invocation, NULL, "Prints the VM's domain XML as libvirt holds it.",
                               &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  xml = vmctl_session_xml (context->session, invocation->arguments[1], error);
  if (xml == NULL)
    return FALSE;
  if (invocation->options->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, invocation->arguments[1]);
    json_builder_set_member_name (builder, "xml");
    json_builder_add_string_value (builder, xml);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
  } else {
    g_print ("%s%s", xml, g_str_has_suffix (xml, "\n") ? "" : "\n");
  }
  return TRUE;
}
