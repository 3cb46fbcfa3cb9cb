/*
 * fleet-claim.c - benchmark: many hosts claiming from one fleet queue
 * (issue 11 item 7, the claim half; bench/fleet-claim.sh runs it,
 * numbers in bench/README.md).
 *
 * -H claimers, each on its own nonblocking connection (store/pg-async.c)
 * sending the daemon's claim statement (fleet_sql_claim, jobs/fleet.c)
 * with pga_send_params() as mmstormd does, one claim after the other
 * until one comes back empty.  One poll() loop drives them all, so the
 * claims are as concurrent as the server lets them be.  Every uuid a
 * claim returned is kept: a uuid returned twice is a double claim.
 *
 * Reports claims/s (first send to last answer), claim latency (send to
 * answer: p50, p99, max) and the double claims (must be 0).
 *
 *   build/bench-fleet-claim -u URL [-H claimers]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/fleet.h"
#include "store/pg-async.h"

struct claimer {
	struct pg_async *pg;
	int want;
	int sent, done;
	int64_t sent_ns;
	char name[32];
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
pfd_events(int want)
{
	return (want & PGA_WANT_READ ? POLLIN : 0) |
	    (want & PGA_WANT_WRITE ? POLLOUT : 0);
}

/* The next claim of c. */
static int
send_claim(struct claimer *c, char **cause)
{
	const char *params[5] = { c->name, "bench-build", "bench-release",
	    " ", "600000" };

	c->sent = 1;
	c->sent_ns = now_mono_ns();
	if (pga_send_params(c->pg, fleet_sql_claim, 5, params, cause) != 0)
		return -1;
	return pga_step(c->pg, &c->want, cause) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *url = NULL;
	size_t n = 50, ndone = 0, nclaims = 0, cap = 1024, dups = 0, i;
	struct claimer *cl;
	struct pollfd *pfd;
	int64_t *lat, t0, t1;
	char **uuids, *cause = NULL;
	int c, r;

	while ((c = getopt(argc, argv, "u:H:")) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'H': n = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench-fleet-claim -u URL "
			    "[-H claimers]\n");
			return 2;
		}
	}
	if (url == NULL || n == 0)
		return 2;
	cl = xcalloc(n, sizeof *cl);
	pfd = xcalloc(n, sizeof *pfd);
	lat = xcalloc(cap, sizeof *lat);
	uuids = xcalloc(cap, sizeof *uuids);
	for (i = 0; i < n; i++) {
		snprintf(cl[i].name, sizeof cl[i].name, "bench-host-%zu", i);
		if (pga_connect(url, &cl[i].pg, &cause) != 0) {
			fprintf(stderr, "bench-fleet-claim: %s\n", cause);
			return 1;
		}
		cl[i].want = PGA_WANT_WRITE;
	}
	/* connected first: the clock times claims, not connections */
	t0 = 0;
	while (ndone < n) {
		for (i = 0; i < n; i++) {
			pfd[i].fd = cl[i].want ? pga_fd(cl[i].pg) : -1;
			pfd[i].events = (short)pfd_events(cl[i].want);
			pfd[i].revents = 0;
		}
		if (poll(pfd, n, 10000) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			struct claimer *h = &cl[i];

			if (h->done || (h->want && pfd[i].revents == 0))
				continue;
			if ((r = pga_step(h->pg, &h->want, &cause)) < 0) {
				fprintf(stderr, "bench-fleet-claim: %s\n", cause);
				return 1;
			}
			if (r == PGA_PENDING)
				continue;
			if (h->sent) {
				if (pga_result(h->pg)->failed) {
					fprintf(stderr, "bench-fleet-claim: %s\n",
					    pga_result(h->pg)->error);
					return 1;
				}
				if (pga_nrows(h->pg) == 0) {
					h->done = 1;
					ndone++;
					continue;
				}
				if (nclaims == cap) {
					cap *= 2;
					lat = xreallocarray(lat, cap, sizeof *lat);
					uuids = xreallocarray(uuids, cap,
					    sizeof *uuids);
				}
				lat[nclaims] = now_mono_ns() - h->sent_ns;
				uuids[nclaims++] = xstrdup(pga_value(h->pg, 0, 0));
			}
			if (t0 == 0)
				t0 = now_mono_ns();
			if (send_claim(h, &cause) != 0) {
				fprintf(stderr, "bench-fleet-claim: %s\n", cause);
				return 1;
			}
		}
	}
	t1 = now_mono_ns();
	if (nclaims == 0) {
		fprintf(stderr, "bench-fleet-claim: nothing to claim\n");
		return 1;
	}
	qsort(lat, nclaims, sizeof *lat, cmp_i64);
	qsort(uuids, nclaims, sizeof *uuids, cmp_str);
	for (i = 1; i < nclaims; i++)
		dups += strcmp(uuids[i], uuids[i - 1]) == 0;
	printf("claimers %zu  claims %zu  double claims %zu\n", n, nclaims,
	    dups);
	printf("claimed %.0f jobs/s  (%.2f s)\n", nclaims / ((t1 - t0) / 1e9),
	    (t1 - t0) / 1e9);
	printf("claim latency  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
	    lat[nclaims / 2] / 1e6, lat[nclaims * 99 / 100] / 1e6,
	    lat[nclaims - 1] / 1e6);
	for (i = 0; i < n; i++)
		pga_free(cl[i].pg);
	for (i = 0; i < nclaims; i++)
		free(uuids[i]);
	free(uuids);
	free(cl);
	free(pfd);
	free(lat);
	return dups == 0 ? 0 : 1;
}
