#include "server/cli/device_cli.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <thread>

#include "server/cli/device.h"

namespace fieldserve::server {

int run_device(const DeviceCommand& command) {
  Device device(command.outbox);
  std::chrono::seconds skew{0};
  if (!command.clock_offset.empty()) {
    // Seconds, within a year either way: a tablet's clock is wrong by minutes or hours.
    std::int64_t seconds = 0;
    const auto& text = command.clock_offset;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || seconds < -31'536'000 ||
        seconds > 31'536'000) {
      std::cerr << "--clock-offset must be a whole number of seconds within a year (-31536000 to "
                   "31536000)\n";
      return 2;
    }
    skew = std::chrono::seconds(seconds);
  }
  auto device_now = [&] { return SystemClock().now() + skew; };

  if (command.action == "record") {
    auto payload = nlohmann::json::parse(command.payload, nullptr, false);
    if (!payload.is_object()) {
      std::cerr << "--payload must be a JSON object\n";
      return 2;
    }
    Instant at = device_now();
    if (!command.at.empty()) {
      auto parsed = parse_rfc3339(command.at);
      if (!parsed) {
        std::cerr << "--at must be an RFC 3339 time\n";
        return 2;
      }
      at = *parsed;
    }
    std::cout << device.record(command.type, command.job, payload, at) << std::endl;
    return 0;
  }
  if (command.action == "sync") {
    DeviceLink link{command.url, command.token};
    PushOutcome pushed;
    for (int attempt = 0; attempt < command.attempts; ++attempt) {
      pushed = device.push(link, command.batch, device_now);
      if (pushed.reached) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 4)));
    }
    auto pulled = pushed.reached ? device.pull(link, 200) : PullOutcome{};
    auto counts = device.outbox().counts();
    nlohmann::json out{{"pushed", pushed.reached},
                       {"answered", pushed.answered},
                       {"last_status", pushed.http_status},
                       {"pulled", pulled.reached},
                       {"reset", pulled.reset},
                       {"upserted", pulled.upserted},
                       {"removed", pulled.removed},
                       {"pending", counts.pending},
                       {"jobs", counts.jobs}};
    std::cout << out.dump() << std::endl;
    return pushed.reached && pulled.reached ? 0 : 1;
  }
  if (command.action == "status") {
    auto c = device.outbox().counts();
    nlohmann::json out{{"pending", c.pending},
                       {"answered", c.answered},
                       {"resent", c.resent},
                       {"duplicates", c.duplicates},
                       {"jobs", c.jobs}};
    for (const auto& op : device.outbox().all()) {
      out["ops"].push_back({{"op_id", op.op_id},
                            {"attempts", op.attempts},
                            {"status", op.status ? nlohmann::json(*op.status) : nlohmann::json()},
                            {"code", op.code ? nlohmann::json(*op.code) : nlohmann::json()}});
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
  }
  std::cerr << "unknown device action " << command.action << "\n";
  return 2;
}

}  // namespace fieldserve::server
