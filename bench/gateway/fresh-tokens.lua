-- wrk script: a different bearer token on every request, read from the file given after --,
-- starting at the line given second (so the warm-up and the measured run use disjoint tokens).
local tokens = {}
local first = 1
local i = 0
init = function(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  first = tonumber(args[2] or "1")
  i = first - 1
end
request = function()
  i = i + 1
  if i > #tokens then i = first end
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end
