-- One stay per request; every external_ref unique (run id, thread, counter).
local counter = 0
local run_id = os.getenv("BENCH_RUN") or tostring(os.time())
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = '{"external_ref":"B-' .. run_id .. '-' .. tid .. '-' .. counter .. '",' ..
    '"room":"101","reason":"tourism","arrived_at":"2026-11-27T08:00:00+07:00",' ..
    '"guests":[{"full_name":"Nguy\\u1ec5n V\\u0103n An","date_of_birth":"1990-05-17","sex":"male",' ..
    '"nationality":"VNM","id_number":"001090012345"}]}'
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json",
                                       ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")}, body)
end
