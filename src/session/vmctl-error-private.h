/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-error-private.h: the translation every session function applies
 * at the library boundary (never installed). */
#pragma once

#include "vmctl-error.h"

G_BEGIN_DECLS

void vmctl_error_convert (GError **error);

G_END_DECLS
