/* format.c - numbers and times for the CLI and the reports. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "common/format.h"
#include "common/util.h"

void
fmt_value(char *out, size_t size, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(out, size, "-");
	else if (v == (double)(long long)v && a < 1e15)
		snprintf(out, size, "%lld", (long long)v);
	else if (a >= 1000)
		snprintf(out, size, "%.0f", v);
	else if (a >= 10)
		snprintf(out, size, "%.1f", v);
	else if (a >= 0.01)
		snprintf(out, size, "%.3f", v);
	else
		snprintf(out, size, "%.3g", v);
}

void
fmt_short(char *out, size_t size, double v)
{
	static const char *const suffix[] = { "", "k", "M", "G", "T", "P" };
	double a = fabs(v);
	int i = 0;

	if (isnan(v)) {
		snprintf(out, size, "-");
		return;
	}
	while (a >= 1000 && i < 5) {
		a /= 1000;
		v /= 1000;
		i++;
	}
	snprintf(out, size, "%.3g%s", v, suffix[i]);
}

void
fmt_offset(char *out, size_t size, double s)
{
	long long whole;

	if (s < 10)
		snprintf(out, size, "%.3f s", s);
	else if (s < 600)
		snprintf(out, size, "%.1f s", s);
	else {
		whole = (long long)(s + 0.5);
		snprintf(out, size, "%lld:%02lld:%02lld", whole / 3600,
		    whole / 60 % 60, whole % 60);
	}
}

void
fmt_wall(char *out, size_t size, int64_t t_ns)
{
	time_t t = (time_t)(t_ns / 1000000000);
	struct tm tm;

	if (t_ns <= 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(out, size, "-");
		return;
	}
	strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

char *
fmt_num(double v)
{
	char s[64];

	fmt_value(s, sizeof s, v);
	return xstrdup(s);
}

char *
fmt_time_ns(int64_t t_ns)
{
	char s[64];

	fmt_wall(s, sizeof s, t_ns);
	return xstrdup(s);
}
