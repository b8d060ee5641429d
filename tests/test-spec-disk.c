/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-spec-disk.c: what a --disk PATH is comes from the file (stat()
 * after symlinks), never from its name, and a block device the host
 * mounts or swaps on is refused unless --force. Block device nodes are
 * made with mknod() in the fixture's files (root only), with numbers
 * nothing on this machine uses; the fixture host's sysfs and procfs say
 * what the host does with them. */
#include "vmctl-test-block.h"
#include "vmctl-test-spec.h"

#include <glib/gstdio.h>
#include <libxml/xpath.h>
#include <string.h>

#include "vmctl-autocleanups.h"
#include "vmctl-domain-xml.h"

/* a disk and its partition, and a disk the host swaps on */
#define DISK_MAJOR 7
#define DISK_MINOR 200
#define PART_MAJOR 259
#define PART_MINOR 77
#define SWAP_MINOR 201

/* One --disk on the minimal profile, finalized against the fixture host
 * (which must accept it), built into XML; @out_spec gets the spec. */
static xmlDoc *
build_with_disk (const SpecFixture *fixture, const gchar *path, gboolean force,
                 VmctlSpec **out_spec)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "minimal", "--disk", path, NULL);
  g_autoptr(GError) error = NULL;
  xmlDoc *document;

  spec->force = force;
  g_assert_true (vmctl_spec_finalize (spec, fixture->host, &error));
  g_assert_no_error (error);
  document = vmctl_domain_xml_build (fixture->host, spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  *out_spec = g_steal_pointer (&spec);
  return document;
}

static gchar *
xpath_string (xmlDoc *document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autoptr(xmlXPathObject) result = xmlXPathEvalExpression ((const xmlChar *) expression, context);

  g_assert_nonnull (result);
  return g_strdup ((const gchar *) result->stringval);
}

static void
assert_disk_xml (xmlDoc *document, const gchar *type, const gchar *source_attribute,
                 const gchar *path)
{
  g_autofree gchar *got_type = xpath_string (document, "string(/domain/devices/disk[1]/@type)");
  g_autofree gchar *expression = g_strdup_printf ("string(/domain/devices/disk[1]/source/@%s)",
                                                  source_attribute);
  g_autofree gchar *got_path = xpath_string (document, expression);

  g_assert_cmpstr (got_type, ==, type);
  g_assert_cmpstr (got_path, ==, path);
}

/* A regular file whose path starts with /dev/ is an image file. */
static void
test_shm_file (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = vmctl_test_block_shm_file ();
  g_autoptr(VmctlSpec) spec = NULL;
  g_autoptr(xmlDoc) document = NULL;

  if (path == NULL)
    return;
  document = build_with_disk (fixture, path, FALSE, &spec);
  g_unlink (path);
  g_assert_false (((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->block);
  assert_disk_xml (document, "file", "file", path);
}

/* A symlink to a block device (as in /dev/disk/by-id) is a block device,
 * and the XML keeps the link's stable name. */
static void
test_symlink_to_block (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *node = g_build_filename (fixture->files, "blk", NULL);
  g_autofree gchar *link = g_build_filename (fixture->files, "by-id-disk", NULL);
  g_autoptr(VmctlSpec) spec = NULL;
  g_autoptr(xmlDoc) document = NULL;

  if (!vmctl_test_block_node (node, link, DISK_MAJOR, DISK_MINOR))
    return;
  /* the host knows the device and does not use it */
  vmctl_test_block_sysfs (fixture->root, "loop200", DISK_MAJOR, DISK_MINOR, NULL);
  document = build_with_disk (fixture, link, FALSE, &spec);
  g_assert_true (((VmctlSpecDisk *) g_ptr_array_index (spec->disks, 0))->block);
  assert_disk_xml (document, "block", "dev", link);
  g_assert_false (vmctl_test_spec_has_note (spec, "--force"));
}

/* A spec filled in by hand is settled by what the file is now. */
static void
test_by_hand_kind (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *image = g_build_filename (fixture->files, "disk.img", NULL);
  g_autoptr(VmctlSpec) spec = vmctl_spec_new ();
  g_autoptr(GError) error = NULL;
  VmctlSpecDisk *disk = g_new0 (VmctlSpecDisk, 1);

  spec->name = g_strdup ("vm");
  disk->path = g_strdup (image);
  disk->block = TRUE;
  g_ptr_array_add (spec->disks, disk);
  g_assert_true (vmctl_spec_finalize (spec, fixture->host, &error));
  g_assert_no_error (error);
  g_assert_false (disk->block);
}

/* The host's uses of a block device, each refused with its reason and
 * accepted with --force and a note. */
typedef struct {
  void (*host_uses) (const gchar *root);
  const gchar *reason;
} HostUse;

static void
partition_mounted (const gchar *root)
{
  vmctl_test_block_sysfs (root, "loop200", DISK_MAJOR, DISK_MINOR, NULL);
  vmctl_test_block_sysfs (root, "loop200p1", PART_MAJOR, PART_MINOR, "loop200");
  vmctl_test_write (root, "proc/self/mountinfo",
                    "22 1 0:21 / /proc rw - proc proc rw\n"
                    "31 1 259:77 / /srv/data rw,relatime - ext4 /dev/loop200p1 rw\n");
}

static void
disk_mounted (const gchar *root)
{
  vmctl_test_block_sysfs (root, "loop200", DISK_MAJOR, DISK_MINOR, NULL);
  /* mounted under a name that is not the node's: found by number */
  vmctl_test_write (root, "proc/self/mountinfo",
                    "31 1 7:200 / /mnt/backup rw - xfs /dev/root rw\n");
}

static void
disk_swapping (const gchar *root)
{
  vmctl_test_block_sysfs (root, "loop200", DISK_MAJOR, DISK_MINOR, NULL);
  vmctl_test_write (root, "proc/swaps",
                    "Filename\tType\tSize\tUsed\tPriority\n"
                    "/dev/loop200 partition 1048572 0 -2\n");
}

static const HostUse host_uses[] = {
  { partition_mounted, "/dev/loop200p1 under it is mounted on /srv/data" },
  { disk_mounted, "/dev/loop200 under it is mounted on /mnt/backup" },
  { disk_swapping, "/dev/loop200 under it is active swap" },
};

static void
check_host_use (SpecFixture *fixture, const HostUse *use)
{
  g_autofree gchar *node = g_build_filename (fixture->files, "blk", NULL);
  g_autofree gchar *link = g_build_filename (fixture->files, "by-id-disk", NULL);
  g_autoptr(VmctlSpec) refused = NULL;
  g_autoptr(VmctlSpec) forced = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GError) error = NULL;

  if (!vmctl_test_block_node (node, link, DISK_MAJOR, DISK_MINOR))
    return;
  use->host_uses (fixture->root);

  refused = vmctl_test_spec_build (fixture, "minimal", "--disk", link, NULL);
  g_assert_false (vmctl_spec_finalize (refused, fixture->host, &error));
  g_assert_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_HOST_IN_USE);
  vmctl_test_spec_assert_message (error, "--disk '", use->reason);
  g_assert_nonnull (strstr (error->message, link));
  g_assert_nonnull (strstr (error->message, "7:200"));
  g_assert_nonnull (strstr (error->message, "--force"));
  g_assert_false (refused->finalized);

  document = build_with_disk (fixture, link, TRUE, &forced);
  assert_disk_xml (document, "block", "dev", link);
  g_assert_true (vmctl_test_spec_has_note (forced, use->reason));
  g_assert_true (vmctl_test_spec_has_note (forced, "because of --force"));
}

/* the fixture's data is its scenario, so each case has its function */
static void
test_partition_mounted (SpecFixture *fixture, gconstpointer data)
{
  check_host_use (fixture, &host_uses[0]);
}

static void
test_disk_mounted (SpecFixture *fixture, gconstpointer data)
{
  check_host_use (fixture, &host_uses[1]);
}

static void
test_disk_swapping (SpecFixture *fixture, gconstpointer data)
{
  check_host_use (fixture, &host_uses[2]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_spec_test ("/vmctl/spec/disk/shm-file", "clean-gpu-audio", test_shm_file);
  add_spec_test ("/vmctl/spec/disk/symlink-to-block", "clean-gpu-audio", test_symlink_to_block);
  add_spec_test ("/vmctl/spec/disk/by-hand-kind", "clean-gpu-audio", test_by_hand_kind);
  add_spec_test ("/vmctl/spec/disk/host-uses/partition-mounted", "clean-gpu-audio",
                 test_partition_mounted);
  add_spec_test ("/vmctl/spec/disk/host-uses/disk-mounted", "clean-gpu-audio", test_disk_mounted);
  add_spec_test ("/vmctl/spec/disk/host-uses/disk-swapping", "clean-gpu-audio",
                 test_disk_swapping);
  return g_test_run ();
}
