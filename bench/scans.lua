-- wrk script: uploads one agent report per 10-minute slot, walking forward from START (UTC
-- seconds) for SLOTS slots, then stops (a few extra requests repeat the last slot: duplicates,
-- which change nothing, cover the requests still in flight). Run it with one thread: the slot
-- counter is per thread.
local start = tonumber(os.getenv("START"))
local slots = tonumber(os.getenv("SLOTS"))
local n = 0
local pseudonyms = {}
for i = 1, 8 do pseudonyms[i] = string.rep(string.format("%x", i), 64) end

local function iso(seconds)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", seconds)
end

-- wrk may call request() once while setting up and drop the result, so the first slot is
-- generated twice (the second time is a duplicate, which changes nothing).
request = function()
  local slot = start + math.min(math.max(n - 1, 0), slots - 1) * 600
  n = n + 1
  local k = (n % 8) + 1
  local devices = {}
  for i = 1, k do devices[i] = '{"pseudonym":"' .. pseudonyms[i] .. '"}' end
  local body = '{"slot":"' .. iso(slot) .. '","status":"ok","devices":[' .. table.concat(devices, ",") .. ']}'
  return wrk.format("POST", "/api/v1/scans", {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if n >= slots + 17 then wrk.thread:stop() end
end
