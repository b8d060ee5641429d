/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-parse-cpu-memory.c: the CPU and memory options (--memory,
 * --vcpus, --hugepages, --cpu-pin), from the text the user typed to the
 * fields of a VmctlSpec, as vmctl-spec-parse.c does for the others. The
 * host's CPU count and memory wait for vmctl_spec_finalize(). */
#include "vmctl-spec-private.h"

#include "vmctl-size.h"

#include <string.h>

/* more than any KVM host runs (KVM_MAX_VCPUS with CONFIG_MAXSMP) */
#define VCPUS_MAX 4096
/* CPU numbers beyond this are typos, not hosts (NR_CPUS tops out at 8192) */
#define CPU_NUMBER_MAX 65535

/* ---- number helpers ------------------------------------------------------ */

/* A whole decimal number without sign or spaces, at most @max. */
static gboolean
parse_number (const gchar *text, guint64 max, guint64 *out_value)
{
  guint64 value = 0;

  if (text[0] == '\0')
    return FALSE;
  for (const gchar *p = text; *p != '\0'; p++) {
    if (!g_ascii_isdigit (*p))
      return FALSE;
    value = value * 10 + (guint64) (*p - '0');
    if (value > max)
      return FALSE;
  }
  *out_value = value;
  return TRUE;
}

static gboolean
all_digits (const gchar *text)
{
  if (text[0] == '\0')
    return FALSE;
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* ---- value parsers (no option in the messages) --------------------------- */

gboolean
vmctl_spec_parse_memory (const gchar *text, guint64 *out_kib, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 bytes = 0;

  if (!vmctl_size_parse (text, &bytes, &local_error)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, local_error->message);
    return FALSE;
  }
  if (bytes < VMCTL_SPEC_MEMORY_MIN_KIB * 1024) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "a VM needs at least 128 MiB of memory");
    return FALSE;
  }
  /* every accepted suffix is a multiple of 1 KiB, so nothing is lost */
  *out_kib = bytes / 1024;
  return TRUE;
}

gboolean
vmctl_spec_parse_vcpus (const gchar *text, guint *out_vcpus, GError **error)
{
  guint64 value = 0;

  if (!all_digits (text)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "not a whole number of virtual CPUs");
    return FALSE;
  }
  if (!parse_number (text, VCPUS_MAX, &value)) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "more virtual CPUs than any KVM host runs (at most %d)", VCPUS_MAX);
    return FALSE;
  }
  if (value == 0) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "a VM needs at least 1 virtual CPU");
    return FALSE;
  }
  *out_vcpus = (guint) value;
  return TRUE;
}

/**
 * vmctl_spec_parse_cpu_list:
 * @text: host CPU numbers and ranges, "2-5,8,9"
 * @out_cpus: (out) (transfer full): guint CPU numbers in the order given,
 *   ranges expanded
 *
 * The kernel's cpulist format (/sys/devices/system/cpu/present) and the
 * --cpu-pin LIST: each CPU at most once, ranges low to high.
 */
gboolean
vmctl_spec_parse_cpu_list (const gchar *text, GArray **out_cpus, GError **error)
{
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_auto(GStrv) items = g_strsplit (text, ",", -1);

  if (text[0] == '\0') {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "empty CPU list (want e.g. 2-5,8,9)");
    return FALSE;
  }
  for (guint i = 0; items[i] != NULL; i++) {
    g_auto(GStrv) bounds = g_strsplit (items[i], "-", 3);
    gboolean shaped = bounds[0] != NULL && all_digits (bounds[0])
                      && (bounds[1] == NULL || (all_digits (bounds[1]) && bounds[2] == NULL));
    guint64 first = 0, last = 0;

    if (items[i][0] == '\0') {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                           "empty item in the CPU list (want e.g. 2-5,8,9)");
      return FALSE;
    }
    if (!shaped) {
      g_autofree gchar *quoted = vmctl_spec_quote (items[i]);

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "'%s' is not a CPU number or range (want e.g. 2-5,8,9)", quoted);
      return FALSE;
    }
    if (!parse_number (bounds[0], CPU_NUMBER_MAX, &first)
        || (bounds[1] != NULL && !parse_number (bounds[1], CPU_NUMBER_MAX, &last))) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "CPU numbers above %d do not exist", CPU_NUMBER_MAX);
      return FALSE;
    }
    if (bounds[1] == NULL)
      last = first;
    if (last < first) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "the range %s runs backwards (write %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ")",
                   items[i], last, first);
      return FALSE;
    }
    for (guint64 cpu = first; cpu <= last; cpu++) {
      guint value = (guint) cpu;

      if (!g_hash_table_add (seen, GUINT_TO_POINTER (value + 1))) {
        g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                     "CPU %u is listed twice", value);
        return FALSE;
      }
      g_array_append_val (cpus, value);
    }
  }
  *out_cpus = g_steal_pointer (&cpus);
  return TRUE;
}

gboolean
vmctl_spec_parse_cpu_pin (const gchar *text, VmctlCpuPinMode *out_mode, GArray **out_list,
                          GError **error)
{
  if (strcmp (text, "auto") == 0 || strcmp (text, "none") == 0) {
    *out_mode = text[0] == 'a' ? VMCTL_CPU_PIN_AUTO : VMCTL_CPU_PIN_NONE;
    *out_list = NULL;
    return TRUE;
  }
  if (text[0] == '\0' || strspn (text, "0123456789,-") != strlen (text)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "want auto, none or a list of host CPUs like 2-5,8,9");
    return FALSE;
  }
  if (!vmctl_spec_parse_cpu_list (text, out_list, error))
    return FALSE;
  *out_mode = VMCTL_CPU_PIN_LIST;
  return TRUE;
}

/* ---- the setters (the messages name the option) -------------------------- */

/**
 * vmctl_spec_set_memory:
 * @text: a size (vmctl_size_parse()), at least 128 MiB
 * @error: VMCTL_SPEC_ERROR_INVALID
 *
 * The host's limit and the hugepage granularity are checked by
 * vmctl_spec_finalize().
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_memory (VmctlSpec *spec, const gchar *text, GError **error)
{
  guint64 kib = 0;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!vmctl_spec_parse_memory (text, &kib, error))
    return vmctl_spec_prefix_option (error, "--memory", text);
  spec->memory_kib = kib;
  spec->memory_given = TRUE;
  return TRUE;
}

/**
 * vmctl_spec_set_vcpus:
 * @text: a whole number from 1; the host's CPU count is checked by
 *   vmctl_spec_finalize()
 * @error: VMCTL_SPEC_ERROR_INVALID
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_vcpus (VmctlSpec *spec, const gchar *text, GError **error)
{
  guint vcpus = 0;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!vmctl_spec_parse_vcpus (text, &vcpus, error))
    return vmctl_spec_prefix_option (error, "--vcpus", text);
  spec->vcpus = vcpus;
  spec->vcpus_given = TRUE;
  return TRUE;
}

/* --hugepages and --no-hugepages: back the memory with hugepages or not */
void
vmctl_spec_set_hugepages (VmctlSpec *spec, gboolean hugepages)
{
  g_return_if_fail (spec != NULL);
  spec->hugepages = hugepages;
}

/**
 * vmctl_spec_set_memory_locked:
 * @locked: --lock-memory: <locked/> with a computed <memtune><hard_limit>
 *
 * Off by default: libvirt raises the memlock limit itself for VFIO
 * hostdevs, and <locked/> makes a start fail where libvirtd may not raise
 * RLIMIT_MEMLOCK (a container without CAP_SYS_RESOURCE).
 */
void
vmctl_spec_set_memory_locked (VmctlSpec *spec, gboolean locked)
{
  g_return_if_fail (spec != NULL);
  spec->memory_locked = locked;
}

/**
 * vmctl_spec_set_cpu_pin:
 * @text: "auto", "none" or a host CPU list "2-5,8,9" (vCPU i on the i-th
 *   CPU listed); that the CPUs exist and that there is one per vCPU is
 *   checked by vmctl_spec_finalize()
 * @error: VMCTL_SPEC_ERROR_INVALID
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_cpu_pin (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlCpuPinMode mode;
  GArray *list = NULL;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!vmctl_spec_parse_cpu_pin (text, &mode, &list, error))
    return vmctl_spec_prefix_option (error, "--cpu-pin", text);
  spec->cpu_pin = mode;
  g_clear_pointer (&spec->cpu_pin_list, g_array_unref);
  spec->cpu_pin_list = list;
  return TRUE;
}
