/*
 * rpm.h - the rpm package detector: installed packages from an image's rpm
 * database, whichever of the three formats it uses (see rpmdb.h).
 *
 * Files matched (exact paths from the layer root):
 *   {var/lib,usr/lib/sysimage,usr/share}/rpm/{Packages,Packages.db,rpmdb.sqlite}
 * The format is told by the content's magic, not by the name.
 *
 * Output follows claircore's rpm conventions, so that matching against Red
 * Hat data keys the same way:
 *   version         "[epoch:]version-release", the epoch only when present
 *                   and non-zero ("1:2.0.0-1.cm2", "2.32.1-42.el8_8")
 *   source_name,    from SOURCERPM "name-version-release.src.rpm", split at
 *   source_version  the last two dashes ("util-linux", "2.32.1-42.el8_8");
 *                   the source version carries no epoch (rpm records none)
 *   module          "name:stream" of MODULARITYLABEL "name:stream:version:context"
 *   repository_hint form-encoded "hash=sha256:<payload digest>&key=<signing
 *                   key id>&vendor=<VENDOR>", each part only when known
 *                   (claircore's hash and key, plus the vendor)
 *   purl            pkg:rpm/<namespace>/<name>@<version>-<release>?arch=<arch>&epoch=<e>
 *                   namespace from VENDOR for well-known vendors ("redhat",
 *                   "fedora", "suse", ...), else omitted; epoch only when non-zero
 * gpg-pubkey entries (public keys rpm stores as fake packages) and source
 * package headers are skipped.
 *
 * max_file_bytes is 256 MiB: a RHEL/UBI Packages file is 10-60 MB and grows
 * with the image, and the detector needs the whole file in memory (the SQLite
 * path briefly holds a second copy, see rpmsqlite.c).
 */
#ifndef ASEC_INDEXER_RPM_H
#define ASEC_INDEXER_RPM_H

#include <stddef.h>

#include "detectors/detector.h"

#define RPM_MAX_FILE_BYTES ((size_t)256 << 20)

extern const struct detector detector_rpm;

/* Turns one header blob into a package appended to out->pkgs, with
 * package_db as its package_db. A damaged header becomes a note. Returns
 * ASEC_OK or ASEC_ENOMEM. (Public for tests and fuzz targets.) */
int rpm_add_header(struct scan_out *out, const char *package_db, const unsigned char *blob, size_t len);

#endif
