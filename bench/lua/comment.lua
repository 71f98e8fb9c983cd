-- A new comment per request: wrk ... -s comment.lua URL -- <csrf token> <cookie header> <run>
-- A new reader each time (no reader cookie), so a new pseudonym and body each time; no
-- submission token (optional) and the honeypot left empty.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token, cookie, run = args[1], args[2], args[3]
end

function request()
  counter = counter + 1
  local name = string.format("Banc %s %d %d", run, id, counter)
  local body = "csrf_token=" .. token .. "&pseudonym=" .. name:gsub(" ", "+") ..
    "&body=Commentaire+de+charge+" .. run .. "+" .. id .. "+" .. counter ..
    "%2C+pour+mesurer+le+temps+de+publication.&website=&submit=Publier"
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", 128 + id % 128,
                                        math.floor(counter / 256) % 256, counter % 256),
  }, body)
end
