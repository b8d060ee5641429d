/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-xml.c: the domain XML from xml-templates/. The skeleton
 * (domain.xml) becomes the document; fragments are copied in and filled
 * with xmlSetProp() and literal text nodes (vmctl-domain-builder.c), so no
 * value from a spec is ever parsed as markup. Every decision comes from
 * vmctl-domain-layout.c; this file writes the top-level sections,
 * vmctl-domain-metadata.c the <metadata>, vmctl-domain-devices.c the
 * <devices>. */
#include "vmctl-domain-xml-private.h"

#include <libxml/relaxng.h>
#include <libxml/xmlsave.h>

#include "vmctl-autocleanups.h"

G_DEFINE_QUARK (vmctl-domain-xml-error-quark, vmctl_domain_xml_error)

typedef xmlRelaxNG VmctlRelaxNG;
typedef xmlRelaxNGParserCtxt VmctlRelaxNGParserContext;
typedef xmlRelaxNGValidCtxt VmctlRelaxNGValidContext;
typedef xmlBuffer VmctlXmlBuffer;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlRelaxNG, xmlRelaxNGFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlRelaxNGParserContext, xmlRelaxNGFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlRelaxNGValidContext, xmlRelaxNGFreeValidCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlXmlBuffer, xmlBufferFree)

static gboolean
build_memory (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
              const VmctlDomainLayout *layout, GError **error)
{
  g_autofree gchar *memory = vmctl_domain_format_uint (spec->memory_kib);
  g_autofree gchar *page = vmctl_domain_format_uint (layout->hugepage_kib);
  g_autofree gchar *limit = vmctl_domain_format_uint (layout->hard_limit_kib);
  xmlNodePtr node;

  node = vmctl_domain_builder_find (builder, domain, "memory", error);
  if (node == NULL || !vmctl_domain_builder_set_text (node, memory, error))
    return FALSE;
  node = vmctl_domain_builder_find (builder, domain, "currentMemory", error);
  if (node == NULL || !vmctl_domain_builder_set_text (node, memory, error))
    return FALSE;

  /* libvirt's tuning guide: <locked/> only with a hard limit */
  node = vmctl_domain_builder_find (builder, domain, "memtune", error);
  if (node == NULL)
    return FALSE;
  if (!layout->memory_locked) {
    if (!vmctl_domain_builder_remove (builder, domain, "memtune", error))
      return FALSE;
  } else {
    node = vmctl_domain_builder_replace (builder, node, "memtune.xml", error);
    node = node != NULL ? vmctl_domain_builder_find (builder, node, "hard_limit", error) : NULL;
    if (node == NULL || !vmctl_domain_builder_set_text (node, limit, error))
      return FALSE;
  }

  node = vmctl_domain_builder_find (builder, domain, "memoryBacking", error);
  if (node == NULL)
    return FALSE;
  if (layout->hugepage_kib == 0 && !layout->memory_locked)
    return vmctl_domain_builder_remove (builder, domain, "memoryBacking", error);
  node = vmctl_domain_builder_replace (builder, node, "memory-backing.xml", error);
  if (node == NULL)
    return FALSE;
  if (layout->hugepage_kib == 0) {
    if (!vmctl_domain_builder_remove (builder, node, "hugepages", error))
      return FALSE;
  } else if (!vmctl_domain_builder_set_at (builder, node, "hugepages/page", "size", page, error)) {
    return FALSE;
  }
  return layout->memory_locked || vmctl_domain_builder_remove (builder, node, "locked", error);
}

static gboolean
build_vcpus (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
             const VmctlDomainLayout *layout, GError **error)
{
  g_autofree gchar *vcpus = vmctl_domain_format_uint (spec->vcpus);
  const VmctlCpuPinning *pinning = layout->pinning;
  xmlNodePtr node = vmctl_domain_builder_find (builder, domain, "vcpu", error);
  xmlNodePtr cputune;
  xmlNodePtr prototype;

  if (node == NULL || !vmctl_domain_builder_set_text (node, vcpus, error))
    return FALSE;

  node = vmctl_domain_builder_find (builder, domain, "iothreads", error);
  if (node == NULL)
    return FALSE;
  if (layout->iothread) {
    if (vmctl_domain_builder_replace (builder, node, "iothreads.xml", error) == NULL)
      return FALSE;
  } else if (!vmctl_domain_builder_remove (builder, domain, "iothreads", error)) {
    return FALSE;
  }

  node = vmctl_domain_builder_find (builder, domain, "cputune", error);
  if (node == NULL)
    return FALSE;
  if (pinning == NULL)
    return vmctl_domain_builder_remove (builder, domain, "cputune", error);
  cputune = vmctl_domain_builder_replace (builder, node, "cputune.xml", error);
  prototype = cputune != NULL ? vmctl_domain_builder_find (builder, cputune, "vcpupin", error) : NULL;
  if (prototype == NULL)
    return FALSE;
  for (guint i = 0; i < pinning->vcpu_cpus->len; i++) {
    g_autofree gchar *vcpu = vmctl_domain_format_uint (i);
    g_autofree gchar *cpuset = vmctl_domain_format_uint (g_array_index (pinning->vcpu_cpus, guint, i));

    node = vmctl_domain_builder_clone (builder, prototype, error);
    if (node == NULL
        || !vmctl_domain_builder_set (builder, node, "vcpu", vcpu, error)
        || !vmctl_domain_builder_set (builder, node, "cpuset", cpuset, error))
      return FALSE;
  }
  if (pinning->emulator_cpus->len == 0) {
    /* every CPU runs a vCPU: the emulator floats, as without pinning */
    if (!vmctl_domain_builder_remove (builder, cputune, "emulatorpin", error))
      return FALSE;
  } else {
    g_autofree gchar *cpuset = vmctl_cpu_list_format ((const guint *) pinning->emulator_cpus->data,
                                                      pinning->emulator_cpus->len);

    if (!vmctl_domain_builder_set_at (builder, cputune, "emulatorpin", "cpuset", cpuset, error))
      return FALSE;
    if (layout->iothread
        && !vmctl_domain_builder_set_at (builder, cputune, "iothreadpin", "cpuset", cpuset, error))
      return FALSE;
  }
  if (!layout->iothread && !vmctl_domain_builder_remove (builder, cputune, "iothreadpin", error))
    return FALSE;
  vmctl_domain_builder_remove_prototypes (builder, cputune);
  return TRUE;
}

/* Firmware by explicit paths (<loader> + <nvram template>) rather than
 * <os firmware='efi'> with <firmware><feature/></firmware> constraints.
 * libvirt before 9.2 refuses the two together ("loader attribute
 * 'readonly' cannot be specified when firmware autoselection is enabled";
 * Debian 12 has 9.0), and constraints alone leave the choice to libvirt
 * at start time, so the defined domain would show no loader at all. The
 * paths come from the descriptor vmctl chose by libvirt's own rules plus
 * the constraints libvirt would need (never a secure-boot build for
 * plain efi: FACTS.md, Firmware), so libvirt has nothing left to pick. */
/* libvirt's order: type, firmware, loader, nvram, boot */
static void
move_children_before (xmlNodePtr fragment, xmlNodePtr boot)
{
  while (fragment->children != NULL) {
    xmlNodePtr child = fragment->children;

    xmlUnlinkNode (child);
    xmlAddPrevSibling (boot, child);
  }
  xmlFreeNode (fragment);
}

/* A host whose firmware descriptors vmctl cannot read (a remote one):
 * <os firmware='efi'> lets its libvirt pick the build at start, under
 * explicit constraints so plain efi never gets a Secure Boot build
 * (FACTS.md, Firmware); libvirt 9.0 takes <loader secure='yes'/> with
 * autoselection (it refuses readonly, type and a path there). */
static gboolean
build_os_auto (VmctlDomainBuilder *builder, xmlNodePtr os, xmlNodePtr boot,
               const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr fragment = vmctl_domain_builder_fragment (builder, "os-uefi-auto.xml", error);
  const gchar *secure = vmctl_domain_yes_no (layout->secure_boot);

  if (fragment == NULL)
    return FALSE;
  /* a constant, and an attribute the skeleton cannot carry for the
   * other firmware kinds */
  xmlSetProp (os, (const xmlChar *) "firmware", (const xmlChar *) "efi");
  if (!vmctl_domain_builder_set_at (builder, fragment, "firmware/feature[@name='enrolled-keys']",
                                       "enabled", vmctl_domain_yes_no (layout->enrolled_keys), error)
      || !vmctl_domain_builder_set_at (builder, fragment, "firmware/feature[@name='secure-boot']",
                                       "enabled", secure, error)
      || !vmctl_domain_builder_set_at (builder, fragment, "loader", "secure", secure, error)) {
    xmlFreeNode (fragment);
    return FALSE;
  }
  move_children_before (fragment, boot);
  return TRUE;
}

static gboolean
build_os (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
          const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr os = vmctl_domain_builder_find (builder, domain, "os", error);
  xmlNodePtr boot;
  xmlNodePtr fragment;
  xmlNodePtr loader;

  if (os == NULL || !vmctl_domain_builder_set_at (builder, os, "type", "machine", spec->machine, error))
    return FALSE;
  boot = vmctl_domain_builder_find (builder, os, "boot", error);
  if (boot == NULL)
    return FALSE;
  if (spec->cdrom != NULL) {
    /* a blank disk fails to boot and the firmware falls through to the
     * installer; once installed the disk boots first */
    xmlNodePtr cdrom = xmlAddNextSibling (boot, xmlDocCopyNode (boot, builder->document, 1));

    xmlSetProp (cdrom, (const xmlChar *) "dev", (const xmlChar *) "cdrom");
  }
  if (layout->firmware_auto)
    return build_os_auto (builder, os, boot, layout, error);
  if (layout->firmware == NULL)
    return TRUE;

  fragment = vmctl_domain_builder_fragment (builder, "os-uefi.xml", error);
  if (fragment == NULL)
    return FALSE;
  loader = vmctl_domain_builder_find (builder, fragment, "loader", error);
  if (loader == NULL
      || !vmctl_domain_builder_set (builder, loader, "secure", vmctl_domain_yes_no (layout->secure_boot), error)
      || !vmctl_domain_builder_set_at (builder, fragment, "nvram", "template",
                                       layout->firmware->nvram_template, error)
      || !vmctl_domain_builder_set_text (loader, layout->firmware->executable, error)) {
    xmlFreeNode (fragment);
    return FALSE;
  }
  move_children_before (fragment, boot);
  return TRUE;
}

static gboolean
build_features (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
                const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr features = vmctl_domain_builder_find (builder, domain, "features", error);

  if (features == NULL)
    return FALSE;
  /* libvirt's order: acpi, apic, hyperv, kvm, vmport, smm. The template
   * lists every enlightenment; those the layout does not keep (the host
   * lacks them, or TCG) are removed, and an empty <hyperv> with them. */
  if (layout->hyperv_features->len > 0) {
    xmlNodePtr hyperv = vmctl_domain_builder_append (builder, features, "features-hyperv.xml", error);
    xmlNodePtr child;

    if (hyperv == NULL)
      return FALSE;
    if (spec->hyperv_vendor_id != NULL
        && !vmctl_domain_builder_set_at (builder, hyperv, "vendor_id", "value",
                                         spec->hyperv_vendor_id, error))
      return FALSE;
    child = hyperv->children;
    while (child != NULL) {
      xmlNodePtr next = child->next;

      if (child->type == XML_ELEMENT_NODE
          && !g_ptr_array_find_with_equal_func (layout->hyperv_features, child->name,
                                                g_str_equal, NULL)
          && !vmctl_domain_builder_remove (builder, hyperv, (const gchar *) child->name, error))
        return FALSE;
      child = next;
    }
  }
  if (spec->kvm_hidden
      && vmctl_domain_builder_append (builder, features, "features-kvm-hidden.xml", error) == NULL)
    return FALSE;
  if (spec->vmport_off
      && vmctl_domain_builder_append (builder, features, "features-vmport-off.xml", error) == NULL)
    return FALSE;
  if (layout->smm
      && vmctl_domain_builder_append (builder, features, "features-smm.xml", error) == NULL)
    return FALSE;
  return TRUE;
}

/* The mode is the layout's (vmctl-domain-layout.c says why); the three
 * templates share topology, cache and the topoext feature, which are
 * removed when not wanted. */
static gboolean
build_cpu (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlDomainLayout *layout,
           GError **error)
{
  g_autofree gchar *cores = vmctl_domain_format_uint (layout->cores);
  g_autofree gchar *threads = vmctl_domain_format_uint (layout->threads);
  xmlNodePtr node = vmctl_domain_builder_find (builder, domain, "cpu", error);

  if (node == NULL)
    return FALSE;
  node = vmctl_domain_builder_replace (builder, node, layout->cpu_template, error);
  if (node == NULL
      || !vmctl_domain_builder_set_at (builder, node, "topology", "cores", cores, error)
      || !vmctl_domain_builder_set_at (builder, node, "topology", "threads", threads, error))
    return FALSE;
  /* host-model's template has no <cache>: libvirt would refuse one */
  if (!layout->cache_passthrough && g_strcmp0 (layout->cpu_template, "cpu-host-model.xml") != 0
      && !vmctl_domain_builder_remove (builder, node, "cache", error))
    return FALSE;
  if (!layout->topoext
      && !vmctl_domain_builder_remove (builder, node, "feature[@name='topoext']", error))
    return FALSE;
  return TRUE;
}

/* the Hyper-V clock (QEMU's hv-time) only where the layout keeps it:
 * under TCG QEMU would get hv-time=on without any other enlightenment */
static gboolean
build_clock (VmctlDomainBuilder *builder, xmlNodePtr domain, const VmctlSpec *spec,
             const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr node = vmctl_domain_builder_find (builder, domain, "clock", error);

  if (node == NULL)
    return FALSE;
  node = vmctl_domain_builder_replace (builder, node,
                                       spec->clock == VMCTL_CLOCK_WINDOWS ? "clock-windows.xml"
                                                                          : "clock-utc.xml",
                                       error);
  if (node == NULL)
    return FALSE;
  return spec->clock != VMCTL_CLOCK_WINDOWS || layout->hypervclock
         || vmctl_domain_builder_remove (builder, node, "timer[@name='hypervclock']", error);
}

static gboolean
build (VmctlDomainBuilder *builder, const VmctlSpec *spec, const VmctlPlan *plan,
       const VmctlDomainLayout *layout, GError **error)
{
  xmlNodePtr domain = xmlDocGetRootElement (builder->document);
  xmlNodePtr node;

  if (!vmctl_domain_builder_set (builder, domain, "type", vmctl_virt_type_to_string (spec->virt_type), error))
    return FALSE;
  node = vmctl_domain_builder_find (builder, domain, "name", error);
  if (node == NULL || !vmctl_domain_builder_set_text (node, spec->name, error))
    return FALSE;

  return vmctl_domain_build_metadata (builder, domain, spec, plan, layout, error)
         && build_memory (builder, domain, spec, layout, error)
         && build_vcpus (builder, domain, spec, layout, error)
         && build_os (builder, domain, spec, layout, error)
         && build_features (builder, domain, spec, layout, error)
         && build_cpu (builder, domain, layout, error)
         && build_clock (builder, domain, spec, layout, error)
         && vmctl_domain_build_devices (builder, spec, layout, error)
         && vmctl_domain_build_desk (builder, spec, error);
}

/**
 * vmctl_domain_xml_build_with_facts:
 * @facts: the host the domain is for (vmctl-host-facts.h): its CPU
 *   topology, hugepage pools and mounts, firmware, Hyper-V and TPM
 *   decide pinning, page size, loader and features
 * @spec: the request, every field resolved (profile defaults applied)
 * @plan: (nullable): the host functions to assign; NULL for none
 * @error: VMCTL_DOMAIN_XML_ERROR_TEMPLATE (a template is missing or does
 *   not match the builder), _FIRMWARE (no descriptor satisfies the
 *   firmware kind: the message says what is missing), _TOPOLOGY (pinning
 *   impossible on this host), _INVALID (spec and plan disagree), or
 *   VMCTL_HOST_FACTS_ERROR_HUGEPAGES (no page size can back the memory)
 *
 * The same inputs give the same document, byte for byte: no UUID (libvirt
 * makes one on define), no MAC address, no timestamp.
 *
 * Returns: (transfer full): the domain document, or NULL with @error set
 */
xmlDocPtr
vmctl_domain_xml_build_with_facts (VmctlHostFacts *facts, const VmctlSpec *spec,
                                   const VmctlPlan *plan, GError **error)
{
  VmctlDomainBuilder builder = { 0 };
  VmctlDomainLayout layout = { 0 };
  xmlDocPtr document = NULL;

  g_return_val_if_fail (facts != NULL, NULL);
  g_return_val_if_fail (spec != NULL && spec->name != NULL && spec->machine != NULL, NULL);
  g_return_val_if_fail (spec->vcpus > 0, NULL);

  if (vmctl_domain_layout_resolve (facts, spec, plan, &layout, error)
      && vmctl_domain_builder_init (&builder, error)
      && build (&builder, spec, plan, &layout, error))
    document = vmctl_domain_builder_finish (&builder, error);
  vmctl_domain_layout_clear (&layout);
  vmctl_domain_builder_clear (&builder);
  return document;
}

/**
 * vmctl_domain_xml_build:
 * @host: a host root whose files describe the host (FILES facts)
 *
 * vmctl_domain_xml_build_with_facts() for a host root.
 *
 * Returns: (transfer full): the domain document, or NULL with @error set
 */
xmlDocPtr
vmctl_domain_xml_build (VmctlHost *host, const VmctlSpec *spec, const VmctlPlan *plan,
                        GError **error)
{
  g_autoptr(VmctlHostFacts) facts = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  facts = vmctl_host_facts_new_from_files (host);
  return vmctl_domain_xml_build_with_facts (facts, spec, plan, error);
}

/**
 * vmctl_domain_xml_to_string:
 * @document: a domain from vmctl_domain_xml_build()
 *
 * Indented by two spaces, UTF-8, no XML declaration (as virsh dumpxml
 * prints it), ending in a newline.
 *
 * Returns: (transfer full): the text
 */
gchar *
vmctl_domain_xml_to_string (xmlDocPtr document)
{
  g_autoptr(VmctlXmlBuffer) buffer = xmlBufferCreate ();
  xmlSaveCtxtPtr save;

  g_return_val_if_fail (document != NULL, NULL);
  if (buffer == NULL)
    g_error ("libxml2: out of memory");
  save = xmlSaveToBuffer (buffer, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
  if (save == NULL)
    g_error ("libxml2: out of memory");
  xmlSaveDoc (save, document);
  xmlSaveClose (save);
  return g_strndup ((const gchar *) xmlBufferContent (buffer), (gsize) xmlBufferLength (buffer));
}

/* const: libxml2 2.12 made the callback's error const; older versions
 * pass the same struct non-const, and the cast below bridges the two */
static void
collect_validity_error (void *data, const xmlError *validity_error)
{
  GPtrArray *messages = data;

  /* the first few say what is wrong; RelaxNG repeats itself after that */
  if (messages->len < 3 && validity_error != NULL && validity_error->message != NULL) {
    g_autofree gchar *message = g_strstrip (g_strdup (validity_error->message));

    g_ptr_array_add (messages, g_strdup_printf ("line %d: %s", validity_error->line, message));
  }
}

struct _VmctlDomainSchema {
  gchar *path;
  xmlRelaxNGPtr schema;
};

/**
 * vmctl_domain_schema_load:
 * @schema_path: (nullable): a RelaxNG schema; NULL for libvirt's
 *   VMCTL_LIBVIRT_DOMAIN_SCHEMA
 * @error: VMCTL_DOMAIN_XML_ERROR_SCHEMA when the file is missing or is
 *   not a RelaxNG schema
 *
 * Compiling libvirt's domain schema is most of the cost of validating
 * (tens of milliseconds, far more under a sanitizer): load it once and
 * validate many documents with it.
 *
 * Returns: (transfer full): the compiled schema, freed with
 *   vmctl_domain_schema_free()
 */
VmctlDomainSchema *
vmctl_domain_schema_load (const gchar *schema_path, GError **error)
{
  g_autoptr(VmctlRelaxNGParserContext) parser = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  const gchar *path = schema_path != NULL ? schema_path : VMCTL_LIBVIRT_DOMAIN_SCHEMA;
  VmctlDomainSchema *schema;
  xmlRelaxNGPtr compiled;

  /* checked first: libxml2 would print its own "failed to load" line */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA,
                 "no schema %s (libvirt's schemas are in libvirt-daemon-common)", path);
    return NULL;
  }
  parser = xmlRelaxNGNewParserCtxt (path);
  if (parser == NULL)
    g_error ("libxml2: out of memory");
  xmlRelaxNGSetParserStructuredErrors (parser, (xmlStructuredErrorFunc) collect_validity_error,
                                       messages);
  compiled = xmlRelaxNGParse (parser);
  if (compiled == NULL) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA,
                 "cannot load the schema %s%s%s", path, messages->len > 0 ? ": " : "",
                 messages->len > 0 ? (const gchar *) g_ptr_array_index (messages, 0) : "");
    return NULL;
  }
  schema = g_new0 (VmctlDomainSchema, 1);
  schema->path = g_strdup (path);
  schema->schema = compiled;
  return schema;
}

/**
 * vmctl_domain_schema_free:
 * @schema: (nullable)
 */
void
vmctl_domain_schema_free (VmctlDomainSchema *schema)
{
  if (schema == NULL)
    return;
  xmlRelaxNGFree (schema->schema);
  g_free (schema->path);
  g_free (schema);
}

/**
 * vmctl_domain_schema_validate:
 * @document: a domain document
 * @error: VMCTL_DOMAIN_XML_ERROR_SCHEMA when it does not validate, with
 *   libxml2's first messages
 *
 * What `virt-xml-validate FILE domain` checks, in-process.
 */
gboolean
vmctl_domain_schema_validate (VmctlDomainSchema *schema, xmlDocPtr document, GError **error)
{
  g_autoptr(VmctlRelaxNGValidContext) validator = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *joined = NULL;

  g_return_val_if_fail (schema != NULL && document != NULL, FALSE);
  validator = xmlRelaxNGNewValidCtxt (schema->schema);
  if (validator == NULL)
    g_error ("libxml2: out of memory");
  xmlRelaxNGSetValidStructuredErrors (validator, (xmlStructuredErrorFunc) collect_validity_error,
                                      messages);
  if (xmlRelaxNGValidateDoc (validator, document) == 0)
    return TRUE;
  g_ptr_array_add (messages, NULL);
  joined = g_strjoinv ("; ", (gchar **) messages->pdata);
  g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA,
               "the domain does not validate against %s: %s", schema->path,
               joined[0] != '\0' ? joined : "no details");
  return FALSE;
}

/**
 * vmctl_domain_xml_validate:
 * @document: a domain document
 * @schema_path: (nullable): as for vmctl_domain_schema_load()
 * @error: VMCTL_DOMAIN_XML_ERROR_SCHEMA
 *
 * vmctl_domain_schema_load() and vmctl_domain_schema_validate() in one,
 * for a single document.
 */
gboolean
vmctl_domain_xml_validate (xmlDocPtr document, const gchar *schema_path, GError **error)
{
  g_autoptr(VmctlDomainSchema) schema = NULL;

  g_return_val_if_fail (document != NULL, FALSE);
  schema = vmctl_domain_schema_load (schema_path, error);
  return schema != NULL && vmctl_domain_schema_validate (schema, document, error);
}
