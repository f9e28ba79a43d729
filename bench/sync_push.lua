-- Sync pushes from many devices (bench/sync_bench.sh). DEVICES="token:job,token:job,..."; each
-- request comes from the next device and carries OPS note ops with fresh UUIDs. Every 10th
-- request resends the previous batch unchanged, as a device does when an answer is lost: those
-- ops must come back "duplicate" and change nothing.
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local devices = {}
local per_request, counter, requests, previous = 1, 0, 0, nil
applied, duplicate, other, answered = 0, 0, 0, 0

function init(args)
  for token, job in string.gmatch(os.getenv("DEVICES"), "([^:,]+):(%d+)") do
    table.insert(devices, {token = token, job = job})
  end
  per_request = tonumber(os.getenv("OPS") or "10")
end

-- Unique across threads and runs, and in time order like the UUIDv7 op ids the protocol asks
-- devices for (docs/sync-protocol.md): the run's start second, then a counter that both threads
-- advance at the same pace, then the thread. (wrk's Lua has no millisecond clock.)
local run = os.time()
local function uuid()
  counter = counter + 1
  return string.format("%08x-%04x-7%03x-8%03x-%012x", run % 0x100000000,
    math.floor(counter / 0x1000000) % 0x10000, math.floor(counter / 0x1000) % 0x1000,
    counter % 0x1000, thread_index)
end

-- The load generator shares the machine's two cores with the server, so it stays cheap: the
-- clock text is formatted once a second and the ops are built by concatenation.
local now_second, now = -1, ""
local function clock_text()
  local second = os.time()
  if second ~= now_second then
    now_second = second
    now = os.date("!%Y-%m-%dT%H:%M:%SZ", second)
  end
  return now
end

function request()
  requests = requests + 1
  if previous ~= nil and requests % 10 == 0 then return previous end
  local device = devices[(requests + thread_index * 7) % #devices + 1]
  local at = clock_text()
  local head = '","type":"note","job_id":' .. device.job .. ',"at":"' .. at .. '","payload":{"text":"'
  local ops = {}
  for i = 1, per_request do
    local id = uuid()
    ops[i] = '{"op_id":"' .. id .. head .. id .. '"}}'
  end
  local body = '{"client_time":"' .. at .. '","ops":[' .. table.concat(ops, ",") .. ']}'
  previous = wrk.format("POST", "/api/v1/sync/push",
    {["Authorization"] = "Bearer " .. device.token, ["Content-Type"] = "application/json"}, body)
  return previous
end

local function occurrences(text, literal)
  local count, from = 0, 1
  while true do
    local at = string.find(text, literal, from, true)
    if at == nil then return count end
    count = count + 1
    from = at + #literal
  end
end

function response(status, headers, body)
  if status ~= 200 then other = other + 1; return end
  answered = answered + 1
  applied = applied + occurrences(body, '"status":"applied"}')  -- not a duplicate's first result
  duplicate = duplicate + occurrences(body, '"status":"duplicate"')
end

function done(summary, latency, requests_done)
  local a, d, o, n = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("applied"); d = d + t:get("duplicate"); o = o + t:get("other"); n = n + t:get("answered")
  end
  io.write(string.format("PUSH answered=%d applied=%d duplicate=%d non200=%d\n", n, a, d, o))
end
