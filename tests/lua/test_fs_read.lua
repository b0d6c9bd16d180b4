-- test_fs_read.lua: folio.fs.read (src/lua/lx_fs.c): a whole file, or its first bytes only
-- (folio.fs.read(path, limit): the Jekyll model's front matter test, compat/jekyll/site.lua).
local T = dofile("testlib.lua")

local path = os.tmpname()
local f = assert(io.open(path, "wb"))
f:write("---\ntitle: x\n---\nbody\n")
f:close()

T.test("folio.fs.read reads the whole file", function()
  T.eq(folio.fs.read(path), "---\ntitle: x\n---\nbody\n")
end)

T.test("folio.fs.read(path, limit) reads at most limit bytes", function()
  T.eq(folio.fs.read(path, 8), "---\ntitl")
  T.eq(folio.fs.read(path, 0), "")
  T.eq(folio.fs.read(path, 4096), "---\ntitle: x\n---\nbody\n", "a shorter file: all of it")
end)

T.test("folio.fs.read of a missing file, with or without a limit: nil and a message", function()
  local a, err = folio.fs.read(path .. ".none")
  T.eq(a, nil); T.ok(tostring(err):find("No such file", 1, true))
  local b, err2 = folio.fs.read(path .. ".none", 8)
  T.eq(b, nil); T.ok(tostring(err2):find("No such file", 1, true))
end)

T.test("folio.fs.read's limit is checked", function()
  T.ok(not pcall(folio.fs.read, path, -1))
  T.ok(not pcall(folio.fs.read, path, 4097))
end)

os.remove(path)
T.done()
