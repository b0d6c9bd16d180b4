-- test_date.lua: folio.date (src/lua/lx_date.c, src/core/date.c).
local T = dofile("testlib.lua")
local date = folio.date

local EVENING = 1389217667 -- 2014-01-08 21:47:47 UTC
local MIDNIGHT = 1389139200 -- 2014-01-08 00:00:00 UTC
local H = 3600

local function zone(name)
  local ok, err = date.set_timezone(name)
  assert(ok == true, err)
end

local function parse_err(s)
  local t, err = date.parse(s)
  T.eq(t, nil, "parse " .. tostring(s))
  T.eq(type(err), "string", "message for " .. tostring(s))
  return err
end

T.test("set_timezone accepts IANA names", function()
  T.eq(date.set_timezone("UTC"), true)
  T.eq(date.set_timezone("America/Chicago"), true)
  T.eq(date.set_timezone("Europe/Paris"), true)
  T.eq(date.set_timezone("Etc/UTC"), true)
end)

T.test("set_timezone rejects unknown names with an example", function()
  for _, name in ipairs({ "Mars/Olympus_Mons", "America/Chicag", "", "../../etc/passwd",
                          "/usr/share/zoneinfo/UTC", "America", "Europe/Paris\n", "zone.tab" }) do
    local ok, err = date.set_timezone(name)
    T.eq(ok, nil, name)
    T.has(err, "America/Chicago", "example in message for " .. name)
  end
  -- a failed call leaves the zone alone
  zone("America/Chicago")
  T.eq(date.set_timezone("Nowhere/Atall"), nil)
  T.eq(date.iso(EVENING), "2014-01-08T15:47:47-06:00")
end)

T.test("parse: forms in UTC", function()
  zone("UTC")
  local cases = {
    ["2014-01-08"] = MIDNIGHT,
    ["2014-01-08 21:47"] = EVENING - 47,
    ["2014-01-08 21:47:47"] = EVENING,
    ["2014-01-08 21:47:47 "] = EVENING, -- trailing space, as in the seeds
    ["  2014-01-08 21:47:47\t"] = EVENING,
    ["2014-01-08T21:47:47"] = EVENING,
    ["2014-01-08t21:47:47"] = EVENING,
    ["2014-01-08 21:47:47.123"] = EVENING,
    ["2014-01-08T21:47:47,5Z"] = EVENING,
    ["2014-1-8 9:05"] = 1389171900,
    ["2014-01-08  21:47:47"] = EVENING,
    ["2014-02-28"] = MIDNIGHT + 51 * 86400,
    ["2016-02-29"] = 1456704000, -- leap year
    ["2000-02-29"] = 951782400,
  }
  for s, want in pairs(cases) do T.eq(date.parse(s), want, s) end
end)

T.test("parse: offsets, with and without a space", function()
  zone("America/Chicago") -- offsets must not depend on the local zone
  local cases = {
    ["2014-01-08 21:47:47 +0000"] = EVENING,
    ["2014-01-08 21:47:47+0000"] = EVENING,
    ["2014-01-08 21:47:47 -0800"] = EVENING + 8 * H,
    ["2014-01-08 21:47:47-08:00"] = EVENING + 8 * H,
    ["2014-01-08T21:47:47-08:00"] = EVENING + 8 * H,
    ["2014-01-08 21:47:47 +05:30"] = EVENING - 5 * H - 30 * 60,
    ["2014-01-08 21:47:47 +0530"] = EVENING - 5 * H - 30 * 60,
    ["2014-01-08 21:47:47 +05"] = EVENING - 5 * H,
    ["2014-01-08T21:47:47Z"] = EVENING,
    ["2014-01-08 21:47:47 Z"] = EVENING,
    ["2014-01-08 21:47:47 UTC"] = EVENING,
    ["2014-01-08 21:47:47 utc"] = EVENING,
    ["2014-01-08 21:47:47 GMT"] = EVENING,
    ["2014-01-08 21:47:47.999 +0100"] = EVENING - H,
    ["2014-01-08 +0100"] = MIDNIGHT - H,
    ["2014-01-08 21:47 -06:00 "] = EVENING - 47 + 6 * H,
  }
  for s, want in pairs(cases) do T.eq(date.parse(s), want, s) end
end)

T.test("parse: local dates follow the time zone", function()
  zone("UTC")
  T.eq(date.parse("2014-01-08 21:47:47"), EVENING)
  zone("America/Chicago")
  T.eq(date.parse("2014-01-08 21:47:47"), EVENING + 6 * H, "CST")
  T.eq(date.parse("2014-01-08"), MIDNIGHT + 6 * H, "CST midnight")
  T.eq(date.parse("2014-07-04 12:00"), 1404475200 + 5 * H, "CDT")
  zone("Europe/Paris")
  T.eq(date.parse("2014-01-08 21:47:47"), EVENING - H, "CET")
  T.eq(date.parse("2014-07-04 12:00"), 1404475200 - 2 * H, "CEST")
end)

T.test("parse: DST gap and overlap in America/Chicago", function()
  zone("America/Chicago")
  -- 2014-03-09: 02:00 CST jumps to 03:00 CDT
  T.eq(date.parse("2014-03-09 01:30"), 1394350200, "before the gap")
  T.eq(date.parse("2014-03-09 03:30"), 1394353800, "after the gap")
  T.eq(date.parse("2014-03-09 02:30"), 1394353800, "inside the gap moves forward")
  T.eq(date.format(date.parse("2014-03-09 02:30"), "%H:%M %Z"), "03:30 CDT")
  -- 2014-11-02: 02:00 CDT falls back to 01:00 CST; 01:30 happens twice: the first (CDT) wins
  T.eq(date.parse("2014-11-02 01:30"), 1414909800)
  T.eq(date.parse("2014-11-02 02:30"), 1414917000)
  T.eq(date.iso(1414909800), "2014-11-02T01:30:00-05:00")
  T.eq(date.iso(1414909800 + H), "2014-11-02T01:30:00-06:00")
end)

T.test("parse: numbers pass through", function()
  T.eq(date.parse(EVENING), EVENING)
  T.eq(math.type(date.parse(EVENING)), "integer")
  T.eq(date.parse(1389217667.9), EVENING)
  T.eq(math.type(date.parse(1389217667.9)), "integer")
  T.eq(date.parse(0), 0)
  T.eq(date.parse(-86400), -86400)
  local t, err = date.parse(0 / 0)
  T.eq(t, nil)
  T.has(err, "number")
end)

T.test("parse: out-of-range fields are named", function()
  zone("UTC")
  T.has(parse_err("2014-13-01"), "month 13")
  T.has(parse_err("2014-00-10"), "month 0")
  T.has(parse_err("2014-02-30"), "day 30")
  T.has(parse_err("2014-02-30"), "February 2014")
  T.has(parse_err("2014-02-29"), "1-28")
  T.has(parse_err("2016-02-30"), "1-29")
  T.has(parse_err("2014-04-31"), "day 31")
  T.has(parse_err("2014-01-00"), "day 0")
  T.has(parse_err("2014-01-08 25:00"), "hour 25")
  T.has(parse_err("2014-01-08 24:00"), "hour 24")
  T.has(parse_err("2014-01-08 21:60"), "minute 60")
  T.has(parse_err("2014-01-08 21:47:61"), "second 61")
  T.has(parse_err("2014-01-08 21:47 +2500"), "offset")
  T.has(parse_err("2014-01-08 21:47 +05:75"), "offset")
end)

T.test("parse: malformed text", function()
  for _, s in ipairs({ "", "   ", "yesterday", "2014/01/08", "08-01-2014", "14-01-08", "2014-01",
                       "2014-01-08 21", "2014-01-08 21:", "2014-01-08T", "2014-01-08 21:47:47 PST",
                       "2014-01-08 21:47:47 +", "2014-01-08 21:47:47 +123", "2014-01-08x",
                       "2014-001-08", "2014-01-08 21:47:47.", "2014-01-08 21:47:47 +05:3",
                       "2014-01-08 21:47:47 junk", "1389217667", "20140-01-08" }) do
    local err = parse_err(s)
    T.ok(#err > 10, "message for " .. s)
  end
  T.has(parse_err("2014/01/08"), "expected a date like 2014-01-08")
  -- values straight from front matter that are not dates fail softly
  T.has(parse_err(nil), "got nil")
  T.has(parse_err(true), "got boolean")
  T.has(parse_err({}), "got table")
  T.has(parse_err(math.huge), "number")
end)

T.test("format in several zones", function()
  zone("UTC")
  T.eq(date.format(EVENING, "%Y-%m-%d %H:%M:%S"), "2014-01-08 21:47:47")
  T.eq(date.format(EVENING, "%B %-d, %Y"), "January 8, 2014")
  T.eq(date.format(EVENING, ""), "")
  T.eq(date.format(EVENING, "%%"), "%")
  T.eq(date.format(EVENING, "plain"), "plain")
  zone("America/Chicago")
  T.eq(date.format(EVENING, "%Y-%m-%d %H:%M:%S %z %Z"), "2014-01-08 15:47:47 -0600 CST")
  T.eq(date.format(1404475200, "%H:%M %Z"), "07:00 CDT")
  T.eq(date.format(EVENING + 0.75, "%S"), "47")
  -- long results grow the buffer
  local long = date.format(EVENING, string.rep("%Y-%m-%d ", 200))
  T.eq(#long, 11 * 200)
  T.raises(function() date.format("2014", "%Y") end, "number")
  T.raises(function() date.format(nil, "%Y") end, "number")
  T.raises(function() date.format(EVENING) end)
end)

T.test("offset date shown in another zone", function()
  zone("Europe/Paris")
  local t = date.parse("2014-01-08 21:47:47 -0600")
  T.eq(date.format(t, "%Y-%m-%d %H:%M"), "2014-01-09 04:47")
  T.eq(date.iso(t), "2014-01-09T04:47:47+01:00")
  zone("America/Chicago")
  T.eq(date.iso(t), "2014-01-08T21:47:47-06:00")
  T.eq(date.rfc822(t), "Wed, 08 Jan 2014 21:47:47 -0600")
end)

T.test("iso and rfc822", function()
  zone("UTC")
  T.eq(date.iso(EVENING), "2014-01-08T21:47:47+00:00")
  T.eq(date.rfc822(EVENING), "Wed, 08 Jan 2014 21:47:47 +0000")
  T.eq(date.iso(0), "1970-01-01T00:00:00+00:00")
  zone("America/Chicago")
  T.eq(date.iso(EVENING), "2014-01-08T15:47:47-06:00")
  T.eq(date.rfc822(EVENING), "Wed, 08 Jan 2014 15:47:47 -0600")
  T.eq(date.iso(1404475200), "2014-07-04T07:00:00-05:00")
  T.eq(date.rfc822(1404475200), "Fri, 04 Jul 2014 07:00:00 -0500")
  zone("Asia/Kolkata")
  T.eq(date.iso(EVENING), "2014-01-09T03:17:47+05:30")
  T.eq(date.rfc822(EVENING), "Thu, 09 Jan 2014 03:17:47 +0530")
  zone("America/St_Johns")
  T.eq(date.iso(EVENING), "2014-01-08T18:17:47-03:30")
  -- round trip
  zone("America/Chicago")
  for _, t in ipairs({ EVENING, 1404475200, 1414909800, 1414909800 + H }) do
    T.eq(date.parse(date.iso(t)), t, date.iso(t))
    T.eq(date.parse(date.format(t, "%Y-%m-%d %H:%M:%S %z")), t)
  end
  T.raises(function() date.iso("x") end, "number")
  T.raises(function() date.rfc822(nil) end, "number")
  T.raises(function() date.iso(math.maxinteger) end, "range")
end)

T.test("rfc822 ignores the locale", function()
  zone("UTC")
  local prev = os.setlocale(nil, "time")
  local fr = os.setlocale("fr_FR.UTF-8", "time") or os.setlocale("de_DE.UTF-8", "time")
  T.eq(date.rfc822(EVENING), "Wed, 08 Jan 2014 21:47:47 +0000")
  os.setlocale(prev, "time")
  if not fr then print("note: no French or German locale installed; locale part not exercised") end
end)

T.test("now", function()
  local t = date.now()
  T.eq(math.type(t), "integer")
  T.ok(math.abs(t - os.time()) <= 2, "now is close to os.time()")
end)

T.done()
