/* date.c: fuzzes folio's dates (src/core/date.c): parsing, time zones and printing.
 *
 * Input: a zone byte (one of S_ZONES, chosen for their odd rules: half-hour and 45-minute
 * offsets, negative DST, a skipped day, 30-minute DST), a mode byte, then the payload.
 * Properties:
 * - parse: a date that parses prints (folio_date_iso) to text that parses back to the same
 *   second; a failure has a message;
 * - iso and rfc822 print exactly the fields localtime_r gives (gmtime_r's when the offset is not
 *   whole minutes), or both refuse the time;
 * - wall-clock round trip: a time printed as local "YYYY-MM-DD HH:MM:SS" parses back to itself,
 *   or, when that wall time happens twice (fall-back), to its earlier occurrence;
 * - format: folio_date_format gives what strftime gives, fits exactly in length + 1 bytes and
 *   reports -1 for one byte less;
 * - set_timezone accepts only names of TZif files beneath the zone folder. */
#include "fuzz.h"

#include "core/date.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const S_ZONES[] = {
  "UTC", "America/Chicago", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kathmandu",
  "Pacific/Apia", "Africa/Casablanca", "Europe/Dublin", "America/St_Johns", "Pacific/Chatham",
  "Antarctica/Troll", "Pacific/Kiritimati", "America/Sao_Paulo", "Asia/Tehran",
};
#define S_NZONES (sizeof S_ZONES / sizeof S_ZONES[0])

static const char *S_zone_now;

static void S_use_zone(const char *name)
{
  if (S_zone_now == name)
    return;
  char err[FOLIO_DATE_ERR_MAX];
  FUZZ_CHECK(folio_date_set_timezone(name, err) == 0, "zone %s refused: %s", name, err);
  S_zone_now = name;
}

static int64_t S_read_i64(const uint8_t *p, size_t n)
{
  uint64_t v = 0;
  for (size_t i = 0; i < 8; i++)
    v = v << 8 | (i < n ? p[i] : 0);
  return (int64_t)v;
}

static int S_local(int64_t t, struct tm *tm)
{
  time_t tt = (time_t)t;
  return localtime_r(&tt, tm) != NULL ? 0 : -1;
}

/* iso and rfc822 against a plain snprintf of localtime_r's fields. */
static void S_check_printing(int64_t t)
{
  char iso[FOLIO_DATE_TEXT_MAX], rfc[FOLIO_DATE_TEXT_MAX];
  struct tm tm;
  int have = S_local(t, &tm) == 0;
  if (have && tm.tm_gmtoff % 60 != 0) { /* no RFC 3339 offset for it: printed in UTC */
    time_t tt = (time_t)t;
    have = gmtime_r(&tt, &tm) != NULL;
    tm.tm_gmtoff = 0;
  }
  int ri = folio_date_iso(t, iso), rr = folio_date_rfc822(t, rfc);
  FUZZ_CHECK(ri == (have ? 0 : -1) && rr == ri, "t=%lld: iso %d, rfc822 %d, localtime %d",
             (long long)t, ri, rr, have);
  if (!have)
    return;
  long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
  char sign = tm.tm_gmtoff < 0 ? '-' : '+';
  char want[128];
  snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
           off % 3600 / 60);
  FUZZ_CHECK(strcmp(iso, want) == 0, "t=%lld in %s: iso gives %s, localtime says %s", (long long)t,
             S_zone_now, iso, want);
  static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  snprintf(want, sizeof want, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday],
           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
           sign, off / 3600, off % 3600 / 60);
  FUZZ_CHECK(strcmp(rfc, want) == 0, "t=%lld in %s: rfc822 gives %s, localtime says %s",
             (long long)t, S_zone_now, rfc, want);
}

static int S_parse(const char *s, int64_t *t, char *err)
{
  err[0] = '\0';
  int r = folio_date_parse(s, strlen(s), t, err);
  FUZZ_CHECK(r == 0 || r == -1, "parse returned %d", r);
  if (r != 0)
    FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', FOLIO_DATE_ERR_MAX) != NULL,
               "\"%s\": a failure without a message", s);
  return r;
}

/* Times whose local year has four digits print to text that parses back exactly. */
static void S_check_round_trips(int64_t t)
{
  struct tm tm;
  if (S_local(t, &tm) != 0 || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
    return;
  char iso[FOLIO_DATE_TEXT_MAX], err[FOLIO_DATE_ERR_MAX];
  int64_t back;
  FUZZ_CHECK(folio_date_iso(t, iso) == 0, "iso failed");
  if (iso[0] == '-' || iso[4] != '-') /* printed in UTC (see date.h), a year out of 0..9999 */
    return;
  FUZZ_CHECK(S_parse(iso, &back, err) == 0 && back == t, "t=%lld in %s: iso %s parses to %lld (%s)",
             (long long)t, S_zone_now, iso, (long long)back, err);

  char wall[64], wall_back[64]; /* %Y has no leading zeros: the year is printed by hand */
  snprintf(wall, sizeof wall, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  FUZZ_CHECK(S_parse(wall, &back, err) == 0, "t=%lld in %s: local time %s does not parse: %s",
             (long long)t, S_zone_now, wall, err);
  struct tm tb;
  FUZZ_CHECK(S_local(back, &tb) == 0, "localtime failed");
  snprintf(wall_back, sizeof wall_back, "%04d-%02d-%02d %02d:%02d:%02d", tb.tm_year + 1900,
           tb.tm_mon + 1, tb.tm_mday, tb.tm_hour, tb.tm_min, tb.tm_sec);
  FUZZ_CHECK(strcmp(wall, wall_back) == 0 && back <= t,
             "t=%lld in %s: local time %s parses to %lld, which is %s there", (long long)t,
             S_zone_now, wall, (long long)back, wall_back);
  if (back != t) { /* the wall time happens twice: the earlier one was taken */
    FUZZ_CHECK(tb.tm_gmtoff != tm.tm_gmtoff,
               "t=%lld in %s: %s parsed to another time with the same offset", (long long)t,
               S_zone_now, wall);
  }
}

static void S_mode_parse(const char *text)
{
  int64_t t;
  char err[FOLIO_DATE_ERR_MAX];
  if (S_parse(text, &t, err) != 0)
    return;
  S_check_printing(t);
  S_check_round_trips(t);
}

static void S_mode_time(int64_t t)
{
  S_check_printing(t);
  S_check_round_trips(t);
}

static void S_mode_format(int64_t t, const char *fmt)
{
  struct tm tm;
  char want[4096], got[4096];
  long n = folio_date_format(t, fmt, got, sizeof got);
  if (S_local(t, &tm) != 0) {
    FUZZ_CHECK(n == -2, "t=%lld: out of range, but format gives %ld", (long long)t, n);
    return;
  }
  size_t wn = strftime(want, sizeof want, fmt, &tm);
  if (wn == 0) /* empty or too long: strftime cannot say which */
    return;
  FUZZ_CHECK(n == (long)wn && memcmp(got, want, wn + 1) == 0,
             "format(%lld, \"%s\") gives %ld \"%s\", strftime gives %zu \"%s\"", (long long)t, fmt, n,
             n >= 0 ? got : "", wn, want);
  FUZZ_CHECK(folio_date_format(t, fmt, got, wn + 1) == n && strcmp(got, want) == 0,
             "format(\"%s\") does not fit in %zu bytes", fmt, wn + 1);
  FUZZ_CHECK(folio_date_format(t, fmt, got, wn) == -1, "format(\"%s\") into %zu bytes did not fail",
             fmt, wn);
}

static void S_mode_zone(const char *name)
{
  char err[FOLIO_DATE_ERR_MAX];
  err[0] = '\0';
  int r = folio_date_set_timezone(name, err);
  S_zone_now = NULL; /* whatever happened, the next input sets its own zone */
  if (r != 0) {
    FUZZ_CHECK(err[0] != '\0', "zone \"%s\" refused without a message", name);
    return;
  }
  FUZZ_CHECK(name[0] != '/' && strstr(name, "..") == NULL, "zone \"%s\" accepted", name);
  char path[1100];
  FUZZ_FORMAT(path, sizeof path, "/usr/share/zoneinfo/%s", name);
  struct stat st;
  FUZZ_CHECK(getenv("TZDIR") != NULL || (stat(path, &st) == 0 && S_ISREG(st.st_mode)),
             "zone \"%s\" accepted but %s is not a file", name, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2 || size > 1024)
    return 0;
  S_use_zone(S_ZONES[data[0] % S_NZONES]);
  const uint8_t *p = data + 2;
  size_t n = size - 2;
  char text[1024];
  memcpy(text, p, n);
  text[n] = '\0'; /* a NUL inside cuts the text, as C strings do */
  switch (data[1] % 5) {
  case 0: S_mode_parse(text); break;
  case 1: S_mode_time(S_read_i64(p, n)); break;
  case 2: S_mode_time(S_read_i64(p, n) % 400000000000LL); break; /* years ~ -10700..14600 */
  case 3: {
    char fmt[1024];
    size_t k = n > 8 ? n - 8 : 0;
    memcpy(fmt, p + (n - k), k);
    fmt[k] = '\0';
    S_mode_format(S_read_i64(p, n) % 400000000000LL, fmt);
    break;
  }
  default: S_mode_zone(text); break;
  }
  return 0;
}
