/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-desk.h: what a VM at a desk needs besides its GPU (issue
 * 12): the host's keyboard and mouse through evdev, USB devices by id or
 * port, Looking Glass shared memory, and sound. Parsed from the create
 * options and the profile into spec->desk, settled against the host by
 * vmctl_spec_desk_finalize(). */
#pragma once

#include <glib.h>
#include "vmctl-input.h"
#include "vmctl-spec.h"
#include "vmctl-usb.h"

G_BEGIN_DECLS

typedef enum {
  VMCTL_AUDIO_AUTO,               /* the profile's "auto": what the host has */
  VMCTL_AUDIO_NONE,
  VMCTL_AUDIO_PULSEAUDIO,
  VMCTL_AUDIO_PIPEWIRE,
  VMCTL_AUDIO_JACK,
  VMCTL_AUDIO_SPICE,
} VmctlAudioBackend;

/* the grabToggle libvirt uses when none is given */
#define VMCTL_INPUT_TOGGLE_DEFAULT "ctrl-ctrl"

typedef struct {
  gchar *path;                    /* /dev/input/by-id/... */
  VmctlInputKind kind;            /* keyboards get grab, repeat and the toggle */
  gboolean picked;                /* chosen by --input auto */
} VmctlSpecInput;

typedef struct {
  VmctlUsbSelector selector;      /* as given */
  /* settled by vmctl_spec_desk_finalize() from the host's sysfs */
  gboolean resolved;              /* FALSE on a remote host (by id only) */
  guint16 vendor_id;
  guint16 product_id;
  guint bus;
  guint devnum;
  gchar *port;                    /* "4.2" */
  gchar *description;
} VmctlSpecUsb;

struct _VmctlSpecDesk {
  GPtrArray *inputs;              /* VmctlSpecInput* */
  gboolean input_auto;
  gchar *input_toggle;            /* NULL: VMCTL_INPUT_TOGGLE_DEFAULT */
  GPtrArray *usb;                 /* VmctlSpecUsb* */
  guint looking_glass_width;      /* 0: no Looking Glass */
  guint looking_glass_height;
  gboolean looking_glass_hdr;
  guint looking_glass_mib;        /* the shared memory, a power of two */
  gboolean looking_glass_kvmfr;   /* /dev/kvmfr0 (the kvmfr module) instead of /dev/shm */
  VmctlAudioBackend audio;
  gboolean audio_given;           /* --audio, not the profile's */
  gchar *audio_runtime_dir;       /* /run/user/UID of the user whose sound server
                                   * QEMU joins; NULL when unknown */
  gboolean input_toggle_unsupported; /* libvirt before 7.6: no grabToggle */

  /* large BARs (vmctl-spec-desk-bars.c) */
  guint64 bar_window;             /* 64-bit guest address space the assigned
                                   * functions' BARs need; 0 when unknown */
  gboolean maxphysaddr;           /* <maxphysaddr mode='passthrough'/> */
  guint64 mmio64_mib;             /* OVMF's X-PciMmio64Mb through fw_cfg; 0: none */
};

/* The create options, as the command line gave them: every value of each,
 * in order (NULL or empty: not given). A single-valued one given twice is
 * an error (DESIGN.md), never "last wins". */
typedef struct {
  gchar **inputs;                 /* --input evdev=PATH|auto */
  gchar **input_toggles;          /* --input-toggle, single-valued */
  gchar **usb;                    /* --usb */
  gchar **looking_glass;          /* --looking-glass, single-valued; "" without a value */
  gchar **audios;                 /* --audio, single-valued */
} VmctlSpecDeskOptions;

/* Looking Glass: the size when --looking-glass has no value */
#define VMCTL_LOOKING_GLASS_DEFAULT_WIDTH 1920
#define VMCTL_LOOKING_GLASS_DEFAULT_HEIGHT 1080
#define VMCTL_LOOKING_GLASS_SHM "/dev/shm/looking-glass"
#define VMCTL_LOOKING_GLASS_KVMFR "/dev/kvmfr0"

VmctlSpecDesk *vmctl_spec_desk_get (VmctlSpec *spec);
void vmctl_spec_desk_free (VmctlSpecDesk *desk);
gboolean vmctl_spec_apply_desk_options (VmctlSpec *spec, const VmctlSpecDeskOptions *options,
                                        GError **error);
gboolean vmctl_spec_add_input (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_input_toggle (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_add_usb (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_looking_glass (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_audio (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_profile_apply_audio (VmctlSpec *spec, const gchar *value, GError **error);
guint vmctl_looking_glass_size_mib (guint width, guint height, gboolean hdr);
const gchar *vmctl_audio_backend_to_string (VmctlAudioBackend backend);

guint vmctl_version_number (const gchar *text);
gboolean vmctl_spec_desk_finalize (VmctlSpec *spec, VmctlHostFacts *facts, GError **error);

/* vmctl-spec-desk-bars.c: 16 GiB+ BARs and several GPUs */
#define VMCTL_LARGE_BAR_THRESHOLD (G_GUINT64_CONSTANT (16) << 30)
void vmctl_spec_settle_large_bars (VmctlSpec *spec, VmctlHostFacts *facts);

/* vmctl-spec-desk-rom.c: create --gpu ADDR,rom=FILE */
gboolean vmctl_spec_check_roms (VmctlSpec *spec, VmctlHostFacts *facts, GError **error);

G_END_DECLS
