/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-hugepages.c: the hugepage pools the suite reads and the pages it
 * reserves for its cases.
 *
 * Every change to nr_hugepages is made under one lock shared by all test
 * processes (two shards run at once) and written to a ledger,
 * TMP/vmctl-guest-hugepages.d/PID-PAGEKIB, holding what process PID still
 * has reserved. A test process that was killed before it could give its
 * pages back leaves its ledger entry; the next run gives those pages back
 * (guest_host_hugepages_sweep), so a crash never leaks reserved memory
 * past the next run. */
#include "guest-host.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static gboolean
read_count (guint64 page_kib, const gchar *file, guint64 *out_value)
{
  g_autofree gchar *path = g_strdup_printf ("/sys/kernel/mm/hugepages/hugepages-%" G_GUINT64_FORMAT
                                            "kB/%s", page_kib, file);
  g_autofree gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  *out_value = g_ascii_strtoull (contents, NULL, 10);
  return TRUE;
}

gboolean
guest_host_hugepage_pool (guint64 page_kib, GuestHugepagePool *out_pool)
{
  GuestHugepagePool pool = { 0 };

  if (!read_count (page_kib, "nr_hugepages", &pool.total)
      || !read_count (page_kib, "free_hugepages", &pool.free)
      || !read_count (page_kib, "resv_hugepages", &pool.reserved))
    return FALSE;
  *out_pool = pool;
  return TRUE;
}

guint64
guest_hugepage_pool_committed (const GuestHugepagePool *pool)
{
  /* free pages include the reserved ones (promised to a mapping, not yet
   * faulted in), so what nobody else may take is total - free + reserved */
  return pool->total - pool->free + pool->reserved;
}

static gboolean
write_count (guint64 page_kib, guint64 value, GError **error)
{
  g_autofree gchar *path = g_strdup_printf ("/sys/kernel/mm/hugepages/hugepages-%" G_GUINT64_FORMAT
                                            "kB/nr_hugepages", page_kib);
  g_autofree gchar *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", value);
  gint fd = open (path, O_WRONLY | O_CLOEXEC);
  gssize written;

  if (fd < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                 g_strerror (errno));
    return FALSE;
  }
  written = write (fd, text, strlen (text));
  close (fd);
  if (written != (gssize) strlen (text)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot write %s", path, text);
    return FALSE;
  }
  return TRUE;
}

static gchar *
ledger_directory (void)
{
  return g_build_filename (g_get_tmp_dir (), "vmctl-guest-hugepages.d", NULL);
}

static gchar *
ledger_path (gint pid, guint64 page_kib)
{
  g_autofree gchar *directory = ledger_directory ();
  g_autofree gchar *name = g_strdup_printf ("%d-%" G_GUINT64_FORMAT, pid, page_kib);

  return g_build_filename (directory, name, NULL);
}

static guint64
ledger_read (const gchar *path)
{
  g_autofree gchar *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) ? g_ascii_strtoull (contents, NULL, 10)
                                                            : 0;
}

static void
ledger_write (const gchar *path, guint64 pages)
{
  g_autofree gchar *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", pages);

  if (pages == 0)
    g_unlink (path);
  else
    g_file_set_contents (path, text, -1, NULL);
}

/* The lock every change to nr_hugepages and the ledger is made under. */
static gint
take_lock (GError **error)
{
  g_autofree gchar *path = g_build_filename (g_get_tmp_dir (), "vmctl-guest-hugepages.lock", NULL);
  g_autofree gchar *directory = ledger_directory ();
  gint lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (lock < 0 || flock (lock, LOCK_EX) < 0 || g_mkdir_with_parents (directory, 0700) < 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
    if (lock >= 0)
      close (lock);
    return -1;
  }
  return lock;
}

static void
release_lock (gint lock)
{
  flock (lock, LOCK_UN);
  close (lock);
}

/**
 * guest_host_hugepages_case_lock:
 *
 * Held by a case whose guest is backed by hugepages, from reading the pool
 * before its start to reading it after its stop: the pool's counters are
 * the whole host's, and the other shard's hugepage guest starting or
 * stopping in between would make "given back" compare another VM's pages.
 * Cases without hugepages do not take it, so they still run alongside.
 *
 * Returns: the lock's descriptor for guest_host_hugepages_case_unlock(),
 *   -1 (and the case runs unserialised) when it cannot be taken
 */
gint
guest_host_hugepages_case_lock (void)
{
  g_autofree gchar *path = g_build_filename (g_get_tmp_dir (), "vmctl-guest-hugepage-case.lock",
                                             NULL);
  gint lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (lock >= 0 && flock (lock, LOCK_EX) < 0) {
    close (lock);
    return -1;
  }
  return lock;
}

void
guest_host_hugepages_case_unlock (gint lock)
{
  if (lock >= 0)
    release_lock (lock);
}

/* nr_hugepages += @pages (may be negative), locked; the ledger of @owner
 * follows. */
static gboolean
adjust_locked (guint64 page_kib, gint64 pages, gint owner, GError **error)
{
  g_autofree gchar *ledger = ledger_path (owner, page_kib);
  guint64 before = 0;
  guint64 after = 0;
  guint64 wanted;
  guint64 held = ledger_read (ledger);

  if (!read_count (page_kib, "nr_hugepages", &before)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                 "this kernel has no %" G_GUINT64_FORMAT " kB hugepages", page_kib);
    return FALSE;
  }
  wanted = pages < 0 && (guint64) -pages > before ? 0 : before + pages;
  if (pages > 0)
    /* compaction first: 2 MiB pages need contiguous free memory */
    g_file_set_contents ("/proc/sys/vm/compact_memory", "1\n", -1, NULL);
  if (!write_count (page_kib, wanted, error) || !read_count (page_kib, "nr_hugepages", &after))
    return FALSE;
  if (pages > 0 && after < wanted) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                 "the kernel allocated only %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT
                 " %" G_GUINT64_FORMAT " kB hugepages", after - before, pages, page_kib);
    write_count (page_kib, before, NULL);
    return FALSE;
  }
  ledger_write (ledger, pages < 0 && (guint64) -pages > held ? 0 : held + pages);
  return TRUE;
}

gboolean
guest_host_hugepages_adjust (guint64 page_kib, gint64 pages, GError **error)
{
  gint lock = take_lock (error);
  gboolean ok;

  if (lock < 0)
    return FALSE;
  ok = adjust_locked (page_kib, pages, (gint) getpid (), error);
  release_lock (lock);
  return ok;
}

void
guest_host_hugepages_sweep (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *directory = ledger_directory ();
  g_autoptr(GDir) dir = NULL;
  const gchar *entry;
  gint lock = take_lock (&error);

  if (lock < 0) {
    g_warning ("hugepage ledger: %s", error->message);
    return;
  }
  dir = g_dir_open (directory, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (directory, entry, NULL);
    gint pid = 0;
    guint64 page_kib = 0;
    guint64 held;

    if (sscanf (entry, "%d-%" G_GUINT64_FORMAT, &pid, &page_kib) != 2 || pid <= 0)
      continue;
    if (kill (pid, 0) == 0 || errno != ESRCH)
      continue;  /* its owner still runs */
    held = ledger_read (path);
    g_printerr ("# giving back %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " kB hugepages a "
                "killed test process (%d) reserved\n", held, page_kib, pid);
    if (!adjust_locked (page_kib, -(gint64) held, pid, &error)) {
      g_warning ("hugepage ledger %s: %s", path, error->message);
      g_clear_error (&error);
    }
  }
  release_lock (lock);
}
