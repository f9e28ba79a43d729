#pragma once
// `fieldserve device`: the device simulator on the command line. `record` works offline;
// `sync` pushes the outbox (resending unanswered ops with their op_ids) and pulls the job list;
// `status` prints what the outbox holds.
#include <optional>
#include <string>

namespace fieldserve::server {

struct DeviceCommand {
  std::string action;  // record | sync | status
  std::string outbox;
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string type;
  std::optional<std::int64_t> job;
  std::string payload = "{}";
  std::string at;            // RFC 3339; empty: now
  std::string clock_offset;  // seconds added to the device clock ("-3600"), to simulate skew
  int batch = 500;
  int attempts = 5;  // pushes tried before giving up (a busy or restarting server)
};

int run_device(const DeviceCommand& command);

}  // namespace fieldserve::server
