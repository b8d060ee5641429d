/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-domain-xml.h: the libvirt domain XML for a spec and a passthrough
 * plan, built from the templates in xml-templates/ with libxml2's tree API. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include "vmctl-host.h"
#include "vmctl-plan.h"
#include "vmctl-spec.h"

G_BEGIN_DECLS

#define VMCTL_DOMAIN_XML_ERROR (vmctl_domain_xml_error_quark ())

typedef enum {
  VMCTL_DOMAIN_XML_ERROR_TEMPLATE,  /* a template is missing or malformed */
  VMCTL_DOMAIN_XML_ERROR_FIRMWARE,  /* no firmware descriptor satisfies the spec */
  VMCTL_DOMAIN_XML_ERROR_TOPOLOGY,  /* CPU pinning cannot be satisfied on this host */
  VMCTL_DOMAIN_XML_ERROR_INVALID,   /* spec and plan disagree (a ROM for an unplanned
                                     * function), or more devices than guest slots */
  VMCTL_DOMAIN_XML_ERROR_SCHEMA,    /* the document does not validate against libvirt's
                                     * RelaxNG schema (vmctl_domain_xml_validate()) */
} VmctlDomainXmlError;

GQuark vmctl_domain_xml_error_quark (void);

/* vmctl's namespace for <metadata>, where the spec and the plan are kept */
#define VMCTL_METADATA_NAMESPACE "http://vmctl.dev/xmlns/domain/1"
#define VMCTL_METADATA_PREFIX "vmctl"

xmlDocPtr vmctl_domain_xml_build (VmctlHost *host, const VmctlSpec *spec,
                                  const VmctlPlan *plan, GError **error);
typedef struct _VmctlHostFacts VmctlHostFacts;
xmlDocPtr vmctl_domain_xml_build_with_facts (VmctlHostFacts *facts, const VmctlSpec *spec,
                                             const VmctlPlan *plan, GError **error);
gchar *vmctl_domain_xml_to_string (xmlDocPtr document);
gchar *vmctl_template_dir (void);
gchar *vmctl_domain_xml_volume_name (const VmctlSpec *spec, guint disk_index);
gboolean vmctl_domain_xml_validate (xmlDocPtr document, const gchar *schema_path,
                                    GError **error);

/* A volume vmctl created for a VM (create --disk size=), recorded in the
 * VM's <metadata> when it was defined */
typedef struct {
  gchar *pool;
  gchar *volume;
  gchar *path;                        /* virStorageVolGetPath() then */
} VmctlCreatedVolume;

typedef enum {
  VMCTL_STORAGE_RECORD_NONE,          /* no vmctl metadata: not a vmctl VM */
  VMCTL_STORAGE_RECORD_MISSING,       /* vmctl metadata without <vmctl:storage>:
                                       * made before vmctl recorded its volumes */
  VMCTL_STORAGE_RECORD_PRESENT,
} VmctlStorageRecord;

void vmctl_created_volume_free (VmctlCreatedVolume *volume);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlCreatedVolume, vmctl_created_volume_free)
gboolean vmctl_domain_xml_record_volume (xmlDocPtr document, const gchar *pool,
                                         const gchar *volume, const gchar *path,
                                         GError **error);
VmctlStorageRecord vmctl_domain_xml_created_volumes (xmlDocPtr document,
                                                     GPtrArray **out_volumes);

/* libvirt's RelaxNG schema, compiled once for many documents */
typedef struct _VmctlDomainSchema VmctlDomainSchema;
VmctlDomainSchema *vmctl_domain_schema_load (const gchar *schema_path, GError **error);
gboolean vmctl_domain_schema_validate (VmctlDomainSchema *schema, xmlDocPtr document,
                                       GError **error);
void vmctl_domain_schema_free (VmctlDomainSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlDomainSchema, vmctl_domain_schema_free)

/* where libvirt installs its domain schema (libvirt-daemon-common on Debian) */
#define VMCTL_LIBVIRT_DOMAIN_SCHEMA "/usr/share/libvirt/schemas/domain.rng"

G_END_DECLS
