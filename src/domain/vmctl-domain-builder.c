/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-builder.c: the template primitives the domain builder is
 * made of: find the template directory, parse a template once per build,
 * copy fragments in, find nodes with XPath, fill attributes the template
 * already has, remove optional parts, and check at the end that no
 * placeholder was left unfilled. */
#include "vmctl-domain-xml-private.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "vmctl-autocleanups.h"
#include "vmctl-config.h"
#include "vmctl-uninstalled.h"

/* A template attribute the builder must fill holds "@NAME@". */
#define PLACEHOLDER_PATTERN "^@[A-Z0-9_]+@$"

typedef xmlParserCtxt VmctlXmlParserContext;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlXmlParserContext, xmlFreeParserCtxt)

static const gchar *
getenv_nonempty (const gchar *name)
{
  const gchar *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

/**
 * vmctl_template_dir:
 *
 * $VMCTL_TEMPLATE_DIR when set (tests, relocated installs), else the
 * source tree's xml-templates/ for a vmctl run from its build tree
 * (vmctl_uninstalled_dir()), else the installed templates.
 *
 * Returns: (transfer full): the directory holding domain.xml
 */
gchar *
vmctl_template_dir (void)
{
  const gchar *directory = getenv_nonempty ("VMCTL_TEMPLATE_DIR");
  gchar *uninstalled;

  if (directory != NULL)
    return g_strdup (directory);
  uninstalled = vmctl_uninstalled_dir (VMCTL_UNINSTALLED_TEMPLATE_DIR);
  if (uninstalled != NULL)
    return uninstalled;
  return g_strdup (VMCTL_INSTALLED_TEMPLATE_DIR);
}

/* Templates are trusted data, but are still parsed without network
 * access or entity expansion. GLib reads the file, so a missing one is a
 * GError and not a line libxml2 prints; NOERROR keeps parse errors off
 * stderr too, and the message is returned instead. */
static xmlDocPtr
read_template (const gchar *directory, const gchar *file, GError **error)
{
  g_autofree gchar *path = g_build_filename (directory, file, NULL);
  g_autoptr(VmctlXmlParserContext) context = NULL;
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  gsize length = 0;
  xmlDocPtr document;

  if (!g_file_get_contents (path, &contents, &length, &read_error)) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                 "template %s: %s", path, read_error->message);
    return NULL;
  }
  if (length > G_MAXINT) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                 "template %s: too large", path);
    return NULL;
  }
  context = xmlNewParserCtxt ();
  if (context == NULL)
    g_error ("libxml2: out of memory");
  document = xmlCtxtReadMemory (context, contents, (int) length, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR
                                | XML_PARSE_NOWARNING);
  if (document == NULL || xmlDocGetRootElement (document) == NULL) {
    const xmlError *parse_error = xmlCtxtGetLastError (context);
    g_autofree gchar *message = g_strdup (parse_error != NULL && parse_error->message != NULL
                                          ? parse_error->message : "no root element");

    xmlFreeDoc (document);
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                 "template %s: %s", path, g_strstrip (message));
    return NULL;
  }
  return document;
}

/**
 * vmctl_domain_builder_fragment: (skip)
 *
 * Returns: a copy of @file's root element belonging to the document being
 *   built but not linked into it yet: link it, or free it
 */
xmlNodePtr
vmctl_domain_builder_fragment (VmctlDomainBuilder *builder, const gchar *file, GError **error)
{
  xmlDocPtr fragment = g_hash_table_lookup (builder->fragments, file);

  if (fragment == NULL) {
    fragment = read_template (builder->template_dir, file, error);
    if (fragment == NULL)
      return NULL;
    g_hash_table_insert (builder->fragments, g_strdup (file), fragment);
  }
  return xmlDocCopyNode (xmlDocGetRootElement (fragment), builder->document, 1);
}

/* (skip) Appends a copy of @file's root element to @parent. */
xmlNodePtr
vmctl_domain_builder_append (VmctlDomainBuilder *builder, xmlNodePtr parent, const gchar *file,
                             GError **error)
{
  xmlNodePtr node = vmctl_domain_builder_fragment (builder, file, error);

  if (node == NULL)
    return NULL;
  return xmlAddChild (parent, node);
}

static xmlXPathContextPtr
xpath_context (xmlDocPtr document, xmlNodePtr node)
{
  xmlXPathContextPtr context = xmlXPathNewContext (document);

  if (context == NULL)
    g_error ("libxml2: out of memory");
  xmlXPathRegisterNs (context, (const xmlChar *) VMCTL_METADATA_PREFIX,
                      (const xmlChar *) VMCTL_METADATA_NAMESPACE);
  context->node = node;
  return context;
}

/* (skip) The one node @xpath selects from @context; a template that has
 * none or several is broken. */
xmlNodePtr
vmctl_domain_builder_find (VmctlDomainBuilder *builder, xmlNodePtr context, const gchar *xpath,
                           GError **error)
{
  g_autoptr(xmlXPathContext) search = xpath_context (builder->document, context);
  g_autoptr(xmlXPathObject) result = xmlXPathEvalExpression ((const xmlChar *) xpath, search);
  gint count = result != NULL && result->nodesetval != NULL ? result->nodesetval->nodeNr : 0;

  if (count != 1) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                 "template in %s: %s under <%s> matches %d nodes, not 1",
                 builder->template_dir, xpath, (const gchar *) context->name, count);
    return NULL;
  }
  return result->nodesetval->nodeTab[0];
}

/* XML 1.0 cannot carry C0 control characters other than tab, newline
 * and carriage return, not even as character references: libxml2 would
 * write "&#1;" and no parser, libvirt's included, reads that back. Such a
 * value is refused, and so is text that is not UTF-8. */
static gboolean
check_value (const gchar *value, GError **error)
{
  if (!g_utf8_validate (value, -1, NULL)) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                 "a value is not valid UTF-8");
    return FALSE;
  }
  for (const gchar *p = value; *p != '\0'; p++) {
    if ((guchar) *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
      g_autofree gchar *escaped = g_strescape (value, NULL);

      g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_INVALID,
                   "'%s' holds a control character XML cannot carry", escaped);
      return FALSE;
    }
  }
  return TRUE;
}

/* (skip) Sets an attribute the template already has, so a template and
 * the builder that drifted apart fail loudly instead of emitting a
 * half-filled element. */
gboolean
vmctl_domain_builder_set (VmctlDomainBuilder *builder, xmlNodePtr node, const gchar *attribute,
                          const gchar *value, GError **error)
{
  xmlAttrPtr property;

  if (xmlHasProp (node, (const xmlChar *) attribute) == NULL) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                 "template in %s: <%s> has no %s attribute to fill",
                 builder->template_dir, (const gchar *) node->name, attribute);
    return FALSE;
  }
  if (!check_value (value, error))
    return FALSE;
  property = xmlSetProp (node, (const xmlChar *) attribute, (const xmlChar *) value);
  g_hash_table_add (builder->filled, property);
  return TRUE;
}

/* (skip) vmctl_domain_builder_set() on the node @xpath selects. */
gboolean
vmctl_domain_builder_set_at (VmctlDomainBuilder *builder, xmlNodePtr context, const gchar *xpath,
                             const gchar *attribute, const gchar *value, GError **error)
{
  xmlNodePtr node = vmctl_domain_builder_find (builder, context, xpath, error);

  return node != NULL && vmctl_domain_builder_set (builder, node, attribute, value, error);
}

/* (skip) Removes the optional part of a template the spec does not want. */
gboolean
vmctl_domain_builder_remove (VmctlDomainBuilder *builder, xmlNodePtr context, const gchar *xpath,
                             GError **error)
{
  xmlNodePtr node = vmctl_domain_builder_find (builder, context, xpath, error);

  if (node == NULL)
    return FALSE;
  if (node->type == XML_ATTRIBUTE_NODE) {
    xmlRemoveProp ((xmlAttrPtr) node);
  } else {
    xmlUnlinkNode (node);
    xmlFreeNode (node);
  }
  return TRUE;
}

/* (skip) The text of an element the template placed empty. A text node is
 * the literal counterpart of xmlNewTextChild() for an element that already
 * exists: its content is never parsed, and libxml2 escapes it on output. */
gboolean
vmctl_domain_builder_set_text (xmlNodePtr node, const gchar *value, GError **error)
{
  if (!check_value (value, error))
    return FALSE;
  xmlAddChild (node, xmlNewDocText (node->doc, (const xmlChar *) value));
  return TRUE;
}

/* (skip) Swaps a skeleton placeholder element for a fragment, keeping its
 * place. */
xmlNodePtr
vmctl_domain_builder_replace (VmctlDomainBuilder *builder, xmlNodePtr placeholder,
                              const gchar *file, GError **error)
{
  xmlNodePtr node = vmctl_domain_builder_fragment (builder, file, error);

  if (node == NULL)
    return NULL;
  xmlReplaceNode (placeholder, node);
  xmlFreeNode (placeholder);
  return node;
}

/* (skip) A copy of @prototype inserted before it, for repeated elements such as
 * <vcpupin>. xmlDOMWrapCloneNode() resolves namespaces against the
 * destination parent, so a cloned <vmctl:gpu> uses the declaration on
 * <vmctl:vmctl> instead of repeating xmlns:vmctl. */
xmlNodePtr
vmctl_domain_builder_clone (VmctlDomainBuilder *builder, xmlNodePtr prototype, GError **error)
{
  xmlNodePtr copy = NULL;

  if (xmlDOMWrapCloneNode (NULL, builder->document, prototype, &copy, builder->document,
                           prototype->parent, 1, 0) != 0 || copy == NULL) {
    g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                 "template in %s: cannot copy <%s>", builder->template_dir,
                 (const gchar *) prototype->name);
    return NULL;
  }
  xmlUnsetProp (copy, (const xmlChar *) "prototype");
  return xmlAddPrevSibling (prototype, copy);
}

static gboolean
is_prototype (xmlNodePtr node)
{
  g_autofree xmlChar *value = xmlGetProp (node, (const xmlChar *) "prototype");

  return g_strcmp0 ((const gchar *) value, "yes") == 0;
}

/* Whether a prototype="yes" element encloses @node: then @node goes when
 * that one is freed, and freeing it as well would be a double free. */
static gboolean
inside_prototype (xmlNodePtr node)
{
  for (xmlNodePtr parent = node->parent; parent != NULL && parent->type == XML_ELEMENT_NODE;
       parent = parent->parent)
    if (is_prototype (parent))
      return TRUE;
  return FALSE;
}

/* The outermost prototype="yes" elements under @context, in document
 * order. The XPath result is freed before this returns, so no node is ever
 * freed while a node set still points at it: xmlXPathFreeObject() reads
 * every node of its set (the type of each, to free namespace nodes), so
 * freeing the nodes first is a use after free that ASan cannot see inside
 * libxml2 and valgrind does. */
static GPtrArray *
find_prototypes (VmctlDomainBuilder *builder, xmlNodePtr context)
{
  g_autoptr(xmlXPathContext) xpath = xpath_context (builder->document, context);
  g_autoptr(xmlXPathObject) result =
    xmlXPathEvalExpression ((const xmlChar *) ".//*[@prototype='yes']", xpath);
  GPtrArray *outermost = g_ptr_array_new ();

  for (gint i = 0; result != NULL && result->nodesetval != NULL && i < result->nodesetval->nodeNr; i++) {
    xmlNodePtr node = result->nodesetval->nodeTab[i];

    /* decided on the intact tree: nothing is unlinked yet */
    if (!inside_prototype (node))
      g_ptr_array_add (outermost, node);
  }
  return outermost;
}

/* (skip) Removes every prototype="yes" element under @context, nested
 * ones with the element that holds them. */
void
vmctl_domain_builder_remove_prototypes (VmctlDomainBuilder *builder, xmlNodePtr context)
{
  g_autoptr(GPtrArray) prototypes = find_prototypes (builder, context);

  for (guint i = 0; i < prototypes->len; i++) {
    xmlNodePtr node = g_ptr_array_index (prototypes, i);

    xmlUnlinkNode (node);
    xmlFreeNode (node);
  }
}

/* (skip) Sets @attribute to @value, or removes it when @value is NULL:
 * optional attributes are absent rather than empty. */
gboolean
vmctl_domain_builder_set_or_remove (VmctlDomainBuilder *builder, xmlNodePtr node,
                                    const gchar *attribute, const gchar *value, GError **error)
{
  if (value != NULL)
    return vmctl_domain_builder_set (builder, node, attribute, value, error);
  xmlUnsetProp (node, (const xmlChar *) attribute);
  return TRUE;
}

/* The last line of defence against a template the builder does not know:
 * a "@NAME@" attribute the builder never set is a template bug. Values the
 * builder set are skipped, whatever they hold: they come from the user. */
static gboolean
check_placeholders (VmctlDomainBuilder *builder, xmlNodePtr node, GRegex *placeholder,
                    GError **error)
{
  for (; node != NULL; node = node->next) {
    if (node->type != XML_ELEMENT_NODE)
      continue;
    for (xmlAttrPtr property = node->properties; property != NULL; property = property->next) {
      g_autofree xmlChar *value = NULL;

      if (g_hash_table_contains (builder->filled, property))
        continue;
      value = xmlNodeGetContent ((xmlNodePtr) property);
      if (value != NULL && g_regex_match (placeholder, (const gchar *) value, 0, NULL)) {
        g_set_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_TEMPLATE,
                     "template in %s: <%s %s='%s'> was never filled", builder->template_dir,
                     (const gchar *) node->name, (const gchar *) property->name,
                     (const gchar *) value);
        return FALSE;
      }
    }
    if (!check_placeholders (builder, node->children, placeholder, error))
      return FALSE;
  }
  return TRUE;
}

/* (skip) Loads the skeleton as the document to build; the builder owns
 * it until vmctl_domain_builder_finish(). */
gboolean
vmctl_domain_builder_init (VmctlDomainBuilder *builder, GError **error)
{
  xmlNodePtr domain;
  xmlNodePtr node;

  builder->template_dir = vmctl_template_dir ();
  builder->fragments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) xmlFreeDoc);
  builder->filled = g_hash_table_new (g_direct_hash, g_direct_equal);
  builder->document = read_template (builder->template_dir, "domain.xml", error);
  if (builder->document == NULL)
    return FALSE;
  domain = xmlDocGetRootElement (builder->document);
  /* the skeleton's comments document the template, not the domain */
  for (node = builder->document->children; node != NULL;) {
    xmlNodePtr next = node->next;

    if (node != domain) {
      xmlUnlinkNode (node);
      xmlFreeNode (node);
    }
    node = next;
  }
  return TRUE;
}

/* (skip) The built document, after the placeholder check; NULL with
 * @error set when a template placeholder was never filled. */
xmlDocPtr
vmctl_domain_builder_finish (VmctlDomainBuilder *builder, GError **error)
{
  g_autoptr(GRegex) placeholder = g_regex_new (PLACEHOLDER_PATTERN, 0, 0, NULL);

  if (!check_placeholders (builder, xmlDocGetRootElement (builder->document), placeholder, error))
    return NULL;
  return g_steal_pointer (&builder->document);
}

/* (skip) Frees what the builder holds, the document too unless
 * vmctl_domain_builder_finish() handed it out. */
void
vmctl_domain_builder_clear (VmctlDomainBuilder *builder)
{
  g_clear_pointer (&builder->template_dir, g_free);
  g_clear_pointer (&builder->document, xmlFreeDoc);
  g_clear_pointer (&builder->fragments, g_hash_table_unref);
  g_clear_pointer (&builder->filled, g_hash_table_unref);
}

/**
 * vmctl_domain_format_uint: (skip)
 * Returns: (transfer full): @value in decimal, for an attribute
 */
gchar *
vmctl_domain_format_uint (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

/**
 * vmctl_domain_yes_no: (skip)
 * Returns: (transfer none): libvirt's spelling of a boolean attribute
 */
const gchar *
vmctl_domain_yes_no (gboolean value)
{
  return value ? "yes" : "no";
}
