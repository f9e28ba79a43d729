#pragma once
// Device clocks drift and are sometimes set wrong by hours. docs/sla.md: an event time from a
// device is first shifted by the device's offset (server receive time − the push's client_time),
// then bounded to [reported_at, received_at + 2 min]. Both the raw and the corrected time are kept.
#include <chrono>

#include "domain/time.h"

namespace fieldserve::sync {

inline constexpr std::chrono::seconds kMaxFutureSkew{120};

struct CorrectedTime {
  Instant raw;
  Instant corrected;
  bool clamped = false;  // the offset alone did not bring it inside the bounds
};

// `client_time` is the device's clock when it sent the push; `received_at` the server's.
CorrectedTime correct_device_time(Instant raw, Instant client_time, Instant received_at,
                                  Instant reported_at);

}  // namespace fieldserve::sync
