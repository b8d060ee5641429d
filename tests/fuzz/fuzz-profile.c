/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-profile.c: profile key files (data/profiles/NAME.conf, or any file
 * a packager or user drops there): GLib's key-file parser, then every
 * value through the same parsers as the create options. */
#include "vmctl-fuzz.h"
#include "vmctl-profile-private.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_autoptr(VmctlSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return 0;
  spec = vmctl_spec_new ();
  if (vmctl_profile_apply_data (spec, "/fuzz/profiles/fuzz.conf", text, size, &error)) {
    g_assert_no_error (error);
    g_assert_cmpstr (spec->profile, ==, "fuzz");
  } else {
    g_assert_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID);
  }
  return 0;
}
