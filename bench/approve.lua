-- wrk -s bench/approve.lua URL -- TASKS_FILE CSRF_TOKEN THREADS
-- The approval POST: 同意 on a fresh pending task per request. TASKS_FILE holds one task id a line (made by
-- `python -m bench.prepare tasks`); thread k of THREADS takes ids k, k+THREADS, k+2*THREADS, … so no two requests
-- approve the same task. Sent as the browser sends it with HTMX (HX-Request, x-csrftoken from <body hx-headers>);
-- the session and CSRF cookies come with -H "Cookie: …". An id past the end of the file is 0: a 404, counted as an error.
dofile((os.getenv("BENCH_LUA_DIR") or "bench") .. "/report.lua")

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

init = function(args)
  ids = {}
  for line in io.lines(args[1]) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  nthreads = tonumber(args[3])
  idx = tid
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["HX-Request"] = "true"
  wrk.headers["x-csrftoken"] = args[2]
  wrk.body = "action=%E5%90%8C%E6%84%8F&comment=" -- action=同意
end

request = function()
  local id = ids[idx] or "0"
  idx = idx + nthreads
  return wrk.format(nil, "/workflow/tasks/" .. id .. "/act")
end
