/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl.h: libvmctl's public API, the one header a program includes
 * (`#include <vmctl/vmctl.h>`, flags from `pkg-config --cflags libvmctl`).
 *
 * A program opens a VmctlSession on a host (vmctl_session_new()) and makes
 * one call per vmctl command (vmctl_session_gpu_check(),
 * vmctl_session_create(), vmctl_session_start()...); each does the whole
 * operation with its checks, rollback and notes, and reports a VMCTL_ERROR
 * (vmctl-error.h). The headers below may not be included one by one: what
 * they declare is the API (src/libvmctl.map exports exactly that), and
 * which header declares what may change.
 *
 * Adding a function to the API: declare it in one of these headers with a
 * gtk-doc comment, add its name to src/libvmctl.map (in the node of the
 * release that adds it), and add its header here and to the folder's
 * libvmctl_headers if it is new; test-public-api checks all three. */
#pragma once

#define VMCTL_H_INSIDE

#include "vmctl-version.h"
#include "vmctl-error.h"
#include "vmctl-pci-address.h"
#include "vmctl-pci-device.h"
#include "vmctl-pci-bars.h"
#include "vmctl-verdict.h"
#include "vmctl-journal.h"
#include "vmctl-vfio.h"
#include "vmctl-spec.h"
#include "vmctl-hostcheck.h"
#include "vmctl-lifecycle.h"
#include "vmctl-session.h"
#include "vmctl-session-gpu.h"
#include "vmctl-session-host.h"
#include "vmctl-session-vm.h"

#undef VMCTL_H_INSIDE
