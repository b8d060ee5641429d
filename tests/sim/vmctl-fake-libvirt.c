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
 * Every call is appended to $VMCTL_FAKE_LIBVIRT_STATE.log. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>

typedef int (*DetachFn) (virNodeDevicePtr, const char *, unsigned int);
typedef char *(*XmlFn) (virNodeDevicePtr, unsigned int);

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
