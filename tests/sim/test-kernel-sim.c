/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-kernel-sim.c: the simulated kernel (libvmctl-kernel-sim.so, loaded
 * through LD_PRELOAD by tests/meson.build) on a copy of clean-gpu-audio:
 * the detach and reattach sequences, the kernel's errors, and each
 * failure-injection file. Writes go through plain open()/write()/close(),
 * as the detach engine's will. */
#include "vmctl-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define GPU "0000:01:00.0"
#define AUDIO "0000:01:00.1"
#define BRIDGE "0000:00:01.0"

typedef struct {
  gchar *root;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  gchar *sim;

  /* copy first: the copy itself must not be simulated */
  g_unsetenv ("VMCTL_SIM_ROOT");
  fixture->root = vmctl_test_copy_scenario ("clean-gpu-audio");
  sim = g_build_filename (fixture->root, ".sim", NULL);
  g_assert_cmpint (g_mkdir (sim, 0755), ==, 0);
  g_free (sim);
  g_setenv ("VMCTL_SIM_ROOT", fixture->root, TRUE);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

/* write VALUE to sys/bus/pci/RELATIVE; 0 or the errno */
static int
sim_write (Fixture *fixture, const gchar *relative, const gchar *value)
{
  g_autofree gchar *path = g_build_filename (fixture->root, "sys/bus/pci", relative, NULL);
  int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  ssize_t n;
  int err = 0;

  g_assert_cmpint (fd, >=, 0);
  n = write (fd, value, strlen (value));
  if (n < 0)
    err = errno;
  else
    g_assert_cmpint (n, ==, (gssize) strlen (value));
  g_assert_cmpint (close (fd), ==, 0);
  return err;
}

static gchar *
read_rel (Fixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->root, relative, NULL);
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* the device's driver link target, NULL when unbound */
static gchar *
driver_link (Fixture *fixture, const gchar *addr)
{
  g_autofree gchar *path = g_strdup_printf ("%s/sys/bus/pci/devices/%s/driver",
                                            fixture->root, addr);

  return g_file_read_link (path, NULL);
}

static gchar *
driver_dev_link (Fixture *fixture, const gchar *driver, const gchar *addr)
{
  g_autofree gchar *path = g_strdup_printf ("%s/sys/bus/pci/drivers/%s/%s",
                                            fixture->root, driver, addr);

  return g_file_read_link (path, NULL);
}

static void
assert_override (Fixture *fixture, const gchar *addr, const gchar *expected)
{
  g_autofree gchar *rel = g_strdup_printf ("sys/bus/pci/devices/%s/driver_override", addr);
  g_autofree gchar *value = read_rel (fixture, rel);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_bound (Fixture *fixture, const gchar *addr, const gchar *driver)
{
  g_autofree gchar *link = driver_link (fixture, addr);
  g_autofree gchar *back = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *resolved = NULL;
  g_autofree gchar *drvdir = NULL;
  g_autofree gchar *devpath = g_strdup_printf ("%s/sys/bus/pci/devices/%s/driver",
                                               fixture->root, addr);

  if (driver == NULL)
    {
      g_assert_null (link);
      return;
    }
  g_assert_nonnull (link);
  expected = g_strconcat ("bus/pci/drivers/", driver, NULL);
  g_assert_true (g_str_has_suffix (link, expected));
  /* relative, and resolving to the driver's directory */
  g_assert_true (g_str_has_prefix (link, "../"));
  resolved = realpath (devpath, NULL);
  drvdir = g_strdup_printf ("%s/sys/bus/pci/drivers/%s", fixture->root, driver);
  {
    g_autofree gchar *real_drvdir = realpath (drvdir, NULL);
    g_assert_cmpstr (resolved, ==, real_drvdir);
  }
  back = driver_dev_link (fixture, driver, addr);
  g_assert_nonnull (back);
  g_assert_true (g_str_has_prefix (back, "../../../../devices/pci0000:00/"));
  g_assert_true (g_str_has_suffix (back, addr));
}

static void
test_detach_reattach (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *link = NULL;
  g_autofree gchar *back = NULL;

  assert_bound (fixture, AUDIO, "snd_hda_intel");
  assert_override (fixture, AUDIO, "(null)\n");

  /* detach: override, unbind, probe */
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "vfio-pci"), ==, 0);
  assert_override (fixture, AUDIO, "vfio-pci\n");
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
  g_assert_null (driver_dev_link (fixture, "snd_hda_intel", AUDIO));
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO "\n"), ==, 0);
  assert_bound (fixture, AUDIO, "vfio-pci");
  /* exactly as the fixtures spell their links */
  link = driver_link (fixture, AUDIO);
  g_assert_cmpstr (link, ==, "../../../../bus/pci/drivers/vfio-pci");
  back = driver_dev_link (fixture, "vfio-pci", AUDIO);
  g_assert_cmpstr (back, ==, "../../../../devices/pci0000:00/0000:00:01.0/" AUDIO);
  /* the other function is untouched */
  assert_bound (fixture, GPU, "nvidia");

  /* reattach: unbind, clear the override, bind explicitly */
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/unbind", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
  g_assert_null (driver_dev_link (fixture, "vfio-pci", AUDIO));
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "\n"), ==, 0);
  assert_override (fixture, AUDIO, "(null)\n");
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/bind", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
  g_clear_pointer (&link, g_free);
  link = driver_link (fixture, AUDIO);
  g_assert_cmpstr (link, ==, "../../../../bus/pci/drivers/snd_hda_intel");
}

static void
test_bridge_depth_links (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *link = NULL;

  /* a device one level higher gets one "../" fewer */
  g_assert_cmpint (sim_write (fixture, "drivers/pcieport/unbind", BRIDGE), ==, 0);
  assert_bound (fixture, BRIDGE, NULL);
  g_assert_cmpint (sim_write (fixture, "drivers/pcieport/bind", BRIDGE), ==, 0);
  link = driver_link (fixture, BRIDGE);
  g_assert_cmpstr (link, ==, "../../../bus/pci/drivers/pcieport");
  assert_bound (fixture, BRIDGE, "pcieport");
}

static void
test_kernel_errors (Fixture *fixture, gconstpointer data)
{
  /* unbind from a driver the device is not bound to */
  g_assert_cmpint (sim_write (fixture, "drivers/nvidia/unbind", AUDIO), ==, ENODEV);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
  /* unknown devices */
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", "0000:09:00.0"), ==, ENODEV);
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/bind", "0000:09:00.0"), ==, ENODEV);
  g_assert_cmpint (sim_write (fixture, "drivers_probe", "0000:09:00.0"), ==, ENODEV);
  /* bind while bound */
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/bind", AUDIO), ==, EBUSY);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
  /* probing a bound device changes nothing and succeeds */
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "vfio-pci"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
  /* with an override only that driver matches */
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/bind", AUDIO), ==, ENODEV);
  assert_bound (fixture, AUDIO, NULL);
  /* an override naming a driver that is not loaded: probe binds nothing */
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "no-such-driver\n"), ==, 0);
  assert_override (fixture, AUDIO, "no-such-driver\n");
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
}

static void
test_bridge_refused_by_vfio (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpint (sim_write (fixture, "devices/" BRIDGE "/driver_override", "vfio-pci"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/pcieport/unbind", BRIDGE), ==, 0);
  /* vfio-pci refuses header type 1, yet drivers_probe reports success */
  g_assert_cmpint (sim_write (fixture, "drivers_probe", BRIDGE), ==, 0);
  assert_bound (fixture, BRIDGE, NULL);
  g_assert_null (driver_dev_link (fixture, "vfio-pci", BRIDGE));
  /* an explicit bind passes the probe's error on */
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/bind", BRIDGE), ==, EINVAL);
  assert_bound (fixture, BRIDGE, NULL);
}

static void
test_probe_native (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  /* no override and no known native driver: nothing binds, still success */
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
  vmctl_test_write (fixture->root,
                    "sys/devices/pci0000:00/0000:00:01.0/" AUDIO "/.sim-native-driver",
                    "snd_hda_intel\n");
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
}

static void
test_fail_write (Fixture *fixture, gconstpointer data)
{
  vmctl_test_write (fixture->root, ".sim/fail-write",
                    "drivers/snd_hda_intel/unbind 16\n"
                    "devices/" AUDIO "/driver_override 5\n");
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "vfio-pci"), ==, EIO);
  /* failed writes leave the stored value alone, O_TRUNC or not */
  assert_override (fixture, AUDIO, "(null)\n");
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, EBUSY);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
  /* other writes are unaffected */
  g_assert_cmpint (sim_write (fixture, "devices/" GPU "/driver_override", "vfio-pci"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/nvidia/unbind", GPU), ==, 0);
  assert_bound (fixture, GPU, NULL);
  /* removing the file heals the fault */
  vmctl_test_unlink (fixture->root, ".sim/fail-write");
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
}

static void
test_never_bind (Fixture *fixture, gconstpointer data)
{
  vmctl_test_write (fixture->root, ".sim/never-bind", AUDIO "\n");
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "vfio-pci"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/bind", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, NULL);
  /* other devices still bind */
  g_assert_cmpint (sim_write (fixture, "devices/" GPU "/driver_override", "vfio-pci"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/nvidia/unbind", GPU), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers_probe", GPU), ==, 0);
  assert_bound (fixture, GPU, "vfio-pci");
}

static void
test_vanish_after (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *moved = g_build_filename (fixture->root, ".sim/vanished-" AUDIO, NULL);
  g_autofree gchar *bus_link = g_build_filename (fixture->root, "sys/bus/pci/devices", AUDIO, NULL);
  g_autofree gchar *group_link = g_build_filename (fixture->root,
                                                   "sys/kernel/iommu_groups/1/devices", AUDIO, NULL);
  g_autofree gchar *dev_dir = g_build_filename (fixture->root,
                                                "sys/devices/pci0000:00/0000:00:01.0", AUDIO, NULL);

  vmctl_test_write (fixture->root, ".sim/vanish-after",
                    "devices/" AUDIO "/driver_override " AUDIO "\n");
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "vfio-pci"), ==, 0);
  g_assert_false (g_file_test (bus_link, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));
  g_assert_false (g_file_test (dev_dir, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (group_link, G_FILE_TEST_IS_SYMLINK));
  g_assert_null (driver_dev_link (fixture, "snd_hda_intel", AUDIO));
  g_assert_true (g_file_test (moved, G_FILE_TEST_IS_DIR));
  /* the next steps find no device */
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, ENODEV);
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, ENODEV);
  /* the sibling is still there */
  assert_bound (fixture, GPU, "nvidia");
}

static void
test_log (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *log = NULL;

  vmctl_test_write (fixture->root, ".sim/log", "");
  g_assert_cmpint (sim_write (fixture, "devices/" AUDIO "/driver_override", "vfio-pci\n"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers_probe", AUDIO), ==, 0);
  /* failed writes are logged too */
  g_assert_cmpint (sim_write (fixture, "drivers/nvidia/unbind", AUDIO), ==, ENODEV);
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/new_id", "10de 228b"), ==, 0);
  log = read_rel (fixture, ".sim/log");
  g_assert_cmpstr (log, ==,
                   "devices/" AUDIO "/driver_override vfio-pci\n"
                   "drivers/snd_hda_intel/unbind " AUDIO "\n"
                   "drivers_probe " AUDIO "\n"
                   "drivers/nvidia/unbind " AUDIO "\n"
                   "drivers/vfio-pci/new_id 10de 228b\n");
}

static void
test_new_id (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *new_id = NULL;
  g_autofree gchar *remove_id = NULL;

  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/new_id", "10de 2484"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/new_id", "10de 228b\n"), ==, 0);
  g_assert_cmpint (sim_write (fixture, "drivers/vfio-pci/remove_id", "10de 2484"), ==, 0);
  new_id = read_rel (fixture, "sys/bus/pci/drivers/vfio-pci/new_id");
  g_assert_cmpstr (new_id, ==, "10de 2484\n10de 228b\n");
  remove_id = read_rel (fixture, "sys/bus/pci/drivers/vfio-pci/remove_id");
  g_assert_cmpstr (remove_id, ==, "10de 2484\n");
  /* recorded only: nothing binds */
  assert_bound (fixture, GPU, "nvidia");
}

static void
test_openat_and_real_paths (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *devdir = g_build_filename (fixture->root,
                                               "sys/devices/pci0000:00/0000:00:01.0", AUDIO, NULL);
  g_autofree gchar *drvdir = g_build_filename (fixture->root,
                                               "sys/bus/pci/drivers/snd_hda_intel", NULL);
  int dirfd, fd;

  /* openat relative to the device's real directory */
  dirfd = open (devdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (dirfd, >=, 0);
  fd = openat (dirfd, "driver_override", O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "vfio-pci\n", 9), ==, 9);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpint (close (dirfd), ==, 0);
  assert_override (fixture, AUDIO, "vfio-pci\n");

  /* a relative path from the working directory */
  {
    g_autofree gchar *cwd = g_get_current_dir ();

    g_assert_cmpint (g_chdir (drvdir), ==, 0);
    fd = open ("unbind", O_WRONLY | O_CLOEXEC);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, AUDIO, strlen (AUDIO)), ==, (gssize) strlen (AUDIO));
    g_assert_cmpint (close (fd), ==, 0);
    g_assert_cmpint (g_chdir (cwd), ==, 0);
  }
  assert_bound (fixture, AUDIO, NULL);
}

static void
test_child_process (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *script = g_strdup_printf ("echo vfio-pci > %s/sys/bus/pci/devices/" AUDIO "/driver_override && "
                                              "echo " AUDIO " > %s/sys/bus/pci/drivers/snd_hda_intel/unbind && "
                                              "echo " AUDIO " > %s/sys/bus/pci/drivers_probe",
                                              fixture->root, fixture->root, fixture->root);
  const gchar *argv[] = { "/bin/sh", "-c", script, NULL };
  gint status = -1;

  /* the environment (LD_PRELOAD, VMCTL_SIM_ROOT) carries into children,
   * as it will into a spawned vmctl */
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  assert_bound (fixture, AUDIO, "vfio-pci");
}

static void
test_untouched (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *temp = g_dir_make_tmp ("vmctl-sim-outside-XXXXXX", NULL);
  g_autofree gchar *bind = g_build_filename (temp, "bind", NULL);
  g_autofree gchar *autoprobe = NULL;
  g_autofree gchar *contents = NULL;
  int fd;

  /* a file named like a control file outside the tree */
  g_assert_nonnull (temp);
  fd = open (bind, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, AUDIO "\n", 13), ==, 13);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_true (g_file_get_contents (bind, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, AUDIO "\n");
  g_assert_cmpint (g_unlink (bind), ==, 0);
  g_assert_cmpint (g_rmdir (temp), ==, 0);

  /* files of the tree the simulator does not model are plain files */
  g_assert_cmpint (sim_write (fixture, "drivers_autoprobe", "0\n"), ==, 0);
  autoprobe = read_rel (fixture, "sys/bus/pci/drivers_autoprobe");
  g_assert_cmpstr (autoprobe, ==, "0\n");
  /* and an unset VMCTL_SIM_ROOT turns the simulator off */
  g_unsetenv ("VMCTL_SIM_ROOT");
  g_assert_cmpint (sim_write (fixture, "drivers/snd_hda_intel/unbind", AUDIO), ==, 0);
  assert_bound (fixture, AUDIO, "snd_hda_intel");
  g_clear_pointer (&contents, g_free);
  contents = read_rel (fixture, "sys/bus/pci/drivers/snd_hda_intel/unbind");
  g_assert_cmpstr (contents, ==, AUDIO);
}

int
main (int argc, char **argv)
{
  const gchar *preload = g_getenv ("LD_PRELOAD");

  g_test_init (&argc, &argv, NULL);
  if (preload == NULL || strstr (preload, "vmctl-kernel-sim") == NULL)
    {
      /* TAP: skip the whole program */
      g_print ("1..0 # SKIP needs LD_PRELOAD=libvmctl-kernel-sim.so (tests/meson.build sets it)\n");
      return 0;
    }

#define ADD(path, fn) \
  g_test_add ("/kernel-sim/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("detach-reattach", test_detach_reattach);
  ADD ("bridge-depth-links", test_bridge_depth_links);
  ADD ("kernel-errors", test_kernel_errors);
  ADD ("bridge-refused-by-vfio", test_bridge_refused_by_vfio);
  ADD ("probe-native", test_probe_native);
  ADD ("fail-write", test_fail_write);
  ADD ("never-bind", test_never_bind);
  ADD ("vanish-after", test_vanish_after);
  ADD ("log", test_log);
  ADD ("new-id", test_new_id);
  ADD ("openat-and-real-paths", test_openat_and_real_paths);
  ADD ("child-process", test_child_process);
  ADD ("untouched", test_untouched);
#undef ADD

  return g_test_run ();
}
