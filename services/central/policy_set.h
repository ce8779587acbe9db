/*
 * policy_set.h - the parsed policies the detector evaluates, cached.
 *
 * Detection (detect.c) runs every enabled policy of a stage against each
 * image or deployment; parsing all of them from Central DB per request would
 * cost more than evaluating them. So central keeps one immutable snapshot of
 * every stored policy, parsed (shared/policy), and hands it out with a
 * reference: a request keeps using the snapshot it took even when a policy
 * changes meanwhile, and the last release frees it.
 *
 * The snapshot is rebuilt lazily: policies.c calls policy_set_invalidate()
 * after every change it commits, and the next policy_set_get() reads the
 * store again. A stored policy that no longer parses (a bug, or an engine
 * that became stricter) is left out of the snapshot with a log line rather
 * than failing detection as a whole.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef ASEC_CENTRAL_POLICY_SET_H
#define ASEC_CENTRAL_POLICY_SET_H

#include <stddef.h>

struct central;
struct policy;
struct policy_set;

/* Sets up the cache of c (once, at start, before serving). */
int policy_set_init(struct central *c);

/* Frees the cache of c (at shutdown, after serving stopped); snapshots still
 * referenced stay valid until released. */
void policy_set_shutdown(struct central *c);

/*
 * The current snapshot of every stored policy (disabled ones included: the
 * caller decides, with policy_disabled()), in name order, referenced for the
 * caller: release it with policy_set_release(). Reads Central DB when the
 * cache was invalidated; its failures are shared/db's (ASEC_EIO: 503).
 */
int policy_set_get(struct policy_set **out, struct central *c);

/* Drops the caller's reference; NULL is ignored. */
void policy_set_release(struct policy_set *s);

size_t policy_set_count(const struct policy_set *s);

/* The i-th policy, i < policy_set_count(s); owned by s. */
const struct policy *policy_set_at(const struct policy_set *s, size_t i);

/* The policy with that id, or NULL; owned by s. */
const struct policy *policy_set_find(const struct policy_set *s, const char *id);

/* Marks the cache stale: the next policy_set_get() reads the store. Called
 * after each committed change of the policies. */
void policy_set_invalidate(struct central *c);

#endif
