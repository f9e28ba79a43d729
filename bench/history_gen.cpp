// Generates a large job history for the report benchmarks: 50 service centers in ten time zones
// (each with its own business hours), 40 sites and 20 technicians per center, and N jobs spread
// over the months before now, each with its status events. Jobs go through the history import use
// case (`app::import_job`, what `fieldserve import` runs), so due times, pauses and durations are
// computed as in production; only the rows are made up. It links the application layer only: no
// HTTP, no JSON. The SLA policy is the default one (sample_data/sla_policy.json holds the same).
// After-sales records come with it (docs/after-sales.md): 10 units per site, faults and parts
// on repair jobs, a complaint for one job in ten (a tenth of the customers are key accounts), and
// results for three in five of the follow-up calls that closing makes. Prints the load time.
//
//   history_gen --db PATH [--jobs 1000000] [--months 12] [--seed 1]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "app/effects.h"
#include "app/history_import.h"
#include "app/job_writer.h"
#include "app/policy_source.h"
#include "dispatch/site_placement.h"
#include "domain/time.h"
#include "store/store.h"

namespace {

namespace fs = fieldserve;
using fieldserve::Instant;

struct Zone {
  const char* name;
  double lat, lon;
};

// Ten zones on five continents, some with daylight saving in either hemisphere.
constexpr Zone kZones[] = {
    {"Asia/Shanghai", 31.23, 121.47},     {"Asia/Tokyo", 35.68, 139.69},
    {"Asia/Kolkata", 19.08, 72.88},       {"Europe/Berlin", 52.52, 13.40},
    {"Europe/London", 51.51, -0.13},      {"America/New_York", 40.71, -74.01},
    {"America/Chicago", 41.88, -87.63},   {"America/Los_Angeles", 34.05, -118.24},
    {"Australia/Sydney", -33.87, 151.21}, {"America/Sao_Paulo", -23.55, -46.63},
};

constexpr int kUnitsPerSite = 10;
constexpr const char* kFaults[] = {"compressor", "fan", "controller", "refrigerant_leak"};
constexpr const char* kParts[] = {"CMP-4", "FAN-12", "CTL-9", "REF-R32", "VLV-3", "FLT-200"};

// A unit's id from its site and its place there.
std::int64_t unit_id(int site, int k) { return static_cast<std::int64_t>(site) * 100 + k; }

// The places: centers, customers, sites (one customer each), units, technicians. No jobs.
void insert_places(fs::store::Tx& tx, std::mt19937_64& rng, Instant begin) {
  std::uniform_real_distribution<double> jitter(-0.6, 0.6), offset(-0.5, 0.5);
  fs::WeeklyHours weekdays{};
  for (int d = 0; d < 5; ++d) weekdays[static_cast<std::size_t>(d)] = fs::DaySpan{8 * 60, 17 * 60};
  for (int c = 1; c <= 50; ++c) {
    const Zone& zone = kZones[(c - 1) % 10];
    fs::Center center;
    center.id = c;
    center.name = "Center " + std::to_string(c);
    center.location = {zone.lat + jitter(rng), zone.lon + jitter(rng)};
    center.time_zone = zone.name;
    int open = 7 * 60 + 30 * (c % 4), close = open + 9 * 60 + 30 * (c % 3);
    center.business_hours = fs::WeeklyHours{};
    for (int d = 0; d < 5; ++d)
      center.business_hours[static_cast<std::size_t>(d)] = fs::DaySpan{open, close};
    if (c % 5 == 0) center.business_hours[5] = fs::DaySpan{9 * 60, 13 * 60};
    (void)tx.insert_center(center);
    std::vector<fs::Center> home{center};
    for (int s = 0; s < 40; ++s) {
      int id = c * 100 + s;
      fs::Customer customer;
      customer.id = id;
      customer.name = "Customer " + std::to_string(id);
      if (s % 10 == 0) customer.account_tier = fs::AccountTier::key;
      (void)tx.insert_customer(customer);
      fs::Site site;
      site.id = id;
      site.customer_id = id;
      site.address = "Site " + std::to_string(id);
      site.location = {center.location.lat + offset(rng), center.location.lon + offset(rng)};
      auto placement = fs::dispatch::place_site(site.location, home, center.id);
      site.center_id = center.id;
      site.center_explicit = true;
      site.distance_km = placement ? placement->distance_km : 0;
      (void)tx.insert_site(site);
      for (int k = 0; k < kUnitsPerSite; ++k) {
        fs::Equipment unit;
        unit.id = unit_id(id, k);
        unit.site_id = id;
        unit.model = "Model " + std::to_string(k % 4);
        unit.serial = std::to_string(unit.id);
        unit.sold_at = begin - std::chrono::days{std::uniform_int_distribution<int>(0, 700)(rng)};
        unit.warranty_months = k % 2 ? 12 : 24;
        (void)tx.insert_equipment(unit);
      }
    }
    for (int t = 0; t < 20; ++t) {
      fs::Technician tech;
      tech.id = c * 100 + t;
      tech.name = "Tech " + std::to_string(tech.id);
      tech.skills = {"hvac"};
      tech.home_center_id = c;
      tech.shift = weekdays;
      (void)tx.insert_technician(tech);
    }
  }
}

// One job and its events: most run the whole way to closed, some wait on a hold, a few are
// cancelled or still open.
fs::app::HistoricJob make_job(std::int64_t id, Instant reported, Instant end,
                              std::mt19937_64& rng) {
  auto minutes = [&](int lo, int hi) {
    return std::chrono::minutes{std::uniform_int_distribution<int>(lo, hi)(rng)};
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  static constexpr fs::Severity kTiers[] = {fs::Severity::critical, fs::Severity::serious,
                                            fs::Severity::general, fs::Severity::general,
                                            fs::Severity::minor};
  int center = std::uniform_int_distribution<int>(1, 50)(rng);
  int site = center * 100 + std::uniform_int_distribution<int>(0, 39)(rng);
  fs::app::HistoricJob history;
  fs::Job& job = history.job;
  job.id = id;
  job.kind = chance(0.1) ? fs::JobKind::installation : fs::JobKind::repair;
  job.severity = kTiers[std::uniform_int_distribution<int>(0, 4)(rng)];
  job.site_id = site;
  job.reported_at = reported;
  if (job.kind == fs::JobKind::repair && chance(0.5)) {
    job.equipment_id = unit_id(site, std::uniform_int_distribution<int>(0, kUnitsPerSite - 1)(rng));
    job.fault = kFaults[std::uniform_int_distribution<int>(0, 3)(rng)];
  }
  Instant t = reported;
  auto step = [&](const char* to, std::chrono::minutes after,
                  std::optional<fs::HoldReason> reason = std::nullopt) {
    if (t + after >= end) return false;
    t += after;
    history.events.push_back({to, t, fs::EventSource::api, reason});
    return true;
  };
  if (!chance(0.02)) {
    history.technician = center * 100 + std::uniform_int_distribution<int>(0, 19)(rng);
    bool ok = step("assigned", minutes(0, 45)) && step("accepted", minutes(1, 30)) &&
              step("en_route", minutes(1, 120)) && step("on_site", minutes(10, 480));
    if (ok && chance(0.2)) {
      ok = step("on_hold", minutes(10, 120),
                chance(0.5) ? fs::HoldReason::waiting_parts : fs::HoldReason::waiting_customer) &&
           step("resumed", minutes(30, 4000));
    }
    if (ok && chance(0.03)) {
      step("cancelled", minutes(1, 30));
    } else if (ok && step("resolved", minutes(15, 600)) && job.kind == fs::JobKind::repair) {
      if (chance(0.6)) {
        for (int n = std::uniform_int_distribution<int>(1, 2)(rng); n > 0; --n) {
          fs::JobPart part;
          part.part.part_number = kParts[std::uniform_int_distribution<int>(0, 5)(rng)];
          part.part.qty = std::uniform_int_distribution<int>(1, 2)(rng);
          part.at = t;
          history.parts.push_back(part);
        }
      }
      step("closed", minutes(60, 2880));
    }
  }
  return history;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Generates a large job history for the report benchmarks"};
  std::string db;
  long jobs = 1'000'000;
  int months = 12;
  std::uint64_t seed = 1;
  cli.add_option("--db", db, "new SQLite database file")->required();
  cli.add_option("--jobs", jobs, "jobs to generate")->capture_default_str();
  cli.add_option("--months", months, "months of history before now")->capture_default_str();
  cli.add_option("--seed", seed, "random seed")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  std::mt19937_64 rng(seed);
  auto started = std::chrono::steady_clock::now();
  auto store = fs::store::Store::open(db, 1);
  fs::SystemClock clock;
  fs::app::PolicySource policy;  // the default policy
  fs::app::JobWriter writer(policy, clock);
  Instant now = std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
  Instant end = now - std::chrono::hours{24};
  Instant begin = end - std::chrono::days{30L * months + months / 2};
  bool placed = store->write([&](fs::store::Tx& tx) {
    if (!tx.all_centers().empty()) return false;
    insert_places(tx, rng, begin);
    return true;
  });
  if (!placed) {
    std::fprintf(stderr, "%s already holds data; give a new database file\n", db.c_str());
    return 1;
  }
  // Reported times in order, as a history arrives: evenly spread with random gaps.
  double span_s = static_cast<double>((end - begin).count());
  long events = 0, complaints = 0, results = 0;
  auto minutes = [&](int lo, int hi) {
    return std::chrono::minutes{std::uniform_int_distribution<int>(lo, hi)(rng)};
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  constexpr long kBatch = 20'000;
  for (long first = 1; first <= jobs; first += kBatch) {
    long last = std::min(jobs, first + kBatch - 1);
    auto stored = fieldserve::app::write(
        *store,
        [&](fieldserve::store::Tx& tx, fieldserve::app::Effects& fx) -> fieldserve::Result<long> {
          long n = 0;
          for (long id = first; id <= last; ++id) {
            auto offset = static_cast<std::int64_t>(span_s * static_cast<double>(id - 1) /
                                                    static_cast<double>(jobs));
            Instant reported = begin + std::chrono::seconds{offset} +
                               std::chrono::seconds{std::uniform_int_distribution<int>(0, 59)(rng)};
            auto history = make_job(id, reported, end, rng);
            auto site = history.job.site_id;
            auto technician = history.technician;
            Instant last = history.events.empty() ? reported : history.events.back().at;
            bool closed = !history.events.empty() && history.events.back().to == "closed";
            auto count = fieldserve::app::import_job(writer, tx, fx, std::move(history));
            if (!count) return std::unexpected(count.error());
            n += *count;
            if (chance(0.1) && last + std::chrono::hours{1} < end) {
              fs::Complaint c;
              c.customer_id = site;  // one customer per site, same id
              c.job_id = id;
              c.technician_id = technician;
              c.text = "late again";
              c.received_at = std::min(last + minutes(30, 4320), end);
              c.due = c.received_at + std::chrono::hours{site % 10 == 0 ? 4 : 24};
              c.created_by = "history_gen";
              c.created_at = c.received_at;
              if (chance(0.85) && c.received_at + std::chrono::hours{34} < end) {
                c.status = fs::ComplaintStatus::answered;
                c.answer = "sorry";
                c.answered_at = c.received_at + minutes(10, 2000);
              }
              if (c.due <= c.answered_at.value_or(end)) c.escalated_at = c.due;
              (void)tx.insert_complaint(c);
              ++complaints;
            }
            if (closed && chance(0.6) && last + std::chrono::days{8} < end) {
              if (auto f = tx.follow_up_of_job(id)) {
                f->status = fs::FollowUpStatus::done;
                f->reached = chance(0.85);
                if (*f->reached) f->satisfaction = std::uniform_int_distribution<int>(1, 5)(rng);
                f->done_at = last + minutes(1440, 10080);
                f->done_by = "history_gen";
                (void)tx.update_follow_up(*f);
                ++results;
              }
            }
          }
          return n;
        });
    if (!stored) {
      std::fprintf(stderr, "job import failed: %s\n", stored.error().message.c_str());
      return 1;
    }
    events += *stored;
    std::fprintf(stderr, "\r%ld / %ld jobs", last, jobs);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "\n");
  std::printf(
      "jobs=%ld events=%ld centers=50 sites=2000 units=%d technicians=1000 complaints=%ld "
      "follow_up_results=%ld load_s=%.1f jobs_per_s=%.0f from=%s to=%s\n",
      jobs, events, 2000 * kUnitsPerSite, complaints, results, seconds,
      static_cast<double>(jobs) / seconds, fieldserve::format_rfc3339(begin).c_str(),
      fieldserve::format_rfc3339(end).c_str());
  return 0;
}
