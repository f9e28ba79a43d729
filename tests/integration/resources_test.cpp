// Every resource route over real HTTP against the real binary.
#include <GeographicLib/Geodesic.hpp>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "domain/time.h"
#include "server_fixture.h"

namespace fieldserve::testing {
namespace {

class ResourcesTest : public WorldTest {
 protected:
  json new_job(const json& extra = json::object()) {
    json body{{"site_id", w().site_id},
              {"kind", "repair"},
              {"severity", "critical"},
              {"auto_assign", false},
              {"required_skills", {"hvac"}}};
    body.update(extra);
    auto r = s().post("/api/v1/jobs", body, w().dispatcher);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body;
  }
};

double reference_km(double lat1, double lon1, double lat2, double lon2) {
  double m = 0;
  GeographicLib::Geodesic::WGS84().Inverse(lat1, lon1, lat2, lon2, m);
  return m / 1000;
}

TEST_F(ResourcesTest, HealthzAnswersWithoutToken) {
  auto r = s().get("/healthz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "ok");
}

TEST_F(ResourcesTest, SiteGoesToNearestCenterWithGeodesicDistanceAndBand) {
  // A second center far away must not win; a new site 25 km east of Shanghai is in the 30 km band.
  auto far = s().post("/api/v1/centers",
                      {{"name", "Chengdu"},
                       {"location", {{"lat", 30.5728}, {"lon", 104.0668}}},
                       {"time_zone", "Asia/Shanghai"}},
                      admin());
  ASSERT_EQ(far.status, 201) << far.text;
  double lat = 31.2304, lon = 121.7370;
  auto site = s().post("/api/v1/sites",
                       {{"customer_id", w().customer_id},
                        {"address", "Pudong airport road"},
                        {"location", {{"lat", lat}, {"lon", lon}}}},
                       admin());
  ASSERT_EQ(site.status, 201) << site.text;
  EXPECT_EQ(site.body["center_id"], w().center_id);
  double expected = reference_km(lat, lon, 31.2304, 121.4737);
  EXPECT_NEAR(site.body["distance_km"].get<double>(), expected, 1e-6);
  ASSERT_GT(expected, 10);
  ASSERT_LT(expected, 30);
  EXPECT_EQ(site.body["band_max_km"], 30.0);
}

TEST_F(ResourcesTest, ExplicitCenterIsKeptEvenWhenAnotherIsNearer) {
  auto far = s().post("/api/v1/centers",
                      {{"name", "Beijing"},
                       {"location", {{"lat", 39.9042}, {"lon", 116.4074}}},
                       {"time_zone", "Asia/Shanghai"}},
                      admin());
  ASSERT_EQ(far.status, 201);
  auto site = s().post("/api/v1/sites",
                       {{"customer_id", w().customer_id},
                        {"address", "Lujiazui"},
                        {"location", {{"lat", 31.24}, {"lon", 121.50}}},
                        {"center_id", far.body["id"]}},
                       admin());
  ASSERT_EQ(site.status, 201) << site.text;
  EXPECT_EQ(site.body["center_id"], far.body["id"]);
  EXPECT_EQ(site.body["band_max_km"], nullptr);  // ~1,070 km: beyond every band
  EXPECT_NEAR(site.body["distance_km"].get<double>(),
              reference_km(31.24, 121.50, 39.9042, 116.4074), 1e-6);
}

TEST_F(ResourcesTest, CriticalJobGetsTwentyFourSevenDueTimesFromItsBand) {
  auto reported = "2026-11-20T10:00:00Z";
  auto job = new_job({{"reported_at", reported}});
  // The world's site is ~2.7 km from its center: band ≤10 km, critical: 5 / 45 / 240 minutes.
  EXPECT_EQ(job["band_max_km"], 10.0);
  EXPECT_EQ(job["status"], "new");
  EXPECT_EQ(job["technician_id"], nullptr);
  EXPECT_EQ(job["sla"]["response"]["due"], "2026-11-20T10:05:00Z");
  EXPECT_EQ(job["sla"]["arrival"]["due"], "2026-11-20T10:45:00Z");
  EXPECT_EQ(job["sla"]["restore"]["due"], "2026-11-20T14:00:00Z");
  EXPECT_EQ(job["sla"]["arrival"]["at_risk_at"], "2026-11-20T10:33:45Z");
  EXPECT_EQ(job["sla"]["arrival"]["target_minutes"], 45);
  // Reported three days ago and never answered: every clock is breached now.
  EXPECT_EQ(job["sla"]["response"]["state"], "breached");
}

TEST_F(ResourcesTest, ReportedAtDefaultsToNowAndOffsetsAreAccepted) {
  auto before = SystemClock().now();
  auto job = new_job();
  auto reported = parse_rfc3339(job["reported_at"].get<std::string>());
  ASSERT_TRUE(reported);
  EXPECT_GE(*reported, before);
  EXPECT_LE(*reported, SystemClock().now());
  auto shifted = new_job({{"reported_at", "2026-11-20T18:00:00+08:00"}});
  EXPECT_EQ(shifted["reported_at"], "2026-11-20T10:00:00Z");
}

TEST_F(ResourcesTest, JobLifecycleOverHttpRecordsEveryEvent) {
  auto job = new_job();
  std::string path = "/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>());
  auto assigned = s().post(path + "/assign", {{"technician_id", w().tech_a}}, w().dispatcher);
  ASSERT_EQ(assigned.status, 200) << assigned.text;
  EXPECT_EQ(assigned.body["status"], "assigned");
  EXPECT_EQ(assigned.body["technician_id"], w().tech_a);
  EXPECT_EQ(assigned.body["assignment_locked"], true);
  EXPECT_EQ(assigned.body["broken_rules"], json::array());
  EXPECT_EQ(assigned.body["sla"]["response"]["state"], "met");

  for (const char* to : {"accepted", "en_route", "on_site"}) {
    auto r = s().post(path + "/status", {{"to", to}}, w().tablet_a);
    ASSERT_EQ(r.status, 200) << to << ": " << r.text;
    EXPECT_EQ(r.body["status"], to);
  }
  auto hold = s().post(path + "/status", {{"to", "on_hold"}, {"reason", "waiting_parts"}},
                       w().tablet_a);
  ASSERT_EQ(hold.status, 200) << hold.text;
  EXPECT_EQ(hold.body["hold_reason"], "waiting_parts");
  auto resumed = s().post(path + "/status", {{"to", "resumed"}}, w().tablet_a);
  EXPECT_EQ(resumed.body["status"], "on_site");
  auto resolved = s().post(path + "/status", {{"to", "resolved"}, {"note", "replaced fan"}},
                           w().tablet_a);
  EXPECT_EQ(resolved.body["status"], "resolved");
  EXPECT_EQ(resolved.body["sla"]["restore"]["state"], "met");
  auto back = s().post(path + "/status", {{"to", "en_route"}}, w().tablet_a);
  EXPECT_EQ(back.status, 409);
  EXPECT_EQ(back.error_code(), "invalid_transition");
  auto closed = s().post(path + "/status", {{"to", "closed"}}, w().dispatcher);
  EXPECT_EQ(closed.body["status"], "closed");

  auto events = s().get(path + "/events", w().dispatcher);
  ASSERT_EQ(events.status, 200);
  // Status events, in order; the SLA monitor's events (sla_met here) come in between.
  std::vector<std::string> seen, sla;
  std::vector<json> status_events;
  for (const auto& e : events.body["items"]) {
    if (e["type"].get<std::string>().rfind("sla_", 0) == 0) {
      sla.push_back(e["type"].get<std::string>() + " " + e["detail"].get<std::string>());
      continue;
    }
    status_events.push_back(e);
    seen.push_back(e["to_status"].is_null() ? "-" : e["to_status"].get<std::string>());
  }
  std::vector<std::string> expected{"new",     "assigned", "accepted", "en_route", "on_site",
                                    "on_hold", "on_site",  "resolved", "closed"};
  EXPECT_EQ(seen, expected);
  ASSERT_EQ(status_events.size(), expected.size());
  EXPECT_EQ(status_events[5]["detail"], "waiting_parts");
  EXPECT_EQ(status_events[1]["source"], "dispatcher");
  EXPECT_EQ(sla, (std::vector<std::string>{"sla_met response pending -> met",
                                           "sla_met arrival pending -> met",
                                           "sla_met restore pending -> met"}));
}

TEST_F(ResourcesTest, InstallationCannotCloseWithoutSignOff) {
  auto job = new_job({{"kind", "installation"}, {"severity", "general"}});
  std::string path = "/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>());
  ASSERT_EQ(s().post(path + "/assign", {{"technician_id", w().tech_a}}, w().dispatcher).status,
            200);
  ASSERT_EQ(s().post(path + "/status", {{"to", "on_site"}}, w().tablet_a).status, 200);
  ASSERT_EQ(s().post(path + "/status", {{"to", "resolved"}}, w().tablet_a).status, 200);
  auto closed = s().post(path + "/status", {{"to", "closed"}}, w().dispatcher);
  EXPECT_EQ(closed.status, 409);
  EXPECT_EQ(closed.error_code(), "invalid_transition");
}

TEST_F(ResourcesTest, ManualAssignmentReportsTheRulesItBreaks) {
  auto job = new_job({{"required_skills", {"refrigeration"}}});
  std::string path = "/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>());
  auto r = s().post(path + "/assign", {{"technician_id", w().tech_b}}, w().dispatcher);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["broken_rules"], json::array({"missing_skills"}));
  EXPECT_EQ(r.body["assignment_check"]["missing_skills"], json::array({"refrigeration"}));
}

TEST_F(ResourcesTest, AssigningAnInactiveTechnicianNeedsForce) {
  auto tech = s().post("/api/v1/technicians",
                       {{"name", "On Leave"},
                        {"skills", {"hvac"}},
                        {"home_center_id", w().center_id},
                        {"active", false},
                        {"shift", {{"mon", {"08:00", "17:00"}}}}},
                       admin());
  ASSERT_EQ(tech.status, 201) << tech.text;
  auto job = new_job();
  std::string path = "/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>());
  auto refused = s().post(path + "/assign", {{"technician_id", tech.body["id"]}}, w().dispatcher);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["error"]["details"], json::array({"inactive"}));
  auto forced = s().post(path + "/assign", {{"technician_id", tech.body["id"]}, {"force", true}},
                         w().dispatcher);
  EXPECT_EQ(forced.status, 200) << forced.text;
}

TEST_F(ResourcesTest, CancelledJobCannotMoveOn) {
  auto job = new_job();
  std::string path = "/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>());
  auto cancelled = s().post(path + "/cancel", {{"reason", "customer fixed it"}}, w().dispatcher);
  EXPECT_EQ(cancelled.body["status"], "cancelled");
  EXPECT_EQ(s().post(path + "/cancel", json::object(), w().dispatcher).status, 409);
  EXPECT_EQ(s().post(path + "/assign", {{"technician_id", w().tech_a}}, w().dispatcher).status,
            409);
}

TEST_F(ResourcesTest, StaleIfMatchIsAConflictAndTheCurrentVersionWins) {
  auto c = s().post("/api/v1/customers", {{"name", "Versioned Ltd"}}, admin());
  std::string path = "/api/v1/customers/" + std::to_string(c.body["id"].get<std::int64_t>());
  EXPECT_EQ(c.body["version"], 1);
  auto first = s().patch(path, {{"notes", "first"}}, admin(), "1");
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.body["version"], 2);
  auto stale = s().patch(path, {{"notes", "second"}}, admin(), "1");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.error_code(), "stale_version");
  EXPECT_EQ(s().get(path, admin()).body["notes"], "first");
  auto etag = s().patch(path, {{"notes", "third"}}, admin(), "\"2\"");
  EXPECT_EQ(etag.status, 200);
}

TEST_F(ResourcesTest, CustomerChangesAreAuditedWithOldAndNewValues) {
  auto c = s().post("/api/v1/customers",
                    {{"name", "Audit Co"},
                     {"contact", {{"name", "Ann"}, {"phone", "+86 21 5555"}}}},
                    w().dispatcher);
  auto id = c.body["id"].get<std::int64_t>();
  auto changed = s().patch("/api/v1/customers/" + std::to_string(id), {{"account_tier", "key"}},
                           w().dispatcher);
  ASSERT_EQ(changed.status, 200);
  auto audit = s().get("/api/v1/audit?entity=customer&entity_id=" + std::to_string(id),
                       w().manager);
  ASSERT_EQ(audit.status, 200) << audit.text;
  json update;
  for (const auto& e : audit.body["items"]) {
    if (e["action"] == "update") update = e;
  }
  ASSERT_FALSE(update.is_null()) << audit.text;
  EXPECT_EQ(update["field"], "account_tier");
  EXPECT_EQ(update["old_value"], "\"standard\"");
  EXPECT_EQ(update["new_value"], "\"key\"");
  EXPECT_TRUE(update["actor"].get<std::string>().starts_with("token:"));
  // Dispatchers change records but do not read the audit log.
  EXPECT_EQ(s().get("/api/v1/audit", w().dispatcher).status, 403);
}

TEST_F(ResourcesTest, ListsPageWithCursorsAndNoDuplicates) {
  for (int i = 0; i < 5; ++i) new_job({{"severity", "minor"}});
  std::set<std::int64_t> ids;
  std::string cursor;
  int pages = 0;
  for (; pages < 100; ++pages) {
    auto r = s().get("/api/v1/jobs?severity=minor&limit=2" +
                         (cursor.empty() ? "" : "&cursor=" + cursor),
                     w().manager);
    ASSERT_EQ(r.status, 200) << r.text;
    for (const auto& j : r.body["items"]) {
      EXPECT_EQ(j["severity"], "minor");
      EXPECT_TRUE(ids.insert(j["id"].get<std::int64_t>()).second);
    }
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"];
  }
  EXPECT_GE(ids.size(), 5u);
  EXPECT_GE(pages, 2);
}

TEST_F(ResourcesTest, JobFiltersByStatusTechnicianAndReportedRange) {
  auto job = new_job({{"reported_at", "2026-01-05T03:00:00Z"}});
  auto id = job["id"].get<std::int64_t>();
  auto in_range =
      s().get("/api/v1/jobs?reported_from=2026-01-05T00:00:00Z&reported_to=2026-01-06T00:00:00Z",
              w().manager);
  ASSERT_EQ(in_range.status, 200);
  ASSERT_EQ(in_range.body["items"].size(), 1u);
  EXPECT_EQ(in_range.body["items"][0]["id"], id);
  auto excluded =
      s().get("/api/v1/jobs?reported_from=2026-01-05T03:00:01Z&reported_to=2026-01-06T00:00:00Z",
              w().manager);
  EXPECT_TRUE(excluded.body["items"].empty());
  auto by_center = s().get("/api/v1/jobs?center_id=" + std::to_string(w().center_id) +
                               "&status=new&limit=500",
                           w().manager);
  bool found = false;
  for (const auto& j : by_center.body["items"]) found = found || j["id"] == id;
  EXPECT_TRUE(found);
}

TEST_F(ResourcesTest, SeverityChangeRecomputesDueTimes) {
  auto job = new_job({{"reported_at", "2026-11-20T10:00:00Z"}});
  auto id = std::to_string(job["id"].get<std::int64_t>());
  auto r = s().patch("/api/v1/jobs/" + id, {{"severity", "serious"}}, w().dispatcher);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["sla"]["response"]["due"], "2026-11-20T10:15:00Z");
  EXPECT_EQ(r.body["sla"]["arrival"]["due"], "2026-11-20T11:30:00Z");
  EXPECT_EQ(r.body["sla"]["restore"]["due"], "2026-11-20T18:00:00Z");
}

TEST_F(ResourcesTest, TechnicianLocationPatchStampsTheTime) {
  auto before = SystemClock().now();
  auto r = s().patch("/api/v1/technicians/" + std::to_string(w().tech_b),
                     {{"location", {{"lat", 31.3}, {"lon", 121.5}}}}, w().dispatcher);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["location"]["lat"], 31.3);
  EXPECT_GE(*parse_rfc3339(r.body["location_at"].get<std::string>()), before);
}

TEST_F(ResourcesTest, MovingACenterRehomesSitesAndAuditsThem) {
  // Two centers 100 km apart on the equator; a site 30 km from the first. Moving the second
  // center next to the site makes it the nearest.
  auto a = s().post("/api/v1/centers",
                    {{"name", "A"}, {"location", {{"lat", 0}, {"lon", 30}}}, {"time_zone", "UTC"}},
                    admin());
  auto b = s().post("/api/v1/centers",
                    {{"name", "B"}, {"location", {{"lat", 0}, {"lon", 31}}}, {"time_zone", "UTC"}},
                    admin());
  auto site = s().post("/api/v1/sites",
                       {{"customer_id", w().customer_id},
                        {"address", "equator"},
                        {"location", {{"lat", 0}, {"lon", 30.27}}}},
                       admin());
  ASSERT_EQ(site.status, 201) << site.text;
  EXPECT_EQ(site.body["center_id"], a.body["id"]);
  auto moved = s().patch("/api/v1/centers/" + std::to_string(b.body["id"].get<std::int64_t>()),
                         {{"location", {{"lat", 0}, {"lon", 30.28}}}}, admin());
  ASSERT_EQ(moved.status, 200) << moved.text;
  auto after = s().get("/api/v1/sites/" + std::to_string(site.body["id"].get<std::int64_t>()),
                       admin());
  EXPECT_EQ(after.body["center_id"], b.body["id"]);
  EXPECT_NEAR(after.body["distance_km"].get<double>(), reference_km(0, 30.27, 0, 30.28), 1e-6);
  auto audit = s().get("/api/v1/audit?entity=site&entity_id=" +
                           std::to_string(site.body["id"].get<std::int64_t>()),
                       admin());
  bool center_change = false;
  for (const auto& e : audit.body["items"])
    center_change = center_change || (e["action"] == "update" && e["field"] == "center_id");
  EXPECT_TRUE(center_change) << audit.text;
}

TEST_F(ResourcesTest, EquipmentChangesAreCheckedAndAudited) {
  auto e = s().post("/api/v1/equipment",
                    {{"site_id", w().site_id},
                     {"model", "HX-200 Chiller"},
                     {"serial", "HX-9"},
                     {"sold_at", "2025-03-01T00:00:00Z"},
                     {"warranty_months", 24}},
                    admin());
  ASSERT_EQ(e.status, 201) << e.text;
  EXPECT_EQ(e.body["installed_at"], nullptr);
  auto path = "/api/v1/equipment/" + std::to_string(e.body["id"].get<std::int64_t>());
  auto installed = s().patch(path, {{"installed_at", "2025-03-10T00:00:00Z"}}, admin(), "1");
  ASSERT_EQ(installed.status, 200) << installed.text;
  EXPECT_EQ(installed.body["installed_at"], "2025-03-10T00:00:00Z");
  auto before_sale = s().patch(path, {{"installed_at", "2025-01-01T00:00:00Z"}}, admin());
  EXPECT_EQ(before_sale.status, 422);
  auto listed = s().get("/api/v1/equipment?site_id=" + std::to_string(w().site_id), w().manager);
  bool found = false;
  for (const auto& item : listed.body["items"]) found = found || item["serial"] == "HX-9";
  EXPECT_TRUE(found);
}

TEST_F(ResourcesTest, TechniciansFilterBySkillCenterAndActive) {
  auto r = s().get("/api/v1/technicians?skill=electrical&active=true&home_center_id=" +
                       std::to_string(w().center_id),
                   w().manager);
  ASSERT_EQ(r.status, 200);
  std::set<std::int64_t> ids;
  for (const auto& t : r.body["items"]) ids.insert(t["id"].get<std::int64_t>());
  EXPECT_TRUE(ids.contains(w().tech_a));
  EXPECT_TRUE(ids.contains(w().tech_b));
  auto none = s().get("/api/v1/technicians?skill=elec", w().manager);
  EXPECT_TRUE(none.body["items"].empty()) << "a skill matches whole words only";
}

TEST_F(ResourcesTest, OpenApiDocumentListsEveryRouteTheServerAnswers) {
  auto doc = s().get("/api/v1/openapi.json", "");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body["openapi"], "3.0.3");
  int checked = 0;
  for (const auto& [path, methods] : doc.body["paths"].items()) {
    std::string concrete = path;
    for (auto pos = concrete.find("{id}"); pos != std::string::npos; pos = concrete.find("{id}")) {
      concrete.replace(pos, 4, "999999");  // names nothing: no side effects
    }
    if (auto pos = concrete.find("{uuid}"); pos != std::string::npos) {
      concrete.replace(pos, 6, "00000000-0000-7000-8000-000000000000");
    }
    for (const auto& [method, op] : methods.items()) {
      std::string upper = method;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(ch));
      auto r = s().send(upper, concrete, "{}", "application/json",
                        {{"Authorization", "Bearer " + admin()}});
      // Routed means anything but the router's own "no route" answer.
      bool unrouted = r.status == 404 &&
                      r.body["error"]["message"].get<std::string>().starts_with("no route");
      EXPECT_FALSE(unrouted) << method << " " << path;
      ++checked;
    }
  }
  EXPECT_GE(checked, 30);
  auto missing = s().get("/api/v1/nothing-here", admin());
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code(), "not_found");
}

TEST_F(ResourcesTest, MetricsCountRequestsByRouteAndStatus) {
  s().get("/api/v1/centers/999999", admin());
  // A request is counted once its answer is written, on the worker that served it: the scrape on
  // another connection may come first, so wait for the count (bounded: 100 × 50 ms).
  const std::string series =
      "fieldserve_http_requests_total{method=\"GET\",route=\"/api/v1/centers/"
      "{id}\",status=\"404\"}";
  Response m;
  for (int i = 0; i < 100; ++i) {
    m = s().get("/metrics", "");
    if (m.text.find(series) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.text.find(series), std::string::npos);
  EXPECT_NE(m.text.find("fieldserve_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.text.find("fieldserve_db_seconds_total"), std::string::npos);
}

TEST_F(ResourcesTest, MetricsTimeEachDispatchDecision) {
  auto decisions = [&] {
    auto text = s().get("/metrics", "").text;
    const std::string name = "\nfieldserve_dispatch_decision_seconds_count ";
    auto at = text.find(name);
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + name.size()));
  };
  auto before = decisions();
  ASSERT_GE(before, 0);
  new_job({{"auto_assign", true}});
  new_job({{"auto_assign", true}});
  // Recorded inside the request that decided, before its answer: no wait needed.
  EXPECT_EQ(decisions(), before + 2);
}

TEST_F(ResourcesTest, RequestLogNamesTokenIdNeverTheToken) {
  s().get("/api/v1/centers?limit=7", w().manager);
  auto log = s().log_containing("route=/api/v1/centers ");
  EXPECT_NE(log.find("route=/api/v1/centers"), std::string::npos);
  EXPECT_EQ(log.find(w().manager), std::string::npos);
  EXPECT_EQ(log.find(admin()), std::string::npos);
}

// The list keeps renderings of unchanged jobs between requests: a change to the job, or to the
// policy its distance band comes from, must show on the very next page.
TEST_F(ResourcesTest, JobListShowsEachJobAsItIsNow) {
  auto job = new_job({{"description", "before"}});
  auto id = job["id"].get<std::int64_t>();
  auto path = "/api/v1/jobs/" + std::to_string(id);
  auto listed = [&] {
    auto r = s().get("/api/v1/jobs?limit=1&cursor=" + std::to_string(id - 1), w().manager);
    EXPECT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["items"].size(), 1u) << r.text;
    return r.body["items"][0];
  };
  EXPECT_EQ(listed()["description"], "before");
  EXPECT_EQ(listed(), s().get(path, w().manager).body);

  ASSERT_EQ(s().patch(path, {{"description", "after"}}, w().dispatcher).status, 200);
  EXPECT_EQ(listed()["description"], "after");
  ASSERT_EQ(s().post(path + "/cancel", json::object(), w().dispatcher).status, 200);
  auto cancelled = listed();
  EXPECT_EQ(cancelled["status"], "cancelled");
  EXPECT_EQ(cancelled["band_max_km"], 10.0);

  // A cancelled job keeps its version through a policy change; its band still follows it.
  auto original = s().get("/api/v1/sla-policy", admin()).body;
  auto policy = original;
  policy["tiers"]["critical"]["bands"][0]["max_km"] = 12;
  ASSERT_EQ(s().put("/api/v1/sla-policy", policy, admin()).status, 200);
  auto after_policy = listed();
  EXPECT_EQ(after_policy["version"], cancelled["version"]);
  EXPECT_EQ(after_policy["band_max_km"], 12.0);
  EXPECT_EQ(after_policy, s().get(path, w().manager).body);
  ASSERT_EQ(s().put("/api/v1/sla-policy", original, admin()).status, 200);
  EXPECT_EQ(listed()["band_max_km"], 10.0);
}

TEST_F(ResourcesTest, PolicyChangeRecomputesOpenJobs) {
  auto job = new_job({{"reported_at", "2026-11-20T10:00:00Z"}});
  auto id = std::to_string(job["id"].get<std::int64_t>());
  auto policy = s().get("/api/v1/sla-policy", admin()).body;
  policy["tiers"]["critical"]["bands"][0]["arrival_minutes"] = 30;
  auto put = s().put("/api/v1/sla-policy", policy, admin());
  ASSERT_EQ(put.status, 200) << put.text;
  EXPECT_EQ(s().get("/api/v1/jobs/" + id, admin()).body["sla"]["arrival"]["due"],
            "2026-11-20T10:30:00Z");
  policy["tiers"]["critical"]["bands"][0]["arrival_minutes"] = 45;
  ASSERT_EQ(s().put("/api/v1/sla-policy", policy, admin()).status, 200);
  policy["tiers"]["critical"]["bands"][0]["arrival_minutes"] = 100000;  // more than restore
  auto bad = s().put("/api/v1/sla-policy", policy, admin());
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(s().put("/api/v1/sla-policy", policy, w().dispatcher).status, 403);
}

}  // namespace
}  // namespace fieldserve::testing

namespace fieldserve::testing {
namespace {

class BandBoundaryTest : public WorldTest {};

// Sites placed with GeographicLib's direct problem just inside and just outside each band limit
// of the world's center; every tier's targets written out by hand from docs/sla.md.
TEST_F(BandBoundaryTest, EveryTierTakesItsTargetsFromTheRightBand) {
  struct Row {
    const char* tier;
    int arrival[4], restore[4];
  };
  const Row table[] = {{"critical", {45, 90, 150, 240}, {240, 300, 360, 480}},
                       {"serious", {90, 150, 240, 360}, {480, 600, 720, 960}},
                       {"general", {240, 360, 480, 1440}, {1440, 1440, 1920, 2880}},
                       {"minor", {480, 1440, 2880, 4320}, {4320, 4320, 5760, 7200}}};
  auto center =
      s().get("/api/v1/centers/" + std::to_string(w().center_id), admin()).body["location"];
  double lat0 = center["lat"], lon0 = center["lon"];
  // (distance in km, band index): a metre inside and a metre outside each limit.
  const std::pair<double, int> places[] = {{9.999, 0},  {10.001, 1}, {29.999, 1},
                                           {30.001, 2}, {59.999, 2}, {60.001, 3}};
  for (auto [km, band] : places) {
    double lat = 0, lon = 0;
    GeographicLib::Geodesic::WGS84().Direct(lat0, lon0, 90.0, km * 1000, lat, lon);
    auto site = s().post("/api/v1/sites",
                         {{"customer_id", w().customer_id},
                          {"address", "boundary"},
                          {"location", {{"lat", lat}, {"lon", lon}}},
                          {"center_id", w().center_id}},
                         admin());
    ASSERT_EQ(site.status, 201) << site.text;
    EXPECT_NEAR(site.body["distance_km"].get<double>(), km, 1e-6);
    for (const auto& row : table) {
      auto job = s().post("/api/v1/jobs",
                          {{"site_id", site.body["id"]},
                           {"kind", "repair"},
                           {"severity", row.tier},
                           {"auto_assign", false},
                           {"reported_at", "2026-11-18T03:00:00Z"}},
                          w().dispatcher);
      ASSERT_EQ(job.status, 201) << job.text;
      const auto& sla = job.body["sla"];
      EXPECT_EQ(sla["arrival"]["target_minutes"], row.arrival[band])
          << row.tier << " at " << km << " km";
      EXPECT_EQ(sla["restore"]["target_minutes"], row.restore[band])
          << row.tier << " at " << km << " km";
      json limit = band < 3 ? json(std::array{10.0, 30.0, 60.0}[band]) : json(nullptr);
      EXPECT_EQ(job.body["band_max_km"], limit) << row.tier << " at " << km << " km";
    }
  }
}

}  // namespace
}  // namespace fieldserve::testing
