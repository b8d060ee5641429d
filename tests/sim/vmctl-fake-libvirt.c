/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-fake-libvirt.c: libvirt with node-device detach and reattach, for
 * the remote-host tests. vmctl loads it in place of libvirt.so.0 through
 * VMCTL_LIBVIRT_SONAME; everything it does not define comes from the real
 * libvirt it links (dlsym on its handle searches its dependencies), whose
 * test driver serves the scenario's node devices but implements neither
 * call. So:
 *   virNodeDeviceDetachFlags  adds the device's name to the file
 *                             $VMCTL_FAKE_LIBVIRT_STATE (one per line),
 *                             unless it is $VMCTL_FAKE_LIBVIRT_FAIL: then
 *                             the real call fails, with libvirt's error
 *   virNodeDeviceReAttach     removes it from the file
 *   virNodeDeviceGetXMLDesc   the real XML, with driver vfio-pci for the
 *                             devices in the file
 * Every call is appended to $VMCTL_FAKE_LIBVIRT_STATE.log.
 *
 * A host captured from a real one (tests/data/libvirt-facts/), for the
 * host facts, which the test driver barely has:
 *   virConnectGetCapabilities        the file $VMCTL_FAKE_LIBVIRT_CAPS
 *   virConnectGetDomainCapabilities  $VMCTL_FAKE_LIBVIRT_DOMCAPS_KVM or
 *                                    _QEMU by virt type (unset: the real
 *                                    call, which the test driver refuses)
 *   virNodeGetFreePages              $VMCTL_FAKE_LIBVIRT_FREEPAGES:
 *                                    "CELL:KIB:COUNT,..." (others 0)
 *   virNodeGetMemoryStats            total $VMCTL_FAKE_LIBVIRT_MEMORY_KIB
 * And a guest or host that misbehaves:
 *   virDomainShutdown                does nothing with
 *                                    $VMCTL_FAKE_LIBVIRT_IGNORE_SHUTDOWN
 *                                    (a guest that ignores ACPI)
 *   virDomainCreate                  fails for the domain named by
 *                                    $VMCTL_FAKE_LIBVIRT_CREATE_FAIL, as
 *                                    when QEMU refuses to start
 *   virNetworkIsActive               0 for $VMCTL_FAKE_LIBVIRT_NETWORK_INACTIVE
 *   virNetworkCreate                 succeeds on it, or fails with libvirt's
 *                                    error for a missing dnsmasq when
 *                                    $VMCTL_FAKE_LIBVIRT_NETWORK_FAIL is set */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include <libvirt/virterror.h>

typedef int (*DetachFn) (virNodeDevicePtr, const char *, unsigned int);
typedef char *(*XmlFn) (virNodeDevicePtr, unsigned int);
typedef char *(*CapsFn) (virConnectPtr);
typedef char *(*DomcapsFn) (virConnectPtr, const char *, const char *, const char *,
                            const char *, unsigned int);
typedef int (*FreePagesFn) (virConnectPtr, unsigned int, unsigned int *, int, unsigned int,
                            unsigned long long *, unsigned int);
typedef int (*MemoryStatsFn) (virConnectPtr, int, virNodeMemoryStatsPtr, int *, unsigned int);
typedef int (*DomainFn) (virDomainPtr);
typedef int (*NetworkFn) (virNetworkPtr);
/* libvirt's own error reporting (a private symbol of libvirt.so.0), so
 * the fake fails the way the daemon does */
typedef void (*RaiseFn) (const char *, const char *, size_t, int, int, int, const char *,
                         const char *, const char *, int, int, const char *, ...);

char *virConnectGetCapabilities (virConnectPtr connection);
char *virConnectGetDomainCapabilities (virConnectPtr connection, const char *emulator,
                                       const char *arch, const char *machine,
                                       const char *type, unsigned int flags);
int virNodeGetFreePages (virConnectPtr connection, unsigned int npages, unsigned int *pages,
                         int start_cell, unsigned int cell_count, unsigned long long *counts,
                         unsigned int flags);
int virNodeGetMemoryStats (virConnectPtr connection, int cell, virNodeMemoryStatsPtr params,
                           int *nparams, unsigned int flags);
int virDomainShutdown (virDomainPtr domain);
int virDomainCreate (virDomainPtr domain);
int virNetworkIsActive (virNetworkPtr network);
int virNetworkCreate (virNetworkPtr network);

int virNodeDeviceDetachFlags (virNodeDevicePtr device, const char *driver, unsigned int flags);
int virNodeDeviceReAttach (virNodeDevicePtr device);
char *virNodeDeviceGetXMLDesc (virNodeDevicePtr device, unsigned int flags);

static void *
real (const char *name)
{
  void *handle = dlopen ("libvirt.so.0", RTLD_NOW | RTLD_NOLOAD);
  void *symbol = handle != NULL ? dlsym (handle, name) : NULL;

  if (handle != NULL)
    dlclose (handle);
  return symbol;
}

static char *read_all (const char *path);

/* the file an environment variable names, or NULL when it is unset */
static char *
file_from (const char *variable)
{
  const char *path = getenv (variable);

  return path != NULL && path[0] != '\0' ? read_all (path) : NULL;
}

static char *
read_all (const char *path)
{
  FILE *file = fopen (path, "r");
  char *text = NULL;
  size_t length = 0;

  if (file == NULL)
    return strdup ("");
  if (getdelim (&text, &length, '\0', file) < 0) {
    free (text);
    text = strdup ("");
  }
  fclose (file);
  return text;
}

static int
is_detached (const char *name)
{
  const char *state = getenv ("VMCTL_FAKE_LIBVIRT_STATE");
  char *text, *line, *save = NULL;
  int found = 0;

  if (state == NULL)
    return 0;
  text = read_all (state);
  for (line = strtok_r (text, "\n", &save); line != NULL && !found;
       line = strtok_r (NULL, "\n", &save))
    found = strcmp (line, name) == 0;
  free (text);
  return found;
}

/* rewrites the state file with @name added or removed */
static void
set_detached (const char *name, int detached)
{
  const char *state = getenv ("VMCTL_FAKE_LIBVIRT_STATE");
  char *text, *line, *save = NULL;
  FILE *file;

  if (state == NULL)
    return;
  text = read_all (state);
  file = fopen (state, "w");
  if (file == NULL) {
    free (text);
    return;
  }
  for (line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    if (strcmp (line, name) != 0)
      fprintf (file, "%s\n", line);
  if (detached)
    fprintf (file, "%s\n", name);
  fclose (file);
  free (text);
}

static void
log_call (const char *call, const char *name)
{
  const char *state = getenv ("VMCTL_FAKE_LIBVIRT_STATE");
  char path[4096];
  FILE *file;

  if (state == NULL || snprintf (path, sizeof path, "%s.log", state) >= (int) sizeof path)
    return;
  file = fopen (path, "a");
  if (file != NULL) {
    fprintf (file, "%s %s\n", call, name);
    fclose (file);
  }
}

int
virNodeDeviceDetachFlags (virNodeDevicePtr device, const char *driver, unsigned int flags)
{
  const char *name = virNodeDeviceGetName (device);
  const char *fail = getenv ("VMCTL_FAKE_LIBVIRT_FAIL");

  log_call ("detach", name);
  if (fail != NULL && strcmp (fail, name) == 0)
    return ((DetachFn) real ("virNodeDeviceDetachFlags")) (device, driver, flags);
  set_detached (name, 1);
  return 0;
}

int
virNodeDeviceReAttach (virNodeDevicePtr device)
{
  const char *name = virNodeDeviceGetName (device);

  log_call ("reattach", name);
  set_detached (name, 0);
  return 0;
}

char *
virNodeDeviceGetXMLDesc (virNodeDevicePtr device, unsigned int flags)
{
  char *xml = ((XmlFn) real ("virNodeDeviceGetXMLDesc")) (device, flags);
  const char *vfio = "<driver>\n    <name>vfio-pci</name>\n  </driver>\n  ";
  char *start, *end, *patched;

  if (xml == NULL || !is_detached (virNodeDeviceGetName (device)))
    return xml;
  /* the test driver often has no <driver>: put one before the capability */
  start = strstr (xml, "<driver>");
  end = start != NULL ? strstr (start, "</driver>") : NULL;
  if (end != NULL) {
    end += strlen ("</driver>");
    while (*end == '\n' || *end == ' ')
      end++;
  } else {
    start = end = strstr (xml, "<capability");
  }
  if (start == NULL || (patched = malloc (strlen (xml) + strlen (vfio) + 1)) == NULL)
    return xml;
  memcpy (patched, xml, (size_t) (start - xml));
  strcpy (patched + (start - xml), vfio);
  strcat (patched, end);
  free (xml);
  return patched;
}

char *
virConnectGetCapabilities (virConnectPtr connection)
{
  char *xml = file_from ("VMCTL_FAKE_LIBVIRT_CAPS");

  return xml != NULL ? xml : ((CapsFn) real ("virConnectGetCapabilities")) (connection);
}

char *
virConnectGetDomainCapabilities (virConnectPtr connection, const char *emulator, const char *arch,
                                 const char *machine, const char *type, unsigned int flags)
{
  char *xml = NULL;

  if (type != NULL && strcmp (type, "kvm") == 0)
    xml = file_from ("VMCTL_FAKE_LIBVIRT_DOMCAPS_KVM");
  else if (type != NULL && strcmp (type, "qemu") == 0)
    xml = file_from ("VMCTL_FAKE_LIBVIRT_DOMCAPS_QEMU");
  if (xml != NULL)
    return xml;
  return ((DomcapsFn) real ("virConnectGetDomainCapabilities")) (connection, emulator, arch,
                                                                 machine, type, flags);
}

int
virNodeGetFreePages (virConnectPtr connection, unsigned int npages, unsigned int *pages,
                     int start_cell, unsigned int cell_count, unsigned long long *counts,
                     unsigned int flags)
{
  const char *spec = getenv ("VMCTL_FAKE_LIBVIRT_FREEPAGES");
  char *copy, *item, *save = NULL;

  if (spec == NULL)
    return ((FreePagesFn) real ("virNodeGetFreePages")) (connection, npages, pages, start_cell,
                                                         cell_count, counts, flags);
  memset (counts, 0, sizeof *counts * npages * cell_count);
  copy = strdup (spec);
  for (item = strtok_r (copy, ",", &save); item != NULL; item = strtok_r (NULL, ",", &save)) {
    unsigned int cell = 0, size = 0;
    unsigned long long count = 0;

    if (sscanf (item, "%u:%u:%llu", &cell, &size, &count) != 3
        || cell < (unsigned int) start_cell || cell >= start_cell + cell_count)
      continue;
    for (unsigned int i = 0; i < npages; i++)
      if (pages[i] == size)
        counts[(cell - start_cell) * npages + i] = count;
  }
  free (copy);
  return (int) (npages * cell_count);
}

int
virNodeGetMemoryStats (virConnectPtr connection, int cell, virNodeMemoryStatsPtr params,
                       int *nparams, unsigned int flags)
{
  const char *total = getenv ("VMCTL_FAKE_LIBVIRT_MEMORY_KIB");

  if (total == NULL)
    return ((MemoryStatsFn) real ("virNodeGetMemoryStats")) (connection, cell, params, nparams,
                                                             flags);
  if (params != NULL && *nparams >= 1) {
    snprintf (params[0].field, sizeof params[0].field, "%s", VIR_NODE_MEMORY_STATS_TOTAL);
    params[0].value = strtoull (total, NULL, 10);
  }
  *nparams = 1;
  return 0;
}

int
virDomainShutdown (virDomainPtr domain)
{
  if (getenv ("VMCTL_FAKE_LIBVIRT_IGNORE_SHUTDOWN") != NULL) {
    log_call ("shutdown-ignored", virDomainGetName (domain));
    return 0;
  }
  return ((DomainFn) real ("virDomainShutdown")) (domain);
}

int
virDomainCreate (virDomainPtr domain)
{
  RaiseFn raise_error = (RaiseFn) real ("virRaiseErrorFull");
  const char *fail = getenv ("VMCTL_FAKE_LIBVIRT_CREATE_FAIL");

  if (fail == NULL || strcmp (fail, virDomainGetName (domain)) != 0)
    return ((DomainFn) real ("virDomainCreate")) (domain);
  log_call ("create-failed", virDomainGetName (domain));
  if (raise_error != NULL)
    raise_error (__FILE__, __func__, __LINE__, VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR,
                 VIR_ERR_ERROR, NULL, NULL, NULL, 0, -1, "%s",
                 "process exited while connecting to monitor (VMCTL_FAKE_LIBVIRT_CREATE_FAIL)");
  return -1;
}

static int
is_inactive_network (virNetworkPtr network)
{
  const char *name = getenv ("VMCTL_FAKE_LIBVIRT_NETWORK_INACTIVE");

  return name != NULL && strcmp (name, virNetworkGetName (network)) == 0;
}

int
virNetworkIsActive (virNetworkPtr network)
{
  if (is_inactive_network (network))
    return 0;
  return ((NetworkFn) real ("virNetworkIsActive")) (network);
}

int
virNetworkCreate (virNetworkPtr network)
{
  RaiseFn raise_error = (RaiseFn) real ("virRaiseErrorFull");

  if (!is_inactive_network (network))
    return ((NetworkFn) real ("virNetworkCreate")) (network);
  log_call ("network-create", virNetworkGetName (network));
  if (getenv ("VMCTL_FAKE_LIBVIRT_NETWORK_FAIL") == NULL)
    return 0;
  /* what libvirt's network driver says without dnsmasq-base */
  if (raise_error != NULL)
    raise_error (__FILE__, __func__, __LINE__, VIR_FROM_NETWORK, VIR_ERR_SYSTEM_ERROR,
                 VIR_ERR_ERROR, NULL, NULL, NULL, 2, -1, "%s",
                 "Cannot check dnsmasq binary /usr/sbin/dnsmasq: No such file or directory");
  return -1;
}
