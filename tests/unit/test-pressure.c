/* test-pressure.c - the pressure engine's files: stress-ng's YAML. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "workloads/pressure.h"
#include "unit.h"

static int
entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/*
 * 1 once a stress-ng child of ours catches SIGINT: stopped before that
 * (a loaded CI machine, 300 ms after the fork) it dies without its YAML.
 */
static int
stress_ng_catches_sigint(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char *path, *text, *ppid, *cgt;
	int found = 0;

	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		path = xasprintf("/proc/%s/status", e->d_name);
		text = NULL;
		if (read_file(path, &text, NULL, NULL) == 0 &&
		    strstr(text, "Name:\tstress-ng") == text &&
		    (ppid = strstr(text, "\nPPid:\t")) != NULL &&
		    atoi(ppid + 7) == (int)getpid() &&
		    (cgt = strstr(text, "\nSigCgt:\t")) != NULL)
			found = (strtoull(cgt + 9, NULL, 16) & 2) != 0;
		free(text);
		free(path);
	}
	closedir(d);
	return found;
}

/*
 * Issue 15, item 2: the YAML path was TMPDIR/mmstorm-stress-ng.<pid>.yaml,
 * and stress-ng writes it with fopen(): a symlink planted at that name
 * made root overwrite its target.  The name is planted here, for our
 * own pid, and the target must come out untouched.
 */
TEST(pressure_stress_ng_yaml_does_not_follow_a_planted_symlink)
{
	char *dir = xasprintf("%s/pressure-tmp", unit_tmpdir());
	char *victim = xasprintf("%s/victim", unit_tmpdir());
	char *planted, *text = NULL;
	struct pressure_config cfg;
	struct pressure_stats st;
	struct pressure *p = NULL;
	char *cause = NULL;
	struct stat sb;
	int i, r;

	CHECK_INT_EQ(mkdir(dir, 01777), 0);
	CHECK_INT_EQ(chmod(dir, 01777), 0);
	unit_put(unit_tmpdir(), "victim", "precious\n");
	planted = xasprintf("%s/mmstorm-stress-ng.%d.yaml", dir, (int)getpid());
	CHECK_INT_EQ(symlink(victim, planted), 0);
	memset(&cfg, 0, sizeof cfg);
	cfg.engine = PRESSURE_STRESS_NG;
	cfg.floor_pct = 1;
	cfg.workers = 1;
	cfg.limit_bytes = INT64_C(64) << 20;
	cfg.timeout_s = 30;
	cfg.tmpdir = dir;
	r = pressure_start(&p, &cfg, &cause);
	if (r == -ENOENT) {
		/* No stress-ng here: nothing ran, nothing was written. */
		CHECK_STR_CONTAINS(cause, "needs /usr/bin/stress-ng");
		free(cause);
	} else {
		CHECK_INT_EQ(r, 0);
		for (i = 0; i < 200 && !stress_ng_catches_sigint(); i++)
			usleep(50000);
		usleep(100000);
		pressure_stop(p, &st);
		/* The YAML came back, through a path of our own. */
		CHECK(st.yaml != NULL);
		CHECK_STR_CONTAINS(st.yaml, "stress-ng");
		pressure_stats_release(&st);
	}
	CHECK_INT_EQ(read_file(victim, &text, NULL, NULL), 0);
	CHECK_STR_EQ(text, "precious\n");
	/* The symlink is left alone, and the private directory is gone. */
	CHECK_INT_EQ(lstat(planted, &sb), 0);
	CHECK(S_ISLNK(sb.st_mode));
	CHECK_INT_EQ(entries(dir), 1);
	free(text);
	free(planted);
	free(victim);
	free(dir);
}

/* The hotplug gate (cycles_in_direct_reclaim) and pressure=direct's ramp
 * agree on what direct reclaim is: one list. */
TEST(pressure_direct_reclaim_counters)
{
	CHECK(pressure_is_direct_reclaim("allocstall_normal"));
	CHECK(pressure_is_direct_reclaim("allocstall_movable"));
	CHECK(pressure_is_direct_reclaim("allocstall_dma32"));
	CHECK(pressure_is_direct_reclaim("pgscan_direct"));
	CHECK(!pressure_is_direct_reclaim("pgscan_kswapd"));
	CHECK(!pressure_is_direct_reclaim("pgscan_direct_throttle"));
	CHECK(!pressure_is_direct_reclaim("compact_stall"));
	CHECK(pressure_direct_reclaims() >= 0);
	/* 1 GiB at 5 %, 2 allocators: 51 MiB + 5 x 64 MiB + 64 MiB. */
	CHECK_INT_EQ(pressure_direct_cache_bytes(1048576, 5, 2),
	    (INT64_C(52428) + 5 * 65536 + 65536) * 1024);
}

/* pressure=direct refuses a cache file it could not have reclaimed
 * (tmpfs without swap) and one the disk has no room for, before any
 * process starts. */
TEST(pressure_direct_needs_a_disk_with_room)
{
	struct pressure_config cfg;
	struct pressure *p = NULL;
	char *cause = NULL;

	memset(&cfg, 0, sizeof cfg);
	cfg.engine = PRESSURE_BUILTIN;
	cfg.direct = 1;
	cfg.floor_pct = 20;
	cfg.workers = 1;
	cfg.cache_bytes = INT64_C(1) << 20;
	cfg.tmpdir = "/dev/shm";
	if (access("/dev/shm", W_OK) == 0) {
		CHECK_INT_EQ(pressure_start(&p, &cfg, &cause), -EINVAL);
		CHECK_STR_CONTAINS(cause, "tmpfs");
		CHECK(p == NULL);
		free(cause);
		cause = NULL;
	}
	cfg.tmpdir = unit_tmpdir();
	cfg.cache_bytes = INT64_C(1) << 50;
	CHECK_INT_EQ(pressure_start(&p, &cfg, &cause), -ENOSPC);
	CHECK_STR_CONTAINS(cause, "no room");
	CHECK(p == NULL);
	free(cause);
}
