/*
 * workload_int.h - what the files of shared/workload share and nobody else
 * sees: lenient readers of parsed Kubernetes JSON, the remark list, and the
 * container translation.
 *
 * The readers are lenient on purpose: a manifest that the API server would
 * refuse over a type (a label value written 1.0, a port written "80") still
 * says what its author meant, and a scanner that reads it that way finds
 * more than one that gives up. Where something is read leniently or left
 * out, a remark says so.
 */
#ifndef ASEC_WORKLOAD_INT_H
#define ASEC_WORKLOAD_INT_H

#include <stddef.h>

#include <jansson.h>

/* How many remarks one input may collect; the rest are counted in one. */
#define WL_MAX_REMARKS 1000

/* The pod a container belongs to: what its settings inherit or refer to. */
struct wl_pod {
	const json_t *spec;           /* the pod spec (an object; may be empty) */
	const json_t *annotations;    /* the pod template's (or Pod's) annotations, or NULL */
	const json_t *labels;         /* podLabels, as built (strings only) */
	const json_t *services;       /* array of Service objects, or NULL */
	const char *namespace;        /* the deployment's namespace */
	const char *what;             /* "Deployment ns/name", for remarks */
	json_t *remarks;              /* array of strings, or NULL */
};

/* Appends "<what>: <message>" to remarks (NULL: nothing), up to WL_MAX_REMARKS. */
void wl_remark(json_t *remarks, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* obj[key] when obj is an object and the member has the wanted type; NULL otherwise. */
const json_t *wl_object(const json_t *obj, const char *key);
const json_t *wl_array(const json_t *obj, const char *key);
const char *wl_string(const json_t *obj, const char *key);

/* obj[key] as a boolean: true/false, or the strings "true"/"false";
 * anything else (absent included) gives dflt. */
int wl_bool(const json_t *obj, const char *key, int dflt);
int wl_bool_value(const json_t *v, int dflt);

/* v as a whole number: a JSON integer, an integral real, or a string of
 * digits. 1 when it is one, 0 otherwise. */
int wl_int(json_int_t *out, const json_t *v);

/* A scalar as text: strings as they are, numbers and booleans written out;
 * new reference, NULL for collections, null or no memory. */
json_t *wl_scalar_text(const json_t *v);

/* A new array of the scalars of arr as strings (non-scalars left out). */
json_t *wl_string_array(const json_t *arr);

/* Adds value to obj under key, stealing it; ASEC_ENOMEM when value is NULL
 * or the object cannot grow. */
int wl_set(json_t *obj, const char *key, json_t *value);
int wl_append(json_t *arr, json_t *value);

/* The container c (init container when is_init) as the model's Container. */
int wl_container(json_t **out, const json_t *c, int is_init, const struct wl_pod *pod);

/* A resource quantity, as written (string or number), in base units (cores
 * or bytes). ASEC_EINVALID, with error_set(), for what Kubernetes refuses. */
int wl_quantity(double *out, const json_t *v);
int wl_quantity_text(double *out, const char *text);

#endif
