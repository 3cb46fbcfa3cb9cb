/*
 * format.h - numbers and times as the CLI's tables and the reports
 * print them.  One rule each, so that `show`, `compare` and a report of
 * the same run print the same digits.
 */
#ifndef MMSTORM_FORMAT_H
#define MMSTORM_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Table numbers: 12.3, 1234567, 0.00123; "-" for NaN. */
void fmt_value(char *out, size_t size, double v);
/* Short numbers for axes and legends: 0.25, 12.3, 1.5k, 2.25M, 3G. */
void fmt_short(char *out, size_t size, double v);
/* A time offset in seconds: "0.250 s", "12.5 s", "1:02:03". */
void fmt_offset(char *out, size_t size, double s);
/* Wall time of t_ns in local time, "2026-11-21 21:39:48", or "-". */
void fmt_wall(char *out, size_t size, int64_t t_ns);

/* fmt_value() and fmt_wall() as allocated strings (the CLI's cells). */
char *fmt_num(double v);
char *fmt_time_ns(int64_t t_ns);

#endif
