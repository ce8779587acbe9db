/*
 * requirements.h - version requirements as sets of intervals, for the feed
 * parsers whose sources speak in requirement expressions rather than OSV
 * events (Node.js security-wg, RustSec, RubySec). Internal to feeds/.
 *
 * Those sources say "vulnerable: <2.0.1 || >=3.0.0 <3.1.6" or "patched:
 * ~> 1.2.5, >= 1.3.0" and leave the rest implied: what is affected is the
 * vulnerable set minus the patched one, or everything that is neither
 * patched nor unaffected. Rather than each parser reasoning about its own
 * syntax and its complement, each turns one comparator at a time into a set
 * of disjoint intervals over the ecosystem's version order (the same
 * comparator the matcher and feed_record_check() use), and the set algebra
 * here does union, intersection and complement once, exactly: bounds keep
 * whether they are inclusive or exclusive, overlapping or touching intervals
 * are merged, and the empty set stays empty (a record whose affected set is
 * empty is skipped by its parser, never emitted with no ranges, which would
 * mean "every version").
 *
 * A set keeps its intervals sorted by lower bound, pairwise disjoint and not
 * touching, in a growable array: the sets met in practice hold one to ten
 * intervals, every operation is a sort-and-sweep over that array, and a set
 * never holds more than REQ_MAX_INTERVALS (the canonical record's range
 * limit), so hostile input cannot make one grow without bound.
 *
 * SemVer partial versions ("1.2", "1.x", "^0.2.3") are shared by npm and
 * Cargo, which desugar them the same way except for two details, so that
 * grammar lives here too (req_semver_*); RubyGems requirements are simple
 * enough to stay in rubysec.c.
 */
#ifndef ASEC_FEED_REQUIREMENTS_H
#define ASEC_FEED_REQUIREMENTS_H

#include <stddef.h>

#include <jansson.h>

#include "feeds/feed.h"
#include "version/version.h"

/* A set never holds more intervals than a canonical record may have ranges. */
#define REQ_MAX_INTERVALS FEED_MAX_RANGES
/* One requirement string (all its alternatives) longer than this is refused:
 * real ones are under 200 bytes. */
#define REQ_MAX_TEXT 4096
/* Comparators in one requirement string, "||" alternatives in one range,
 * and strings in one patched/unaffected list are each refused beyond this
 * (real data: at most 5, 8 and 13). Every comparator is an intersection and
 * every alternative or string a union over sets of up to REQ_MAX_INTERVALS
 * intervals, so these bound what one hostile record costs. */
#define REQ_MAX_TERMS 64

enum req_bound_kind { REQ_UNBOUNDED = 0, REQ_INCLUSIVE, REQ_EXCLUSIVE };

struct req_bound {
	enum req_bound_kind kind;
	char version[VERSION_MAX_LEN + 1]; /* "" when unbounded */
};

/* From lo to hi; an unbounded lo is "every earlier version", an unbounded hi
 * "every later version". */
struct req_interval {
	struct req_bound lo, hi;
};

struct req_set {
	version_compare_fn cmp;
	struct req_interval *items; /* sorted, disjoint, not touching */
	size_t count, cap;
};

enum req_op { REQ_OP_LT, REQ_OP_LE, REQ_OP_GT, REQ_OP_GE, REQ_OP_EQ, REQ_OP_NE };

/* The empty set over cmp's order. Never fails; free with req_set_free(). */
void req_set_init(struct req_set *set, version_compare_fn cmp);
void req_set_free(struct req_set *set);
/* Makes set empty, or every version. */
void req_set_clear(struct req_set *set);
int req_set_fill(struct req_set *set);
int req_set_copy(struct req_set *dst, const struct req_set *src);

/* set = set OR interval. An empty interval (lo after hi, or a point with an
 * exclusive end) changes nothing. */
int req_set_add(struct req_set *set, const struct req_interval *interval);
/* dst = dst OR src; dst = dst AND src; set = NOT set; dst = dst AND NOT src. */
int req_set_union(struct req_set *dst, const struct req_set *src);
int req_set_intersect(struct req_set *dst, const struct req_set *src);
int req_set_complement(struct req_set *set);
int req_set_subtract(struct req_set *dst, const struct req_set *src);
/* set = set AND {v : v <op> version}. REQ_OP_NE removes one point. */
int req_set_constrain(struct req_set *set, enum req_op op, const char *version);

/* Whether version is in the set (tests, and what the matcher will decide). */
int req_set_contains(const struct req_set *set, const char *version);
static inline int req_set_is_empty(const struct req_set *set)
{
	return set->count == 0;
}

/* The lowest version a lower bound admits that someone can install, into
 * out: 1 when there is one, 0 when not (or when lo is unbounded). Without
 * such a function an inclusive bound admits its own version first and an
 * exclusive one has no lowest version. */
typedef int (*req_least_fn)(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo);

/* The version that fixes interval i of set, into out: the lowest version
 * above that interval that admitted holds, as least picks it from the
 * first interval of admitted above it (NULL least: see req_least_fn). admitted must not overlap set; NULL stands for every
 * version outside set, so that the fix of an interval ending before an
 * exclusive bound is that bound. Returns 1 and writes out when there is a
 * fix, 0 when there is none (nothing admitted lies above, or the interval
 * has no upper end), or a negative ASEC_E* code (out of memory). */
int req_set_fix(char out[VERSION_MAX_LEN + 1], const struct req_set *set, size_t i, const struct req_set *admitted,
		req_least_fn least);

/* The canonical "ranges" array of the set (see feed.h): introduced /
 * introducedAfter for lower bounds ("introduced": "0" when unbounded),
 * fixed / lastAffected for upper ones; each range carries events (the
 * source's own words) when it is not NULL. Each range's fix is
 * req_set_fix(set, i, admitted, least); where it is not what the upper
 * bound implies (an exclusive bound is its own fix, an inclusive one names
 * none), the range says it as "fixedBy" ("" for none), so that the fix can
 * differ from the bound without changing which versions are affected. */
int req_set_ranges(json_t **out, const struct req_set *set, const struct req_set *admitted, req_least_fn least,
		   const char *events);

/* All these return ASEC_OK, ASEC_ENOMEM, ASEC_ETOOBIG (more than
 * REQ_MAX_INTERVALS intervals) or ASEC_EINVALID (a version longer than
 * VERSION_MAX_LEN or empty), with error_set(). */

/* ---- SemVer requirements (npm and Cargo) ---- */

enum req_semver_dialect {
	/* node-semver: a bare version means exactly that version (or the
	 * x-range it spells), upper bounds made up by desugaring are written
	 * with "-0" ("<2.0.0-0") so they exclude 2.0.0's pre-releases as
	 * node-semver's validRange() prints them, numbers may have leading
	 * zeros (loose mode) and are printed without. */
	REQ_SEMVER_NPM,
	/* Cargo (the semver crate): a bare version means ^version, made-up
	 * upper bounds are plain ("<2.0.0"), leading zeros are refused. */
	REQ_SEMVER_CARGO,
};

/* One comparator: an operator ("", "=", "<", "<=", ">", ">=", "~", "^")
 * applied to a partial version text ("1", "1.2", "1.x", "*", "1.2.3-rc.1+b",
 * npm also "v1.2.3"). set = set AND what it means in that dialect. On a
 * syntax error returns ASEC_EINVALID with error_set() saying what is wrong
 * (set is then unspecified). */
int req_semver_comparator(struct req_set *set, enum req_semver_dialect dialect, const char *op,
			  const char *partial, size_t partial_len);

/* A node-semver hyphen range "from - to" (partial versions). set = set AND it. */
int req_semver_hyphen(struct req_set *set, const char *from, size_t from_len, const char *to, size_t to_len);

/* req_least_fn of each dialect, after node-semver's minVersion(): an
 * inclusive bound admits its version first, an exclusive one the next
 * patch release (">1.2.3" -> 1.2.4, as installers leave pre-releases out
 * of a range that names none) or, after a pre-release, its first
 * continuation (">1.2.3-rc.1" -> 1.2.3-rc.1.0). npm's made-up "X-0" lower
 * bounds (">=1.2" is ">=1.2.0-0", see REQ_SEMVER_NPM) admit X first: the
 * "-0" only keeps X's pre-releases in the interval, it is not a release
 * anyone publishes. Build metadata is dropped. */
int req_semver_least_npm(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo);
int req_semver_least_cargo(char out[VERSION_MAX_LEN + 1], const struct req_bound *lo);

/* ---- requirement lists (RubySec, RustSec) ---- */

/* Calls fn with each comparator of a requirement written as comparators
 * joined by commas, all of which must hold (RubyGems' "~> 1.2, >= 1.2.5",
 * Cargo's ">= 1.2, < 1.5"): s[0..n) without the blanks around it, perhaps
 * empty. Stops at fn's first nonzero return and returns it. Text longer
 * than REQ_MAX_TEXT, or holding more than REQ_MAX_TERMS comparators, is
 * refused with ASEC_EINVALID and error_set(). */
int req_each_comparator(const char *text, int (*fn)(void *ctx, const char *s, size_t n), void *ctx);

/* set = set OR each requirement of list, a JSON array of strings (the
 * caller has checked that it is one, in its format's words); parse narrows
 * a set that holds every version to what one string admits. Each string is
 * appended to the array events. A list longer than REQ_MAX_TERMS, a member
 * that is not a string or one parse refuses gives ASEC_EINVALID (or parse's
 * code) with the reason in why, naming the list as what ("patched_versions",
 * "versions.patched"); ASEC_ENOMEM when memory ran out. */
int req_set_union_list(struct req_set *set, const json_t *list, int (*parse)(struct req_set *, const char *),
		       const char *what, json_t *events, char *why, size_t why_size);

#endif
