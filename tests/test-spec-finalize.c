/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-spec-finalize.c: the profiles' defaults, broken and partial profile
 * files, and vmctl_spec_finalize()'s rules against fixture hosts. */
#include "vmctl-profile.h"
#include "vmctl-test-spec.h"

#include <glib/gstdio.h>
#include <string.h>

/* ---- profiles ----------------------------------------------------------------- */

static void
test_profile_list (void)
{
  g_auto(GStrv) names = vmctl_profile_list ();
  g_autofree gchar *joined = g_strjoinv (" ", names);

  g_assert_cmpstr (joined, ==, "gaming minimal workstation");
}

static void
test_profile_gaming (void)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (NULL, "gaming", NULL);

  g_assert_cmpstr (spec->name, ==, "vm");
  g_assert_cmpstr (spec->profile, ==, "gaming");
  g_assert_cmpstr (spec->machine, ==, "q35");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI_SECURE);
  g_assert_true (spec->tpm);
  g_assert_cmpuint (spec->memory_kib, ==, 16 * GIB_KIB);
  g_assert_false (spec->memory_given);
  g_assert_true (spec->hugepages);
  g_assert_cmpuint (spec->vcpus, ==, 8);
  g_assert_false (spec->vcpus_given);
  g_assert_cmpstr (spec->cpu_mode, ==, "host-passthrough");
  g_assert_true (spec->cpu_cache_passthrough);
  g_assert_true (spec->cpu_smt_topology);
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_AUTO);
  g_assert_true (spec->hyperv);
  g_assert_nonnull (spec->hyperv_vendor_id);
  g_assert_cmpuint (strlen (spec->hyperv_vendor_id), <=, 12);
  g_assert_true (spec->kvm_hidden);
  g_assert_true (spec->vmport_off);
  g_assert_cmpint (spec->clock, ==, VMCTL_CLOCK_WINDOWS);
  g_assert_cmpstr (spec->disk_bus, ==, "virtio");
  g_assert_cmpstr (spec->nic_model, ==, "virtio");
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_DEFAULT);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
  g_assert_true (spec->emulated_video);
  g_assert_false (spec->emulated_video_with_gpu);
  g_assert_false (spec->virt_type_given);
  g_assert_cmpuint (spec->notes->len, ==, 0);
}

static void
test_profile_workstation (void)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (NULL, "workstation", NULL);

  g_assert_cmpstr (spec->profile, ==, "workstation");
  g_assert_cmpstr (spec->machine, ==, "q35");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI);
  g_assert_false (spec->tpm);
  g_assert_cmpuint (spec->memory_kib, ==, 8 * GIB_KIB);
  g_assert_false (spec->hugepages);
  g_assert_cmpuint (spec->vcpus, ==, 4);
  g_assert_cmpstr (spec->cpu_mode, ==, "host-passthrough");
  g_assert_cmpint (spec->cpu_pin, ==, VMCTL_CPU_PIN_NONE);
  g_assert_false (spec->hyperv);
  g_assert_null (spec->hyperv_vendor_id);
  g_assert_false (spec->kvm_hidden);
  g_assert_cmpint (spec->clock, ==, VMCTL_CLOCK_UTC);
  g_assert_cmpstr (spec->disk_bus, ==, "virtio");
  g_assert_cmpstr (spec->nic_model, ==, "virtio");
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
  g_assert_true (spec->emulated_video);
  g_assert_true (spec->emulated_video_with_gpu);
}

static void
test_profile_minimal (void)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (NULL, "minimal", NULL);

  g_assert_cmpstr (spec->machine, ==, "q35");
  g_assert_cmpint (spec->firmware, ==, VMCTL_FIRMWARE_KIND_EFI);
  g_assert_false (spec->tpm);
  g_assert_cmpuint (spec->memory_kib, ==, 512 * MIB_KIB);
  g_assert_cmpuint (spec->vcpus, ==, 1);
  g_assert_false (spec->hugepages);
  g_assert_false (spec->hyperv);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_NONE);
  g_assert_false (spec->emulated_video);
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_DEFAULT);
  g_assert_cmpstr (spec->disk_bus, ==, "virtio");
}

/* vmctl_spec_new()'s defaults are the minimal profile's, so a spec built
 * by hand and `--profile minimal` agree. */
static void
test_defaults_are_minimal (void)
{
  g_autoptr(VmctlSpec) bare = vmctl_spec_new ();
  g_autoptr(VmctlSpec) minimal = vmctl_test_spec_build (NULL, "minimal", NULL);

  g_assert_cmpuint (bare->memory_kib, ==, minimal->memory_kib);
  g_assert_cmpuint (bare->vcpus, ==, minimal->vcpus);
  g_assert_cmpint (bare->hugepages, ==, minimal->hugepages);
  g_assert_cmpint (bare->hugepages_dynamic, ==, minimal->hugepages_dynamic);
  g_assert_cmpint (bare->network, ==, minimal->network);
  g_assert_cmpint (bare->firmware, ==, minimal->firmware);
  g_assert_cmpint (bare->cpu_pin, ==, minimal->cpu_pin);
  g_assert_cmpstr (bare->machine, ==, minimal->machine);
  g_assert_cmpint (bare->tpm, ==, minimal->tpm);
  g_assert_cmpint (bare->hyperv, ==, minimal->hyperv);
  g_assert_cmpint (bare->kvm_hidden, ==, minimal->kvm_hidden);
  g_assert_cmpint (bare->vmport_off, ==, minimal->vmport_off);
  g_assert_cmpint (bare->clock, ==, minimal->clock);
  g_assert_cmpint (bare->graphics, ==, minimal->graphics);
  g_assert_cmpint (bare->emulated_video, ==, minimal->emulated_video);
  g_assert_cmpint (bare->emulated_video_with_gpu, ==, minimal->emulated_video_with_gpu);
  g_assert_cmpstr (bare->disk_bus, ==, minimal->disk_bus);
  g_assert_cmpstr (bare->nic_model, ==, minimal->nic_model);
  g_assert_cmpstr (bare->cpu_mode, ==, minimal->cpu_mode);
  g_assert_cmpint (bare->cpu_smt_topology, ==, minimal->cpu_smt_topology);
  g_assert_cmpint (bare->cpu_cache_passthrough, ==, minimal->cpu_cache_passthrough);
}

static void
test_profile_default_is_workstation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("vm", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spec->profile, ==, VMCTL_PROFILE_DEFAULT);
  g_assert_cmpstr (spec->profile, ==, "workstation");
}

/* Whether the block of comments right above line @index holds "# KEY: ". */
static gboolean
documented_above (gchar **lines, guint index, const gchar *key)
{
  g_autofree gchar *comment = g_strdup_printf ("# %s: ", key);

  for (guint k = index; k > 0 && lines[k - 1][0] == '#'; k--)
    if (g_str_has_prefix (lines[k - 1], comment))
      return TRUE;
  return FALSE;
}

/* Every key in every profile has its comment. */
static void
test_profiles_documented (void)
{
  g_auto(GStrv) names = vmctl_profile_list ();

  g_assert_cmpuint (g_strv_length (names), ==, 3);
  for (guint i = 0; names[i] != NULL; i++) {
    g_autofree gchar *file = g_strconcat ("data/profiles/", names[i], ".conf", NULL);
    g_autofree gchar *path = vmctl_test_source_path (file);
    g_autofree gchar *contents = NULL;
    g_auto(GStrv) lines = NULL;
    guint keys = 0;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    for (guint j = 0; lines[j] != NULL; j++) {
      g_autofree gchar *key = NULL;

      if (lines[j][0] == '#' || lines[j][0] == '[' || lines[j][0] == '\0')
        continue;
      key = g_strndup (lines[j], strcspn (lines[j], "="));
      if (!documented_above (lines, j, key))
        g_error ("%s: key '%s' has no '# %s:' comment above it", file, key, key);
      keys++;
    }
    /* each profile spells out every key vmctl knows */
    g_assert_cmpuint (keys, ==, 26);
  }
}

typedef struct {
  const gchar *contents;
  const gchar *message;
} BrokenProfile;

static const BrokenProfile broken_profiles[] = {
  { "[memory]\nsize=16X\n", "[memory] size=16X: unknown suffix 'X'" },
  { "[memory]\nsize=64M\n", "at least 128 MiB" },
  { "[memory]\nhugepages=yes\n", "[memory] hugepages=yes: want true or false" },
  { "[memory]\nhugepages=1\n", "want true or false" },
  { "[memory]\nhugepage=true\n", "[memory] hugepage: unknown key" },
  { "[memroy]\nsize=1G\n", "[memroy]: unknown group" },
  { "[cpu]\nvcpus=0\n", "at least 1 virtual CPU" },
  { "[cpu]\npin=2-5\n", "want auto or none" },
  { "[cpu]\nmode=max\n", "want host-passthrough or host-model" },
  { "[machine]\ntype=i440fx\n", "want q35 or pc" },
  { "[machine]\nfirmware=uefi\n", "want efi, efi-secure" },
  { "[features]\nhyperv-vendor-id=1234567890abc\n", "at most 12 characters" },
  { "[features]\nhyperv-vendor-id=a,b\n", "letters and digits only" },
  { "[features]\nclock=local\n", "want utc or windows" },
  { "[devices]\nnetwork=bridge=\n", "interface name" },
  { "[devices]\ngraphics=sdl\n", "want spice, vnc or none" },
  { "[devices]\ndisk-bus=ide\n", "want virtio or sata" },
  { "[devices]\nnic-model=rtl8139\n", "want virtio or e1000e" },
  { "[profile]\ndescription=\n", "empty description" },
  { "not a key file\n", "profile " },
  /* GKeyFile returns a value AND sets its error for a bad escape: the
   * value must not be used, and the error must name this key, once */
  { "[profile]\ndescription=a\\qb\n", "[profile] description: " },
  { "[profile]\ndescription=a\\qb\n[memory]\nsize=16X\n", "[profile] description: " },
  { "[memory]\nsize=1\\qG\n[profile]\ndescription=x\n", "[memory] size: " },
  { "[devices]\nnetwork=bridge=b\\x0\n", "[devices] network: " },
  /* a bad escape and a trailing backslash in one value: GLib's own parser
   * sets its error twice (found by fuzz-profile) */
  { "[profile]\ndescription=Escapes:\\=b v\\\n", "[profile] description: invalid escape" },
  { "[profile]\ndescription=ends in \\\n", "[profile] description: invalid escape" },
};

static void
test_profile_broken (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->files, "broken.conf", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (broken_profiles); i++) {
    g_autoptr(VmctlSpec) spec = vmctl_spec_new ();
    g_autoptr(GError) error = NULL;

    g_test_message ("%s", broken_profiles[i].contents);
    g_assert_true (g_file_set_contents (path, broken_profiles[i].contents, -1, NULL));
    g_assert_false (vmctl_profile_apply_file (spec, path, &error));
    g_assert_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID);
    vmctl_test_spec_assert_message (error, "profile ", broken_profiles[i].message);
    g_assert_nonnull (strstr (error->message, path));
  }
}

/* Keys a profile leaves out keep the defaults; a bridge is allowed. */
static void
test_profile_partial (SpecFixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->files, "small.conf", NULL);
  g_autoptr(VmctlSpec) spec = vmctl_spec_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "# comment\n[memory]\nsize=2G\n"
                                      "[devices]\nnetwork=bridge=br0\n", -1, NULL));
  g_assert_true (vmctl_profile_apply_file (spec, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (spec->profile, ==, "small");
  g_assert_cmpuint (spec->memory_kib, ==, 2 * GIB_KIB);
  g_assert_cmpint (spec->network, ==, VMCTL_NETWORK_BRIDGE);
  g_assert_cmpstr (spec->bridge, ==, "br0");
  g_assert_cmpuint (spec->vcpus, ==, 1);
}

/* ---- finalize ----------------------------------------------------------------- */

static void
finalize_ok (const SpecFixture *fixture, VmctlSpec *spec)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_spec_finalize (spec, fixture->host, &error));
  g_assert_no_error (error);
  g_assert_true (spec->finalized);
}

static void
finalize_fails (const SpecFixture *fixture, VmctlSpec *spec, gint code, const gchar *prefix,
                const gchar *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vmctl_spec_finalize (spec, fixture->host, &error));
  g_assert_error (error, VMCTL_SPEC_ERROR, code);
  vmctl_test_spec_assert_message (error, prefix, message);
  g_assert_false (spec->finalized);
}

static void
test_finalize_gaming (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "gaming", "--gpu", "01:00.0", NULL);

  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_KVM);
  g_assert_cmpstr (spec->cpu_mode, ==, "host-passthrough");
  g_assert_true (spec->hyperv);
  g_assert_true (spec->kvm_hidden);
  g_assert_true (spec->cpu_cache_passthrough);
  /* the fixtures have no swtpm */
  g_assert_false (spec->tpm);
  g_assert_true (vmctl_test_spec_has_note (spec, "install swtpm swtpm-tools for the TPM Windows 11 "
                                 "requires"));
  /* a GPU is given and the profile wants no emulated video then */
  g_assert_false (spec->emulated_video);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_NONE);
  /* 8 CPUs, the first core (0,4) stays with the host: 6 left for 8 vCPUs */
  g_assert_cmpuint (spec->vcpus, ==, 6);
  g_assert_true (vmctl_test_spec_has_note (spec, "vcpus lowered from 8 (the gaming profile's default) to 6"));
  g_assert_true (vmctl_test_spec_has_note (spec, "CPU 0,4"));
  g_assert_cmpuint (spec->memory_kib, ==, 16 * GIB_KIB);
  g_assert_cmpuint (spec->notes->len, ==, 2);
  for (guint i = 0; i < spec->notes->len; i++)
    g_assert_null (strchr (g_ptr_array_index (spec->notes, i), '\n'));

  /* once only */
  finalize_ok (fixture, spec);
  g_assert_cmpuint (spec->notes->len, ==, 2);
}

static void
test_finalize_swtpm (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "gaming", "--vcpus", "6", NULL);

  vmctl_test_write (fixture->root, "usr/bin/swtpm", "#!/bin/sh\n");
  finalize_ok (fixture, spec);
  g_assert_true (spec->tpm);
  g_assert_cmpuint (spec->notes->len, ==, 0);
  /* no GPU: the emulated video and SPICE stay */
  g_assert_true (spec->emulated_video);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
}

static void
test_finalize_workstation_gpu (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "workstation",
                                                     "--gpu", "01:00.0", NULL);

  finalize_ok (fixture, spec);
  g_assert_true (spec->emulated_video);
  g_assert_cmpint (spec->graphics, ==, VMCTL_GRAPHICS_SPICE);
  g_assert_false (spec->tpm);
  g_assert_cmpuint (spec->vcpus, ==, 4);
  g_assert_cmpuint (spec->notes->len, ==, 0);
}

/* no /dev/kvm: emulation, without what only KVM has */
static void
test_finalize_no_kvm (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "gaming", "--vcpus", "4", NULL);

  if (vmctl_host_exists (fixture->host, "/dev/kvm"))
    vmctl_test_unlink (fixture->root, "dev/kvm");
  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_true (vmctl_test_spec_has_note (spec, "no /dev/kvm under host root"));
  g_assert_true (vmctl_test_spec_has_note (spec, "using --virt-type qemu"));
  g_assert_cmpstr (spec->cpu_mode, ==, "maximum");
  g_assert_false (spec->hyperv);
  g_assert_false (spec->kvm_hidden);
  g_assert_false (spec->cpu_cache_passthrough);
  g_assert_true (vmctl_test_spec_has_note (spec, "without KVM these are left out"));
}

/* KVM through kvm_pvm (a cloud VM's software-assisted KVM): /dev/kvm works,
 * but QEMU's host CPU setup aborts and no firmware runs, so a VM that
 * should start defaults to emulation; --virt-type kvm is still honoured */
static void
test_finalize_kvm_pvm (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "workstation", "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) given = vmctl_test_spec_build (fixture, "workstation", "--vcpus", "2",
                                                      "--virt-type", "kvm", NULL);

  vmctl_test_write (fixture->root, "dev/kvm", "");
  vmctl_test_write (fixture->root, "sys/module/kvm_pvm/refcnt", "0\n");
  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_true (vmctl_test_spec_has_note (spec, "is kvm_pvm"));
  g_assert_cmpstr (spec->cpu_mode, ==, "maximum");
  finalize_ok (fixture, given);
  g_assert_cmpint (given->virt_type, ==, VMCTL_VIRT_TYPE_KVM);
  g_assert_false (vmctl_test_spec_has_note (given, "kvm_pvm"));
}

static void
test_finalize_virt_type_given (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) kvm = vmctl_test_spec_build (fixture, "minimal", "--virt-type", "kvm", NULL);
  g_autoptr(VmctlSpec) qemu = vmctl_test_spec_build (fixture, "minimal",
                                                     "--virt-type", "qemu", NULL);

  vmctl_test_unlink (fixture->root, "dev/kvm");
  finalize_ok (fixture, kvm);
  g_assert_cmpint (kvm->virt_type, ==, VMCTL_VIRT_TYPE_KVM);
  g_assert_cmpstr (kvm->cpu_mode, ==, "host-passthrough");
  g_assert_true (vmctl_test_spec_has_note (kvm, "cannot start until KVM works"));

  vmctl_test_write (fixture->root, "dev/kvm", "");
  finalize_ok (fixture, qemu);
  g_assert_cmpint (qemu->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_false (vmctl_test_spec_has_note (qemu, "/dev/kvm"));
  g_assert_cmpstr (qemu->cpu_mode, ==, "maximum");
}

static void
test_finalize_secure_boot_needs_q35 (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "gaming", "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) bios = vmctl_test_spec_build (fixture, "gaming", "--vcpus", "2",
                                                     "--firmware", "bios", NULL);

  /* no option sets the machine: only a profile can */
  g_free (spec->machine);
  spec->machine = g_strdup ("pc");
  finalize_fails (fixture, spec, VMCTL_SPEC_ERROR_CONFLICT, "--firmware efi-secure",
                  "needs the q35 machine, and the gaming profile uses 'pc'");

  g_free (bios->machine);
  bios->machine = g_strdup ("pc");
  finalize_ok (fixture, bios);
}

static void
test_finalize_vcpus (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) too_many = vmctl_test_spec_build (fixture, "workstation",
                                                         "--vcpus", "9", NULL);
  g_autoptr(VmctlSpec) all = vmctl_test_spec_build (fixture, "workstation", "--vcpus", "8", NULL);
  g_autoptr(VmctlSpec) auto_too_many = vmctl_test_spec_build (fixture, "gaming",
                                                              "--vcpus", "8", NULL);
  g_autoptr(VmctlSpec) auto_fits = vmctl_test_spec_build (fixture, "workstation", "--vcpus", "6",
                                                          "--cpu-pin", "auto", NULL);
  g_autoptr(VmctlSpec) default_too_many = vmctl_test_spec_build (fixture, "workstation", NULL);

  finalize_fails (fixture, too_many, VMCTL_SPEC_ERROR_INVALID, "--vcpus '9'",
                  "the host has 8 CPUs");
  finalize_ok (fixture, all);
  g_assert_cmpuint (all->vcpus, ==, 8);
  finalize_fails (fixture, auto_too_many, VMCTL_SPEC_ERROR_CONFLICT,
                  "--vcpus '8' with --cpu-pin auto", "leaving 6; give --vcpus 6 or less");
  finalize_ok (fixture, auto_fits);
  g_assert_cmpuint (auto_fits->vcpus, ==, 6);

  /* a profile's default lowered to a host smaller than it */
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0-1\n");
  finalize_ok (fixture, default_too_many);
  g_assert_cmpuint (default_too_many->vcpus, ==, 2);
  g_assert_true (vmctl_test_spec_has_note (default_too_many,
                           "vcpus lowered from 4 (the workstation profile's default) to 2, "
                           "the host's CPU count"));
}

/* One core, two threads: --cpu-pin auto has nothing to give. */
static void
test_finalize_one_core (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "gaming", NULL);
  g_autoptr(VmctlSpec) unpinned = vmctl_test_spec_build (fixture, "gaming",
                                                         "--cpu-pin", "none", NULL);

  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0-1\n");
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
                    "0-1\n");
  finalize_fails (fixture, spec, VMCTL_SPEC_ERROR_CONFLICT, "--cpu-pin auto",
                  "keeps the first core (CPU 0-1) for the host, and this host has no other");
  finalize_ok (fixture, unpinned);
  g_assert_cmpuint (unpinned->vcpus, ==, 2);
}

static void
test_finalize_unknown_host (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) many = vmctl_test_spec_build (fixture, "minimal", "--vcpus", "512",
                                                     "--memory", "16T", NULL);
  g_autoptr(VmctlSpec) too_many = vmctl_test_spec_build (fixture, "minimal",
                                                         "--vcpus", "513", NULL);
  g_autoptr(VmctlSpec) too_much = vmctl_test_spec_build (fixture, "minimal",
                                                         "--memory", "17T", NULL);
  g_autoptr(VmctlSpec) pinned = vmctl_test_spec_build (fixture, "minimal",
                                                       "--cpu-pin", "600", NULL);

  vmctl_test_unlink (fixture->root, "sys/devices/system/cpu/present");
  vmctl_test_unlink (fixture->root, "proc/meminfo");
  finalize_ok (fixture, many);
  finalize_fails (fixture, too_many, VMCTL_SPEC_ERROR_INVALID, "--vcpus '513'",
                  "the limit when the host's CPU count is unknown");
  finalize_fails (fixture, too_much, VMCTL_SPEC_ERROR_INVALID, "--memory '17 TiB'",
                  "the limit when the host's memory is unknown");
  finalize_fails (fixture, pinned, VMCTL_SPEC_ERROR_INVALID, "--cpu-pin '600'",
                  "cannot read (512)");
}

static void
test_finalize_cpu_list (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) sized = vmctl_test_spec_build (fixture, "gaming", "--cpu-pin", "2-5", NULL);
  g_autoptr(VmctlSpec) mismatch = vmctl_test_spec_build (fixture, "gaming", "--cpu-pin", "2-5",
                                                         "--vcpus", "6", NULL);
  g_autoptr(VmctlSpec) missing = vmctl_test_spec_build (fixture, "gaming",
                                                        "--cpu-pin", "6-9", NULL);
  g_autoptr(VmctlSpec) holes = vmctl_test_spec_build (fixture, "gaming", "--cpu-pin", "1,3", NULL);

  finalize_ok (fixture, sized);
  g_assert_cmpuint (sized->vcpus, ==, 4);   /* the list sets the count */
  finalize_fails (fixture, mismatch, VMCTL_SPEC_ERROR_CONFLICT, "--cpu-pin '2-5'",
                  "4 host CPUs for 6 vCPUs");
  finalize_fails (fixture, missing, VMCTL_SPEC_ERROR_INVALID, "--cpu-pin '6-9'",
                  "the host has no CPU 8 (present: 0-7)");

  /* CPUs that are not present (offline sockets) do not exist */
  vmctl_test_write (fixture->root, "sys/devices/system/cpu/present", "0,2-7\n");
  finalize_fails (fixture, holes, VMCTL_SPEC_ERROR_INVALID, "--cpu-pin '1,3'",
                  "the host has no CPU 1 (present: 0,2-7)");
}

static void
test_finalize_memory (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) too_much = vmctl_test_spec_build (fixture, "minimal",
                                                         "--memory", "64G", NULL);
  g_autoptr(VmctlSpec) all = vmctl_test_spec_build (fixture, "minimal",
                                                    "--memory", "32734884K", NULL);
  g_autoptr(VmctlSpec) default_too_much = vmctl_test_spec_build (fixture, "gaming",
                                                                 "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) odd_hugepages = vmctl_test_spec_build (fixture, "minimal",
                                                              "--memory", "1001M",
                                                              "--hugepages", "", NULL);
  g_autoptr(VmctlSpec) profile_hugepages = vmctl_test_spec_build (fixture, "gaming",
                                                                  "--memory", "1025M",
                                                                  "--vcpus", "2", NULL);
  g_autoptr(VmctlSpec) odd_plain = vmctl_test_spec_build (fixture, "minimal",
                                                          "--memory", "1001M", NULL);
  g_autoptr(VmctlSpec) even_hugepages = vmctl_test_spec_build (fixture, "minimal",
                                                               "--memory", "1026M",
                                                               "--hugepages", "", NULL);
  g_autoptr(VmctlSpec) by_hand = vmctl_test_spec_build (fixture, "minimal", NULL);

  finalize_fails (fixture, too_much, VMCTL_SPEC_ERROR_INVALID, "--memory '64 GiB'",
                  "more than the host's 31.2 GiB of memory (MemTotal)");
  finalize_ok (fixture, all);
  finalize_fails (fixture, odd_hugepages, VMCTL_SPEC_ERROR_INVALID, "--memory '1001 MiB'",
                  "with hugepages the memory must be a multiple of 2 MiB");
  finalize_fails (fixture, profile_hugepages, VMCTL_SPEC_ERROR_INVALID, "--memory '1025 MiB'",
                  "multiple of 2 MiB");
  finalize_ok (fixture, odd_plain);
  finalize_ok (fixture, even_hugepages);

  by_hand->memory_kib = 64 * MIB_KIB;
  finalize_fails (fixture, by_hand, VMCTL_SPEC_ERROR_INVALID,
                  "memory 64 MiB (the minimal profile's default)", "at least 128 MiB");

  vmctl_test_write (fixture->root, "proc/meminfo",
                    "MemTotal:        8000000 kB\nMemFree:         4000000 kB\n");
  finalize_fails (fixture, default_too_much, VMCTL_SPEC_ERROR_INVALID,
                  "memory 16 GiB (the gaming profile's default)",
                  "more than the host's 7.6 GiB of memory (MemTotal); give a smaller --memory");
}

/* Names and paths set by hand get the same checks as the options. */
static void
test_finalize_by_hand (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) bad_name = vmctl_spec_new ();
  g_autoptr(VmctlSpec) no_name = vmctl_spec_new ();
  g_autoptr(VmctlSpec) gone = vmctl_test_spec_build (fixture, "minimal",
                                                     "--cdrom", "@/install.iso", NULL);
  g_autoptr(VmctlSpec) relative = vmctl_spec_new ();
  g_autoptr(VmctlSpec) newline = vmctl_spec_new ();
  g_autofree gchar *iso = g_build_filename (fixture->files, "install.iso", NULL);
  g_autofree gchar *previous = g_get_current_dir ();
  VmctlSpecDisk *disk = g_new0 (VmctlSpecDisk, 1);
  gboolean ok;

  bad_name->name = g_strdup ("a<b");
  finalize_fails (fixture, bad_name, VMCTL_SPEC_ERROR_INVALID, "VM name 'a<b'", "use 1 to 64");
  finalize_fails (fixture, no_name, VMCTL_SPEC_ERROR_INVALID, NULL, "the VM has no name");

  vmctl_test_unlink (fixture->files, "install.iso");
  finalize_fails (fixture, gone, VMCTL_SPEC_ERROR_MISSING_FILE, "--cdrom '", "no such file");

  vmctl_test_write (fixture->files, "install.iso", "CD001");
  relative->name = g_strdup ("vm");
  relative->cdrom = g_strdup ("install.iso");
  g_assert_cmpint (g_chdir (fixture->files), ==, 0);
  ok = vmctl_spec_finalize (relative, fixture->host, NULL);
  g_assert_cmpint (g_chdir (previous), ==, 0);
  g_assert_true (ok);
  g_assert_cmpstr (relative->cdrom, ==, iso);

  newline->name = g_strdup ("vm");
  disk->path = g_strdup ("/tmp/a\nb.img");
  g_ptr_array_add (newline->disks, disk);
  finalize_fails (fixture, newline, VMCTL_SPEC_ERROR_INVALID, "--disk '/tmp/a\\nb.img'",
                  "control characters");
}

/* The fixture without /dev/kvm, as the generator made it. */
static void
test_finalize_no_kvm_scenario (SpecFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlSpec) spec = vmctl_test_spec_build (fixture, "minimal", NULL);

  finalize_ok (fixture, spec);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);
  g_assert_true (vmctl_test_spec_has_note (spec, "no /dev/kvm"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vmctl/spec/profile/list", test_profile_list);
  g_test_add_func ("/vmctl/spec/profile/gaming", test_profile_gaming);
  g_test_add_func ("/vmctl/spec/profile/workstation", test_profile_workstation);
  g_test_add_func ("/vmctl/spec/profile/minimal", test_profile_minimal);
  g_test_add_func ("/vmctl/spec/profile/defaults-are-minimal", test_defaults_are_minimal);
  g_test_add_func ("/vmctl/spec/profile/default-is-workstation",
                   test_profile_default_is_workstation);
  g_test_add_func ("/vmctl/spec/profile/documented", test_profiles_documented);
  add_spec_test ("/vmctl/spec/profile/broken", "clean-gpu-audio", test_profile_broken);
  add_spec_test ("/vmctl/spec/profile/partial", "clean-gpu-audio", test_profile_partial);

  add_spec_test ("/vmctl/spec/finalize/gaming", "clean-gpu-audio", test_finalize_gaming);
  add_spec_test ("/vmctl/spec/finalize/swtpm", "clean-gpu-audio", test_finalize_swtpm);
  add_spec_test ("/vmctl/spec/finalize/workstation-gpu", "clean-gpu-audio",
                 test_finalize_workstation_gpu);
  add_spec_test ("/vmctl/spec/finalize/no-kvm", "clean-gpu-audio", test_finalize_no_kvm);
  add_spec_test ("/vmctl/spec/finalize/no-kvm-scenario", "no-kvm", test_finalize_no_kvm_scenario);
  add_spec_test ("/vmctl/spec/finalize/kvm-pvm", "clean-gpu-audio", test_finalize_kvm_pvm);
  add_spec_test ("/vmctl/spec/finalize/virt-type-given", "clean-gpu-audio",
                 test_finalize_virt_type_given);
  add_spec_test ("/vmctl/spec/finalize/secure-boot-q35", "clean-gpu-audio",
                 test_finalize_secure_boot_needs_q35);
  add_spec_test ("/vmctl/spec/finalize/vcpus", "clean-gpu-audio", test_finalize_vcpus);
  add_spec_test ("/vmctl/spec/finalize/one-core", "clean-gpu-audio", test_finalize_one_core);
  add_spec_test ("/vmctl/spec/finalize/unknown-host", "clean-gpu-audio", test_finalize_unknown_host);
  add_spec_test ("/vmctl/spec/finalize/cpu-list", "clean-gpu-audio", test_finalize_cpu_list);
  add_spec_test ("/vmctl/spec/finalize/memory", "clean-gpu-audio", test_finalize_memory);
  add_spec_test ("/vmctl/spec/finalize/by-hand", "clean-gpu-audio", test_finalize_by_hand);
  add_spec_test ("/vmctl/spec/finalize/amd-host", "amd-host", test_finalize_gaming);
  return g_test_run ();
}
