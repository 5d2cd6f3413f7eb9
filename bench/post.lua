-- wrk script: POST the JSON body in $BODY with MCP headers ($SESSION and $TOKEN may be empty) and the extra
-- headers in $HEADERS ("Name: value" joined by '|'); each "@N@" in the body becomes a number of its own per request
-- (a new client each time)
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
local session = os.getenv("SESSION")
if session ~= nil and session ~= "" then
  wrk.headers["Mcp-Session-Id"] = session
end
local token = os.getenv("TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local extra = os.getenv("HEADERS")
if extra ~= nil and extra ~= "" then
  for header in string.gmatch(extra, "[^|]+") do
    local name, value = string.match(header, "^%s*([^:]+):%s*(.*)$")
    if name ~= nil then
      wrk.headers[name] = value
    end
  end
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
if string.find(wrk.body, "@N@", 1, true) ~= nil then
  local sent = 0
  request = function()
    sent = sent + 1
    return wrk.format(nil, nil, nil, (string.gsub(wrk.body, "@N@", tostring(tid) .. "-" .. sent)))
  end
end
