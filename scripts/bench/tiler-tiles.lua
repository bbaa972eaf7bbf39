-- wrk script for scripts/bench/tiler.sh: each thread walks the tile paths
-- listed in $TILE_PATHS from its own starting point, so a cold run asks for
-- distinct tiles and a warm run cycles through the same set. With
-- TILE_ONCE set, a thread stops after its share of the list, so no tile
-- is asked for twice (a cold run that must stay cold).
local paths = {}
for line in io.lines(os.getenv("TILE_PATHS")) do paths[#paths + 1] = line end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local per = math.floor(#paths / 2)
  counter = (tid - 1) * per
  share = math.floor(#paths / threads)
  answered = 0
end

function response(status, headers, body)
  answered = answered + 1
  if os.getenv("TILE_ONCE") and answered >= share then wrk.thread:stop() end
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
