/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-fuzz.h: what every libFuzzer harness in tests/fuzz shares. Each
 * harness hands one input to one parser of untrusted text, exactly as
 * vmctl would after reading it, and lets AddressSanitizer, UBSan and
 * LeakSanitizer judge the outcome. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

/* Real inputs are a few KiB (a sysfs attribute is at most one page, a
 * /proc/mounts of a busy host some tens of KiB); past this a harness only
 * measures how fast GLib copies memory. */
#define VMCTL_FUZZ_MAX_INPUT (64 * 1024)

/* libFuzzer's entry points: each harness defines the second, vmctl-fuzz.c
 * the first */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

gchar *vmctl_fuzz_text (const uint8_t *data, size_t size, gsize max);
VmctlHost *vmctl_fuzz_host (void);
void vmctl_fuzz_write_host_file (const gchar *name, const gchar *contents);

G_END_DECLS
