-- folio.errors: the one shape every build problem takes before it reaches the report:
-- { file = "content/x.md", line = 3, message = "...", hint = "..." }.
-- Warnings take the same shape (M.warn). Lua errors ("scripts/x.lua:12: attempt to ...") are turned into that shape with their
-- traceback trimmed to the frames that point at the user's own files.
local M = {}

-- Reports a warning: the build goes on with a documented fallback. In a build it goes to the
-- report (folio.build.report); `M.on_warning(file, line, message, hint)`, when set, gets it
-- instead (tests, and code run outside a build).
M.on_warning = nil

function M.warn(file, line, message, hint)
  if M.on_warning then return M.on_warning(file, line, message, hint) end
  folio.build.report("warning", file, line, message, hint)
end

-- Raises a structured error.
function M.fail(file, line, message, hint)
  error({ file = file, line = line, message = message, hint = hint }, 0)
end

local function user_frames(traceback)
  local kept = {}
  for frame in traceback:gmatch("\n\t([^\n]+)") do
    if not frame:find("^%[C%]") and not frame:find("src/lua/folio/", 1, true) and not frame:find("^%(%.%.%.tail") then
      kept[#kept + 1] = "    " .. frame
    end
  end
  return kept
end

-- xpcall message handler: keeps tables, adds a trimmed traceback to strings.
function M.handler(err)
  if type(err) == "table" then return err end
  local msg = tostring(err)
  local frames = user_frames(debug.traceback("", 2))
  return { raw = msg, frames = frames }
end

-- Turns whatever `handler` produced into the report shape. `context` says what was being done
-- ("while processing content/x.md"); `default_file` is used when the error names no file.
function M.normalize(err, default_file, context)
  if type(err) == "table" and err.message then
    if context and err.file ~= default_file then
      err.hint = err.hint and (err.hint .. "; " .. context) or context
    end
    err.file = err.file or default_file
    return err
  end
  local raw = type(err) == "table" and err.raw or tostring(err)
  local frames = type(err) == "table" and err.frames or {}
  local file, line, message = raw:match("^@?([^:\n]+):(%d+): (.*)$")
  if not file then file, message = default_file, raw end
  local text = message
  if #frames > 0 then text = text .. "\n  stack traceback:\n" .. table.concat(frames, "\n") end
  return { file = file, line = tonumber(line), message = text, hint = context }
end

return M
