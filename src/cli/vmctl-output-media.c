/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-output-media.c: what vmctl info shows of how a VM is reached and
 * what it boots (issue 11): console and its log, displays, boot order,
 * drives, direct kernel boot, the guest OS; and the displays of vmctl
 * display. */
#include "vmctl-output.h"

#include "vmctl-vm-media.h"

/* "a, b, c", or "-" for none */
static void
add_int_or_null (JsonBuilder *builder, const gchar *member, gint value)
{
  json_builder_set_member_name (builder, member);
  if (value > 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* for vmctl info and vmctl display */
void
vmctl_output_add_displays_json (JsonBuilder *builder, GPtrArray *displays)
{
  json_builder_set_member_name (builder, "displays");
  json_builder_begin_array (builder);
  for (guint i = 0; i < displays->len; i++) {
    const VmctlDisplay *display = g_ptr_array_index (displays, i);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "type", display->type);
    vmctl_json_add_string_or_null (builder, "uri", display->uri);
    vmctl_json_add_string_or_null (builder, "listen", display->listen);
    add_int_or_null (builder, "port", display->port);
    add_int_or_null (builder, "tls_port", display->tls_port);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}

void
vmctl_output_media_text (const VmctlVmMedia *media)
{
  g_autoptr(GPtrArray) displays = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) drives = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *display_text = NULL;
  g_autofree gchar *drive_text = NULL;
  g_autofree gchar *boot_text = vmctl_output_join_or_dash (", ", media->boot);

  for (guint i = 0; i < media->displays->len; i++) {
    const VmctlDisplay *display = g_ptr_array_index (media->displays, i);

    g_ptr_array_add (displays, display->uri != NULL ? g_strdup (display->uri)
                               : g_strdup_printf ("%s (a URI while it runs)", display->type));
  }
  for (guint i = 0; i < media->drives->len; i++) {
    const VmctlVmDrive *drive = g_ptr_array_index (media->drives, i);

    g_ptr_array_add (drives, g_strdup_printf ("%s %s %s %s", drive->device,
                                              drive->target != NULL ? drive->target : "-",
                                              drive->bus != NULL ? drive->bus : "-",
                                              drive->source != NULL ? drive->source : "(empty)"));
  }
  display_text = vmctl_output_join_or_dash (", ", displays);
  drive_text = vmctl_output_join_or_dash (", ", drives);
  if (media->console == NULL)
    g_print ("console:    none\n");
  else
    g_print ("console:    %s%s%s%s%s%s\n", media->console, media->console_path != NULL ? " " : "",
             media->console_path != NULL ? media->console_path : "",
             media->console_log != NULL ? " (log " : "",
             media->console_log != NULL ? media->console_log : "",
             media->console_log != NULL ? ")" : "");
  g_print ("display:    %s\n", display_text);
  g_print ("boot:       %s\n", boot_text);
  g_print ("drives:     %s\n", drive_text);
  if (media->kernel != NULL)
    g_print ("kernel:     %s%s%s%s%s\n", media->kernel,
             media->initrd != NULL ? " initrd " : "", media->initrd != NULL ? media->initrd : "",
             media->cmdline != NULL ? " cmdline " : "",
             media->cmdline != NULL ? media->cmdline : "");
  if (media->os != NULL)
    g_print ("os:         %s\n", media->os);
}

void
vmctl_output_media_json (JsonBuilder *builder, const VmctlVmMedia *media)
{
  json_builder_set_member_name (builder, "console");
  if (media->console == NULL) {
    json_builder_add_null_value (builder);
  } else {
    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "type", media->console);
    vmctl_json_add_string_or_null (builder, "path", media->console_path);
    vmctl_json_add_string_or_null (builder, "log", media->console_log);
    json_builder_end_object (builder);
  }
  vmctl_output_add_displays_json (builder, media->displays);
  vmctl_json_add_string_array (builder, "boot", media->boot);
  json_builder_set_member_name (builder, "drives");
  json_builder_begin_array (builder);
  for (guint i = 0; i < media->drives->len; i++) {
    const VmctlVmDrive *drive = g_ptr_array_index (media->drives, i);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "device", drive->device);
    vmctl_json_add_string_or_null (builder, "target", drive->target);
    vmctl_json_add_string_or_null (builder, "bus", drive->bus);
    vmctl_json_add_string_or_null (builder, "source", drive->source);
    json_builder_set_member_name (builder, "boot_order");
    if (drive->boot_order > 0)
      json_builder_add_int_value (builder, drive->boot_order);
    else
      json_builder_add_null_value (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "kernel");
  if (media->kernel == NULL) {
    json_builder_add_null_value (builder);
  } else {
    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "path", media->kernel);
    vmctl_json_add_string_or_null (builder, "initrd", media->initrd);
    vmctl_json_add_string_or_null (builder, "cmdline", media->cmdline);
    json_builder_end_object (builder);
  }
  vmctl_json_add_string_or_null (builder, "os", media->os);
}
