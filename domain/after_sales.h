#pragma once
// Complaints and follow-up calls: the office's side of after-sales service
// (docs/after-sales.md). Plain values; the rules that need a clock are in app/.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.h"

namespace fieldserve {

using ComplaintId = std::int64_t;
using FollowUpId = std::int64_t;

enum class ComplaintChannel { phone, email, web, visit };
enum class ComplaintSeverity { normal, serious };
enum class ComplaintStatus { open, answered };

struct Complaint {
  ComplaintId id = 0;
  CustomerId customer_id = 0;
  std::optional<JobId> job_id;
  std::optional<TechnicianId> technician_id;
  ComplaintChannel channel = ComplaintChannel::phone;
  ComplaintSeverity severity = ComplaintSeverity::normal;
  std::string text;
  Instant received_at{};
  Instant due{};
  ComplaintStatus status = ComplaintStatus::open;
  std::optional<Instant> escalated_at;
  std::string answer;  // "" until answered
  std::optional<Instant> answered_at;
  std::string created_by;  // actor
  Instant created_at{};
  std::int64_t version = 1;

  // Answered after its due; nullopt while open.
  std::optional<bool> answered_late() const {
    if (!answered_at) return std::nullopt;
    return *answered_at > due;
  }
};

// What happened to a complaint: created, escalated, answered. Append-only, like job events.
struct ComplaintEvent {
  std::int64_t id = 0;
  ComplaintId complaint_id = 0;
  std::string type;
  std::string actor;  // "token:<id>" or "complaint-monitor"
  Instant at{};
  std::string detail;
};

enum class FollowUpStatus { due, done };

// The call made within a week of a closed job to ask the customer how it went.
struct FollowUp {
  FollowUpId id = 0;
  JobId job_id = 0;
  CustomerId customer_id = 0;
  std::optional<TechnicianId> technician_id;
  Instant due{};  // the job's close + 7 days
  FollowUpStatus status = FollowUpStatus::due;
  std::optional<bool> reached;
  std::optional<int> satisfaction;  // 1..5, when the customer gave one
  std::string comment;
  std::optional<Instant> done_at;
  std::string done_by;
  std::int64_t version = 1;
};

// A part's failure rate at a service center and how many it will need next month
// (docs/after-sales.md, "Spare parts"). Parts used on repair jobs are failures of those parts.
struct PartForecast {
  std::string part_number;
  CenterId center_id = 0;
  std::int64_t used = 0;             // on repair jobs of the center's sites in the window
  std::int64_t installed_units = 0;  // equipment at the center's sites sold before the window's end
  double months = 0;                 // the window's length in 30-day months
  std::optional<double> failures_per_unit_month;  // none without installed units
  std::int64_t forecast_next_month = 0;
};

// used ÷ (installed × months), and ceil(rate × installed) — which is ceil(used ÷ months), worked
// out in whole seconds so that 3 parts over exactly one month forecast 3, not 4.
PartForecast forecast_part(std::string part_number, CenterId center, std::int64_t used,
                           std::int64_t installed_units, std::chrono::seconds window);

std::string_view to_string(ComplaintChannel v);
std::string_view to_string(ComplaintSeverity v);
std::string_view to_string(ComplaintStatus v);
std::string_view to_string(FollowUpStatus v);
std::optional<ComplaintChannel> parse_complaint_channel(std::string_view s);
std::optional<ComplaintSeverity> parse_complaint_severity(std::string_view s);
std::optional<ComplaintStatus> parse_complaint_status(std::string_view s);
std::optional<FollowUpStatus> parse_follow_up_status(std::string_view s);

}  // namespace fieldserve
