-- "Anything new?" as an open article page asks it (static/js/live.js):
--   wrk ... -s live.lua URL -- <etag> [<pause ms>]
-- Every request carries the page's ETag, so each answer is a 304 while nothing changes.
-- With a pause, each connection stands for several open pages asking in turn (a paced
-- load: connections x 1000 / pause requests a second); without, as fast as answered.
local pause = 0

function init(args)
  wrk.headers["If-None-Match"] = args[1]
  pause = tonumber(args[2] or "0")
end

function delay()
  return pause
end
