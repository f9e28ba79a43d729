#include "server/api/json/decision_json.h"

#include <fmt/format.h>

#include <iterator>

#include "domain/time.h"

namespace fieldserve::server {

// The explanation as JSON text, written directly: it is built for every decision while the
// writer lock is held, where building a json tree first would double the allocations.
std::string candidates_json(const dispatch::Decision& d) {
  fmt::memory_buffer out;
  out.push_back('[');
  for (std::size_t i = 0; i < d.candidates.size(); ++i) {
    const auto& c = d.candidates[i];
    if (i) out.push_back(',');
    fmt::format_to(
        std::back_inserter(out),
        R"({{"technician_id":{},"eligible":{},"distance_km":{},"meets_arrival_target":{})",
        c.technician_id, c.eligible, c.distance_km, c.meets_arrival_target);
    // Only technicians still in the running get an ETA; the field stays, null, for the rest.
    if (c.eligible) {
      fmt::format_to(std::back_inserter(out),
                     R"(,"eta":"{}","travel_km":{},"queue_ahead":{},"slack_minutes":{:.1f})"
                     R"(,"margin_minutes":{:.1f})",
                     format_rfc3339(c.eta), c.travel_km, c.queue_ahead, c.slack_minutes,
                     c.margin_minutes);
    } else {
      fmt::format_to(std::back_inserter(out), R"(,"eta":null)");
    }
    if (!c.excluded_because.empty()) {
      // Reasons are fixed snake_case words: nothing to escape.
      fmt::format_to(std::back_inserter(out), R"(,"excluded_because":"{}")", c.excluded_because);
    }
    if (c.delays_job_id)
      fmt::format_to(std::back_inserter(out), R"(,"would_delay_job_id":{})", c.delays_job_id);
    out.push_back('}');
  }
  out.push_back(']');
  return fmt::to_string(out);
}

}  // namespace fieldserve::server
