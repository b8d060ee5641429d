/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-host.c: the spec's part in the host changes of issue 13:
 * --isolate-cpus (and the profile's [cpu] isolate), which needs pinned
 * vCPUs: without pins the VM's threads roam over every CPU and there is
 * nothing to keep the host off. */
#include "vmctl-spec.h"

/**
 * vmctl_spec_apply_host_options:
 * @isolate_cpus: --isolate-cpus was given
 * @error: VMCTL_SPEC_ERROR_CONFLICT for --isolate-cpus with no pinning
 *
 * Call after the other options (--cpu-pin in particular). The profile's
 * isolate=true without pinning (--cpu-pin none) is dropped with a note.
 */
gboolean
vmctl_spec_apply_host_options (VmctlSpec *spec, gboolean isolate_cpus, GError **error)
{
  if (isolate_cpus && spec->cpu_pin == VMCTL_CPU_PIN_NONE) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                         "--isolate-cpus needs pinned vCPUs: --cpu-pin auto or a CPU list");
    return FALSE;
  }
  if (isolate_cpus)
    spec->isolate_cpus = TRUE;
  if (spec->isolate_cpus && spec->cpu_pin == VMCTL_CPU_PIN_NONE) {
    spec->isolate_cpus = FALSE;
    vmctl_spec_add_note (spec, "the profile isolates CPUs, but the vCPUs are not pinned "
                         "(--cpu-pin none): no CPU isolation");
  }
  return TRUE;
}
