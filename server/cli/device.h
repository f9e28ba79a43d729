#pragma once
// The device simulator: what a technician's tablet does, for tests, benchmarks and tablet
// developers. Ops are recorded offline into a local outbox with their op_id, pushed in order when
// the server is reachable, and resent unchanged until the server answers for each of them.
#include <nlohmann/json.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "domain/model.h"
#include "store/outbox.h"

namespace fieldserve::server {

struct DeviceLink {
  std::string url;    // http://127.0.0.1:8080
  std::string token;  // the device's technician token
};

struct PushOutcome {
  bool reached = false;  // every pending op was answered
  int http_status = 0;   // of the last push (0: no answer at all)
  int answered = 0;      // ops answered by this call
  int pushes = 0;
};

struct PullOutcome {
  bool reached = false;  // caught up (has_more false)
  int pages = 0;
  bool reset = false;
  int upserted = 0;
  int removed = 0;
};

// A random (version 4) UUID from the OS's CSPRNG.
std::string new_uuid();
// A UUIDv7 (RFC 9562): the time in milliseconds first, so ids made later sort later. Op ids are
// made this way: the server's op ledger is keyed by op_id, and ids in time order are appended to
// its last page instead of landing on a random page each.
std::string new_uuid_v7(std::chrono::system_clock::time_point now);

class Device {
 public:
  explicit Device(const std::string& outbox_path) : outbox_(outbox_path) {}

  // Records an op offline and returns its op_id. `at` is the device's own clock.
  std::string record(const std::string& type, std::optional<JobId> job,
                     const nlohmann::json& payload, Instant at);
  // Pushes pending ops in batches of at most `batch`, stopping at the first push that fails.
  // `device_clock` gives each push its client_time.
  PushOutcome push(const DeviceLink& link, int batch, const std::function<Instant()>& device_clock);
  // Pulls until caught up (or a page fails), applying each page to the job cache.
  PullOutcome pull(const DeviceLink& link, int limit);

  store::Outbox& outbox() { return outbox_; }

 private:
  store::Outbox outbox_;
};

}  // namespace fieldserve::server
