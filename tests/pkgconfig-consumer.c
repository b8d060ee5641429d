/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkgconfig-consumer.c HOST_ROOT: a program that knows libvmctl only
 * through <vmctl/vmctl.h> and libvmctl.pc (tests/install-check.sh,
 * tests/package-check.sh), as a third party would use it: one session, one
 * call per command. Exit 0 when, on HOST_ROOT (the demo host), `gpu check
 * 01:00.0` finds it passable with one companion and a function the host
 * lacks is VMCTL_ERROR_NOT_FOUND; it says what differed otherwise. */
#include <stdio.h>
#include <string.h>

#include <vmctl/vmctl.h>

/* A consumer's own autoptrs for another library's types must not clash
 * with libvmctl's headers (they once defined this one). */
typedef struct {
  int unused;
} ConsumerThing;
static void consumer_thing_free (ConsumerThing *thing) { g_free (thing); }
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConsumerThing, consumer_thing_free)

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSession) session = NULL;
  g_autoptr(VmctlGpuReport) report = NULL;
  g_autoptr(VmctlGpuReport) absent = NULL;
  const VmctlVerdict *verdict;
  VmctlPciAddress address;
  VmctlPciAddress nowhere;

  if (argc != 2) {
    fprintf (stderr, "usage: %s HOST_ROOT\n", argv[0]);
    return 2;
  }
  if (strcmp (vmctl_version_string (), VMCTL_VERSION_STRING) != 0) {
    fprintf (stderr, "runs with libvmctl %s, built with %s\n", vmctl_version_string (),
             VMCTL_VERSION_STRING);
    return 1;
  }
  session = vmctl_session_new (argv[1], NULL, NULL, &error);
  if (session == NULL || !vmctl_pci_address_parse ("01:00.0", &address, &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  report = vmctl_session_gpu_check (session, &address, &error);
  if (report == NULL) {
    fprintf (stderr, "gpu check: %s (%s)\n", error->message,
             error->domain == VMCTL_ERROR ? vmctl_error_code_to_string (error->code) : "?");
    return 1;
  }
  verdict = report->verdicts->len == 1 ? g_ptr_array_index (report->verdicts, 0) : NULL;
  if (verdict == NULL || !verdict->passable || verdict->companions->len != 1) {
    fprintf (stderr, "01:00.0: expected passable with one companion\n");
    return 1;
  }
  printf ("01:00.0: passable, IOMMU group %d, %u companion\n", verdict->iommu_group,
          verdict->companions->len);

  if (!vmctl_pci_address_parse ("00:1f.7", &nowhere, &error))
    return 1;
  absent = vmctl_session_gpu_check (session, &nowhere, &error);
  if (absent != NULL || !g_error_matches (error, VMCTL_ERROR, VMCTL_ERROR_NOT_FOUND)) {
    fprintf (stderr, "00:1f.7: expected VMCTL_ERROR_NOT_FOUND\n");
    return 1;
  }
  printf ("00:1f.7: %s: %s\n", vmctl_error_code_to_string (error->code), error->message);
  return 0;
}
