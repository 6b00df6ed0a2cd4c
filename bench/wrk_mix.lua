-- The load mix of bench/load.py sent by wrk (a C load generator, far lighter than Python's
-- http.client): `bench/load.py --wrk` logs the sessions in, draws the requests with the same
-- mix and writes them to a directory, then runs
--     wrk -t 2 -c THREADS -d SECONDS --latency -s bench/wrk_mix.lua URL -- DIRECTORY
-- Each request goes out with one of the signed-in sessions in turn (its cookie, or with --api
-- its token); "NEXT" in the
-- list of paths is the archive list's next page by key, taken from the last list this wrk
-- thread saw (as load.py's threads do). Every answer's status is counted and printed; anything
-- but 200 is a failure (a 302 would be a lost session sent to the log-in page).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("number", #threads)
end

function init(args)
   local dir = args[1]
   paths, credentials, kinds = {}, {}, {}
   for line in io.lines(dir .. "/paths.txt") do
      local kind, path = line:match("^(%S+) (.*)$")
      table.insert(kinds, kind)
      table.insert(paths, path)
   end
   -- One line a session: the header that carries it ("Cookie: …" or "Authorization: …").
   for line in io.lines(dir .. "/sessions.txt") do
      local name, value = line:match("^([^:]+): (.*)$")
      table.insert(credentials, { name = name, value = value })
   end
   -- Each thread starts at its own place in the drawn requests.
   index = ((number - 1) * math.floor(#paths / 8)) % #paths
   after = "last=1"
   statuses = {}
   sent = 0
end

function request()
   index = index % #paths + 1
   sent = sent + 1
   local path = paths[index]
   if path == "NEXT" then
      path = "/archives/?" .. after
   end
   local credential = credentials[(sent % #credentials) + 1]
   return wrk.format("GET", path, { [credential.name] = credential.value })
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if status == 200 and body then
      local found = body:match('href="%?(after=[^"]+)" rel="next"')
      if found then
         after = found:gsub("&amp;", "&")
      end
   end
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      local counted = thread:get("statuses")
      for status, n in pairs(counted) do
         total[status] = (total[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(total) do
      table.insert(parts, status .. ": " .. n)
   end
   table.sort(parts)
   io.write(string.format("answers: {%s}\n", table.concat(parts, ", ")))
   io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
   for _, p in ipairs({ 50, 95, 99 }) do
      io.write(string.format("p%d %.1f ms\n", p, latency:percentile(p) / 1000))
   end
end
