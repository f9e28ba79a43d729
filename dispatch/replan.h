#pragma once
// Rolling re-planning (docs/decisions.md, "Re-planning"): when a technician frees up early or
// late, or a critical job comes in, the jobs not yet started and due within the horizon go back
// to the batch optimizer (dispatch/optimizer.h), whose plan is taken only when its price
// (weighted breaches, then weighted minutes late, then km) is better than the plan as it stands
// by more than half a kilometre's worth. Each technician keeps the
// job they are on site at, and is free for the rest when that job is expected to end.
// Dispatcher-locked jobs and jobs on hold never move. Pure: the caller applies the moves.
#include <optional>
#include <span>
#include <vector>

#include "dispatch/engine.h"
#include "dispatch/sla_policy.h"
#include "dispatch/travel.h"

namespace fieldserve::dispatch {

struct ReplanConfig {
  // Only jobs due within this move: later ones can be re-planned later, and leaving them out
  // keeps each re-plan small.
  double horizon_minutes = 720;
};

struct Reassignment {
  JobId job_id = 0;
  TechnicianId from = 0;
  TechnicianId to = 0;
};

// `technicians` as the engine sees them (queues with required_skills set; a job without them
// stays). Each job moves at most once. `held`: jobs that stay where they are, because the event
// that asks for the re-plan has just moved them (a take-over, which turns a technician back for
// an earlier arrival); the optimizer, pricing km between two on-time arrivals, would otherwise
// hand them straight back, and the job would churn between technicians at every event.
std::vector<Reassignment> replan(std::span<const TechnicianState> technicians,
                                 const SlaPolicy& policy, Instant now, const TravelModel& travel,
                                 const ReplanConfig& config = {}, std::span<const JobId> held = {});

// A technician who has just freed up takes over the most urgent critical job not yet reached in
// another technician's queue (assigned, accepted, or en route: that technician is turned back)
// when they arrive earlier by more than `config.equal_arrival_minutes`. The critical job was
// committed to the arrival expected when it came in; service times run over and under, and whoever
// frees first is the real earliest arrival. nullopt when nothing improves, the freed technician is
// at capacity or lacks the skills.
std::optional<Reassignment> take_over_critical(std::span<const TechnicianState> technicians,
                                               TechnicianId freed, Instant now,
                                               const TravelModel& travel,
                                               const EngineConfig& config = {});

struct RescueConfig {
  // A job expected this close to its arrival due, or past it, is at risk: the plan has no room
  // left for the job ahead to run over. So is a job whose expected arrival plus its margin (how
  // late the jobs ahead may run, one time in ten: the test it was assigned with) is past the due.
  double at_risk_minutes = 15;
  double every_minutes = 5;  // how often the sweep runs (the server's SLA ticker, the replay)
  // A critical job nobody idle reaches by its due is late either way; it still moves when an idle
  // technician arrives this much sooner than its queue's expected arrival plus margin.
  double late_critical_gain_minutes = 30;
  // Less severe jobs are left where they are: their targets weigh least, and an idle technician
  // is the reserve for the next critical call (on the short fleets, rescuing minor jobs too cost
  // 25-170 weighted breaches more).
  Severity least_severe = Severity::general;
};

// The sweep for jobs the plan no longer gets there in time: each job not yet started that its
// technician is expected to reach later than `at_risk_minutes`, or than its margin if larger,
// before its arrival due (the jobs ahead ran over) goes to an idle technician with the skills who
// reaches it by the due, the one with least travel. Most severe and earliest due first; an idle
// technician takes one job; jobs less severe than `config.least_severe` stay.
std::vector<Reassignment> rescue_late_jobs(std::span<const TechnicianState> technicians,
                                           Instant now, const TravelModel& travel,
                                           const RescueConfig& config = {});

}  // namespace fieldserve::dispatch
