/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-console.c: vmctl console NAME, the guest's serial console on
 * this terminal. The library moves the bytes (vmctl-console.c); this file
 * owns the terminal: raw mode while attached, Ctrl+] to leave, and the
 * terminal's settings back on every way out, signals included. */
#include "vmctl-output.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmctl-session-media.h"

static const gchar console_description[] =
  "Attaches this terminal to the VM's serial console (the guest's ttyS0 or\n"
  "COM1), through libvirt, on any connection: -c qemu+ssh://HOST/system works\n"
  "too. Keys go to the guest as typed; Ctrl+] leaves. Only one session may\n"
  "hold a console: --force takes it over from another (which then ends).\n"
  "\n"
  "When stdin is not a terminal, nothing is sent: the guest's output is copied\n"
  "to stdout until the guest stops or --timeout seconds pass (for scripts and\n"
  "tests). The output from the start of the boot is kept in the serial log on\n"
  "the VM's host (vmctl info NAME shows where).\n"
  "\n"
  "Exit status 0 when the session ended by Ctrl+], the guest stopping or the\n"
  "timeout; 1 when the VM is not running, has no console device or another\n"
  "session took over; 2 for an unknown VM.\n"
  "\n"
  "Examples:\n"
  "  vmctl console ci-1\n"
  "  vmctl console ci-1 --timeout 60 </dev/null > boot.log";

/* Ctrl+], as virsh and telnet have it */
#define ESCAPE_BYTE 0x1d

/* The terminal as it was before raw mode: process-wide, because the
 * signal handlers put it back. */
static struct termios saved_terminal;
static volatile sig_atomic_t terminal_raw;

static const gint fatal_signals[] = {
  SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE,
};
/* job control would stop vmctl with the terminal still raw */
static const gint stop_signals[] = { SIGTSTP, SIGTTIN, SIGTTOU };

static void
restore_terminal (void)
{
  if (terminal_raw) {
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    terminal_raw = 0;
  }
}

/* async-signal-safe: tcsetattr(), signal() and raise() only; the signal
 * is then delivered again with its default action (the exit status a
 * shell expects from it) */
static void
on_fatal_signal (int signal_number)
{
  if (terminal_raw)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_terminal);
  terminal_raw = 0;
  signal (signal_number, SIG_DFL);
  raise (signal_number);
}

static void
set_signals (gboolean attached)
{
  struct sigaction action = { 0 };

  sigemptyset (&action.sa_mask);
  action.sa_handler = attached ? on_fatal_signal : SIG_DFL;
  for (gsize i = 0; i < G_N_ELEMENTS (fatal_signals); i++)
    sigaction (fatal_signals[i], &action, NULL);
  action.sa_handler = attached ? SIG_IGN : SIG_DFL;
  for (gsize i = 0; i < G_N_ELEMENTS (stop_signals); i++)
    sigaction (stop_signals[i], &action, NULL);
}

/* Raw mode: every key reaches the guest (Ctrl+C included), nothing is
 * echoed twice, output is not rewritten. */
static gboolean
make_raw (GError **error)
{
  struct termios raw;

  if (tcgetattr (STDIN_FILENO, &saved_terminal) != 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "cannot read the terminal's settings: %s", g_strerror (errno));
    return FALSE;
  }
  raw = saved_terminal;
  cfmakeraw (&raw);
  /* the handlers first: a signal between the two must find them */
  set_signals (TRUE);
  atexit (restore_terminal);
  terminal_raw = 1;
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw) != 0) {
    terminal_raw = 0;
    set_signals (FALSE);
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "cannot put the terminal in raw mode: %s", g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

/* (the console's thread) stops at Ctrl+], which never reaches the guest */
static gboolean
watch_escape (guint8 *data, gsize *length, gpointer user_data)
{
  const guint8 *escape = memchr (data, ESCAPE_BYTE, *length);

  if (escape == NULL)
    return TRUE;
  *length = (gsize) (escape - data);
  return FALSE;
}

/* the console is open: every error a user can act on came before the
 * terminal changes. The line comes once the terminal is raw, so whoever
 * sees it (a user, a script driving a pty) types into raw mode; raw mode
 * does not turn "\n" into a new line, hence "\r\n". */
static gboolean
attached (gpointer user_data, GError **error)
{
  const gchar *name = user_data;

  if (!make_raw (error))
    return FALSE;
  g_printerr ("vmctl: connected to the console of VM '%s'; Ctrl+] leaves\r\n", name);
  return TRUE;
}

static gboolean
report_end (const gchar *name, VmctlConsoleEnd end, gboolean interactive, GError **error)
{
  switch (end) {
  case VMCTL_CONSOLE_END_TAKEN_OVER:
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
                 "another session took the console of VM '%s' over", name);
    return FALSE;
  case VMCTL_CONSOLE_END_STOPPED:
    if (interactive)
      g_printerr ("\r\nvmctl: VM '%s' stopped\n", name);
    return TRUE;
  case VMCTL_CONSOLE_END_TIMEOUT:
    if (interactive)
      g_printerr ("\r\nvmctl: --timeout passed; left the console of VM '%s'\n", name);
    return TRUE;
  case VMCTL_CONSOLE_END_LEFT:
  case VMCTL_CONSOLE_END_INPUT_CLOSED:
  default:
    if (interactive)
      g_printerr ("\r\nvmctl: left the console of VM '%s'\n", name);
    return TRUE;
  }
}

gboolean
vmctl_cmd_console (VmctlInvocation *invocation, GError **error)
{
  gboolean force = FALSE;
  gint timeout = 0;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      "Take the console over from another session", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      "Leave after SEC seconds (default: never)", "SEC" },
    { NULL },
  };
  g_autoptr(VmctlContext) context = NULL;
  gboolean interactive = isatty (STDIN_FILENO);
  VmctlConsoleIo io = { -1, STDOUT_FILENO, 0, NULL, NULL, NULL };
  VmctlConsoleEnd end = VMCTL_CONSOLE_END_STOPPED;
  const gchar *name;
  gboolean ran;

  if (!vmctl_invocation_start (invocation, entries, console_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;
  name = invocation->arguments[1];
  if (timeout < 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "console: --timeout '%d': want 0 (never) or more seconds", timeout);
    return FALSE;
  }
  io.timeout_seconds = (guint) timeout;
  if (interactive) {
    io.input_fd = STDIN_FILENO;
    io.input_func = watch_escape;
    io.input_data = (gpointer) name;
    io.attached_func = attached;
  }
  ran = vmctl_session_console (context->session, name, force, &io, &end, error);
  restore_terminal ();
  set_signals (FALSE);
  return ran && report_end (name, end, interactive, error);
}
