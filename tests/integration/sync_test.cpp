// Mobile sync against the real server: pull by cursor, push exactly once, the conflict rules of
// docs/sync-protocol.md, sign-offs, clock skew, and per-technician scoping.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <thread>

#include "domain/time.h"
#include "server/cli/device.h"
#include "server_fixture.h"
#include "sync/cursor.h"
#include "sync/signature.h"
#include "sync_fixture.h"

namespace fieldserve::testing {
namespace {

TEST_F(SyncTest, SnapshotHoldsOnlyTheTechniciansJobsAsSelfContainedDocuments) {
  auto mine1 = job_for(w().tech_a);
  auto mine2 = job_for(w().tech_a);
  auto theirs = job_for(w().tech_b);
  auto docs = snapshot(w().tablet_a);
  EXPECT_TRUE(docs.contains(mine1));
  EXPECT_TRUE(docs.contains(mine2));
  EXPECT_FALSE(docs.contains(theirs));
  const auto& d = docs[mine1];
  EXPECT_EQ(d["site"]["address"], "1 Century Ave");
  EXPECT_TRUE(d["site"]["location"]["lat"].is_number());
  EXPECT_EQ(d["customer"]["name"], "Acme Cooling");
  EXPECT_TRUE(d["customer"]["contact"].contains("phone"));
  EXPECT_TRUE(d["sla"]["arrival"]["due"].is_string());
  EXPECT_TRUE(d["notes"].is_array());
  EXPECT_EQ(d["status"], "assigned");
}

// Snapshot pages are rendered once and reused while they stand: a note, or a new job on the list,
// must show in the next snapshot all the same.
TEST_F(SyncTest, ARenderedSnapshotPageGivesWayToTheTechniciansNextChange) {
  auto id = job_for(w().tech_a);
  ASSERT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 0u);
  ASSERT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 0u);  // the cached pages this time
  ASSERT_EQ(statuses(push(w().tablet_a, {op("note", id, {{"text", "gasket replaced"}})})),
            std::vector<std::string>{"applied"});
  auto after_note = snapshot(w().tablet_a);
  ASSERT_EQ(after_note[id]["notes"].size(), 1u);
  EXPECT_EQ(after_note[id]["notes"][0]["text"], "gasket replaced");
  auto added = job_for(w().tech_a);
  EXPECT_TRUE(snapshot(w().tablet_a).contains(added));
}

TEST_F(SyncTest, SnapshotPagesThenDeltasFromThePinnedSequence) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(job_for(w().tech_a));
  auto first = pull(w().tablet_a, "", 2);
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.body["jobs"]["upserted"].size(), 2u);
  EXPECT_TRUE(first.body["has_more"]);
  // A change while the snapshot is being paged: job 0, already sent, gets a note.
  auto note = push(w().tablet_a, {op("note", ids[0], {{"text", "mid-snapshot"}})});
  ASSERT_EQ(statuses(note), std::vector<std::string>{"applied"});
  json up, rm;
  auto cursor = pull_all(w().tablet_a, first.body["cursor"], up, rm);
  std::map<std::int64_t, int> seen;
  for (auto& d : first.body["jobs"]["upserted"]) seen[d["id"]]++;
  for (auto& d : up) seen[d["id"]]++;
  for (auto id : ids) EXPECT_GE(seen[id], 1) << "job " << id << " missing";
  bool note_arrived = false;
  for (auto& d : up) {
    if (d["id"] == ids[0] && !d["notes"].empty())
      note_arrived = d["notes"][0]["text"] == "mid-snapshot";
  }
  EXPECT_TRUE(note_arrived) << "the change made during the snapshot came as a delta";
  // Caught up: nothing more, and the cursor still works.
  auto idle = pull(w().tablet_a, cursor);
  EXPECT_EQ(idle.body["jobs"]["upserted"].size(), 0u);
  EXPECT_FALSE(idle.body["has_more"]);
  auto fresh = job_for(w().tech_a);
  auto delta = pull(w().tablet_a, idle.body["cursor"]);
  ASSERT_EQ(delta.body["jobs"]["upserted"].size(), 1u);
  EXPECT_EQ(delta.body["jobs"]["upserted"][0]["id"], fresh);
}

TEST_F(SyncTest, AJobLeavingTheListIsRemovedOnceWithItsReason) {
  auto moved = job_for(w().tech_a);
  auto cancelled = job_for(w().tech_a);
  auto closed = job_for(w().tech_a);
  json up, rm;
  auto cursor = pull_all(w().tablet_a, "", up, rm);
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(moved) + "/assign",
                     {{"technician_id", w().tech_b}, {"force", true}}, w().dispatcher)
                .status,
            200);
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(cancelled) + "/cancel", json::object(),
                     w().dispatcher)
                .status,
            200);
  ASSERT_EQ(push(w().tablet_a, {op("status", closed, {{"to", "resolved"}})}).status, 200);
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(closed) + "/status", {{"to", "closed"}},
                     w().dispatcher)
                .status,
            200);
  cursor = pull_all(w().tablet_a, cursor, up, rm);
  std::map<std::int64_t, std::string> reasons;
  for (auto& r : rm) {
    EXPECT_FALSE(reasons.contains(r["id"])) << "removed twice: " << r;
    reasons[r["id"]] = r["reason"];
  }
  EXPECT_EQ(reasons[moved], "reassigned");
  EXPECT_EQ(reasons[cancelled], "cancelled");
  EXPECT_EQ(reasons[closed], "closed");
  for (auto& d : up) EXPECT_NE(d["id"], moved) << "a removed job was also upserted";
  // Once: later pulls do not repeat the removals; the new owner gets the job.
  auto again = pull(w().tablet_a, cursor);
  EXPECT_EQ(again.body["jobs"]["removed"].size(), 0u);
  EXPECT_TRUE(snapshot(w().tablet_b).contains(moved));
}

TEST_F(SyncTest, AnEditToTheSiteOrCustomerResendsTheOpenJobsThatEmbedIt) {
  auto id = job_for(w().tech_a);
  json up, rm;
  auto cursor = pull_all(w().tablet_a, "", up, rm);
  auto site = s().get("/api/v1/sites/" + std::to_string(w().site_id), w().dispatcher);
  auto patched = s().patch("/api/v1/sites/" + std::to_string(w().site_id),
                           {{"address", "2 Century Ave, gate B"}}, w().dispatcher,
                           std::to_string(site.body["version"].get<std::int64_t>()));
  ASSERT_EQ(patched.status, 200) << patched.text;
  cursor = pull_all(w().tablet_a, cursor, up, rm);
  bool resent = false;
  for (auto& d : up)
    resent = resent || (d["id"] == id && d["site"]["address"] == "2 Century Ave, gate B");
  EXPECT_TRUE(resent);
  auto customer = s().get("/api/v1/customers/" + std::to_string(w().customer_id), w().dispatcher);
  ASSERT_EQ(s().patch("/api/v1/customers/" + std::to_string(w().customer_id),
                      {{"contact", {{"name", "Wang Fang"}, {"phone", "+86 21 5555 0101"}}}},
                      w().dispatcher, std::to_string(customer.body["version"].get<std::int64_t>()))
                .status,
            200);
  pull_all(w().tablet_a, cursor, up, rm);
  resent = false;
  for (auto& d : up)
    resent = resent || (d["id"] == id && d["customer"]["contact"]["phone"] == "+86 21 5555 0101");
  EXPECT_TRUE(resent);
}

TEST_F(SyncTest, BadCursorsAre400AndUnknownOnesReset) {
  job_for(w().tech_a);
  EXPECT_EQ(pull(w().tablet_a, "garbage").error_code(), "invalid_cursor");
  auto mine = pull(w().tablet_a);
  std::string cursor = mine.body["cursor"];
  // One character changed: the checksum no longer fits.
  std::string edited = cursor;
  edited[edited.size() - 12] = edited[edited.size() - 12] == '1' ? '2' : '1';
  EXPECT_EQ(pull(w().tablet_a, edited).status, 400);
  // Another technician's cursor: never data.
  auto other = pull(w().tablet_b, cursor);
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(other.error_code(), "invalid_cursor");
  EXPECT_EQ(other.body.dump().find("upserted"), std::string::npos);

  auto parsed = sync::decode_cursor(cursor);
  ASSERT_TRUE(parsed);
  auto ahead = *parsed;  // a restored backup: the device saw more than the server has
  ahead.seq += 1000;
  ahead.snapshot_after.reset();
  auto reset = pull(w().tablet_a, sync::encode_cursor(ahead));
  ASSERT_EQ(reset.status, 200) << reset.text;
  EXPECT_TRUE(reset.body["reset"]);
  EXPECT_GE(reset.body["jobs"]["upserted"].size(), 1u);
  auto foreign = *parsed;  // made by another database
  foreign.database_id = "00000000deadbeef";
  EXPECT_TRUE(pull(w().tablet_a, sync::encode_cursor(foreign)).body["reset"]);
  EXPECT_FALSE(pull(w().tablet_a, cursor).body["reset"]);

  EXPECT_EQ(pull(w().tablet_a, "", 1001).status, 400);
  EXPECT_EQ(s().get("/api/v1/sync/pull?limit=4294967496", w().tablet_a).status, 400)
      << "a limit that wraps around 32 bits";
  EXPECT_EQ(s().get("/api/v1/sync/pull?limit=0", w().tablet_a).status, 400);
}

TEST_F(SyncTest, AResentBatchIsDuplicateAndChangesNothing) {
  auto id = job_for(w().tech_a);
  json ops = json::array();
  for (int i = 0; i < 3; ++i)
    ops.push_back(op("note", id, {{"text", "note " + std::to_string(i)}}));
  ops.push_back(op("status", id, {{"to", "en_route"}}));
  auto first = push_array(w().tablet_a, ops);
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(statuses(first),
            (std::vector<std::string>{"applied", "applied", "applied", "applied"}));
  auto version = job(id)["version"];
  // The answer was lost: the device sends the very same batch again.
  auto again = push_array(w().tablet_a, ops);
  EXPECT_EQ(statuses(again),
            (std::vector<std::string>{"duplicate", "duplicate", "duplicate", "duplicate"}));
  EXPECT_EQ(again.body["results"][0]["first"]["status"], "applied");
  EXPECT_EQ(job(id)["version"], version);
  EXPECT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 3u);
}

TEST_F(SyncTest, OpsOneToTenCommittedThenOneToTwentySent) {
  auto id = job_for(w().tech_a);
  json ops = json::array();
  for (int i = 0; i < 20; ++i) ops.push_back(op("note", id, {{"text", "n" + std::to_string(i)}}));
  json first_ten(ops.begin(), ops.begin() + 10);
  ASSERT_EQ(push_array(w().tablet_a, first_ten).status, 200);
  auto all = push_array(w().tablet_a, ops);
  ASSERT_EQ(all.status, 200);
  int duplicate = 0, applied = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    auto st = all.body["results"][i]["status"];
    if (i < 10) EXPECT_EQ(st, "duplicate");
    else EXPECT_EQ(st, "applied");
    duplicate += st == "duplicate";
    applied += st == "applied";
  }
  EXPECT_EQ(duplicate, 10);
  EXPECT_EQ(applied, 10);
  EXPECT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 20u);
}

TEST_F(SyncTest, TheSameBatchSentTwiceAtOnceHasOneSetOfEffects) {
  auto id = job_for(w().tech_a);
  json ops = json::array();
  for (int i = 0; i < 10; ++i)
    ops.push_back(op("note", id, {{"text", "twice " + std::to_string(i)}}));
  Response a, b;
  std::thread t1([&] { a = push_array(w().tablet_a, ops); });
  std::thread t2([&] { b = push_array(w().tablet_a, ops); });
  t1.join();
  t2.join();
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  for (std::size_t i = 0; i < 10; ++i) {
    std::set<std::string> pair{a.body["results"][i]["status"], b.body["results"][i]["status"]};
    EXPECT_EQ(pair, (std::set<std::string>{"applied", "duplicate"})) << "op " << i;
  }
  EXPECT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 10u);
}

TEST_F(SyncTest, AReusedOpIdWithAnotherPayloadIsRejected) {
  auto id = job_for(w().tech_a);
  auto original = op("note", id, {{"text", "first"}});
  ASSERT_EQ(statuses(push(w().tablet_a, {original})), std::vector<std::string>{"applied"});
  auto reused = original;
  reused["payload"]["text"] = "second";
  auto r = push(w().tablet_a, {reused});
  EXPECT_EQ(r.body["results"][0]["status"], "rejected");
  EXPECT_EQ(r.body["results"][0]["code"], "op_id_reused");
  // Another technician replaying someone's op_id learns nothing and changes nothing.
  auto theirs = push(w().tablet_b, {original});
  EXPECT_EQ(theirs.body["results"][0]["code"], "op_id_reused");
  auto notes = snapshot(w().tablet_a)[id]["notes"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["text"], "first");
}

TEST_F(SyncTest, AMalformedOrUnknownOpIsRejectedAloneAndTheRestApplies) {
  auto id = job_for(w().tech_a);
  auto no_job = op("note", std::nullopt, {{"text", "which job?"}});
  auto unknown = op("teleport", id, json::object());
  auto newer_app = op("note", id, {{"text", "from app 9.0"}, {"mood", "sunny"}});
  newer_app["priority_hint"] = 3;
  json ops = {op("note", id, {{"text", "before"}}), no_job,   unknown, json("not an op"),
              op("status", id, {{"to", "flying"}}), newer_app};
  auto r = push_array(w().tablet_a, ops);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(statuses(r), (std::vector<std::string>{"applied", "rejected", "rejected", "rejected",
                                                   "rejected", "applied"}));
  EXPECT_EQ(r.body["results"][1]["code"], "malformed_op");
  EXPECT_EQ(r.body["results"][2]["code"], "unknown_op_type");
  EXPECT_EQ(r.body["results"][3]["op_id"], nullptr);
  EXPECT_EQ(r.body["results"][4]["code"], "validation_failed");
  EXPECT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 2u);
  // The ledger keeps the op as sent only when it was not applied: the applied note's record is
  // the note itself; the unknown op is there for whoever asks why it was refused.
  auto ledger_body = [&](const json& sent) {
    // op ids are UUIDs the test made: safe inside quotes
    return text_scalar(s().db_path(), "SELECT body FROM sync_ops WHERE op_id = '" +
                                          sent["op_id"].get<std::string>() + "'")
        .value_or("(no ledger row)");
  };
  EXPECT_EQ(ledger_body(ops[0]), "");
  EXPECT_NE(ledger_body(unknown).find("teleport"), std::string::npos) << ledger_body(unknown);
}

TEST_F(SyncTest, AnImpossibleTransitionIsRejectedAndLaterOpsStillApply) {
  auto id = job_for(w().tech_a);
  auto r = push(w().tablet_a,
                {op("status", id, {{"to", "resolved"}}), op("status", id, {{"to", "en_route"}}),
                 op("note", id, {{"text", "after"}})});
  EXPECT_EQ(statuses(r), (std::vector<std::string>{"applied", "rejected", "applied"}));
  EXPECT_EQ(r.body["results"][1]["code"], "invalid_transition");
  EXPECT_EQ(job(id)["status"], "resolved");
}

TEST_F(SyncTest, FactsForAJobReassignedWhileOfflineAreKeptAndFlagged) {
  auto id = job_for(w().tech_a);
  // Offline, tablet A records the customer's sign-off and a status; meanwhile the desk moves it.
  auto signoff = op("signoff", id, signoff_payload());
  auto status = op("status", id, {{"to", "on_site"}});
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(id) + "/assign",
                     {{"technician_id", w().tech_b}, {"force", true}}, w().dispatcher)
                .status,
            200);
  auto r = push(w().tablet_a, {signoff, status});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(statuses(r), (std::vector<std::string>{"conflict", "conflict"}));
  EXPECT_EQ(r.body["results"][0]["code"], "job_reassigned");
  EXPECT_EQ(r.body["results"][1]["code"], "job_reassigned");
  auto now = job(id);
  EXPECT_TRUE(now["needs_review"]);
  EXPECT_EQ(now["status"], "assigned") << "a status op on a job no longer yours is not applied";
  auto docs = snapshot(w().tablet_b);
  ASSERT_EQ(docs[id]["signoffs"].size(), 1u) << "the sign-off was kept";
  EXPECT_EQ(docs[id]["signoffs"][0]["signer_name"], "Wang Fang");
  auto events = s().get("/api/v1/jobs/" + std::to_string(id) + "/events?limit=50", w().dispatcher);
  bool recorded = false;
  for (auto& e : events.body["items"]) recorded = recorded || e["type"] == "status_not_applied";
  EXPECT_TRUE(recorded);
}

TEST_F(SyncTest, ANoteForACancelledJobIsKeptAndFlagged) {
  auto id = job_for(w().tech_a);
  ASSERT_EQ(s().post("/api/v1/jobs/" + std::to_string(id) + "/cancel", json::object(),
                     w().dispatcher)
                .status,
            200);
  auto r = push(w().tablet_a, {op("note", id, {{"text", "customer was not home"}})});
  EXPECT_EQ(r.body["results"][0]["status"], "conflict");
  EXPECT_EQ(r.body["results"][0]["code"], "job_cancelled");
  EXPECT_TRUE(job(id)["needs_review"]);
}

TEST_F(SyncTest, SignaturesMustBeSmallCompletePngs) {
  auto id = job_for(w().tech_a, "installation");
  std::string png = tiny_png();
  auto not_png = signoff_payload(sync::encode_base64("GIF89a" + png.substr(6)));
  auto cut = signoff_payload(sync::encode_base64(png.substr(0, png.size() - 12)));
  auto huge = signoff_payload(sync::encode_base64(png.substr(0, 33) + std::string(300 * 1024, 'x') +
                                                  png.substr(png.size() - 12)));
  auto garbage = signoff_payload("%%%not base64%%%");
  auto r = push(w().tablet_a, {op("signoff", id, not_png), op("signoff", id, cut),
                               op("signoff", id, huge), op("signoff", id, garbage)});
  ASSERT_EQ(r.status, 200) << r.text;
  for (const auto& result : r.body["results"]) {
    EXPECT_EQ(result["status"], "rejected");
    EXPECT_EQ(result["code"], "invalid_signature") << result;
  }
  EXPECT_EQ(snapshot(w().tablet_a)[id]["signoffs"].size(), 0u);
}

TEST_F(SyncTest, AnInstallationClosesOnlyAfterTheSignOffMovesItToSignedOff) {
  auto id = job_for(w().tech_a, "installation");
  auto path = "/api/v1/jobs/" + std::to_string(id) + "/status";
  ASSERT_EQ(statuses(push(w().tablet_a, {op("status", id, {{"to", "on_site"}}),
                                         op("status", id, {{"to", "resolved"}})})),
            (std::vector<std::string>{"applied", "applied"}));
  EXPECT_EQ(s().post(path, {{"to", "closed"}}, w().dispatcher).status, 409);
  auto payload = signoff_payload();
  auto signed_op = op("signoff", id, payload);
  ASSERT_EQ(statuses(push(w().tablet_a, {signed_op})), std::vector<std::string>{"applied"});
  EXPECT_EQ(job(id)["status"], "signed_off");
  // A sign-off is immutable: the same sign-off id in a new op is refused.
  auto again = op("signoff", id, payload);
  EXPECT_EQ(push(w().tablet_a, {again}).body["results"][0]["code"], "signoff_exists");
  EXPECT_EQ(s().post(path, {{"to", "closed"}}, w().dispatcher).status, 200);
}

TEST_F(SyncTest, ASignOffTakenBeforeTheJobIsResolvedOverRestStillMovesItOn) {
  auto id = job_for(w().tech_a, "installation");
  ASSERT_EQ(statuses(push(w().tablet_a, {op("status", id, {{"to", "on_site"}}),
                                         op("signoff", id, signoff_payload())})),
            (std::vector<std::string>{"applied", "applied"}));
  EXPECT_EQ(job(id)["status"], "on_site");
  auto resolved = s().post("/api/v1/jobs/" + std::to_string(id) + "/status", {{"to", "resolved"}},
                           w().tablet_a);
  ASSERT_EQ(resolved.status, 200) << resolved.text;
  EXPECT_EQ(resolved.body["status"], "signed_off");
}

TEST_F(SyncTest, AnOnTimeArrivalSyncedHoursLaterTurnsABreachedArrivalBackToMet) {
  // Reported 3 h ago; the arrival target (serious, within 10 km) is 90 min, so it shows breached.
  auto id = job_for(w().tech_a, "repair", now_text(-std::chrono::hours(3)));
  ASSERT_EQ(job(id)["sla"]["arrival"]["state"], "breached");
  // The tablet was offline: it arrived 2 h 30 min ago (30 min after the report) and syncs now.
  auto arrived = SystemClock().now() - std::chrono::minutes(150);
  auto r = push(w().tablet_a, {op("status", id, {{"to", "on_site"}}, format_rfc3339(arrived))});
  ASSERT_EQ(statuses(r), std::vector<std::string>{"applied"});
  auto arrival = job(id)["sla"]["arrival"];
  EXPECT_EQ(arrival["state"], "met") << arrival;
  auto done = parse_rfc3339(arrival["done_at"].get<std::string>());
  ASSERT_TRUE(done);
  EXPECT_LT(std::chrono::abs(*done - arrived), std::chrono::seconds(5))
      << "counted when it happened, not when it was synced";
}

TEST_F(SyncTest, ADeviceClockThreeHoursAheadIsCorrectedAndBothTimesKept) {
  auto id = job_for(w().tech_a, "repair", now_text(-std::chrono::hours(1)));
  auto three_hours = std::chrono::hours(3);
  // The device believes it is 3 h later than it is; it arrived 10 minutes ago by its own clock.
  auto device_now = now_text(three_hours);
  auto arrived_device = now_text(three_hours - std::chrono::minutes(10));
  auto r = push(w().tablet_a, {op("status", id, {{"to", "on_site"}}, arrived_device)}, device_now);
  ASSERT_EQ(statuses(r), std::vector<std::string>{"applied"});
  auto done = parse_rfc3339(job(id)["sla"]["arrival"]["done_at"].get<std::string>());
  ASSERT_TRUE(done);
  auto expected = SystemClock().now() - std::chrono::minutes(10);
  EXPECT_LT(std::chrono::abs(*done - expected), std::chrono::seconds(30));
  auto events = s().get("/api/v1/jobs/" + std::to_string(id) + "/events?limit=50", w().dispatcher);
  bool kept = false;
  for (auto& e : events.body["items"]) {
    if (e["type"] == "status" && e["to_status"] == "on_site") {
      kept = e["device_at"] == arrived_device && parse_rfc3339(e["at"].get<std::string>()) == done;
    }
  }
  EXPECT_TRUE(kept) << events.text;
}

TEST_F(SyncTest, AnotherTechniciansJobIsInvisibleAndUnchangeableOnEveryRoute) {
  auto theirs = job_for(w().tech_b);
  auto path = "/api/v1/jobs/" + std::to_string(theirs);
  EXPECT_FALSE(snapshot(w().tablet_a).contains(theirs));
  auto r = push(w().tablet_a,
                {op("note", theirs, {{"text", "peek"}}), op("status", theirs, {{"to", "resolved"}}),
                 op("signoff", theirs, signoff_payload())});
  for (const auto& result : r.body["results"]) {
    EXPECT_EQ(result["status"], "conflict");
    EXPECT_EQ(result["code"], "not_your_job");
  }
  EXPECT_EQ(s().get(path, w().tablet_a).status, 403);
  EXPECT_EQ(s().get(path + "/events", w().tablet_a).status, 403);
  EXPECT_EQ(s().post(path + "/status", {{"to", "accepted"}}, w().tablet_a).status, 403);
  auto listed = s().get("/api/v1/jobs?limit=500", w().tablet_a);
  for (const auto& j : listed.body["items"]) EXPECT_NE(j["id"], theirs);
  auto untouched = job(theirs);
  EXPECT_EQ(untouched["status"], "assigned");
  EXPECT_FALSE(untouched["needs_review"]);
  EXPECT_EQ(snapshot(w().tablet_b)[theirs]["notes"].size(), 0u);
}

TEST_F(SyncTest, SyncIsForTechnicianTokensAndARevokedDeviceIsLockedOut) {
  EXPECT_EQ(pull(w().dispatcher).status, 403);
  EXPECT_EQ(push_array(w().manager, json::array()).status, 403);
  auto device = s().make_token("technician", "spare tablet", w().tech_a);
  EXPECT_EQ(pull(device).status, 200);
  auto tokens = s().get("/api/v1/tokens?limit=500", admin());
  std::int64_t token_id = 0;
  for (auto& t : tokens.body["items"])
    if (t["name"] == "spare tablet") token_id = t["id"];
  ASSERT_EQ(s().del("/api/v1/tokens/" + std::to_string(token_id), admin()).status, 204);
  EXPECT_EQ(pull(device).status, 401);
  EXPECT_EQ(push_array(device, json::array()).status, 401);
  EXPECT_EQ(pull(w().tablet_a).status, 200) << "the technician's other device still works";
}

TEST_F(SyncTest, BatchLimitsAndAMissingClientTimeRefuseTheWholePush) {
  auto id = job_for(w().tech_a);
  json many = json::array();
  for (int i = 0; i < 501; ++i) many.push_back(op("note", id, {{"text", "x"}}));
  EXPECT_EQ(push_array(w().tablet_a, many).status, 413);
  auto no_clock = s().post("/api/v1/sync/push", {{"ops", json::array()}}, w().tablet_a);
  EXPECT_EQ(no_clock.status, 422);
  EXPECT_EQ(s().send("POST", "/api/v1/sync/push", "{\"ops\": [", "application/json",
                     {{"Authorization", "Bearer " + w().tablet_a}})
                .status,
            400);
  EXPECT_EQ(snapshot(w().tablet_a)[id]["notes"].size(), 0u);
}

TEST_F(SyncTest, ALocationPingMovesTheTechnicianOnlyForward) {
  auto r = push(w().tablet_a, {op("location", std::nullopt, {{"lat", 31.30}, {"lon", 121.50}}),
                               op("location", std::nullopt, {{"lat", 10.0}, {"lon", 10.0}},
                                  now_text(-std::chrono::hours(1)))});
  EXPECT_EQ(statuses(r), (std::vector<std::string>{"applied", "applied"}));
  auto tech = s().get("/api/v1/technicians/" + std::to_string(w().tech_a), w().dispatcher);
  EXPECT_DOUBLE_EQ(tech.body["location"]["lat"].get<double>(), 31.30)
      << "an older ping does not move the technician back";
}

TEST_F(SyncTest, ABusyDatabaseIs503WithRetryAfterAndAppliesNothing) {
  auto id = job_for(w().tech_a);
  auto batch = json::array({op("note", id, {{"text", "while busy"}})});
  Response busy;
  // Another writer holds the database's write lock past the server's busy timeout (5 s): on
  // PostgreSQL the lock every instance takes, on SQLite the file's.
  if (on_postgresql()) {
    RawSession writer(s().db_path());
    writer.begin_as_writer();
    busy = push_array(w().tablet_a, batch);
  } else {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(s().db_path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    busy = push_array(w().tablet_a, batch);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  EXPECT_EQ(busy.status, 503) << busy.text;
  EXPECT_TRUE(busy.headers.contains("Retry-After"));
  auto retry = push_array(w().tablet_a, batch);
  EXPECT_EQ(statuses(retry), std::vector<std::string>{"applied"}) << "nothing was applied before";
}

}  // namespace
}  // namespace fieldserve::testing
