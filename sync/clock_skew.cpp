#include "sync/clock_skew.h"

#include <algorithm>

namespace fieldserve::sync {

CorrectedTime correct_device_time(Instant raw, Instant client_time, Instant received_at,
                                  Instant reported_at) {
  auto offset = received_at - client_time;
  Instant shifted = raw + offset;
  Instant latest = received_at + kMaxFutureSkew;
  // reported_at may itself be after `latest` only if the job was reported in the future, which
  // job validation forbids; guard anyway so clamp never sees lo > hi.
  Instant earliest = std::min(reported_at, latest);
  Instant bounded = std::clamp(shifted, earliest, latest);
  return {raw, bounded, bounded != shifted};
}

}  // namespace fieldserve::sync
