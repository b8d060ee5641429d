/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-console.h: a running VM's serial console through libvirt's stream
 * API (virDomainOpenConsole), on any connection, remote ones included:
 * what the terminal sends goes to the guest, what the guest prints goes
 * to a file descriptor. The terminal itself (raw mode, the escape key) is
 * the caller's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VmctlConsole VmctlConsole;

/**
 * VmctlConsoleInputFunc:
 * @data: (inout): bytes read from the input, to be sent to the guest
 * @length: (inout): how many; may be lowered to send fewer
 * @user_data: what was given with the function
 *
 * Sees every chunk of input before the guest does (the escape key).
 * Called from the console's own thread.
 *
 * Returns: FALSE to end the session after sending *@length bytes
 */
typedef gboolean (*VmctlConsoleInputFunc) (guint8 *data, gsize *length, gpointer user_data);

typedef enum {
  VMCTL_CONSOLE_END_LEFT,          /* the input function ended it (the escape key) */
  VMCTL_CONSOLE_END_STOPPED,       /* the guest stopped, or closed the console */
  VMCTL_CONSOLE_END_TIMEOUT,       /* the time given ran out */
  VMCTL_CONSOLE_END_INPUT_CLOSED,  /* the input reached its end */
  VMCTL_CONSOLE_END_TAKEN_OVER,    /* another session took the console (--force) */
} VmctlConsoleEnd;

/**
 * VmctlConsoleAttachedFunc:
 * @user_data: the input data
 * @error: the caller's own error, handed back as it is
 *
 * Called once the console is open and before any byte moves: where the
 * caller changes its terminal (raw mode), now that every error a user
 * can act on was reported.
 *
 * Returns: FALSE to give up without running the session
 */
typedef gboolean (*VmctlConsoleAttachedFunc) (gpointer user_data, GError **error);

typedef struct {
  gint input_fd;                   /* -1: nothing is sent to the guest */
  gint output_fd;                  /* where the guest's output goes */
  guint timeout_seconds;           /* 0: no limit */
  VmctlConsoleInputFunc input_func; /* nullable */
  gpointer input_data;             /* for input_func and attached_func */
  VmctlConsoleAttachedFunc attached_func; /* nullable */
} VmctlConsoleIo;

VmctlConsole *vmctl_console_open (const gchar *uri, const gchar *name, gboolean force,
                                  GError **error);
gboolean vmctl_console_run (VmctlConsole *console, const VmctlConsoleIo *io,
                            VmctlConsoleEnd *out_end, GError **error);
const gchar *vmctl_console_get_log (VmctlConsole *console);
void vmctl_console_close (VmctlConsole *console);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlConsole, vmctl_console_close)

G_END_DECLS
