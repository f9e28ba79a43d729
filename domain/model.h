#pragma once
// The domain model as plain values: no JSON, no SQL.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"
#include "domain/warranty.h"
#include "geo/lat_lon.h"

namespace fieldserve {

using CenterId = std::int64_t;
using CustomerId = std::int64_t;
using SiteId = std::int64_t;
using EquipmentId = std::int64_t;
using TechnicianId = std::int64_t;
using JobId = std::int64_t;
using TokenId = std::int64_t;

// Opening span of one weekday, minutes after local midnight; end may be 1440 (24:00).
struct DaySpan {
  int start_min = 0;
  int end_min = 0;
  bool operator==(const DaySpan&) const = default;
};
// Index 0 = Monday. A missing day is closed / off shift.
using WeeklyHours = std::array<std::optional<DaySpan>, 7>;
inline constexpr std::array<std::string_view, 7> kWeekdayKeys{"mon", "tue", "wed", "thu",
                                                              "fri", "sat", "sun"};
WeeklyHours default_business_hours();  // Mon–Fri 08:00–18:00
// Compact text form "mon=08:00-18:00;tue=..." used for storage; parse returns nullopt if broken.
std::string encode_weekly_hours(const WeeklyHours& hours);
std::optional<WeeklyHours> decode_weekly_hours(std::string_view text);
std::string format_hhmm(int minutes);
std::optional<int> parse_hhmm(std::string_view text);  // "00:00".."24:00"

struct Center {
  CenterId id = 0;
  std::string name;
  geo::LatLon location;
  std::string time_zone;
  WeeklyHours business_hours = default_business_hours();
  std::int64_t version = 1;
};

enum class AccountTier { key, standard };

struct Contact {
  std::string name, phone, email;
  bool operator==(const Contact&) const = default;
};

struct Customer {
  CustomerId id = 0;
  std::string name;
  AccountTier account_tier = AccountTier::standard;
  Contact contact;
  std::string notes;
  std::int64_t version = 1;
};

struct Site {
  SiteId id = 0;
  CustomerId customer_id = 0;
  std::string address;
  geo::LatLon location;
  CenterId center_id = 0;
  bool center_explicit = false;  // set by the caller rather than chosen as the nearest
  double distance_km = 0;        // geodesic, site to its center
  std::int64_t version = 1;
};

struct Equipment {
  EquipmentId id = 0;
  SiteId site_id = 0;
  std::string model;
  std::string serial;
  Instant sold_at{};
  std::optional<Instant> installed_at;
  int warranty_months = 12;
  std::int64_t version = 1;
};

// A unit exchanged under warranty: its guarantee period and repair counts start again at `at`.
struct EquipmentExchange {
  std::int64_t id = 0;
  EquipmentId equipment_id = 0;
  Instant at{};
  std::string note;
  std::string actor;
  Instant recorded_at{};
};

struct Technician {
  TechnicianId id = 0;
  std::string name;
  std::vector<std::string> skills;
  CenterId home_center_id = 0;
  std::optional<geo::LatLon> location;
  std::optional<Instant> location_at;
  WeeklyHours shift{};
  bool active = true;
  int max_open_jobs = 6;
  std::int64_t version = 1;
};

enum class JobKind { repair, installation, maintenance, inspection };
enum class Severity { critical, serious, general, minor };
enum class JobStatus {
  new_,
  assigned,
  accepted,
  en_route,
  on_site,
  on_hold,
  resolved,
  signed_off,
  closed,
  cancelled
};
enum class HoldReason { waiting_parts, waiting_customer };
enum class EventSource { api, sync, dispatcher };
enum class SlaTarget { response, arrival, restore };
enum class SlaState { pending, at_risk, met, breached };

struct SlaClock {
  int target_minutes = 0;
  Instant due{};
  Instant at_risk_at{};  // 75 % of the target's time
  std::optional<Instant> done_at;
  // Counted seconds from reported_at to done_at on the target's calendar (restore without its
  // pauses): the duration the reports add up. Fixed with the verdict when the target is done.
  std::optional<std::int64_t> taken_s;
  // The state the SLA monitor last announced (job event and log line); bookkeeping, not shown.
  SlaState announced = SlaState::pending;
};

// A repair job's warranty block (docs/after-sales.md, "Warranty"): worked out for its fault at
// its report, and kept on the job like its due times.
struct JobWarranty {
  bool in_warranty = false;
  WarrantyBasis basis = WarrantyBasis::in_warranty;
  // While the job is open: from when rule 4 holds (a repair open more than 30 days) if nothing
  // else happens to the unit's open repairs. Read against the clock when the job is shown.
  std::optional<Instant> exchange_from;

  // The basis at `now` for a job still open (`open`), rule 4 included.
  WarrantyBasis basis_at(Instant now, bool open) const {
    bool overridable = basis == WarrantyBasis::in_warranty ||
                       basis == WarrantyBasis::repeat_failure;
    if (open && overridable && exchange_from && now >= *exchange_from)
      return WarrantyBasis::repair_over_30_days;
    return basis;
  }
  bool operator==(const JobWarranty&) const = default;
};

struct Job {
  JobId id = 0;
  JobKind kind = JobKind::repair;
  Severity severity = Severity::general;
  SiteId site_id = 0;
  double distance_km = 0;  // site to its center when the due times were last computed
  std::optional<EquipmentId> equipment_id;
  std::vector<std::string> required_skills;
  std::string description;
  std::string fault;  // a fault code ("compressor"); "" when none was given
  // Set on repair jobs with equipment (JobWriter keeps it current); empty on every other job.
  std::optional<JobWarranty> warranty;
  Instant reported_at{};
  Instant created_at{};
  std::optional<TechnicianId> technician_id;
  bool assignment_locked = false;  // manual assignment: auto-assign and optimizer keep it
  JobStatus status = JobStatus::new_;
  std::optional<HoldReason> hold_reason;
  std::optional<JobStatus> status_before_hold;
  std::optional<Instant> hold_started_at;
  std::int64_t paused_s = 0;  // total on_hold time; extends the restore clock
  bool needs_review = false;
  std::string dispatch_reason;    // empty when the last dispatch had nothing to report
  std::array<SlaClock, 3> sla{};  // indexed by SlaTarget
  // When the monitor must look at this job again: the next at-risk or breach threshold of a
  // target not yet done. nullopt: no threshold left.
  std::optional<Instant> sla_next_check;
  std::int64_t version = 1;

  SlaClock& clock(SlaTarget t) { return sla[static_cast<int>(t)]; }
  const SlaClock& clock(SlaTarget t) const { return sla[static_cast<int>(t)]; }
};

struct JobEvent {
  std::int64_t id = 0;
  JobId job_id = 0;
  std::string type;  // created | assigned | status | cancelled | updated
  std::optional<JobStatus> from_status, to_status;
  std::optional<TechnicianId> technician_id;
  std::string actor;  // "token:<id>" or "import"
  EventSource source = EventSource::api;
  Instant at{};
  Instant received_at{};
  std::string detail;                // free text: reason, note
  std::optional<Instant> device_at;  // a synced event's time on the device's own clock
};

// Facts from the field (docs/sync-protocol.md). op_id names the sync op that brought each one.
struct JobNote {
  std::int64_t id = 0;
  JobId job_id = 0;
  std::optional<TechnicianId> technician_id;
  std::string author;  // actor: "token:<id>"
  std::string text;
  Instant at{};
  Instant received_at{};
  std::optional<std::string> op_id;
};

struct PartUse {
  std::string part_number;
  int qty = 1;
};

struct JobPart {
  std::int64_t id = 0;
  JobId job_id = 0;
  std::optional<TechnicianId> technician_id;
  PartUse part;
  std::optional<std::string> signoff_id;
  Instant at{};
  Instant received_at{};
  std::optional<std::string> op_id;
};

struct ChecklistItem {
  std::string item;
  bool ok = false;
  std::string note;
};

// The customer's installation sign-off: immutable once stored.
struct Signoff {
  std::string id;  // UUID made by the device
  JobId job_id = 0;
  TechnicianId technician_id = 0;
  std::string signer_name;
  std::string signer_role;
  Instant signed_at{};         // corrected for the device's clock
  Instant signed_at_device{};  // as the device reported it
  std::optional<geo::LatLon> location;
  std::string signature_png;  // the decoded image bytes
  std::vector<ChecklistItem> checklist;
  std::vector<PartUse> parts_used;
  std::optional<int> rating;  // 1..5
  std::string comment;
  Instant received_at{};
  std::optional<std::string> op_id;
};

enum class Role { admin, dispatcher, manager, technician };

struct Token {
  TokenId id = 0;
  Role role = Role::technician;
  std::string name;
  std::optional<TechnicianId> technician_id;
  Instant created_at{};
  std::optional<Instant> last_used_at;
  bool revoked = false;
};

// One changed field of a customer record (the after-sales rules): who, when, old → new.
struct AuditEntry {
  std::int64_t id = 0;
  std::string entity;  // customer | site | equipment
  std::int64_t entity_id = 0;
  std::string action;  // create | update | exchange (equipment)
  std::string field;
  std::string old_value, new_value;
  std::string actor;
  Instant at{};
};

// Stable wire names; parse_* return nullopt for an unknown name.
std::string_view to_string(AccountTier v);
std::string_view to_string(JobKind v);
std::string_view to_string(Severity v);
std::string_view to_string(JobStatus v);
std::string_view to_string(HoldReason v);
std::string_view to_string(EventSource v);
std::string_view to_string(SlaTarget v);
std::string_view to_string(SlaState v);
std::string_view to_string(Role v);
std::optional<AccountTier> parse_account_tier(std::string_view s);
std::optional<JobKind> parse_job_kind(std::string_view s);
std::optional<Severity> parse_severity(std::string_view s);
std::optional<JobStatus> parse_job_status(std::string_view s);
std::optional<HoldReason> parse_hold_reason(std::string_view s);
std::optional<EventSource> parse_event_source(std::string_view s);
std::optional<Role> parse_role(std::string_view s);
std::optional<SlaState> parse_sla_state(std::string_view s);

inline constexpr std::array<Severity, 4> kSeverities{Severity::critical, Severity::serious,
                                                     Severity::general, Severity::minor};
inline constexpr std::array<SlaTarget, 3> kSlaTargets{SlaTarget::response, SlaTarget::arrival,
                                                      SlaTarget::restore};

// Skills and required skills are short lowercase tokens so they can be stored as one text.
bool is_valid_skill(std::string_view s);
std::string join_skills(const std::vector<std::string>& skills);
std::vector<std::string> split_skills(std::string_view text);

}  // namespace fieldserve
