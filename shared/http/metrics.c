/*
 * metrics.c - Prometheus text exposition of the server's request metrics.
 *
 * Series are keyed by (route template, method, status). Using the template,
 * not the requested path, keeps the number of series bounded by the spec no
 * matter what clients send; unmatched requests all share the route
 * "unmatched". A flat array under one mutex is enough: the set is small and
 * an update is a handful of additions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error/error.h"
#include "http/http_internal.h"

static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))
#define MAX_SERIES 4096

struct http_metric_series {
	const char *route;  /* static strings from the generated tables */
	char method[12];
	long status;
	unsigned long long count;
	double sum;
	unsigned long long buckets[BUCKETS];
};

void http_metrics_observe(struct http_server *server, const char *route, const char *method, long status, double seconds)
{
	struct http_metric_series *s = NULL;
	size_t i;

	pthread_mutex_lock(&server->metrics_lock);
	for (i = 0; i < server->series_count; i++) {
		struct http_metric_series *c = &server->series[i];
		if (c->status == status && c->route == route && strncmp(c->method, method, sizeof(c->method) - 1) == 0) {
			s = c;
			break;
		}
	}
	if (!s && server->series_count < MAX_SERIES) {
		if (server->series_count == server->series_capacity) {
			size_t cap = server->series_capacity ? server->series_capacity * 2 : 32;
			struct http_metric_series *grown = realloc(server->series, cap * sizeof(*grown));
			if (!grown)
				goto out;
			server->series = grown;
			server->series_capacity = cap;
		}
		s = &server->series[server->series_count++];
		memset(s, 0, sizeof(*s));
		s->route = route;
		/* Methods of unmatched requests come from clients: keep only a safe token. */
		for (i = 0; method[i] && i < sizeof(s->method) - 1; i++)
			s->method[i] = (method[i] >= 'A' && method[i] <= 'Z') ? method[i] : '_';
		s->status = status;
	}
	if (!s)
		goto out;
	s->count++;
	s->sum += seconds;
	for (i = 0; i < BUCKETS; i++)
		if (seconds <= bucket_bounds[i])
			s->buckets[i]++;
out:
	pthread_mutex_unlock(&server->metrics_lock);
}

static int process_memory(unsigned long long *resident, unsigned long long *virtual_bytes)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, rss = 0;
	long page = sysconf(_SC_PAGESIZE);
	int ok;

	if (!f)
		return 0;
	ok = fscanf(f, "%llu %llu", &size, &rss) == 2;
	fclose(f);
	*resident = rss * (unsigned long long)page;
	*virtual_bytes = size * (unsigned long long)page;
	return ok;
}

int http_metrics_render(char **out, size_t *len, struct http_server *server)
{
	char *buf = NULL;
	size_t size = 0, i, b;
	FILE *f = open_memstream(&buf, &size);
	unsigned long long rss = 0, vsz = 0;

	*out = NULL;
	if (!f) {
		error_set("out of memory rendering metrics");
		return ASEC_ENOMEM;
	}
	fprintf(f, "# HELP http_requests_total HTTP requests answered, by route template, method and status.\n");
	fprintf(f, "# TYPE http_requests_total counter\n");
	pthread_mutex_lock(&server->metrics_lock);
	for (i = 0; i < server->series_count; i++) {
		const struct http_metric_series *s = &server->series[i];
		fprintf(f, "http_requests_total{service=\"%s\",route=\"%s\",method=\"%s\",status=\"%ld\"} %llu\n", server->service,
			s->route, s->method, s->status, s->count);
	}
	fprintf(f, "# HELP http_request_duration_seconds Time from request to answer.\n");
	fprintf(f, "# TYPE http_request_duration_seconds histogram\n");
	for (i = 0; i < server->series_count; i++) {
		const struct http_metric_series *s = &server->series[i];
		char labels[256];
		snprintf(labels, sizeof(labels), "service=\"%s\",route=\"%s\",method=\"%s\",status=\"%ld\"", server->service,
			 s->route, s->method, s->status);
		for (b = 0; b < BUCKETS; b++)
			fprintf(f, "http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", labels, bucket_bounds[b],
				s->buckets[b]);
		fprintf(f, "http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", labels, s->count);
		fprintf(f, "http_request_duration_seconds_sum{%s} %.6f\n", labels, s->sum);
		fprintf(f, "http_request_duration_seconds_count{%s} %llu\n", labels, s->count);
	}
	pthread_mutex_unlock(&server->metrics_lock);
	fprintf(f, "# HELP http_requests_in_flight Requests being served now.\n");
	fprintf(f, "# TYPE http_requests_in_flight gauge\n");
	fprintf(f, "http_requests_in_flight{service=\"%s\"} %ld\n", server->service, atomic_load(&server->in_flight));
	if (process_memory(&rss, &vsz)) {
		fprintf(f, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n");
		fprintf(f, "# TYPE process_resident_memory_bytes gauge\n");
		fprintf(f, "process_resident_memory_bytes %llu\n", rss);
		fprintf(f, "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n");
		fprintf(f, "# TYPE process_virtual_memory_bytes gauge\n");
		fprintf(f, "process_virtual_memory_bytes %llu\n", vsz);
	}
	fprintf(f, "# HELP process_start_time_seconds Start time of the process since the Unix epoch.\n");
	fprintf(f, "# TYPE process_start_time_seconds gauge\n");
	fprintf(f, "process_start_time_seconds %lld\n", (long long)server->started_at);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		error_set("out of memory rendering metrics");
		return ASEC_ENOMEM;
	}
	*out = buf;
	*len = size;
	return ASEC_OK;
}

void http_metrics_free(struct http_server *server)
{
	free(server->series);
	server->series = NULL;
	server->series_count = server->series_capacity = 0;
}
