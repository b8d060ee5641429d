/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hugepages-private.h: the hugepage rules and readers the spec, the
 * domain layout, the host facts and the host check share, so each is
 * decided in one place (vmctl-hugepages.c). Not installed. */
#pragma once

#include "vmctl-hugepages.h"

G_BEGIN_DECLS

/* x86's smallest hugepage: 2 MiB (the other size, 1 GiB, needs pdpe1gb).
 * Memory that is no whole number of these fits no hugepage size at all. */
#define VMCTL_HUGEPAGES_SMALLEST_KIB G_GUINT64_CONSTANT (2048)

gboolean vmctl_hugepages_whole (guint64 memory_kib, guint64 page_kib);
guint64 vmctl_hugepages_needed (guint64 memory_kib, guint64 page_kib);

G_END_DECLS
