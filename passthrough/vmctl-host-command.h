/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-command.h: the commands vmctl runs on the host beyond sysfs
 * writes (boot configuration regeneration, modprobe): always an argument
 * vector, looked up on PATH, so a test puts recording stand-ins first on
 * PATH; they run whatever the host root, so the stand-ins see them, and a
 * dry run prints them instead (DESIGN.md, External commands). */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_HOST_COMMAND_ERROR (vmctl_host_command_error_quark ())

typedef enum {
  VMCTL_HOST_COMMAND_ERROR_MISSING, /* the program is not on PATH */
  VMCTL_HOST_COMMAND_ERROR_FAILED,  /* it ran and failed; its stderr follows */
} VmctlHostCommandError;

GQuark vmctl_host_command_error_quark (void);

gchar **vmctl_host_command_argv (VmctlHost *host, const gchar *name, const gchar *parameter);
gchar *vmctl_host_command_format (const gchar * const *argv);
gboolean vmctl_host_command_run (const gchar * const *argv, GError **error);
const gchar *vmctl_host_command_modprobe (void);

G_END_DECLS
