-- Replays pre-built raw HTTP requests, each sent once (bench/relay_speed.py writes the file).
--
--   wrk -t T -c C -d D -s bench/wrk/replay.lua URL -- FILE FIRST EXPECTED_STATUS THREADS
--
-- FILE holds requests as "<byte count>\n<raw HTTP/1.1 request>" one after another. Thread t of T takes
-- the requests FIRST + t, FIRST + t + T, ... and stops when its share is used up (so no request goes out
-- twice: a signed request's nonce is accepted once). The response hook counts answers with the expected
-- status and the others; done() prints one line "WRKJSON {...}" for the runner.

local threads = {}
local created = 0

function setup(thread)
  thread:set("tid", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local first = tonumber(args[2])
  expected = tonumber(args[3])
  local nthreads = tonumber(args[4])
  queue = {}
  local f = assert(io.open(path, "rb"))
  local index = 0
  while true do
    local line = f:read("*l")
    if not line then break end
    local size = tonumber(line)
    if index >= first and (index - first) % nthreads == tid then
      queue[#queue + 1] = f:read(size)
    else
      f:seek("cur", size)
    end
    index = index + 1
  end
  f:close()
  sent, good, bad, stopped = 0, 0, 0, false
  idle = wrk.format("GET", "/healthz")
end

function request()
  if sent >= #queue then
    if not stopped then
      stopped = true
      wrk.thread:stop()
    end
    return idle -- a harmless request, never counted: the loop ends before its answer is read
  end
  sent = sent + 1
  return queue[sent]
end

function response(status, headers, body)
  if stopped then return end
  if status == expected then good = good + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_sent, total_good, total_bad, max_sent = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    local s = thread:get("sent")
    total_sent = total_sent + s
    total_good = total_good + thread:get("good")
    total_bad = total_bad + thread:get("bad")
    if s > max_sent then max_sent = s end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"duration_us": %d, "requests": %d, "sent": %d, "per_thread_max": %d, "good": %d, ' ..
    '"bad": %d, "socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.duration, summary.requests, total_sent, max_sent, total_good, total_bad,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
