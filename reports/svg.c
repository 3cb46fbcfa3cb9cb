/*
 * svg.c - small inline-SVG plotting for the HTML reports: time plots
 * with marks on the time axis, histograms and CDFs, change bars; the
 * escaping they and the renderers share.
 *
 * Output is XML-clean (every element closed, attributes quoted, text
 * escaped) so that each <svg> block parses as XML on its own, and it
 * carries no xmlns: inside HTML5 the parser puts <svg> in the SVG
 * namespace, and the file then names no URL at all.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/format.h"
#include "common/text.h"
#include "reports/internal.h"
#include "common/util.h"

/* ---- escaping --------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (common/text.h), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t len = utf8_seq_len(p, (size_t)(end - p));

	/* U+FFFE and U+FFFF are not characters XML allows */
	if (len == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;
	return len;
}

void
html_escape_n(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;
	static const char fffd[] = "\xef\xbf\xbd";

	while (p < end) {
		const char *ent = NULL;
		size_t len = 1;
		unsigned c = *p;

		if (c >= 0x80) {
			len = utf8_len(p, end);
			/* C1 controls (U+0080-U+009F) are not allowed either */
			if (len == 2 && c == 0xc2 && p[1] < 0xa0)
				len = 0;
			if (len != 0) {
				p += len;
				continue;
			}
			ent = fffd;
			len = 1;
		} else if (c == '&')
			ent = "&amp;";
		else if (c == '<')
			ent = "&lt;";
		else if (c == '>')
			ent = "&gt;";
		else if (c == '"')
			ent = "&quot;";
		else if (c == '\'')
			ent = "&#39;";
		else if (c == '\r')
			ent = "";
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			ent = fffd;
		if (ent == NULL) {
			p++;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_adds(b, ent);
		p += len;
		run = p;
	}
	buf_add(b, run, (size_t)(p - run));
}

void
html_escape(struct buf *b, const char *s)
{
	if (s != NULL)
		html_escape_n(b, s, strlen(s));
}

/*
 * A coordinate with one decimal, as "%.1f" prints it but without
 * printf: a 1-hour plot has some 100,000 of them, and vsnprintf was a
 * third of the report's time.
 */
static void
add_coord(struct buf *b, double v)
{
	char tmp[32], *p = tmp + sizeof tmp;
	long long t;
	int neg;

	if (!(v > -1e15 && v < 1e15)) {
		buf_printf(b, "%.1f", v);
		return;
	}
	t = llround(v * 10);
	neg = t < 0;
	if (neg)
		t = -t;
	*--p = (char)('0' + t % 10);
	*--p = '.';
	t /= 10;
	do {
		*--p = (char)('0' + t % 10);
		t /= 10;
	} while (t > 0);
	if (neg)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* "x,y" of a polyline, a space before all but the first. */
static void
add_point(struct buf *b, int first, double x, double y)
{
	if (!first)
		buf_addc(b, ' ');
	add_coord(b, x);
	buf_addc(b, ',');
	add_coord(b, y);
}

/* Fewest decimals that print step exactly (2.5 -> 1, 0.25 -> 2). */
static int
step_decimals(double step)
{
	int d;

	for (d = 0; d < 9; d++) {
		double x = step * pow(10, d);

		if (fabs(x - round(x)) <= 1e-6 * x)
			return d;
	}
	return d;
}

/*
 * A tick label: k/M/G only for large numbers and only when the step
 * still prints with few decimals (MemAvailable of 23502..23510 MiB
 * must not print "23.5k" five times).
 */
static void
fmt_tick(char *out, size_t size, double v, double step, double maxabs)
{
	static const char *const suffix[] = { "", "k", "M", "G", "T", "P" };
	double scale = 1;
	int i = 0, dec;

	if (maxabs >= 1e5) {
		while (maxabs / scale >= 1000 && i < 5) {
			scale *= 1000;
			i++;
		}
	}
	dec = step_decimals(step / scale);
	if (dec > 2 && i > 0) {
		scale = 1;
		i = 0;
		dec = step_decimals(step);
	}
	if (fabs(v) < step * 1e-6) {
		snprintf(out, size, "0");
		return;
	}
	snprintf(out, size, "%.*f%s", dec, v / scale, suffix[i]);
}

int
nice_ticks(double lo, double hi, int target, double *first, double *last,
    double *step)
{
	double raw, mag, f, nice;

	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi < lo) {
		double x = hi;

		hi = lo;
		lo = x;
	}
	if (hi == lo) {
		/* a flat line: zero gets [0, 1], others +-10 % */
		if (lo == 0)
			hi = 1;
		else {
			lo -= fabs(lo) * 0.1;
			hi += fabs(hi) * 0.1;
		}
	}
	if (target < 2)
		target = 2;
	raw = (hi - lo) / target;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	if (f <= 1)
		nice = 1;
	else if (f <= 2)
		nice = 2;
	else if (f <= 2.5)
		nice = 2.5;
	else if (f <= 5)
		nice = 5;
	else
		nice = 10;
	*step = nice * mag;
	*first = floor(lo / *step + 1e-9) * *step;
	*last = ceil(hi / *step - 1e-9) * *step;
	if (*last <= *first)
		*last = *first + *step;
	return (int)round((*last - *first) / *step) + 1;
}

size_t
downsample_minmax(const double *t, const double *v, size_t n, size_t max,
    double *ot, double *ov)
{
	size_t nb, b, i = 0, out = 0;
	double t0, span;

	if (max < 2)
		max = 2;
	if (n <= max) {
		if (ot != t)
			memmove(ot, t, n * sizeof *t);
		if (ov != v)
			memmove(ov, v, n * sizeof *v);
		return n;
	}
	nb = max / 2;
	t0 = t[0];
	span = t[n - 1] - t0;
	for (b = 0; b < nb && i < n; b++) {
		double end = t0 + span * (double)(b + 1) / (double)nb;
		size_t start = i, imin = i, imax = i, lo, hi;
		double tl, vl, th, vh;

		/* by time; by index when all points share one time */
		while (i < n && (b == nb - 1 || (span > 0 ? t[i] <= end :
		    i < (b + 1) * n / nb))) {
			if (v[i] < v[imin])
				imin = i;
			if (v[i] > v[imax])
				imax = i;
			i++;
		}
		if (i == start)
			continue;
		lo = imin < imax ? imin : imax;
		hi = imin < imax ? imax : imin;
		tl = t[lo], vl = v[lo], th = t[hi], vh = v[hi];
		/* out <= start <= lo < hi: nothing unread is overwritten */
		ot[out] = tl;
		ov[out++] = vl;
		if (hi != lo) {
			ot[out] = th;
			ov[out++] = vh;
		}
	}
	return out;
}

/* ---- drawing ----------------------------------------------------------- */

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
};

static const char *const mark_colour[MARK_KINDS] = {
	[MARK_OFFLINE] = "#e6550d",
	[MARK_ONLINE] = "#3182bd",
	[MARK_OP] = "#756bb1",
	[MARK_LABEL] = "#888888",
	[MARK_EVENT] = "#d62728",
};

static const char *const mark_name[MARK_KINDS] = {
	[MARK_OFFLINE] = "CPU offline",
	[MARK_ONLINE] = "CPU online",
	[MARK_OP] = "timed operation",
	[MARK_LABEL] = "labelled sample",
	[MARK_EVENT] = "kernel/workload event",
};

/* A plotting area in SVG coordinates and the data ranges it maps. */
struct frame {
	double x, y, w, h;        /* pixels */
	double xlo, xhi, ylo, yhi;
};

static double
px(const struct frame *f, double x)
{
	if (f->xhi <= f->xlo)
		return f->x;
	return f->x + (x - f->xlo) / (f->xhi - f->xlo) * f->w;
}

static double
py(const struct frame *f, double y)
{
	if (f->yhi <= f->ylo)
		return f->y + f->h;
	return f->y + f->h - (y - f->ylo) / (f->yhi - f->ylo) * f->h;
}

static void
svg_open(struct buf *b, int w, int h, const char *title)
{
	buf_printf(b, "<svg class=\"plot\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	    "height=\"%d\" role=\"img\"><title>", w, h, w, h);
	html_escape(b, title);
	buf_adds(b, "</title>\n");
}

static void
svg_text(struct buf *b, double x, double y, const char *anchor,
    const char *cls, const char *text)
{
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
	if (anchor != NULL)
		buf_printf(b, " text-anchor=\"%s\"", anchor);
	if (cls != NULL)
		buf_printf(b, " class=\"%s\"", cls);
	buf_adds(b, ">");
	html_escape(b, text);
	buf_adds(b, "</text>\n");
}

/* Y grid and labels from ylo to yhi (already nice). */
static void
y_axis(struct buf *b, const struct frame *f, double step)
{
	double maxabs = fmax(fabs(f->ylo), fabs(f->yhi)), y;
	char s[64];
	int i, n = (int)round((f->yhi - f->ylo) / step);

	for (i = 0; i <= n; i++) {
		y = f->ylo + step * i;
		buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>", f->x, py(f, y), f->x + f->w,
		    py(f, y));
		fmt_tick(s, sizeof s, y, step, maxabs);
		svg_text(b, f->x - 5, py(f, y) + 4, "end", NULL, s);
	}
}

/* Time ticks inside [xlo, xhi]: seconds, minutes or hours. */
static void
time_axis(struct buf *b, const struct frame *f, int target)
{
	double span = f->xhi - f->xlo, unit = 1, first, last, step, x;
	const char *name = "s";
	char s[64], label[64];
	int i, n;

	if (span >= 3 * 3600) {
		unit = 3600;
		name = "h";
	} else if (span >= 600) {
		unit = 60;
		name = "min";
	}
	nice_ticks(f->xlo / unit, f->xhi / unit, target, &first, &last, &step);
	n = (int)round((last - first) / step);
	for (i = 0; i <= n; i++) {
		x = (first + step * i) * unit;
		if (x < f->xlo - span * 1e-9 || x > f->xhi + span * 1e-9)
			continue;
		buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>", px(f, x), f->y, px(f, x),
		    f->y + f->h);
		fmt_tick(s, sizeof s, x / unit, step, fabs(last));
		svg_text(b, px(f, x), f->y + f->h + 14, "middle", NULL, s);
	}
	snprintf(label, sizeof label, "time since start (%s)", name);
	svg_text(b, f->x + f->w, f->y + f->h + 29, "end", "axis", label);
}

/* A value axis (histogram, CDF): ticks at first..last by step. */
static void
x_axis(struct buf *b, const struct frame *f, double step, const char *label)
{
	double maxabs = fmax(fabs(f->xlo), fabs(f->xhi)), x;
	char s[64];
	int i, n = (int)round((f->xhi - f->xlo) / step);

	for (i = 0; i <= n; i++) {
		x = f->xlo + step * i;
		buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>", px(f, x), f->y, px(f, x),
		    f->y + f->h);
		/* every other label when crowded */
		if (n > 6 && i % 2 == 1)
			continue;
		fmt_tick(s, sizeof s, x, step, maxabs);
		svg_text(b, px(f, x), f->y + f->h + 14, "middle", NULL, s);
	}
	svg_text(b, f->x + f->w, f->y + f->h + 29, "end", "axis", label);
}

static void
frame_box(struct buf *b, const struct frame *f)
{
	buf_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\"/>\n", f->x, f->y, f->w, f->h);
}

/* Approximate width of a label at 11px sans-serif. */
static double
text_width(const char *s)
{
	return 6.8 * (double)strlen(s);
}

static void
draw_marks(struct buf *b, const struct frame *f,
    const struct report_mark *marks, size_t nmarks)
{
	size_t i, count[MARK_KINDS] = { 0 };
	double last_text = -1e9, x;
	int kind;

	for (i = 0; i < nmarks; i++)
		count[marks[i].kind]++;
	/*
	 * Transitions and operations: one path of thin ticks on the time
	 * axis per kind, so that thousands of hotplug cycles stay small.
	 */
	for (kind = MARK_OFFLINE; kind <= MARK_OP; kind++) {
		if (count[kind] == 0)
			continue;
		buf_printf(b, "<path class=\"tick\" stroke=\"%s\" d=\"",
		    mark_colour[kind]);
		for (i = 0; i < nmarks; i++) {
			if ((int)marks[i].kind != kind ||
			    marks[i].t < f->xlo || marks[i].t > f->xhi)
				continue;
			buf_addc(b, 'M');
			add_coord(b, px(f, marks[i].t));
			buf_addc(b, ' ');
			add_coord(b, f->y + f->h + (kind == MARK_ONLINE ? 0 : -1));
			buf_adds(b, "v-9");
		}
		buf_printf(b, "\"><title>%s: %zu</title></path>\n",
		    mark_name[kind], count[kind]);
	}
	/*
	 * Labelled samples: dashed lines, named where there is room; when
	 * there are many (hotplug labels one sample per cycle) only short
	 * ticks under the top edge, so they do not hide the lines.
	 */
	if (count[MARK_LABEL] > 20) {
		buf_adds(b, "<path class=\"tick\" stroke=\"#888888\" d=\"");
		for (i = 0; i < nmarks; i++) {
			if (marks[i].kind != MARK_LABEL || marks[i].t < f->xlo ||
			    marks[i].t > f->xhi)
				continue;
			buf_addc(b, 'M');
			add_coord(b, px(f, marks[i].t));
			buf_addc(b, ' ');
			add_coord(b, f->y);
			buf_adds(b, "v6");
		}
		buf_printf(b, "\"><title>labelled samples: %zu</title></path>\n",
		    count[MARK_LABEL]);
	}
	for (i = 0; i < nmarks && count[MARK_LABEL] <= 20; i++) {
		if (marks[i].kind != MARK_LABEL || marks[i].t < f->xlo ||
		    marks[i].t > f->xhi)
			continue;
		x = px(f, marks[i].t);
		buf_printf(b, "<g class=\"label\"><title>");
		html_escape(b, marks[i].text);
		buf_printf(b, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>", x, f->y, x, f->y + f->h);
		if (x - last_text > text_width(marks[i].text) + 4 && x + 2 +
		    text_width(marks[i].text) < f->x + f->w) {
			svg_text(b, x + 2, f->y + 10, NULL, "mark", marks[i].text);
			last_text = x;
		}
		buf_adds(b, "</g>\n");
	}
	/* Events: a red line and a marker, the title as tooltip. */
	for (i = 0; i < nmarks; i++) {
		if (marks[i].kind != MARK_EVENT || marks[i].t < f->xlo ||
		    marks[i].t > f->xhi)
			continue;
		x = px(f, marks[i].t);
		buf_printf(b, "<g class=\"event\"><title>");
		html_escape(b, marks[i].text);
		buf_printf(b, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/><path d=\"M%.1f %.1fl-5 -8h10z\"/></g>\n",
		    x, f->y, x, f->y + f->h, x, f->y);
	}
}

void
svg_time_plot(struct buf *b, const struct report_plot *p, double t0,
    double t1, const struct report_mark *marks, size_t nmarks)
{
	struct frame f = { 72, 30, 960 - 72 - 16, 230 - 30 - 38, 0, 0, 0, 0 };
	double lo = INFINITY, hi = -INFINITY, first, last, step, lx;
	char title[512], s[64], legend[512];
	size_t l, i;

	for (l = 0; l < p->nlines; l++) {
		for (i = 0; i < p->lines[l].npoints; i++) {
			lo = fmin(lo, p->lines[l].v[i]);
			hi = fmax(hi, p->lines[l].v[i]);
		}
	}
	if (!isfinite(lo)) {
		lo = 0;
		hi = 1;
	}
	/* Rates, most levels and small counts (CPUs) read best from zero. */
	if (lo > 0 && (p->rate || lo < 0.3 * hi || (p->integral && hi <= 64)))
		lo = 0;
	nice_ticks(lo, hi, 5, &first, &last, &step);
	/* whole numbers get no fractional ticks */
	if (p->integral && step < 1) {
		step = 1;
		first = floor(lo);
		last = ceil(hi) > first ? ceil(hi) : first + 1;
	}
	f.xlo = t0;
	f.xhi = t1 > t0 ? t1 : t0 + 1;
	f.ylo = first;
	f.yhi = last;
	snprintf(title, sizeof title, "%s (%s)", p->title, p->unit);
	svg_open(b, 960, 230, title);
	svg_text(b, f.x, 16, NULL, "title", title);
	y_axis(b, &f, step);
	time_axis(b, &f, 8);
	draw_marks(b, &f, marks, nmarks);
	for (l = 0; l < p->nlines; l++) {
		const struct report_line *line = &p->lines[l];

		buf_printf(b, "<polyline class=\"line\" stroke=\"%s\" points=\"",
		    palette[l % ARRAY_SIZE(palette)]);
		for (i = 0; i < line->npoints; i++)
			add_point(b, i == 0, px(&f, line->t[i]),
			    py(&f, line->v[i]));
		buf_adds(b, "\"><title>");
		html_escape(b, line->label);
		buf_adds(b, "</title></polyline>\n");
		/* one point alone draws nothing as a polyline */
		if (line->npoints == 1)
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
			    "fill=\"%s\"/>\n", px(&f, line->t[0]),
			    py(&f, line->v[0]), palette[l % ARRAY_SIZE(palette)]);
	}
	/* Legend, right-aligned in the title row. */
	lx = f.x + f.w;
	for (l = p->nlines; l-- > 0;) {
		const struct report_line *line = &p->lines[l];

		fmt_short(s, sizeof s, line->max);
		snprintf(legend, sizeof legend, "%s (max %s)", line->label, s);
		svg_text(b, lx, 16, "end", NULL, legend);
		lx -= text_width(legend) + 6;
		buf_printf(b, "<rect x=\"%.1f\" y=\"8\" width=\"12\" height=\"3\" "
		    "fill=\"%s\"/>\n", lx - 12, palette[l % ARRAY_SIZE(palette)]);
		lx -= 22;
	}
	frame_box(b, &f);
	buf_adds(b, "</svg>\n");
}

/* A percentile line with its name at the top of a frame. */
static void
pct_line(struct buf *b, const struct frame *f, double x, const char *name,
    const char *cls, int right)
{
	if (x < f->xlo || x > f->xhi)
		return;
	/* the name goes where the frame has room for it */
	if (!right && px(f, x) - 24 < f->x)
		right = 1;
	else if (right && px(f, x) + 24 > f->x + f->w)
		right = 0;
	buf_printf(b, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\"/>", cls, px(f, x), f->y, px(f, x), f->y + f->h);
	svg_text(b, px(f, x) + (right ? 3 : -3), f->y + 10, right ? "start" :
	    "end", cls, name);
}

/* Histogram: sqrt(n) bins, 5 to 40, over the nice range [first, last]. */
static void
values_histogram(struct buf *b, const struct report_values *v, double first,
    double last, double step, const char *label)
{
	struct frame f = { 48, 26, 250, 230 - 26 - 38, first, last, 0, 0 };
	double yfirst, ylast, ystep, bw, x, y;
	size_t *bins, nbins, i, k, maxcount = 0;

	nbins = (size_t)ceil(sqrt((double)v->n));
	nbins = nbins < 5 ? 5 : nbins > 40 ? 40 : nbins;
	bins = xcalloc(nbins, sizeof *bins);
	bw = (last - first) / (double)nbins;
	for (i = 0; i < v->n; i++) {
		k = (size_t)((v->sorted[i] - first) / bw);
		if (k >= nbins)
			k = nbins - 1;
		bins[k]++;
	}
	for (k = 0; k < nbins; k++)
		if (bins[k] > maxcount)
			maxcount = bins[k];
	nice_ticks(0, (double)maxcount, 4, &yfirst, &ylast, &ystep);
	if (ystep < 1) {
		ystep = 1;
		ylast = ceil(ylast);
	}
	f.ylo = 0;
	f.yhi = ylast;
	svg_text(b, f.x, 14, NULL, "title", "histogram");
	y_axis(b, &f, ystep);
	x_axis(b, &f, step, label);
	for (k = 0; k < nbins; k++) {
		if (bins[k] == 0)
			continue;
		x = px(&f, first + bw * (double)k);
		y = py(&f, (double)bins[k]);
		buf_printf(b, "<rect class=\"hbar\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"><title>%zu</title></rect>",
		    x + 0.5, y, fmax(bw / (f.xhi - f.xlo) * f.w - 1, 0.5),
		    f.y + f.h - y, bins[k]);
	}
	free(bins);
	pct_line(b, &f, v->p50, "p50", "p50", 0);
	pct_line(b, &f, v->p99, "p99", "p99", 1);
	frame_box(b, &f);
}

/* CDF: the empirical step function, at most 1000 steps drawn. */
static void
values_cdf(struct buf *b, const struct report_values *v, double first,
    double last, double step, const char *label)
{
	struct frame f = { 366, 26, 250, 230 - 26 - 38, first, last, 0, 1 };
	size_t k, nd;

	svg_text(b, f.x, 14, NULL, "title", "CDF");
	y_axis(b, &f, 0.25);
	x_axis(b, &f, step, label);
	buf_adds(b, "<polyline class=\"line\" stroke=\"#1f77b4\" points=\"");
	nd = v->n > 1000 ? 1000 : v->n;
	for (k = 0; k < nd; k++) {
		/* step k covers ranks i0..i1-1 */
		size_t i0 = k * v->n / nd, i1 = (k + 1) * v->n / nd;

		add_point(b, k == 0, px(&f, v->sorted[i0]),
		    py(&f, (double)i0 / (double)v->n));
		add_point(b, 0, px(&f, v->sorted[i1 - 1]),
		    py(&f, (double)i1 / (double)v->n));
	}
	buf_adds(b, "\"/>\n");
	pct_line(b, &f, v->p50, "p50", "p50", 0);
	pct_line(b, &f, v->p99, "p99", "p99", 1);
	frame_box(b, &f);
}

/* The values in the order they happened: dots, or a line when many. */
static void
values_over_time(struct buf *b, const struct report_values *v, double t0,
    double t1, double first, double last, double step)
{
	struct frame f = { 684, 26, 260, 230 - 26 - 38, t0, t1 > t0 ? t1 :
	    t0 + 1, first, last };
	double *dt, *dv;
	size_t i, nd;

	svg_text(b, f.x, 14, NULL, "title", "over the run");
	y_axis(b, &f, step);
	time_axis(b, &f, 3);
	if (v->n <= 300) {
		for (i = 0; i < v->n; i++)
			buf_printf(b, "<circle class=\"dot\" cx=\"%.1f\" "
			    "cy=\"%.1f\" r=\"2.5\"/>", px(&f, v->t[i]),
			    py(&f, v->v[i]));
		buf_adds(b, "\n");
	} else {
		dt = xreallocarray(NULL, v->n, sizeof *dt);
		dv = xreallocarray(NULL, v->n, sizeof *dv);
		nd = downsample_minmax(v->t, v->v, v->n, 600, dt, dv);
		buf_adds(b, "<polyline class=\"line\" stroke=\"#1f77b4\" "
		    "points=\"");
		for (i = 0; i < nd; i++)
			add_point(b, i == 0, px(&f, dt[i]), py(&f, dv[i]));
		buf_adds(b, "\"/>\n");
		free(dt);
		free(dv);
	}
	frame_box(b, &f);
}

void
svg_values_plot(struct buf *b, const struct report_values *v, double t0,
    double t1)
{
	double first, last, step;
	char title[512], label[256];

	snprintf(title, sizeof title, "%s: histogram, CDF and values over the "
	    "run (n=%zu)", v->name, v->n);
	svg_open(b, 960, 230, title);
	if (v->n == 0) {
		buf_adds(b, "</svg>\n");
		return;
	}
	snprintf(label, sizeof label, "%s", *v->unit ? v->unit : "value");
	/* one value range for all three, so that they read together */
	nice_ticks(v->min, v->max, 5, &first, &last, &step);
	values_histogram(b, v, first, last, step, label);
	values_cdf(b, v, first, last, step, label);
	values_over_time(b, v, t0, t1, first, last, step);
	buf_adds(b, "</svg>\n");
}

static int
whole_numbers(const double *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != floor(x[i]))
			return 0;
	return 1;
}

void
svg_xy_plot(struct buf *b, const char *title, const char *x_label,
    const double *x, const double *y, size_t n)
{
	struct frame f = { 56, 26, 380 - 56 - 14, 220 - 26 - 38, 0, 0, 0, 0 };
	double xlo = INFINITY, xhi = -INFINITY, ylo = 0, yhi = -INFINITY;
	double first, last, step, yfirst, ylast, ystep;
	size_t *order, i, j;

	for (i = 0; i < n; i++) {
		xlo = fmin(xlo, x[i]);
		xhi = fmax(xhi, x[i]);
		ylo = fmin(ylo, y[i]);
		yhi = fmax(yhi, y[i]);
	}
	nice_ticks(xlo, xhi, 5, &first, &last, &step);
	/* settings are whole numbers (threads): no 1.5 threads */
	if (step < 1 && whole_numbers(x, n)) {
		step = 1;
		first = floor(xlo);
		last = ceil(xhi) > first ? ceil(xhi) : first + 1;
	}
	nice_ticks(ylo, yhi, 4, &yfirst, &ylast, &ystep);
	f.xlo = first;
	f.xhi = last;
	f.ylo = yfirst;
	f.yhi = ylast;
	buf_printf(b, "<svg class=\"xy\" viewBox=\"0 0 380 220\" width=\"380\" "
	    "height=\"220\" role=\"img\"><title>");
	html_escape(b, title);
	buf_adds(b, "</title>\n");
	svg_text(b, f.x, 14, NULL, "title", title);
	y_axis(b, &f, ystep);
	x_axis(b, &f, step, x_label);
	/* in order of x, whatever order the metrics came in */
	order = xreallocarray(NULL, n ? n : 1, sizeof *order);
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && x[order[j - 1]] > x[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	buf_adds(b, "<polyline class=\"line\" stroke=\"#1f77b4\" points=\"");
	for (i = 0; i < n; i++)
		add_point(b, i == 0, px(&f, x[order[i]]), py(&f, y[order[i]]));
	buf_adds(b, "\"/>\n");
	for (i = 0; i < n; i++) {
		char s[64];

		fmt_value(s, sizeof s, y[order[i]]);
		buf_printf(b, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3\"><title>%g: ", px(&f, x[order[i]]),
		    py(&f, y[order[i]]), x[order[i]]);
		html_escape(b, s);
		buf_adds(b, "</title></circle>");
	}
	free(order);
	frame_box(b, &f);
	buf_adds(b, "</svg>\n");
}

void
svg_change_bar(struct buf *b, double change_pct, double scale_pct, int mark)
{
	static const char *const colour[] = { "#9e9e9e", "#c62828", "#2e7d32" };
	double c = change_pct, w;

	if (!isfinite(c))
		c = 0;
	if (scale_pct <= 0)
		scale_pct = 10;
	if (c > scale_pct)
		c = scale_pct;
	if (c < -scale_pct)
		c = -scale_pct;
	w = c / scale_pct * 56;
	buf_printf(b, "<svg class=\"bar\" viewBox=\"0 0 120 14\" width=\"120\" "
	    "height=\"14\" role=\"img\"><title>%+.1f %%</title>"
	    "<line class=\"zero\" x1=\"60\" y1=\"0\" x2=\"60\" y2=\"14\"/>"
	    "<rect x=\"%.1f\" y=\"2\" width=\"%.1f\" height=\"10\" "
	    "fill=\"%s\"/></svg>", isfinite(change_pct) ? change_pct : 0,
	    w < 0 ? 60 + w : 60, fabs(w) < 0.5 ? 0.5 : fabs(w),
	    colour[mark >= 0 && mark <= 2 ? mark : 0]);
}

void
svg_mark_legend(struct buf *b, const size_t counts[MARK_KINDS])
{
	double x = 4;
	char text[128];
	int kind;

	buf_adds(b, "<svg class=\"legend\" viewBox=\"0 0 960 20\" width=\"960\" "
	    "height=\"20\" role=\"img\"><title>marks on the time axis</title>\n");
	for (kind = 0; kind < MARK_KINDS; kind++) {
		if (counts[kind] == 0)
			continue;
		if (kind == MARK_EVENT)
			buf_printf(b, "<g class=\"event\"><line x1=\"%.1f\" "
			    "y1=\"4\" x2=\"%.1f\" y2=\"18\"/><path d=\"M%.1f "
			    "10l-5 -8h10z\"/></g>", x + 5, x + 5, x + 5);
		else if (kind == MARK_LABEL)
			buf_printf(b, "<g class=\"label\"><line x1=\"%.1f\" "
			    "y1=\"2\" x2=\"%.1f\" y2=\"18\"/></g>", x + 5, x + 5);
		else
			buf_printf(b, "<path class=\"tick\" stroke=\"%s\" "
			    "d=\"M%.1f 18v-9\"/>", mark_colour[kind], x + 5);
		snprintf(text, sizeof text, "%s (%zu)", mark_name[kind],
		    counts[kind]);
		svg_text(b, x + 14, 15, NULL, NULL, text);
		x += 14 + text_width(text) + 18;
	}
	buf_adds(b, "</svg>\n");
}
