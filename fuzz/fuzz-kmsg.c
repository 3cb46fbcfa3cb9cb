/*
 * fuzz-kmsg.c - the kernel-log parser and report classifier (kmsg/).
 *
 * The input is a log.  It is fed twice: as /dev/kmsg records (a line and
 * the " KEY=value" dictionary lines after it, as one read() returns them)
 * through kmsg_record_parse() and feed_record(), and line by line as a
 * saved console log through feed_line().  Each slice is copied to a
 * buffer of its exact size, so a parser that reads past the length it
 * was given is caught by ASan.  Every event must have a kind, a title, a
 * 64-digit signature and text within KMSG_TEXT_MAX.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "kmsg/kmsg.h"

static void
check_events(struct kmsg_classifier *c)
{
	struct kmsg_event *e;
	size_t n;

	while ((e = kmsg_classifier_next(c)) != NULL) {
		if (e->kind == NULL || e->title == NULL || e->signature == NULL ||
		    e->text == NULL)
			fuzz_fail("event with a NULL field");
		n = strspn(e->signature, "0123456789abcdef");
		if (n != 64 || e->signature[n] != '\0')
			fuzz_fail("signature '%s' is not sha256 hex", e->signature);
		/* The bound plus the one line that crossed it. */
		if (strlen(e->text) > 2 * KMSG_TEXT_MAX)
			fuzz_fail("event text of %zu bytes", strlen(e->text));
		kmsg_event_free(e);
	}
}

/* One slice in a buffer of its own exact size (no NUL after it). */
static char *
slice(const uint8_t *p, size_t len)
{
	char *s = malloc(len ? len : 1);

	if (s == NULL)
		abort();
	memcpy(s, p, len);
	return s;
}

/* One record: a line and the " KEY=value" dictionary lines after it. */
static void
feed_record(struct kmsg_classifier *c, const char *buf, size_t len,
    unsigned long lineno)
{
	struct kmsg_record rec;
	char *cause = NULL;

	memset(&rec, 0, sizeof rec);
	if (kmsg_record_parse(buf, len, &rec, &cause) == 0) {
		fuzz_check_cause(0, cause);
		kmsg_classifier_feed_record(c, &rec, lineno);
		if (rec.ts_usec != KMSG_NO_TS && (rec.seq & 7) == 0)
			kmsg_classifier_expire(c, rec.ts_usec);
	} else
		fuzz_check_cause(-1, cause);
	free(cause);
	kmsg_record_clear(&rec);
}

/* One line of a saved log, and the pieces the daemon uses alone. */
static void
feed_line(struct kmsg_classifier *c, const char *buf, size_t len,
    unsigned long lineno)
{
	struct kmsg_line l;
	char *title, frame[128] = "";
	int q;

	kmsg_classifier_feed_line(c, buf, len, lineno);
	kmsg_line_parse(buf, len, &l);
	if (l.text == NULL)
		fuzz_fail("line parsed to NULL text");
	kmsg_frame_parse(l.text, frame, sizeof frame, &q);
	if (strlen(frame) >= sizeof frame)
		fuzz_fail("frame name overran its buffer");
	title = kmsg_title_normalize(l.text);
	free(title);
	kmsg_line_clear(&l);
}

/* The end of the slice at start: a record runs to the next line that
 * does not start with a space (dictionary lines do); a line to its
 * newline, which it does not include. */
static size_t
slice_end(const uint8_t *data, size_t size, size_t start, int records)
{
	size_t end = start;
	const uint8_t *nl;

	do {
		nl = memchr(data + end, '\n', size - end);
		end = nl ? (size_t)(nl - data) + 1 : size;
	} while (records && end < size && data[end] == ' ');
	return records || nl == NULL ? end : end - 1;
}

static void
feed(const uint8_t *data, size_t size, int flags, int records)
{
	struct kmsg_classifier *c = kmsg_classifier_new(flags);
	size_t start = 0, end;
	unsigned long lineno = 0;
	char *buf;

	while (start < size) {
		end = slice_end(data, size, start, records);
		buf = slice(data + start, end - start);
		if (records)
			feed_record(c, buf, end - start, ++lineno);
		else
			feed_line(c, buf, end - start, ++lineno);
		free(buf);
		check_events(c);
		start = records ? end : end + 1;
	}
	kmsg_classifier_flush(c);
	check_events(c);
	kmsg_classifier_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* User-facility records are classified only on request: try both,
	 * chosen by the input so a crash reproduces. */
	int flags = size > 0 && (data[size - 1] & 1) ? KMSG_ALLOW_USER : 0;

	feed(data, size, flags, 1);
	feed(data, size, flags, 0);
	return 0;
}
