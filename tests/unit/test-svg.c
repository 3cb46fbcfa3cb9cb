/* test-svg.c - the report's escaping, axis ticks, downsampling, plots. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "reports/internal.h"
#include "unit.h"

static char *
escaped(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	html_escape_n(&b, s, n);
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

TEST(html_escape_entities)
{
	const char *in = "<script>alert('x') & \"y\"</script>";
	char *s = escaped(in, strlen(in));

	CHECK_STR_EQ(s, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;"
	    "&lt;/script&gt;");
	free(s);
}

TEST(html_escape_keeps_utf8_replaces_garbage)
{
	/* é and ± stay; a stray 0xff, a truncated sequence, an overlong
	 * '/', a surrogate, U+FFFF, a C1 control and ^A become U+FFFD;
	 * CR goes, tab and newline stay. */
	const char in[] = "\xc3\xa9\xc2\xb1|\xff|\xe2\x82|\xc0\xaf|"
	    "\xed\xa0\x80|\xef\xbf\xbf|\xc2\x85|\x01|a\r\n\tb";
	char *s = escaped(in, sizeof in - 1);

	CHECK_STR_EQ(s, "\xc3\xa9\xc2\xb1|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd|a\n\tb");
	free(s);
}

TEST(nice_ticks_cover_the_range)
{
	double first, last, step;
	int n;

	n = nice_ticks(0, 97, 5, &first, &last, &step);
	CHECK_DBL_NEAR(step, 20, 1e-12);
	CHECK_DBL_NEAR(first, 0, 1e-12);
	CHECK_DBL_NEAR(last, 100, 1e-12);
	CHECK_INT_EQ(n, 6);
	nice_ticks(23502, 23510, 5, &first, &last, &step);
	CHECK_DBL_NEAR(step, 2, 1e-9);
	CHECK(first <= 23502 && last >= 23510);
	/* a flat line at zero gets [0, 1] */
	nice_ticks(0, 0, 5, &first, &last, &step);
	CHECK_DBL_NEAR(first, 0, 1e-12);
	CHECK_DBL_NEAR(last, 1, 1e-12);
	nice_ticks(0.0012, 0.0049, 4, &first, &last, &step);
	CHECK_DBL_NEAR(step, 0.001, 1e-12);
}

TEST(downsample_keeps_extremes_and_bound)
{
	size_t n = 72000, i, m, imax = 0, imin = 0;
	double *t = malloc(n * sizeof *t), *v = malloc(n * sizeof *v);
	double vmax = -INFINITY, vmin = INFINITY, found_max = -INFINITY;
	double found_min = INFINITY;

	for (i = 0; i < n; i++) {
		t[i] = (double)i * 0.05;
		v[i] = sin((double)i / 500) + (i == 12345 ? 50 : 0) -
		    (i == 54321 ? 40 : 0);
		if (v[i] > vmax)
			vmax = v[i], imax = i;
		if (v[i] < vmin)
			vmin = v[i], imin = i;
	}
	/* in place, as the report does */
	m = downsample_minmax(t, v, n, 2000, t, v);
	CHECK(m <= 2000);
	CHECK(m >= 1000);
	for (i = 0; i < m; i++) {
		if (i > 0)
			CHECK(t[i] >= t[i - 1]);
		found_max = fmax(found_max, v[i]);
		found_min = fmin(found_min, v[i]);
	}
	CHECK_DBL_NEAR(found_max, vmax, 0);
	CHECK_DBL_NEAR(found_min, vmin, 0);
	CHECK(imax == 12345 && imin == 54321);
	/* short series are copied as they are */
	CHECK_INT_EQ(downsample_minmax(t, v, 10, 2000, t, v), 10);
	free(t);
	free(v);
}

TEST(fmt_helpers)
{
	char s[64];

	fmt_offset(s, sizeof s, 0.25);
	CHECK_STR_EQ(s, "0.250 s");
	fmt_offset(s, sizeof s, 3725);
	CHECK_STR_EQ(s, "1:02:05");
	fmt_short(s, sizeof s, 1500);
	CHECK_STR_EQ(s, "1.5k");
	fmt_value(s, sizeof s, 12.345);
	CHECK_STR_EQ(s, "12.3");
	fmt_value(s, sizeof s, NAN);
	CHECK_STR_EQ(s, "-");
}

/* The CLI's cells and the reports' tables print the same digits. */
TEST(fmt_num_is_fmt_value)
{
	static const double v[] = { 0, 3, -7, 1234567, 12.345, 0.5, 0.00123,
		2500.4, -0.25, 1e20 };
	char s[64], *a;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		fmt_value(s, sizeof s, v[i]);
		a = fmt_num(v[i]);
		CHECK_STR_EQ(a, s);
		free(a);
	}
	a = fmt_num(0.00123);
	CHECK_STR_EQ(a, "0.00123");
	free(a);
	a = fmt_time_ns(0);
	CHECK_STR_EQ(a, "-");
	free(a);
	a = fmt_time_ns(1700000000000000000LL);
	fmt_wall(s, sizeof s, 1700000000000000000LL);
	CHECK_STR_EQ(a, s);
	CHECK_INT_EQ(strlen(a), 19);
	free(a);
}

TEST(svg_xy_plot_orders_by_x_with_whole_ticks)
{
	double x[] = { 4, 1, 2 }, y[] = { 40, 10, 20 };
	struct buf b = BUF_INIT;
	const char *p1, *p2, *p4;

	svg_xy_plot(&b, "munmap <ms>/GiB", "threads", x, y, 3);
	buf_addc(&b, '\0');
	CHECK_STR_CONTAINS(b.s, "<title>munmap &lt;ms&gt;/GiB</title>");
	CHECK_STR_CONTAINS(b.s, ">threads</text>");
	/* threads are whole: no tick at 1.5 */
	CHECK(strstr(b.s, ">1.5<") == NULL);
	CHECK_STR_CONTAINS(b.s, ">3</text>");
	/* the dots in x order, whatever order the metrics came in */
	p1 = strstr(b.s, "<title>1: 10</title>");
	p2 = strstr(b.s, "<title>2: 20</title>");
	p4 = strstr(b.s, "<title>4: 40</title>");
	CHECK(p1 != NULL && p2 != NULL && p4 != NULL);
	CHECK(p1 < p2 && p2 < p4);
	buf_release(&b);
}

TEST(svg_time_plot_draws_lines_and_marks)
{
	double t[] = { 0, 1, 2, 3 }, v[] = { 0, 10, 5, 20 };
	struct report_line line = { (char *)"irq.CAL", 4, t, v, 4, 0, 20, 8.75 };
	struct report_plot p = { (char *)"IPIs <CAL>", (char *)"/s", 1, 0,
		&line, 1, 0 };
	struct report_mark marks[] = {
		{ 0.5, MARK_OFFLINE, (char *)"CPU offline: 30 ms" },
		{ 1.5, MARK_LABEL, (char *)"munmap-start" },
		{ 2.5, MARK_EVENT, (char *)"soft_lockup: BUG: <x>" },
	};
	struct buf b = BUF_INIT;

	svg_time_plot(&b, &p, 0, 3, marks, 3);
	CHECK(strncmp(b.s, "<svg ", 5) == 0);
	CHECK_STR_CONTAINS(b.s, "<title>IPIs &lt;CAL&gt; (/s)</title>");
	CHECK_STR_CONTAINS(b.s, "<polyline class=\"line\"");
	CHECK_STR_CONTAINS(b.s, "<title>CPU offline: 1</title>");
	CHECK_STR_CONTAINS(b.s, ">munmap-start</text>");
	CHECK_STR_CONTAINS(b.s, "<title>soft_lockup: BUG: &lt;x&gt;</title>");
	CHECK(strstr(b.s, "</svg>\n") == b.s + b.len - 7);
	CHECK(strstr(b.s, "http") == NULL);
	buf_release(&b);
}

TEST(svg_change_bar_colours)
{
	struct buf b = BUF_INIT;

	svg_change_bar(&b, 25, 50, 1);
	CHECK_STR_CONTAINS(b.s, "#c62828");
	CHECK_STR_CONTAINS(b.s, "<title>+25.0 %</title>");
	buf_reset(&b);
	svg_change_bar(&b, -300, 50, 2);
	CHECK_STR_CONTAINS(b.s, "#2e7d32");
	/* clamped to the axis: 56 px left of the middle */
	CHECK_STR_CONTAINS(b.s, "x=\"4.0\"");
	buf_reset(&b);
	svg_change_bar(&b, NAN, 50, 0);
	CHECK_STR_CONTAINS(b.s, "#9e9e9e");
	buf_release(&b);
}
