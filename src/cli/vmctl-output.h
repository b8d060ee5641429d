/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-output.h: what every command file prints with: tables, JSON,
 * colour, the library's progress and notes, and the formatting of
 * devices, verdicts and device moves. Parsing is vmctl-options.h. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vmctl-context.h"
#include "vmctl-lifecycle.h"
#include "vmctl-options.h"
#include "vmctl-pci-bars.h"
#include "vmctl-verdict.h"
#include "vmctl-vm-media.h"

G_BEGIN_DECLS

/* Progress and notes of the library (the session's line functions) on
 * stderr: progress on a terminal or with --verbose, notes always. */
void vmctl_output_progress_line (const gchar *subject, const gchar *line, gpointer user_data);
void vmctl_output_note_line (const gchar *subject, const gchar *line, gpointer user_data);
void vmctl_output_show_progress (VmctlContext *context, gboolean verbose);

/* Colour: only on a terminal, and never when NO_COLOR is set. */
typedef enum {
  VMCTL_STYLE_PLAIN,
  VMCTL_STYLE_BOLD,
  VMCTL_STYLE_GOOD,
  VMCTL_STYLE_WARN,
  VMCTL_STYLE_BAD,
  VMCTL_STYLE_DIM,
} VmctlStyle;

gboolean vmctl_output_use_colour (void);
gchar *vmctl_output_style (VmctlStyle style, const gchar *text);

/* Tables: column widths from the content, no trailing spaces. */
typedef struct _VmctlTable VmctlTable;

VmctlTable *vmctl_table_new (guint n_columns);
void vmctl_table_set_header (VmctlTable *table, const gchar * const *cells);
void vmctl_table_set_indent (VmctlTable *table, guint indent);
void vmctl_table_add_row (VmctlTable *table, const gchar * const *cells);
void vmctl_table_add_heading (VmctlTable *table, const gchar *text);
void vmctl_table_add_note (VmctlTable *table, const gchar *text);
void vmctl_table_print (VmctlTable *table);
void vmctl_table_free (VmctlTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlTable, vmctl_table_free)

/* JSON */
void vmctl_json_print (JsonBuilder *builder);
/* every string (and member name) valid UTF-8, other bytes as "\xNN" */
void vmctl_json_make_valid (JsonNode *node);
void vmctl_json_add_string_or_null (JsonBuilder *builder, const gchar *member,
                                    const gchar *value);
void vmctl_json_add_verdict (JsonBuilder *builder, const VmctlVerdict *verdict,
                             const gchar *description);
void vmctl_json_add_string_array (JsonBuilder *builder, const gchar *member, GPtrArray *strings);

/* Device moves (gpu detach, reattach, recover): a dry run's actions as
 * "would: ..." lines, or {"dry_run": true, "actions": [...]} members */
void vmctl_output_print_actions (GPtrArray *actions);
void vmctl_json_add_actions (JsonBuilder *builder, GPtrArray *actions);
void vmctl_output_print_remote_moves (VmctlContext *context, const VmctlMoves *moves,
                                      const gchar *member, const gchar *nothing);

/* Devices */
gchar *vmctl_output_ids (const VmctlPciDevice *device);
const gchar *vmctl_output_class_name (guint32 class_code);
gchar *vmctl_output_class (const VmctlPciDevice *device);
const gchar *vmctl_output_driver (const gchar *driver);
gchar *vmctl_output_addresses (GArray *addresses);

/* issue 11: how a VM is reached (vmctl info, vmctl display) */
void vmctl_output_add_displays_json (JsonBuilder *builder, GPtrArray *displays);
void vmctl_output_media_text (const VmctlVmMedia *media);
void vmctl_output_media_json (JsonBuilder *builder, const VmctlVmMedia *media);
/* gpu check's BARs and Resizable BAR (issue 12, vmctl-cmd-gpu-desk.c) */
void vmctl_gpu_print_bars (const VmctlPciBars *bars);
void vmctl_gpu_print_check_json (const VmctlVerdict *verdict, const VmctlPciBars *bars);

gchar *vmctl_output_join_or_dash (const gchar *separator, GPtrArray *items);

G_END_DECLS
