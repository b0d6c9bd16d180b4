# tests/lua_profile.sh: FOLIO_LUA_PROFILE=FILE writes a sampling profile of the build's Lua
# (src/lua/lx_profile.c): self lines and inclusive functions, naming the theme's templates.
source "$(dirname "$0")/lib.sh"
"$FOLIO" new site "$WORK/site" >/dev/null
for i in $(seq 1 40); do
  printf -- '---\ntitle: Post %d\ndate: 2024-01-%02d\ntags: [a, b]\n---\nSome *text* and `code`.\n' \
    "$i" $(( i % 28 + 1 )) > "$WORK/site/content/posts/p$i.md"
done
FOLIO_LUA_PROFILE="$WORK/profile.txt" "$FOLIO" build -s "$WORK/site" -q --no-cache
check "profile written" test -s "$WORK/profile.txt"
check "header counts samples" grep -qE '^folio Lua profile: [1-9][0-9]* samples' "$WORK/profile.txt"
check "self section" contains "$WORK/profile.txt" "self (line running when sampled)"
check "inclusive names render_page" grep -q 'template.lua:[0-9]* render_page' "$WORK/profile.txt"
check "inclusive names a theme layout" grep -q 'themes/default/layouts/.*\.html' "$WORK/profile.txt"
finish
