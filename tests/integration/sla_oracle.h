#pragma once
// An SLA oracle written for the tests, independently of the production code: it walks the
// calendar minute by minute over a precomputed table of open minutes (built with the tz library
// directly), replays each job's events, and adds the figures up by brute force. The report
// tests compare the server's answers with it.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fieldserve::testing::oracle {

using Minute = std::int64_t;  // minutes since the Unix epoch

struct Hours {
  int start = 0;  // minutes after local midnight
  int end = 0;
};

struct Center {
  std::int64_t id = 0;
  std::string zone;
  std::array<std::optional<Hours>, 7> week;  // Monday first
};

// Which minutes in [first, last) a center is open.
class OpenTable {
 public:
  OpenTable(const Center& center, Minute first, Minute last);
  bool open(Minute m) const { return open_.at(static_cast<std::size_t>(m - first_)) != 0; }
  Minute first() const { return first_; }
  Minute last() const { return first_ + static_cast<Minute>(open_.size()); }

 private:
  Minute first_;
  std::vector<char> open_;
};

struct Hold {
  Minute start = 0;
  std::optional<Minute> end;  // open while the job is on hold
};

struct Targets {
  int response = 0, arrival = 0, restore = 0;  // minutes
};

struct JobHistory {
  std::int64_t id = 0;
  std::string tier;
  std::int64_t center_id = 0;
  std::optional<std::int64_t> technician_id;
  bool business_hours = false;  // the tier's calendar
  Minute reported = 0;
  std::optional<Minute> assigned, on_site, resolved;
  std::vector<Hold> holds;
  bool cancelled = false;
  bool open_at_policy_change = false;  // not resolved or ended when the policy changed
  Targets targets;                     // under the policy the job was imported with
  Targets new_targets;                 // under the policy put afterwards
};

enum class Verdict { met, breached, pending, none };

struct TargetOutcome {
  Verdict verdict = Verdict::none;
  Minute due = 0;
  std::optional<Minute> done;
  std::optional<Minute> taken;  // counted minutes, restore without its counted holds
};

// The three outcomes of one job at minute `now` (now is only compared with due times).
std::array<TargetOutcome, 3> evaluate(const JobHistory& job, const OpenTable* table, Minute now);

struct Figures {
  std::int64_t met = 0, breached = 0, pending = 0;
  std::optional<double> compliance_pct, p50, p90;
};

struct Group {
  std::int64_t count = 0, cancelled = 0;
  std::array<Figures, 3> targets;
};

// Nearest rank by sorting and counting, the textbook way.
std::optional<double> percentile(std::vector<Minute> values, int percent);

// The local date and ISO week of a minute in a zone.
std::string local_date(const std::string& zone, Minute m);
std::string iso_week(const std::string& zone, Minute m);

}  // namespace fieldserve::testing::oracle
