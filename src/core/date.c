/* date.c: parsing front matter dates (the forms Ruby's Time.parse takes from Jekyll posts),
 * choosing the site's time zone, and printing times (strftime, RFC 3339, RFC 822). Only the
 * reentrant libc calls are used (localtime_r, timegm, strftime into caller memory; no mktime),
 * so everything but folio_date_set_timezone may run on worker threads. */
#include "core/date.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- parsing ------------------------------------------------------------------------------ */

typedef struct {
  const char *s;
  size_t len, i;
} S_scan;

static int S_peek(const S_scan *sc)
{
  return sc->i < sc->len ? (unsigned char)sc->s[sc->i] : -1;
}

static int S_is_digit(int c)
{
  return c >= '0' && c <= '9';
}

static int S_is_blank(int c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void S_skip_blanks(S_scan *sc)
{
  while (S_is_blank(S_peek(sc)))
    sc->i++;
}

/* Reads between min and max digits; returns how many were read (0 if fewer than min). */
static int S_digits(S_scan *sc, int min, int max, int *out)
{
  int n = 0, v = 0;
  while (n < max && S_is_digit(S_peek(sc))) {
    v = v * 10 + (sc->s[sc->i] - '0');
    sc->i++;
    n++;
  }
  if (n < min)
    return 0;
  *out = v;
  return n;
}

static int S_accept(S_scan *sc, int c)
{
  if (S_peek(sc) != c)
    return 0;
  sc->i++;
  return 1;
}

/* Case-insensitive match of `word` at the cursor. */
static int S_accept_word(S_scan *sc, const char *word)
{
  size_t n = strlen(word);
  if (sc->len - sc->i < n)
    return 0;
  for (size_t k = 0; k < n; k++) {
    int c = (unsigned char)sc->s[sc->i + k];
    if (c >= 'a' && c <= 'z')
      c -= 'a' - 'A';
    if (c != word[k])
      return 0;
  }
  sc->i += n;
  return 1;
}

static int S_is_leap(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int S_days_in_month(int y, int m)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  return m == 2 && S_is_leap(y) ? 29 : days[m - 1];
}

static const char *const S_month_names[12] = { "January", "February", "March", "April", "May",
                                               "June", "July", "August", "September", "October",
                                               "November", "December" };

typedef struct {
  int year, month, day, hour, minute, second;
  int has_offset;
  int offset; /* seconds east of UTC */
} S_parts;

#define S_SHAPE "expected a date like 2014-01-08, 2014-01-08 21:47:47 or 2014-01-08T21:47:47-06:00"

/* Fills `p` from the text; on failure writes the reason (without the quoted input) to `why`. */
static int S_parse_parts(S_scan *sc, S_parts *p, const char **why)
{
  *why = S_SHAPE;
  S_skip_blanks(sc);
  if (S_digits(sc, 4, 4, &p->year) == 0 || !S_accept(sc, '-') ||
      S_digits(sc, 1, 2, &p->month) == 0 || !S_accept(sc, '-') || S_digits(sc, 1, 2, &p->day) == 0)
    return -1;
  if (S_is_digit(S_peek(sc)))
    return -1;
  /* Time: after 'T', or after blanks when a digit follows. */
  size_t mark = sc->i;
  int has_time = 0;
  if (S_accept(sc, 'T') || S_accept(sc, 't')) {
    has_time = 1;
  } else {
    S_skip_blanks(sc);
    if (S_is_digit(S_peek(sc)))
      has_time = 1;
    else
      sc->i = mark;
  }
  if (has_time) {
    if (S_digits(sc, 1, 2, &p->hour) == 0 || !S_accept(sc, ':') || S_digits(sc, 1, 2, &p->minute) == 0)
      return -1;
    if (S_accept(sc, ':')) {
      if (S_digits(sc, 1, 2, &p->second) == 0)
        return -1;
      if (S_accept(sc, '.') || S_accept(sc, ',')) { /* fraction: checked, then dropped */
        if (!S_is_digit(S_peek(sc)))
          return -1;
        while (S_is_digit(S_peek(sc)))
          sc->i++;
      }
    }
    if (S_is_digit(S_peek(sc)))
      return -1;
  }
  /* Offset: optional, with or without blanks before it. */
  S_skip_blanks(sc);
  int c = S_peek(sc);
  if (c == 'Z' || c == 'z') {
    sc->i++;
    p->has_offset = 1;
  } else if (S_accept_word(sc, "UTC") || S_accept_word(sc, "GMT")) {
    p->has_offset = 1;
  } else if (c == '+' || c == '-') {
    sc->i++;
    int hh = 0, mm = 0, n = S_digits(sc, 1, 4, &hh);
    if (n == 4) {
      mm = hh % 100;
      hh /= 100;
    } else if (n == 1 || n == 2) {
      if (S_accept(sc, ':') && S_digits(sc, 2, 2, &mm) == 0)
        return -1;
    } else {
      return -1;
    }
    if (hh > 23 || mm > 59) {
      *why = "the UTC offset is out of range (-23:59 to +23:59)";
      return -1;
    }
    p->has_offset = 1;
    p->offset = (c == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
  }
  S_skip_blanks(sc);
  if (sc->i != sc->len)
    return -1;
  return 0;
}

/* Range checks, with a message naming the faulty field. */
static int S_check_parts(const S_parts *p, char *why, size_t cap)
{
  if (p->month < 1 || p->month > 12)
    snprintf(why, cap, "month %d is out of range (1-12)", p->month);
  else if (p->day < 1 || p->day > S_days_in_month(p->year, p->month))
    snprintf(why, cap, "day %d is out of range for %s %d (1-%d)", p->day,
             S_month_names[p->month - 1], p->year, S_days_in_month(p->year, p->month));
  else if (p->hour > 23)
    snprintf(why, cap, "hour %d is out of range (0-23)", p->hour);
  else if (p->minute > 59)
    snprintf(why, cap, "minute %d is out of range (0-59)", p->minute);
  else if (p->second > 60) /* 60: a leap second, as Ruby allows; it rolls over */
    snprintf(why, cap, "second %d is out of range (0-60)", p->second);
  else
    return 0;
  return -1;
}

static int S_gmtoff(int64_t t, long *off)
{
  time_t tt = (time_t)t;
  struct tm tm;
  if ((int64_t)tt != t || localtime_r(&tt, &tm) == NULL)
    return -1;
  *off = tm.tm_gmtoff;
  return 0;
}

/* Local wall time `wall` (its fields encoded as if UTC) -> epoch seconds. Not mktime: glibc's
 * mktime resolves a repeated wall time (fall-back hour) with an offset cached from its previous
 * call, so the answer would depend on what other pages or threads parsed before. Instead: take the
 * zone's offsets a day before and a day after; each gives a candidate that is right if the zone
 * really has that offset at that instant. Both right (overlap): the earlier one. Neither (a
 * spring-forward gap): read the wall time with the offset from before the gap, which moves it
 * forward by the gap's length, as mktime does. */
static int S_local_to_utc(int64_t wall, int64_t *out)
{
  long before, after, check;
  if (S_gmtoff(wall - 86400, &before) != 0 || S_gmtoff(wall + 86400, &after) != 0)
    return -1;
  int64_t ta = wall - before, tb = wall - after;
  int a_ok = S_gmtoff(ta, &check) == 0 && check == before;
  int b_ok = S_gmtoff(tb, &check) == 0 && check == after;
  if (a_ok && b_ok)
    *out = ta < tb ? ta : tb;
  else if (b_ok)
    *out = tb;
  else
    *out = ta;
  return 0;
}

int folio_date_parse(const char *s, size_t len, int64_t *out, char err[FOLIO_DATE_ERR_MAX])
{
  S_scan sc = { .s = s, .len = len };
  S_parts p = { 0 };
  const char *shape_why;
  if (S_parse_parts(&sc, &p, &shape_why) != 0) {
    snprintf(err, FOLIO_DATE_ERR_MAX, "%s", shape_why);
    return -1;
  }
  if (S_check_parts(&p, err, FOLIO_DATE_ERR_MAX) != 0)
    return -1;
  struct tm tm = { .tm_year = p.year - 1900, .tm_mon = p.month - 1, .tm_mday = p.day,
                   .tm_hour = p.hour, .tm_min = p.minute, .tm_sec = p.second, .tm_isdst = -1 };
  errno = 0;
  time_t wall = timegm(&tm); /* the fields read as if they were UTC */
  if (wall == (time_t)-1 && errno != 0) {
    snprintf(err, FOLIO_DATE_ERR_MAX, "the date is out of range");
    return -1;
  }
  if (p.has_offset) {
    *out = (int64_t)wall - p.offset;
    return 0;
  }
  if (S_local_to_utc((int64_t)wall, out) != 0) {
    snprintf(err, FOLIO_DATE_ERR_MAX, "the date is out of range");
    return -1;
  }
  return 0;
}

/* Bumped when the zone changes, so no thread keeps a broken-down time from the old zone. */
static atomic_uint S_zone_generation = 1;

/* ---- time zone ---------------------------------------------------------------------------- */

int folio_date_set_timezone(const char *name, char err[FOLIO_DATE_ERR_MAX])
{
  static const char example[] = "use an IANA name such as \"America/Chicago\", \"Europe/Paris\" or \"UTC\"";
  const char *dir = getenv("TZDIR");
  if (dir == NULL || *dir == '\0')
    dir = "/usr/share/zoneinfo";
  size_t len = strlen(name);
  int ok = len > 0 && len < 128 && name[0] != '/' && name[0] != '.' && strstr(name, "..") == NULL;
  for (size_t i = 0; ok && i < len; i++) {
    char c = name[i];
    ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '/' || c == '_' || c == '-' || c == '+';
  }
  if (!ok) {
    snprintf(err, FOLIO_DATE_ERR_MAX, "not a time zone name: %s", example);
    return -1;
  }
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  struct stat st;
  char magic[4] = { 0 };
  FILE *f = NULL;
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
    f = fopen(path, "rb");
  int is_tzif = f != NULL && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
  if (f != NULL)
    fclose(f);
  if (!is_tzif) {
    snprintf(err, FOLIO_DATE_ERR_MAX, "no such zone in %.60s: %s", dir, example);
    return -1;
  }
  const char *now = getenv("TZ");
  if (now != NULL && strcmp(now, name) == 0)
    return 0; /* (already: a build's later states load the same site while the first one works) */
  if (setenv("TZ", name, 1) != 0) {
    snprintf(err, FOLIO_DATE_ERR_MAX, "cannot set the time zone: %s", strerror(errno));
    return -1;
  }
  tzset();
  atomic_fetch_add(&S_zone_generation, 1);
  return 0;
}

/* ---- printing ----------------------------------------------------------------------------- */

/* `t` broken down in the site's zone. Templates print the same page date several times (the
 * post, its meta line, lists): each thread remembers the last answer, which also spares the
 * glibc time zone lock those threads would otherwise take turns on. */
static int S_local(int64_t t, struct tm *tm)
{
  static _Thread_local struct { unsigned generation; int64_t t; struct tm tm; } last;
  unsigned generation = atomic_load_explicit(&S_zone_generation, memory_order_relaxed);
  if (last.generation == generation && last.t == t) {
    *tm = last.tm;
    return 0;
  }
  time_t tt = (time_t)t;
  if ((int64_t)tt != t || localtime_r(&tt, tm) == NULL)
    return -1;
  last.generation = generation;
  last.t = t;
  last.tm = *tm;
  return 0;
}

long folio_date_format(int64_t t, const char *fmt, char *buf, size_t cap)
{
  struct tm tm;
  if (S_local(t, &tm) != 0)
    return -2;
  if (*fmt == '\0') {
    if (cap == 0)
      return -1;
    buf[0] = '\0';
    return 0;
  }
  /* strftime returns 0 both for "too small" and for an empty result (e.g. "%p" in some locales):
   * a leading sentinel space makes every successful result non-empty. Leading, not trailing: a
   * format that ends inside a conversion ("%", "%6") would take a trailing one into it. */
  size_t flen = strlen(fmt);
  char small[128];
  char *with_sentinel = flen + 2 <= sizeof small ? small : malloc(flen + 2);
  if (with_sentinel == NULL)
    return -1;
  with_sentinel[0] = ' ';
  memcpy(with_sentinel + 1, fmt, flen + 1);
  size_t n = strftime(buf, cap, with_sentinel, &tm);
  if (n > 0) {
    memmove(buf, buf + 1, n); /* the result and its NUL */
  } else if (cap > 0) {
    /* Perhaps only the sentinel did not fit: a result of cap - 1 bytes still fits in buf. */
    char *wide = malloc(cap + 1);
    if (wide != NULL) {
      n = strftime(wide, cap + 1, with_sentinel, &tm);
      memcpy(buf, wide + 1, n);
      free(wide);
    }
  }
  if (with_sentinel != small)
    free(with_sentinel);
  if (n == 0)
    return -1;
  return (long)(n - 1);
}

/* Writes `value` (0 <= value < 10^width) as `width` digits; returns the end. */
static char *S_digits_out(char *p, int value, int width)
{
  for (int i = width - 1; i >= 0; i--) {
    p[i] = (char)('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

/* The zone offset of `tm` as sign, hours, minutes. */
static void S_offset(const struct tm *tm, char *sign, int *hh, int *mm)
{
  long off = tm->tm_gmtoff;
  *sign = off < 0 ? '-' : '+';
  if (off < 0)
    off = -off;
  *hh = (int)(off / 3600);
  *mm = (int)(off % 3600 / 60);
}

/* `t` broken down for printing with a numeric offset: in the site's zone, or in UTC when the
 * zone's offset then is not whole minutes (local mean time, before standard zones: Chicago was
 * -5:50:36 until 1883). RFC 3339 and RFC 822 offsets have no seconds, and a rounded one would
 * name another instant. */
static int S_printable(int64_t t, struct tm *tm)
{
  if (S_local(t, tm) != 0)
    return -1;
  if (tm->tm_gmtoff % 60 == 0)
    return 0;
  time_t tt = (time_t)t;
  if (gmtime_r(&tt, tm) == NULL)
    return -1;
  tm->tm_gmtoff = 0;
  return 0;
}

int folio_date_iso(int64_t t, char out[FOLIO_DATE_TEXT_MAX])
{
  struct tm tm;
  if (S_printable(t, &tm) != 0)
    return -1;
  char sign;
  int hh, mm;
  S_offset(&tm, &sign, &hh, &mm);
  int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) {
    snprintf(out, FOLIO_DATE_TEXT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, hh, mm);
    return 0;
  }
  /* Feeds and every post page print this: digits by hand, not through snprintf. */
  char *p = out;
  p = S_digits_out(p, year, 4);
  *p++ = '-';
  p = S_digits_out(p, tm.tm_mon + 1, 2);
  *p++ = '-';
  p = S_digits_out(p, tm.tm_mday, 2);
  *p++ = 'T';
  p = S_digits_out(p, tm.tm_hour, 2);
  *p++ = ':';
  p = S_digits_out(p, tm.tm_min, 2);
  *p++ = ':';
  p = S_digits_out(p, tm.tm_sec, 2);
  *p++ = sign;
  p = S_digits_out(p, hh, 2);
  *p++ = ':';
  p = S_digits_out(p, mm, 2);
  *p = '\0';
  return 0;
}

int folio_date_rfc822(int64_t t, char out[FOLIO_DATE_TEXT_MAX])
{
  static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  struct tm tm;
  if (S_printable(t, &tm) != 0 || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11)
    return -1;
  char sign;
  int hh, mm;
  S_offset(&tm, &sign, &hh, &mm);
  snprintf(out, FOLIO_DATE_TEXT_MAX, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday],
           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
           hh, mm);
  return 0;
}
