// Live SLA monitoring and the report routes, against the real server: the ticker finds a breach
// through its index, a change announces at once, a center's hours changed while jobs are open,
// the technician report's figures, roles and bad input.
#include <GeographicLib/Geodesic.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "domain/time.h"
#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

using namespace std::chrono_literals;

std::string ago(std::chrono::seconds s) {
  return format_rfc3339(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) - s);
}

class SlaMonitorTest : public WorldTest {
 protected:
  std::int64_t new_job(const std::string& severity, const std::string& reported_at) {
    auto r = s().post("/api/v1/jobs",
                      {{"site_id", w().site_id},
                       {"kind", "repair"},
                       {"severity", severity},
                       {"reported_at", reported_at},
                       {"auto_assign", false}},
                      w().dispatcher);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }

  std::vector<json> sla_events(std::int64_t job) {
    auto r = s().get("/api/v1/jobs/" + std::to_string(job) + "/events?limit=500", w().dispatcher);
    std::vector<json> out;
    for (const auto& e : r.body["items"]) {
      if (e["type"].get<std::string>().rfind("sla_", 0) == 0) out.push_back(e);
    }
    return out;
  }

  static bool has(const std::vector<json>& events, const std::string& type,
                  const std::string& target) {
    for (const auto& e : events) {
      if (e["type"] == type && e["detail"].get<std::string>().rfind(target + " ", 0) == 0)
        return true;
    }
    return false;
  }
};

// The ticker announcing a breach when the clock passes the due is checked in process with a
// manual clock (tests/app/services_test.cpp); here the live server's ticker is seen settling an
// upgraded database (SlaMonitorUpgrade below).

TEST_F(SlaMonitorTest, AnAssignmentAnnouncesTheResponseMetInTheSameWrite) {
  auto job = new_job("serious", ago(60s));
  auto r = s().post("/api/v1/jobs/" + std::to_string(job) + "/assign",
                    {{"technician_id", w().tech_a}}, w().dispatcher);
  ASSERT_EQ(r.status, 200) << r.text;
  auto events = sla_events(job);
  EXPECT_TRUE(has(events, "sla_met", "response"));
  EXPECT_FALSE(has(events, "sla_met", "arrival"));
}

TEST_F(SlaMonitorTest, DispatchersListTheAtRiskAndBreachedJobs) {
  // Serious, 10 km: response 15 min, arrival 90 min (at risk after 67.5). Reported 70 min ago
  // and never assigned: response breached, arrival at risk for another 20 minutes.
  auto late = new_job("serious", ago(70min));
  auto fresh = new_job("serious", ago(60s));
  auto ids = [&](const std::string& state) {
    std::vector<std::int64_t> out;
    auto r = s().get("/api/v1/jobs?limit=500&sla_state=" + state, w().dispatcher);
    EXPECT_EQ(r.status, 200) << r.text;
    for (const auto& j : r.body["items"]) out.push_back(j["id"]);
    return out;
  };
  auto contains = [](const std::vector<std::int64_t>& v, std::int64_t id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  auto at_risk = ids("at_risk"), breached = ids("breached");
  EXPECT_TRUE(contains(at_risk, late));
  EXPECT_TRUE(contains(breached, late));
  EXPECT_FALSE(contains(at_risk, fresh));
  EXPECT_FALSE(contains(breached, fresh));
  EXPECT_EQ(s().get("/api/v1/jobs?sla_state=late", w().dispatcher).status, 400);
}

// Failure mode: a viewer in another time zone. The same instants written with another offset
// give the same report: days are the centers' local days, not the viewer's.
TEST_F(SlaMonitorTest, TheSameWindowInAnotherOffsetGivesTheSameReport) {
  new_job("general", ago(3h));
  new_job("critical", ago(26h));
  auto utc = s().get(
      "/api/v1/reports/sla?group_by=day,tier&from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z",
      w().manager);
  auto kolkata = s().get(
      "/api/v1/reports/sla?group_by=day,tier&from=2026-01-01T05:30:00%2B05:30"
      "&to=2027-06-01T05:30:00%2B05:30",
      w().manager);
  ASSERT_EQ(utc.status, 200) << utc.text;
  ASSERT_EQ(kolkata.status, 200) << kolkata.text;
  EXPECT_FALSE(utc.body["groups"].empty());
  EXPECT_EQ(utc.body["groups"], kolkata.body["groups"]);
}

TEST_F(SlaMonitorTest, TheTickerReadsJobsThroughTheNextThresholdIndex) {
  if (on_postgresql()) GTEST_SKIP() << "a SQLite query plan";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(s().db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db,
                         "EXPLAIN QUERY PLAN SELECT id FROM jobs j WHERE j.sla_next_check <= 0 "
                         "ORDER BY j.sla_next_check LIMIT 200",
                         -1, &q, nullptr),
      SQLITE_OK);
  std::string plan;
  while (sqlite3_step(q) == SQLITE_ROW)
    plan += reinterpret_cast<const char*>(sqlite3_column_text(q, 3));
  sqlite3_finalize(q);
  sqlite3_close(db);
  EXPECT_NE(plan.find("jobs_by_sla_check"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
}

// Failure mode: a center's hours changed while jobs are open. Open targets move to the new
// hours; a target already done keeps its due and its verdict.
TEST_F(SlaMonitorTest, ChangingACentersHoursMovesOnlyTheOpenTargets) {
  auto job = new_job("general", ago(30s));  // business hours: Mon–Fri 08:00–18:00 Shanghai
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(job) + "/assign",
                     {{"technician_id", w().tech_b}}, w().dispatcher)
                .status,
            200);
  auto before = s().get("/api/v1/jobs/" + std::to_string(job), w().dispatcher).body;
  auto center = s().get("/api/v1/centers/" + std::to_string(w().center_id), w().dispatcher).body;
  json all_week = json::object();
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
    all_week[d] = {"00:00", "24:00"};
  auto patched = s().patch("/api/v1/centers/" + std::to_string(w().center_id),
                           {{"business_hours", all_week}}, admin(),
                           std::to_string(center["version"].get<std::int64_t>()));
  ASSERT_EQ(patched.status, 200) << patched.text;
  auto after = s().get("/api/v1/jobs/" + std::to_string(job), w().dispatcher).body;
  EXPECT_EQ(after["sla"]["response"]["due"], before["sla"]["response"]["due"]);
  EXPECT_EQ(after["sla"]["response"]["state"], "met");
  // Open all week now: general arrival ≤ 10 km is 240 minutes of wall time.
  auto reported = parse_rfc3339(after["reported_at"].get<std::string>()).value();
  EXPECT_EQ(after["sla"]["arrival"]["due"], format_rfc3339(reported + 240min));
  EXPECT_EQ(after["sla"]["restore"]["due"], format_rfc3339(reported + 1440min));
}

TEST_F(SlaMonitorTest, TheTechnicianReportCountsVisitsTravelAndCost) {
  auto job = new_job("serious", ago(600s));
  auto path = "/api/v1/jobs/" + std::to_string(job);
  ASSERT_EQ(s().post(path + "/assign", {{"technician_id", w().tech_a}}, w().dispatcher).status,
            200);
  for (const char* to : {"accepted", "en_route", "on_site"}) {
    auto r = s().post(path + "/status", {{"to", to}}, w().dispatcher);
    ASSERT_EQ(r.status, 200) << to << ": " << r.text;
  }
  // An edit while on site is an event whose to_status is on_site, but not a second visit.
  auto edit = s().patch(path, {{"description", "compressor trips on start"}}, w().dispatcher);
  ASSERT_EQ(edit.status, 200) << edit.text;
  ASSERT_EQ(s().post(path + "/status", {{"to", "resolved"}}, w().dispatcher).status, 200);
  auto r = s().get("/api/v1/reports/technicians", w().manager);
  ASSERT_EQ(r.status, 200) << r.text;
  const json* mine = nullptr;
  for (const auto& item : r.body["items"]) {
    if (item["technician_id"] == w().tech_a) mine = &item;
  }
  ASSERT_NE(mine, nullptr) << r.text;
  EXPECT_EQ((*mine)["jobs_done"], 1);
  EXPECT_EQ((*mine)["visits"], 1);
  EXPECT_EQ((*mine)["first_time_fix_pct"], 100.0);
  EXPECT_EQ((*mine)["name"], "Li Wei");
  EXPECT_EQ((*mine)["complaints"], 0) << "none recorded: a count, never null";
  // From the home center to the site: geodesic km × the default circuity 1.3.
  double metres = 0;
  GeographicLib::Geodesic::WGS84().Inverse(31.2304, 121.4737, 31.2397, 121.4998, metres);
  EXPECT_NEAR((*mine)["travel_km"].get<double>(), metres / 1000 * 1.3, 0.01);
  EXPECT_NEAR((*mine)["cost"]["travel"].get<double>(), metres / 1000 * 1.3 * 0.5, 0.01);
  EXPECT_EQ((*mine)["sla"]["met"].get<int>() + (*mine)["sla"]["breached"].get<int>(), 3);

  // The same figures as CSV, for a spreadsheet: the header, then one row per technician.
  auto csv = s().get("/api/v1/reports/technicians?format=csv", w().manager);
  ASSERT_EQ(csv.status, 200) << csv.text;
  EXPECT_EQ(csv.headers.find("Content-Type")->second, "text/csv; charset=utf-8");
  std::istringstream lines(csv.text);
  std::string header, row;
  std::getline(lines, header);
  EXPECT_EQ(header.rfind("technician_id,name,jobs_done,sla_met,sla_breached,", 0), 0u) << header;
  bool found = false;
  while (std::getline(lines, row)) {
    if (row.rfind(std::to_string(w().tech_a) + ",Li Wei,1,", 0) == 0) found = true;
  }
  EXPECT_TRUE(found) << csv.text;
  EXPECT_EQ(s().get("/api/v1/reports/technicians?format=xml", w().manager).status, 422);
}

TEST_F(SlaMonitorTest, EachBreachCarriesTheDispatchExplanation) {
  // Nobody has the skill: the dispatcher leaves it new and says why; the response breaches.
  auto r = s().post("/api/v1/jobs",
                    {{"site_id", w().site_id},
                     {"kind", "repair"},
                     {"severity", "critical"},
                     {"required_skills", {"welding"}},
                     {"reported_at", ago(20min)}},
                    w().dispatcher);
  ASSERT_EQ(r.status, 201) << r.text;
  auto id = r.body["id"].get<std::int64_t>();
  auto list = s().get("/api/v1/reports/sla/breaches?target=response&limit=500", w().manager);
  ASSERT_EQ(list.status, 200) << list.text;
  const json* item = nullptr;
  for (const auto& i : list.body["items"]) {
    if (i["job_id"] == id) item = &i;
  }
  ASSERT_NE(item, nullptr) << list.text;
  EXPECT_EQ((*item)["target"], "response");
  EXPECT_TRUE((*item)["done_at"].is_null());
  EXPECT_GE((*item)["lateness_minutes"].get<double>(), 15.0);
  EXPECT_EQ((*item)["dispatch"]["reason"], "no_eligible_technician");
  ASSERT_TRUE((*item)["dispatch"]["candidates"].is_array());
  ASSERT_FALSE((*item)["dispatch"]["candidates"].empty());
  EXPECT_EQ((*item)["dispatch"]["candidates"][0]["eligible"], false);
}

TEST_F(SlaMonitorTest, ReportsAreForManagersAndAdminsOnly) {
  for (const auto* token : {&w().dispatcher, &w().tablet_a}) {
    for (const char* route :
         {"/api/v1/reports/sla", "/api/v1/reports/sla/breaches", "/api/v1/reports/technicians"}) {
      EXPECT_EQ(s().get(route, *token).status, 403) << route;
    }
  }
  EXPECT_EQ(s().get("/api/v1/reports/sla", w().manager).status, 200);
  EXPECT_EQ(s().get("/api/v1/reports/sla", admin()).status, 200);
}

TEST_F(SlaMonitorTest, BadReportParametersAreClearErrors) {
  struct Case {
    std::string query;
    int status;
    std::string code;
  };
  for (const auto& c : std::vector<Case>{
           {"/api/v1/reports/sla?group_by=region", 422, "validation_failed"},
           {"/api/v1/reports/sla?group_by=tier,tier", 422, "validation_failed"},
           {"/api/v1/reports/sla?format=xml", 422, "validation_failed"},
           {"/api/v1/reports/sla?from=2026-11-10T00:00:00Z&to=2026-11-01T00:00:00Z", 422,
            "validation_failed"},
           {"/api/v1/reports/sla?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", 422,
            "validation_failed"},
           {"/api/v1/reports/sla?from=yesterday", 400, "bad_request"},
           {"/api/v1/reports/sla?tier=urgent", 422, "validation_failed"},
           {"/api/v1/reports/sla/breaches?cursor=b1.x.1.0", 400, "bad_request"},
           {"/api/v1/reports/sla/breaches?cursor=b1.1.1.3", 400, "bad_request"},
           {"/api/v1/reports/sla/breaches?limit=0", 400, "bad_request"},
           {"/api/v1/reports/sla/breaches?target=eta", 422, "validation_failed"},
       }) {
    auto r = s().get(c.query, w().manager);
    EXPECT_EQ(r.status, c.status) << c.query << ": " << r.text;
    EXPECT_EQ(r.error_code(), c.code) << c.query;
  }
}

TEST_F(SlaMonitorTest, TheCsvReportHasAHeaderRowAndTheJsonFigures) {
  new_job("minor", ago(120s));
  auto csv = s().get("/api/v1/reports/sla?group_by=tier&format=csv", w().manager);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers.find("Content-Type")->second, "text/csv; charset=utf-8");
  auto header_end = csv.text.find("\r\n");
  ASSERT_NE(header_end, std::string::npos);
  EXPECT_EQ(csv.text.substr(0, 30), "tier,count,cancelled,response_");
  auto json_report = s().get("/api/v1/reports/sla?group_by=tier", w().manager);
  for (const auto& g : json_report.body["groups"]) {
    std::string line = g["key"].get<std::string>() + "," + std::to_string(g["count"].get<int>()) +
                       "," + std::to_string(g["cancelled"].get<int>()) + "," +
                       std::to_string(g["response"]["met"].get<int>()) + ",";
    EXPECT_NE(csv.text.find("\r\n" + line), std::string::npos) << line << "\n" << csv.text;
  }
}

}  // namespace
}  // namespace fieldserve::testing

namespace fieldserve::testing {
namespace {

// Jobs stored before the SLA monitor existed (migration 4 marks them with a next check at the
// epoch) are settled at the next start without announcing their old breaches.
TEST(SlaMonitorUpgrade, JobsFromBeforeTheMonitorAreSettledSilently) {
  ServerProcess server;
  auto world = make_world(server);
  auto r = server.post("/api/v1/jobs",
                       {{"site_id", world.site_id},
                        {"kind", "repair"},
                        {"severity", "serious"},
                        {"reported_at", ago(70min)},
                        {"auto_assign", false}},
                       world.dispatcher);
  ASSERT_EQ(r.status, 201) << r.text;
  std::string id = std::to_string(r.body["id"].get<std::int64_t>());
  server.stop();
  // What an upgraded database looks like: nothing settled, nothing announced.
  scalar(server.db_path(),
         "UPDATE jobs SET sla_next_check = 0, response_mark = 'pending', arrival_mark = 'pending' "
         "WHERE id = " +
             id + " RETURNING id");
  auto events_before = scalar(server.db_path(),
                              "SELECT COUNT(*) FROM job_events WHERE job_id = " + id);
  server.restart();
  std::int64_t next = 0;
  for (int i = 0; i < 40 && next == 0; ++i) {
    std::this_thread::sleep_for(250ms);
    next = scalar(server.db_path(),
                  "SELECT COALESCE(sla_next_check, -1) FROM jobs WHERE id = " + id);
  }
  ASSERT_NE(next, 0) << "the ticker never settled the job";
  EXPECT_EQ(scalar(server.db_path(),
                   "SELECT response_mark = 'breached' AND arrival_mark = 'at_risk' "
                   "FROM jobs WHERE id = " +
                       id),
            1);
  EXPECT_EQ(scalar(server.db_path(), "SELECT COUNT(*) FROM job_events WHERE job_id = " + id),
            events_before);
}

}  // namespace
}  // namespace fieldserve::testing
