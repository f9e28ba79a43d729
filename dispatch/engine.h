#pragma once
// Auto-assignment (docs/decisions.md): eligibility, ETA through each technician's queue, the
// choice, and the explanation of every candidate. Pure: the caller gathers the technicians near the
// site and their open jobs; nothing here reads a clock, a database or the network.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dispatch/assignment_rules.h"  // on_shift_by
#include "dispatch/service_times.h"
#include "dispatch/sla_policy.h"
#include "dispatch/travel.h"
#include "domain/model.h"

namespace fieldserve::dispatch {

struct EngineConfig {
  int max_radius_factor = 4;  // the radius doubles up to this factor when nobody is eligible
  // Arrivals this close count as practically equal for a critical job: then least travel decides.
  double equal_arrival_minutes = 2;
  // Slack (after the margin) under this share of the time left to the due is thin: between
  // candidates with thin slack, more slack wins over fewer kilometres.
  double thin_slack_fraction = 0.25;
};

// A job already in a technician's queue, as the ETA needs it.
struct QueuedJob {
  JobId id = 0;
  Severity severity = Severity::general;
  JobStatus status = JobStatus::assigned;
  geo::LatLon site;
  Instant arrival_due{};
  std::optional<Instant> on_site_since;  // when status is on_site
  bool locked = false;                   // a dispatcher's assignment: never moved by preemption
  ServiceEstimate service;               // its expected time on site, and how far that may run over
  const std::vector<std::string>* required_skills = nullptr;  // for re-planning; may be null
};

struct TechnicianState {
  const Technician* technician = nullptr;
  geo::LatLon position;          // last known location, else the home center
  std::string time_zone;         // the home center's: shifts are local times
  std::vector<QueuedJob> queue;  // open jobs, in any order, not including the job being placed
};

struct Candidate {
  TechnicianId technician_id = 0;
  bool eligible = false;
  std::string excluded_because;  // inactive, off_shift, missing_skills, at_capacity, outside_radius
  double distance_km = 0;        // geodesic, the technician's position to the site (radius test)
  double travel_km = 0;          // road estimate from where they will be when free to the site
  Instant free_at{};             // when the jobs queued ahead are done, as expected
  Instant eta{};
  // How late the jobs ahead may run (one time in ten): the 90th percentile of their summed
  // overruns, taking each job's spread as independent. 0 with nothing ahead.
  double margin_minutes = 0;
  double slack_minutes = 0;  // arrival due − ETA
  // ETA + margin is no later than the due and, where checked, it makes no queued job late. The
  // queue check runs for the candidates that could win, in the order they would, until one passes.
  bool meets_arrival_target = false;
  JobId delays_job_id = 0;  // a queued job this one would make late (then it does not meet)
  int queue_ahead = 0;
};

struct Decision {
  std::optional<TechnicianId> chosen;
  std::string reason;                 // "", "no_technician_meets_target", "no_eligible_technician"
  double radius_km = 0;               // the radius that produced the choice (after any widening)
  std::vector<Candidate> candidates;  // one per technician given, in the order given
};

// Decides who gets `job` at `now` (docs/decisions.md, "The choice"). `site` is the job's site
// location and `service` its own expected time on site (it decides whether queued jobs behind it
// turn late). Technicians beyond the final radius are listed as outside_radius.
Decision decide(const Job& job, const geo::LatLon& site, const ServiceEstimate& service,
                const TierPolicy& tier, std::span<const TechnicianState> technicians, Instant now,
                const TravelModel& travel, const EngineConfig& config = {});

// Preemption (docs/decisions.md): a technician who arrives earlier once one less severe job
// leaves their queue. For a critical job that job may be assigned, accepted or en route (the
// technician is diverted); for a serious job only a general or minor job not yet under way moves,
// and the caller asks only when the decision misses the target.
struct Preemption {
  TechnicianId technician_id = 0;
  JobId moved_job_id = 0;
  Instant eta{};
  double travel_km = 0;
};
// Considers technicians that are eligible, or excluded only for being at capacity (moving a job
// out frees a place), within the tier's radius; dispatcher-locked jobs never move. `to_beat` is the
// arrival the decision without preemption counts on (counted_arrival): an option must arrive,
// with its margin, more than `config.equal_arrival_minutes` before it, so a critical call always
// gets the earliest arrival and a lesser job is not bumped for a practically equal one. When
// `to_beat` is already on time, only a job another technician can still reach by its own arrival
// due (ETA plus margin, making none of their jobs late) may move: the earlier arrival is not
// bought with a breach of the lesser job. Without `to_beat` (nobody could be chosen: every
// technician with the skills is full) any option qualifies: a critical call waiting unassigned
// behind lesser jobs is worse than a late one.
// Options that meet the target win over those that do not, then the earliest arrival, then least
// travel. nullopt when the job is neither critical nor serious, or nothing qualifies.
std::optional<Preemption> find_preemption(
    const Job& job, const geo::LatLon& site, const ServiceEstimate& service, const TierPolicy& tier,
    std::span<const TechnicianState> technicians, Instant now, const TravelModel& travel,
    std::optional<Instant> to_beat = std::nullopt, const EngineConfig& config = {});

// The arrival the decision's chosen technician can be counted on for (ETA plus margin), or
// nullopt when nobody was chosen.
std::optional<Instant> counted_arrival(const Decision& decision);

// Triage order, the order a technician's queue is worked in after the job under way
// (docs/decisions.md, "Triage"): more severe first; within a severity, a job whose arrival due is
// still ahead before one already past it (that target is lost wherever it goes; the other can
// still be kept), then the earlier arrival due.
bool triage_before(Severity a, Instant a_due, Severity b, Instant b_due, Instant now);

// When the technician is expected at each job of their queue, in the order they work it (on
// site first, then the drive under way, then triage order); jobs on hold are left out.
struct PlannedArrival {
  JobId id = 0;
  Instant arrive{};
  // How late the jobs worked before it may run (one time in ten), as Candidate::margin_minutes.
  double margin_minutes = 0;
};
std::vector<PlannedArrival> planned_arrivals(const TechnicianState& technician, Instant now,
                                             const TravelModel& travel);

}  // namespace fieldserve::dispatch
