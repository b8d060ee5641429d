/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-output.h: what every command file shares: the global options and
 * the invocation a handler receives, usage errors and exit codes, tables,
 * JSON, and the formatting of devices and verdicts. The command table
 * itself lives only in vmctl-main.c. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vmctl-context.h"
#include "vmctl-verdict.h"
#include "vmctl-vfio.h"

G_BEGIN_DECLS

/* Exit codes of the stable contract (DESIGN.md). */
#define VMCTL_EXIT_SUCCESS  0
#define VMCTL_EXIT_FAILURE  1  /* the operation failed or a check is negative */
#define VMCTL_EXIT_USAGE    2  /* bad usage or bad input */

#define VMCTL_CLI_ERROR (vmctl_cli_error_quark ())

typedef enum {
  VMCTL_CLI_ERROR_USAGE,   /* wrong words, arguments or option values: exit 2 */
  VMCTL_CLI_ERROR_FAILED,  /* the command ran and the answer is "no": exit 1 */
} VmctlCliError;

GQuark vmctl_cli_error_quark (void);

/* The global options, accepted before and after the command words; both
 * option contexts write into the same struct. */
typedef struct {
  gchar *connect_uri;
  gchar *host_root;
  gchar *state_dir;
  gboolean json;
  gboolean version;
  gboolean help;
} VmctlGlobalOptions;

void vmctl_global_options_clear (VmctlGlobalOptions *options);
GOptionGroup *vmctl_global_option_group_new (VmctlGlobalOptions *options);
void vmctl_global_options_print_help (void);

typedef struct _VmctlInvocation VmctlInvocation;
typedef gboolean (*VmctlCommandHandler) (VmctlInvocation *invocation, GError **error);

typedef struct {
  const gchar *name;         /* command words, "gpu check" */
  const gchar *synopsis;     /* positional arguments, "ADDR" */
  guint min_arguments;
  guint max_arguments;
  VmctlCommandHandler handler;
  const gchar *summary;      /* one line, no final period */
} VmctlCommand;

struct _VmctlInvocation {
  const VmctlCommand *command;
  VmctlGlobalOptions *options;
  gchar **arguments;         /* owned; [0] is "vmctl <words>", then the rest */
  gboolean done;             /* help or version was printed: nothing to run */
  gint exit_status;          /* what main() returns when the handler succeeds */
};

gboolean vmctl_invocation_parse (VmctlInvocation *invocation,
                                 const GOptionEntry *entries,
                                 const gchar *description,
                                 GError **error);
VmctlContext *vmctl_invocation_open_context (VmctlInvocation *invocation, GError **error);
gboolean vmctl_invocation_start (VmctlInvocation *invocation, const GOptionEntry *entries,
                                 const gchar *description, VmctlContext **out_context,
                                 GError **error);
void vmctl_print_version (gboolean json);

/* Handlers, one file per command word. */
gboolean vmctl_cmd_host_check (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_host_setup (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_host_recover (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_iommu_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_check (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_detach (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_reattach (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_status (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_recover (VmctlInvocation *invocation, GError **error);

/* shared by the gpu detach/reattach/recover files */
/* --dry-run and --verbose, which every gpu command that changes the host takes */
#define VMCTL_GPU_RUN_OPTIONS(dry_run, verbose) \
  { "dry-run", 0, 0, G_OPTION_ARG_NONE, (dry_run), \
    "Print the sysfs writes and change nothing", NULL }, \
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, (verbose), \
    "Print each step to stderr, even when it is not a terminal", NULL }

VmctlVfio *vmctl_gpu_open_engine (VmctlContext *context, gboolean dry_run, gboolean verbose,
                                  GError **error);
gboolean vmctl_gpu_check_state_dir (VmctlContext *context, GError **error);
void vmctl_gpu_add_string_array (JsonBuilder *builder, const gchar *member, GPtrArray *strings);
void vmctl_gpu_print_actions (GPtrArray *actions);
void vmctl_gpu_add_actions_json (JsonBuilder *builder, GPtrArray *actions);
gboolean vmctl_gpu_remote (VmctlContext *context, const VmctlPciAddress *address,
                           GArray *hostdevs, gboolean detach, gboolean dry_run,
                           GError **error);
gboolean vmctl_cmd_create (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_start (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_stop (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_destroy (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_undefine (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_autostart (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_info (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_xml (VmctlInvocation *invocation, GError **error);

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

/* Devices */
gchar *vmctl_output_ids (const VmctlPciDevice *device);
const gchar *vmctl_output_class_name (guint32 class_code);
gchar *vmctl_output_class (const VmctlPciDevice *device);
const gchar *vmctl_output_driver (const gchar *driver);
gchar *vmctl_output_addresses (GArray *addresses);

G_END_DECLS
