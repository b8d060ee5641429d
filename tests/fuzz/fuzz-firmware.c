/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-firmware.c: QEMU firmware descriptors (docs/interop/firmware.json)
 * as found in /usr/share/qemu/firmware, /etc/qemu/firmware and the user's
 * own directory: json-glib's parser, then vmctl's reading of the members
 * and the matching that chooses a build. */
#include "vmctl-fuzz.h"
#include "vmctl-firmware-private.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const gchar * const machines[] = { "q35", "pc", "pc-q35-7.2", "virt", NULL };
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_autoptr(VmctlFirmware) firmware = NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return 0;
  firmware = vmctl_firmware_parse_descriptor (vmctl_fuzz_host (),
                                              "/usr/share/qemu/firmware/60-fuzz.json",
                                              text, size, &error);
  if (firmware == NULL) {
    g_assert_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE);
    return 0;
  }
  /* The image a descriptor names is looked for under the host root, which
   * is empty here but for itself: a name that finds something else has
   * left the root ("/../etc/passwd"), and a host root (a fixture, the demo
   * host, another machine's tree) must hold everything vmctl reads. */
  g_assert_true (firmware->executable[0] == '/');
  if (firmware->executable_present) {
    VmctlHost *host = vmctl_fuzz_host ();
    g_autofree gchar *path = vmctl_host_path (host, firmware->executable);
    g_autofree gchar *canonical = g_canonicalize_filename (path, NULL);

    g_assert_cmpstr (canonical, ==, vmctl_host_get_root (host));
  }
  vmctl_firmware_is_uefi (firmware);
  vmctl_firmware_has_feature (firmware, "secure-boot");
  for (guint i = 0; machines[i] != NULL; i++) {
    vmctl_firmware_supports (firmware, "x86_64", machines[i]);
    vmctl_firmware_supports (firmware, NULL, machines[i]);
  }
  return 0;
}
