/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-options.h: parsing, what every command file shares: the global
 * options and the invocation a handler receives, usage errors, exit codes
 * and the handlers. The command table itself lives only in vmctl-main.c. */
#pragma once

#include <glib.h>

#include "vmctl-context.h"

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
GOptionEntry *vmctl_global_option_entries_new (VmctlGlobalOptions *options);
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
/* issue 12: the same, with @callback_data for the entries' callbacks (an
 * option with an optional value, --looking-glass[=WxH], is a callback) */
gboolean vmctl_invocation_parse_with_data (VmctlInvocation *invocation,
                                           const GOptionEntry *entries,
                                           gpointer callback_data,
                                           const gchar *description,
                                           GError **error);
VmctlContext *vmctl_invocation_open_context (VmctlInvocation *invocation, GError **error);
gboolean vmctl_invocation_start (VmctlInvocation *invocation, const GOptionEntry *entries,
                                 const gchar *description, VmctlContext **out_context,
                                 GError **error);
gboolean vmctl_parse_addresses (gchar **texts, const gchar *option, GArray **out_addresses,
                                GError **error);
void vmctl_print_version (gboolean json);

/* --dry-run and --verbose, which every gpu command that changes the host takes */
#define VMCTL_GPU_RUN_OPTIONS(dry_run, verbose) \
  { "dry-run", 0, 0, G_OPTION_ARG_NONE, (dry_run), \
    "Print the sysfs writes and change nothing", NULL }, \
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, (verbose), \
    "Print each step to stderr, even when it is not a terminal", NULL }

/* Handlers, one file per command word. */
gboolean vmctl_cmd_host_check (VmctlInvocation *invocation, GError **error);
/* issue 13: vmctl-cmd-host-setup.c */
gboolean vmctl_cmd_host_setup (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_host_recover (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_iommu_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_check (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_detach (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_reattach (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_status (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_recover (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_create (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_start (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_stop (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_destroy (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_undefine (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_autostart (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_info (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_xml (VmctlInvocation *invocation, GError **error);
/* issue 11 */
gboolean vmctl_cmd_console (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_display (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_os_list (VmctlInvocation *invocation, GError **error);
/* issue 12 */
gboolean vmctl_cmd_input_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_usb_list (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_rom_check (VmctlInvocation *invocation, GError **error);
gboolean vmctl_cmd_gpu_rom_dump (VmctlInvocation *invocation, GError **error);

G_END_DECLS
