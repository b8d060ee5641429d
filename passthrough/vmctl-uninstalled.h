/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-uninstalled.h: how a vmctl run from its build tree finds the
 * source tree's data without the installed binary naming any tree.
 * Private: not installed, not exported. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMCTL_UNINSTALLED_DATA_DIR "data-dir"
#define VMCTL_UNINSTALLED_TEMPLATE_DIR "template-dir"

gchar *vmctl_uninstalled_dir (const gchar *key);

G_END_DECLS
