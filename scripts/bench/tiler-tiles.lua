-- wrk script for scripts/bench/tiler.sh: each thread walks the tile paths
-- listed in $TILE_PATHS from its own starting point, so a cold run asks for
-- distinct tiles and a warm run cycles through the same set.
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
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
