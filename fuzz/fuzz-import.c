/*
 * fuzz-import.c - JSONL import (store/import.c) into a scratch in-memory
 * SQLite database.
 *
 * An export ends with a line holding the SHA-256 of every line before
 * it, which no mutation would get right; so the input is imported twice:
 * as it is, only checked (no database), and with its end line rewritten
 * to match, into the database, so mutated lines reach the inserts and
 * the commit.  What imports must export again, and that export must
 * import into another database and export to the same bytes (the format
 * is lossless, docs/export-format.md).
 */
#include <string.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "fuzz/fuzz.h"
#include "store/db.h"
#include "store/export.h"

/* The input without its end lines, and a new end line that matches. */
static char *
with_end_line(const uint8_t *data, size_t size, size_t *len)
{
	struct buf b = BUF_INIT;
	struct sha256 sha;
	unsigned char digest[32];
	char hex[65];
	size_t start = 0, end, lines = 0, runs = 0, i;

	sha256_init(&sha);
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);

		end = nl ? (size_t)(nl - data) + 1 : size;
		if (memmem(data + start, end - start, "\"type\":\"end\"", 12) ==
		    NULL) {
			buf_add(&b, data + start, end - start);
			if (nl == NULL)
				buf_add(&b, "\n", 1);
			sha256_update(&sha, b.s + b.len - (end - start) -
			    (nl == NULL), end - start + (nl == NULL));
			lines++;
			if (memmem(data + start, end - start, "\"type\":\"run\"",
			    12) != NULL)
				runs++;
		}
		start = end;
	}
	sha256_final(&sha, digest);
	for (i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	buf_printf(&b, "{\"type\":\"end\",\"runs\":%zu,\"lines\":%zu,"
	    "\"sha256\":\"%s\"}\n", runs, lines, hex);
	*len = b.len;
	return buf_detach(&b);
}

static struct db *
scratch_db(void)
{
	struct db *db;
	char *cause = NULL;

	if (db_open(":memory:", DB_CREATE, &db, &cause) != 0)
		fuzz_fail("cannot open a scratch database: %s", cause);
	return db;
}

/* Import text into a fresh database; on success, export what it stored. */
static int
import_export(const char *text, size_t len, char **out, size_t *outlen)
{
	struct import_result res;
	struct export_result xres;
	struct db *db = scratch_db();
	FILE *in = fmemopen((void *)text, len, "r"), *mem;
	char *cause = NULL;
	int r;

	memset(&res, 0, sizeof res);
	r = import_stream(db, in, "fuzz.jsonl", &res, &cause);
	fuzz_check_cause(r, cause);
	if (r == 0 && out != NULL) {
		*out = NULL;
		mem = open_memstream(out, outlen);
		r = export_runs(db, res.imported_runs, res.imported, mem, &xres,
		    &cause);
		fclose(mem);
		fuzz_check_cause(r, cause);
		if (r != 0)
			fuzz_fail("what imported does not export: %s", cause);
	}
	fclose(in);
	import_result_release(&res);
	free(cause);
	db_close(db);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_result res;
	char *text, *cause = NULL, *first = NULL, *second = NULL;
	size_t len, firstlen = 0, secondlen = 0;
	FILE *in;
	int r;

	memset(&res, 0, sizeof res);
	in = fmemopen((void *)data, size ? size : 1, "r");
	if (size > 0) {
		r = import_stream(NULL, in, "fuzz.jsonl", &res, &cause);
		fuzz_check_cause(r, cause);
	}
	fclose(in);
	import_result_release(&res);
	free(cause);

	text = with_end_line(data, size, &len);
	if (import_export(text, len, &first, &firstlen) == 0 && firstlen > 0) {
		if (import_export(first, firstlen, &second, &secondlen) != 0)
			fuzz_fail("an export does not import again");
		if (firstlen != secondlen || memcmp(first, second, firstlen))
			fuzz_fail("export, import, export changed the bytes");
	}
	free(first);
	free(second);
	free(text);
	return 0;
}
