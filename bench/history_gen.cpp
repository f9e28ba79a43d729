// Generates a large job history for the report benchmarks: 50 service centers in ten time zones
// (each with its own business hours), 40 sites and 20 technicians per center, and N jobs spread
// over the months before now, each with its status events. Everything goes through the importer
// (`fieldserve import`'s code), so due times, pauses and durations are computed as in production;
// only the rows are made up. Prints the load time.
//
//   history_gen --db PATH [--jobs 1000000] [--months 12] [--seed 1]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "domain/time.h"
#include "server/api/services.h"
#include "server/cli/importer.h"
#include "store/store.h"

namespace {

using nlohmann::json;
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

std::string hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

void write_json(const std::filesystem::path& path, const json& value) {
  std::ofstream out(path);
  out << value.dump();
}

// The places: centers, customers, sites (one customer each), technicians. No jobs.
void write_places(const std::filesystem::path& folder, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> jitter(-0.6, 0.6), offset(-0.5, 0.5);
  json centers = json::array(), customers = json::array(), sites = json::array(),
       technicians = json::array();
  for (int c = 1; c <= 50; ++c) {
    const Zone& zone = kZones[(c - 1) % 10];
    double lat = zone.lat + jitter(rng), lon = zone.lon + jitter(rng);
    json hours = json::object();
    int open = 7 * 60 + 30 * (c % 4), close = open + 9 * 60 + 30 * (c % 3);
    for (const char* day : {"mon", "tue", "wed", "thu", "fri"})
      hours[day] = {hhmm(open), hhmm(close)};
    if (c % 5 == 0) hours["sat"] = {"09:00", "13:00"};
    centers.push_back({{"id", c},
                       {"name", "Center " + std::to_string(c)},
                       {"location", {{"lat", lat}, {"lon", lon}}},
                       {"time_zone", zone.name},
                       {"business_hours", hours}});
    for (int s = 0; s < 40; ++s) {
      int id = c * 100 + s;
      customers.push_back({{"id", id}, {"name", "Customer " + std::to_string(id)}});
      sites.push_back({{"id", id},
                       {"customer_id", id},
                       {"address", "Site " + std::to_string(id)},
                       {"center_id", c},
                       {"location", {{"lat", lat + offset(rng)}, {"lon", lon + offset(rng)}}}});
    }
    for (int t = 0; t < 20; ++t) {
      technicians.push_back({{"id", c * 100 + t},
                             {"name", "Tech " + std::to_string(c * 100 + t)},
                             {"skills", {"hvac"}},
                             {"home_center_id", c},
                             {"shift",
                              {{"mon", {"08:00", "17:00"}},
                               {"tue", {"08:00", "17:00"}},
                               {"wed", {"08:00", "17:00"}},
                               {"thu", {"08:00", "17:00"}},
                               {"fri", {"08:00", "17:00"}}}}});
    }
  }
  write_json(folder / "centers.json", centers);
  write_json(folder / "customers.json", customers);
  write_json(folder / "sites.json", sites);
  write_json(folder / "technicians.json", technicians);
  write_json(folder / "equipment.json", json::array());
  write_json(folder / "jobs.json", json::array());
}

// One job and its events: most run the whole way to closed, some wait on a hold, a few are
// cancelled or still open.
json make_job(std::int64_t id, Instant reported, Instant end, std::mt19937_64& rng) {
  auto minutes = [&](int lo, int hi) {
    return std::chrono::minutes{std::uniform_int_distribution<int>(lo, hi)(rng)};
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  static constexpr const char* kTiers[] = {"critical", "serious", "general", "general", "minor"};
  int center = std::uniform_int_distribution<int>(1, 50)(rng);
  int site = center * 100 + std::uniform_int_distribution<int>(0, 39)(rng);
  json job = {{"id", id},
              {"kind", chance(0.1) ? "installation" : "repair"},
              {"severity", kTiers[std::uniform_int_distribution<int>(0, 4)(rng)]},
              {"site_id", site},
              {"reported_at", fieldserve::format_rfc3339(reported)}};
  json events = json::array();
  Instant t = reported;
  auto step = [&](const char* to, std::chrono::minutes after, const char* reason = nullptr) {
    if (t + after >= end) return false;
    t += after;
    json e = {{"type", "status"}, {"to", to}, {"at", fieldserve::format_rfc3339(t)}};
    if (reason) e["reason"] = reason;
    events.push_back(std::move(e));
    return true;
  };
  if (!chance(0.02)) {
    job["technician_id"] = center * 100 + std::uniform_int_distribution<int>(0, 19)(rng);
    bool ok = step("assigned", minutes(0, 45)) && step("accepted", minutes(1, 30)) &&
              step("en_route", minutes(1, 120)) && step("on_site", minutes(10, 480));
    if (ok && chance(0.2)) {
      ok = step("on_hold", minutes(10, 120), chance(0.5) ? "waiting_parts" : "waiting_customer") &&
           step("resumed", minutes(30, 4000));
    }
    if (ok && chance(0.03)) {
      step("cancelled", minutes(1, 30));
    } else if (ok && step("resolved", minutes(15, 600)) && job["kind"] == "repair") {
      step("closed", minutes(60, 2880));
    }
  }
  job["events"] = std::move(events);
  return job;
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
  auto folder = std::filesystem::temp_directory_path() /
                ("fieldserve-history-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  write_places(folder, rng);
  std::filesystem::copy_file(std::filesystem::path(FIELDSERVE_SOURCE_DIR) /
                                 "sample_data/sla_policy.json",
                             folder / "sla_policy.json");

  auto started = std::chrono::steady_clock::now();
  auto store = fieldserve::store::Store::open(db, 1);
  fieldserve::SystemClock clock;
  fieldserve::server::Services app(*store, clock);
  auto places = fieldserve::server::import_folder(app, folder, [](const std::string&, int, int) {});
  std::filesystem::remove_all(folder);
  if (!places) {
    std::fprintf(stderr, "import failed: %s\n", places.error().message.c_str());
    return 1;
  }
  Instant now = std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
  Instant end = now - std::chrono::hours{24};
  Instant begin = end - std::chrono::days{30L * months + months / 2};
  // Reported times in order, as a history arrives: evenly spread with random gaps.
  double span_s = static_cast<double>((end - begin).count());
  long events = 0;
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
            auto count = fieldserve::server::import_job(app, tx, fx,
                                                        make_job(id, reported, end, rng), now);
            if (!count) return std::unexpected(count.error());
            n += *count;
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
      "jobs=%ld events=%ld centers=50 sites=2000 technicians=1000 load_s=%.1f jobs_per_s=%.0f "
      "from=%s to=%s\n",
      jobs, events, seconds, static_cast<double>(jobs) / seconds,
      fieldserve::format_rfc3339(begin).c_str(), fieldserve::format_rfc3339(end).c_str());
  return 0;
}
