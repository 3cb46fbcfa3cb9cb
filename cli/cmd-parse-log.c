/*
 * cmd-parse-log.c - classify a saved kernel log, one JSON object per event.
 *
 *   mmstorm parse-log [--allow-user] FILE|-
 *
 * The log may be dmesg output, a serial console capture, journalctl -k,
 * or raw /dev/kmsg records; the format is told apart line by line
 * (kmsg/kmsg.h).  Each report found prints as one line:
 *
 *   {"kind":"soft_lockup","title":"BUG: soft lockup in f",
 *    "signature":"<sha256>","ts_usec":123|null,"cpu":1|null,
 *    "seq":5|null,"line":42,"panicked":false,"truncated":false,
 *    "corrupted":false,"text":"..."}
 *
 * "corrupted" is set when the stack the title needs was cut, interleaved
 * or missing (kmsg.h): such a title is not one to group by.
 *
 * "line" is the input line of the report's header.  Bytes of title,
 * signature or text that are not UTF-8 (common/text.h: what jansson
 * accepts) are each replaced by U+FFFD, and the event then ends with
 * "invalid_bytes":N, how many were replaced; the key is absent when
 * none were.  A log without reports prints nothing.  Exit 0 when the
 * log was read, 1 when it could not be, 2 on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "cli/cli.h"
#include "kmsg/kmsg.h"

static int cmd_parse_log_exec(int, char **);

static const struct option parse_log_options[] = {
	{ "allow-user", no_argument, NULL, 'u' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_parse_log = {
	.name = "parse-log",
	.usage = "parse-log [--allow-user] FILE|-",
	.summary = "classify a saved kernel log, one JSON event per line",
	.longopts = parse_log_options,
	.args_min = 1,
	.args_max = 1,
	.exec = cmd_parse_log_exec,
};

/*
 * Console captures can hold any bytes, and jansson refuses a string that
 * is not UTF-8 (the field would vanish): repair every text field, and
 * say how many bytes were replaced.
 */
static void
print_event(const struct kmsg_event *ev)
{
	json_t *o = json_object();
	size_t replaced = 0;
	char *title = utf8_repair(ev->title, &replaced);
	char *signature = utf8_repair(ev->signature, &replaced);
	char *text = utf8_repair(ev->text, &replaced);

	json_object_set_new(o, "kind", json_string(ev->kind));
	json_object_set_new(o, "title", json_string(title));
	json_object_set_new(o, "signature", json_string(signature));
	json_object_set_new(o, "ts_usec", ev->ts_usec == KMSG_NO_TS ?
	    json_null() : json_integer((json_int_t)ev->ts_usec));
	json_object_set_new(o, "cpu", ev->cpu < 0 ? json_null() :
	    json_integer(ev->cpu));
	json_object_set_new(o, "seq", ev->seq < 0 ? json_null() :
	    json_integer((json_int_t)ev->seq));
	json_object_set_new(o, "line", json_integer((json_int_t)ev->line));
	json_object_set_new(o, "panicked", json_boolean(ev->panicked));
	json_object_set_new(o, "truncated", json_boolean(ev->truncated));
	json_object_set_new(o, "corrupted", json_boolean(ev->corrupted));
	json_object_set_new(o, "text", json_string(text));
	if (replaced > 0)
		json_object_set_new(o, "invalid_bytes",
		    json_integer((json_int_t)replaced));
	free(title);
	free(signature);
	free(text);
	cli_print_json(o);
}

static void
drain(struct kmsg_classifier *c)
{
	struct kmsg_event *ev;

	while ((ev = kmsg_classifier_next(c)) != NULL) {
		print_event(ev);
		kmsg_event_free(ev);
	}
}

/* --allow-user */
static int
parse_log_option(int opt, const char *arg, void *ctx)
{
	int *flags = ctx;

	*flags |= KMSG_ALLOW_USER;
	return 0;
}

static int
cmd_parse_log_exec(int argc, char **argv)
{
	struct kmsg_classifier *c = NULL;
	struct cli_args args;
	const char *path;
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int flags = 0, r;

	if ((r = cli_parse_options(&cmd_parse_log, argc, argv,
	    parse_log_option, &flags, &args)) != CLI_CONTINUE)
		return r;
	r = EXIT_OK;
	path = args.argv[0];
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	c = kmsg_classifier_new(flags);
	errno = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		kmsg_classifier_feed_line(c, line, (size_t)n, ++lineno);
		drain(c);
		errno = 0;
	}
	if (ferror(f)) {
		cli_error("cannot read '%s': %s", path,
		    strerror(errno != 0 ? errno : EIO));
		r = EXIT_FAIL;
		goto out;
	}
	kmsg_classifier_flush(c);
	drain(c);
out:
	free(line);
	kmsg_classifier_free(c);
	if (f != stdin)
		fclose(f);
	return r;
}
