/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-names.c: name rules, by hand rather than GRegex: the text may come
 * from a corrupt file and need not be valid UTF-8. */
#include "vmctl-names.h"

#include <string.h>

/* one path component made of @allowed characters (besides letters and
 * digits), never "." or ".." */
static gboolean
is_component (const gchar *text, gsize max, const gchar *allowed)
{
  gsize length;

  if (text == NULL)
    return FALSE;
  length = strlen (text);
  if (length == 0 || length > max || strcmp (text, ".") == 0 || strcmp (text, "..") == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && strchr (allowed, text[i]) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * vmctl_name_is_driver:
 *
 * Returns: TRUE when @text can be a PCI driver's name: [A-Za-z0-9_.-]+,
 * at most 64 characters, not "." or "..". The kernel's driver names
 * ("snd_hda_intel", "nvidia-gpu", "vfio-pci") fit; a name with a '/' or a
 * dot-dot would make /sys/bus/pci/drivers/NAME/bind point anywhere.
 */
gboolean
vmctl_name_is_driver (const gchar *text)
{
  return is_component (text, 64, "_.-");
}

/**
 * vmctl_name_is_vm:
 *
 * Returns: TRUE when @text is a VM name vmctl accepts:
 * ^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$, safe in file names and shells. The
 * same rule for `create` and for every name read back (journal owners,
 * the domain XML the libvirt hook gets), so that nothing libvirt alone
 * would accept reaches vmctl's state files.
 */
gboolean
vmctl_name_is_vm (const gchar *text)
{
  return is_component (text, VMCTL_NAME_VM_MAX, "._+-") && g_ascii_isalnum (text[0]);
}

/**
 * vmctl_name_is_boot_id:
 *
 * Returns: TRUE for what /proc/sys/kernel/random/boot_id holds: a UUID
 * (hexadecimal digits and dashes, 36 characters)
 */
gboolean
vmctl_name_is_boot_id (const gchar *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++) {
    gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;

    if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
      return FALSE;
  }
  return TRUE;
}
