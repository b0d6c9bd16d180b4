/* date.h: dates as folio reads and prints them. Times are seconds since the epoch (int64_t);
 * dates without an offset are in the site's time zone, which is the process's local zone as set
 * by folio_date_set_timezone. Everything but folio_date_set_timezone is thread-safe. */
#ifndef FOLIO_DATE_H
#define FOLIO_DATE_H
#include <stddef.h>
#include <stdint.h>

/* Room for a message from the functions below, and for folio_date_iso/rfc822 output. */
#define FOLIO_DATE_ERR_MAX 200
#define FOLIO_DATE_TEXT_MAX 64

/* Parses the forms Jekyll (Ruby's Time.parse) accepts for front matter dates:
 *   YYYY-M-D, optionally followed by ' ' or 'T' and H:MM, H:MM:SS or H:MM:SS.frac (fraction
 *   dropped), optionally followed (with or without a space) by Z, UTC, GMT, +HHMM, +HH:MM or +HH.
 * Surrounding blanks are ignored; month/day/hour may have one digit. Without an offset the date
 * is local time: a wall time that falls in a spring-forward gap is moved forward by the gap (as
 * mktime with tm_isdst = -1 does), and one repeated at fall-back takes its first (daylight)
 * occurrence, always (see S_local_to_utc for why not mktime). Returns 0 and sets *out, or -1
 * with a message naming the problem in `err` ("month 13 is out of range (1-12)"); the message
 * does not repeat the input, callers quote it. */
int folio_date_parse(const char *s, size_t len, int64_t *out, char err[FOLIO_DATE_ERR_MAX]);

/* Sets the process time zone to an IANA name ("America/Chicago", "UTC") that exists under
 * $TZDIR or /usr/share/zoneinfo: setenv("TZ") + tzset(). Not thread-safe: call it before any
 * worker thread starts. Returns 0, or -1 with a message in `err` (without the name) that shows a
 * valid name. */
int folio_date_set_timezone(const char *name, char err[FOLIO_DATE_ERR_MAX]);

/* strftime of `t` in the local zone into buf (cap bytes). Returns the length, -1 when the result
 * does not fit in `cap` (an empty result is reported as 0 only when fmt is empty: strftime cannot
 * tell "empty" from "too small", so this appends a sentinel), -2 when `t` is out of range. */
long folio_date_format(int64_t t, const char *fmt, char *buf, size_t cap);

/* RFC 3339 in the local zone, "2014-01-08T21:47:47-06:00" (UTC is written "+00:00"), and
 * RFC 822 as RSS wants it, "Wed, 08 Jan 2014 21:47:47 -0600" (English names, any locale).
 * Times when the zone's offset is not whole minutes (local mean time before standard zones) are
 * written in UTC, "+00:00", as these offsets cannot hold seconds. Return 0, or -1 when `t` is out
 * of range. */
int folio_date_iso(int64_t t, char out[FOLIO_DATE_TEXT_MAX]);
int folio_date_rfc822(int64_t t, char out[FOLIO_DATE_TEXT_MAX]);

#endif
