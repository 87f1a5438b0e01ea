-- wrk -s bench/report.lua: after the run, one line "BENCH_JSON {...}" with the request count, the duration, the latency
-- percentiles (microseconds) and the errors. wrk counts a response with a status above 399 in errors.status, so every
-- non-2xx/3xx answer is an error; connect/read/write/timeout are socket errors. bench/report.py parses the line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
