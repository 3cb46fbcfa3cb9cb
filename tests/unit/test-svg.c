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
