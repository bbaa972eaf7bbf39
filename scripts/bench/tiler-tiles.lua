-- wrk script for scripts/bench/tiler.sh: each thread walks the tile paths
-- listed in $TILE_PATHS from its own starting point ($TILE_THREADS threads,
-- 1 by default), so a warm run cycles through the same set.
--
-- With TILE_ONCE set, the threads share the list out and each asks for
-- its part once: a cold run that must stay cold. wrk itself cannot do
-- that: it runs for its whole duration and divides by it, so a list
-- answered in 5 s of a 10 s run would read as half its rate, and a list
-- that ran out would be asked for again, warm. Here a connection whose
-- thread has asked for its whole part waits (delay), the run ends when
-- every part is answered, and the script times the list from the first
-- request to the last answer and prints, after wrk's own summary:
--   once: ANSWERED of ASKED in SECONDS s, RATE req/s
-- tiler.sh reads the rate from that line, and refuses a run that did not
-- answer the whole list.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } pl_timespec;
int clock_gettime(int clock, pl_timespec *ts);
int getpid(void);
int kill(int pid, int sig);
]]
local ts = ffi.new("pl_timespec")
local function now() -- seconds, CLOCK_MONOTONIC: wrk's Lua has no wall clock finer than a second
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local paths = {}
for line in io.lines(os.getenv("TILE_PATHS")) do paths[#paths + 1] = line end
local nthreads = tonumber(os.getenv("TILE_THREADS") or "1")
local per = math.floor(#paths / nthreads) -- each thread's part, in once mode
local once = os.getenv("TILE_ONCE") ~= nil
local threads = {} -- wrk's threads, in the main state (setup and done)

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

function init(args)
  offset = (tid - 1) * per
  asked, scheduled, answered = 0, 0, 0
  -- wrk calls the first thread's request() once before the run, to see
  -- whether requests may be pipelined: that call neither counts nor times.
  checking = tid == 1
end

function request()
  if checking then
    checking = false
    return wrk.format("GET", paths[offset + 1])
  end
  asked = asked + 1
  if asked == 1 then started = now() end
  return wrk.format("GET", paths[((offset + asked - 1) % #paths) + 1])
end

-- all_done notes this thread's part as answered and tells whether every
-- thread's is.
local function all_done()
  if nthreads == 1 then return true end
  local path = os.getenv("TILE_DONE")
  if not path then return false end -- the run then lasts its duration
  local f = assert(io.open(path, "a"))
  f:write(tid, "\n")
  f:close()
  local n = 0
  for _ in io.lines(path) do n = n + 1 end
  return n >= nthreads
end

function response(status, headers, body)
  answered = answered + 1
  if once and answered == per then
    ended = now()
    wrk.thread:stop()
    -- wrk's main thread sleeps out the duration unless interrupted, as
    -- by ^C, once the last thread is done. Threads share nothing but the
    -- process, so each counts itself in a file ($TILE_DONE, appended to
    -- in one write); a second ^C from two threads at once does no harm.
    if all_done() then ffi.C.kill(ffi.C.getpid(), 2) end
  end
end

if once then
  -- wrk asks delay() before each request a connection sends: none after
  -- the part is all asked for (an hour outlasts any run).
  function delay()
    scheduled = scheduled + 1
    return scheduled <= per and 0 or 3600000
  end

  function done(summary, latency, requests)
    local n, first, last, whole = 0, math.huge, 0, true
    for _, t in ipairs(threads) do
      n = n + t:get("answered")
      local s, e = t:get("started"), t:get("ended")
      if s and s < first then first = s end
      if e then last = math.max(last, e) else whole = false end
    end
    local secs = whole and last - first or 0
    io.write(string.format("once: %d of %d in %.3f s, %.2f req/s\n", n, per * #threads, secs,
      whole and n / secs or 0))
  end
end
