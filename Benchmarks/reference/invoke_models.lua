-- wrk script: POST the body file named by WRK_BODY as text/csv, each request to a path built by
-- the same function: /models/m<random below WRK_MODELS>/invoke, or WRK_PATH (/invocations by
-- default) when WRK_MODELS is 0, so every endpoint pays wrk the same per-request Lua cost.
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
local body = f:read("*a")
f:close()
local models = tonumber(os.getenv("WRK_MODELS"))
local headers = { ["Content-Type"] = "text/csv" }

request = function()
  local path = os.getenv("WRK_PATH") or "/invocations"
  if models > 0 then path = "/models/m" .. math.random(0, models - 1) .. "/invoke" end
  return wrk.format("POST", path, headers, body)
end
