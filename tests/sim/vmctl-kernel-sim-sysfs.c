/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-kernel-sim-sysfs.c: the kernel semantics of the simulated sysfs
 * tree: what a write to a control file that vmctl-kernel-sim.c intercepted
 * does.
 *
 * The kernel's behaviour (drivers/base/bus.c, drivers/pci/pci-driver.c,
 * drivers/pci/pci-sysfs.c):
 *   driver_override  stores the value without its trailing newline; an empty
 *                    value clears it (reads back "(null)")
 *   unbind ADDR      ENODEV unless ADDR is bound to this driver; removes the
 *                    device's driver link and the driver's device link
 *   bind ADDR        ENODEV for an unknown device or an override naming
 *                    another driver, EBUSY when already bound, EINVAL when
 *                    vfio-pci is asked to take a header type other than 0
 *   drivers_probe    ENODEV for an unknown device; otherwise success, whether
 *                    or not a driver binds: the override's driver when set
 *                    (and its directory exists, and vfio-pci accepts the
 *                    header), else the "native" driver named in the sim-only
 *                    file <device>/.sim-native-driver, else nothing
 *   new_id/remove_id the value is appended to the file, nothing else
 *   rom              "1" enables reading the ROM, "0" disables it (the
 *                    sim-only file <device>/.sim-rom-enabled says which),
 *                    anything else EINVAL (pci_write_rom()); the file's
 *                    contents, the ROM, are never overwritten
 *
 * Failure injection, files in $VMCTL_SIM_ROOT/.sim/ (names below are
 * relative to sys/bus/pci: "drivers_probe", "drivers/vfio-pci/bind",
 * "devices/0000:01:00.1/driver_override"):
 *   fail-write    lines "NAME ERRNO": that write fails with ERRNO, no effect;
 *                 "NAME=VALUE ERRNO" fails only writes of VALUE (e.g.
 *                 "drivers_probe=0000:01:00.1 5": one device's probe)
 *   never-bind    lines "ADDR [DRIVER]": bind and drivers_probe succeed but
 *                 never bind ADDR (to DRIVER only, when one is named)
 *   vanish-after  lines "NAME ADDR": after a successful write to NAME the
 *                 device ADDR is hot-unplugged (links removed, directory
 *                 moved to $VMCTL_SIM_ROOT/.sim/vanished-ADDR)
 *   kill-after    lines "NAME" or "NAME=VALUE": after that write succeeds
 *                 the writing process is killed with SIGKILL, as a crash
 *                 between two steps would leave it
 *   delay-after   lines "NAME MS" or "NAME=VALUE MS": after that write
 *                 succeeds the writer sleeps MS milliseconds, outside the
 *                 tree lock, so that another process can overlap it
 *   log           when it exists, every intercepted write (failed ones too)
 *                 appends "NAME VALUE\n" (VALUE without its newline)
 * The host attributes of issue 13 (vmctl-kernel-sim-host.c) take part in
 * fail-write, kill-after, delay-after and log under their path relative to
 * the root ("sys/fs/cgroup/system.slice/cpuset.cpus").
 */

/* compiled like vmctl-kernel-sim.c, so that Tracked (dev_t, ino_t) has the
 * same layout in both files */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vmctl-kernel-sim-private.h"

/* ---- file helpers (through the real libc functions only) ---- */

/* whole file, NUL-terminated, or NULL */
static char *
read_file (const char *path, size_t *len_out)
{
  int fd = vmctl_sim_real_open (path, O_RDONLY | O_CLOEXEC);
  size_t len = 0, cap = 256;
  char *buf;

  if (fd < 0)
    return NULL;
  buf = malloc (cap);
  while (buf != NULL)
    {
      ssize_t n;

      if (len + 1 >= cap)
        {
          char *grown = realloc (buf, cap * 2);

          if (grown == NULL)
            {
              free (buf);
              buf = NULL;
              break;
            }
          buf = grown;
          cap *= 2;
        }
      n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
    }
  vmctl_sim_real_close (fd);
  if (buf != NULL)
    buf[len] = '\0';
  if (len_out)
    *len_out = len;
  return buf;
}

static int
write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = vmctl_sim_real_write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      data += n;
      len -= (size_t) n;
    }
  return 0;
}

static void
write_file (const char *path, const char *data, int append)
{
  int fd = vmctl_sim_real_open (path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));

  if (fd < 0)
    return;
  (void) write_all (fd, data, strlen (data));
  vmctl_sim_real_close (fd);
}

static char *
sim_file (const char *root, const char *name)
{
  char *path = NULL;

  if (asprintf (&path, "%s/.sim/%s", root, name) < 0)
    return NULL;
  return path;
}

static void
strip_newline (char *s)
{
  size_t n = strlen (s);

  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = '\0';
}

/* the lines of .sim/NAME split into at most two words; calls fn for each */
int
vmctl_sim_each_line (const char *root, const char *name, LineFn fn, void *data)
{
  char *path = sim_file (root, name);
  char *text = path ? read_file (path, NULL) : NULL;
  char *save = NULL, *line;
  int result = 0;

  free (path);
  if (text == NULL)
    return 0;
  for (line = strtok_r (text, "\n", &save); line != NULL && result == 0;
       line = strtok_r (NULL, "\n", &save))
    {
      char *wsave = NULL;
      char *first = strtok_r (line, " \t\r", &wsave);
      char *second = first ? strtok_r (NULL, " \t\r", &wsave) : NULL;

      if (first == NULL || first[0] == '#')
        continue;
      result = fn (first, second, data);
    }
  free (text);
  return result;
}

typedef struct {
  const char *name;
  const char *value;
  int error;
} FailMatch;

/* "NAME" or "NAME=VALUE" against a write of VALUE to NAME */
static int
names_write (const char *pattern, const char *name, const char *value)
{
  const char *equals = strchr (pattern, '=');
  size_t name_length = equals != NULL ? (size_t) (equals - pattern) : strlen (pattern);

  return strlen (name) == name_length && strncmp (pattern, name, name_length) == 0
         && (equals == NULL || strcmp (equals + 1, value) == 0);
}

static int
match_fail (const char *first, const char *second, void *data)
{
  FailMatch *m = data;

  if (second == NULL || !names_write (first, m->name, m->value))
    return 0;
  m->error = atoi (second);
  return m->error > 0;
}

static int
match_kill (const char *first, const char *second, void *data)
{
  const FailMatch *m = data;

  return names_write (first, m->name, m->value);
}

typedef struct {
  const char *name;
  const char *value;
  int ms;
} DelayMatch;

static int
match_delay (const char *first, const char *second, void *data)
{
  DelayMatch *m = data;

  if (second == NULL || !names_write (first, m->name, m->value))
    return 0;
  m->ms = atoi (second);
  return m->ms > 0;
}

typedef struct {
  const char *addr;
  const char *driver;
} BindMatch;

/* "ADDR" matches any driver, "ADDR DRIVER" that driver only */
static int
match_bind (const char *first, const char *second, void *data)
{
  const BindMatch *m = data;

  return strcmp (first, m->addr) == 0 && (second == NULL || strcmp (second, m->driver) == 0);
}

typedef struct {
  const char *name;
  char *addrs[16];
  int n;
} VanishMatch;

static int
match_vanish (const char *first, const char *second, void *data)
{
  VanishMatch *m = data;

  if (second != NULL && strcmp (first, m->name) == 0 && m->n < 16)
    m->addrs[m->n++] = strdup (second);
  return 0;
}

/* ---- the simulated tree ---- */

/* realpath of the device directory for ADDR, or NULL */
static char *
device_dir (const char *root, const char *addr)
{
  char *link = NULL, *dir;

  if (strchr (addr, '/') != NULL || addr[0] == '.' || addr[0] == '\0')
    return NULL;
  if (asprintf (&link, "%s/sys/bus/pci/devices/%s", root, addr) < 0)
    return NULL;
  dir = realpath (link, NULL);
  free (link);
  return dir;
}

/* the name of the driver DEV is bound to, or NULL */
static char *
bound_driver (const char *dev)
{
  char *link = vmctl_sim_join (dev, "driver");
  char target[PATH_MAX];
  ssize_t n = link ? readlink (link, target, sizeof target - 1) : -1;

  free (link);
  if (n <= 0)
    return NULL;
  target[n] = '\0';
  return strdup (vmctl_sim_base_name (target));
}

static char *
read_override (const char *dev)
{
  char *path = vmctl_sim_join (dev, "driver_override");
  char *value = path ? read_file (path, NULL) : NULL;

  free (path);
  if (value == NULL)
    return NULL;
  strip_newline (value);
  if (value[0] == '\0' || strcmp (value, "(null)") == 0)
    {
      free (value);
      return NULL;
    }
  return value;
}

static int
header_type (const char *dev)
{
  char *path = vmctl_sim_join (dev, "config");
  size_t len = 0;
  char *config = path ? read_file (path, &len) : NULL;
  int type = 0;

  free (path);
  if (config != NULL && len > 0x0e)
    type = (unsigned char) config[0x0e] & 0x7f;
  free (config);
  return type;
}

static int
driver_exists (const char *root, const char *driver)
{
  char *path = NULL;
  struct stat st;
  int ok;

  if (strchr (driver, '/') != NULL || asprintf (&path, "%s/sys/bus/pci/drivers/%s", root, driver) < 0)
    return 0;
  ok = stat (path, &st) == 0 && S_ISDIR (st.st_mode);
  free (path);
  return ok;
}

/* "../" times the number of components of DIR below ROOT/sys */
static char *
ups_to_sys (const char *root, const char *dir)
{
  size_t sys_len = strlen (root) + 4; /* root + "/sys" */
  const char *p = dir + sys_len;
  size_t depth = 0, i;
  char *ups;

  for (; *p; p++)
    if (*p == '/')
      depth++;
  ups = malloc (depth * 3 + 1);
  if (ups == NULL)
    return NULL;
  for (i = 0; i < depth; i++)
    memcpy (ups + i * 3, "../", 3);
  ups[depth * 3] = '\0';
  return ups;
}

/* create device/driver and drivers/<drv>/<addr>, both relative like sysfs */
static int
link_driver (const char *root, const char *dev, const char *addr, const char *driver)
{
  char *drvdir = NULL, *dev_ups = ups_to_sys (root, dev), *drv_ups = NULL;
  char *target = NULL, *link = NULL;
  int ok = -1;

  if (asprintf (&drvdir, "%s/sys/bus/pci/drivers/%s", root, driver) < 0)
    drvdir = NULL;
  if (drvdir != NULL)
    drv_ups = ups_to_sys (root, drvdir);
  if (dev_ups == NULL || drv_ups == NULL)
    goto out;
  if (asprintf (&target, "%sbus/pci/drivers/%s", dev_ups, driver) < 0)
    {
      target = NULL;
      goto out;
    }
  link = vmctl_sim_join (dev, "driver");
  if (link == NULL || symlink (target, link) != 0)
    goto out;
  free (target);
  free (link);
  link = NULL;
  if (asprintf (&target, "%s%s", drv_ups, dev + strlen (root) + 5) < 0)
    {
      target = NULL;
      goto out;
    }
  link = vmctl_sim_join (drvdir, addr);
  if (link == NULL)
    goto out;
  unlink (link);
  if (symlink (target, link) == 0)
    ok = 0;
out:
  free (drvdir);
  free (dev_ups);
  free (drv_ups);
  free (target);
  free (link);
  return ok;
}

static void
unlink_driver (const char *root, const char *dev, const char *addr, const char *driver)
{
  char *link = vmctl_sim_join (dev, "driver"), *drvlink = NULL;

  if (link)
    unlink (link);
  if (asprintf (&drvlink, "%s/sys/bus/pci/drivers/%s/%s", root, driver, addr) >= 0)
    {
      unlink (drvlink);
      free (drvlink);
    }
  free (link);
}

/* what a probe of DRIVER on DEV gives: 0 bound, else an errno */
static int
probe_driver (const char *root, const char *dev, const char *addr, const char *driver)
{
  BindMatch never = { addr, driver };

  if (!driver_exists (root, driver))
    return ENODEV;
  /* vfio_pci_core_register_device: hdr_type != PCI_HEADER_TYPE_NORMAL */
  if (strcmp (driver, "vfio-pci") == 0 && header_type (dev) != 0)
    return EINVAL;
  if (vmctl_sim_each_line (root, "never-bind", match_bind, &never))
    return 0; /* the bind "happens", but leaves nothing behind */
  return link_driver (root, dev, addr, driver) == 0 ? 0 : EIO;
}

static void
vanish (const char *root, const char *addr)
{
  char *dev = device_dir (root, addr);
  char *driver, *link = NULL, *dest = NULL, *group = NULL;
  char target[PATH_MAX];
  ssize_t n;

  if (dev == NULL)
    return;
  driver = bound_driver (dev);
  if (driver != NULL)
    unlink_driver (root, dev, addr, driver);
  free (driver);
  link = vmctl_sim_join (dev, "iommu_group");
  n = link ? readlink (link, target, sizeof target - 1) : -1;
  free (link);
  link = NULL;
  if (n > 0)
    {
      target[n] = '\0';
      if (asprintf (&group, "%s/sys/kernel/iommu_groups/%s/devices/%s", root,
                    vmctl_sim_base_name (target), addr) >= 0)
        unlink (group);
    }
  if (asprintf (&link, "%s/sys/bus/pci/devices/%s", root, addr) >= 0)
    unlink (link);
  dest = sim_file (root, "");
  if (dest != NULL)
    mkdir (dest, 0755);
  free (dest);
  if (asprintf (&dest, "%s/.sim/vanished-%s", root, addr) >= 0)
    rename (dev, dest);
  free (dest);
  free (group);
  free (link);
  free (dev);
}

/* the write's effect: 0 or an errno */
static int
apply (Tracked *t, const char *value)
{
  char *dev = NULL, *driver = NULL, *override = NULL;
  int err = 0;

  switch (t->kind)
    {
    case KIND_OVERRIDE:
      {
        /* driver_override_store() in drivers/base/driver.c: "\n" clears */
        char *stored = NULL, *nl = strchr (value, '\n');

        if (strlen (value) >= 4095)
          return EINVAL;
        if (nl != NULL)
          *nl = '\0';
        if (asprintf (&stored, "%s\n", value[0] ? value : "(null)") < 0)
          return ENOMEM;
        write_file (t->path, stored, 0);
        free (stored);
        return 0;
      }
    case KIND_NEW_ID:
    case KIND_REMOVE_ID:
      {
        char *line = NULL;

        if (asprintf (&line, "%s\n", value) < 0)
          return ENOMEM;
        write_file (t->path, line, 1);
        free (line);
        return 0;
      }
    case KIND_UNBIND:
      dev = device_dir (t->root, value);
      driver = dev ? bound_driver (dev) : NULL;
      if (driver == NULL || strcmp (driver, t->driver) != 0)
        err = ENODEV;
      else
        unlink_driver (t->root, dev, value, t->driver);
      break;
    case KIND_BIND:
      dev = device_dir (t->root, value);
      if (dev == NULL)
        {
          err = ENODEV;
          break;
        }
      override = read_override (dev);
      if (override != NULL && strcmp (override, t->driver) != 0)
        err = ENODEV; /* pci_match_device(): only the override matches */
      else if ((driver = bound_driver (dev)) != NULL)
        err = EBUSY;
      else
        err = probe_driver (t->root, dev, value, t->driver);
      break;
    case KIND_PROBE:
      dev = device_dir (t->root, value);
      if (dev == NULL)
        {
          err = ENODEV;
          break;
        }
      if ((driver = bound_driver (dev)) != NULL)
        break; /* bus_rescan_devices_helper(): bound devices are left alone */
      override = read_override (dev);
      if (override == NULL)
        {
          char *path = vmctl_sim_join (dev, ".sim-native-driver");

          override = path ? read_file (path, NULL) : NULL;
          free (path);
          if (override != NULL)
            strip_newline (override);
        }
      /* device_attach() swallows probe errors: drivers_probe succeeds */
      if (override != NULL && override[0] != '\0')
        (void) probe_driver (t->root, dev, value, override);
      break;
    case KIND_PLAIN:
    case KIND_PLATFORM_BIND:
    case KIND_PLATFORM_UNBIND:
      err = vmctl_sim_apply_host (t, value);
      break;
    case KIND_ROM:
      {
        const char *slash = strrchr (t->path, '/');
        char *dir = slash ? strndup (t->path, (size_t) (slash - t->path)) : NULL;
        char *flag = dir ? vmctl_sim_join (dir, ".sim-rom-enabled") : NULL;
        int fd;

        if (flag == NULL)
          err = ENOMEM;
        else if (strcmp (value, "1") == 0)
          {
            fd = vmctl_sim_real_open (flag, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd >= 0)
              vmctl_sim_real_close (fd);
          }
        else if (strcmp (value, "0") == 0)
          unlink (flag);
        else
          err = EINVAL;
        free (flag);
        free (dir);
      }
      break;
    case KIND_NONE:
    default:
      break;
    }
  free (dev);
  free (driver);
  free (override);
  return err;
}

static void
log_write (const char *root, const char *name, const char *value)
{
  char *path = sim_file (root, "log");
  char *line = NULL;
  struct stat st;

  if (path != NULL && stat (path, &st) == 0 && asprintf (&line, "%s %s\n", name, value) >= 0)
    write_file (path, line, 1);
  free (line);
  free (path);
}

/* serialises simulated writes across processes sharing the tree */
static int
lock_tree (const char *root)
{
  char *path = vmctl_sim_join (root, "sys/bus/pci");
  int fd = path ? vmctl_sim_real_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

  free (path);
  if (fd >= 0)
    while (flock (fd, LOCK_EX) != 0 && errno == EINTR)
      ;
  return fd;
}

ssize_t
vmctl_sim_simulate (Tracked *t, const void *buf, size_t count)
{
  char *value = strndup (buf, count);
  FailMatch fail = { t->name, NULL, 0 };
  VanishMatch gone = { t->name, { NULL }, 0 };
  int lock, err, i;

  if (value == NULL)
    {
      errno = ENOMEM;
      return -1;
    }
  /* sysfs_streq(): one trailing newline does not count */
  if (count > 0 && value[strlen (value) > 0 ? strlen (value) - 1 : 0] == '\n')
    value[strlen (value) - 1] = '\0';

  fail.value = value;
  lock = lock_tree (t->root);
  log_write (t->root, t->name, value);
  if (vmctl_sim_each_line (t->root, "fail-write", match_fail, &fail))
    err = fail.error;
  else
    err = apply (t, value);
  if (err == 0)
    {
      vmctl_sim_each_line (t->root, "vanish-after", match_vanish, &gone);
      for (i = 0; i < gone.n; i++)
        {
          vanish (t->root, gone.addrs[i]);
          free (gone.addrs[i]);
        }
    }
  if (lock >= 0)
    vmctl_sim_real_close (lock);
  if (err == 0 && vmctl_sim_each_line (t->root, "kill-after", match_kill, &fail))
    kill (getpid (), SIGKILL);
  if (err == 0)
    {
      DelayMatch delay = { t->name, value, 0 };

      /* after the lock is released: the other process may write meanwhile */
      if (vmctl_sim_each_line (t->root, "delay-after", match_delay, &delay))
        usleep ((useconds_t) delay.ms * 1000);
    }
  free (value);
  if (err != 0)
    {
      errno = err;
      return -1;
    }
  return (ssize_t) count;
}
