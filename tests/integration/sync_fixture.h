#pragma once
// What the sync and field-facts suites share: ops as a tablet sends them, a sign-off with a
// real PNG, and a fixture that assigns jobs and pushes and pulls as a device does.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/time.h"
#include "server/cli/device.h"
#include "server_fixture.h"
#include "sync/signature.h"

namespace fieldserve::testing {

inline std::string now_text(std::chrono::seconds shift = std::chrono::seconds(0)) {
  return format_rfc3339(SystemClock().now() + shift);
}

// A minimal, well-formed 1×1 grey PNG.
inline std::string tiny_png() {
  return *sync::decode_base64(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg="
      "=");
}

inline json op(const std::string& type, std::optional<std::int64_t> job, json payload,
               const std::string& at = now_text()) {
  json o{
      {"op_id", server::new_uuid()}, {"type", type}, {"at", at}, {"payload", std::move(payload)}};
  if (job) o["job_id"] = *job;
  return o;
}

inline json signoff_payload(const std::string& png_base64 = sync::encode_base64(tiny_png())) {
  return {{"id", server::new_uuid()},
          {"signer_name", "Wang Fang"},
          {"signer_role", "facility manager"},
          {"signed_at", now_text()},
          {"signature_png", png_base64},
          {"checklist", {{{"item", "unit runs"}, {"ok", true}}}},
          {"parts_used", {{{"part_number", "FLT-200"}, {"qty", 1}}}},
          {"rating", 5}};
}

class SyncTest : public WorldTest {
 protected:
  // A new job assigned by hand to `technician`.
  std::int64_t job_for(std::int64_t technician, const std::string& kind = "repair",
                       const std::string& reported_at = now_text()) {
    auto job = s().post("/api/v1/jobs",
                        {{"site_id", w().site_id},
                         {"kind", kind},
                         {"severity", "serious"},
                         {"reported_at", reported_at},
                         {"auto_assign", false}},
                        w().dispatcher);
    EXPECT_EQ(job.status, 201) << job.text;
    std::int64_t id = job.body["id"];
    auto assigned = s().post("/api/v1/jobs/" + std::to_string(id) + "/assign",
                             {{"technician_id", technician}, {"force", true}}, w().dispatcher);
    EXPECT_EQ(assigned.status, 200) << assigned.text;
    return id;
  }
  // A vector, not a json: brace-initializing a json from one object copies the object.
  Response push(const std::string& token, const std::vector<json>& ops,
                const std::string& client_time = now_text()) {
    return s().post("/api/v1/sync/push", {{"client_time", client_time}, {"ops", json(ops)}}, token);
  }
  Response push_array(const std::string& token, const json& ops_array,
                      const std::string& client_time = now_text()) {
    return push(token, ops_array.get<std::vector<json>>(), client_time);
  }
  Response pull(const std::string& token, const std::string& cursor = "", int limit = 0) {
    std::string path = "/api/v1/sync/pull?";
    if (!cursor.empty()) path += "cursor=" + cursor + "&";
    if (limit) path += "limit=" + std::to_string(limit);
    return s().get(path, token);
  }
  // Pulls from `cursor` until caught up; returns the final cursor and every page's jobs.
  std::string pull_all(const std::string& token, std::string cursor, json& upserted,
                       json& removed) {
    upserted = json::array();
    removed = json::array();
    for (int i = 0; i < 100; ++i) {
      auto r = pull(token, cursor, 3);
      EXPECT_EQ(r.status, 200) << r.text;
      for (auto& d : r.body["jobs"]["upserted"]) upserted.push_back(d);
      for (auto& d : r.body["jobs"]["removed"]) removed.push_back(d);
      cursor = r.body["cursor"];
      if (!r.body["has_more"].get<bool>()) break;
    }
    return cursor;
  }
  json job(std::int64_t id) {
    return s().get("/api/v1/jobs/" + std::to_string(id), w().dispatcher).body;
  }
  std::vector<std::string> statuses(const Response& r) {
    std::vector<std::string> out;
    if (!r.body.is_object() || !r.body.contains("results")) {
      ADD_FAILURE() << "push answered " << r.status << ": " << r.text;
      return out;
    }
    for (const auto& x : r.body["results"]) out.push_back(x["status"]);
    return out;
  }
  // The documents of a fresh snapshot, by job id.
  std::map<std::int64_t, json> snapshot(const std::string& token) {
    json up, rm;
    pull_all(token, "", up, rm);
    std::map<std::int64_t, json> out;
    for (auto& d : up) out[d["id"]] = d;
    return out;
  }
};

}  // namespace fieldserve::testing
