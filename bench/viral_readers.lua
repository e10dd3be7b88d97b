-- The readers of bench/viral.py, driven by wrk: every connection is one reader who loads
-- the page, waits the think time (ms, the script's first argument), and loads it again.
-- wrk sends no cookie, so every view is a visitor without a session. done() prints one line
-- that bench/viral.py parses: the figures of wrk's own latency histogram (microseconds).
local think = 1000

function init(args)
  think = tonumber(args[1]) or think
end

function delay()
  return think
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "VIRAL-READERS views=%d p50_us=%d p99_us=%d max_us=%d seconds=%.3f " ..
    "status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, latency:percentile(50), latency:percentile(99), latency.max,
    summary.duration / 1e6, e.status, e.connect, e.read, e.write, e.timeout))
end
