/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session.c: the session: what one command works on, and what it
 * derives from that once (the libvirt connection, the host facts). Every library function that acts on a host takes it
 * explicitly; nothing here is process-wide. */
#include "vmctl-session-private.h"

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-error-private.h"
#include "vmctl-host-critical.h"
#include "vmctl-host-use.h"
#include "vmctl-inventory-nodedev.h"
#include "vmctl-inventory-sysfs.h"

#define VMCTL_DEFAULT_STATE_DIR "/var/lib/vmctl"

struct _VmctlSession {
  gint ref_count;
  VmctlHost *host;
  gboolean host_root_given;   /* --host-root or VMCTL_HOST_ROOT */
  gchar *uri;                 /* resolved: -c, the environment, qemu:///system */
  gchar *state_dir;

  GMutex lock;                /* guards what follows */
  virConnectPtr connection;   /* read-write, opened on first use */
  virConnectPtr read_only;    /* opened when reading came first; kept
                               * (a caller may hold it) when a writer
                               * opens the read-write one later */
  VmctlHostFacts *facts;      /* asked on first use */
  VmctlSessionLineFunc progress;
  gpointer progress_data;
  VmctlSessionLineFunc note;
  gpointer note_data;
};

/* An empty variable counts as unset: "VMCTL_HOST_ROOT= vmctl ..." is how a
 * shell user clears an exported value for one command. */
static const gchar *
getenv_nonempty (const gchar *name)
{
  const gchar *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

/**
 * vmctl_session_new:
 * @host_root: (nullable): the directory standing in for "/" (--host-root);
 *   NULL falls back to $VMCTL_HOST_ROOT, then "/"
 * @uri: (nullable): the libvirt URI (-c); NULL lets
 *   vmctl_connect_resolve_uri() choose ($VMCTL_DEFAULT_URI,
 *   $LIBVIRT_DEFAULT_URI, qemu:///system)
 * @state_dir: (nullable): the journal's and locks' directory
 *   (--state-dir); NULL falls back to $VMCTL_STATE_DIR, then
 *   /var/lib/vmctl. Not created here: commands that only read never need it
 * @error: VMCTL_HOST_ERROR_BAD_ROOT when the host root is not a directory
 *
 * Nothing is opened or read yet: the connection, the host facts and the
 * lists are fetched by the first function that needs them.
 *
 * Returns: (transfer full): a session; release with vmctl_session_unref()
 */
VmctlSession *
vmctl_session_new (const gchar *host_root, const gchar *uri, const gchar *state_dir,
                   GError **error)
{
  g_autoptr(VmctlSession) session = g_new0 (VmctlSession, 1);
  const gchar *root = host_root != NULL ? host_root : getenv_nonempty ("VMCTL_HOST_ROOT");

  session->ref_count = 1;
  g_mutex_init (&session->lock);
  session->host_root_given = root != NULL;
  session->host = vmctl_host_new (root != NULL ? root : "/", error);
  if (session->host == NULL)
    return NULL;
  session->uri = g_strdup (vmctl_connect_resolve_uri (uri));
  if (state_dir == NULL)
    state_dir = getenv_nonempty ("VMCTL_STATE_DIR");
  session->state_dir = g_strdup (state_dir != NULL ? state_dir : VMCTL_DEFAULT_STATE_DIR);
  return g_steal_pointer (&session);
}

/**
 * vmctl_session_ref:
 * Returns: (transfer full): @session
 */
VmctlSession *
vmctl_session_ref (VmctlSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_atomic_int_inc (&session->ref_count);
  return session;
}

/**
 * vmctl_session_unref:
 *
 * Drops a reference; the last one closes the connection.
 */
void
vmctl_session_unref (VmctlSession *session)
{
  if (session == NULL || !g_atomic_int_dec_and_test (&session->ref_count))
    return;
  g_clear_pointer (&session->connection, vmctl_connect_close);
  g_clear_pointer (&session->read_only, vmctl_connect_close);
  g_clear_pointer (&session->facts, vmctl_host_facts_unref);
  g_clear_pointer (&session->host, vmctl_host_unref);
  g_free (session->uri);
  g_free (session->state_dir);
  g_mutex_clear (&session->lock);
  g_free (session);
}

/**
 * vmctl_session_set_progress_func:
 * @func: (nullable): receives one line per step of long operations (device
 *   moves that wait for the kernel, a guest's shutdown countdown); NULL
 *   drops them
 *
 * For a person watching: set it when the output is a terminal.
 */
void
vmctl_session_set_progress_func (VmctlSession *session, VmctlSessionLineFunc func,
                                 gpointer user_data)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  session->progress = func;
  session->progress_data = user_data;
  g_mutex_unlock (&session->lock);
}

/**
 * vmctl_session_set_note_func:
 * @func: (nullable): receives the notes an operation has for the user
 *   (what it chose on their behalf, what it could not check, what it
 *   started); NULL drops them
 */
void
vmctl_session_set_note_func (VmctlSession *session, VmctlSessionLineFunc func,
                             gpointer user_data)
{
  g_return_if_fail (session != NULL);
  g_mutex_lock (&session->lock);
  session->note = func;
  session->note_data = user_data;
  g_mutex_unlock (&session->lock);
}

/**
 * vmctl_session_get_host:
 * Returns: (transfer none): the host root every host path is read under
 */
VmctlHost *
vmctl_session_get_host (VmctlSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->host;
}

/**
 * vmctl_session_host_root_given:
 * Returns: whether a host root was named (--host-root or
 *   $VMCTL_HOST_ROOT), which keeps the inventory on its files whatever the
 *   URI (vmctl_session_uses_nodedev())
 */
gboolean
vmctl_session_host_root_given (VmctlSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);
  return session->host_root_given;
}

/**
 * vmctl_session_get_uri:
 * Returns: (transfer none): the libvirt URI, resolved
 */
const gchar *
vmctl_session_get_uri (VmctlSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->uri;
}

/**
 * vmctl_session_get_state_dir:
 * Returns: (transfer none): the state directory (journal, locks)
 */
const gchar *
vmctl_session_get_state_dir (VmctlSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->state_dir;
}

/**
 * vmctl_session_uses_nodedev:
 *
 * Whether the host's PCI functions come from libvirt's node devices and
 * move through libvirt: only when nobody pointed vmctl at a host root and
 * the URI names another machine (qemu+ssh://...) or a simulated one
 * (test:///...), whose sysfs is not the one under "/". A given host root
 * always wins, so fixtures and the demo host combine with any URI.
 */
gboolean
vmctl_session_uses_nodedev (VmctlSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);
  if (session->host_root_given)
    return FALSE;
  return !vmctl_connect_uri_is_local (session->uri);
}

/**
 * vmctl_session_get_connection:
 * @read_only: whether reading is all the caller does; a read-write
 *   connection already open serves it too
 * @error: a VMCTL_VIRT_ERROR when the URI cannot be opened
 *
 * Opened once per session: the first caller that needs writing opens it
 * read-write, and later callers share it (libvirt serves concurrent calls
 * on one connection).
 *
 * Returns: (transfer none): the connection, valid as long as the session
 */
virConnectPtr
vmctl_session_get_connection (VmctlSession *session, gboolean read_only, GError **error)
{
  virConnectPtr connection;

  g_return_val_if_fail (session != NULL, NULL);
  g_mutex_lock (&session->lock);
  if (session->connection == NULL && !read_only)
    session->connection = vmctl_connect_open (session->uri, FALSE, error);
  if (session->connection == NULL && read_only && session->read_only == NULL)
    session->read_only = vmctl_connect_open (session->uri, TRUE, error);
  connection = session->connection != NULL ? session->connection : session->read_only;
  if (!read_only)
    connection = session->connection;
  g_mutex_unlock (&session->lock);
  return connection;
}

/* vmctl_session_get_connection() for a public session function: its
 * error already converted to VMCTL_ERROR */
virConnectPtr
vmctl_session_connect (VmctlSession *session, gboolean read_only, GError **error)
{
  virConnectPtr connection = vmctl_session_get_connection (session, read_only, error);

  if (connection == NULL)
    vmctl_error_convert (error);
  return connection;
}

/**
 * vmctl_session_get_facts:
 * @error: as vmctl_host_facts_gather()
 *
 * What the host that runs the VMs can do, asked once per session from one
 * source (vmctl_host_facts_gather()): its libvirt, or the files of a given
 * host root. Notes (libvirt unreachable, facts from files instead) go to
 * the note function.
 *
 * Returns: (transfer none): the facts, valid as long as the session
 */
VmctlHostFacts *
vmctl_session_get_facts (VmctlSession *session, GError **error)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  VmctlHostFacts *facts;

  g_return_val_if_fail (session != NULL, NULL);
  facts = vmctl_session_get_facts_noting (session, notes, error);
  for (guint i = 0; i < notes->len; i++)
    vmctl_session_note (session, NULL, "%s", (const gchar *) g_ptr_array_index (notes, i));
  return facts;
}

/**
 * vmctl_session_get_facts_noting: (skip)
 * @notes: (element-type utf8): gets the notes of the gathering, when this
 *   call gathers (a command that prints its notes in an order of its own)
 *
 * vmctl_session_get_facts() without the note function.
 *
 * Returns: (transfer none): the facts, valid as long as the session
 */
VmctlHostFacts *
vmctl_session_get_facts_noting (VmctlSession *session, GPtrArray *notes, GError **error)
{
  VmctlHostFacts *facts;

  g_return_val_if_fail (session != NULL && notes != NULL, NULL);
  g_mutex_lock (&session->lock);
  if (session->facts == NULL)
    session->facts = vmctl_host_facts_gather (session->host, session->uri, notes, error);
  facts = session->facts;
  g_mutex_unlock (&session->lock);
  return facts;
}

/**
 * vmctl_session_new_worker: (skip)
 *
 * A session for another thread working in parallel with @session: the
 * same host root, URI, state directory, facts and line functions, but a
 * connection of its own (libvirtd serves a bounded number of calls per
 * connection at a time). For the duration of one operation: later
 * changes to @session's line functions do not reach it.
 *
 * Returns: (transfer full): the worker's session
 */
VmctlSession *
vmctl_session_new_worker (VmctlSession *session)
{
  VmctlSession *worker = g_new0 (VmctlSession, 1);

  g_return_val_if_fail (session != NULL, NULL);
  worker->ref_count = 1;
  g_mutex_init (&worker->lock);
  worker->host = vmctl_host_ref (session->host);
  worker->host_root_given = session->host_root_given;
  worker->uri = g_strdup (session->uri);
  worker->state_dir = g_strdup (session->state_dir);
  g_mutex_lock (&session->lock);
  if (session->facts != NULL)
    worker->facts = vmctl_host_facts_ref (session->facts);
  worker->progress = session->progress;
  worker->progress_data = session->progress_data;
  worker->note = session->note;
  worker->note_data = session->note_data;
  g_mutex_unlock (&session->lock);
  return worker;
}

typedef struct {
  VmctlSession *session;
  gchar *subject;
} EngineProgress;

static void
engine_progress_free (gpointer data)
{
  EngineProgress *progress = data;

  vmctl_session_unref (progress->session);
  g_free (progress->subject);
  g_free (progress);
}

static void
engine_progress (const gchar *line, gpointer user_data)
{
  EngineProgress *progress = user_data;

  vmctl_session_progress (progress->session, progress->subject, "%s", line);
}

/**
 * vmctl_session_new_engine: (skip)
 * @subject: (nullable): the VM the moves are for, named in progress lines
 * @error: as vmctl_vfio_new()
 *
 * The passthrough engine for the session's host root and state
 * directory, its steps going to the session's progress function.
 *
 * Returns: (transfer full): the engine
 */
VmctlVfio *
vmctl_session_new_engine (VmctlSession *session, const gchar *subject, GError **error)
{
  VmctlVfio *vfio;
  EngineProgress *progress;

  g_return_val_if_fail (session != NULL, NULL);
  vfio = vmctl_vfio_new (session->host, session->state_dir, error);
  if (vfio == NULL || !vmctl_session_has_progress (session))
    return vfio;
  progress = g_new0 (EngineProgress, 1);
  progress->session = vmctl_session_ref (session);
  progress->subject = g_strdup (subject);
  vmctl_vfio_set_progress_full (vfio, engine_progress, progress, engine_progress_free);
  return vfio;
}

/**
 * vmctl_session_load_quirks:
 * @error: VMCTL_QUIRKS_ERROR_PARSE when the list exists but is broken
 *
 * A missing list gives empty quirks rather than an error: the list only
 * adds warnings, and an odd install without it should still work.
 *
 * Returns: (transfer full): the known reset-bug devices
 */
VmctlQuirks *
vmctl_session_load_quirks (VmctlSession *session, GError **error)
{
  g_autofree gchar *path = vmctl_data_path ("quirks/reset-bug.conf");

  g_return_val_if_fail (session != NULL, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return vmctl_quirks_new_empty ();
  return vmctl_quirks_load (path, error);
}

/* a judgement never runs without the list of the host's own functions */
static gboolean
mark_host_critical (VmctlInventory *inventory, GError **error)
{
  g_autoptr(VmctlHostCritical) critical = vmctl_host_critical_load_default (error);

  if (critical == NULL)
    return FALSE;
  vmctl_host_critical_mark (critical, inventory);
  return TRUE;
}

/**
 * vmctl_session_load_inventory:
 * @flags: VMCTL_INVENTORY_NAMES when the caller prints device names
 *   (reading pci.ids is most of a load's cost)
 * @error: the inventory source's error, a VMCTL_VIRT_ERROR when the URI
 *   cannot be opened, or the host-critical list's error: a judgement never
 *   runs without that list
 *
 * Returns: (transfer full): the host's PCI functions, from sysfs under the
 * host root or from libvirt's node devices (vmctl_session_uses_nodedev()),
 * the host-critical ones marked
 */
VmctlInventory *
vmctl_session_load_inventory (VmctlSession *session, VmctlInventoryFlags flags,
                              GError **error)
{
  g_autoptr(VmctlInventory) inventory = NULL;
  virConnectPtr connection;

  g_return_val_if_fail (session != NULL, NULL);
  if (!vmctl_session_uses_nodedev (session))
    return vmctl_session_load_sysfs_inventory (session, flags, error);
  /* listing node devices needs no write access, and a read-only
   * connection works for unprivileged users on the system daemon */
  connection = vmctl_session_get_connection (session, TRUE, error);
  if (connection == NULL)
    return NULL;
  inventory = vmctl_inventory_from_nodedev_full (connection, flags, error);
  return inventory != NULL && mark_host_critical (inventory, error)
         ? g_steal_pointer (&inventory) : NULL;
}

/**
 * vmctl_session_load_sysfs_inventory: (skip)
 *
 * vmctl_session_load_inventory() from sysfs under the host root whatever
 * the URI: for the moves the engine makes on this host (start's plan
 * re-check, the libvirt hook).
 *
 * Returns: (transfer full): the host's PCI functions, host-critical ones
 *   marked
 */
VmctlInventory *
vmctl_session_load_sysfs_inventory (VmctlSession *session, VmctlInventoryFlags flags,
                                    GError **error)
{
  g_autoptr(VmctlInventory) inventory = NULL;

  g_return_val_if_fail (session != NULL, NULL);
  inventory = vmctl_inventory_from_sysfs_full (session->host, flags, error);
  return inventory != NULL && mark_host_critical (inventory, error)
         ? g_steal_pointer (&inventory) : NULL;
}

/**
 * vmctl_session_load_host_use:
 * @addresses: (array length=n): the functions a command may move
 *
 * Fills host_use of every function in the slots of @addresses: all that a
 * plan for them can move (they, their companions and siblings share their
 * slot). Only those: vmctl_host_use_reasons() reads /proc/PID/fd of every
 * process for a device with device nodes. Functions already on vfio-pci
 * are not the host's (the engine skips them the same way). A node-device
 * inventory is left as it is: this machine's files say nothing about
 * another host.
 */
void
vmctl_session_load_host_use (VmctlSession *session, VmctlInventory *inventory,
                             const VmctlPciAddress *addresses, guint n)
{
  g_return_if_fail (session != NULL);
  if (inventory->source != VMCTL_INVENTORY_SOURCE_SYSFS)
    return;
  for (guint i = 0; i < inventory->devices->len; i++) {
    VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);
    gboolean wanted = FALSE;

    for (guint j = 0; j < n && !wanted; j++)
      wanted = vmctl_pci_address_same_slot (&device->address, &addresses[j]);
    if (!wanted || device->host_use != NULL)
      continue;
    if (g_strcmp0 (device->driver, "vfio-pci") == 0)
      device->host_use = g_ptr_array_new_with_free_func (g_free);
    else
      device->host_use = vmctl_host_use_reasons (session->host, &device->address);
  }
}

static void
emit (VmctlSession *session, gboolean progress, const gchar *subject, const gchar *format,
      va_list args)
{
  g_autofree gchar *line = NULL;
  VmctlSessionLineFunc func;
  gpointer data;

  g_mutex_lock (&session->lock);
  func = progress ? session->progress : session->note;
  data = progress ? session->progress_data : session->note_data;
  g_mutex_unlock (&session->lock);
  if (func == NULL)
    return;
  line = g_strdup_vprintf (format, args);
  func (subject, line, data);
}

/**
 * vmctl_session_progress:
 * @subject: (nullable): the VM the line is about
 *
 * Hands one progress line to the progress function, if any.
 */
void
vmctl_session_progress (VmctlSession *session, const gchar *subject, const gchar *format, ...)
{
  va_list args;

  g_return_if_fail (session != NULL);
  va_start (args, format);
  emit (session, TRUE, subject, format, args);
  va_end (args);
}

/**
 * vmctl_session_note:
 * @subject: (nullable): the VM the note is about
 *
 * Hands one note to the note function, if any.
 */
void
vmctl_session_note (VmctlSession *session, const gchar *subject, const gchar *format, ...)
{
  va_list args;

  g_return_if_fail (session != NULL);
  va_start (args, format);
  emit (session, FALSE, subject, format, args);
  va_end (args);
}

/**
 * vmctl_session_has_progress:
 * Returns: whether anyone receives progress lines (a countdown that
 *   nobody sees need not be computed)
 */
gboolean
vmctl_session_has_progress (VmctlSession *session)
{
  gboolean has;

  g_return_val_if_fail (session != NULL, FALSE);
  g_mutex_lock (&session->lock);
  has = session->progress != NULL;
  g_mutex_unlock (&session->lock);
  return has;
}
