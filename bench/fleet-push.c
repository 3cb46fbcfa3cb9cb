/*
 * fleet-push.c - benchmark: many hosts pushing runs into one fleet
 * database (issue 11 item 7; bench/fleet-push.sh runs it, numbers in
 * bench/README.md).
 *
 * The runs are real ones: every run of a local SQLite database (the
 * fixtures, with samples, metrics, values and events) made into push
 * text by the daemon's own code (fleet_push_sql()).  -H simulated hosts
 * each hold one connection (store/pg-async.c, as mmstormd does) and push
 * one run at a time, -n runs in all; host h's k-th run is template run
 * k mod T with a uuid of its own and the host's own machine-id (both
 * replaced in place: same length), so the fleet database grows by -n
 * runs over -H x (hosts per template) hosts.  One poll() loop drives
 * every connection, as one event loop per machine would.
 *
 * A host sends a run's counter set (its counter names) only until a push
 * of that set has committed on its connection, as mmstormd does
 * (struct fleet_sets); -F sends it with every run, as mmstormd did before.
 *
 * Reports runs/s ingested (first send to last commit), push latency
 * (send to the answer: p50, p99, max), and bytes of push text per run.
 *
 *   build/bench-fleet-push -u URL -d LOCAL.db [-H hosts] [-n runs] [-F]
 *   build/bench-fleet-push -d LOCAL.db -P    (one run's push text)
 *   build/bench-fleet-push -S                (the statements it EXECUTEs)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db.h"
#include "store/fleet-push.h"
#include "store/pg-async.h"

struct tmpl {
	char *sql;
	size_t len;
	char *lean;           /* the text once its counter set is known */
	size_t lean_len;
	char key[65];         /* its counter set */
	char uuid[37];
	char **machine_ids;   /* every host's machine-id in the text */
	size_t nids;
};

struct host {
	struct pg_async *pg;
	int connected, want;
	size_t next;          /* runs pushed by this host */
	int64_t sent_ns;
	char *sql;            /* the text in flight */
	char key[65];         /* its counter set */
	struct fleet_sets sets;   /* committed on this connection */
};

static struct tmpl *tmpls;
static size_t ntmpl;

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every occurrence of from (len bytes) in s replaced by to. */
static void
replace_all(char *s, size_t slen, const char *from, const char *to,
    size_t len)
{
	char *p = s, *end = s + slen;

	while ((p = memmem(p, (size_t)(end - p), from, len)) != NULL) {
		memcpy(p, to, len);
		p += len;
	}
}

static int
load_templates(const char *path)
{
	struct db *db;
	struct stmt *st;
	char *cause = NULL, **uuids = NULL, **ids = NULL;
	size_t n = 0, nids = 0, i;
	struct buf b = BUF_INIT;

	if (db_open(path, DB_READONLY, &db, &cause) != 0) {
		fprintf(stderr, "bench-fleet-push: %s\n", cause);
		return -1;
	}
	st = db_prepare(db, "SELECT uuid FROM runs WHERE state NOT IN "
	    "('queued', 'running') ORDER BY created_ns", NULL);
	while (stmt_step(st) == STORE_ROW) {
		uuids = xreallocarray(uuids, n + 1, sizeof *uuids);
		uuids[n++] = xstrdup(stmt_text(st, 0));
	}
	stmt_finalize(st);
	st = db_prepare(db, "SELECT DISTINCT machine_id FROM hosts", NULL);
	while (stmt_step(st) == STORE_ROW) {
		ids = xreallocarray(ids, nids + 1, sizeof *ids);
		ids[nids++] = xstrdup(stmt_text(st, 0));
	}
	stmt_finalize(st);
	tmpls = xcalloc(n, sizeof *tmpls);
	for (i = 0; i < n; i++) {
		struct tmpl *t = &tmpls[ntmpl];
		struct fleet_sets known = { NULL, 0 };

		buf_reset(&b);
		if (fleet_push_sql(db, uuids[i], NULL, t->key, &b,
		    &cause) != 0) {
			fprintf(stderr, "bench-fleet-push: %s\n", cause);
			return -1;
		}
		t->len = b.len;
		t->sql = buf_detach(&b);
		/* the same run pushed where its set is known */
		fleet_sets_add(&known, t->key);
		if (fleet_push_sql(db, uuids[i], &known, t->key, &b,
		    &cause) != 0) {
			fprintf(stderr, "bench-fleet-push: %s\n", cause);
			return -1;
		}
		fleet_sets_clear(&known);
		t->lean_len = b.len;
		t->lean = buf_detach(&b);
		snprintf(tmpls[ntmpl].uuid, 37, "%s", uuids[i]);
		tmpls[ntmpl].machine_ids = ids;
		tmpls[ntmpl].nids = nids;
		ntmpl++;
		free(uuids[i]);
	}
	free(uuids);
	db_close(db);
	return ntmpl > 0 ? 0 : -1;
}

/* Host h's k-th run: a copy of its template, renamed; lean: the text
 * without its counter set. */
static char *
make_run(size_t h, size_t k, int lean)
{
	const struct tmpl *t = &tmpls[k % ntmpl];
	size_t len = lean ? t->lean_len : t->len;
	char *s = xmalloc(len + 1), uuid[37], id[256], head[9];
	size_t i, l;

	memcpy(s, lean ? t->lean : t->sql, len + 1);
	snprintf(uuid, sizeof uuid, "%08x-%04x-4000-8000-%012llx",
	    (unsigned)(h & 0xffffffff), (unsigned)((k >> 32) & 0xffff),
	    (unsigned long long)(k & 0xffffffffffffULL));
	replace_all(s, len, t->uuid, uuid, 36);
	for (i = 0; i < t->nids; i++) {
		l = strlen(t->machine_ids[i]);
		if (l < 8 || l >= sizeof id)
			continue;
		memcpy(id, t->machine_ids[i], l);
		snprintf(head, sizeof head, "%08x", (unsigned)(h & 0xffffffff));
		memcpy(id, head, 8);
		replace_all(s, len, t->machine_ids[i], id, l);
	}
	return s;
}

static int
pfd_events(int want)
{
	return (want & PGA_WANT_READ ? POLLIN : 0) |
	    (want & PGA_WANT_WRITE ? POLLOUT : 0);
}

int
main(int argc, char **argv)
{
	const char *url = NULL, *local = NULL;
	size_t nhosts = 50, nruns = 20000, per, done = 0, started = 0, i;
	struct host *hosts;
	struct pollfd *pfd;
	int64_t *lat, t0 = 0, t1, bytes = 0;
	char *cause = NULL;
	int c, r, print_only = 0, every_set = 0;

	while ((c = getopt(argc, argv, "u:d:H:n:PSF")) != -1) {
		switch (c) {
		case 'S':
			fputs(fleet_push_statements(), stdout);
			return 0;
		case 'P': print_only = 1; break;
		case 'F': every_set = 1; break;
		case 'u': url = optarg; break;
		case 'd': local = optarg; break;
		case 'H': nhosts = strtoul(optarg, NULL, 10); break;
		case 'n': nruns = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench-fleet-push -u URL -d "
			    "LOCAL.db [-H hosts] [-n runs] [-F]\n");
			return 2;
		}
	}
	if (local == NULL || load_templates(local) != 0)
		return 2;
	if (print_only) {       /* -P: the text of one run, to study it */
		fputs(make_run(0, 0, 0), stdout);
		return 0;
	}
	if (url == NULL || nhosts == 0)
		return 2;
	per = (nruns + nhosts - 1) / nhosts;
	hosts = xcalloc(nhosts, sizeof *hosts);
	pfd = xcalloc(nhosts, sizeof *pfd);
	lat = xcalloc(nruns, sizeof *lat);
	for (i = 0; i < nhosts; i++) {
		if (pga_connect(url, &hosts[i].pg, &cause) != 0) {
			fprintf(stderr, "bench-fleet-push: %s\n", cause);
			return 1;
		}
		hosts[i].want = PGA_WANT_WRITE;
	}
	while (done < nruns) {
		for (i = 0; i < nhosts; i++) {
			pfd[i].fd = hosts[i].want ? pga_fd(hosts[i].pg) : -1;
			pfd[i].events = (short)pfd_events(hosts[i].want);
			pfd[i].revents = 0;
		}
		if (poll(pfd, nhosts, 10000) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < nhosts; i++) {
			struct host *h = &hosts[i];
			const struct tmpl *t;

			if (h->want && pfd[i].revents == 0)
				continue;
			r = pga_step(h->pg, &h->want, &cause);
			if (r < 0) {
				fprintf(stderr, "bench-fleet-push: host %zu: "
				    "%s\n", i, cause);
				return 1;
			}
			if (r == PGA_PENDING)
				continue;
			if (h->sql != NULL) {
				if (pga_result(h->pg)->failed) {
					fprintf(stderr, "bench-fleet-push: %s\n",
					    pga_result(h->pg)->error);
					return 1;
				}
				lat[done++] = now_mono_ns() - h->sent_ns;
				fleet_sets_add(&h->sets, h->key);
				free(h->sql);
				h->sql = NULL;
			}
			h->want = 0;
			if (h->next >= per || started >= nruns)
				continue;
			t = &tmpls[h->next % ntmpl];
			memcpy(h->key, t->key, sizeof h->key);
			h->sql = make_run(i, h->next++, !every_set &&
			    fleet_sets_has(&h->sets, t->key));
			bytes += (int64_t)strlen(h->sql);
			if (t0 == 0)
				t0 = now_mono_ns();
			h->sent_ns = now_mono_ns();
			started++;
			if (pga_send(h->pg, h->sql, &cause) != 0 ||
			    (r = pga_step(h->pg, &h->want, &cause)) < 0) {
				fprintf(stderr, "bench-fleet-push: %s\n", cause);
				return 1;
			}
		}
	}
	t1 = now_mono_ns();
	qsort(lat, done, sizeof *lat, cmp_i64);
	printf("hosts %zu  runs %zu (from %zu template runs)  push text "
	    "%.1f kB/run\n", nhosts, done, ntmpl, (double)bytes / done / 1024);
	printf("ingested %.0f runs/s  (%.2f s)\n", done / ((t1 - t0) / 1e9),
	    (t1 - t0) / 1e9);
	printf("push latency  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
	    lat[done / 2] / 1e6, lat[done * 99 / 100] / 1e6,
	    lat[done - 1] / 1e6);
	for (i = 0; i < nhosts; i++) {
		pga_free(hosts[i].pg);
		fleet_sets_clear(&hosts[i].sets);
	}
	free(hosts);
	free(pfd);
	free(lat);
	return 0;
}
