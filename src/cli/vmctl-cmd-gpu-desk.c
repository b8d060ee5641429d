/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-desk.c: what gpu check prints for issue 12: the BARs and
 * Resizable BAR of the card. */
#include "vmctl-output.h"

#include "vmctl-session-desk.h"

static const VmctlPciRebar *
rebar_of (const VmctlPciBars *bars, guint index)
{
  for (guint i = 0; i < bars->rebar->len; i++)
    if (g_array_index (bars->rebar, VmctlPciRebar, i).bar == index)
      return &g_array_index (bars->rebar, VmctlPciRebar, i);
  return NULL;
}

/**
 * vmctl_gpu_print_bars:
 * @bars: (nullable): NULL prints nothing (a remote host)
 *
 * "BARs: 0 16 MiB (32-bit), 1 16 GiB (64-bit, prefetchable, Resizable BAR
 * up to 16 GiB)", after gpu check's Reset line.
 */
void
vmctl_gpu_print_bars (const VmctlPciBars *bars)
{
  g_autoptr(GString) line = g_string_new (NULL);

  if (bars == NULL)
    return;
  for (guint i = 0; i < bars->bars->len; i++) {
    const VmctlPciBar *bar = &g_array_index (bars->bars, VmctlPciBar, i);
    const VmctlPciRebar *rebar = rebar_of (bars, bar->index);
    g_autofree gchar *size = vmctl_pci_size_format (bar->size);

    g_string_append_printf (line, "%s%u %s (%s%s", i > 0 ? ", " : "", bar->index, size,
                            bar->is_64bit ? "64-bit" : "32-bit",
                            bar->prefetchable ? ", prefetchable" : "");
    if (rebar != NULL) {
      g_autofree gchar *largest = vmctl_pci_size_format (rebar->largest);

      g_string_append_printf (line, ", Resizable BAR up to %s", largest);
    }
    g_string_append_c (line, ')');
  }
  g_print ("BARs: %s\n", line->len > 0 ? line->str : "none");
  /* only root reads the extended config space; a short read says nothing */
  if (bars->extended_config)
    g_print ("Resizable BAR: %s\n", bars->rebar->len > 0 ? "yes" : "no");
}

/**
 * vmctl_gpu_print_check_json:
 *
 * gpu check --json: the verdict's members, plus "bars" and "rebar" (null
 * when unknown).
 */
void
vmctl_gpu_print_check_json (const VmctlVerdict *verdict, const VmctlPciBars *bars)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonBuilder) extra = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;
  JsonObject *object;

  vmctl_json_add_verdict (builder, verdict, NULL);
  root = json_builder_get_root (builder);
  object = json_node_get_object (root);
  json_builder_begin_array (extra);
  for (guint i = 0; bars != NULL && i < bars->bars->len; i++) {
    const VmctlPciBar *bar = &g_array_index (bars->bars, VmctlPciBar, i);
    const VmctlPciRebar *rebar = rebar_of (bars, bar->index);

    json_builder_begin_object (extra);
    json_builder_set_member_name (extra, "index");
    json_builder_add_int_value (extra, bar->index);
    json_builder_set_member_name (extra, "size");
    json_builder_add_int_value (extra, (gint64) bar->size);
    json_builder_set_member_name (extra, "64bit");
    json_builder_add_boolean_value (extra, bar->is_64bit);
    json_builder_set_member_name (extra, "prefetchable");
    json_builder_add_boolean_value (extra, bar->prefetchable);
    json_builder_set_member_name (extra, "rebar_max");
    if (rebar != NULL)
      json_builder_add_int_value (extra, (gint64) rebar->largest);
    else
      json_builder_add_null_value (extra);
    json_builder_end_object (extra);
  }
  json_builder_end_array (extra);
  if (bars != NULL)
    json_object_set_member (object, "bars", json_builder_get_root (extra));
  else
    json_object_set_null_member (object, "bars");
  if (bars != NULL && bars->extended_config)
    json_object_set_boolean_member (object, "rebar", bars->rebar->len > 0);
  else
    json_object_set_null_member (object, "rebar");
  /* as vmctl_json_print() does, for a tree a builder did not end with */
  vmctl_json_make_valid (root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}
