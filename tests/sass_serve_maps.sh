#!/usr/bin/env bash
# sass_serve_maps.sh: folio serve writes a Sass file's source map beside its CSS (css/site.css.map,
# the CSS ending with sourceMappingURL=site.css.map), served, with the Sass text embedded; the
# fingerprinted CSS names the same map; an edit makes a new map; folio build writes no .map file
# (sass.source_maps = true: inline in the CSS).
. "$(dirname "$0")/lib.sh"
S=$WORK/site
make_site "$S"
sed -i 's|^base_url = .*|base_url = "/"|' "$S/site.lua"
mkdir -p "$S/static/css" "$S/layouts"
printf '$accent: #c00;\n' > "$S/static/css/_vars.scss"
printf '@import "vars";\n.post {\n  .title { color: $accent; }\n}\n' > "$S/static/css/site.scss"
printf -- '---\ntitle: Hello\ndate: 2024-01-02\n---\nHello.\n' > "$S/content/posts/hello.md"

start_serve "$S" "$WORK/serve.txt"
base=$serve_url
check "serve starts" test -n "$base"
fetch "${base}css/site.css" > "$WORK/site.css"
check "the CSS names its map beside it" contains "$WORK/site.css" "/*# sourceMappingURL=site.css.map */"
check "no inline map in the preview" lacks "$WORK/site.css" "data:application/json"
fetch "${base}css/site.css.map" > "$WORK/site.css.map"
map_ok() { # map file, text the embedded source must hold
  python3 - "$1" "$2" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["version"] == 3 and m["file"] == "site.css", m
assert m["mappings"], m
srcs = dict(zip(m["sources"], m["sourcesContent"]))
main = [s for s in srcs if s.endswith("static/css/site.scss")]
assert main and sys.argv[2] in srcs[main[0]], srcs
assert any(s.endswith("static/css/_vars.scss") for s in srcs), srcs   # the import too
PY
}
check "the map is served, the Sass embedded" map_ok "$WORK/site.css.map" ".title { color: \$accent; }"
# the fingerprinted copy (asset()) resolves to the same map
fp=$(fetch "${base}" | grep -o '/css/site\.[0-9a-f]\{8\}\.css' | head -1)
if [ -n "$fp" ]; then
  fetch "${base}${fp#/}" > "$WORK/fp.css"
  check "the fingerprinted CSS names the same map" contains "$WORK/fp.css" "sourceMappingURL=site.css.map"
fi
# an edit: a new map with the new text
printf '@import "vars";\n.post {\n  .subtitle { color: $accent; }\n}\n' > "$S/static/css/site.scss"
check "an edit makes a new map" served "${base}css/site.css.map" subtitle
stop_serve

# folio build: no .map files, by default or with source maps on
"$FOLIO" build -s "$S" -o "$WORK/out" > "$WORK/log" 2>&1 && ok || bad "build: $(cat "$WORK/log")"
check "a build writes no map" test -z "$(find "$WORK/out" -name '*.map')"
check "a build's CSS names no map" lacks "$WORK/out/css/site.css" "sourceMappingURL"
echo 'sass = { source_maps = true }' >> "$S/site.lua"
"$FOLIO" build -s "$S" -o "$WORK/out2" > "$WORK/log" 2>&1 && ok || bad "build with maps: $(cat "$WORK/log")"
check "source_maps = true in a build: inline" contains "$WORK/out2/css/site.css" "sourceMappingURL=data:application/json"
check "source_maps = true in a build: still no .map file" test -z "$(find "$WORK/out2" -name '*.map')"
finish
