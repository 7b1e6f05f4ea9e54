-- replay.lua with a pause before each request: every connection waits a random 0.5-1.5 x MEAN_MS
-- (the last script argument) before its next request, so C connections offer about C * 1000 / MEAN_MS
-- requests/s. wrk has no open-loop rate control (wrk2's -R); this is a closed loop with think time,
-- so a slow answer delays that connection's next request (latency is measured from each send).
--
--   wrk -t T -c C -d D -s bench/wrk/paced.lua URL -- FILE FIRST EXPECTED_STATUS THREADS MEAN_MS

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "replay.lua")

local replay_init = init

function init(args)
  replay_init(args)
  mean_ms = tonumber(args[5])
  math.randomseed(tid * 7919 + 17)
end

function delay()
  return mean_ms * (0.5 + math.random())
end
