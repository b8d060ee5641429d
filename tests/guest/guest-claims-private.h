/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims-private.h: shared between the guest-claims-*.c files. */
#pragma once

#include "guest-claims.h"

G_BEGIN_DECLS

typedef struct {
  gboolean known;      /* the firmware's Secure Boot state could be derived */
  gboolean enforced;   /* Secure Boot on with keys enrolled: the guest sees SecureBoot=1 */
  gchar *why;          /* where that came from */
} GuestSecureBoot;

/* From <os><firmware><feature> when the XML has them, else from the QEMU
 * firmware descriptor whose executable and NVRAM template are the
 * XML's loader and template. */
GuestSecureBoot guest_claims_secure_boot (xmlDoc *live);
void guest_claims_check_hypervisor (GPtrArray *rows, xmlDoc *live, const GuestReport *report);
void guest_claims_check_pci (GPtrArray *rows, xmlDoc *live, const GuestReport *report);

G_END_DECLS
