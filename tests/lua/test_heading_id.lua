-- test_heading_id.lua: folio.heading_id (src/core/heading_id.c), the anchors plugin's heading
-- ids as GitHub makes them, and the numbering of repeated ones.
local T = dofile("testlib.lua")
local id = folio.heading_id

T.test("ASCII: lower case, spaces to -, punctuation dropped, - and _ kept", function()
  T.eq(id("Hello World"), "hello-world")
  T.eq(id("C++ & Node.js: 1.2.3?"), "c--nodejs-123")
  T.eq(id("a_b-c d\te"), "a_b-c-de") -- a tab is not a space
  T.eq(id("  two  spaces "), "--two--spaces-")
  T.eq(id("`code` *em* [link](x)"), "code-em-linkx")
end)

T.test("Unicode: letters kept, the listed capitals lower-cased, other signs dropped", function()
  T.eq(id("Çà et là"), "çà-et-là")
  T.eq(id("ÀÉÎÕÜ Þ ×÷"), "àéîõü-þ-")
  T.eq(id("ĀĂ Ĺ ĸ"), "āă-Ĺ-ĸ") -- Latin Extended-A: even code points only, not ĸ
  T.eq(id("ΑΒΓ Σ ς"), "αβγ-σ-ς")
  T.eq(id("Привет ЀЏ"), "привет-ѐџ")
  T.eq(id("“Quotes” — dash… ‘x’"), "quotes--dash-x")
  T.eq(id("日本語　「見出し」。"), "日本語見出し")
  T.eq(id("ＡＢＣ！（）"), "ＡＢＣ")
  T.eq(id("a¡b¿c©d®e°f±g"), "abcdefg")
  T.eq(id("emoji 🎉 here"), "emoji-🎉-here")
  T.eq(id("𝐀𝐁 İstanbul"), "𝐀𝐁-ıstanbul")
end)

T.test("an empty id is section; bytes that are not UTF-8 are dropped", function()
  T.eq(id(""), "section")
  T.eq(id("!!! ?"), "-")
  T.eq(id("!!!"), "section")
  T.eq(id("a\255b\192"), "ab")
  T.eq(id("\237\160\128x"), "x") -- a surrogate
end)

T.test("duplicates: the first free one of id, id-1, id-2, recorded in used", function()
  local used = {}
  T.eq(id("Intro", used), "intro")
  T.eq(id("Intro", used), "intro-1")
  T.eq(id("intro-1", used), "intro-1-1")
  T.eq(id("INTRO", used), "intro-2")
  T.eq(id("", used), "section")
  T.eq(id("?", used), "section-1")
  T.eq(used, { intro = true, ["intro-1"] = true, ["intro-1-1"] = true, ["intro-2"] = true,
               section = true, ["section-1"] = true })
  local taken = { ["x"] = true, ["x-1"] = true }
  T.eq(id("X", taken), "x-2")
end)

T.test("arguments are checked", function()
  T.eq(pcall(id), false)
  T.eq(pcall(id, "a", "not a table"), false)
end)

-- The rules as the anchors plugin had them in Lua (for UTF-8 text), to compare the C with.
local function lower_char(c)
  local n = utf8.codepoint(c)
  if (n >= 0xC0 and n <= 0xDE and n ~= 0xD7) or (n >= 0x391 and n <= 0x3AB and n ~= 0x3A2)
     or (n >= 0x410 and n <= 0x42F) then
    return utf8.char(n + 32)
  elseif n >= 0x400 and n <= 0x40F then
    return utf8.char(n + 80)
  elseif n >= 0x100 and n <= 0x17F and n % 2 == 0 and n ~= 0x138 then
    return utf8.char(n + 1)
  end
  return c
end
local function is_punct(n)
  return (n >= 0xA0 and n <= 0xBF) or n == 0xD7 or n == 0xF7 or (n >= 0x2000 and n <= 0x206F)
    or (n >= 0x3000 and n <= 0x303F) or (n >= 0xFF01 and n <= 0xFF0F)
end
local function reference_id(text)
  local out = {}
  for _, n in utf8.codes(text) do
    local c = utf8.char(n)
    if n < 128 then
      if c:match("[%w_%-]") then out[#out + 1] = c:lower()
      elseif c == " " then out[#out + 1] = "-" end
    elseif not is_punct(n) then
      out[#out + 1] = lower_char(c)
    end
  end
  local id = table.concat(out)
  return id == "" and "section" or id
end

T.test("the same ids as the plugin's former Lua rules, on random text", function()
  local pieces = { "a", "Z", "9", " ", "-", "_", ".", "!", "\t", "&", "É", "ß", "×", "Ÿ", "Ā", "ā",
    "ĸ", "Ĺ", "Ω", "ς", "Ѐ", "Я", "я", "—", "…", "“", "　", "「", "ＡＢ", "！", "🎉", "𝐀", "日本" }
  local n = 0
  for text in T.random_texts(pieces, 12, 3000, 7) do
    n = n + 1
    T.eq(id(text), reference_id(text), text)
  end
  T.eq(n, 3000)
end)

T.done()
