-- liquid/init.lua: loads the Liquid engine and its tags and filters from the files embedded in
-- folio (compat/jekyll/liquid/*.lua), once per Lua state; returns the engine (see engine.lua).
if folio.liquid then return folio.liquid end
local DIR = "compat/jekyll/liquid/"
local function chunk(name)
  local path = DIR .. name .. ".lua"
  return assert(folio.embedded.load(path, _G))
end
local engine = chunk("engine")()
chunk("tags")(engine)
chunk("filters")(engine)
folio.liquid = engine
return engine
