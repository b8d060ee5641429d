/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-parse.c: the create options, from the text the user typed to
 * the fields of a VmctlSpec. Every value is parsed whole before anything
 * is stored, and every error is one line naming the option and the value
 * ("--memory '16X': unknown suffix 'X' ..."). What depends on the host or
 * on several options together waits for vmctl_spec_finalize(). The CPU and
 * memory options are in vmctl-spec-parse-cpu-memory.c. */
#include "vmctl-spec-private.h"
#include "vmctl-spec-media-private.h"
#include "vmctl-names.h"

#include "vmctl-size.h"

#include <gio/gio.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* ---- shared helpers ------------------------------------------------------ */

/**
 * vmctl_spec_quote:
 * @text: user text for a message
 *
 * Control characters become \n, \t or \xNN and bytes that are not UTF-8
 * become \xNN, so an error message stays one readable line whatever the
 * user typed.
 *
 * Returns: (transfer full): the text, safe to print
 */
gchar *
vmctl_spec_quote (const gchar *text)
{
  GString *quoted = g_string_new (NULL);
  const gchar *p = text;

  while (*p != '\0') {
    guchar c = (guchar) *p;
    gunichar character;

    if (c == '\n') {
      g_string_append (quoted, "\\n");
    } else if (c == '\t') {
      g_string_append (quoted, "\\t");
    } else if (c < 0x20 || c == 0x7f) {
      g_string_append_printf (quoted, "\\x%02x", c);
    } else if (c < 0x80) {
      g_string_append_c (quoted, (gchar) c);
    } else {
      character = g_utf8_get_char_validated (p, -1);
      if (character == (gunichar) -1 || character == (gunichar) -2) {
        g_string_append_printf (quoted, "\\x%02x", c);
      } else {
        const gchar *next = g_utf8_next_char (p);

        g_string_append_len (quoted, p, next - p);
        p = next;
        continue;
      }
    }
    p++;
  }
  return g_string_free (quoted, FALSE);
}

/* ^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$: the VM name rule, kept in one place
 * (passthrough/vmctl-names.c) because the journal, the locks and the
 * libvirt hook check the names they read back against it too */
gboolean
vmctl_spec_name_is_safe (const gchar *text)
{
  G_STATIC_ASSERT (VMCTL_SPEC_NAME_MAX == VMCTL_NAME_VM_MAX);
  return vmctl_name_is_vm (text);
}

/* ---- value parsers (no option in the messages) --------------------------- */

/* A Linux interface name: IFNAMSIZ is 16 with the NUL, and "." and ".."
 * would be directory names under /sys/class/net. */
static gboolean
interface_name_is_valid (const gchar *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > 15 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("_.:-", name[i]) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
vmctl_spec_parse_network (const gchar *text, VmctlNetworkKind *out_kind, gchar **out_bridge,
                          GError **error)
{
  if (strcmp (text, "default") == 0) {
    *out_kind = VMCTL_NETWORK_DEFAULT;
    *out_bridge = NULL;
    return TRUE;
  }
  if (strcmp (text, "none") == 0) {
    *out_kind = VMCTL_NETWORK_NONE;
    *out_bridge = NULL;
    return TRUE;
  }
  if (g_str_has_prefix (text, "bridge=")) {
    const gchar *bridge = text + strlen ("bridge=");

    if (!interface_name_is_valid (bridge)) {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                           "the bridge must be an interface name: 1 to 15 letters, digits "
                           "and _ . : -");
      return FALSE;
    }
    *out_kind = VMCTL_NETWORK_BRIDGE;
    *out_bridge = g_strdup (bridge);
    return TRUE;
  }
  g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                       "want default, bridge=BRIDGE or none");
  return FALSE;
}

gboolean
vmctl_spec_parse_firmware (const gchar *text, VmctlFirmwareKind *out_kind, GError **error)
{
  static const VmctlFirmwareKind kinds[] = {
    VMCTL_FIRMWARE_KIND_EFI, VMCTL_FIRMWARE_KIND_EFI_SECURE, VMCTL_FIRMWARE_KIND_BIOS,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++) {
    if (strcmp (text, vmctl_firmware_kind_to_string (kinds[i])) == 0) {
      *out_kind = kinds[i];
      return TRUE;
    }
  }
  g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                       "want efi, efi-secure (UEFI with Secure Boot) or bios");
  return FALSE;
}

static gboolean
has_control_character (const gchar *text)
{
  for (const gchar *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/**
 * vmctl_spec_check_path:
 * @path: a file the user hands over (ROM, ISO, disk image), on the machine
 *   vmctl runs on: never under the host root
 * @out_absolute: (out) (transfer full): @path made absolute against the
 *   current directory, "." and ".." removed, symlinks kept
 * @out_info: (out) (optional): what stat() says of it, symlinks followed:
 *   the file type decides how a disk is given to the VM, never its name
 * @error: VMCTL_SPEC_ERROR_MISSING_FILE when it does not exist,
 *   VMCTL_SPEC_ERROR_INVALID when it is the wrong kind of file or cannot be
 *   written into libvirt's XML
 *
 * '<', '&' and quotes are fine: the XML builder escapes them. Control
 * characters are not: XML 1.0 cannot carry most of them at all, and a
 * newline in a path is a trap for every script that reads vmctl's output.
 */
gboolean
vmctl_spec_check_path (const gchar *path, VmctlSpecFileKind kind, gchar **out_absolute,
                       struct stat *out_info, GError **error)
{
  g_autofree gchar *absolute = NULL;
  g_autofree gchar *where = NULL;
  struct stat info;

  if (path[0] == '\0') {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, "empty path");
    return FALSE;
  }
  if (has_control_character (path)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "control characters (newline, tab, ...) are not allowed in paths");
    return FALSE;
  }
  if (!g_utf8_validate (path, -1, NULL)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "the path is not valid UTF-8, which libvirt's XML cannot hold");
    return FALSE;
  }

  absolute = g_canonicalize_filename (path, NULL);
  if (strcmp (absolute, path) != 0)
    where = g_strdup_printf (" (%s)", absolute);
  if (stat (absolute, &info) != 0) {
    gint saved = errno;

    if (saved == ENOENT || saved == ENOTDIR)
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_MISSING_FILE,
                   "no such file%s", where != NULL ? where : "");
    else
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_MISSING_FILE,
                   "cannot look at the file%s: %s", where != NULL ? where : "",
                   g_strerror (saved));
    return FALSE;
  }
  if (S_ISDIR (info.st_mode)) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "is a directory%s, not a file", where != NULL ? where : "");
    return FALSE;
  }
  if (!S_ISREG (info.st_mode) && !(kind == VMCTL_SPEC_FILE_OR_BLOCK && S_ISBLK (info.st_mode))) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "not a regular file%s%s", kind == VMCTL_SPEC_FILE_OR_BLOCK ? " or block device" : "",
                 where != NULL ? where : "");
    return FALSE;
  }
  *out_absolute = g_steal_pointer (&absolute);
  if (out_info != NULL)
    *out_info = info;
  return TRUE;
}

/* ---- the setters (the messages name the option) -------------------------- */

/* "--memory '16X': " before the value parser's message; always FALSE, for
 * the setter to return. */
gboolean
vmctl_spec_prefix_option (GError **error, const gchar *option, const gchar *text)
{
  g_autofree gchar *quoted = vmctl_spec_quote (text);

  g_prefix_error (error, "%s '%s': ", option, quoted);
  return FALSE;
}

/**
 * vmctl_spec_set_name:
 * @name: 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a
 *   letter or digit
 * @error: VMCTL_SPEC_ERROR_INVALID otherwise
 *
 * libvirt takes almost any name; vmctl keeps names it can put in file names,
 * shell commands and log lines without quoting.
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_name (VmctlSpec *spec, const gchar *name, GError **error)
{
  g_return_val_if_fail (spec != NULL && name != NULL, FALSE);
  if (!vmctl_spec_name_is_safe (name)) {
    g_autofree gchar *quoted = vmctl_spec_quote (name);

    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "VM name '%s': use 1 to %d letters, digits, '.', '_', '+' or '-', starting "
                 "with a letter or digit (vmctl keeps names safe for file names and shells)",
                 quoted, VMCTL_SPEC_NAME_MAX);
    return FALSE;
  }
  /* @name may be spec->name itself (vmctl_spec_finalize() checks it) */
  if (name != spec->name) {
    g_free (spec->name);
    spec->name = g_strdup (name);
  }
  return TRUE;
}

/* An address given with --gpu or --hostdev before. */
static const gchar *
already_given (const VmctlSpec *spec, const VmctlPciAddress *address)
{
  for (guint i = 0; i < spec->gpus->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (spec->gpus, VmctlSpecGpu, i).address, address))
      return "--gpu";
  for (guint i = 0; i < spec->hostdevs->len; i++)
    if (vmctl_pci_address_equal (&g_array_index (spec->hostdevs, VmctlPciAddress, i), address))
      return "--hostdev";
  return NULL;
}

static gboolean
parse_address (const VmctlSpec *spec, const gchar *text, VmctlPciAddress *out_address,
               GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gchar canonical[VMCTL_PCI_ADDRESS_STRLEN];
  const gchar *option;

  if (!vmctl_pci_address_parse (text, out_address, &local_error)) {
    /* the PCI module quotes the text itself; keep only its reason */
    const gchar *reason = strstr (local_error->message, "is not a PCI address");

    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, "%s",
                 reason != NULL ? reason + strlen ("is ") : local_error->message);
    return FALSE;
  }
  option = already_given (spec, out_address);
  if (option != NULL) {
    vmctl_pci_address_format (out_address, canonical);
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "%s is already given with %s", canonical, option);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_gpu (const VmctlSpec *spec, const gchar *text, VmctlSpecGpu *out_gpu, GError **error)
{
  const gchar *comma = strchr (text, ',');
  g_autofree gchar *address_text = g_strndup (text, comma != NULL ? (gsize) (comma - text)
                                                                  : strlen (text));
  g_autofree gchar *rom_path = NULL;
  VmctlPciAddress address;

  if (address_text[0] == '\0') {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "missing the PCI address (want ADDR or ADDR,rom=PATH)");
    return FALSE;
  }
  if (!parse_address (spec, address_text, &address, error))
    return FALSE;
  if (comma != NULL) {
    /* rom= is the only option and comes last: the path may hold commas */
    if (!g_str_has_prefix (comma + 1, "rom=")) {
      g_autofree gchar *option = g_strndup (comma + 1, strcspn (comma + 1, "=,"));
      g_autofree gchar *quoted = vmctl_spec_quote (option);

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "unknown option '%s' (want ADDR or ADDR,rom=PATH)", quoted);
      return FALSE;
    }
    if (!vmctl_spec_check_path (comma + 1 + strlen ("rom="), VMCTL_SPEC_FILE_REGULAR,
                                &rom_path, NULL, error)) {
      g_prefix_error (error, "rom: ");
      return FALSE;
    }
  }
  out_gpu->address = address;
  out_gpu->rom_path = g_steal_pointer (&rom_path);
  return TRUE;
}

/**
 * vmctl_spec_add_gpu:
 * @text: "ADDR" or "ADDR,rom=PATH" (the ROM file must exist)
 * @error: VMCTL_SPEC_ERROR_INVALID for a malformed address or option,
 *   VMCTL_SPEC_ERROR_CONFLICT when the address was given already,
 *   VMCTL_SPEC_ERROR_MISSING_FILE when the ROM file does not exist
 *
 * Whether the device exists and can be passed through is the plan's
 * business (vmctl_plan_compute()).
 *
 * Returns: TRUE when added, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_add_gpu (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlSpecGpu gpu = { 0 };

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!parse_gpu (spec, text, &gpu, error))
    return vmctl_spec_prefix_option (error, "--gpu", text);
  g_array_append_val (spec->gpus, gpu);
  return TRUE;
}

/**
 * vmctl_spec_add_hostdev:
 * @text: a PCI address, any function
 * @error: VMCTL_SPEC_ERROR_INVALID or VMCTL_SPEC_ERROR_CONFLICT (given twice)
 *
 * Returns: TRUE when added, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_add_hostdev (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlPciAddress address;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!parse_address (spec, text, &address, error))
    return vmctl_spec_prefix_option (error, "--hostdev", text);
  g_array_append_val (spec->hostdevs, address);
  return TRUE;
}

/* The format of an existing image: QEMU's qcow2 magic, else raw. Block
 * devices are raw; an unreadable file is judged by its name. */
static gchar *
detect_format (const gchar *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  guchar magic[4] = { 0 };
  gsize read = 0;

  if (stream != NULL
      && g_input_stream_read_all (G_INPUT_STREAM (stream), magic, sizeof magic, &read, NULL, NULL)
      && read == sizeof magic)
    return g_strdup (memcmp (magic, "QFI\xfb", 4) == 0 ? "qcow2" : "raw");
  return g_strdup (g_str_has_suffix (path, ".qcow2") ? "qcow2" : "raw");
}

static gboolean
parse_new_volume (const gchar *text, VmctlSpecDisk *disk, GError **error)
{
  g_auto(GStrv) options = g_strsplit (text, ",", -1);
  g_autoptr(GError) local_error = NULL;
  gboolean have_size = FALSE;

  for (guint i = 0; options[i] != NULL; i++) {
    const gchar *option = options[i];

    if (g_str_has_prefix (option, "size=")) {
      if (have_size) {
        g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                             "size= is given twice");
        return FALSE;
      }
      if (!vmctl_size_parse (option + strlen ("size="), &disk->size_bytes, &local_error)) {
        g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, "size: %s",
                     local_error->message);
        return FALSE;
      }
      if (disk->size_bytes < (G_GUINT64_CONSTANT (1) << 20)) {
        g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                             "size: a disk needs at least 1 MiB");
        return FALSE;
      }
      have_size = TRUE;
    } else if (g_str_has_prefix (option, "pool=")) {
      const gchar *pool = option + strlen ("pool=");

      if (disk->pool != NULL) {
        g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                             "pool= is given twice");
        return FALSE;
      }
      if (!vmctl_spec_name_is_safe (pool)) {
        g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                     "pool: use 1 to %d letters, digits, '.', '_', '+' or '-', starting with "
                     "a letter or digit", VMCTL_SPEC_NAME_MAX);
        return FALSE;
      }
      disk->pool = g_strdup (pool);
    } else {
      g_autofree gchar *name = g_strndup (option, strcspn (option, "="));
      g_autofree gchar *quoted = vmctl_spec_quote (name);

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "unknown option '%s' (want PATH or size=SIZE[,pool=NAME])", quoted);
      return FALSE;
    }
  }
  if (!have_size) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "a new volume needs size=SIZE (want PATH or size=SIZE[,pool=NAME])");
    return FALSE;
  }
  if (disk->pool == NULL)
    disk->pool = g_strdup ("default");
  disk->format = g_strdup ("qcow2");
  return TRUE;
}

static gboolean
parse_disk (const VmctlSpec *spec, const gchar *text, VmctlSpecDisk *disk, GError **error)
{
  /* a file really named "size=..." can be given as ./size=... */
  if (g_str_has_prefix (text, "size=") || g_str_has_prefix (text, "pool="))
    return parse_new_volume (text, disk, error);

  disk->path = g_strdup (text);
  if (!vmctl_spec_disk_settle_path (disk, NULL, error))
    return FALSE;
  for (guint i = 0; i < spec->disks->len; i++) {
    const VmctlSpecDisk *other = g_ptr_array_index (spec->disks, i);

    if (g_strcmp0 (other->path, disk->path) == 0) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "%s is already given with --disk", disk->path);
      return FALSE;
    }
  }
  disk->format = detect_format (disk->path);
  return TRUE;
}

/**
 * vmctl_spec_add_disk:
 * @text: PATH of an existing image or block device, or size=SIZE[,pool=NAME]
 *   for a volume to create (in pool "default" unless named)
 * @error: VMCTL_SPEC_ERROR_INVALID, VMCTL_SPEC_ERROR_MISSING_FILE, or
 *   VMCTL_SPEC_ERROR_CONFLICT when the same path is given twice
 *
 * Returns: TRUE when added, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_add_disk (VmctlSpec *spec, const gchar *text, GError **error)
{
  g_autoptr(VmctlSpecDisk) disk = g_new0 (VmctlSpecDisk, 1);
  g_autofree gchar *rest = NULL;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!vmctl_spec_disk_take_options (text, &rest, &disk->bus, &disk->cache, error)
      || !parse_disk (spec, rest, disk, error))
    return vmctl_spec_prefix_option (error, "--disk", text);
  g_ptr_array_add (spec->disks, g_steal_pointer (&disk));
  return TRUE;
}

/**
 * vmctl_spec_set_cdrom:
 * @path: an ISO image or a block device (/dev/sr0), on this machine
 * @error: VMCTL_SPEC_ERROR_MISSING_FILE or VMCTL_SPEC_ERROR_INVALID
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_cdrom (VmctlSpec *spec, const gchar *path, GError **error)
{
  g_autofree gchar *absolute = NULL;

  g_return_val_if_fail (spec != NULL && path != NULL, FALSE);
  if (!vmctl_spec_check_path (path, VMCTL_SPEC_FILE_OR_BLOCK, &absolute, NULL, error))
    return vmctl_spec_prefix_option (error, "--cdrom", path);
  g_free (spec->cdrom);
  spec->cdrom = g_steal_pointer (&absolute);
  return TRUE;
}

/**
 * vmctl_spec_set_network:
 * @text: "default" (libvirt's NAT network), "bridge=BR" or "none"
 * @error: VMCTL_SPEC_ERROR_INVALID
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_network (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlNetworkKind kind;
  gchar *bridge = NULL;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!vmctl_spec_parse_network (text, &kind, &bridge, error))
    return vmctl_spec_prefix_option (error, "--network", text);
  spec->network = kind;
  g_free (spec->bridge);
  spec->bridge = bridge;
  return TRUE;
}

/**
 * vmctl_spec_set_firmware:
 * @text: "efi", "efi-secure" or "bios"
 * @error: VMCTL_SPEC_ERROR_INVALID
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_firmware (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlFirmwareKind kind;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!vmctl_spec_parse_firmware (text, &kind, error))
    return vmctl_spec_prefix_option (error, "--firmware", text);
  spec->firmware = kind;
  return TRUE;
}

/**
 * vmctl_spec_set_virt_type:
 * @text: "kvm" or "qemu" (TCG emulation)
 * @error: VMCTL_SPEC_ERROR_INVALID
 *
 * Returns: TRUE when set, FALSE with @error (the spec unchanged)
 */
gboolean
vmctl_spec_set_virt_type (VmctlSpec *spec, const gchar *text, GError **error)
{
  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (strcmp (text, "kvm") == 0) {
    spec->virt_type = VMCTL_VIRT_TYPE_KVM;
  } else if (strcmp (text, "qemu") == 0) {
    spec->virt_type = VMCTL_VIRT_TYPE_QEMU;
  } else {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "want kvm or qemu (software emulation)");
    return vmctl_spec_prefix_option (error, "--virt-type", text);
  }
  spec->virt_type_given = TRUE;
  return TRUE;
}
