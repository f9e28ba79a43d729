// One renderer per resource: the REST job and the sync job document are written by the same
// function, so every field REST shows, the document shows with the same value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/job_document.h"
#include "dispatch/sla_policy.h"
#include "server/api/json/job_json.h"
#include "server/api/json/sync_json.h"

namespace fieldserve::server {
namespace {

using nlohmann::json;

Job busy_job(Instant t0) {
  Job j;
  j.id = 41;
  j.kind = JobKind::installation;
  j.severity = Severity::serious;
  j.site_id = 7;
  j.equipment_id = 3;
  j.required_skills = {"hvac", "electrical \"high\" voltage"};
  j.description = "Unit hums\tloudly; 冷库 +9 °C";
  j.reported_at = t0;
  j.created_at = t0 + std::chrono::minutes(1);
  j.technician_id = 12;
  j.assignment_locked = true;
  j.status = JobStatus::on_hold;
  j.hold_reason = HoldReason::waiting_parts;
  j.needs_review = true;
  j.dispatch_reason = "no_technician_meets_target";
  j.distance_km = 23.75;
  j.version = 9;
  for (int t = 0; t < 3; ++t) {
    j.sla[t].target_minutes = 30 * (t + 1);
    j.sla[t].due = t0 + std::chrono::minutes(30 * (t + 1));
    j.sla[t].at_risk_at = t0 + std::chrono::minutes(20 * (t + 1));
  }
  j.sla[0].done_at = t0 + std::chrono::minutes(4);
  return j;
}

TEST(JobRender, RestAndSyncAgreeFieldForField) {
  Instant t0 = from_epoch_s(1'794'794'400);
  auto policy = dispatch::default_policy();
  Job job = busy_job(t0);
  Site site{.id = 7,
            .customer_id = 2,
            .address = "88 Yangshupu Rd",
            .location = {31.25, 121.52},
            .center_id = 1,
            .distance_km = 23.75};
  Customer customer{.id = 2, .name = "Harbour Cold Storage"};
  Equipment equipment{.id = 3, .site_id = 7, .model = "CR-20", .serial = "SN-1", .sold_at = t0};
  JobNote note{.id = 5, .job_id = 41, .author = "token:3", .text = "fan replaced", .at = t0};
  app::JobDocument doc{&job, &site, &customer, &equipment, {&note}, {}, {}};

  Instant now = t0 + std::chrono::minutes(25);
  std::string rest_text;
  append_job(rest_text, job, policy, now);
  std::string sync_text;
  Instant valid_until = Instant::max();
  append_job_document(sync_text, doc, policy, now, valid_until);
  json rest = json::parse(rest_text);
  json sync = json::parse(sync_text);

  ASSERT_GE(rest.size(), 19u) << rest.dump();
  for (const auto& [field, value] : rest.items()) {
    ASSERT_TRUE(sync.contains(field)) << "the sync document lacks " << field;
    EXPECT_EQ(sync[field], value) << field;
  }
  // What only the document has: everything a tablet needs offline.
  for (const char* embedded :
       {"site", "customer", "equipment", "notes", "parts_used", "signoffs"}) {
    EXPECT_TRUE(sync.contains(embedded)) << embedded;
    EXPECT_FALSE(rest.contains(embedded)) << embedded;
  }
  EXPECT_EQ(rest["description"], "Unit hums\tloudly; 冷库 +9 °C");
  EXPECT_EQ(rest["sla"]["response"]["state"], "met");
  EXPECT_EQ(rest["sla"]["arrival"]["state"], "pending");
  EXPECT_EQ(rest["dispatch"]["reason"], "no_technician_meets_target");
  EXPECT_EQ(valid_until, t0 + std::chrono::minutes(40)) << "arrival turns at risk next";
}

// The job renderer streams its fields by hand; the Job schema of the OpenAPI document is a table.
// They must name the same fields (both sets compared sorted), each required one present.
TEST(JobRender, WritesExactlyTheFieldsOfTheJobSchema) {
  Instant t0 = from_epoch_s(1'794'794'400);
  std::string text;
  append_job(text, busy_job(t0), dispatch::default_policy(), t0);
  json rendered = json::parse(text);
  json schema = job_schema();
  std::vector<std::string> rendered_names, schema_names;
  for (const auto& [name, value] : rendered.items()) rendered_names.push_back(name);
  for (const auto& [name, value] : schema["properties"].items()) schema_names.push_back(name);
  EXPECT_EQ(rendered_names, schema_names);
  for (const auto& name : schema["required"]) {
    EXPECT_TRUE(rendered.contains(name.get<std::string>())) << name;
  }
  EXPECT_EQ(schema["additionalProperties"], false);
  auto sla = sla_clock_schema();
  for (const auto& target : {"response", "arrival", "restore"}) {
    std::vector<std::string> clock_names, clock_schema;
    for (const auto& [name, value] : rendered["sla"][target].items()) clock_names.push_back(name);
    for (const auto& [name, value] : sla["properties"].items()) clock_schema.push_back(name);
    EXPECT_EQ(clock_names, clock_schema) << target;
  }
}

TEST(PushOpParsing, KeepsOnlyTheFieldsTheServerDoesNotKnow) {
  json known = {{"op_id", "018f0000-0000-7000-8000-000000000001"},
                {"type", "note"},
                {"job_id", 4},
                {"at", "2026-11-16T02:00:00Z"},
                {"payload", {{"text", "checked"}}}};
  auto plain = parse_push_op(known);
  EXPECT_EQ(plain.reject_code, sync::OpCode::none);
  EXPECT_EQ(plain.unknown_fields, "");

  json newer = known;
  newer["app_build"] = "7.2";
  newer["payload"]["photo_ids"] = {3, 4};
  auto op = parse_push_op(newer);
  EXPECT_EQ(op.reject_code, sync::OpCode::none) << op.reject_message;
  EXPECT_EQ(op.text, "checked");
  EXPECT_EQ(json::parse(op.unknown_fields),
            (json{{"app_build", "7.2"}, {"payload", {{"photo_ids", {3, 4}}}}}));

  json broken = known;
  broken["type"] = "teleport";
  EXPECT_EQ(parse_push_op(broken).reject_code, sync::OpCode::unknown_op_type);
}

}  // namespace
}  // namespace fieldserve::server
