/*
 * test-analysis.c - comparing builds: kernel names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "db.h"
#include "identity.h"
#include "unit.h"

static struct db *
fresh_db(const char *name)
{
	char *path = xasprintf("%s/%s", unit_tmpdir(), name), *cause = NULL;
	char *wal = xasprintf("%s-wal", path);
	struct db *db = NULL;

	remove(path);
	remove(wal);
	if (db_open(path, DB_CREATE, &db, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "db_open: %s", cause);
	free(path);
	free(wal);
	return db;
}

static int64_t
add_host(struct db *db, const char *name)
{
	struct host_identity h;
	int64_t id;

	memset(&h, 0, sizeof h);
	h.hostname = (char *)name;
	h.machine_id = (char *)name;
	h.cpus_possible = 2;
	h.numa_nodes = 1;
	h.mem_total_kb = 1 << 20;
	CHECK_INT_EQ(db_host_id(db, &h, &id, NULL), 0);
	return id;
}

static int64_t
add_kernel(struct db *db, const char *release, const char *build_id,
    const char *cmdline, const char *key)
{
	struct kernel_identity k;
	int64_t id;

	memset(&k, 0, sizeof k);
	k.release = (char *)release;
	k.version = (char *)release;
	k.build_id = (char *)build_id;
	k.cmdline = (char *)cmdline;
	k.build_key = (char *)key;
	CHECK_INT_EQ(db_kernel_id(db, &k, &id, NULL), 0);
	return id;
}

static int64_t
add_run(struct db *db, int64_t kernel, int64_t host, const char *workload,
    const char *state, const char *label, int64_t t)
{
	struct run_new rn;
	char uuid[37];
	int64_t id;

	memset(&rn, 0, sizeof rn);
	uuid_v4(uuid);
	rn.uuid = uuid;
	rn.workload = workload;
	rn.params_json = "{}";
	rn.state = "running";
	rn.kernel_id = kernel;
	rn.host_id = host;
	rn.label = label;
	rn.boot_id = "b";
	rn.created_ns = rn.started_ns = t;
	CHECK_INT_EQ(db_run_insert(db, &rn, &id, NULL), 0);
	CHECK_INT_EQ(db_run_finish(db, id, state, NULL, "exit 0", t + 1, NULL),
	    0);
	return id;
}

TEST(analysis_kernel_names_tell_command_lines_apart)
{
	struct db *db = fresh_db("names.db");
	int64_t a, b, c, h, id;
	char *da, *db_, *dc, *cause = NULL;

	/* the same image booted twice, once with init_on_free=1 */
	a = add_kernel(db, "6.1.0-56-cloud-amd64", "3b43fad50348744904924",
	    "console=ttyS0", "817e74749ed4727a3c05");
	b = add_kernel(db, "6.1.0-56-cloud-amd64", "3b43fad50348744904924",
	    "console=ttyS0 init_on_free=1", "bc0337112a6b5e7d75f2");
	c = add_kernel(db, "6.1.0-54-cloud-amd64", "bc6a64c9b9d1000000000",
	    "console=ttyS0", "aaaa00000000");
	h = add_host(db, "lab");
	add_run(db, a, h, "hotplug", "passed", "lab", 10);
	add_run(db, b, h, "hotplug", "passed", "lab", 20);
	da = kernel_describe(db, a);
	db_ = kernel_describe(db, b);
	dc = kernel_describe(db, c);
	/* one label on both: the build key tells them apart */
	CHECK_STR_EQ(da, "6.1.0-56-cloud-amd64 (3b43fad50348, key "
	    "817e74749ed4) [lab]");
	CHECK_STR_EQ(db_, "6.1.0-56-cloud-amd64 (3b43fad50348, key "
	    "bc0337112a6b) [lab]");
	/* a build nothing shares its name with stays short */
	CHECK_STR_EQ(dc, "6.1.0-54-cloud-amd64 (bc6a64c9b9d1)");
	/* the key in the name names the build */
	CHECK_INT_EQ(kernel_resolve(db, "bc0337112a6b", &id, &cause), 0);
	CHECK_INT_EQ(id, b);
	CHECK_INT_EQ(kernel_resolve(db, "lab", &id, &cause), -EEXIST);
	CHECK_STR_CONTAINS(cause, da);
	CHECK_STR_CONTAINS(cause, db_);
	free(cause);
	free(da);
	free(db_);
	free(dc);
	db_close(db);
}
