/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-desk-host.c: spec->desk against the host that will run the
 * VM: USB devices found in its sysfs (by id or port), evdev paths found
 * in its /dev/input/by-id (and --input auto's pick), Looking Glass on
 * /dev/shm or the kvmfr module, the sound backend its libvirt and QEMU
 * offer, and a note for everything the user still has to allow. */
#include "vmctl-spec-desk.h"

#include "vmctl-host-facts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libvirt and QEMU versions the features need (libvirt's news.rst,
 * QEMU's changelog): <input type='evdev'> 7.4, grabToggle 7.6,
 * <audio type='pipewire'> 9.10 on QEMU 8.1 */
#define EVDEV_LIBVIRT 7004000u
#define TOGGLE_LIBVIRT 7006000u
#define PIPEWIRE_LIBVIRT 9010000u
#define PIPEWIRE_QEMU 8001000u

/**
 * vmctl_version_number:
 * @text: (nullable): "9.0.0", or "QEMU 7.2.22" (the first number counts)
 *
 * Returns: 9000000 / 7002022, for comparing; 0 when unknown
 */
guint
vmctl_version_number (const gchar *text)
{
  const gchar *p = text;
  guint parts[3] = { 0, 0, 0 };

  if (text == NULL)
    return 0;
  while (*p != '\0' && !g_ascii_isdigit (*p))
    p++;
  for (guint i = 0; i < 3 && g_ascii_isdigit (*p); i++) {
    gchar *end = NULL;

    parts[i] = (guint) MIN (g_ascii_strtoull (p, &end, 10), 999);
    p = end;
    if (*p == '.')
      p++;
  }
  return parts[0] * 1000000 + parts[1] * 1000 + parts[2];
}

/* ---- the desktop user ------------------------------------------------- */

/* The user whose sound server and Looking Glass client the VM serves: the
 * one who ran sudo, else the one user under /run/user with a sound
 * server socket, else the caller when not root. Under another host root
 * (a snapshot, a fixture) only its /run/user counts. */
static gboolean
desktop_uid (VmctlHost *host, guint *out_uid)
{
  const gchar *sudo_uid = g_getenv ("SUDO_UID");
  g_autofree gchar *run_user = NULL;
  g_autoptr(GDir) dir = NULL;
  guint64 value = 0;
  guint found = 0, count = 0;
  const gchar *name;

  /* a remote host's users are not this machine's */
  if (host == NULL)
    return FALSE;
  /* this machine's users name nobody under another host root */
  if (vmctl_host_is_real (host) && sudo_uid != NULL
      && g_ascii_string_to_unsigned (sudo_uid, 10, 1, G_MAXUINT32, &value, NULL)) {
    *out_uid = (guint) value;
    return TRUE;
  }
  run_user = vmctl_host_path (host, "/run/user");
  dir = g_dir_open (run_user, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *pulse = NULL;
    g_autofree gchar *pipewire = NULL;

    if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT32, &value, NULL))
      continue;
    pulse = g_strdup_printf ("/run/user/%s/pulse/native", name);
    pipewire = g_strdup_printf ("/run/user/%s/pipewire-0", name);
    if (vmctl_host_exists (host, pulse) || vmctl_host_exists (host, pipewire)) {
      found = (guint) value;
      count++;
    }
  }
  if (count == 1) {
    *out_uid = found;
    return TRUE;
  }
  if (vmctl_host_is_real (host) && getuid () != 0) {
    *out_uid = getuid ();
    return TRUE;
  }
  return FALSE;
}

/* The user's name from the host's /etc/passwd; "USER" when not found */
static gchar *
user_name (VmctlHost *host, gboolean known, guint uid)
{
  g_autofree gchar *passwd = NULL;
  g_auto(GStrv) lines = NULL;

  if (!known || host == NULL || !vmctl_host_read (host, "/etc/passwd", &passwd, NULL, NULL))
    return g_strdup ("USER");
  lines = g_strsplit (passwd, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit (lines[i], ":", 4);

    if (g_strv_length (fields) >= 3 && g_ascii_strtoull (fields[2], NULL, 10) == uid
        && g_regex_match_simple ("^[a-z_][a-z0-9_.-]{0,31}$", fields[0], 0, 0))
      return g_strdup (fields[0]);
  }
  return g_strdup ("USER");
}

/* ---- USB ---------------------------------------------------------------- */

static gboolean
usb_failed (GError **error, gint code, GError *local_error, const VmctlSpecUsb *usb)
{
  g_autofree gchar *text = vmctl_usb_selector_to_string (&usb->selector);

  g_set_error (error, VMCTL_SPEC_ERROR, code, "--usb '%s': %s", text, local_error->message);
  g_error_free (local_error);
  return FALSE;
}

static gboolean
settle_usb_remote (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  for (guint i = 0; i < spec->desk->usb->len; i++) {
    VmctlSpecUsb *usb = g_ptr_array_index (spec->desk->usb, i);
    g_autofree gchar *text = vmctl_usb_selector_to_string (&usb->selector);

    if (usb->selector.by_port) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "--usb '%s': a port can be named only on a host whose sysfs vmctl reads "
                   "(this one, or --host-root); %s give VENDOR:PRODUCT", text, facts->where);
      return FALSE;
    }
    usb->vendor_id = usb->selector.vendor_id;
    usb->product_id = usb->selector.product_id;
    vmctl_spec_add_note (spec, "--usb %s is not checked: vmctl cannot see the USB devices %s",
                         text, facts->where);
  }
  return TRUE;
}

static gboolean
settle_usb (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  g_autoptr(VmctlUsbTopology) topology = NULL;
  GPtrArray *usbs = spec->desk->usb;

  if (usbs->len == 0)
    return TRUE;
  if (facts->host == NULL)
    return settle_usb_remote (spec, facts, error);
  topology = vmctl_usb_topology_read (facts->host, error);
  if (topology == NULL)
    return FALSE;
  for (guint i = 0; i < usbs->len; i++) {
    VmctlSpecUsb *usb = g_ptr_array_index (usbs, i);
    GError *local_error = NULL;
    const VmctlUsbDevice *device = vmctl_usb_topology_find (topology, &usb->selector, &local_error);

    if (device == NULL)
      return usb_failed (error, g_error_matches (local_error, VMCTL_USB_ERROR,
                                                 VMCTL_USB_ERROR_AMBIGUOUS)
                                ? VMCTL_SPEC_ERROR_CONFLICT : VMCTL_SPEC_ERROR_INVALID,
                         local_error, usb);
    if (device->device_class == VMCTL_USB_CLASS_HUB) {
      local_error = g_error_new (VMCTL_USB_ERROR, VMCTL_USB_ERROR_INVALID,
                                 "%s is a USB hub, which QEMU cannot pass on: give the devices "
                                 "behind it, or the whole controller with --hostdev",
                                 device->name);
      return usb_failed (error, VMCTL_SPEC_ERROR_INVALID, local_error, usb);
    }
    for (guint j = 0; j < i; j++) {
      const VmctlSpecUsb *other = g_ptr_array_index (usbs, j);

      if (other->bus == device->bus && g_strcmp0 (other->port, device->port) == 0) {
        local_error = g_error_new (VMCTL_USB_ERROR, VMCTL_USB_ERROR_INVALID,
                                   "the same device as an earlier --usb (%s)", device->name);
        return usb_failed (error, VMCTL_SPEC_ERROR_CONFLICT, local_error, usb);
      }
    }
    usb->resolved = TRUE;
    usb->vendor_id = device->vendor_id;
    usb->product_id = device->product_id;
    usb->bus = device->bus;
    usb->devnum = device->devnum;
    usb->port = g_strdup (device->port);
    usb->description = vmctl_usb_device_describe (device);
  }
  return TRUE;
}

/* ---- keyboard and mouse ------------------------------------------------- */

static gboolean
passed_whole (const VmctlSpecDesk *desk, const VmctlInputDevice *device)
{
  for (guint i = 0; device->usb_device != NULL && i < desk->usb->len; i++) {
    const VmctlSpecUsb *usb = g_ptr_array_index (desk->usb, i);
    g_autofree gchar *name = usb->resolved ? g_strdup_printf ("%u-%s", usb->bus, usb->port) : NULL;

    if (g_strcmp0 (name, device->usb_device) == 0)
      return TRUE;
  }
  return FALSE;
}

static const VmctlInputDevice *
find_input (GPtrArray *devices, const gchar *path)
{
  for (guint i = 0; i < devices->len; i++) {
    const VmctlInputDevice *device = g_ptr_array_index (devices, i);

    if (strcmp (device->path, path) == 0)
      return device;
  }
  return NULL;
}

static gboolean
check_given_inputs (VmctlSpec *spec, GPtrArray *devices, GError **error)
{
  for (guint i = 0; i < spec->desk->inputs->len; i++) {
    VmctlSpecInput *input = g_ptr_array_index (spec->desk->inputs, i);
    const VmctlInputDevice *device = find_input (devices, input->path);

    if (device == NULL || !device->exists) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_MISSING_FILE,
                   "--input 'evdev=%s': %s (the devices there now: vmctl input list)",
                   input->path, device == NULL ? "no such device" : "its event node is gone");
      return FALSE;
    }
    if (passed_whole (spec->desk, device)) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "--input 'evdev=%s': it belongs to USB device %s, which --usb gives to "
                   "the guest whole", input->path, device->usb_device);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
already_given (const VmctlSpecDesk *desk, const gchar *path)
{
  for (guint i = 0; i < desk->inputs->len; i++)
    if (strcmp (((VmctlSpecInput *) g_ptr_array_index (desk->inputs, i))->path, path) == 0)
      return TRUE;
  return FALSE;
}

/* --input auto: every keyboard and mouse there now that no --usb takes
 * whole and no --input names already */
static gboolean
pick_inputs (VmctlSpec *spec, GPtrArray *devices, VmctlHostFacts *facts, GError **error)
{
  g_autoptr(GPtrArray) picked = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *list = NULL;

  for (guint i = 0; i < devices->len; i++) {
    const VmctlInputDevice *device = g_ptr_array_index (devices, i);
    VmctlSpecInput *input;

    if ((device->kind != VMCTL_INPUT_KEYBOARD && device->kind != VMCTL_INPUT_MOUSE)
        || !device->exists || passed_whole (spec->desk, device)
        || already_given (spec->desk, device->path))
      continue;
    input = g_new0 (VmctlSpecInput, 1);
    input->path = g_strdup (device->path);
    input->kind = device->kind;
    input->picked = TRUE;
    g_ptr_array_add (spec->desk->inputs, input);
    g_ptr_array_add (picked, g_strdup_printf ("%s %s", vmctl_input_kind_to_string (device->kind),
                                              device->path));
  }
  if (picked->len == 0) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_MISSING_FILE,
                 "--input 'auto': no keyboard or mouse in %s %s (that --usb does not take "
                 "whole): see vmctl input list", VMCTL_INPUT_BY_ID, facts->where);
    return FALSE;
  }
  g_ptr_array_add (picked, NULL);
  list = g_strjoinv (", ", (gchar **) picked->pdata);
  vmctl_spec_add_note (spec, "--input auto picked %s", list);
  return TRUE;
}

static gboolean
settle_inputs (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  VmctlSpecDesk *desk = spec->desk;
  g_autoptr(GPtrArray) devices = NULL;
  guint libvirt = vmctl_version_number (facts->libvirt_version);
  gboolean keyboard = FALSE;

  if (desk->inputs->len == 0 && !desk->input_auto)
    return TRUE;
  if (libvirt != 0 && libvirt < EVDEV_LIBVIRT) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "--input: libvirt %s %s has no <input type='evdev'> (7.4 and later)",
                 facts->libvirt_version, facts->where);
    return FALSE;
  }
  if (facts->host == NULL) {
    if (desk->input_auto) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "--input 'auto' reads the host's %s, which vmctl cannot see %s: give "
                   "--input evdev=PATH", VMCTL_INPUT_BY_ID, facts->where);
      return FALSE;
    }
    vmctl_spec_add_note (spec, "the --input devices are not checked: vmctl cannot see %s %s",
                         VMCTL_INPUT_BY_ID, facts->where);
  } else {
    devices = vmctl_input_list (facts->host, error);
    if (devices == NULL || !check_given_inputs (spec, devices, error)
        || (desk->input_auto && !pick_inputs (spec, devices, facts, error)))
      return FALSE;
  }
  for (guint i = 0; i < desk->inputs->len; i++)
    keyboard |= ((VmctlSpecInput *) g_ptr_array_index (desk->inputs, i))->kind
                == VMCTL_INPUT_KEYBOARD;
  if (libvirt != 0 && libvirt < TOGGLE_LIBVIRT) {
    if (desk->input_toggle != NULL)
      vmctl_spec_add_note (spec, "libvirt %s %s cannot change the grab keys (7.6 and later): "
                           "--input-toggle is left out, both Ctrl keys switch",
                           facts->libvirt_version, facts->where);
    g_clear_pointer (&desk->input_toggle, g_free);
    desk->input_toggle_unsupported = TRUE;
  }
  if (keyboard)
    vmctl_spec_add_note (spec, "the guest takes the evdev keyboard and mouse when it starts; "
                         "press %s to switch them between host and guest",
                         desk->input_toggle != NULL ? desk->input_toggle
                                                    : VMCTL_INPUT_TOGGLE_DEFAULT " (both Ctrl keys)");
  else
    vmctl_spec_add_note (spec, "no evdev keyboard: the grab toggle is a keyboard's, so the "
                         "mouse stays with the guest while it runs");
  vmctl_spec_add_note (spec, "QEMU opens the event devices itself: libvirt adds each to the "
                       "VM's device cgroup and labels it for QEMU (DAC, SELinux; AppArmor "
                       "through virt-aa-helper), so nothing goes into cgroup_device_acl; with "
                       "dynamic_ownership = 0 in /etc/libvirt/qemu.conf QEMU's user must be in "
                       "the input group (vmctl host check looks)");
  return TRUE;
}

/* ---- Looking Glass ------------------------------------------------------ */

/* the first size of kvmfr's static_size_mb ("128" or "128,64"), which
 * /dev/kvmfr0 has; 0 when the module is not loaded or has none */
static guint
kvmfr_size_mib (VmctlHost *host)
{
  g_autofree gchar *sizes = NULL;
  guint64 value = 0;

  if (host == NULL || !vmctl_host_is_directory (host, "/sys/module/kvmfr"))
    return 0;
  sizes = vmctl_host_read_line (host, "/sys/module/kvmfr/parameters/static_size_mb", NULL);
  if (sizes == NULL)
    return 0;
  sizes[strcspn (sizes, ",")] = '\0';
  if (!g_ascii_string_to_unsigned (sizes, 10, 1, G_MAXUINT32, &value, NULL))
    return 0;
  return (guint) value;
}

static void
settle_looking_glass (VmctlSpec *spec, VmctlHostFacts *facts, const gchar *user)
{
  VmctlSpecDesk *desk = spec->desk;
  guint kvmfr = kvmfr_size_mib (facts->host);

  if (desk->looking_glass_width == 0)
    return;
  if (kvmfr >= desk->looking_glass_mib) {
    desk->looking_glass_kvmfr = TRUE;
    vmctl_spec_add_note (spec, "Looking Glass: %u MiB for %ux%u%s through %s (the kvmfr module "
                         "is loaded with static_size_mb=%u). The client needs the device: "
                         "SUBSYSTEM==\"kvmfr\", OWNER=\"%s\", GROUP=\"kvm\", MODE=\"0660\" in "
                         "/etc/udev/rules.d/99-kvmfr.rules; QEMU needs it in cgroup_device_acl "
                         "in /etc/libvirt/qemu.conf (and '%s rw,' in "
                         "/etc/apparmor.d/local/abstractions/libvirt-qemu under AppArmor)",
                         desk->looking_glass_mib, desk->looking_glass_width,
                         desk->looking_glass_height, desk->looking_glass_hdr ? " HDR" : "",
                         VMCTL_LOOKING_GLASS_KVMFR, kvmfr, user, VMCTL_LOOKING_GLASS_KVMFR);
  } else {
    if (kvmfr > 0)
      vmctl_spec_add_note (spec, "Looking Glass: the kvmfr module's %u MiB are less than the "
                           "%u MiB needed (options kvmfr static_size_mb=%u in "
                           "/etc/modprobe.d/kvmfr.conf): using %s", kvmfr,
                           desk->looking_glass_mib, desk->looking_glass_mib,
                           VMCTL_LOOKING_GLASS_SHM);
    vmctl_spec_add_note (spec, "Looking Glass: %u MiB at %s for %ux%u%s. QEMU creates the file "
                         "as its own user, which the client cannot open: add 'f %s 0660 %s kvm "
                         "-' to /etc/tmpfiles.d/10-looking-glass.conf, then run "
                         "systemd-tmpfiles --create /etc/tmpfiles.d/10-looking-glass.conf "
                         "(vmctl host check shows it)", desk->looking_glass_mib,
                         VMCTL_LOOKING_GLASS_SHM, desk->looking_glass_width,
                         desk->looking_glass_height, desk->looking_glass_hdr ? " HDR" : "",
                         VMCTL_LOOKING_GLASS_SHM, user);
  }
  /* the client sends keyboard and mouse through SPICE (Looking Glass's
   * "Keyboard/mouse/display/audio"); the GPU stays the only video */
  if (spec->graphics != VMCTL_GRAPHICS_SPICE) {
    spec->graphics = VMCTL_GRAPHICS_SPICE;
    vmctl_spec_add_note (spec, "Looking Glass sends keyboard and mouse through SPICE: a SPICE "
                         "display on 127.0.0.1 is added, with virtio keyboard and mouse and no "
                         "emulated video card");
  }
}

/* ---- audio -------------------------------------------------------------- */

static gboolean
pipewire_supported (VmctlHostFacts *facts, GError **error, gboolean report)
{
  guint libvirt = vmctl_version_number (facts->libvirt_version);
  guint qemu = vmctl_version_number (facts->hypervisor);

  if ((libvirt == 0 || libvirt >= PIPEWIRE_LIBVIRT) && (qemu == 0 || qemu >= PIPEWIRE_QEMU))
    return TRUE;
  if (report)
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "--audio 'pipewire': libvirt %s with %s %s cannot play through PipeWire "
                 "(libvirt 9.10 and QEMU 8.1 can): use --audio pulseaudio, which PipeWire "
                 "serves through pipewire-pulse", facts->libvirt_version != NULL
                 ? facts->libvirt_version : "?", facts->hypervisor != NULL ? facts->hypervisor
                 : "QEMU ?", facts->where);
  return FALSE;
}

static gboolean
has_socket (VmctlHost *host, const gchar *runtime_dir, const gchar *name)
{
  g_autofree gchar *path = g_build_filename (runtime_dir, name, NULL);

  return host != NULL && runtime_dir != NULL && vmctl_host_exists (host, path);
}

static gboolean
settle_audio (VmctlSpec *spec, VmctlHostFacts *facts, gboolean uid_known, guint uid,
              const gchar *user, GError **error)
{
  VmctlSpecDesk *desk = spec->desk;
  VmctlHost *host = facts->host;
  g_autofree gchar *runtime = uid_known ? g_strdup_printf ("/run/user/%u", uid) : NULL;

  if (desk->audio == VMCTL_AUDIO_AUTO) {
    if (has_socket (host, runtime, "pipewire-0") && vmctl_version_number (facts->libvirt_version) != 0
        && pipewire_supported (facts, NULL, FALSE))
      desk->audio = VMCTL_AUDIO_PIPEWIRE;
    else if (has_socket (host, runtime, "pulse/native"))
      desk->audio = VMCTL_AUDIO_PULSEAUDIO;
    else if (spec->graphics == VMCTL_GRAPHICS_SPICE)
      desk->audio = VMCTL_AUDIO_SPICE;
    else
      /* no note: a GPU brings its HDMI audio, and --audio is documented */
      desk->audio = VMCTL_AUDIO_NONE;
  }
  switch (desk->audio) {
  case VMCTL_AUDIO_PIPEWIRE:
    if (!pipewire_supported (facts, error, TRUE))
      return FALSE;
    G_GNUC_FALLTHROUGH;
  case VMCTL_AUDIO_PULSEAUDIO:
    desk->audio_runtime_dir = g_steal_pointer (&runtime);
    if (desk->audio_runtime_dir == NULL)
      vmctl_spec_add_note (spec, "%s: vmctl found no desktop user's sound server %s, so QEMU "
                           "looks in its own user's runtime directory",
                           vmctl_audio_backend_to_string (desk->audio), facts->where);
    else if (!has_socket (host, desk->audio_runtime_dir,
                          desk->audio == VMCTL_AUDIO_PIPEWIRE ? "pipewire-0" : "pulse/native"))
      vmctl_spec_add_note (spec, "%s: no socket in %s %s yet: start the sound server of %s "
                           "before the VM", vmctl_audio_backend_to_string (desk->audio),
                           desk->audio_runtime_dir, facts->where, user);
    vmctl_spec_add_note (spec, "QEMU plays into %s's %s: under qemu:///system it runs as the "
                         "user in /etc/libvirt/qemu.conf, which must be %s (user = \"%s\") or "
                         "be allowed on the socket", user,
                         desk->audio == VMCTL_AUDIO_PIPEWIRE ? "PipeWire" : "PulseAudio", user,
                         user);
    return TRUE;
  case VMCTL_AUDIO_SPICE:
    if (spec->graphics != VMCTL_GRAPHICS_SPICE) {
      g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                           "--audio 'spice' plays through the SPICE display, and this VM has "
                           "none (its GPU is the screen): use --audio pulseaudio or pipewire, "
                           "or add --looking-glass, which brings SPICE");
      return FALSE;
    }
    return TRUE;
  case VMCTL_AUDIO_JACK:
    vmctl_spec_add_note (spec, "QEMU joins the JACK server as client '%s'; under "
                         "qemu:///system it must run as the user of that server (user = in "
                         "/etc/libvirt/qemu.conf)", spec->name);
    return TRUE;
  case VMCTL_AUDIO_AUTO:
  case VMCTL_AUDIO_NONE:
  default:
    return TRUE;
  }
}

/**
 * vmctl_spec_desk_finalize:
 * @facts: the host that runs the VM; USB devices, event devices, the
 *   kvmfr module and sound sockets are looked up in its files (FILES and
 *   LOCAL facts), and only noted as unchecked on a REMOTE host
 * @error: VMCTL_SPEC_ERROR_INVALID (a USB device not there, a hub),
 *   _MISSING_FILE (an event device not there, nothing for --input auto),
 *   _CONFLICT (an id shared by several devices, an event device of a USB
 *   device passed whole, --audio spice without SPICE, pipewire where
 *   libvirt or QEMU lacks it), or what vmctl_spec_check_roms() reports
 *
 * Part of vmctl_spec_finalize_with_facts(): the ROM files of --gpu, then
 * spec->desk. Notes say what the user still has to allow on the host.
 */
gboolean
vmctl_spec_desk_finalize (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  g_autofree gchar *user = NULL;
  guint uid = 0;
  gboolean uid_known;

  if (!vmctl_spec_check_roms (spec, facts, error))
    return FALSE;
  vmctl_spec_settle_large_bars (spec, facts);
  if (spec->desk == NULL)
    return TRUE;
  uid_known = desktop_uid (facts->host, &uid);
  user = user_name (facts->host, uid_known, uid);
  if (!settle_usb (spec, facts, error) || !settle_inputs (spec, facts, error))
    return FALSE;
  settle_looking_glass (spec, facts, user);
  return settle_audio (spec, facts, uid_known, uid, user, error);
}
