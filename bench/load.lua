-- wrk script: replays pre-signed Twilio requests from a file, one line per request:
--   <path>\t<form-encoded body>\t<X-Twilio-Signature>
-- Each wrk thread starts at a different offset so threads do not send the same requests.

local requests = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("BENCH_REQUESTS")
  for line in io.lines(path) do
    local p, body, sig = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    if p then
      table.insert(requests, wrk.format("POST", p, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body))
    end
  end
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  -- Thread k takes requests k, k+n, k+2n, ...: callers are spread over threads in order.
  counter = id
  step = nthreads
end

function request()
  local r = requests[(counter % #requests) + 1]
  counter = counter + step
  return r
end

function done(summary, latency, requests_)
  local errors = summary.errors
  local out = string.format(
    '{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean)
  local f = io.open(os.getenv("BENCH_RESULT"), "w")
  f:write(out)
  f:close()
end
