/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-libvirt.c: dlopen() libvirt on first use; see vmctl-libvirt.h. */
#include "vmctl-libvirt.h"

#include <dlfcn.h>

G_DEFINE_QUARK (vmctl-libvirt-error-quark, vmctl_libvirt_error)

#define VMCTL_LIBVIRT_DEFINE(name) __typeof__ (name) *sym_##name;
VMCTL_LIBVIRT_SYMBOLS (VMCTL_LIBVIRT_DEFINE)
#undef VMCTL_LIBVIRT_DEFINE

/* the soname: the ABI libvirt promises to keep */
#define LIBVIRT_SONAME "libvirt.so.0"

static void
ignore_libvirt_error (void *data, virErrorPtr error)
{
  /* vmctl converts libvirt errors to GError where they happen and prints
   * them once; libvirt's default handler would print them a second time */
}

/* Written once, inside g_once_init_enter() below, and never again: the
 * process has one libvirt loaded (dlopen() is process-wide), and nothing a
 * session chooses reaches these. They are the only process-wide state of
 * libvmctl, with the sym_ pointers they stand for. */
static gboolean loaded;
static GError *load_error;

static gboolean
load_once (GError **error)
{
  /* $VMCTL_LIBVIRT_SONAME names another build of libvirt, or a missing one
   * (the tests check that commands without a hypervisor work without it) */
  const gchar *soname = g_getenv ("VMCTL_LIBVIRT_SONAME");
  void *handle;

  if (soname == NULL || soname[0] == '\0')
    soname = LIBVIRT_SONAME;
  /* RTLD_LOCAL: nothing else resolves against libvirt by accident;
   * RTLD_NOW: a missing symbol shows here, not in the middle of a start */
  handle = dlopen (soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    g_set_error (error, VMCTL_LIBVIRT_ERROR, VMCTL_LIBVIRT_ERROR_MISSING,
                 "cannot load libvirt (%s): install it (Debian/Ubuntu: apt install libvirt0)",
                 dlerror ());
    return FALSE;
  }
#define VMCTL_LIBVIRT_RESOLVE(name) \
  sym_##name = (__typeof__ (name) *) dlsym (handle, #name); \
  if (sym_##name == NULL) { \
    g_set_error (error, VMCTL_LIBVIRT_ERROR, VMCTL_LIBVIRT_ERROR_MISSING, \
                 "%s lacks %s: libvirt is too old for vmctl", soname, #name); \
    return FALSE; \
  }
  VMCTL_LIBVIRT_SYMBOLS (VMCTL_LIBVIRT_RESOLVE)
#undef VMCTL_LIBVIRT_RESOLVE

  /* virInitialize makes libvirt safe to use from several threads (the
   * lifecycle runs VMs concurrently); then silence its own printing */
  if (sym_virInitialize () < 0) {
    g_set_error (error, VMCTL_LIBVIRT_ERROR, VMCTL_LIBVIRT_ERROR_MISSING,
                 "libvirt failed to initialise");
    return FALSE;
  }
  sym_virSetErrorFunc (NULL, ignore_libvirt_error);
  /* the handle stays open for the life of the process */
  return TRUE;
}

/**
 * vmctl_libvirt_load:
 * @error: VMCTL_LIBVIRT_ERROR_MISSING when libvirt is not installed or too old
 *
 * Loads libvirt once per process; later calls return the first result.
 * Every path into libvirt (vmctl_connect_open() above all) calls this first.
 */
gboolean
vmctl_libvirt_load (GError **error)
{
  static gsize once;

  if (g_once_init_enter (&once)) {
    loaded = load_once (&load_error);
    g_once_init_leave (&once, 1);
  }
  if (!loaded && error != NULL)
    *error = g_error_copy (load_error);
  return loaded;
}

gboolean
vmctl_libvirt_loaded (void)
{
  return loaded;
}
