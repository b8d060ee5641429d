/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-disk.c: what a --disk PATH is, decided by the file and never
 * by its name. A regular file under /dev/shm is an image file; a symlink
 * (/dev/disk/by-id/...) to a block device is a block device. libvirt
 * treats the two differently (<source file> and <source dev>: security
 * labels, cgroup device rules, how QEMU opens it), and a guess from a
 * "/dev/" prefix got both of these wrong. A block device the host itself
 * mounts or swaps on would be written by two kernels at once and is
 * refused unless --force. */
#include "vmctl-spec-private.h"

#include <sys/sysmacros.h>

#include "vmctl-host-use.h"

/**
 * vmctl_spec_disk_settle_path:
 * @disk: a --disk PATH (disk->path set)
 * @out_info: (out) (optional): stat() of the path, symlinks followed
 * @error: as vmctl_spec_check_path()
 *
 * Checks the path (vmctl_spec_check_path(): it exists on this machine,
 * is an image file or a block device), makes it absolute (symlinks kept:
 * the stable /dev/disk/by-id names are what the user wants in the XML),
 * and records in disk->block what it is.
 */
gboolean
vmctl_spec_disk_settle_path (VmctlSpecDisk *disk, struct stat *out_info, GError **error)
{
  g_autofree gchar *absolute = NULL;
  struct stat info;

  g_return_val_if_fail (disk != NULL && disk->path != NULL, FALSE);
  if (!vmctl_spec_check_path (disk->path, VMCTL_SPEC_FILE_OR_BLOCK, &absolute, &info, error))
    return FALSE;
  g_free (disk->path);
  disk->path = g_steal_pointer (&absolute);
  disk->block = S_ISBLK (info.st_mode);
  if (out_info != NULL)
    *out_info = info;
  return TRUE;
}

/* Refuses (or, with --force, notes) a block device @host uses: it is
 * looked up by number, so any name for it (a symlink, a partition's parent,
 * the dm device on top) is caught. */
static gboolean
check_host_use (VmctlSpec *spec, VmctlHost *host, const VmctlSpecDisk *disk,
                const struct stat *info, GError **error)
{
  guint major_number = major (info->st_rdev);
  guint minor_number = minor (info->st_rdev);
  g_autoptr(GPtrArray) reasons = NULL;
  g_autofree gchar *why = NULL;

  /* a remote host's mounts and swaps are not files vmctl can read */
  if (host == NULL) {
    vmctl_spec_add_note (spec, "--disk %s: whether the VM's host mounts or swaps on block device "
                         "%u:%u is unknown on a remote host", disk->path, major_number, minor_number);
    return TRUE;
  }
  reasons = vmctl_host_use_block_reasons (host, major_number, minor_number);
  if (reasons->len == 0)
    return TRUE;
  g_ptr_array_add (reasons, NULL);
  why = g_strjoinv ("; ", (gchar **) reasons->pdata);
  if (!spec->force) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_HOST_IN_USE,
                 "the host uses block device %u:%u: %s (--force gives it to the VM anyway)",
                 major_number, minor_number, why);
    return FALSE;
  }
  vmctl_spec_add_note (spec, "--disk %s: the host uses block device %u:%u (%s); given to the "
                       "VM because of --force", disk->path, major_number, minor_number, why);
  return TRUE;
}

/**
 * vmctl_spec_check_disks: (skip)
 * @host: (nullable): the VM's host: its /sys and /proc tell whether it
 *   uses a block device; NULL for a remote host, whose files vmctl cannot
 *   read (the path itself is on the machine vmctl runs on, as every file
 *   the user hands over)
 * @error: VMCTL_SPEC_ERROR_MISSING_FILE or _INVALID for a path that went
 *   away or changed kind, VMCTL_SPEC_ERROR_HOST_IN_USE for a block device
 *   the host mounts or swaps on (unless spec->force)
 *
 * The finalize rule for --disk PATH: each path is looked at again (a spec
 * may be filled in by hand, and files change), disk->block is set from what
 * the path is now, and block devices are checked against the host.
 */
gboolean
vmctl_spec_check_disks (VmctlSpec *spec, VmctlHost *host, GError **error)
{
  for (guint i = 0; i < spec->disks->len; i++) {
    VmctlSpecDisk *disk = g_ptr_array_index (spec->disks, i);
    g_autofree gchar *quoted = NULL;
    struct stat info;

    if (disk->path == NULL)
      continue;
    quoted = vmctl_spec_quote (disk->path);
    if (!vmctl_spec_disk_settle_path (disk, &info, error)
        || (disk->block && !check_host_use (spec, host, disk, &info, error))) {
      g_prefix_error (error, "--disk '%s': ", quoted);
      return FALSE;
    }
  }
  return TRUE;
}
