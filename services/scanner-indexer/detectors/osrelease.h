/*
 * osrelease.h - the distribution detector's public face: which files it
 * reads and how much each one is trusted.
 *
 * A layer may hold several files that name its distribution: the os-release
 * file in two places and the older marker files (debian_version,
 * alpine-release, redhat-release, ...). They can disagree - Ubuntu ships a
 * debian_version that says "bookworm/sid" - so each path has a rank and the
 * best-ranked file wins. Within one layer the detector applies the ranking
 * itself: a field comes from the best-ranked file that has it, and a file
 * that names another distribution than a better-ranked one is ignored.
 */
#ifndef ASEC_INDEXER_OSRELEASE_H
#define ASEC_INDEXER_OSRELEASE_H

#include "detectors/detector.h"

extern const struct detector detector_osrelease;

/* Rank of a path relative to the image root (no leading "/"): higher is
 * better; 0 for a path the detector does not read.
 *   etc/os-release 100 > usr/lib/os-release 90 > etc/lsb-release 60 >
 *   etc/alpine-release 55 > etc/centos-release 50 > etc/redhat-release 48 >
 *   etc/system-release 46 > etc/system-release-cpe 44 > etc/debian_version 30 */
int osrelease_path_rank(const char *path);

#endif
