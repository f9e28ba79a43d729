#pragma once
// The job use cases: create, read, list, change, assign by hand or by the engine, move through
// the lifecycle, cancel, and the batch optimizer. Callable with no HTTP and no JSON; every
// expected failure comes back as an Error whose code the edge maps to a status.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/auth.h"
#include "app/dispatcher.h"
#include "app/job_writer.h"
#include "dispatch/assignment_rules.h"
#include "dispatch/optimizer.h"
#include "domain/error.h"
#include "domain/job_status.h"
#include "store/store.h"

namespace fieldserve::app {

struct NewJob {
  SiteId site_id = 0;
  JobKind kind = JobKind::repair;
  Severity severity = Severity::general;
  std::string description;
  std::string fault;
  std::vector<std::string> required_skills;
  std::optional<EquipmentId> equipment_id;
  std::optional<Instant> reported_at;  // now when absent
  bool auto_assign = true;
};

// A PATCH: only what is set changes.
struct JobChanges {
  std::optional<Severity> severity;
  std::optional<std::string> description;
  std::optional<std::string> fault;  // "" clears it
  std::optional<std::vector<std::string>> required_skills;
  bool equipment_given = false;  // equipment_id was sent (null clears it)
  std::optional<EquipmentId> equipment_id;
  // A dispatcher's verdict on a job the field flagged: false clears the flag, true raises it.
  // The only change a closed or cancelled job still takes.
  std::optional<bool> needs_review;
};

struct Assignment {
  Job job;
  dispatch::AssignmentCheck check;  // the rules the manual choice breaks
};

struct OptimizerMove {
  JobId job_id = 0;
  std::optional<TechnicianId> from;
  TechnicianId to = 0;
};

struct OptimizerOutcome {
  bool dry_run = true;
  std::size_t jobs_considered = 0;
  std::size_t technicians_considered = 0;
  std::vector<OptimizerMove> moves;
  dispatch::Score before;
  dispatch::Score after;
};

// A row of a job page for a caller that keeps its own copies of jobs: the job itself only when
// the caller's copy of that version was missing (see JobService::list_known).
struct ListedJob {
  store::JobStamp stamp;
  std::optional<Job> job;
};

struct Explanation {
  Job job;
  store::DecisionRecord decision;
};

// not_found when the job does not exist; forbidden when a technician asks for a job that is not
// assigned to it. Checked per object, not only per route.
Result<void> check_job_access(const Principal& who, const std::optional<Job>& job, JobId id);

class JobService {
 public:
  JobService(store::Store& store, JobWriter& writer, Dispatcher& dispatcher)
      : store_(store), writer_(writer), dispatcher_(dispatcher) {}

  const Clock& clock() const { return writer_.clock(); }

  Result<Job> get(const Principal& who, JobId id);
  // A technician sees only its own jobs, whatever the filter says (forbidden if it names another).
  Result<std::vector<Job>> list(const Principal& who, const store::Page& page,
                                store::JobFilter filter);
  // The same page as list(), for a caller that holds rendered copies of jobs: `held(stamp)` says
  // whether it holds that version (and should keep it until it has used the page); only the
  // jobs it does not hold are read whole. One snapshot, so the page is as consistent as list().
  Result<std::vector<ListedJob>> list_known(const Principal& who, const store::Page& page,
                                            store::JobFilter filter,
                                            const std::function<bool(store::JobStamp)>& held);
  Result<std::vector<JobEvent>> events(const Principal& who, JobId id, const store::Page& page);
  // The last dispatch decision for the job, with every candidate considered.
  Result<Explanation> explanation(JobId id);

  Result<Job> create(const Principal& who, const NewJob& in);
  Result<Job> patch(const Principal& who, JobId id, std::optional<std::int64_t> if_match,
                    const JobChanges& changes);
  Result<Job> change_status(const Principal& who, JobId id, StatusRequest to,
                            std::optional<HoldReason> reason,
                            const std::optional<std::string>& note);
  // Rules a dispatcher may knowingly break are reported; inactive and capacity block unless
  // `force`, because the job would sit with someone who cannot take it at all.
  Result<Assignment> assign(const Principal& who, JobId id, TechnicianId technician, bool force);
  Result<Job> auto_assign(const Principal& who, JobId id, bool force);
  Result<Job> cancel(const Principal& who, JobId id, const std::optional<std::string>& reason);
  // Reassigns every unstarted, unlocked job to minimise weighted breaches, then km.
  Result<OptimizerOutcome> optimize(const Principal& who, bool dry_run);
  // Where idle technicians could wait for the next critical call (Dispatcher::gather_move_ups),
  // learned from the critical jobs of the last `history_days`; at most `max_moves` suggestions.
  // With `center`, only its technicians and the calls from its sites (not found if none such).
  // The search's work grows with the (idle technician, demand cell) pairs within driving reach
  // of each other (docs/benchmarks.md): more than `max_pairs` of them is refused
  // (validation_failed), with the way out in the message, rather than holding a worker for
  // seconds. Technicians and calls on other continents are never such a pair.
  static constexpr std::int64_t kMoveUpMaxPairs = 10'000'000;
  Result<MoveUpSuggestions> move_ups(int history_days, int max_moves,
                                     std::optional<CenterId> center,
                                     std::int64_t max_pairs = kMoveUpMaxPairs);

 private:
  // Runs `act(tx, fx, job)` in one write transaction on job `id`, which must exist and, for a
  // technician, be theirs; answers the job as stored afterwards.
  template <class Act>
  Result<Job> on_job(const Principal& who, JobId id, Act act);

  store::Store& store_;
  JobWriter& writer_;
  Dispatcher& dispatcher_;
};

}  // namespace fieldserve::app
