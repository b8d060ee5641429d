/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-private.h: the value parsers behind the vmctl_spec_set_*()
 * functions, shared with the profile loader so that a profile file and the
 * command line accept exactly the same spellings. Their messages do not
 * name the option: the caller prefixes "--memory '16X': " or the profile
 * file and key. Not installed. */
#pragma once

#include <sys/stat.h>

#include "vmctl-host.h"
#include "vmctl-spec.h"

G_BEGIN_DECLS

gboolean vmctl_spec_finalize (VmctlSpec *spec, VmctlHost *host, GError **error);
/* issue 13 (vmctl-spec-host.c): --isolate-cpus, after the other options */
gboolean vmctl_spec_apply_host_options (VmctlSpec *spec, gboolean isolate_cpus, GError **error);
typedef struct _VmctlHostFacts VmctlHostFacts;
gboolean vmctl_spec_finalize_with_facts (VmctlSpec *spec, VmctlHostFacts *facts, GError **error);
void vmctl_spec_add_note (VmctlSpec *spec, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

/* the spellings of the options and profile files, for messages and metadata */
const gchar *vmctl_firmware_kind_to_string (VmctlFirmwareKind kind);
const gchar *vmctl_network_kind_to_string (VmctlNetworkKind kind);
const gchar *vmctl_cpu_pin_mode_to_string (VmctlCpuPinMode mode);
const gchar *vmctl_virt_type_to_string (VmctlVirtType type);
const gchar *vmctl_graphics_kind_to_string (VmctlGraphicsKind kind);
const gchar *vmctl_clock_kind_to_string (VmctlClockKind kind);
gchar *vmctl_spec_format_cpu_list (GArray *cpus);

gchar *vmctl_spec_quote (const gchar *text);
gboolean vmctl_spec_name_is_safe (const gchar *text);

gboolean vmctl_spec_parse_memory (const gchar *text, guint64 *out_kib, GError **error);
gboolean vmctl_spec_parse_vcpus (const gchar *text, guint *out_vcpus, GError **error);
gboolean vmctl_spec_parse_network (const gchar *text, VmctlNetworkKind *out_kind,
                                   gchar **out_bridge, GError **error);
gboolean vmctl_spec_parse_firmware (const gchar *text, VmctlFirmwareKind *out_kind,
                                    GError **error);
gboolean vmctl_spec_parse_cpu_pin (const gchar *text, VmctlCpuPinMode *out_mode,
                                   GArray **out_list, GError **error);
gboolean vmctl_spec_parse_cpu_list (const gchar *text, GArray **out_cpus, GError **error);

typedef enum {
  VMCTL_SPEC_FILE_REGULAR,        /* a ROM image */
  VMCTL_SPEC_FILE_OR_BLOCK,       /* a disk or ISO image, or a block device */
} VmctlSpecFileKind;

gboolean vmctl_spec_check_path (const gchar *path, VmctlSpecFileKind kind,
                                gchar **out_absolute, struct stat *out_info, GError **error);

/* vmctl-spec-disk.c */
gboolean vmctl_spec_disk_settle_path (VmctlSpecDisk *disk, struct stat *out_info,
                                      GError **error);
gboolean vmctl_spec_check_disks (VmctlSpec *spec, VmctlHost *host, GError **error);

/* Rules the spec and the domain layout (src/domain) both apply: each is
 * decided here, once, so a finalized spec and the XML built from it can
 * never disagree (vmctl-spec.c). */
const gchar *vmctl_virt_type_cpu_mode (VmctlVirtType type, const gchar *requested);
gboolean vmctl_machine_is_q35 (const gchar *machine);

/* for the setters, which are split across vmctl-spec-parse*.c */
gboolean vmctl_spec_prefix_option (GError **error, const gchar *option, const gchar *text);

G_END_DECLS
