/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck.h: is this host ready for GPU passthrough? Each check
 * reports what it found and, when not PASS, the exact fix. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VMCTL_CHECK_PASS,
  VMCTL_CHECK_WARN,   /* works, but slower, less safe or needs a step later */
  VMCTL_CHECK_FAIL,   /* GPU passthrough cannot work until fixed */
  VMCTL_CHECK_UNKNOWN,/* a remote host's libvirt does not report it; not a FAIL */
} VmctlCheckStatus;

typedef struct {
  gchar *id;          /* stable, e.g. "cpu.virtualization", "iommu.groups" */
  gchar *title;       /* short human name */
  VmctlCheckStatus status;
  gchar *message;     /* what was found */
  gchar *fix;         /* exact command or config line; NULL on PASS */
} VmctlCheckResult;

typedef struct {
  GPtrArray *results; /* VmctlCheckResult*, in a fixed order */
  gboolean ready;     /* no FAIL */
} VmctlHostReport;

const gchar *vmctl_check_status_to_string (VmctlCheckStatus status);
void vmctl_host_report_free (VmctlHostReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostReport, vmctl_host_report_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-hostcheck-private.h"
#endif
