#!/usr/bin/env bash
# Every hook stage, through a real build: source, frontmatter, ast (function and filter),
# the four render hooks, html and site (adding a page), plus hook order.
. "$(dirname "$0")/lib.sh"

S=$WORK/site
make_site "$S"
mkdir -p "$S/scripts" "$S/layouts"
cat > "$S/content/posts/one.md" <<'MD'
---
title: One
date: 2020-05-06
---
# Big title

Some *text* with a [link](https://example.org/x "T") and ![alt text](pic.png).

```lua
print("hi")
```

REPLACE-ME

DELETE-ME
MD
cat > "$S/scripts/stages.lua" <<'LUA'
folio.hook("source", function(page) page.source = page.source:gsub("Some", "Sourced") end)
folio.hook("frontmatter", function(page) page.title = page.title .. " (fm)"; page.flavour = "vanilla" end)
folio.hook("ast", function(doc, page)
  for node in doc:select("emph") do node:append(folio.ast.new("text", { literal = "+ast" })) end
end)
folio.hook("ast", {
  paragraph = function(node)
    local text = node:text()
    if text == "REPLACE-ME" then return folio.ast.parse("Replaced **here**")[1] end
    if text == "DELETE-ME" then return {} end
  end,
})
folio.hook("render_link", function(link) return '<a class="hooked" href="' .. link.url .. '">' .. link.text .. " [" .. link.title .. "]</a>" end)
folio.hook("render_image", function(img) return '<figure><img src="' .. img.url .. '"><figcaption>' .. img.alt .. "</figcaption></figure>" end)
folio.hook("render_heading", function(h) return "<h" .. h.level .. ' class="hooked">' .. h.plain .. "</h" .. h.level .. ">" end)
folio.hook("render_codeblock", function(c) return '<pre data-lang="' .. c.lang .. '">' .. folio.escape(c.code) .. "</pre>" end)
folio.hook("html", function(page) page.content = page.content .. "<!-- html hook -->" end)
folio.hook("site", function(site)
  site:add_page { url = "/stats.txt", layout = false, content = "pages=" .. #site.pages .. " order=" .. table.concat(ORDER, ",") }
end, { order = 99 })
ORDER = {}
folio.hook("site", function() ORDER[#ORDER + 1] = "late" end, { order = 70 })
folio.hook("site", function() ORDER[#ORDER + 1] = "early" end, { order = 10 })
LUA
printf -- '---\nlayout: default\n---\n<article data-flavour="{{ page.flavour }}">{* content *}</article>\n' > "$S/layouts/post.html"
"$FOLIO" build -s "$S" > "$WORK/log" 2>&1 && ok || bad "build with hooks: $(cat "$WORK/log")"
OUT=$(find "$S/public" -path '*one*/index.html' | head -1)
check "page found" test -n "$OUT"
check "source hook" contains "$OUT" "Sourced"
check "frontmatter hook: title" contains "$OUT" "One (fm)"
check "frontmatter hook: new field reaches the template" contains "$OUT" 'data-flavour="vanilla"'
check "ast hook (function)" contains "$OUT" "<em>text+ast</em>"
check "ast filter replaces" contains "$OUT" "Replaced <strong>here</strong>"
check "ast filter deletes" lacks "$OUT" "DELETE-ME"
check "render_link" contains "$OUT" '<a class="hooked" href="https://example.org/x">link [T]</a>'
check "render_image" contains "$OUT" '<figure><img src="pic.png"><figcaption>alt text</figcaption></figure>'
check "render_heading" contains "$OUT" '<h1 class="hooked">Big title</h1>'
check "render_codeblock" contains "$OUT" '<pre data-lang="lua">print(&quot;hi&quot;)'
check "html hook" contains "$OUT" "<!-- html hook -->"
check "site hook adds a page, hooks run by order" grep -q "pages=1 order=early,late" "$S/public/stats.txt"

# A hook that returns something a filter cannot use is reported with the hook's file.
cat > "$S/scripts/zz_bad.lua" <<'LUA'
folio.hook("ast", { text = function() return 42 end })
LUA
check "bad filter return fails the build" bash -c "! '$FOLIO' build -s '$S' > '$WORK/bad.log' 2>&1"
check "bad filter return names the hook file" contains "$WORK/bad.log" "scripts/zz_bad.lua"
rm "$S/scripts/zz_bad.lua"
printf 'folio.hook("nonsense", function() end)\n' > "$S/scripts/zz_stage.lua"
check "unknown stage fails" bash -c "! '$FOLIO' build -s '$S' > '$WORK/stage.log' 2>&1"
check "unknown stage is named with its line" contains "$WORK/stage.log" "scripts/zz_stage.lua:1:"
finish
