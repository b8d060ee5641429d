/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-desk.c: the create options of issue 12 (--input,
 * --input-toggle, --usb, --looking-glass, --audio) and the profile's
 * audio key, parsed into spec->desk. What depends on the host is settled
 * later, in vmctl-spec-desk-host.c. */
#include "vmctl-spec-desk.h"

#include "vmctl-profile.h"
#include "vmctl-spec-private.h"

#include <string.h>

static void
spec_input_free (VmctlSpecInput *input)
{
  g_free (input->path);
  g_free (input);
}

static void
spec_usb_free (VmctlSpecUsb *usb)
{
  vmctl_usb_selector_clear (&usb->selector);
  g_free (usb->port);
  g_free (usb->description);
  g_free (usb);
}

void
vmctl_spec_desk_free (VmctlSpecDesk *desk)
{
  if (desk == NULL)
    return;
  g_clear_pointer (&desk->inputs, g_ptr_array_unref);
  g_free (desk->input_toggle);
  g_clear_pointer (&desk->usb, g_ptr_array_unref);
  g_free (desk->audio_runtime_dir);
  g_free (desk);
}

/**
 * vmctl_spec_desk_get:
 *
 * Returns: (transfer none): spec->desk, made empty (no input, no USB, no
 *   Looking Glass, no audio) on first use
 */
VmctlSpecDesk *
vmctl_spec_desk_get (VmctlSpec *spec)
{
  if (spec->desk == NULL) {
    spec->desk = g_new0 (VmctlSpecDesk, 1);
    spec->desk->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) spec_input_free);
    spec->desk->usb = g_ptr_array_new_with_free_func ((GDestroyNotify) spec_usb_free);
    spec->desk->audio = VMCTL_AUDIO_NONE;
  }
  return spec->desk;
}

/* a passthrough module's error, as the spec reports bad input */
static gboolean
invalid (GError **error, GError *local_error)
{
  g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, local_error->message);
  g_error_free (local_error);
  return FALSE;
}

/**
 * vmctl_spec_add_input:
 * @text: "evdev=/dev/input/by-id/NAME" or "auto"
 * @error: VMCTL_SPEC_ERROR_INVALID for another form or path,
 *   VMCTL_SPEC_ERROR_CONFLICT for a device given twice or auto twice
 */
gboolean
vmctl_spec_add_input (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlSpecDesk *desk = vmctl_spec_desk_get (spec);
  GError *local_error = NULL;
  VmctlSpecInput *input;
  const gchar *path;

  if (strcmp (text, "auto") == 0) {
    if (desk->input_auto) {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                           "--input 'auto': given twice");
      return FALSE;
    }
    desk->input_auto = TRUE;
    return TRUE;
  }
  if (!g_str_has_prefix (text, "evdev=")) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "want evdev=/dev/input/by-id/NAME or auto");
    return vmctl_spec_prefix_option (error, "--input", text);
  }
  path = text + strlen ("evdev=");
  if (!vmctl_input_check_path (path, &local_error)) {
    invalid (error, local_error);
    return vmctl_spec_prefix_option (error, "--input", text);
  }
  for (guint i = 0; i < desk->inputs->len; i++)
    if (strcmp (((VmctlSpecInput *) g_ptr_array_index (desk->inputs, i))->path, path) == 0) {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT, "given twice");
      return vmctl_spec_prefix_option (error, "--input", text);
    }
  input = g_new0 (VmctlSpecInput, 1);
  input->path = g_strdup (path);
  input->kind = vmctl_input_kind_from_name (path);
  g_ptr_array_add (desk->inputs, input);
  return TRUE;
}

/**
 * vmctl_spec_set_input_toggle:
 * @text: the keys that move the grabbed keyboard and mouse between host
 *   and guest, as libvirt spells grabToggle
 */
gboolean
vmctl_spec_set_input_toggle (VmctlSpec *spec, const gchar *text, GError **error)
{
  static const gchar * const toggles[] = {
    "ctrl-ctrl", "alt-alt", "shift-shift", "meta-meta", "scrolllock", "ctrl-scrolllock", NULL,
  };
  VmctlSpecDesk *desk = vmctl_spec_desk_get (spec);

  if (!g_strv_contains (toggles, text)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "want ctrl-ctrl, alt-alt, shift-shift, meta-meta, scrolllock or "
                         "ctrl-scrolllock");
    return vmctl_spec_prefix_option (error, "--input-toggle", text);
  }
  g_free (desk->input_toggle);
  desk->input_toggle = g_strdup (text);
  return TRUE;
}

/**
 * vmctl_spec_add_usb:
 * @text: VENDOR:PRODUCT or BUS-PORT (vmctl_usb_selector_parse())
 */
gboolean
vmctl_spec_add_usb (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlSpecDesk *desk = vmctl_spec_desk_get (spec);
  g_auto(VmctlUsbSelector) selector = { 0 };
  GError *local_error = NULL;
  g_autofree gchar *canonical = NULL;
  VmctlSpecUsb *usb;

  if (!vmctl_usb_selector_parse (text, &selector, &local_error)) {
    invalid (error, local_error);
    return vmctl_spec_prefix_option (error, "--usb", text);
  }
  canonical = vmctl_usb_selector_to_string (&selector);
  for (guint i = 0; i < desk->usb->len; i++) {
    g_autofree gchar *other =
      vmctl_usb_selector_to_string (&((VmctlSpecUsb *) g_ptr_array_index (desk->usb, i))->selector);

    if (strcmp (other, canonical) == 0) {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT, "given twice");
      return vmctl_spec_prefix_option (error, "--usb", text);
    }
  }
  usb = g_new0 (VmctlSpecUsb, 1);
  usb->selector = selector;
  selector.port = NULL;
  g_ptr_array_add (desk->usb, usb);
  return TRUE;
}

/**
 * vmctl_looking_glass_size_mib:
 *
 * The IVSHMEM size Looking Glass's documentation ("Determining memory")
 * asks for: two frames of WIDTH x HEIGHT at 4 bytes per pixel (8 for
 * HDR), plus 10 MiB, rounded up to a power of two: 32 MiB for 1920x1080,
 * 64 MiB for 2560x1440, 128 MiB for 3840x2160. Too little and the client
 * cuts off the bottom of the screen.
 *
 * Returns: MiB
 */
guint
vmctl_looking_glass_size_mib (guint width, guint height, gboolean hdr)
{
  guint64 bytes = (guint64) width * height * (hdr ? 8 : 4) * 2 + (G_GUINT64_CONSTANT (10) << 20);
  guint64 mib = (bytes + (1 << 20) - 1) >> 20;
  guint size = 1;

  while (size < mib)
    size <<= 1;
  return size;
}

/* 8K HDR: 1 GiB. More is no screen Looking Glass captures */
#define LOOKING_GLASS_MAX_MIB 1024

/**
 * vmctl_spec_set_looking_glass:
 * @text: "" for the default 1920x1080, or "WxH" or "WxH,hdr"
 */
gboolean
vmctl_spec_set_looking_glass (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlSpecDesk *desk = vmctl_spec_desk_get (spec);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("^([1-9][0-9]{2,4})x([1-9][0-9]{2,4})(,hdr)?$",
                                         G_REGEX_DOLLAR_ENDONLY, 0, NULL);
  guint width = VMCTL_LOOKING_GLASS_DEFAULT_WIDTH;
  guint height = VMCTL_LOOKING_GLASS_DEFAULT_HEIGHT;
  gboolean hdr = FALSE;

  if (text[0] != '\0') {
    g_autofree gchar *width_text = NULL;
    g_autofree gchar *height_text = NULL;
    g_autofree gchar *hdr_text = NULL;

    if (!g_regex_match (regex, text, 0, &match)) {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                           "want WIDTHxHEIGHT, optionally followed by ,hdr (2560x1440, "
                           "3840x2160,hdr)");
      return vmctl_spec_prefix_option (error, "--looking-glass", text);
    }
    width_text = g_match_info_fetch (match, 1);
    height_text = g_match_info_fetch (match, 2);
    hdr_text = g_match_info_fetch (match, 3);
    width = (guint) g_ascii_strtoull (width_text, NULL, 10);
    height = (guint) g_ascii_strtoull (height_text, NULL, 10);
    hdr = hdr_text != NULL && hdr_text[0] != '\0';
  }
  if (width > 16384 || height > 16384 || width < 320 || height < 200
      || vmctl_looking_glass_size_mib (width, height, hdr) > LOOKING_GLASS_MAX_MIB) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "%ux%u is no screen Looking Glass captures (320x200 up to 7680x4320 HDR, "
                 "at most %d MiB of shared memory)", width, height, LOOKING_GLASS_MAX_MIB);
    return vmctl_spec_prefix_option (error, "--looking-glass", text);
  }
  desk->looking_glass_width = width;
  desk->looking_glass_height = height;
  desk->looking_glass_hdr = hdr;
  desk->looking_glass_mib = vmctl_looking_glass_size_mib (width, height, hdr);
  return TRUE;
}

static const struct {
  VmctlAudioBackend backend;
  const gchar *name;
} audio_names[] = {
  { VMCTL_AUDIO_AUTO, "auto" },
  { VMCTL_AUDIO_NONE, "none" },
  { VMCTL_AUDIO_PULSEAUDIO, "pulseaudio" },
  { VMCTL_AUDIO_PIPEWIRE, "pipewire" },
  { VMCTL_AUDIO_JACK, "jack" },
  { VMCTL_AUDIO_SPICE, "spice" },
};

/**
 * vmctl_audio_backend_to_string:
 * Returns: (transfer none): the option's spelling, libvirt's <audio type>
 *   for the real backends; stored in the metadata
 */
const gchar *
vmctl_audio_backend_to_string (VmctlAudioBackend backend)
{
  for (gsize i = 0; i < G_N_ELEMENTS (audio_names); i++)
    if (audio_names[i].backend == backend)
      return audio_names[i].name;
  return "none";
}

static gboolean
parse_audio (const gchar *text, gboolean allow_auto, VmctlAudioBackend *out_backend)
{
  for (gsize i = 0; i < G_N_ELEMENTS (audio_names); i++)
    if (strcmp (audio_names[i].name, text) == 0
        && (allow_auto || audio_names[i].backend != VMCTL_AUDIO_AUTO)) {
      *out_backend = audio_names[i].backend;
      return TRUE;
    }
  return FALSE;
}

/**
 * vmctl_spec_set_audio:
 * @text: pulseaudio, pipewire, jack, spice or none
 */
gboolean
vmctl_spec_set_audio (VmctlSpec *spec, const gchar *text, GError **error)
{
  VmctlSpecDesk *desk = vmctl_spec_desk_get (spec);
  VmctlAudioBackend backend;

  if (!parse_audio (text, FALSE, &backend)) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "want pulseaudio, pipewire, jack, spice or none");
    return vmctl_spec_prefix_option (error, "--audio", text);
  }
  desk->audio = backend;
  desk->audio_given = TRUE;
  return TRUE;
}

/**
 * vmctl_profile_apply_audio:
 *
 * The profile key [devices] audio: the backends of --audio, or auto (what
 * the host has: vmctl_spec_desk_finalize()).
 */
gboolean
vmctl_profile_apply_audio (VmctlSpec *spec, const gchar *value, GError **error)
{
  VmctlAudioBackend backend;

  if (!parse_audio (value, TRUE, &backend)) {
    g_set_error_literal (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID,
                         "want auto, pulseaudio, pipewire, jack, spice or none");
    return FALSE;
  }
  if (backend == VMCTL_AUDIO_NONE && spec->desk == NULL)
    return TRUE;
  vmctl_spec_desk_get (spec)->audio = backend;
  return TRUE;
}

static gboolean
apply_each (VmctlSpec *spec, gboolean (*add) (VmctlSpec *, const gchar *, GError **),
            gchar **values, GError **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!add (spec, values[i], error))
      return FALSE;
  return TRUE;
}

/* a single-valued option: applied when given once, an error when twice */
static gboolean
apply_single (VmctlSpec *spec, gboolean (*set) (VmctlSpec *, const gchar *, GError **),
              const gchar *option, gchar **values, GError **error)
{
  guint count = values != NULL ? g_strv_length (values) : 0;

  if (count > 1) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT, "%s given twice", option);
    return FALSE;
  }
  return count == 0 || set (spec, values[0], error);
}

/**
 * vmctl_spec_apply_desk_options:
 * @error: VMCTL_SPEC_ERROR_INVALID for a bad value, VMCTL_SPEC_ERROR_CONFLICT
 *   for a single-valued option given twice or --input-toggle without
 *   --input
 *
 * The issue 12 create options onto @spec, in the order the contract
 * lists them, so the first bad one is the one reported.
 */
gboolean
vmctl_spec_apply_desk_options (VmctlSpec *spec, const VmctlSpecDeskOptions *options,
                               GError **error)
{
  g_return_val_if_fail (spec != NULL && options != NULL, FALSE);

  if (!apply_each (spec, vmctl_spec_add_input, options->inputs, error)
      || !apply_single (spec, vmctl_spec_set_input_toggle, "--input-toggle",
                        options->input_toggles, error)
      || !apply_each (spec, vmctl_spec_add_usb, options->usb, error)
      || !apply_single (spec, vmctl_spec_set_looking_glass, "--looking-glass",
                        options->looking_glass, error)
      || !apply_single (spec, vmctl_spec_set_audio, "--audio", options->audios, error))
    return FALSE;
  if (options->input_toggles != NULL && options->input_toggles[0] != NULL
      && spec->desk->inputs->len == 0 && !spec->desk->input_auto) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                         "--input-toggle needs --input evdev=PATH or --input auto");
    return FALSE;
  }
  return TRUE;
}
