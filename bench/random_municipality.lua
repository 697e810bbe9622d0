-- wrk script: authenticated GET /v1/municipalities/{code} on random codes.
-- PACTO_BENCH_CODES names a file with one IBGE code per line;
-- PACTO_BENCH_TOKEN is the bearer token.
local codes = {}
for line in io.lines(os.getenv("PACTO_BENCH_CODES")) do
  codes[#codes + 1] = line
end
local auth = "Bearer " .. os.getenv("PACTO_BENCH_TOKEN")
math.randomseed(os.time())

request = function()
  local code = codes[math.random(#codes)]
  return wrk.format("GET", "/v1/municipalities/" .. code, { ["Authorization"] = auth })
end

-- Any non-200 answer is an error for this benchmark.
response = function(status)
  if status ~= 200 then
    wrk.thread:stop()
  end
end
