/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-cpu-topology-private.h: what the topology (vmctl-cpu-topology.c)
 * and the pinning (vmctl-cpu-topology-pin.c) share. Not installed. */
#pragma once

#include "vmctl-cpu-topology.h"

G_BEGIN_DECLS

gint vmctl_cpu_compare (gconstpointer a, gconstpointer b);
gboolean vmctl_cpu_list_contains (const GArray *cpus, guint cpu);

G_END_DECLS
