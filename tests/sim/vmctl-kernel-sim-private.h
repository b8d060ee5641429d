/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-kernel-sim-private.h: what crosses between the interception layer
 * (vmctl-kernel-sim.c) and the kernel semantics (vmctl-kernel-sim-sysfs.c).
 * Include it after the system headers, which both files set up alike. */

#pragma once

#include <sys/types.h>

/* shared between the two files only: not exported from the library, and
 * bound directly, as the static functions and variables were */
#pragma GCC visibility push(hidden)

typedef int (*OpenFn) (const char *, int, ...);
typedef ssize_t (*WriteFn) (int, const void *, size_t);
typedef int (*CloseFn) (int);

/* the real libc functions, from dlsym (RTLD_NEXT); the simulation uses them
 * for its own file access so that it is not intercepted again */
extern OpenFn vmctl_sim_real_open;
extern WriteFn vmctl_sim_real_write;
extern CloseFn vmctl_sim_real_close;
void vmctl_sim_ensure_init (void);

typedef enum {
  KIND_NONE,
  KIND_OVERRIDE,
  KIND_BIND,
  KIND_UNBIND,
  KIND_PROBE,
  KIND_NEW_ID,
  KIND_REMOVE_ID,
  KIND_ROM,       /* sys/devices/.../<addr>/rom (issue 12) */
  /* issue 13 (vmctl-kernel-sim-host.c): attributes outside sys/bus/pci */
  KIND_PLAIN,           /* stores the value with a newline, as the kernel shows it */
  KIND_PLATFORM_BIND,   /* sys/bus/platform/drivers/<drv>/bind */
  KIND_PLATFORM_UNBIND, /* sys/bus/platform/drivers/<drv>/unbind */
} Kind;

typedef struct {
  Kind kind;
  dev_t dev;
  ino_t ino;
  char *root;   /* realpath of VMCTL_SIM_ROOT */
  char *path;   /* resolved absolute path of the control file */
  char *name;   /* relative to sys/bus/pci, for log and fail-write */
  char *driver; /* bind/unbind/new_id/remove_id */
  char *addr;   /* driver_override: the device */
} Tracked;

/* path helpers */
char *vmctl_sim_join (const char *a, const char *b);
const char *vmctl_sim_base_name (const char *path);

/* performs a write of COUNT bytes from BUF to the control file T as the
 * kernel would: COUNT, or -1 with errno set */
ssize_t vmctl_sim_simulate (Tracked *t, const void *buf, size_t count);

char *vmctl_sim_absolute_path (int dirfd, const char *path);

/* the lines of $VMCTL_SIM_ROOT/.sim/NAME, two words each at most */
typedef int (*LineFn) (const char *first, const char *second, void *data);
int vmctl_sim_each_line (const char *root, const char *name, LineFn fn, void *data);

/* vmctl-kernel-sim-host.c: the host attributes vmctl's host changes write
 * (issue 13) and faults in configuration files */
Tracked *vmctl_sim_classify_host (int dirfd, const char *path, int flags);
int vmctl_sim_apply_host (Tracked *t, const char *value);
/* an injected failure to create PATH (.sim/fail-create): 1 with errno set */
int vmctl_sim_create_refused (int dirfd, const char *path, int flags);

#pragma GCC visibility pop
