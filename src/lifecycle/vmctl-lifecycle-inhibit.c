/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-inhibit.c: keeping the host awake while a VM holds a
 * GPU (issue 13). A suspend with a GPU on vfio-pci leaves the guest's
 * card in a state most cards do not come back from, so vmctl takes a
 * logind sleep inhibitor ("block") at start and releases it at stop.
 *
 * logind holds an inhibitor as long as its descriptor is open, and vmctl
 * exits after `start`: a small holder process keeps it. It is forked (no
 * exec: it only waits), named "vmctl-inhibit", recorded in the journal
 * with its start time (so a reused PID is never signalled), and ended by
 * the stop or by `vmctl host recover`. It waits for a byte from vmctl
 * after the record is written: if vmctl dies before that, the holder sees
 * the pipe close and exits, so no inhibitor outlives its record. */
#include "vmctl-lifecycle-host.h"

#include "vmctl-system-bus.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* the holder, in the child of a process with threads: only system calls
 * (raw ones: an LD_PRELOAD in a test must not take a lock here) */
static void G_GNUC_NORETURN
holder_main (int inhibit_fd, int go_fd)
{
  struct sigaction default_action = { 0 };
  sigset_t none;
  int null = (int) syscall (SYS_openat, AT_FDCWD, "/dev/null", O_RDWR);
  int high_inhibit = fcntl (inhibit_fd, F_DUPFD, 1000);
  int high_go = fcntl (go_fd, F_DUPFD, 1000);
  char byte = 0;

  /* stdout and stderr may be a pipe someone reads to its end */
  for (int fd = 0; fd < 3 && null >= 0; fd++)
    syscall (SYS_dup3, null, fd, 0);
  syscall (SYS_dup3, high_inhibit, 3, 0);
  syscall (SYS_dup3, high_go, 4, 0);
  syscall (SYS_close_range, 5U, ~0U, 0U);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  default_action.sa_handler = SIG_DFL;
  sigaction (SIGTERM, &default_action, NULL);
  sigaction (SIGINT, &default_action, NULL);
  sigaction (SIGHUP, &default_action, NULL);
  prctl (PR_SET_NAME, "vmctl-inhibit", 0, 0, 0);
  if (syscall (SYS_read, 4, &byte, 1) != 1)
    _exit (0);  /* vmctl died before recording this holder */
  syscall (SYS_close, 4);
  for (;;)
    pause ();
}

/* forks the holder (a grandchild, reparented away from vmctl so it never
 * lingers as a zombie of a long-running caller); @out_go gets the pipe
 * end that lets it keep the inhibitor */
static gint
spawn_holder (int inhibit_fd, int *out_go, GError **error)
{
  int go[2], report[2];
  pid_t child;
  gint holder = -1;
  int status = 0;

  /* a socket: send() to a holder that died early fails instead of
   * killing vmctl with SIGPIPE */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) != 0)
    goto failed;
  if (pipe2 (report, O_CLOEXEC) != 0) {
    close (go[0]);
    close (go[1]);
    goto failed;
  }
  child = fork ();
  if (child == 0) {
    pid_t grandchild;

    setsid ();
    grandchild = fork ();
    if (grandchild != 0) {
      syscall (SYS_write, report[1], &grandchild, sizeof grandchild);
      _exit (grandchild < 0);
    }
    holder_main (inhibit_fd, go[0]);
  }
  close (report[1]);
  close (go[0]);
  if (child > 0)
    while (waitpid (child, &status, 0) < 0 && errno == EINTR)
      ;
  if (child < 0 || read (report[0], &holder, sizeof holder) != sizeof holder || holder <= 0) {
    close (report[0]);
    close (go[1]);
    goto failed;
  }
  close (report[0]);
  *out_go = go[1];
  return holder;

failed:
  g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
               "cannot start the sleep inhibitor's holder: %s", g_strerror (errno));
  return -1;
}

/**
 * vmctl_inhibit_acquire:
 *
 * Takes a logind sleep inhibitor for @vm, held until
 * vmctl_inhibit_release(). Without logind on the bus nothing is taken.
 */
gboolean
vmctl_inhibit_acquire (VmctlHostChanges *changes, const gchar *vm, GError **error)
{
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autofree gchar *why = NULL;
  VmctlHostChange *change;
  int fd;
  int go = -1;
  gint holder;

  if (!changes->logind)
    return TRUE;
  record = vmctl_host_journal_load (changes->journal, VMCTL_HOST_RECORD_INHIBIT, vm, NULL);
  if (record != NULL && !vmctl_host_journal_is_stale (changes->journal, record)
      && !vmctl_host_changes_undo_record (changes, record, error))
    return FALSE;
  g_clear_pointer (&record, vmctl_host_record_free);
  why = g_strdup_printf ("VM '%s' holds a GPU on vfio-pci: a suspend would leave it unusable", vm);
  fd = vmctl_logind_inhibit (changes->bus, "sleep", why, error);
  if (fd < 0)
    return FALSE;
  holder = spawn_holder (fd, &go, error);
  close (fd);
  if (holder < 0)
    return FALSE;
  record = vmctl_host_record_new (VMCTL_HOST_RECORD_INHIBIT, vm);
  change = vmctl_host_record_add (record, VMCTL_HOST_CHANGE_INHIBITOR);
  change->pid = holder;
  change->start_time = vmctl_host_changes_process_start (holder);
  change->done = TRUE;
  record->complete = TRUE;
  if (change->start_time == 0 || !vmctl_host_journal_write (changes->journal, record, error)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                   "the sleep inhibitor's holder %d vanished", holder);
    close (go);  /* the holder exits, and logind drops the inhibitor */
    return FALSE;
  }
  /* recorded: the holder may keep it (a holder already gone: no SIGPIPE) */
  if (send (go, "g", 1, MSG_NOSIGNAL) != 1) {
    int saved_errno = errno;

    close (go);
    (void) vmctl_host_changes_undo_record (changes, record, NULL);
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "cannot hand the sleep inhibitor to its holder: %s", g_strerror (saved_errno));
    return FALSE;
  }
  close (go);
  return TRUE;
}

/**
 * vmctl_inhibit_release:
 *
 * Ends @vm's holder (logind drops the inhibitor with its descriptor).
 */
gboolean
vmctl_inhibit_release (VmctlHostChanges *changes, const gchar *vm, GError **error)
{
  g_autoptr(VmctlHostRecord) record = NULL;

  if (!vmctl_host_changes_load (changes, VMCTL_HOST_RECORD_INHIBIT, vm, &record, error))
    return FALSE;
  return record == NULL || vmctl_host_changes_undo_record (changes, record, error);
}
