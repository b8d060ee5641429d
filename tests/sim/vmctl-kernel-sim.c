/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-kernel-sim.c: an LD_PRELOAD library that gives writes to a fake
 * sysfs tree (tests/data/sysfs/<scenario>, copied) the kernel's synchronous
 * semantics, so the real detach/reattach code can run against it.
 *
 * VMCTL_SIM_ROOT=/abs/host/root selects the tree (read at every open, so a
 * test may set it after copying its fixture). Only files opened for writing
 * whose resolved path is one of
 *   sys/bus/pci/drivers_probe
 *   sys/bus/pci/drivers/<drv>/{bind,unbind,new_id,remove_id}
 *   sys/devices/.../<addr>/driver_override (usually reached through
 *                                           sys/bus/pci/devices/<addr>/)
 *   sys/devices/.../<addr>/rom             (enable and disable reading the ROM)
 * are simulated, and the host attributes and configuration-file faults of
 * vmctl-kernel-sim-host.c; every other open and write goes straight to libc.
 *
 * This file is the interception layer: the libc wrappers, fd tracking and
 * deciding which opens are control files. What a write to one does (the
 * kernel semantics and failure injection) is vmctl-kernel-sim-sysfs.c.
 *
 * Only libc: no GLib, so the library is safe in any process. */

/* define open() and open64() as themselves, not through the large-file or
 * fortify redirections the build flags would otherwise apply */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vmctl-kernel-sim-private.h"

/* the fortified entry points the callers' headers may call instead */
int __open_2 (const char *path, int flags);
int __open64_2 (const char *path, int flags);
int __openat_2 (int dirfd, const char *path, int flags);
int __openat64_2 (int dirfd, const char *path, int flags);

typedef int (*OpenatFn) (int, const char *, int, ...);
typedef int (*DupFn) (int);
typedef int (*Dup2Fn) (int, int);
typedef int (*Dup3Fn) (int, int, int);
typedef int (*FcntlFn) (int, int, ...);

OpenFn vmctl_sim_real_open;
static OpenFn real_open64;
static OpenatFn real_openat;
static OpenatFn real_openat64;
WriteFn vmctl_sim_real_write;
CloseFn vmctl_sim_real_close;
static DupFn real_dup;
static Dup2Fn real_dup2;
static Dup3Fn real_dup3;
static FcntlFn real_fcntl;
static FcntlFn real_fcntl64;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
sim_init (void)
{
  vmctl_sim_real_open = (OpenFn) dlsym (RTLD_NEXT, "open");
  real_open64 = (OpenFn) dlsym (RTLD_NEXT, "open64");
  real_openat = (OpenatFn) dlsym (RTLD_NEXT, "openat");
  real_openat64 = (OpenatFn) dlsym (RTLD_NEXT, "openat64");
  vmctl_sim_real_write = (WriteFn) dlsym (RTLD_NEXT, "write");
  vmctl_sim_real_close = (CloseFn) dlsym (RTLD_NEXT, "close");
  real_dup = (DupFn) dlsym (RTLD_NEXT, "dup");
  real_dup2 = (Dup2Fn) dlsym (RTLD_NEXT, "dup2");
  real_dup3 = (Dup3Fn) dlsym (RTLD_NEXT, "dup3");
  real_fcntl = (FcntlFn) dlsym (RTLD_NEXT, "fcntl");
  real_fcntl64 = (FcntlFn) dlsym (RTLD_NEXT, "fcntl64");
  if (real_fcntl64 == NULL)
    real_fcntl64 = real_fcntl;
  if (real_open64 == NULL)
    real_open64 = vmctl_sim_real_open;
  if (real_openat64 == NULL)
    real_openat64 = real_openat;
}

static void
ensure_init (void)
{
  pthread_once (&init_once, sim_init);
}

/* the real libc functions, for callers outside this file (the host
 * attributes' rename and unlink wrappers run before any open) */
void
vmctl_sim_ensure_init (void)
{
  ensure_init ();
}

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static Tracked **table;
static size_t table_len;

static void
tracked_free (Tracked *t)
{
  if (t == NULL)
    return;
  free (t->root);
  free (t->path);
  free (t->name);
  free (t->driver);
  free (t->addr);
  free (t);
}

static void
table_set (int fd, Tracked *t)
{
  Tracked *old = NULL;

  if (fd < 0)
    {
      tracked_free (t);
      return;
    }
  pthread_mutex_lock (&table_lock);
  if ((size_t) fd >= table_len)
    {
      size_t len = table_len ? table_len : 64;
      Tracked **grown;

      while (len <= (size_t) fd)
        len *= 2;
      if (t == NULL)
        {
          pthread_mutex_unlock (&table_lock);
          return;
        }
      grown = realloc (table, len * sizeof *table);
      if (grown == NULL)
        {
          pthread_mutex_unlock (&table_lock);
          tracked_free (t);
          return;
        }
      memset (grown + table_len, 0, (len - table_len) * sizeof *table);
      table = grown;
      table_len = len;
    }
  old = table[fd];
  table[fd] = t;
  pthread_mutex_unlock (&table_lock);
  tracked_free (old);
}

/* takes the entry out of the table; the caller frees it or puts it back */
static Tracked *
table_take (int fd)
{
  Tracked *t = NULL;

  pthread_mutex_lock (&table_lock);
  if (fd >= 0 && (size_t) fd < table_len)
    {
      t = table[fd];
      table[fd] = NULL;
    }
  pthread_mutex_unlock (&table_lock);
  return t;
}

char *
vmctl_sim_join (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  char *s = malloc (la + lb + 2);

  if (s == NULL)
    return NULL;
  memcpy (s, a, la);
  s[la] = '/';
  memcpy (s + la + 1, b, lb + 1);
  return s;
}

const char *
vmctl_sim_base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

static char *
parent_dir (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    return strdup (".");
  if (slash == path)
    return strdup ("/");
  return strndup (path, (size_t) (slash - path));
}

/* an absolute path for PATH opened relative to DIRFD */
char *
vmctl_sim_absolute_path (int dirfd, const char *path)
{
  char base[PATH_MAX];

  if (path[0] == '/')
    return strdup (path);
  if (dirfd == AT_FDCWD)
    {
      if (getcwd (base, sizeof base) == NULL)
        return NULL;
    }
  else
    {
      char link[64];
      ssize_t n;

      snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
      n = readlink (link, base, sizeof base - 1);
      if (n < 0)
        return NULL;
      base[n] = '\0';
    }
  return vmctl_sim_join (base, path);
}

static int
has_prefix_dir (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  return strncmp (path, dir, n) == 0 && path[n] == '/';
}

/* A Tracked for a PCI control file of the simulated tree, or NULL */
static Tracked *
classify_pci (int dirfd, const char *path, int flags)
{
  const char *env = getenv ("VMCTL_SIM_ROOT");
  char *abs = NULL, *dir = NULL, *realdir = NULL, *root = NULL;
  char *sys = NULL, *pci = NULL, *drivers = NULL, *drvparent = NULL;
  const char *base;
  Tracked *t = NULL;

  if (env == NULL || env[0] == '\0' || path == NULL || (flags & O_ACCMODE) == O_RDONLY)
    return NULL;
  abs = vmctl_sim_absolute_path (dirfd, path);
  if (abs == NULL)
    goto out;
  base = vmctl_sim_base_name (abs);
  if (strcmp (base, "drivers_probe") != 0 && strcmp (base, "bind") != 0
      && strcmp (base, "unbind") != 0 && strcmp (base, "new_id") != 0
      && strcmp (base, "remove_id") != 0 && strcmp (base, "driver_override") != 0
      && strcmp (base, "rom") != 0)
    goto out;
  dir = parent_dir (abs);
  realdir = dir ? realpath (dir, NULL) : NULL;
  root = realpath (env, NULL);
  if (realdir == NULL || root == NULL)
    goto out;
  sys = vmctl_sim_join (root, "sys");
  pci = vmctl_sim_join (root, "sys/bus/pci");
  drivers = vmctl_sim_join (root, "sys/bus/pci/drivers");
  drvparent = parent_dir (realdir);
  if (sys == NULL || pci == NULL || drivers == NULL || drvparent == NULL)
    goto out;

  t = calloc (1, sizeof *t);
  if (t == NULL)
    goto out;
  if (strcmp (realdir, pci) == 0 && strcmp (base, "drivers_probe") == 0)
    {
      t->kind = KIND_PROBE;
      t->name = strdup ("drivers_probe");
    }
  else if (strcmp (drvparent, drivers) == 0 && strcmp (base, "driver_override") != 0
           && strcmp (base, "drivers_probe") != 0)
    {
      t->kind = strcmp (base, "bind") == 0 ? KIND_BIND
        : strcmp (base, "unbind") == 0 ? KIND_UNBIND
        : strcmp (base, "new_id") == 0 ? KIND_NEW_ID : KIND_REMOVE_ID;
      t->driver = strdup (vmctl_sim_base_name (realdir));
      if (asprintf (&t->name, "drivers/%s/%s", t->driver, base) < 0)
        t->name = NULL;
    }
  else if (strcmp (base, "rom") == 0 && has_prefix_dir (realdir, sys)
           && strncmp (realdir + strlen (sys), "/devices/", 9) == 0)
    {
      t->kind = KIND_ROM;
      t->addr = strdup (vmctl_sim_base_name (realdir));
      if (asprintf (&t->name, "devices/%s/rom", t->addr) < 0)
        t->name = NULL;
    }
  else if (strcmp (base, "driver_override") == 0 && has_prefix_dir (realdir, sys)
           && strncmp (realdir + strlen (sys), "/devices/", 9) == 0)
    {
      t->kind = KIND_OVERRIDE;
      t->addr = strdup (vmctl_sim_base_name (realdir));
      if (asprintf (&t->name, "devices/%s/driver_override", t->addr) < 0)
        t->name = NULL;
    }
  else
    {
      free (t);
      t = NULL;
      goto out;
    }
  t->root = root;
  root = NULL;
  t->path = vmctl_sim_join (realdir, base);
  if (t->name == NULL || t->path == NULL)
    {
      tracked_free (t);
      t = NULL;
    }

out:
  free (abs);
  free (dir);
  free (realdir);
  free (root);
  free (sys);
  free (pci);
  free (drivers);
  free (drvparent);
  return t;
}

/* a PCI control file, or one of the host attributes of issue 13 */
static Tracked *
classify (int dirfd, const char *path, int flags)
{
  Tracked *t = classify_pci (dirfd, path, flags);

  return t != NULL ? t : vmctl_sim_classify_host (dirfd, path, flags);
}

static int
after_open (int fd, Tracked *t)
{
  struct stat st;

  if (fd >= 0 && t != NULL && fstat (fd, &st) == 0)
    {
      t->dev = st.st_dev;
      t->ino = st.st_ino;
      table_set (fd, t);
    }
  else
    {
      tracked_free (t);
      /* forget whatever an uninterposed close left behind for this fd */
      if (fd >= 0)
        table_set (fd, NULL);
    }
  return fd;
}

/* the kernel ignores O_TRUNC on sysfs; dropping it keeps an injected
 * failure from emptying driver_override */
static int
adjust_flags (Tracked *t, int flags)
{
  return t ? flags & ~(O_TRUNC | O_APPEND | O_CREAT) : flags;
}

static int
needs_mode (int flags)
{
  return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

static int
do_open (OpenFn fn, const char *path, int flags, mode_t mode)
{
  Tracked *t;

  ensure_init ();
  if (vmctl_sim_create_refused (AT_FDCWD, path, flags))
    return -1;
  t = classify (AT_FDCWD, path, flags);
  return after_open (fn (path, adjust_flags (t, flags), mode), t);
}

static int
do_openat (OpenatFn fn, int dirfd, const char *path, int flags, mode_t mode)
{
  Tracked *t;

  ensure_init ();
  if (vmctl_sim_create_refused (dirfd, path, flags))
    return -1;
  t = classify (dirfd, path, flags);
  return after_open (fn (dirfd, path, adjust_flags (t, flags), mode), t);
}

/* open(2) passes a mode only with O_CREAT or O_TMPFILE; a variadic wrapper
 * cannot hand its arguments on to a function, so each takes it here */
#define MODE_FROM_VARARGS(flags, mode) \
  do { \
    if (needs_mode (flags)) { \
      va_list ap_; \
      va_start (ap_, flags); \
      (mode) = (mode_t) va_arg (ap_, int); \
      va_end (ap_); \
    } \
  } while (0)

int
open (const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_FROM_VARARGS (flags, mode);
  ensure_init ();
  return do_open (vmctl_sim_real_open, path, flags, mode);
}

int
open64 (const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_FROM_VARARGS (flags, mode);
  ensure_init ();
  return do_open (real_open64, path, flags, mode);
}

int
openat (int dirfd, const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_FROM_VARARGS (flags, mode);
  ensure_init ();
  return do_openat (real_openat, dirfd, path, flags, mode);
}

int
openat64 (int dirfd, const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_FROM_VARARGS (flags, mode);
  ensure_init ();
  return do_openat (real_openat64, dirfd, path, flags, mode);
}

int
__open_2 (const char *path, int flags)
{
  ensure_init ();
  return do_open (vmctl_sim_real_open, path, flags, 0);
}

int
__open64_2 (const char *path, int flags)
{
  ensure_init ();
  return do_open (real_open64, path, flags, 0);
}

int
__openat_2 (int dirfd, const char *path, int flags)
{
  ensure_init ();
  return do_openat (real_openat, dirfd, path, flags, 0);
}

int
__openat64_2 (int dirfd, const char *path, int flags)
{
  ensure_init ();
  return do_openat (real_openat64, dirfd, path, flags, 0);
}

int
close (int fd)
{
  ensure_init ();
  tracked_free (table_take (fd));
  return vmctl_sim_real_close (fd);
}

/* a shell's "echo ADDR > unbind" opens, then dup2()s onto fd 1: the copy
 * is the same open file, so it is tracked too */
static char *
dup_str (const char *s)
{
  return s ? strdup (s) : NULL;
}

static int
track_dup (int oldfd, int newfd)
{
  Tracked *t, *copy = NULL;

  if (newfd < 0 || newfd == oldfd)
    return newfd;
  pthread_mutex_lock (&table_lock);
  t = oldfd >= 0 && (size_t) oldfd < table_len ? table[oldfd] : NULL;
  if (t != NULL && (copy = calloc (1, sizeof *copy)) != NULL)
    {
      *copy = *t;
      copy->root = dup_str (t->root);
      copy->path = dup_str (t->path);
      copy->name = dup_str (t->name);
      copy->driver = dup_str (t->driver);
      copy->addr = dup_str (t->addr);
    }
  pthread_mutex_unlock (&table_lock);
  table_set (newfd, copy);
  return newfd;
}

int
dup (int oldfd)
{
  ensure_init ();
  return track_dup (oldfd, real_dup (oldfd));
}

int
dup2 (int oldfd, int newfd)
{
  ensure_init ();
  return track_dup (oldfd, real_dup2 (oldfd, newfd));
}

int
dup3 (int oldfd, int newfd, int flags)
{
  ensure_init ();
  return track_dup (oldfd, real_dup3 (oldfd, newfd, flags));
}

static int
do_fcntl (FcntlFn fn, int fd, int cmd, void *arg)
{
  int result = fn (fd, cmd, arg);

  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
    return track_dup (fd, result);
  return result;
}

int fcntl64 (int fd, int cmd, ...);

int
fcntl (int fd, int cmd, ...)
{
  va_list ap;
  void *arg;

  va_start (ap, cmd);
  arg = va_arg (ap, void *);
  va_end (ap);
  ensure_init ();
  return do_fcntl (real_fcntl, fd, cmd, arg);
}

int
fcntl64 (int fd, int cmd, ...)
{
  va_list ap;
  void *arg;

  va_start (ap, cmd);
  arg = va_arg (ap, void *);
  va_end (ap);
  ensure_init ();
  return do_fcntl (real_fcntl64, fd, cmd, arg);
}

ssize_t
write (int fd, const void *buf, size_t count)
{
  Tracked *t;
  ssize_t result;
  struct stat st;

  ensure_init ();
  t = table_take (fd);
  if (t == NULL)
    return vmctl_sim_real_write (fd, buf, count);
  /* the fd may have been closed and reused behind our back (fclose) */
  if (fstat (fd, &st) != 0 || st.st_dev != t->dev || st.st_ino != t->ino)
    {
      tracked_free (t);
      return vmctl_sim_real_write (fd, buf, count);
    }
  result = vmctl_sim_simulate (t, buf, count);
  table_set (fd, t);
  return result;
}
