/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-host.c: vmctl host check, the readiness report: one library
 * call (vmctl_session_host_check()), then the report printed. */
#include "vmctl-output.h"

#include "vmctl-session-host.h"

static const gchar host_check_description[] =
  "Checks what GPU passthrough needs from this host: CPU virtualization, KVM,\n"
  "an enabled IOMMU with interrupt remapping and IOMMU groups, the vfio modules,\n"
  "hugepages, UEFI firmware and a TPM emulator for the guest, and a working\n"
  "libvirt connection (-c URI; probed even with --host-root). Every check that\n"
  "does not pass is followed by the exact fix: a kernel parameter, a module\n"
  "line or a command. On a remote URI (qemu+ssh://...) without --host-root the\n"
  "checks are answered by that host's libvirt; what it cannot tell is UNKNOWN.\n"
  "Exit status 0 means ready (warnings and unknowns allowed), 1 means a check\n"
  "failed.\n"
  "\n"
  "Examples:\n"
  "  vmctl host check\n"
  "  vmctl host check --json\n"
  "  vmctl --host-root /tmp/host-snapshot host check";

/* the JSON spelling of a status is part of the stable contract */
static const gchar *
status_json (VmctlCheckStatus status)
{
  switch (status) {
  case VMCTL_CHECK_PASS:
    return "pass";
  case VMCTL_CHECK_WARN:
    return "warn";
  case VMCTL_CHECK_FAIL:
    return "fail";
  case VMCTL_CHECK_UNKNOWN:
    return "unknown";
  default:
    g_assert_not_reached ();
  }
}

static gchar *
status_human (VmctlCheckStatus status)
{
  switch (status) {
  case VMCTL_CHECK_PASS:
    return vmctl_output_style (VMCTL_STYLE_GOOD, "PASS");
  case VMCTL_CHECK_WARN:
    return vmctl_output_style (VMCTL_STYLE_WARN, "WARN");
  case VMCTL_CHECK_FAIL:
    return vmctl_output_style (VMCTL_STYLE_BAD, "FAIL");
  case VMCTL_CHECK_UNKNOWN:
    return g_strdup ("UNKNOWN");
  default:
    g_assert_not_reached ();
  }
}

static void
print_json (const VmctlHostReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ready");
  json_builder_add_boolean_value (builder, report->ready);
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (report->results, i);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "id", result->id);
    vmctl_json_add_string_or_null (builder, "title", result->title);
    vmctl_json_add_string_or_null (builder, "status", status_json (result->status));
    vmctl_json_add_string_or_null (builder, "message", result->message);
    vmctl_json_add_string_or_null (builder, "fix", result->fix);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
print_human (const VmctlHostReport *report)
{
  g_autoptr(VmctlTable) table = vmctl_table_new (3);
  g_autofree gchar *answer = NULL;
  guint failed = 0, warnings = 0, unknown = 0;

  for (guint i = 0; i < report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (report->results, i);
    g_autofree gchar *status = status_human (result->status);

    vmctl_table_add_row (table, (const gchar *[]) { status, result->title, result->message });
    /* an unknown check's fix is the same for all: the line after the table */
    if (result->status != VMCTL_CHECK_PASS && result->status != VMCTL_CHECK_UNKNOWN
        && result->fix != NULL) {
      g_autofree gchar *fix = g_strconcat ("fix: ", result->fix, NULL);

      vmctl_table_add_note (table, fix);
    }
    failed += result->status == VMCTL_CHECK_FAIL;
    warnings += result->status == VMCTL_CHECK_WARN;
    unknown += result->status == VMCTL_CHECK_UNKNOWN;
  }
  vmctl_table_print (table);

  if (report->ready && warnings == 0)
    answer = vmctl_output_style (VMCTL_STYLE_GOOD, "yes");
  else if (report->ready)
    answer = g_strdup_printf ("%s (%u %s)", "yes", warnings,
                              warnings == 1 ? "warning" : "warnings");
  else {
    g_autofree gchar *plain = g_strdup_printf ("no: %u failed, %u %s", failed, warnings,
                                               warnings == 1 ? "warning" : "warnings");

    answer = vmctl_output_style (VMCTL_STYLE_BAD, plain);
  }
  g_print ("\nReady for GPU passthrough: %s\n", answer);
  if (unknown > 0)
    g_print ("%u check%s unknown on this remote host: run vmctl host check there for them\n",
             unknown, unknown == 1 ? "" : "s");
}

gboolean
vmctl_cmd_host_check (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlHostReport) report = NULL;

  if (!vmctl_invocation_start (invocation, NULL, host_check_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */

  report = vmctl_session_host_check (context->session);
  if (context->json)
    print_json (report);
  else
    print_human (report);
  invocation->exit_status = report->ready ? VMCTL_EXIT_SUCCESS : VMCTL_EXIT_FAILURE;
  return TRUE;
}
