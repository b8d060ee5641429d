/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-version.c: the library's own version, for programs that want to
 * know which libvmctl they were loaded with. */
#include "vmctl-config.h"

#include "vmctl-version.h"

const gchar *
vmctl_version_string (void)
{
  return VMCTL_VERSION;
}
