/* fuzz-profile.c: profile key files (data/profiles/NAME.conf, or any file
 * a packager or user drops there): GLib's key-file parser, then every
 * value through the same parsers as the create options. */
#include "vmctl-fuzz.h"
#include "vmctl-profile-private.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  vmctl_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = NULL;
  g_autoptr(VmctlSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  if (size > VMCTL_FUZZ_MAX_INPUT)
    return 0;
  text = vmctl_fuzz_text (data, size);
  spec = vmctl_spec_new ();
  if (vmctl_profile_apply_data (spec, "/fuzz/profiles/fuzz.conf", text, size, &error)) {
    g_assert_no_error (error);
    g_assert_cmpstr (spec->profile, ==, "fuzz");
  } else {
    g_assert_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID);
  }
  return 0;
}
