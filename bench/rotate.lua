-- wrk -s bench/rotate.lua URL -- ITEMS_FILE CSRF_TOKEN THREADS HTMX FALLBACK
-- A POST that writes, on a fresh record per request: ITEMS_FILE holds one request a line, "PATH BODY" (the body
-- urlencoded; made by `python -m bench.prepare tasks|shifts`). Thread k of THREADS takes lines k, k+THREADS,
-- k+2*THREADS, … so no two requests write the same record. HTMX=1 sends it as HTMX does (HX-Request); the CSRF token
-- goes in x-csrftoken as <body hx-headers> sends it, the session and CSRF cookies come with -H "Cookie: …".
-- Past the end of the file every request is FALLBACK ("PATH BODY", a 404 by design), counted as an error.
--   approval 同意:   /workflow/tasks/<id>/act action=%E5%90%8C%E6%84%8F&comment=
--   shift log:       /site/shifts/new team=<id>&slot=<id>&day=<YYYY-MM-DD>
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/report.lua")

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local function split(line)
  local sp = string.find(line, " ", 1, true)
  if not sp then return line, "" end
  return string.sub(line, 1, sp - 1), string.sub(line, sp + 1)
end

init = function(args)
  items = {}
  for line in io.lines(args[1]) do
    if line ~= "" then items[#items + 1] = line end
  end
  nthreads = tonumber(args[3])
  fallback = args[5]
  idx = tid
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if args[4] == "1" then wrk.headers["HX-Request"] = "true" end
  wrk.headers["x-csrftoken"] = args[2]
end

request = function()
  local path, body = split(items[idx] or fallback)
  idx = idx + nthreads
  return wrk.format(nil, path, nil, body)
end
