/* spec.c - job specs: from and to the API's JSON. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "jobs/spec.h"
#include "run/options.h"
#include "run/workload.h"

static const struct opt_spec repeat_spec = { "repeat", OPT_INT, 1, 100000,
	"1", NULL, NULL };
static const struct opt_spec retry_spec = { "retry", OPT_INT, 0, 100, "0",
	NULL, NULL };
static const struct opt_spec timeout_spec = { "timeout", OPT_DURATION, 1000,
	INT64_C(7) * 24 * 3600 * 1000, NULL, NULL, NULL };

/* A JSON scalar or array as the text the option parser takes. */
static char *
json_text(json_t *v)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *e;
	char *s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		return xasprintf("%.17g", json_real_value(v));
	case JSON_TRUE:
		return xstrdup("1");
	case JSON_FALSE:
		return xstrdup("0");
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e)) {
				buf_release(&b);
				return NULL;
			}
			buf_printf(&b, "%s%" JSON_INTEGER_FORMAT, i ? "," : "",
			    json_integer_value(e));
		}
		s = buf_detach(&b);
		return s;
	default:
		return NULL;
	}
}

static int
spec_field(json_t *obj, const char *key, const struct opt_spec *spec,
    int64_t *out, char **cause)
{
	json_t *v = json_object_get(obj, key);
	struct param p;
	char *text, *inner = NULL;
	int r;

	if (v == NULL || json_is_null(v))
		return 0;
	if ((text = json_text(v)) == NULL || json_is_array(v))
		r = set_cause(cause, EINVAL, "'%s' must be a number or string",
		    key);
	else {
		memset(&p, 0, sizeof p);
		r = opt_parse_value(spec, text, &p, &inner);
		if (r == 0)
			*out = p.i;
		else
			set_cause(cause, -r, "%s", inner);
		free(p.s);
	}
	free(text);
	free(inner);
	return r;
}

void
job_spec_init(struct job_spec *js, const struct workload *wl)
{
	memset(js, 0, sizeof *js);
	js->wl = wl;
	js->params = params_new(wl->name, wl->options);
	js->repeat = 1;
}

int
job_spec_from_json(json_t *obj, const struct workload *const *registry,
    struct job_spec *js, char **cause)
{
	const struct workload *wl;
	json_t *opts, *v, *w;
	const char *key, *name;
	char *text;
	int r;

	memset(js, 0, sizeof *js);
	js->repeat = 1;
	if (!json_is_object(obj))
		return set_cause(cause, EINVAL, "a job must be a JSON object");
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "workload") != 0 && strcmp(key, "options") != 0 &&
		    strcmp(key, "repeat") != 0 && strcmp(key, "label") != 0 &&
		    strcmp(key, "retry") != 0 && strcmp(key, "timeout") != 0)
			return set_cause(cause, EINVAL, "unknown job field '%s'",
			    key);
	}
	w = json_object_get(obj, "workload");
	if ((name = json_string_value(w)) == NULL)
		return set_cause(cause, EINVAL, "a job needs \"workload\"");
	if ((wl = workload_lookup(registry, name)) == NULL)
		return set_cause(cause, EINVAL, "unknown workload '%s'", name);
	job_spec_init(js, wl);
	opts = json_object_get(obj, "options");
	if (opts != NULL && !json_is_object(opts) && !json_is_null(opts)) {
		r = set_cause(cause, EINVAL, "\"options\" must be an object");
		goto fail;
	}
	json_object_foreach(opts, key, v) {
		if ((text = json_text(v)) == NULL) {
			r = set_cause(cause, EINVAL, "option '%s' has a value "
			    "of the wrong JSON type", key);
			goto fail;
		}
		r = params_set(js->params, key, text, cause);
		free(text);
		if (r != 0)
			goto fail;
	}
	if ((r = spec_field(obj, "repeat", &repeat_spec, &js->repeat,
	    cause)) != 0 ||
	    (r = spec_field(obj, "retry", &retry_spec, &js->retry, cause)) != 0 ||
	    (r = spec_field(obj, "timeout", &timeout_spec, &js->timeout_ms,
	    cause)) != 0)
		goto fail;
	v = json_object_get(obj, "label");
	if (v != NULL && !json_is_null(v)) {
		const char *l = json_string_value(v);

		if (l == NULL || *l == '\0' || strchr(l, '\n') != NULL) {
			r = set_cause(cause, EINVAL,
			    "\"label\" must be one non-empty line");
			goto fail;
		}
		js->label = xstrdup(l);
	}
	return 0;
fail:
	job_spec_release(js);
	return r;
}

json_t *
job_spec_to_json(const struct job_spec *js)
{
	json_t *o = json_object(), *opts = json_object();
	size_t i;

	json_object_set_new(o, "workload", json_string(js->wl->name));
	for (i = 0; i < js->params->n; i++) {
		const struct param *p = &js->params->v[i];

		if (p->set)
			json_object_set_new(opts, p->spec->name,
			    json_string(p->s));
	}
	json_object_set_new(o, "options", opts);
	json_object_set_new(o, "repeat", json_integer(js->repeat));
	if (js->label != NULL)
		json_object_set_new(o, "label", json_string(js->label));
	if (js->retry != 0)
		json_object_set_new(o, "retry", json_integer(js->retry));
	if (js->timeout_ms != 0) {
		char *t = xasprintf("%" PRId64 "ms", js->timeout_ms);

		json_object_set_new(o, "timeout", json_string(t));
		free(t);
	}
	return o;
}

/* Whether path (resolved) is root or below it. */
static int
path_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(path, root, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

int
job_spec_confine_paths(struct job_spec *js, const char *root, char **cause)
{
	const struct param *p;
	char resolved[PATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < js->params->n; i++) {
		p = &js->params->v[i];
		if (!p->set || p->spec->type != OPT_STRING)
			continue;
		if (root == NULL)
			return set_cause(cause, EPERM, "option '%s' of '%s' "
			    "names a path, and this database has no "
			    "directory to confine it to", p->spec->name,
			    js->wl->name);
		if (realpath(p->s, resolved) == NULL)
			return set_cause(cause, errno, "option '%s' of '%s': "
			    "cannot resolve '%s': %s", p->spec->name,
			    js->wl->name, p->s, strerror(errno));
		if (!path_under(resolved, root))
			return set_cause(cause, EPERM, "option '%s' of '%s' "
			    "must name a directory under '%s' (the daemon's "
			    "state directory), got '%s'", p->spec->name,
			    js->wl->name, root, p->s);
		/* The run uses what was checked, not a name that may
		 * point elsewhere by then. */
		if ((r = params_set(js->params, p->spec->name, resolved,
		    cause)) != 0)
			return r;
	}
	return 0;
}

void
job_spec_release(struct job_spec *js)
{
	params_free(js->params);
	free(js->label);
	free(js->section);
	memset(js, 0, sizeof *js);
}
