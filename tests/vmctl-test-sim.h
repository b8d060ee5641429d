/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-sim.h: what the tests under the simulated kernel share. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* exits with a message unless libvmctl-kernel-sim.so is in LD_PRELOAD (a
 * test run outside meson would otherwise write to a fixture as if it were
 * the kernel's sysfs, and check nothing) */
void vmctl_test_require_sim (const gchar *program);

/* timeout SECONDS vmctl --host-root ROOT --state-dir STATE WORDS..., the
 * tree simulated, driver links waited for 300 ms, other vmctl's locks for
 * @lock_ms; stdout and stderr piped */
GSubprocess *vmctl_test_sim_spawn (const gchar *root, const gchar *state_dir,
                                   const gchar *lock_ms, guint seconds,
                                   const gchar * const *words);

G_END_DECLS
