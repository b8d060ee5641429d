/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-kernel-sim-host.c: the simulated kernel's side of issue 13: the
 * host attributes a single-GPU hand-off and CPU isolation write, and
 * faults in the configuration files `vmctl host setup` replaces.
 *
 * Attributes (resolved paths under $VMCTL_SIM_ROOT; their names in
 * .sim/fail-write, kill-after, delay-after and log are these paths
 * relative to the root):
 *   sys/devices/virtual/vtconsole/vtconN/bind      \
 *   sys/devices/system/cpu/cpuN/cpufreq/scaling_governor
 *   sys/fs/cgroup/.../cpuset.cpus                    stored as written plus
 *   proc/irq/N/smp_affinity_list                   / a newline, as shown
 *   sys/bus/platform/drivers/<drv>/unbind DEV      ENODEV unless DEV is bound
 *                                                  to <drv>; removes DEV's
 *                                                  driver link and <drv>/DEV
 *   sys/bus/platform/drivers/<drv>/bind DEV        ENODEV for no such device,
 *                                                  EBUSY when bound; links them
 * Faults, files in $VMCTL_SIM_ROOT/.sim/:
 *   fail-create        lines "DIR ERRNO": creating a file in DIR (relative to
 *                      the root, e.g. "etc/default") fails with ERRNO
 *   fail-rename        lines "PATH ERRNO": a rename onto PATH (relative to
 *                      the root) fails with ERRNO, nothing moved
 *   kill-after-rename  lines "PATH": after a rename onto PATH (relative to
 *                      the root) succeeds, the process is killed (SIGKILL)
 *   kill-after-unlink  lines "PATH": the same after PATH is removed
 *
 * Only libc, like the rest of the simulator. */

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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vmctl-kernel-sim-private.h"

typedef int (*RenameatFn) (int, const char *, int, const char *);
typedef int (*Renameat2Fn) (int, const char *, int, const char *, unsigned int);
typedef int (*RenameFn) (const char *, const char *);
typedef int (*UnlinkFn) (const char *);
typedef int (*UnlinkatFn) (int, const char *, int);

static RenameatFn real_renameat;
static Renameat2Fn real_renameat2;
static RenameFn real_rename;
static UnlinkFn real_unlink;
static UnlinkatFn real_unlinkat;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void
host_init (void)
{
  vmctl_sim_ensure_init ();
  real_renameat = (RenameatFn) dlsym (RTLD_NEXT, "renameat");
  real_renameat2 = (Renameat2Fn) dlsym (RTLD_NEXT, "renameat2");
  real_rename = (RenameFn) dlsym (RTLD_NEXT, "rename");
  real_unlink = (UnlinkFn) dlsym (RTLD_NEXT, "unlink");
  real_unlinkat = (UnlinkatFn) dlsym (RTLD_NEXT, "unlinkat");
}

static const char *
sim_root_env (void)
{
  const char *env = getenv ("VMCTL_SIM_ROOT");

  return env != NULL && env[0] != '\0' ? env : NULL;
}

static int
starts_with (const char *text, const char *prefix)
{
  return strncmp (text, prefix, strlen (prefix)) == 0;
}

/* @abs's directory resolved, relative to the resolved root ("etc/default");
 * NULL outside the root. *out_root gets the resolved root. */
static char *
relative_dir (const char *abs, char **out_root)
{
  const char *env = sim_root_env ();
  const char *slash = strrchr (abs, '/');
  char *dir, *realdir, *root, *rel = NULL;
  size_t n;

  *out_root = NULL;
  if (env == NULL || slash == NULL)
    return NULL;
  dir = slash == abs ? strdup ("/") : strndup (abs, (size_t) (slash - abs));
  realdir = dir != NULL ? realpath (dir, NULL) : NULL;
  root = realpath (env, NULL);
  free (dir);
  if (realdir != NULL && root != NULL) {
    n = strlen (root);
    if (strncmp (realdir, root, n) == 0 && (realdir[n] == '/' || realdir[n] == '\0'))
      rel = strdup (realdir[n] == '/' ? realdir + n + 1 : "");
  }
  free (realdir);
  if (rel == NULL)
    free (root);
  else
    *out_root = root;
  return rel;
}

static Tracked *
classify_host (const char *abs)
{
  const char *base = vmctl_sim_base_name (abs);
  char *root = NULL;
  char *rel = relative_dir (abs, &root);
  Kind kind = KIND_NONE;
  char *driver = NULL;
  Tracked *t;

  if (rel == NULL)
    return NULL;
  if (strcmp (base, "bind") == 0 && starts_with (rel, "sys/devices/virtual/vtconsole/vtcon"))
    kind = KIND_PLAIN;
  else if (strcmp (base, "scaling_governor") == 0 && starts_with (rel, "sys/devices/system/cpu/cpu"))
    kind = KIND_PLAIN;
  else if (strcmp (base, "cpuset.cpus") == 0 && starts_with (rel, "sys/fs/cgroup"))
    kind = KIND_PLAIN;
  else if (strcmp (base, "smp_affinity_list") == 0 && starts_with (rel, "proc/irq/"))
    kind = KIND_PLAIN;
  else if ((strcmp (base, "bind") == 0 || strcmp (base, "unbind") == 0)
           && starts_with (rel, "sys/bus/platform/drivers/")
           && strchr (rel + strlen ("sys/bus/platform/drivers/"), '/') == NULL) {
    kind = strcmp (base, "bind") == 0 ? KIND_PLATFORM_BIND : KIND_PLATFORM_UNBIND;
    driver = strdup (vmctl_sim_base_name (rel));
  }
  if (kind == KIND_NONE || (t = calloc (1, sizeof *t)) == NULL) {
    free (rel);
    free (root);
    free (driver);
    return NULL;
  }
  t->kind = kind;
  t->root = root;
  t->driver = driver;
  if (asprintf (&t->name, "%s/%s", rel, base) < 0)
    t->name = NULL;
  if (asprintf (&t->path, "%s/%s/%s", root, rel, base) < 0)
    t->path = NULL;
  free (rel);
  if (t->name == NULL || t->path == NULL) {
    free (t->root);
    free (t->name);
    free (t->path);
    free (t->driver);
    free (t);
    return NULL;
  }
  return t;
}

static void
store (const char *path, const char *value)
{
  int fd = vmctl_sim_real_open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  size_t length = strlen (value);

  if (fd < 0)
    return;
  if (vmctl_sim_real_write (fd, value, length) == (ssize_t) length)
    (void) vmctl_sim_real_write (fd, "\n", 1);
  vmctl_sim_real_close (fd);
}

/* "../" per component of @rel_dir (a directory relative to sys/), plus one */
static char *
ups (const char *rel_dir)
{
  size_t depth = 1;
  char *out;

  for (const char *p = rel_dir; *p; p++)
    depth += *p == '/';
  out = calloc (depth * 3 + 1, 1);
  for (size_t i = 0; out != NULL && i < depth; i++)
    memcpy (out + i * 3, "../", 3);
  return out;
}

static int
platform_bind (Tracked *t, const char *device, int bind)
{
  char *link = NULL, *devdir = NULL, *driver_link = NULL, *target = NULL, *up = NULL;
  char current[PATH_MAX];
  const char *devrel;
  ssize_t n = -1;
  int err = 0;

  if (strchr (device, '/') != NULL || device[0] == '.' || device[0] == '\0')
    return ENODEV;
  if (asprintf (&link, "%s/sys/bus/platform/devices/%s", t->root, device) < 0)
    return ENOMEM;
  devdir = realpath (link, NULL);
  free (link);
  link = NULL;
  if (devdir == NULL || asprintf (&driver_link, "%s/driver", devdir) < 0
      || asprintf (&link, "%s/sys/bus/platform/drivers/%s/%s", t->root, t->driver, device) < 0) {
    free (devdir);
    free (driver_link);
    return ENODEV;
  }
  n = readlink (driver_link, current, sizeof current - 1);
  if (n > 0)
    current[n] = '\0';
  devrel = devdir + strlen (t->root) + strlen ("/sys/");
  if (!bind) {
    if (n <= 0 || strcmp (vmctl_sim_base_name (current), t->driver) != 0)
      err = ENODEV;
    else {
      unlink (driver_link);
      unlink (link);
    }
  } else if (n > 0) {
    err = EBUSY;
  } else {
    /* relative like sysfs: from sys/devices/platform/DEV and from
     * sys/bus/platform/drivers/DRV, each up to sys/ */
    up = ups (devrel);
    if (up == NULL || asprintf (&target, "%sbus/platform/drivers/%s", up, t->driver) < 0
        || symlink (target, driver_link) != 0)
      err = EIO;
    free (target);
    target = NULL;
    if (err == 0 && (asprintf (&target, "../../../../%s", devrel) < 0
                     || symlink (target, link) != 0))
      err = EIO;
  }
  free (up);
  free (target);
  free (link);
  free (driver_link);
  free (devdir);
  return err;
}

int
vmctl_sim_apply_host (Tracked *t, const char *value)
{
  switch (t->kind) {
  case KIND_PLAIN:
    store (t->path, value);
    return 0;
  case KIND_PLATFORM_BIND:
    return platform_bind (t, value, 1);
  case KIND_PLATFORM_UNBIND:
    return platform_bind (t, value, 0);
  default:
    return 0;
  }
}

typedef struct {
  const char *rel;
  int error;
} CreateMatch;

static int
match_create (const char *first, const char *second, void *data)
{
  CreateMatch *m = data;

  if (second == NULL || strcmp (first, m->rel) != 0)
    return 0;
  m->error = atoi (second);
  return m->error > 0;
}

static int
create_error (const char *abs)
{
  char *root = NULL;
  char *rel = relative_dir (abs, &root);
  CreateMatch match = { rel, 0 };

  if (rel != NULL)
    vmctl_sim_each_line (root, "fail-create", match_create, &match);
  free (rel);
  free (root);
  return match.error;
}

/* a write-open of a host attribute of issue 13 under $VMCTL_SIM_ROOT, or
 * NULL */
Tracked *
vmctl_sim_classify_host (int dirfd, const char *path, int flags)
{
  const char *env = getenv ("VMCTL_SIM_ROOT");
  char *abs;
  Tracked *t = NULL;

  if (env == NULL || env[0] == '\0' || path == NULL || (flags & O_ACCMODE) == O_RDONLY)
    return NULL;
  abs = vmctl_sim_absolute_path (dirfd, path);
  if (abs != NULL)
    t = classify_host (abs);
  free (abs);
  return t;
}

int
vmctl_sim_create_refused (int dirfd, const char *path, int flags)
{
  const char *env = getenv ("VMCTL_SIM_ROOT");
  char *abs;
  int err;

  if ((flags & O_CREAT) == 0 || env == NULL || env[0] == '\0' || path == NULL)
    return 0;
  abs = vmctl_sim_absolute_path (dirfd, path);
  err = abs != NULL ? create_error (abs) : 0;
  free (abs);
  if (err != 0)
    errno = err;
  return err != 0;
}

static int
match_path (const char *first, const char *second, void *data)
{
  return strcmp (first, (const char *) data) == 0;
}

/* after a successful rename or unlink of @abs: the injected crash */
static void
maybe_kill (const char *list, const char *abs)
{
  char *root = NULL;
  char *rel = relative_dir (abs, &root);
  char *path = NULL;

  if (rel != NULL && asprintf (&path, "%s%s%s", rel, rel[0] ? "/" : "",
                               vmctl_sim_base_name (abs)) >= 0
      && vmctl_sim_each_line (root, list, match_path, path))
    kill (getpid (), SIGKILL);
  free (path);
  free (rel);
  free (root);
}

/* @path relative to @dirfd as an absolute path */
static char *
at_path (int dirfd, const char *path)
{
  char link[64], base[PATH_MAX];
  ssize_t n;
  char *abs = NULL;

  if (path[0] == '/' || dirfd == AT_FDCWD) {
    if (path[0] == '/')
      return strdup (path);
    if (getcwd (base, sizeof base) == NULL)
      return NULL;
  } else {
    snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
    n = readlink (link, base, sizeof base - 1);
    if (n < 0)
      return NULL;
    base[n] = '\0';
  }
  if (asprintf (&abs, "%s/%s", base, path) < 0)
    return NULL;
  return abs;
}

static int
after (const char *list, int result, int dirfd, const char *path)
{
  int saved = errno;
  char *abs;

  if (result == 0 && sim_root_env () != NULL && (abs = at_path (dirfd, path)) != NULL) {
    maybe_kill (list, abs);
    free (abs);
  }
  errno = saved;
  return result;
}

typedef struct {
  const char *path;
  int error;
} RenameMatch;

static int
match_rename (const char *first, const char *second, void *data)
{
  RenameMatch *m = data;

  if (second == NULL || strcmp (first, m->path) != 0)
    return 0;
  m->error = atoi (second);
  return m->error > 0;
}

/* the injected failure of a rename onto @dirfd/@path, or 0 */
static int
rename_error (int dirfd, const char *path)
{
  char *abs, *root = NULL, *rel = NULL, *relpath = NULL;
  RenameMatch match = { NULL, 0 };

  if (sim_root_env () == NULL || (abs = at_path (dirfd, path)) == NULL)
    return 0;
  rel = relative_dir (abs, &root);
  if (rel != NULL && asprintf (&relpath, "%s%s%s", rel, rel[0] ? "/" : "",
                               vmctl_sim_base_name (abs)) >= 0) {
    match.path = relpath;
    vmctl_sim_each_line (root, "fail-rename", match_rename, &match);
  }
  free (relpath);
  free (rel);
  free (root);
  free (abs);
  return match.error;
}

int
renameat (int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
  int err;

  pthread_once (&host_once, host_init);
  if ((err = rename_error (newdirfd, newpath)) != 0) {
    errno = err;
    return -1;
  }
  return after ("kill-after-rename", real_renameat (olddirfd, oldpath, newdirfd, newpath),
                newdirfd, newpath);
}

int
renameat2 (int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
           unsigned int flags)
{
  int err;

  pthread_once (&host_once, host_init);
  if ((err = rename_error (newdirfd, newpath)) != 0) {
    errno = err;
    return -1;
  }
  return after ("kill-after-rename",
                real_renameat2 (olddirfd, oldpath, newdirfd, newpath, flags), newdirfd, newpath);
}

int
rename (const char *oldpath, const char *newpath)
{
  int err;

  pthread_once (&host_once, host_init);
  if ((err = rename_error (AT_FDCWD, newpath)) != 0) {
    errno = err;
    return -1;
  }
  return after ("kill-after-rename", real_rename (oldpath, newpath), AT_FDCWD, newpath);
}

int
unlink (const char *path)
{
  pthread_once (&host_once, host_init);
  return after ("kill-after-unlink", real_unlink (path), AT_FDCWD, path);
}

int
unlinkat (int dirfd, const char *path, int flags)
{
  pthread_once (&host_once, host_init);
  return after ("kill-after-unlink", real_unlinkat (dirfd, path, flags), dirfd, path);
}
