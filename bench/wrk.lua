-- wrk script for bench/run.py: cycles through a file of request paths (one per line) and
-- reports the run as one JSON line, with responses counted by status class.
--
--   wrk -t2 -c16 -d10s -s bench/wrk.lua http://127.0.0.1:8000 -- PATHS_FILE THREADS
--
-- Thread k of THREADS takes lines k, k+THREADS, k+2*THREADS, ... so that no two requests of a
-- run share a path until the list is used up ("wrapped" in the report says if it was).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local file, thread_count = args[1], tonumber(args[2])
   paths = {}
   local line_number = 0
   for line in io.lines(file) do
      if line ~= "" then
         if line_number % thread_count == id then
            table.insert(paths, line)
         end
         line_number = line_number + 1
      end
   end
   path_count = #paths
   position = 0
   issued = 0
   s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
end

function request()
   position = position % #paths + 1
   issued = issued + 1
   return wrk.format("GET", paths[position])
end

function response(status, headers, body)
   if status >= 500 then
      s5xx = s5xx + 1
   elseif status >= 400 then
      s4xx = s4xx + 1
   elseif status >= 300 then
      s3xx = s3xx + 1
   else
      s2xx = s2xx + 1
   end
end

function done(summary, latency, requests)
   local totals = {s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, issued = 0, wrapped = 0}
   for _, thread in ipairs(threads) do
      for _, name in ipairs({"s2xx", "s3xx", "s4xx", "s5xx", "issued"}) do
         totals[name] = totals[name] + thread:get(name)
      end
      if thread:get("issued") > thread:get("path_count") then
         totals.wrapped = 1
      end
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, "issued": %d, "wrapped": %s}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
      e.timeout, e.status, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, totals.s2xx, totals.s3xx, totals.s4xx,
      totals.s5xx, totals.issued, totals.wrapped == 1 and "true" or "false"))
end
