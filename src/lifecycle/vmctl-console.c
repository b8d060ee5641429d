/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-console.c: the serial console of a running VM through libvirt's
 * stream API, as `virsh console` reaches it: virDomainOpenConsole() ties
 * a virStream to the guest's pty in the daemon, locally or over a remote
 * connection. The stream is non-blocking and driven by libvirt's own
 * event loop (virEventRegisterDefaultImpl), which one thread of the
 * process runs: stream data, the input descriptor and the domain's
 * lifecycle events are all handled in that thread, one at a time, so
 * sending and receiving never race; the caller's thread only waits for
 * the end (the input function ends it, the guest stops, the time runs
 * out, another session takes over). */
#include "vmctl-console.h"

#include <errno.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-connect.h"
#include "vmctl-error.h"
#include "vmctl-lifecycle-private.h"

/* after the guest stopped, how long the rest of its output may take to
 * arrive before the session ends anyway */
#define DRAIN_US (2 * G_USEC_PER_SEC)

struct _VmctlConsole {
  gchar *name;
  virConnectPtr connection;
  virDomainPtr domain;
  virStreamPtr stream;
  gchar *log;                 /* the serial port's <log file>, or NULL */

  GMutex lock;
  GCond changed;
  const VmctlConsoleIo *io;   /* during vmctl_console_run() */
  gboolean ended;
  VmctlConsoleEnd end;
  gchar *failure;             /* a stream or input error, for the message */
  gint64 stopped_at;          /* the lifecycle event said stopped (monotonic) */
  GByteArray *pending;        /* input the stream did not take yet */
  gboolean want_writable;
  gint input_watch;           /* -1: none */
  gboolean stream_watched;
  gint lifecycle_callback;    /* -1: none */
  gboolean barrier_passed;
};

/* ---- the event loop: one thread per process, started once ---------------- */

static gpointer
run_event_loop (gpointer data)
{
  /* libvirt's default loop is meant to run forever in one thread, as
   * virsh runs it; it serves every console this process opens */
  while (sym_virEventRunDefaultImpl () == 0)
    ;
  return NULL;
}

/* Must come before the connection is opened: the remote driver watches
 * its socket through the event loop registered at connect time. */
static gboolean
start_event_loop (GError **error)
{
  /* Written once, inside g_once_init_enter() below, and never again:
   * libvirt has one default event loop per process
   * (virEventRegisterDefaultImpl() is process-wide by nature), and
   * nothing a session chooses reaches it. Like libvirt's loaded flag
   * (vmctl-libvirt.c), by design. */
  static gsize once;
  static gboolean started;

  if (!vmctl_libvirt_load (error))
    return FALSE;
  if (g_once_init_enter (&once)) {
    started = sym_virEventRegisterDefaultImpl () == 0;
    if (started)
      g_thread_unref (g_thread_new ("vmctl-console-events", run_event_loop, NULL));
    g_once_init_leave (&once, 1);
  }
  if (!started)
    vmctl_virt_set_error (error, "cannot start libvirt's event loop for the console");
  return started;
}

/* ---- ending ------------------------------------------------------------------ */

/* (lock held) the first end is the one that counts */
static void
end_locked (VmctlConsole *console, VmctlConsoleEnd end, const gchar *failure)
{
  if (console->ended)
    return;
  console->ended = TRUE;
  console->end = end;
  console->failure = g_strdup (failure);
  g_cond_broadcast (&console->changed);
}

static void
end_session (VmctlConsole *console, VmctlConsoleEnd end, const gchar *failure)
{
  g_mutex_lock (&console->lock);
  end_locked (console, end, failure);
  g_mutex_unlock (&console->lock);
}

/* ---- data ------------------------------------------------------------------ */

static gboolean
write_all (gint fd, const gchar *data, gsize length)
{
  while (length > 0) {
    gssize written = write (fd, data, length);

    if (written < 0 && errno == EINTR)
      continue;
    if (written < 0 && errno == EAGAIN) {
      g_usleep (1000);
      continue;
    }
    if (written <= 0)
      return FALSE;
    data += written;
    length -= (gsize) written;
  }
  return TRUE;
}

static void
update_stream_events (VmctlConsole *console)
{
  gint events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

  if (console->want_writable)
    events |= VIR_STREAM_EVENT_WRITABLE;
  sym_virStreamEventUpdateCallback (console->stream, events);
}

/* (event thread) hands what the input gave to the stream, as much as it
 * takes now; the rest waits for the stream to become writable */
static void
flush_pending (VmctlConsole *console)
{
  while (console->pending->len > 0) {
    gint sent = sym_virStreamSend (console->stream, (const gchar *) console->pending->data,
                                   console->pending->len);

    if (sent == -2)
      break;
    if (sent < 0) {
      end_session (console, VMCTL_CONSOLE_END_STOPPED, sym_virGetLastErrorMessage ());
      return;
    }
    g_byte_array_remove_range (console->pending, 0, (guint) sent);
  }
  if (console->want_writable != (console->pending->len > 0)) {
    console->want_writable = console->pending->len > 0;
    update_stream_events (console);
  }
}

/* (event thread) the guest's output to the output descriptor */
static void
on_stream (virStreamPtr stream, int events, void *opaque)
{
  VmctlConsole *console = opaque;
  gchar buffer[4096];

  if (console->io == NULL)
    return;
  if (events & VIR_STREAM_EVENT_WRITABLE)
    flush_pending (console);
  for (;;) {
    gint received = sym_virStreamRecv (stream, buffer, sizeof buffer);

    if (received == -2)
      break;
    if (received == 0) {
      end_session (console, VMCTL_CONSOLE_END_STOPPED, NULL);
      return;
    }
    if (received < 0) {
      /* run() tells a stopped guest from a session taken over */
      end_session (console, VMCTL_CONSOLE_END_STOPPED, sym_virGetLastErrorMessage ());
      return;
    }
    if (!write_all (console->io->output_fd, buffer, (gsize) received)) {
      end_session (console, VMCTL_CONSOLE_END_INPUT_CLOSED, g_strerror (errno));
      return;
    }
  }
  if (events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR))
    end_session (console, VMCTL_CONSOLE_END_STOPPED, NULL);
}

/* (event thread) the input to the guest, through the input function */
static void
on_input (int watch, int fd, int events, void *opaque)
{
  VmctlConsole *console = opaque;
  guint8 buffer[1024];
  gssize length;
  gsize kept;
  gboolean go_on = TRUE;

  if (console->io == NULL)
    return;
  length = read (fd, buffer, sizeof buffer);
  if (length < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (length <= 0) {
    end_session (console, VMCTL_CONSOLE_END_INPUT_CLOSED, NULL);
    return;
  }
  kept = (gsize) length;
  if (console->io->input_func != NULL)
    go_on = console->io->input_func (buffer, &kept, console->io->input_data);
  g_byte_array_append (console->pending, buffer, (guint) MIN (kept, (gsize) length));
  flush_pending (console);
  if (!go_on)
    end_session (console, VMCTL_CONSOLE_END_LEFT, NULL);
}

/* (event thread) the guest stopped: its last output may still be on the
 * way; run() waits DRAIN_US for the stream's end */
static void
on_lifecycle (virConnectPtr connection, virDomainPtr domain, int event, int detail,
              void *opaque)
{
  VmctlConsole *console = opaque;

  if (event != VIR_DOMAIN_EVENT_STOPPED)
    return;
  g_mutex_lock (&console->lock);
  if (console->stopped_at == 0)
    console->stopped_at = g_get_monotonic_time ();
  g_cond_broadcast (&console->changed);
  g_mutex_unlock (&console->lock);
}

static void
on_barrier (int timer, void *opaque)
{
  VmctlConsole *console = opaque;

  sym_virEventRemoveTimeout (timer);
  g_mutex_lock (&console->lock);
  console->barrier_passed = TRUE;
  g_cond_broadcast (&console->changed);
  g_mutex_unlock (&console->lock);
}

/* Stops the callbacks, and waits until the event thread is past any it
 * was running: it runs one callback at a time and never one removed
 * before, so once a fresh timer fired none of ours is left. */
static void
stop_callbacks (VmctlConsole *console)
{
  gint timer;

  if (console->input_watch >= 0)
    sym_virEventRemoveHandle (console->input_watch);
  console->input_watch = -1;
  if (console->stream_watched)
    sym_virStreamEventRemoveCallback (console->stream);
  console->stream_watched = FALSE;
  if (console->lifecycle_callback >= 0)
    sym_virConnectDomainEventDeregisterAny (console->connection, console->lifecycle_callback);
  console->lifecycle_callback = -1;

  g_mutex_lock (&console->lock);
  console->barrier_passed = FALSE;
  timer = sym_virEventAddTimeout (0, on_barrier, console, NULL);
  while (timer >= 0 && !console->barrier_passed)
    g_cond_wait (&console->changed, &console->lock);
  console->io = NULL;
  g_mutex_unlock (&console->lock);
}

/* ---- opening ------------------------------------------------------------------ */

static gchar *
live_xml (VmctlConsole *console, GError **error)
{
  char *text = sym_virDomainGetXMLDesc (console->domain, 0);
  gchar *copy;

  if (text == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot get the XML of VM '%s'", console->name);
    return NULL;
  }
  copy = g_strdup (text);
  free (text);
  return copy;
}

/* Whether the live domain has a console or serial port, and its log. */
static gboolean
find_console (VmctlConsole *console, GError **error)
{
  g_autofree gchar *text = live_xml (console, error);
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlXPathObject) devices = NULL;
  g_autoptr(xmlXPathObject) logs = NULL;

  if (text == NULL)
    return FALSE;
  document = xmlReadMemory (text, (int) strlen (text), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == NULL) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_HYPERVISOR,
                 "libvirt gave XML for VM '%s' that does not parse", console->name);
    return FALSE;
  }
  devices = vmctl_lifecycle_select_nodes (document, "/domain/devices/console | "
                                                    "/domain/devices/serial");
  if (vmctl_lifecycle_node_count (devices) == 0) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_FAILED,
                 "VM '%s' has no console device: add a serial port ('virsh edit %s', "
                 "<serial type=\"pty\"/> under <devices>) and restart it; every VM vmctl "
                 "creates has one", console->name, console->name);
    return FALSE;
  }
  logs = vmctl_lifecycle_select_nodes (document, "/domain/devices/serial/log/@file");
  if (vmctl_lifecycle_node_count (logs) > 0) {
    g_autofree xmlChar *file = xmlNodeGetContent (logs->nodesetval->nodeTab[0]);

    console->log = g_strdup ((const gchar *) file);
  }
  return TRUE;
}

static gboolean
check_running (VmctlConsole *console, GError **error)
{
  VmctlVmState state;

  if (!vmctl_lifecycle_get_state (console->domain, &state, error))
    return FALSE;
  if (state == VMCTL_VM_STATE_RUNNING || state == VMCTL_VM_STATE_PAUSED)
    return TRUE;
  g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_FAILED,
               "VM '%s' is %s, so its console is closed: start it first (vmctl start %s)",
               console->name, vmctl_vm_state_to_string (state), console->name);
  return FALSE;
}

static gboolean
open_stream (VmctlConsole *console, gboolean force, GError **error)
{
  /* SAFE: only where the driver keeps two sessions from sharing the pty
   * (the QEMU driver does); FORCE: end the other session instead of
   * failing */
  guint flags = VIR_DOMAIN_CONSOLE_SAFE | (force ? VIR_DOMAIN_CONSOLE_FORCE : 0);
  virErrorPtr last;

  console->stream = sym_virStreamNew (console->connection, VIR_STREAM_NONBLOCK);
  if (console->stream == NULL) {
    vmctl_lifecycle_set_virt_error (error, "cannot make a stream for the console of VM '%s'",
                                    console->name);
    return FALSE;
  }
  if (sym_virDomainOpenConsole (console->domain, NULL, console->stream, flags) == 0)
    return TRUE;
  last = sym_virGetLastError ();
  if (!force && last != NULL && last->message != NULL
      && strstr (last->message, "Active console session") != NULL) {
    sym_virResetLastError ();
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_BUSY,
                 "another session is attached to the console of VM '%s' (vmctl console "
                 "--force takes it over)", console->name);
    return FALSE;
  }
  vmctl_lifecycle_set_virt_error (error, "cannot open the console of VM '%s'", console->name);
  return FALSE;
}

/**
 * vmctl_console_open:
 * @uri: the connection's URI (a console needs a read-write connection)
 * @name: a running VM
 * @force: take the console over from another session
 * @error: VMCTL_LIFECYCLE_ERROR_NO_VM for an unknown VM; VMCTL_ERROR_FAILED
 *   when it is not running or has no console device (the message has the
 *   fix); VMCTL_ERROR_BUSY when another session holds the console and
 *   @force is FALSE; a VMCTL_VIRT_ERROR otherwise
 *
 * Opens the console, before anything is read or written: the caller
 * changes its terminal only once this succeeded.
 *
 * Returns: (transfer full): the open console; vmctl_console_close() it
 */
VmctlConsole *
vmctl_console_open (const gchar *uri, const gchar *name, gboolean force, GError **error)
{
  g_autoptr(VmctlConsole) console = g_new0 (VmctlConsole, 1);

  g_return_val_if_fail (name != NULL, NULL);
  g_mutex_init (&console->lock);
  g_cond_init (&console->changed);
  console->name = g_strdup (name);
  console->input_watch = -1;
  console->lifecycle_callback = -1;
  console->pending = g_byte_array_new ();
  if (!start_event_loop (error))
    return NULL;
  console->connection = vmctl_connect_open (uri, FALSE, error);
  if (console->connection == NULL)
    return NULL;
  console->domain = vmctl_lifecycle_lookup (console->connection, name, error);
  if (console->domain == NULL
      || !check_running (console, error)
      || !find_console (console, error)
      || !open_stream (console, force, error))
    return NULL;
  return g_steal_pointer (&console);
}

/**
 * vmctl_console_get_log:
 *
 * Returns: (nullable): the file on the VM's host where the serial port's
 *   output is kept (<log file>), or NULL
 */
const gchar *
vmctl_console_get_log (VmctlConsole *console)
{
  return console->log;
}

/* After a stream error: a guest still running lost its console to
 * another session; otherwise it stopped. */
static VmctlConsoleEnd
judge_stream_end (VmctlConsole *console)
{
  VmctlVmState state = VMCTL_VM_STATE_UNKNOWN;

  if (vmctl_lifecycle_get_state (console->domain, &state, NULL)
      && (state == VMCTL_VM_STATE_RUNNING || state == VMCTL_VM_STATE_PAUSED))
    return VMCTL_CONSOLE_END_TAKEN_OVER;
  return VMCTL_CONSOLE_END_STOPPED;
}

/**
 * vmctl_console_run:
 * @io: where input comes from and output goes; must stay valid until this
 *   returns
 * @out_end: (out): why the session ended
 * @error: VMCTL_ERROR_HYPERVISOR when the callbacks could not be set up
 *
 * Copies until the session ends. The output descriptor gets the guest's
 * bytes as they are (a terminal in raw mode shows them as the guest
 * meant).
 *
 * Returns: TRUE when the session ran; *@out_end says how it ended
 */
gboolean
vmctl_console_run (VmctlConsole *console, const VmctlConsoleIo *io, VmctlConsoleEnd *out_end,
                   GError **error)
{
  gint64 deadline = io->timeout_seconds > 0
                    ? g_get_monotonic_time () + io->timeout_seconds * G_USEC_PER_SEC : 0;
  gint events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;
  VmctlConsoleEnd end;
  g_autofree gchar *failure = NULL;

  g_return_val_if_fail (console != NULL && io != NULL && out_end != NULL, FALSE);
  g_mutex_lock (&console->lock);
  console->io = io;
  console->ended = FALSE;
  g_mutex_unlock (&console->lock);

  console->lifecycle_callback = sym_virConnectDomainEventRegisterAny (
    console->connection, console->domain, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_CALLBACK (on_lifecycle), console, NULL);
  if (sym_virStreamEventAddCallback (console->stream, events, on_stream, console, NULL) < 0) {
    vmctl_lifecycle_set_virt_error (error, "cannot watch the console of VM '%s'", console->name);
    stop_callbacks (console);
    return FALSE;
  }
  console->stream_watched = TRUE;
  if (io->input_fd >= 0) {
    console->input_watch = sym_virEventAddHandle (io->input_fd, VIR_EVENT_HANDLE_READABLE,
                                                  on_input, console, NULL);
    if (console->input_watch < 0) {
      vmctl_lifecycle_set_virt_error (error, "cannot watch the input for the console of VM "
                                      "'%s'", console->name);
      stop_callbacks (console);
      return FALSE;
    }
  }

  g_mutex_lock (&console->lock);
  while (!console->ended) {
    gint64 now = g_get_monotonic_time ();
    gint64 until = deadline;

    if (console->stopped_at != 0 && now >= console->stopped_at + DRAIN_US) {
      end_locked (console, VMCTL_CONSOLE_END_STOPPED, NULL);
      break;
    }
    if (deadline != 0 && now >= deadline) {
      end_locked (console, VMCTL_CONSOLE_END_TIMEOUT, NULL);
      break;
    }
    if (console->stopped_at != 0 && (until == 0 || console->stopped_at + DRAIN_US < until))
      until = console->stopped_at + DRAIN_US;
    if (until == 0)
      g_cond_wait (&console->changed, &console->lock);
    else
      g_cond_wait_until (&console->changed, &console->lock, until);
  }
  end = console->end;
  failure = g_steal_pointer (&console->failure);
  g_mutex_unlock (&console->lock);
  stop_callbacks (console);

  if (end == VMCTL_CONSOLE_END_STOPPED && failure != NULL)
    end = judge_stream_end (console);
  *out_end = end;
  return TRUE;
}

/**
 * vmctl_console_close:
 * @console: (nullable)
 *
 * Ends the stream and closes the connection the console opened.
 */
void
vmctl_console_close (VmctlConsole *console)
{
  if (console == NULL)
    return;
  if (console->stream != NULL) {
    if (console->stream_watched || console->input_watch >= 0 || console->lifecycle_callback >= 0)
      stop_callbacks (console);
    /* abort: the pty stays with the daemon for the next session */
    sym_virStreamAbort (console->stream);
    sym_virResetLastError ();
    sym_virStreamFree (console->stream);
  }
  if (console->domain != NULL)
    sym_virDomainFree (console->domain);
  if (console->connection != NULL)
    sym_virConnectClose (console->connection);
  g_clear_pointer (&console->pending, g_byte_array_unref);
  g_free (console->name);
  g_free (console->log);
  g_free (console->failure);
  g_mutex_clear (&console->lock);
  g_cond_clear (&console->changed);
  g_free (console);
}
