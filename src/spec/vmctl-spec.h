/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec.h: what the user asked for, with the profile's defaults
 * applied: everything the domain XML is built from, and nothing about how. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

/**
 * vmctl_spec_error_quark:
 *
 * The domain of the vmctl_spec_set_*() and vmctl_spec_add_*() errors
 * (VMCTL_SPEC_ERROR); vmctl_session_create() reports VMCTL_ERROR.
 *
 * Returns: the quark
 */
#define VMCTL_SPEC_ERROR (vmctl_spec_error_quark ())

typedef enum {
  VMCTL_SPEC_ERROR_INVALID,     /* a value is malformed or out of range (exit 2) */
  VMCTL_SPEC_ERROR_NO_PROFILE,  /* no profile of that name (exit 2) */
  VMCTL_SPEC_ERROR_MISSING_FILE,/* an ISO, ROM or disk path does not exist (exit 2) */
  VMCTL_SPEC_ERROR_CONFLICT,    /* options that cannot go together (exit 2) */
  VMCTL_SPEC_ERROR_HOST_IN_USE, /* a --disk block device the host mounts or swaps on;
                                 * spec->force overrides (exit 1) */
} VmctlSpecError;

GQuark vmctl_spec_error_quark (void);

typedef enum {
  VMCTL_FIRMWARE_KIND_EFI,
  VMCTL_FIRMWARE_KIND_EFI_SECURE, /* Secure Boot: forces q35 and SMM */
  VMCTL_FIRMWARE_KIND_BIOS,       /* SeaBIOS */
} VmctlFirmwareKind;

typedef enum {
  VMCTL_NETWORK_DEFAULT,          /* libvirt's "default" NAT network */
  VMCTL_NETWORK_BRIDGE,           /* spec->bridge */
  VMCTL_NETWORK_NONE,
} VmctlNetworkKind;

typedef enum {
  VMCTL_CPU_PIN_NONE,
  VMCTL_CPU_PIN_AUTO,             /* SMT siblings together, first core for the host */
  VMCTL_CPU_PIN_LIST,             /* spec->cpu_pin_list, vCPU i on host CPU list[i] */
} VmctlCpuPinMode;

typedef enum {
  VMCTL_VIRT_TYPE_KVM,
  VMCTL_VIRT_TYPE_QEMU,           /* TCG */
} VmctlVirtType;

typedef enum {
  VMCTL_GRAPHICS_NONE,
  VMCTL_GRAPHICS_SPICE,
  VMCTL_GRAPHICS_VNC,
} VmctlGraphicsKind;

typedef enum {
  VMCTL_CLOCK_UTC,
  VMCTL_CLOCK_WINDOWS,            /* localtime, rtc catchup, pit delay, hpet off, hypervclock */
} VmctlClockKind;

typedef struct {
  VmctlPciAddress address;
  gchar *rom_path;                /* --gpu ADDR,rom=PATH; NULL: the card's own ROM */
} VmctlSpecGpu;

typedef struct {
  gchar *path;                    /* --disk PATH: an existing image or block device */
  gboolean block;                 /* PATH is a block device (stat() after its symlinks):
                                   * <disk type='block'>; set by vmctl_spec_add_disk()
                                   * and again by vmctl_spec_finalize() */
  guint64 size_bytes;             /* --disk size=SIZE: a volume to create (issue 4) */
  gchar *pool;                    /* with size=; "default" unless pool=NAME */
  gchar *format;                  /* "qcow2" or "raw" */

  /* issue 11 (vmctl-spec-media.h) */
  gchar *bus;                     /* bus=: "virtio", "sata", "scsi"; NULL: spec->disk_bus */
  gchar *cache;                   /* cache=: QEMU's cache mode; NULL: none */
} VmctlSpecDisk;

/* issue 12: keyboard and mouse, USB, Looking Glass, audio (vmctl-spec-desk.h) */
typedef struct _VmctlSpecDesk VmctlSpecDesk;

typedef struct {
  gchar *name;
  gchar *profile;                 /* "gaming", "workstation", "minimal" */
  guint64 memory_kib;
  guint vcpus;
  GArray *gpus;                   /* VmctlSpecGpu, in the order given */
  GArray *hostdevs;               /* VmctlPciAddress, --hostdev, in the order given */
  gboolean hugepages;
  gboolean hugepages_dynamic;     /* reserve them at start, release at stop */
  gboolean memory_locked;         /* --lock-memory: <locked/> + <memtune><hard_limit> */
  GPtrArray *disks;               /* VmctlSpecDisk* */
  gchar *cdrom;                   /* absolute path or NULL */
  VmctlNetworkKind network;
  gchar *bridge;                  /* with VMCTL_NETWORK_BRIDGE */
  VmctlFirmwareKind firmware;
  VmctlCpuPinMode cpu_pin;
  GArray *cpu_pin_list;           /* guint host CPU numbers, with VMCTL_CPU_PIN_LIST */
  VmctlVirtType virt_type;
  gchar *machine;                 /* "q35" or "pc" */

  /* profile features, resolved */
  gboolean hyperv;                /* Hyper-V enlightenments */
  gchar *hyperv_vendor_id;        /* <vendor_id value=...> (at most 12 characters) or NULL */
  gboolean kvm_hidden;            /* <kvm><hidden state='on'/> */
  gboolean vmport_off;            /* <vmport state='off'/> */
  gboolean cpu_cache_passthrough; /* <cache mode='passthrough'/> */
  VmctlClockKind clock;
  gboolean tpm;                   /* emulated TPM 2.0 (swtpm) */
  VmctlGraphicsKind graphics;
  gboolean emulated_video;        /* FALSE: <video><model type='none'/> */
  gchar *disk_bus;                /* "virtio", "sata" */
  gchar *nic_model;               /* "virtio", "e1000e" */

  GPtrArray *notes;               /* gchar*: things the user should know (no swtpm, ...) */

  /* added with the option parsing (issue 3) */
  gchar *cpu_mode;                /* "host-passthrough" or "host-model"; "maximum"
                                   * after finalize when there is no KVM */
  gboolean cpu_smt_topology;      /* <topology> with the host's threads per core
                                   * (and topoext on AMD) */
  gboolean emulated_video_with_gpu; /* profile: keep the emulated video (and
                                   * graphics) when a --gpu is given; finalize
                                   * clears emulated_video and graphics if not */
  gboolean memory_given;          /* --memory given, not the profile's default */
  gboolean vcpus_given;           /* --vcpus given */
  gboolean virt_type_given;       /* --virt-type given; else finalize picks it */
  gboolean force;                 /* --force: also what the host uses (a --disk block
                                   * device it mounts or swaps on), with a note */
  gboolean finalized;             /* vmctl_spec_finalize() succeeded */

  /* issue 11: install media, boot order, direct kernel boot and the guest
   * OS (vmctl-spec-media.h) */
  GPtrArray *cdroms;              /* VmctlSpecCdrom*, after spec->cdrom, in the order
                                   * given; NULL: none */
  GArray *boot;                   /* VmctlBootDevice, --boot in boot order; NULL: the
                                   * default (vmctl_spec_boot_order()) */
  gchar *kernel;                  /* --kernel, on the VM's host; NULL: firmware boot */
  gchar *initrd;
  gchar *cmdline;
  struct _VmctlOs *os;            /* --os, from libosinfo (vmctl-os.h); NULL: none */
  gboolean drivers_auto;          /* --drivers auto: the virtio-win ISO, when installed */
  /* issue 12: the gaming desk */
  VmctlSpecDesk *desk;            /* --input, --usb, --looking-glass, --audio; NULL
                                   * when none was given and the profile has no audio */
  /* issue 13: host changes while the VM runs */
  gboolean isolate_cpus;          /* --isolate-cpus, profile [cpu] isolate: the host's
                                   * own work kept off the VM's pinned CPUs */
  gboolean single_gpu;            /* profile [devices] single-gpu: the host's only
                                   * display handed over at start */
} VmctlSpec;

/* VM names: safe in file names and shells, which libvirt does not insist on */
#define VMCTL_SPEC_NAME_MAX 64
/* memory below this boots nothing useful */
#define VMCTL_SPEC_MEMORY_MIN_KIB (G_GUINT64_CONSTANT (128) * 1024)
/* the limits when the host does not say */
#define VMCTL_SPEC_MEMORY_UNKNOWN_HOST_KIB (G_GUINT64_CONSTANT (16) << 30)
#define VMCTL_SPEC_VCPUS_UNKNOWN_HOST 512

VmctlSpec *vmctl_spec_new (void);
/**
 * vmctl_spec_free:
 * @spec: (nullable): a spec
 *
 * Frees @spec with its disks, GPUs and notes.
 */
void vmctl_spec_free (VmctlSpec *spec);
/**
 * vmctl_spec_disk_free:
 * @disk: (nullable): a disk of a spec
 *
 * Frees @disk.
 */
void vmctl_spec_disk_free (VmctlSpecDisk *disk);

VmctlSpec *vmctl_spec_new_from_profile (const gchar *name, const gchar *profile,
                                        GError **error);
gboolean vmctl_spec_set_name (VmctlSpec *spec, const gchar *name, GError **error);
gboolean vmctl_spec_add_gpu (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_add_hostdev (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_memory (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_vcpus (VmctlSpec *spec, const gchar *text, GError **error);
/**
 * vmctl_spec_set_hugepages:
 * @spec: a spec
 * @hugepages: back the guest's memory with hugepages (--hugepages)
 *
 * Whether the host has enough of them is checked when the VM is created
 * and again when it starts.
 */
void vmctl_spec_set_hugepages (VmctlSpec *spec, gboolean hugepages);
void vmctl_spec_set_memory_locked (VmctlSpec *spec, gboolean locked);
gboolean vmctl_spec_add_disk (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_cdrom (VmctlSpec *spec, const gchar *path, GError **error);
gboolean vmctl_spec_set_network (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_firmware (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_cpu_pin (VmctlSpec *spec, const gchar *text, GError **error);
gboolean vmctl_spec_set_virt_type (VmctlSpec *spec, const gchar *text, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlSpec, vmctl_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlSpecDisk, vmctl_spec_disk_free)

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-spec-private.h"
#endif
