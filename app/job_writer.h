#pragma once
// Every job write goes through a JobWriter, so that a job's SLA stays in step with what happened:
// targets done since the last write get their counted durations, the SLA monitor's state changes
// become job events in the same transaction (their log lines after commit), the next threshold is
// set for the ticker, and due times follow the job's tier, site, center and the policy.
#include <functional>
#include <optional>
#include <string>

#include "app/effects.h"
#include "app/policy_source.h"
#include "dispatch/sla_monitor.h"
#include "domain/error.h"
#include "domain/job_status.h"
#include "domain/model.h"
#include "domain/time.h"
#include "store/tx.h"

namespace fieldserve::app {

// Gives `job` to `technician`: status assigned, locked when a dispatcher chose by hand, and the
// response target answered by the first assignment.
void assign_to(Job& job, TechnicianId technician, bool locked, Instant now);

// An event recording a change just made to `job`: its status and technician as they are now.
JobEvent job_event(const Job& job, std::string type, std::optional<JobStatus> from,
                   const std::string& actor, EventSource source, Instant at);

// A live change: the SLA monitor's state changes become job events and log lines, and a repair
// job's warranty block is worked out as it is written. An import of history: state changes are
// only recorded, and warranty blocks are worked out once per unit when the transaction commits
// (reading a unit's whole history once instead of once per imported job).
enum class WriteOrigin { live, history };

class JobWriter {
 public:
  JobWriter(PolicySource& policy, const Clock& clock) : policy_(policy), clock_(clock) {}

  const Clock& clock() const { return clock_; }
  PolicySource& policy() { return policy_; }

  JobId save_new(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin = WriteOrigin::live);
  // False on a stale version, as Tx::update_job.
  bool save(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin = WriteOrigin::live);
  // The ticker's half: re-evaluates a stored job whose threshold passed, without a version bump.
  // A job marked by migration 4 (next check at the epoch) is settled silently: its history was
  // not watched live, and announcing years of old breaches at upgrade would only be noise.
  void recheck_sla(store::Tx& tx, Effects& fx, Job& job);

  // Applies a planned status change at `at` and stores the job: a hold is counted in the restore
  // clock's calendar, and due times are recomputed when a pause ends. `job.version` is not bumped
  // in memory; read the job again to see it.
  Result<void> store_status_change(store::Tx& tx, Effects& fx, Job& job, const StatusChange& change,
                                   Instant at);

  // A resolved job with the customer's sign-off on file moves on to signed_off (a sign-off may
  // arrive before the job is resolved). `event` makes the status event from the moved job.
  // Returns whether it moved.
  bool advance_if_signed(store::Tx& tx, Effects& fx, JobId id,
                         const std::function<JobEvent(const Job&)>& event);

  // Asks for the unit's repair jobs' warranty blocks to be worked out again at the end of the
  // transaction (after the write's status events are in). save() asks for the unit of the repair
  // job it writes; a change that affects a unit otherwise (an exchange, an edit of the unit, a
  // job moved off it) asks for it here.
  void refresh_warranty(Effects& fx, std::optional<EquipmentId> unit);

  // Recomputes due and at-risk times of every target not yet done from the job's tier, its
  // site's distance and the center's calendar. A done target keeps its due: its verdict is
  // final. Fails only if the site or center vanished.
  Result<void> refresh_due_times(store::Tx& tx, Job& job);

  // Refreshes the due times of every job matching `filter` that is not yet resolved or ended.
  void refresh_open_jobs(store::Tx& tx, Effects& fx, store::JobFilter filter);

  // After a center is added or moved: sites without an explicit center go to the nearest one,
  // every site's distance is measured again, and the open jobs of changed sites get new due
  // times. `audit(before, after)` is called for each changed site, in the transaction.
  void rehome_sites(store::Tx& tx, Effects& fx,
                    const std::function<void(const Site& before, const Site& after)>& audit);

 private:
  Result<std::shared_ptr<const dispatch::Calendar>> calendar_of(store::Tx& tx, const Job& job);
  std::vector<dispatch::SlaAnnouncement> settle_sla(store::Tx& tx, Job& job, Instant now);
  void settle_warranty(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin, Instant change_at);
  bool write_job(store::Tx& tx, Effects& fx, Job& job, WriteOrigin origin, Instant change_at);
  void announce(store::Tx& tx, Effects& fx, const Job& job,
                const std::vector<dispatch::SlaAnnouncement>& changes, Instant now);

  PolicySource& policy_;
  const Clock& clock_;
};

}  // namespace fieldserve::app
