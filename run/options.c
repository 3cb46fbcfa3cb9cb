/* options.c - declarative workload options: parse, check, describe. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/suggest.h"
#include "run/options.h"
#include "common/util.h"

const struct opt_spec common_opts[] = {
	{ "duration", OPT_DURATION, 0, INT64_C(7) * 24 * 3600 * 1000, NULL,
	    NULL, "stop the run after this long (besides its own counts)" },
	{ "sample_ms", OPT_INT, 50, 60000, "1000", NULL,
	    "period of the counter sampler in milliseconds" },
	/* No default, so runs that leave it alone keep their parameters as
	 * before; unset means 1. */
	{ "require_path", OPT_BOOL, 0, 1, NULL, NULL,
	    "a run that does not prove it reached its workload's kernel path "
	    "ends skipped (default 1; 0: the proof is only recorded)" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

const char *
opt_type_name(enum opt_type t)
{
	switch (t) {
	case OPT_INT: return "int";
	case OPT_SIZE: return "size";
	case OPT_BOOL: return "bool";
	case OPT_ENUM: return "enum";
	case OPT_DURATION: return "duration";
	case OPT_PERCENT: return "percent";
	case OPT_INTLIST: return "intlist";
	case OPT_STRING: return "string";
	}
	return "unknown";
}

static size_t
spec_count(const struct opt_spec *specs)
{
	size_t n = 0;

	while (specs != NULL && specs[n].name != NULL)
		n++;
	return n;
}

void
param_clear(struct param *p)
{
	free(p->s);
	free(p->list);
	p->s = NULL;
	p->list = NULL;
	p->nlist = 0;
	p->i = 0;
	p->f = 0;
	p->set = p->has_value = 0;
}

struct params *
params_new(const char *owner, const struct opt_spec *specs)
{
	struct params *ps = xcalloc(1, sizeof *ps);
	size_t n = spec_count(specs), m = spec_count(common_opts), i;

	ps->owner = owner;
	ps->n = n + m;
	ps->v = xcalloc(ps->n, sizeof *ps->v);
	for (i = 0; i < n; i++)
		ps->v[i].spec = &specs[i];
	for (i = 0; i < m; i++)
		ps->v[n + i].spec = &common_opts[i];
	for (i = 0; i < ps->n; i++) {
		if (ps->v[i].spec->def == NULL)
			continue;
		if (opt_parse_value(ps->v[i].spec, ps->v[i].spec->def,
		    &ps->v[i], NULL) != 0)
			abort(); /* a default outside its own range is a bug */
		ps->v[i].set = 0;
	}
	return ps;
}

void
params_free(struct params *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++)
		param_clear(&ps->v[i]);
	free(ps->v);
	free(ps);
}

/* Binary multipliers, as sizes are given for memory: 1G = 2^30. */
static int
parse_size(const char *text, int64_t *out)
{
	char *end;
	double v;
	int64_t mult = 1;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno != 0 || v < 0 || !isdigit((unsigned char)*text))
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mult = INT64_C(1) << 10; end++; break;
	case 'm': mult = INT64_C(1) << 20; end++; break;
	case 'g': mult = INT64_C(1) << 30; end++; break;
	case 't': mult = INT64_C(1) << 40; end++; break;
	default: return -EINVAL;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0')
		return -EINVAL;
	if (v * (double)mult > 9e18)
		return -ERANGE;
	*out = (int64_t)(v * (double)mult);
	return 0;
}

static int
parse_duration(const char *text, int64_t *ms)
{
	char *end;
	double v, mult = 1000;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno != 0 || v < 0 || !isdigit((unsigned char)*text))
		return -EINVAL;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else
		return -EINVAL;
	if (v * mult > 9e15)
		return -ERANGE;
	*ms = (int64_t)llround(v * mult);
	return 0;
}

static int
parse_bool(const char *text, int64_t *out)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static int
enum_has(const char *choices, const char *text)
{
	size_t len = strlen(text);
	const char *p = choices;

	if (len == 0 || strchr(text, '|') != NULL)
		return 0;
	while (p != NULL && *p != '\0') {
		if (strncmp(p, text, len) == 0 && (p[len] == '|' ||
		    p[len] == '\0'))
			return 1;
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	return 0;
}

/* More values than any list option can mean (a sweep of 4096 thread
 * counts, a hotplug run over 4096 CPUs): a request never makes mmstorm
 * allocate more than this, whatever ranges it writes. */
#define OPT_LIST_MAX 4096

/*
 * "1,2,4-6": every element must lie within [min, max] (-ERANGE), and the
 * whole list holds at most OPT_LIST_MAX values (-E2BIG).  Bounds are
 * checked before a range is expanded, so "-1-9223372036854775807" is out
 * of range, not an allocation without end.
 */
static int
parse_intlist(const char *text, int64_t min, int64_t max, int64_t **out,
    size_t *n)
{
	char *copy = xstrdup(text), *rest = copy, *tok, *dash;
	int64_t *list = NULL, a, b, k;
	size_t count = 0, alloc = 0;
	int r = -EINVAL;

	/* strsep, not strtok: "1,,2" is an error, not "1,2". */
	while ((tok = strsep(&rest, ",")) != NULL) {
		if (*tok == '\0')
			goto out;
		dash = strchr(tok + 1, '-');
		if (dash != NULL) {
			*dash = '\0';
			if (parse_int64(tok, &a) != 0 ||
			    parse_int64(dash + 1, &b) != 0 || b < a)
				goto out;
		} else {
			if (parse_int64(tok, &a) != 0)
				goto out;
			b = a;
		}
		if (a < min || b > max) {
			r = -ERANGE;
			goto out;
		}
		if ((uint64_t)b - (uint64_t)a >= OPT_LIST_MAX - count) {
			r = -E2BIG;
			goto out;
		}
		if (count + (size_t)(b - a) + 1 > alloc) {
			alloc = count + (size_t)(b - a) + 1;
			alloc = alloc < 16 ? 16 : alloc * 2;
			if (alloc > OPT_LIST_MAX)
				alloc = OPT_LIST_MAX;
			list = xreallocarray(list, alloc, sizeof *list);
		}
		for (k = a; k <= b; k++)
			list[count++] = k;
	}
	if (count == 0)
		goto out;
	*out = list;
	*n = count;
	list = NULL;
	r = 0;
out:
	free(list);
	free(copy);
	return r;
}

static char *
range_text(const struct opt_spec *spec, int64_t v)
{
	char *s;

	switch (spec->type) {
	case OPT_SIZE:
		return format_size(v);
	case OPT_DURATION:
		if (v % 1000 == 0)
			return xasprintf("%" PRId64 "s", v / 1000);
		return xasprintf("%" PRId64 "ms", v);
	case OPT_PERCENT:
		s = xasprintf("%" PRId64 "%%", v);
		return s;
	default:
		return xasprintf("%" PRId64, v);
	}
}

static int
out_of_range(const struct opt_spec *spec, const char *text, char **cause)
{
	char *lo = range_text(spec, spec->min), *hi = range_text(spec,
	    spec->max);
	int r;

	r = set_cause(cause, EINVAL,
	    "option '%s' must be between %s and %s, got '%s'", spec->name, lo,
	    hi, text);
	free(lo);
	free(hi);
	return r;
}

int
opt_parse_value(const struct opt_spec *spec, const char *text,
    struct param *out, char **cause)
{
	struct param p;
	int r;

	memset(&p, 0, sizeof p);
	p.spec = spec;
	switch (spec->type) {
	case OPT_INT:
		if (parse_int64(text, &p.i) != 0)
			return set_cause(cause, EINVAL,
			    "option '%s' expects an integer, got '%s'",
			    spec->name, text);
		if (p.i < spec->min || p.i > spec->max)
			return out_of_range(spec, text, cause);
		break;
	case OPT_SIZE:
		if (parse_size(text, &p.i) != 0)
			return set_cause(cause, EINVAL,
			    "option '%s' expects a size like 256M or 4G, got '%s'",
			    spec->name, text);
		if (p.i < spec->min || p.i > spec->max)
			return out_of_range(spec, text, cause);
		break;
	case OPT_BOOL:
		if (parse_bool(text, &p.i) != 0)
			return set_cause(cause, EINVAL,
			    "option '%s' expects 0 or 1, got '%s'", spec->name,
			    text);
		break;
	case OPT_DURATION:
		if (parse_duration(text, &p.i) != 0)
			return set_cause(cause, EINVAL,
			    "option '%s' expects a duration like 30s, 500ms or 5m, got '%s'",
			    spec->name, text);
		if (p.i < spec->min || p.i > spec->max)
			return out_of_range(spec, text, cause);
		break;
	case OPT_PERCENT: {
		char *copy = xstrdup(text);
		size_t len = strlen(copy);

		if (len > 0 && copy[len - 1] == '%')
			copy[len - 1] = '\0';
		r = parse_double(copy, &p.f);
		free(copy);
		if (r != 0)
			return set_cause(cause, EINVAL,
			    "option '%s' expects a percentage, got '%s'",
			    spec->name, text);
		if (p.f < (double)spec->min || p.f > (double)spec->max)
			return out_of_range(spec, text, cause);
		p.i = (int64_t)p.f;
		break;
	}
	case OPT_ENUM:
		if (!enum_has(spec->choices, text))
			return set_cause(cause, EINVAL,
			    "option '%s' must be one of %s, got '%s'",
			    spec->name, spec->choices, text);
		break;
	case OPT_INTLIST:
		r = parse_intlist(text, spec->min, spec->max, &p.list,
		    &p.nlist);
		if (r == -ERANGE)
			return out_of_range(spec, text, cause);
		if (r == -E2BIG)
			return set_cause(cause, EINVAL,
			    "option '%s' lists more than %d values",
			    spec->name, OPT_LIST_MAX);
		if (r != 0)
			return set_cause(cause, EINVAL,
			    "option '%s' expects a list like 1,2,4 or 0-3, got '%s'",
			    spec->name, text);
		break;
	case OPT_STRING:
		if (strchr(text, '\n') != NULL)
			return set_cause(cause, EINVAL,
			    "option '%s' must be one line", spec->name);
		break;
	}
	p.s = xstrdup(text);
	p.set = p.has_value = 1;
	param_clear(out);
	*out = p;
	return 0;
}

static struct param *
params_find(const struct params *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		if (strcmp(ps->v[i].spec->name, name) == 0)
			return &ps->v[i];
	}
	return NULL;
}

/* "unknown option 'sizee' for workload 'thp-munmap' (did you mean
 * 'size'?)": the nearest names of its table. */
static int
unknown_option(const struct params *ps, const char *name, char **cause)
{
	struct suggest s;
	char *hint;
	size_t i;
	int r;

	suggest_init(&s, name);
	for (i = 0; i < ps->n; i++)
		suggest_add(&s, ps->v[i].spec->name);
	hint = suggest_hint(&s, "");
	r = set_cause(cause, EINVAL, "unknown option '%s' for workload '%s'%s",
	    name, ps->owner, hint);
	free(hint);
	return r;
}

int
params_set(struct params *ps, const char *name, const char *value,
    char **cause)
{
	struct param *p = params_find(ps, name);
	char *inner = NULL;
	int r;

	if (p == NULL)
		return unknown_option(ps, name, cause);
	if ((r = opt_parse_value(p->spec, value, p, &inner)) != 0) {
		set_cause(cause, -r, "%s (workload '%s')", inner, ps->owner);
		free(inner);
	}
	return r;
}

int
params_set_arg(struct params *ps, const char *arg, char **cause)
{
	const char *eq;
	char *name;
	int r;

	if (starts_with(arg, "--"))
		arg += 2;
	eq = strchr(arg, '=');
	if (eq == NULL || eq == arg)
		return set_cause(cause, EINVAL,
		    "expected name=value for workload '%s', got '%s'",
		    ps->owner, arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	r = params_set(ps, name, eq + 1, cause);
	free(name);
	return r;
}

const struct param *
params_get(const struct params *ps, const char *name)
{
	const struct param *p = params_find(ps, name);

	/* Asking for an option the table does not declare is a bug. */
	if (p == NULL) {
		fprintf(stderr, "BUG: option '%s' not declared by '%s'\n",
		    name, ps->owner);
		abort();
	}
	return p;
}

int
params_isset(const struct params *ps, const char *name)
{
	return params_get(ps, name)->set;
}

int64_t
params_int(const struct params *ps, const char *name)
{
	return params_get(ps, name)->i;
}

double
params_double(const struct params *ps, const char *name)
{
	const struct param *p = params_get(ps, name);

	return p->spec->type == OPT_PERCENT ? p->f : (double)p->i;
}

const char *
params_str(const struct params *ps, const char *name)
{
	return params_get(ps, name)->s;
}

const int64_t *
params_list(const struct params *ps, const char *name, size_t *n)
{
	const struct param *p = params_get(ps, name);

	*n = p->nlist;
	return p->list;
}

struct params *
params_dup(const struct params *ps)
{
	struct params *d = xcalloc(1, sizeof *d);
	size_t i;

	d->owner = ps->owner;
	d->n = ps->n;
	d->v = xcalloc(d->n, sizeof *d->v);
	for (i = 0; i < d->n; i++) {
		d->v[i].spec = ps->v[i].spec;
		if (!ps->v[i].has_value)
			continue;
		/* The text parsed once already: it parses again. */
		if (opt_parse_value(d->v[i].spec, ps->v[i].s, &d->v[i],
		    NULL) != 0)
			abort();
		d->v[i].set = ps->v[i].set;
	}
	return d;
}

int
params_pick_seeds(struct params *ps)
{
	const struct opt_spec *spec;
	uint64_t rnd, span;
	char *text;
	size_t i;
	int n = 0;

	for (i = 0; i < ps->n; i++) {
		spec = ps->v[i].spec;
		if (ps->v[i].has_value || spec->type != OPT_INT ||
		    strcmp(spec->name, "seed") != 0)
			continue;
		if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
			rnd = (uint64_t)now_real_ns() ^ (uint64_t)getpid() << 32;
		span = (uint64_t)spec->max - (uint64_t)spec->min + 1;
		text = xasprintf("%" PRId64, spec->min + (int64_t)(span == 0 ?
		    rnd : rnd % span));
		if (opt_parse_value(spec, text, &ps->v[i], NULL) != 0)
			abort(); /* within [min, max] by construction */
		free(text);
		n++;
	}
	return n;
}

/* "0-3,8": a stored list as its option's text. */
static char *
intlist_text(json_t *a)
{
	struct buf b = BUF_INIT;
	size_t i, j, n = json_array_size(a);
	json_int_t lo, hi;

	for (i = 0; i < n; i = j + 1) {
		lo = hi = json_integer_value(json_array_get(a, i));
		for (j = i; j + 1 < n && json_integer_value(json_array_get(a,
		    j + 1)) == hi + 1; j++)
			hi++;
		buf_printf(&b, "%s%" JSON_INTEGER_FORMAT, i ? "," : "", lo);
		if (hi > lo)
			buf_printf(&b, "-%" JSON_INTEGER_FORMAT, hi);
	}
	return buf_detach(&b);
}

/* A value as params_to_json stored it, as text its option parses back to
 * the same value (durations are stored in milliseconds); NULL when the
 * JSON type is not the option's. */
static char *
stored_text(const struct opt_spec *spec, json_t *v)
{
	switch (spec->type) {
	case OPT_INT:
		if (!json_is_integer(v))
			return NULL;
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case OPT_SIZE:
		return json_is_integer(v) ? format_size(json_integer_value(v)) :
		    NULL;
	case OPT_DURATION:
		if (!json_is_integer(v))
			return NULL;
		if (json_integer_value(v) % 1000 == 0)
			return xasprintf("%" JSON_INTEGER_FORMAT "s",
			    json_integer_value(v) / 1000);
		return xasprintf("%" JSON_INTEGER_FORMAT "ms",
		    json_integer_value(v));
	case OPT_BOOL:
		return json_is_boolean(v) ? xstrdup(json_is_true(v) ? "1" :
		    "0") : NULL;
	case OPT_PERCENT:
		return json_is_number(v) ? xasprintf("%.17g",
		    json_number_value(v)) : NULL;
	case OPT_INTLIST:
		return json_is_array(v) && json_array_size(v) > 0 ?
		    intlist_text(v) : NULL;
	case OPT_ENUM:
	case OPT_STRING:
		return json_is_string(v) ? xstrdup(json_string_value(v)) :
		    NULL;
	}
	return NULL;
}

int
params_from_json(struct params *ps, const char *json, char **cause)
{
	json_t *o = json_loads(json, 0, NULL), *v;
	struct param *p;
	const char *name;
	char *text;
	int r = 0;

	if (!json_is_object(o)) {
		r = set_cause(cause, EINVAL, "the options stored for '%s' are "
		    "not a JSON object", ps->owner);
		goto out;
	}
	json_object_foreach(o, name, v) {
		if ((p = params_find(ps, name)) == NULL) {
			r = set_cause(cause, EINVAL, "option '%s' stored with "
			    "the run is not one of '%s' any more", name,
			    ps->owner);
			goto out;
		}
		if ((text = stored_text(p->spec, v)) == NULL) {
			r = set_cause(cause, EINVAL, "option '%s' of '%s' is "
			    "stored as the wrong JSON type", name, ps->owner);
			goto out;
		}
		r = params_set(ps, name, text, cause);
		free(text);
		if (r != 0)
			goto out;
	}
out:
	json_decref(o);
	return r;
}

char **
params_to_args(const struct params *ps)
{
	char **args = xcalloc(ps->n + 1, sizeof *args);
	size_t i, n = 0;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].has_value)
			args[n++] = xasprintf("--%s=%s", ps->v[i].spec->name,
			    ps->v[i].s);
	return args;
}

static json_t *
param_json(const struct param *p)
{
	json_t *a;
	size_t i;

	switch (p->spec->type) {
	case OPT_INT:
	case OPT_SIZE:
	case OPT_DURATION:
		return json_integer(p->i);
	case OPT_BOOL:
		return json_boolean(p->i);
	case OPT_PERCENT:
		return json_real(p->f);
	case OPT_INTLIST:
		a = json_array();
		for (i = 0; i < p->nlist; i++)
			json_array_append_new(a, json_integer(p->list[i]));
		return a;
	case OPT_ENUM:
	case OPT_STRING:
		return json_string(p->s);
	}
	return json_null();
}

char *
params_to_json(const struct params *ps)
{
	json_t *o = json_object();
	char *s, *out;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		if (ps->v[i].has_value)
			json_object_set_new(o, ps->v[i].spec->name,
			    param_json(&ps->v[i]));
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = xstrdup(s);
	free(s);
	return out;
}

static void
spec_json_one(json_t *a, const struct opt_spec *sp)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(sp->name));
	json_object_set_new(o, "type", json_string(opt_type_name(sp->type)));
	if (sp->type != OPT_BOOL && sp->type != OPT_ENUM &&
	    sp->type != OPT_STRING) {
		json_object_set_new(o, "min", json_integer(sp->min));
		json_object_set_new(o, "max", json_integer(sp->max));
	}
	json_object_set_new(o, "default",
	    sp->def ? json_string(sp->def) : json_null());
	if (sp->choices != NULL)
		json_object_set_new(o, "choices", json_string(sp->choices));
	json_object_set_new(o, "help", json_string(sp->help ? sp->help : ""));
	json_array_append_new(a, o);
}

void
opt_spec_to_json(struct buf *b, const struct opt_spec *specs)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; specs != NULL && specs[i].name != NULL; i++)
		spec_json_one(a, &specs[i]);
	for (i = 0; common_opts[i].name != NULL; i++)
		spec_json_one(a, &common_opts[i]);
	s = json_dumps(a, JSON_COMPACT);
	buf_adds(b, s);
	free(s);
	json_decref(a);
}

char *
format_size(int64_t bytes)
{
	static const char units[] = "KMGT";
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 3 && (int64_t)v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		return xasprintf("%" PRId64, bytes);
	return xasprintf("%.0f%c", v, units[u]);
}
