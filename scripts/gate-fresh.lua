-- wrk script for scripts/bench-api.sh: the same gate question as the plain run, spelled
-- differently on every request (each character of the query's names and values randomly
-- percent-encoded: 2^25 spellings). The server keeps recent gate answers by the exact query
-- text, so these requests are evaluated afresh: this measures the gate without its memo.
local function spell(text)
  local out = {}
  for i = 1, #text do
    local c = text:sub(i, i)
    if math.random(2) == 1 then
      out[#out + 1] = string.format("%%%02X", c:byte())
    else
      out[#out + 1] = c
    end
  end
  return table.concat(out)
end

-- Each wrk thread draws its own spellings (the same seed would repeat them in lockstep).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_number)
end

request = function()
  local query = spell("firearm") .. "=" .. spell("fa-1") .. "&" .. spell("to") .. "=" .. spell("p-5")
    .. "&" .. spell("scene") .. "=" .. spell("sc-1")
  return wrk.format("GET", "/api/v1/productions/dead-river/gate/hand-off?" .. query)
end
