-- A poll vote per request: wrk ... -s vote.lua URL -- <form body> <cookie header>
-- No reader cookie, so every vote is a new reader; each request comes from its own
-- address (X-Forwarded-For, trusted by the bench app), as votes from many readers do.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  body, cookie = args[1], args[2]
end

function request()
  counter = counter + 1
  local address = string.format("10.%d.%d.%d", id % 256, math.floor(counter / 256) % 256,
                                counter % 256)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-Forwarded-For"] = address,
  }, body)
end
