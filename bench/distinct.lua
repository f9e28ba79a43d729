-- Each request names another resource or page, so no response is served twice in a row and a
-- response cache would not help: PATTERN with %d replaced by (i * STEP) % COUNT (+ OFFSET).
local pattern = os.getenv("PATTERN")
local step = tonumber(os.getenv("STEP") or "1")
local count = tonumber(os.getenv("COUNT") or "700")
local offset = tonumber(os.getenv("OFFSET") or "0")
local i = 0

function init(args)
  i = math.random(0, count - 1)
end

request = function()
  local n = (i * step) % count + offset
  i = i + 1
  return wrk.format("GET", string.format(pattern, n))
end
