/* main.c - runs the registered unit tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "unit.h"
#include "common/util.h"

static struct unit_test *tests, **tail = &tests;
static jmp_buf unit_jmp;
static char tmpdir[256];

void
unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	longjmp(unit_jmp, 1);
}

const char *
fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("MMSTORM_FIXTURES");

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures",
	    name);
	return path;
}

char *
fixture_read(const char *name)
{
	char *data = NULL, *cause = NULL;

	if (read_file(fixture(name), &data, NULL, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "fixture: %s", cause);
	return data;
}

/* mkdir -p of the directory part of path. */
static void
make_parents(const char *path)
{
	char *copy = xstrdup(path), *p;

	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST)
			unit_fail(__FILE__, __LINE__, "mkdir '%s': %s", copy,
			    strerror(errno));
		*p = '/';
	}
	free(copy);
}

void
unit_put_bytes(const char *root, const char *rel, const void *data,
    size_t len)
{
	char *path = xasprintf("%s/%s", root, rel);
	FILE *f;

	make_parents(path);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0)
		unit_fail(__FILE__, __LINE__, "cannot write '%s'", path);
	free(path);
}

void
unit_put(const char *root, const char *rel, const char *text)
{
	unit_put_bytes(root, rel, text, strlen(text));
}

void
unit_put_fixture(const char *root, const char *rel, const char *name)
{
	char *data = NULL, *cause = NULL;
	size_t len;

	if (read_file(fixture(name), &data, &len, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "fixture: %s", cause);
	unit_put_bytes(root, rel, data, len);
	free(data);
}

const char *
unit_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/mmstorm-unit.XXXXXX");
		if (mkdtemp(tmpdir) == NULL)
			unit_fail(__FILE__, __LINE__, "mkdtemp failed");
	}
	return tmpdir;
}

struct db *
unit_fresh_db(const char *name)
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

static void
remove_tmpdir(void)
{
	char *cmd;

	if (tmpdir[0] == '\0')
		return;
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	(void)!system(cmd);
	free(cmd);
}

int
main(int argc, char **argv)
{
	static struct unit_test *t;
	volatile int passed = 0, failed = 0, n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(remove_tmpdir);
	for (t = tests; t != NULL; t = t->next) {
		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		n++;
		if (setjmp(unit_jmp) == 0) {
			t->fn();
			printf("ok %d - %s\n", n, t->name);
			passed++;
		} else {
			printf("not ok %d - %s (%s)\n", n, t->name, t->file);
			failed++;
		}
	}
	/* The summary, then the tally tests/tally.sh reads: the last line,
	 * and the same form as tests/t/lib.sh's (no skips here). */
	printf("%d passed, %d failed, 0 skipped\n", passed, failed);
	printf("# tally %d %d 0\n", passed, failed);
	return failed ? 1 : 0;
}
