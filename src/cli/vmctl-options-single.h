/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-options-single.h: a single-valued option given twice is an
 * error, for every command (DESIGN.md: never "last wins"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean vmctl_options_check_single (gchar **arguments, const GOptionEntry * const *entry_lists,
                                     guint n_lists, gboolean strict_posix, GError **error);

G_END_DECLS
