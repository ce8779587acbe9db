/*
 * central.h - what central's resource files share.
 *
 * Central is the installation's API: policies, violations, images,
 * vulnerabilities, integrations and the portal. Its handlers live one file
 * per API resource (ping.c, metadata.c, ...); main.c only wires them.
 */
#ifndef ASEC_CENTRAL_H
#define ASEC_CENTRAL_H

#include "central_api.h"

#endif
