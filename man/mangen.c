/*
 * mangen.c - the manual pages from the tables the programs use.
 *
 *   mangen VERSION DATE < man/mmstorm.1.in > mmstorm.1
 *
 * A template is roff with directive lines.  What a table knows (a
 * command's synopsis and summary, a workload's seeds and options) is
 * written from the table; the prose after a directive is the
 * template's, and is checked against the table so the two cannot drift:
 *
 *   @command NAME   a command's synopsis and summary (COMMAND_LIST); the
 *                   options the prose lists after .TP up to @end must be
 *                   exactly the command's (its long options, the common
 *                   ones its flags name, the --words of its usage)
 *   @workload NAME  a workload's summary, seeds and option table; the
 *                   prose up to @end must name its primary and headline
 *                   metrics after .TP
 *   @end            ends a @command or @workload block
 *   @commands       every command and its summary, as a .TP list
 *   @common-options the options every workload takes (run/options.c)
 *   @VERSION@ @DATE@  replaced anywhere
 *
 * A template with any @command (@workload) must have one for every
 * command (workload).  Any mismatch is an error and the page is not
 * written: `make man` fails.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "run/workload.h"
#include "workloads/workloads.h"

#define MAX_NAMES 64

struct names {
	char *v[MAX_NAMES];
	size_t n;
};

struct block {
	const struct cli_cmd *cmd;      /* in a @command block */
	const struct workload *wl;      /* in a @workload block */
	int after_tp;                   /* the previous line was .TP */
	struct names documented;        /* tags after .TP */
};

static const char *version = "", *date = "";
static int errors;
static int seen_command, seen_workload;
static struct names commands_done, workloads_done;

static void PRINTFLIKE(2, 3)
fail(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mangen: line %d: ", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errors++;
}

static int
names_has(const struct names *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	return 0;
}

static void
names_add(struct names *s, const char *name, size_t len)
{
	char *copy = xstrndup(name, len);

	if (names_has(s, copy) || s->n == MAX_NAMES) {
		free(copy);
		return;
	}
	s->v[s->n++] = copy;
}

static void
names_clear(struct names *s)
{
	while (s->n > 0)
		free(s->v[--s->n]);
}

/* Text for roff: '-' is a minus (options are copied from the page), a
 * backslash is \e, a line never starts with a control character. */
static void
put_text(const char *s, FILE *out)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s != '\0'; s++) {
		if (*s == '-')
			fputs("\\-", out);
		else if (*s == '\\')
			fputs("\\e", out);
		else
			fputc(*s, out);
	}
}

/* A usage line: literal words bold, PLACEHOLDERS italic, the rest roman. */
static void
put_usage(const char *s, FILE *out)
{
	fputs(".PP\n.nh\n.ad l\n\\fBmmstorm\\fR ", out);
	while (*s != '\0') {
		size_t n;
		const char *font;
		char *word;

		if (isupper((unsigned char)*s)) {
			n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			font = "\\fI";
		} else if (islower((unsigned char)*s) || *s == '-') {
			n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
			font = "\\fB";
		} else {
			n = 1;
			font = NULL;
		}
		word = xstrndup(s, n);
		if (font != NULL)
			fputs(font, out);
		put_text(word, out);
		if (font != NULL)
			fputs("\\fR", out);
		free(word);
		s += n;
	}
	fputs("\n.ad\n.hy\n", out);
}

/* Every --word of text (not --OPTION placeholders). */
static void
options_in(const char *text, struct names *s)
{
	const char *p = text;

	while ((p = strstr(p, "--")) != NULL) {
		size_t n;

		p += 2;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (n > 0 && islower((unsigned char)*p))
			names_add(s, p, n);
		p += n;
	}
}

/* --help is every command's and said once, in the page's own words. */
static void
command_options(const struct cli_cmd *cmd, struct names *s)
{
	size_t i;

	for (i = 0; cmd->longopts != NULL && cmd->longopts[i].name; i++)
		names_add(s, cmd->longopts[i].name,
		    strlen(cmd->longopts[i].name));
	if (cmd->flags & CLI_OPT_JSON)
		names_add(s, "json", 4);
	if (cmd->flags & CLI_OPT_DB)
		names_add(s, "db", 2);
	if (cmd->flags & CLI_OPT_SOCKET)
		names_add(s, "socket", 6);
	options_in(cmd->usage, s);
}

/* The options of a tag line: its --words once font escapes are gone
 * and roff's minus signs are hyphens again. */
static void
tags_in(const char *line, struct names *s)
{
	struct buf plain = BUF_INIT;
	const char *p;

	for (p = line; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == 'f' && p[2] != '\0')
			p += 2;
		else if (p[0] == '\\' && p[1] == '-')
			buf_printf(&plain, "-"), p++;
		else
			buf_printf(&plain, "%c", *p);
	}
	if (plain.s != NULL)
		options_in(plain.s, s);
	buf_release(&plain);
}

/* A plain tag: ".B name" (metrics). */
static void
word_tag_in(const char *line, struct names *s)
{
	if (strncmp(line, ".B ", 3) == 0)
		names_add(s, line + 3, strcspn(line + 3, " \n"));
}

static void
check_command(int line, const struct cli_cmd *cmd, const struct names *doc)
{
	struct names want = { .n = 0 };
	size_t i;

	command_options(cmd, &want);
	for (i = 0; i < want.n; i++)
		if (!names_has(doc, want.v[i]))
			fail(line, "'%s' takes '--%s' but the page does not "
			    "describe it", cmd->name, want.v[i]);
	for (i = 0; i < doc->n; i++)
		if (!names_has(&want, doc->v[i]))
			fail(line, "the page describes '--%s', which '%s' does "
			    "not take", doc->v[i], cmd->name);
	names_clear(&want);
}

static void
check_workload(int line, const struct workload *w, const struct names *doc)
{
	size_t i;

	if (w->primary_metric && !names_has(doc, w->primary_metric))
		fail(line, "metric '%s' of '%s' is not described",
		    w->primary_metric, w->name);
	for (i = 0; w->headline_metrics && w->headline_metrics[i]; i++)
		if (!names_has(doc, w->headline_metrics[i]))
			fail(line, "metric '%s' of '%s' is not described",
			    w->headline_metrics[i], w->name);
}

static void
put_options(const struct opt_spec *o, FILE *out)
{
	char tmp[128];

	for (; o->name != NULL; o++) {
		fprintf(out, ".TP\n\\fB");
		put_text(o->name, out);
		fprintf(out, "=\\fR\\fI%s\\fR\n", opt_type_name(o->type));
		put_text(o->help, out);
		fputs(".\n", out);
		fputs("Range: ", out);
		put_text(cli_option_range(o, tmp, sizeof tmp), out);
		fputs("; default: ", out);
		put_text(o->def ? o->def : "chosen by the workload", out);
		fputs(".\n", out);
	}
}

static void
put_workload(const struct workload *w, FILE *out)
{
	fputs(".SS ", out);
	put_text(w->name, out);
	fputs("\n.PP\n", out);
	put_text(w->summary, out);
	fputs(".\n", out);
	if (w->seeds && *w->seeds) {
		fputs("Seed", out);
		fputs(strchr(w->seeds, ',') ? "s: " : ": ", out);
		put_text(w->seeds, out);
		fputs(".\n", out);
	}
	if (w->primary_metric) {
		fputs("\\fBverdict\\fR judges \\fB", out);
		put_text(w->primary_metric, out);
		fputs("\\fR unless \\fB\\-\\-metric\\fR says otherwise.\n", out);
	}
	fputs(".PP\nOptions, besides the common ones:\n", out);
	put_options(w->options, out);
}

static void
put_commands(FILE *out)
{
	size_t i;

	for (i = 0; cli_commands[i] != NULL; i++) {
		fputs(".TP\n.B ", out);
		put_text(cli_commands[i]->name, out);
		fputc('\n', out);
		put_text(cli_commands[i]->summary, out);
		fputc('\n', out);
	}
}

static const struct cli_cmd *
command_named(const char *name)
{
	size_t i;

	for (i = 0; cli_commands[i] != NULL; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

static void
end_block(int line, struct block *b)
{
	if (b->cmd)
		check_command(line, b->cmd, &b->documented);
	if (b->wl)
		check_workload(line, b->wl, &b->documented);
	names_clear(&b->documented);
	b->cmd = NULL;
	b->wl = NULL;
}

static void
directive(int line, const char *d, struct block *b, FILE *out)
{
	if (strncmp(d, "@command ", 9) == 0) {
		end_block(line, b);
		seen_command = 1;
		if ((b->cmd = command_named(d + 9)) == NULL) {
			fail(line, "unknown command '%s'", d + 9);
			return;
		}
		names_add(&commands_done, b->cmd->name, strlen(b->cmd->name));
		fputs(".SS ", out);
		put_text(b->cmd->name, out);
		fputc('\n', out);
		put_usage(b->cmd->usage, out);
		fputs(".PP\n", out);
		put_text(b->cmd->summary, out);
		fputs(".\n", out);
	} else if (strncmp(d, "@workload ", 10) == 0) {
		end_block(line, b);
		seen_workload = 1;
		if ((b->wl = workload_find(d + 10)) == NULL) {
			fail(line, "unknown workload '%s'", d + 10);
			return;
		}
		names_add(&workloads_done, b->wl->name, strlen(b->wl->name));
		put_workload(b->wl, out);
	} else if (strcmp(d, "@end") == 0) {
		end_block(line, b);
	} else if (strcmp(d, "@commands") == 0) {
		put_commands(out);
	} else if (strcmp(d, "@common-options") == 0) {
		put_options(common_opts, out);
	} else {
		fail(line, "unknown directive '%s'", d);
	}
}

/* A text line, @VERSION@ and @DATE@ replaced; .TP tags noted. */
static void
text_line(const char *s, struct block *b, FILE *out)
{
	const char *at;

	if (b->after_tp) {
		tags_in(s, &b->documented);
		if (b->wl)
			word_tag_in(s, &b->documented);
	}
	b->after_tp = strncmp(s, ".TP", 3) == 0 || strncmp(s, ".TQ", 3) == 0;
	while ((at = strchr(s, '@')) != NULL) {
		fwrite(s, 1, at - s, out);
		if (strncmp(at, "@VERSION@", 9) == 0) {
			fputs(version, out);
			s = at + 9;
		} else if (strncmp(at, "@DATE@", 6) == 0) {
			fputs(date, out);
			s = at + 6;
		} else {
			fputc('@', out);
			s = at + 1;
		}
	}
	fputs(s, out);
	fputc('\n', out);
}

static void
check_all_present(int line)
{
	size_t i;

	for (i = 0; seen_command && cli_commands[i] != NULL; i++)
		if (!names_has(&commands_done, cli_commands[i]->name))
			fail(line, "no @command block for '%s'",
			    cli_commands[i]->name);
	for (i = 0; seen_workload && workloads[i] != NULL; i++)
		if (!names_has(&workloads_done, workloads[i]->name))
			fail(line, "no @workload block for '%s'",
			    workloads[i]->name);
}

int
main(int argc, char **argv)
{
	struct block b = { .cmd = NULL };
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int n = 0;
	FILE *mem;
	char *text = NULL;
	size_t textlen = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: mangen VERSION DATE < PAGE.in > PAGE\n");
		return 2;
	}
	version = argv[1];
	date = argv[2];
	/* Nothing reaches stdout unless the whole page checks out. */
	if ((mem = open_memstream(&text, &textlen)) == NULL)
		return 1;
	while ((len = getline(&line, &size, stdin)) != -1) {
		n++;
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (line[0] == '@')
			directive(n, line, &b, mem);
		else
			text_line(line, &b, mem);
	}
	end_block(n, &b);
	check_all_present(n);
	fclose(mem);
	if (errors == 0)
		fwrite(text, 1, textlen, stdout);
	free(text);
	free(line);
	names_clear(&commands_done);
	names_clear(&workloads_done);
	return errors == 0 ? 0 : 1;
}
