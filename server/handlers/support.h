#pragma once
// Steps several handlers share: the audit trail of customer records, and keeping a job's due
// times in line with its site, center and the policy.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "domain/error.h"
#include "domain/job_status.h"
#include "domain/model.h"
#include "server/app.h"
#include "server/http/route.h"
#include "store/tx.h"

namespace fieldserve::server {

// The shape every PATCH shares: read the body and If-Match, then in one write transaction load
// the resource at the path (404 if absent), check its version (409 if stale), and let
// `change(tx, resource, body)` validate, store and render it.
template <class Load, class Change>
Result<Reply> versioned_patch(RouteRequest& req, const char* what, Load load, Change change) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  return req.app.store().write([&](store::Tx& tx) -> Result<Reply> {
    auto resource = load(tx, req.path_id());
    if (!resource) return not_found(what, req.path_id());
    if (auto ok = check_version(*if_match, resource->version); !ok) return std::unexpected(ok.error());
    return change(tx, *resource, *body);
  });
}

// Gives `job` to `technician`: status assigned, locked when a dispatcher chose by hand, and the
// response target answered by the first assignment.
void assign_to(Job& job, TechnicianId technician, bool locked, Instant now);

// Whether the SLA monitor's state changes become job events and log lines (a live change) or are
// only recorded (an import of history).
enum class SlaNotice { announce, silent };

// Every job write goes through these two: targets done since the last write get their counted
// durations, the SLA monitor's state changes are announced in the same transaction, and the next
// threshold is set for the ticker (the event-driven half of SPEC section 3's at-risk and breach
// detection). save_job returns false on a stale version, as Tx::update_job does.
JobId save_new_job(App& app, store::Tx& tx, Job& job, SlaNotice notice = SlaNotice::announce);
bool save_job(App& app, store::Tx& tx, Job& job, SlaNotice notice = SlaNotice::announce);
// The ticker's half: re-evaluates a stored job whose threshold passed, without a version bump.
// A job marked by migration 4 (next check at the epoch) is settled silently: its history was not
// watched live, and announcing years of old breaches at upgrade would only be noise.
void recheck_sla(App& app, store::Tx& tx, Job& job);

// An event recording a change just made to `job`: its status and technician as they are now.
JobEvent job_event(const Job& job, std::string type, std::optional<JobStatus> from,
                   const std::string& actor, EventSource source, Instant at);

// One audit row per top-level field whose value differs between `before` and `after` (values as
// JSON text; `version` is skipped). A create passes an empty `before`.
void record_changes(store::Tx& tx, const std::string& entity, std::int64_t id,
                    const std::string& action, const nlohmann::json& before,
                    const nlohmann::json& after, const std::string& actor, Instant at);

// Applies a planned status change at `at` and stores the job: a hold is counted in the restore
// clock's calendar, and due times are recomputed when a pause ends. `job.version` is not bumped
// in memory; read the job again to render it.
Result<void> store_status_change(App& app, store::Tx& tx, Job& job, const StatusChange& change,
                                 Instant at);

// A resolved job with the customer's sign-off on file moves on to signed_off (a sign-off may
// arrive before the job is resolved). `event` makes the status event from the moved job.
// Returns whether it moved.
bool advance_if_signed(App& app, store::Tx& tx, JobId id,
                       const std::function<JobEvent(const Job&)>& event);

// Recomputes due and at-risk times of every target not yet done from the job's tier, its site's
// distance and the center's calendar. A done target keeps its due: its verdict is final. Fails only if the site or center vanished.
Result<void> refresh_due_times(App& app, store::Tx& tx, Job& job);

// Refreshes the due times of every job matching `filter` that is not yet resolved or ended.
void refresh_open_jobs(App& app, store::Tx& tx, store::JobFilter filter);

// After a center is added or moved: sites without an explicit center go to the nearest one,
// every site's distance is measured again, and the open jobs of changed sites get new due times.
// Each changed site is audited as done by `actor`.
void rehome_sites(App& app, store::Tx& tx, const std::string& actor, Instant at);

}  // namespace fieldserve::server
