// The SLA reports against a brute-force oracle (tests/integration/sla_oracle), on randomized job
// histories with fixed seeds: four centers in four zones, business hours with Saturday mornings
// and an all-day Sunday, holds, jobs reported late, DST weekends (Sydney 4 Oct, Europe 25 Oct,
// US 1 Nov 2026), jobs still open, cancelled ones, and a policy change while jobs are open.
// Each history is imported through `fieldserve import` and read back over HTTP.
#include <GeographicLib/Geodesic.hpp>
#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "server_fixture.h"
#include "sla_oracle.h"

namespace fieldserve::testing {
namespace {

using oracle::Minute;

constexpr Minute kHistoryStart = 29'828'160;  // 2026-09-18T00:00:00Z in minutes
constexpr Minute kHistoryEnd = 29'900'160;    // 2026-11-07T00:00:00Z
constexpr std::array<const char*, 4> kTiers{"critical", "serious", "general", "minor"};

Minute now_minute() {
  return std::chrono::duration_cast<std::chrono::minutes>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339(Minute m) {
  auto t = std::chrono::sys_seconds{std::chrono::minutes{m}};
  return date::format("%FT%TZ", t);
}

json hours_json(const oracle::Center& c) {
  static constexpr std::array<const char*, 7> kDays{"mon", "tue", "wed", "thu",
                                                    "fri", "sat", "sun"};
  json out = json::object();
  for (std::size_t d = 0; d < 7; ++d) {
    if (!c.week[d]) continue;
    char a[32], b[32];
    std::snprintf(a, sizeof a, "%02d:%02d", c.week[d]->start / 60, c.week[d]->start % 60);
    std::snprintf(b, sizeof b, "%02d:%02d", c.week[d]->end / 60, c.week[d]->end % 60);
    out[kDays[d]] = {a, b};
  }
  return out;
}

struct CenterSpec {
  oracle::Center center;
  double lat, lon;
};

std::vector<CenterSpec> centers() {
  auto weekdays = [](int start, int end) {
    std::array<std::optional<oracle::Hours>, 7> w{};
    for (int d = 0; d < 5; ++d) w[static_cast<std::size_t>(d)] = oracle::Hours{start, end};
    return w;
  };
  std::vector<CenterSpec> out;
  out.push_back({{1, "Europe/Berlin", weekdays(8 * 60, 18 * 60)}, 52.52, 13.405});
  auto chicago = weekdays(7 * 60 + 30, 17 * 60);
  chicago[5] = oracle::Hours{9 * 60, 13 * 60};  // Saturday mornings
  out.push_back({{2, "America/Chicago", chicago}, 41.8781, -87.6298});
  out.push_back({{3, "Australia/Sydney", weekdays(8 * 60, 18 * 60)}, -33.8688, 151.2093});
  auto london = weekdays(8 * 60, 20 * 60);
  london[6] = oracle::Hours{0, 24 * 60};  // open all Sunday: 25 hours on 25 October
  out.push_back({{4, "Europe/London", london}, 51.5074, -0.1278});
  return out;
}

// Distances chosen away from the band limits (10, 30, 60 km).
constexpr std::array<double, 5> kSiteKm{3, 8, 20, 45, 95};

int band_index(double km) { return km <= 10 ? 0 : km <= 30 ? 1 : km <= 60 ? 2 : 3; }

oracle::Targets targets_of(const json& policy, const std::string& tier, double km) {
  const auto& t = policy["tiers"][tier];
  const auto& band = t["bands"][static_cast<std::size_t>(band_index(km))];
  return {t["response_minutes"].get<int>(), band["arrival_minutes"].get<int>(),
          band["restore_minutes"].get<int>()};
}

struct Scenario {
  json policy, relaxed_policy;
  std::vector<oracle::JobHistory> jobs;
  std::map<std::int64_t, const oracle::Center*> center_of_job;
};

// One job's history from the generator: the events imported and the oracle's view of them.
json make_job(std::mt19937_64& rng, oracle::JobHistory& h, std::int64_t site_id,
              const std::vector<std::int64_t>& technicians, Minute history_end) {
  auto uniform = [&](Minute lo, Minute hi) {
    return std::uniform_int_distribution<Minute>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  json events = json::array();
  Minute t = h.reported;
  bool stopped = false;
  // An event at t + [lo, hi] minutes, unless that passes the end of the history.
  auto step = [&](const char* to, Minute lo, Minute hi, const char* reason = nullptr) {
    if (stopped) return false;
    Minute at = t + uniform(lo, hi);
    if (at >= history_end) {
      stopped = true;
      return false;
    }
    t = at;
    json e = {{"type", "status"}, {"to", to}, {"at", rfc3339(at)}};
    if (reason) e["reason"] = reason;
    events.push_back(e);
    return true;
  };
  bool unassigned = chance(0.04);
  if (!unassigned) {
    h.technician_id = technicians[static_cast<std::size_t>(uniform(0, 1))];
    if (step("assigned", 0, 40)) h.assigned = t;
  }
  double stop_early = chance(0.08) ? 1.0 : 0.0;
  bool cancel = chance(0.05);
  std::vector<std::pair<const char*, std::pair<Minute, Minute>>> chain{
      {"accepted", {1, 30}}, {"en_route", {1, 90}}, {"on_site", {10, 400}}};
  for (const auto& [to, range] : chain) {
    if (unassigned || stopped) break;
    if (stop_early > 0 && chance(0.3)) {
      stopped = true;
      break;
    }
    if (step(to, range.first, range.second) && std::string(to) == "on_site") h.on_site = t;
  }
  // Holds, some long enough to cross a weekend.
  int holds = chance(0.35) ? (chance(0.25) ? 2 : 1) : 0;
  for (int i = 0; i < holds && h.on_site && !stopped; ++i) {
    if (!step("on_hold", 5, 180, chance(0.5) ? "waiting_parts" : "waiting_customer")) break;
    h.holds.push_back({t, std::nullopt});
    if (!step("resumed", 1, chance(0.3) ? 4000 : 600)) break;
    h.holds.back().end = t;
  }
  if (cancel && !stopped && !(h.holds.size() && !h.holds.back().end)) {
    if (step("cancelled", 1, 60)) h.cancelled = true;
  } else if (h.on_site && !stopped && !(stop_early > 0 && chance(0.5))) {
    if (step("resolved", 1, 500)) {
      h.resolved = t;
      step("closed", 30, 2000);
    }
  }
  bool ended = h.cancelled || h.resolved;
  h.open_at_policy_change = !ended;
  json job = {{"id", h.id},
              {"kind", "repair"},
              {"severity", h.tier},
              {"site_id", site_id},
              {"reported_at", rfc3339(h.reported)},
              {"events", events}};
  if (h.technician_id) job["technician_id"] = *h.technician_id;
  return job;
}

Scenario generate(std::uint64_t seed, const std::filesystem::path& folder, Minute now) {
  std::mt19937_64 rng(seed);
  Scenario s;
  std::ifstream policy_file(std::string(FIELDSERVE_SOURCE_DIR) + "/sample_data/sla_policy.json");
  s.policy = json::parse(policy_file);
  s.policy["tiers"]["critical"]["response_minutes"] = 10;  // not the default: the file is read
  s.relaxed_policy = s.policy;
  for (const char* tier : kTiers) {
    auto& t = s.relaxed_policy["tiers"][tier];
    t["response_minutes"] = t["response_minutes"].get<int>() + 5;
    for (auto& band : t["bands"]) {
      band["arrival_minutes"] = band["arrival_minutes"].get<int>() + 30;
      band["restore_minutes"] = band["restore_minutes"].get<int>() + 120;
    }
  }
  json centers_json = json::array(), customers = json::array(), sites = json::array();
  json technicians = json::array();
  const auto& geod = GeographicLib::Geodesic::WGS84();
  struct SiteInfo {
    std::int64_t id, center;
    double km;
  };
  std::vector<SiteInfo> site_list;
  std::map<std::int64_t, std::vector<std::int64_t>> techs_of;
  static const auto specs = centers();
  for (const auto& spec : specs) {
    const auto& c = spec.center;
    centers_json.push_back({{"id", c.id},
                            {"name", "Center " + std::to_string(c.id)},
                            {"location", {{"lat", spec.lat}, {"lon", spec.lon}}},
                            {"time_zone", c.zone},
                            {"business_hours", hours_json(c)}});
    for (std::size_t k = 0; k < kSiteKm.size(); ++k) {
      std::int64_t id = c.id * 10 + static_cast<std::int64_t>(k);
      double lat = 0, lon = 0;
      geod.Direct(spec.lat, spec.lon, 37.0 * static_cast<double>(k), kSiteKm[k] * 1000, lat, lon);
      customers.push_back({{"id", id}, {"name", "Customer " + std::to_string(id)}});
      sites.push_back({{"id", id},
                       {"customer_id", id},
                       {"address", "Site " + std::to_string(id)},
                       {"location", {{"lat", lat}, {"lon", lon}}}});
      site_list.push_back({id, c.id, kSiteKm[k]});
    }
    for (int k = 0; k < 2; ++k) {
      std::int64_t id = c.id * 100 + k;
      technicians.push_back({{"id", id},
                             {"name", "Tech " + std::to_string(id)},
                             {"skills", {"hvac"}},
                             {"home_center_id", c.id},
                             {"shift",
                              {{"mon", {"00:00", "24:00"}}, {"sun", {"00:00", "24:00"}}}}});
      techs_of[c.id].push_back(id);
    }
  }
  auto center_spec = [&](std::int64_t id) -> const oracle::Center& {
    return specs[static_cast<std::size_t>(id - 1)].center;
  };
  auto calendar_is_business = [&](const std::string& tier) {
    return s.policy["tiers"][tier]["calendar"] == "business_hours";
  };
  json jobs = json::array();
  auto add_job = [&](oracle::JobHistory h, const SiteInfo& site, Minute history_end) {
    h.center_id = site.center;
    h.business_hours = calendar_is_business(h.tier);
    h.targets = targets_of(s.policy, h.tier, site.km);
    h.new_targets = targets_of(s.relaxed_policy, h.tier, site.km);
    jobs.push_back(make_job(rng, h, site.id, techs_of[site.center], history_end));
    s.center_of_job[h.id] = &center_spec(site.center);
    s.jobs.push_back(std::move(h));
  };
  std::int64_t next_id = 1;
  std::vector<Minute> reported;
  for (int i = 0; i < 360; ++i) {
    Minute r = std::uniform_int_distribution<Minute>(kHistoryStart + 1440, kHistoryEnd - 600)(rng);
    // A third sit right at a business-hours edge of some center: 08:00 / 18:00 in Berlin.
    if (i % 3 == 0) r = r - r % 1440 + (std::uniform_int_distribution<int>(0, 1)(rng) ? 419 : 1019);
    reported.push_back(r);
  }
  std::sort(reported.begin(), reported.end());  // the importer takes jobs in reported_at order
  for (Minute r : reported) {
    oracle::JobHistory h;
    h.id = next_id++;
    h.tier = kTiers[std::uniform_int_distribution<std::size_t>(0, 3)(rng)];
    h.reported = r;
    add_job(std::move(h),
            site_list[std::uniform_int_distribution<std::size_t>(0, site_list.size() - 1)(rng)],
            kHistoryEnd);
  }
  // Jobs reported in the last minutes: their targets are still pending when the test asks.
  for (int i = 0; i < 12; ++i) {
    oracle::JobHistory h;
    h.id = next_id++;
    h.tier = "minor";
    h.reported = now - 5 + i / 3;
    add_job(std::move(h), site_list[static_cast<std::size_t>(i) % site_list.size()], now);
  }
  auto write = [&](const char* name, const json& value) {
    std::ofstream out(folder / name);
    out << value.dump(1);
  };
  write("sla_policy.json", s.policy);
  write("centers.json", centers_json);
  write("customers.json", customers);
  write("sites.json", sites);
  write("equipment.json", json::array());
  write("technicians.json", technicians);
  write("jobs.json", jobs);
  return s;
}

struct OracleReport {
  std::map<std::string, oracle::Group> groups;
  std::map<std::string, oracle::TargetOutcome> breaches;  // "job/target"
};

OracleReport brute_force(const Scenario& s, const std::vector<std::string>& dims,
                         const std::map<std::int64_t, oracle::OpenTable>& tables, Minute now) {
  OracleReport out;
  std::map<std::string, std::array<std::vector<Minute>, 3>> taken;
  static constexpr std::array<const char*, 3> kTargets{"response", "arrival", "restore"};
  for (const auto& job : s.jobs) {
    const auto* center = s.center_of_job.at(job.id);
    const oracle::OpenTable* table = job.business_hours ? &tables.at(job.center_id) : nullptr;
    auto outcomes = oracle::evaluate(job, table, now);
    std::string key;
    for (const auto& d : dims) {
      std::string part = d == "tier"     ? job.tier
                         : d == "center" ? std::to_string(job.center_id)
                         : d == "technician"
                             ? (job.technician_id ? std::to_string(*job.technician_id)
                                                  : "unassigned")
                         : d == "day" ? oracle::local_date(center->zone, job.reported)
                                      : oracle::iso_week(center->zone, job.reported);
      key += (key.empty() ? "" : "/") + part;
    }
    auto& g = out.groups[key];
    ++g.count;
    if (job.cancelled) ++g.cancelled;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& o = outcomes[i];
      auto& f = g.targets[i];
      if (o.verdict == oracle::Verdict::met) ++f.met;
      if (o.verdict == oracle::Verdict::breached) {
        ++f.breached;
        out.breaches[std::to_string(job.id) + "/" + kTargets[i]] = o;
      }
      if (o.verdict == oracle::Verdict::pending) ++f.pending;
      if (o.taken) taken[key][i].push_back(*o.taken);
    }
  }
  for (auto& [key, g] : out.groups) {
    for (std::size_t i = 0; i < 3; ++i) {
      auto& f = g.targets[i];
      if (f.met + f.breached) {
        f.compliance_pct = 100.0 * static_cast<double>(f.met) /
                           static_cast<double>(f.met + f.breached);
      }
      f.p50 = oracle::percentile(taken[key][i], 50);
      f.p90 = oracle::percentile(taken[key][i], 90);
    }
  }
  return out;
}

void expect_number(const json& actual, const std::optional<double>& expected, double tolerance,
                   const std::string& where) {
  if (!expected) {
    EXPECT_TRUE(actual.is_null()) << where << ": expected null, got " << actual;
    return;
  }
  ASSERT_TRUE(actual.is_number()) << where << ": expected " << *expected << ", got " << actual;
  EXPECT_NEAR(actual.get<double>(), *expected, tolerance) << where;
}

class SlaReportOracleTest : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(SlaReportOracleTest, ReportsEqualABruteForceRecomputation) {
  Minute now = now_minute();
  ASSERT_GT(now, kHistoryEnd + 1440) << "the fixed history must lie in the past";
  ServerProcess server;
  server.stop();
  auto folder = server.dir() / "history";
  std::filesystem::create_directories(folder);
  auto scenario = generate(GetParam(), folder, now);
  ASSERT_EQ(run_command(std::string(FIELDSERVE_BINARY) + " import --db " + server.db_path() + " " +
                        folder.string() + " 2>&1"),
            0);
  server.restart();
  auto manager = server.make_token("manager", "reports");
  // Relaxed targets while jobs are open: their open targets move, decided ones stay.
  ASSERT_EQ(server.put("/api/v1/sla-policy", scenario.relaxed_policy, server.admin_token()).status,
            200);

  std::map<std::int64_t, oracle::OpenTable> tables;
  for (const auto& spec : centers()) {
    tables.emplace(spec.center.id,
                   oracle::OpenTable(spec.center, kHistoryStart, now + 60 * 24 * 60));
  }
  std::string window = "from=" + rfc3339(kHistoryStart) + "&to=" + rfc3339(now + 60);
  Minute asked_at = now_minute();
  for (const std::string group_by :
       {"tier", "center", "technician", "day", "week", "tier,center,week"}) {
    auto r = server.get("/api/v1/reports/sla?" + window + "&group_by=" + group_by, manager);
    ASSERT_EQ(r.status, 200) << r.text;
    std::vector<std::string> dims;
    for (std::size_t a = 0; a <= group_by.size();) {
      auto b = std::min(group_by.find(',', a), group_by.size());
      dims.push_back(group_by.substr(a, b - a));
      a = b + 1;
    }
    auto expected = brute_force(scenario, dims, tables, asked_at);
    ASSERT_EQ(r.body["groups"].size(), expected.groups.size()) << group_by;
    for (const auto& g : r.body["groups"]) {
      std::string key = g["key"];
      auto it = expected.groups.find(key);
      ASSERT_NE(it, expected.groups.end()) << group_by << ": unexpected group " << key;
      EXPECT_EQ(g["count"], it->second.count) << key;
      EXPECT_EQ(g["cancelled"], it->second.cancelled) << key;
      int i = 0;
      for (const char* target : {"response", "arrival", "restore"}) {
        const auto& f = it->second.targets[static_cast<std::size_t>(i++)];
        const auto& a = g[target];
        std::string where = group_by + " " + key + " " + target;
        EXPECT_EQ(a["met"], f.met) << where;
        EXPECT_EQ(a["breached"], f.breached) << where;
        EXPECT_EQ(a["pending"], f.pending) << where;
        expect_number(a["compliance_pct"], f.compliance_pct, 0.006, where + " compliance");
        expect_number(a["p50_minutes"], f.p50, 1e-9, where + " p50");
        expect_number(a["p90_minutes"], f.p90, 1e-9, where + " p90");
      }
    }
  }

  // The breach list, page by page, holds exactly the breached targets.
  auto expected = brute_force(scenario, {"tier"}, tables, asked_at);
  std::set<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto r = server.get("/api/v1/reports/sla/breaches?" + window + "&limit=37" +
                            (cursor.empty() ? "" : "&cursor=" + cursor),
                        manager);
    ASSERT_EQ(r.status, 200) << r.text;
    for (const auto& item : r.body["items"]) {
      std::string key = std::to_string(item["job_id"].get<std::int64_t>()) + "/" +
                        item["target"].get<std::string>();
      EXPECT_TRUE(seen.insert(key).second) << key << " listed twice";
      auto it = expected.breaches.find(key);
      ASSERT_NE(it, expected.breaches.end()) << key << " is not breached by the oracle";
      EXPECT_EQ(item["due"], rfc3339(it->second.due)) << key;
      if (it->second.done) {
        EXPECT_EQ(item["done_at"], rfc3339(*it->second.done)) << key;
        EXPECT_DOUBLE_EQ(item["lateness_minutes"].get<double>(),
                         static_cast<double>(*it->second.done - it->second.due))
            << key;
      } else {
        EXPECT_TRUE(item["done_at"].is_null()) << key;
      }
    }
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"];
  }
  EXPECT_EQ(seen.size(), expected.breaches.size());
}

INSTANTIATE_TEST_SUITE_P(Seeds, SlaReportOracleTest, ::testing::Values(11, 2026, 90125));

}  // namespace
}  // namespace fieldserve::testing
