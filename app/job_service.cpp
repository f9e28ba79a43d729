#include "app/job_service.h"

#include <algorithm>
#include <map>

#include "app/follow_up_service.h"

namespace fieldserve::app {
namespace {

// The optimizer's queue estimate for work that stays with a technician.
constexpr std::chrono::minutes kServiceEstimate{60};

EventSource source_of(const Principal& p) {
  return p.role == Role::technician ? EventSource::api : EventSource::dispatcher;
}

bool blocks_without_force(const std::string& rule) {
  return rule == "inactive" || rule == "capacity";
}

std::unexpected<Error> no_longer(const Job& job, const char* what) {
  return fail(ErrorCode::invalid_transition, "job " + std::to_string(job.id) + " is " +
                                                 std::string(to_string(job.status)) +
                                                 " and can no longer be " + what);
}

Result<void> check_equipment(store::Tx& tx, const Job& job) {
  if (!job.equipment_id) return {};
  auto e = tx.equipment(*job.equipment_id);
  if (!e) {
    return fail(ErrorCode::unknown_reference,
                "equipment_id " + std::to_string(*job.equipment_id) + " does not exist");
  }
  if (e->site_id != job.site_id) {
    return fail(ErrorCode::validation_failed, "equipment " + std::to_string(e->id) +
                                                  " is not installed at site " +
                                                  std::to_string(job.site_id));
  }
  return {};
}

bool movable(const Job& j) {
  return (j.status == JobStatus::new_ || j.status == JobStatus::assigned ||
          j.status == JobStatus::accepted) &&
         !j.assignment_locked;
}

}  // namespace

Result<void> check_job_access(const Principal& who, const std::optional<Job>& job, JobId id) {
  if (!job) return not_found("job", id);
  if (who.role == Role::technician &&
      (!job->technician_id || job->technician_id != who.technician_id)) {
    return fail(ErrorCode::forbidden, "job " + std::to_string(id) + " is not assigned to you");
  }
  return {};
}

template <class Act>
Result<Job> JobService::on_job(const Principal& who, JobId id, Act act) {
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Job> {
    auto job = tx.job(id);
    if (auto ok = check_job_access(who, job, id); !ok) return std::unexpected(ok.error());
    if (auto ok = act(tx, fx, *job); !ok) return std::unexpected(ok.error());
    return *tx.job(id);
  });
}

Result<Job> JobService::get(const Principal& who, JobId id) {
  auto job = store_.read([&](store::Tx& tx) { return tx.job(id); });
  if (auto ok = check_job_access(who, job, id); !ok) return std::unexpected(ok.error());
  return std::move(*job);
}

namespace {

Result<void> limit_to_own_jobs(const Principal& who, store::JobFilter& filter) {
  if (who.role == Role::technician) {
    if (filter.technician_id && filter.technician_id != who.technician_id) {
      return fail(ErrorCode::forbidden, "a technician token lists only its own jobs");
    }
    filter.technician_id = who.technician_id.value_or(-1);
  }
  return {};
}

}  // namespace

Result<std::vector<Job>> JobService::list(const Principal& who, const store::Page& page,
                                          store::JobFilter filter) {
  if (auto ok = limit_to_own_jobs(who, filter); !ok) return std::unexpected(ok.error());
  return store_.read([&](store::Tx& tx) { return tx.jobs(page, filter); });
}

Result<std::vector<ListedJob>> JobService::list_known(
    const Principal& who, const store::Page& page, store::JobFilter filter,
    const std::function<bool(store::JobStamp)>& held) {
  if (auto ok = limit_to_own_jobs(who, filter); !ok) return std::unexpected(ok.error());
  return store_.read([&](store::Tx& tx) {
    std::vector<ListedJob> rows;
    std::vector<JobId> missing;
    for (auto stamp : tx.job_stamps(page, filter)) {
      if (!held(stamp)) missing.push_back(stamp.id);
      rows.push_back({stamp, std::nullopt});
    }
    if (missing.empty()) return rows;
    // Both lists are in id order: one pass pairs each job read with its row. Holding none, the
    // page itself is the cheaper read (a range, not a lookup per id); same snapshot, same rows.
    auto jobs = missing.size() == rows.size() ? tx.jobs(page, filter) : tx.jobs_by_id(missing);
    auto next = jobs.begin();
    for (auto& row : rows) {
      if (next != jobs.end() && next->id == row.stamp.id) row.job = std::move(*next++);
    }
    return rows;
  });
}

Result<std::vector<JobEvent>> JobService::events(const Principal& who, JobId id,
                                                 const store::Page& page) {
  auto [job, rows] = store_.read([&](store::Tx& tx) {
    return std::pair(tx.job(id), tx.events(id, page));
  });
  if (auto ok = check_job_access(who, job, id); !ok) return std::unexpected(ok.error());
  return std::move(rows);
}

Result<Explanation> JobService::explanation(JobId id) {
  auto [job, decision] = store_.read([&](store::Tx& tx) {
    return std::pair(tx.job(id), tx.latest_decision(id));
  });
  if (!job) return not_found("job", id);
  if (!decision) {
    return fail(ErrorCode::not_found,
                "job " + std::to_string(id) + " has not been auto-dispatched");
  }
  return Explanation{std::move(*job), std::move(*decision)};
}

Result<Job> JobService::create(const Principal& who, const NewJob& in) {
  auto now = clock().now();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Job> {
    Job job;
    job.site_id = in.site_id;
    job.kind = in.kind;
    job.severity = in.severity;
    job.description = in.description;
    job.fault = in.fault;
    job.required_skills = in.required_skills;
    job.equipment_id = in.equipment_id;
    job.reported_at = in.reported_at.value_or(now);
    job.created_at = now;
    if (!tx.site(job.site_id)) {
      return fail(ErrorCode::unknown_reference,
                  "site_id " + std::to_string(job.site_id) + " does not exist");
    }
    if (auto ok = check_equipment(tx, job); !ok) return std::unexpected(ok.error());
    if (auto ok = writer_.refresh_due_times(tx, job); !ok) return std::unexpected(ok.error());
    writer_.save_new(tx, fx, job);
    auto e = job_event(job, "created", std::nullopt, who.actor(),
                       who.role == Role::dispatcher ? EventSource::dispatcher : EventSource::api,
                       now);
    e.detail = "reported_at " + format_rfc3339(job.reported_at);
    tx.insert_event(e);
    if (in.auto_assign) dispatcher_.auto_assign(tx, fx, job, who.actor(), now);
    return *tx.job(job.id);
  });
}

Result<Job> JobService::patch(const Principal& who, JobId id, std::optional<std::int64_t> if_match,
                              const JobChanges& in) {
  auto now = clock().now();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Job> {
    auto job = tx.job(id);
    if (!job) return not_found("job", id);
    if (auto ok = check_version(if_match, job->version); !ok) return std::unexpected(ok.error());
    bool only_review = !in.description && !in.fault && !in.required_skills && !in.equipment_given &&
                       !in.severity;
    if ((job->status == JobStatus::closed || job->status == JobStatus::cancelled) && !only_review) {
      return fail(ErrorCode::conflict, "a " + std::string(to_string(job->status)) +
                                           " job cannot change (only needs_review can)");
    }
    std::optional<JobEvent> review;
    if (in.needs_review && *in.needs_review != job->needs_review) {
      job->needs_review = *in.needs_review;
      review = job_event(*job, "needs_review", job->status, who.actor(), EventSource::dispatcher,
                         now);
      review->detail = job->needs_review ? "raised by a dispatcher" : "cleared by a dispatcher";
    }
    std::vector<std::string> changed;
    if (in.description && *in.description != job->description) {
      job->description = *in.description;
      changed.emplace_back("description");
    }
    if (in.required_skills && *in.required_skills != job->required_skills) {
      job->required_skills = *in.required_skills;
      changed.emplace_back("required_skills");
    }
    if (in.fault && *in.fault != job->fault) {
      job->fault = *in.fault;
      changed.emplace_back("fault");
    }
    if (in.equipment_given && in.equipment_id != job->equipment_id) {
      // The unit it leaves has one repair fewer.
      writer_.refresh_warranty(fx, job->equipment_id);
      job->equipment_id = in.equipment_id;
      if (auto ok = check_equipment(tx, *job); !ok) return std::unexpected(ok.error());
      changed.emplace_back("equipment_id");
    }
    if (in.severity && *in.severity != job->severity) {
      changed.push_back("severity " + std::string(to_string(job->severity)) + " -> " +
                        std::string(to_string(*in.severity)));
      job->severity = *in.severity;
      if (auto ok = writer_.refresh_due_times(tx, *job); !ok) return std::unexpected(ok.error());
    }
    if (!changed.empty() || review) writer_.save(tx, fx, *job);
    if (review) tx.insert_event(*review);
    if (!changed.empty()) {
      auto e = job_event(*job, "updated", job->status, who.actor(), EventSource::dispatcher, now);
      for (const auto& c : changed) e.detail += (e.detail.empty() ? "" : "; ") + c;
      tx.insert_event(e);
    }
    return *tx.job(id);
  });
}

Result<Job> JobService::change_status(const Principal& who, JobId id, StatusRequest to,
                                      std::optional<HoldReason> reason,
                                      const std::optional<std::string>& note) {
  auto now = clock().now();
  return on_job(who, id, [&](store::Tx& tx, Effects& fx, Job& job) -> Result<void> {
    if (to == StatusRequest::closed && who.role == Role::technician) {
      return fail(ErrorCode::forbidden, "closing a job is for dispatchers");
    }
    auto change = plan_status_change(job, to, reason);
    if (!change) return std::unexpected(change.error());
    auto from_status = job.status;
    if (auto ok = writer_.store_status_change(tx, fx, job, *change, now); !ok) return ok;
    auto e = job_event(job, "status", from_status, who.actor(), source_of(who), now);
    if (change->hold_reason) e.detail = std::string(to_string(*change->hold_reason));
    if (note && !note->empty()) e.detail += (e.detail.empty() ? "" : "; ") + *note;
    tx.insert_event(e);
    if (change->to == JobStatus::closed) open_follow_up(tx, job, now);
    if (change->to == JobStatus::resolved) {
      writer_.advance_if_signed(tx, fx, job.id, [&](const Job& moved) {
        return job_event(moved, "status", JobStatus::resolved, who.actor(), source_of(who), now);
      });
      dispatcher_.technician_freed(tx, fx, job, who.actor(), now);
    }
    return {};
  });
}

Result<Assignment> JobService::assign(const Principal& who, JobId id, TechnicianId technician,
                                      bool force) {
  auto now = clock().now();
  auto policy = writer_.policy().policy();
  dispatch::GeodesicTravel travel;
  dispatch::AssignmentCheck check;
  auto assigned = on_job(who, id, [&](store::Tx& tx, Effects& fx, Job& job) -> Result<void> {
    if (!can_reassign(job.status)) return no_longer(job, "assigned");
    auto tech = tx.technician(technician);
    if (!tech) {
      return fail(ErrorCode::unknown_reference,
                  "technician_id " + std::to_string(technician) + " does not exist");
    }
    auto site = tx.site(job.site_id);
    auto home = tx.center(tech->home_center_id);
    if (!site || !home) {
      return fail(ErrorCode::internal, "the job's site or the technician's center is missing");
    }
    int open = tx.open_job_count(tech->id) - (job.technician_id == tech->id ? 1 : 0);
    check = dispatch::check_assignment(
        {job, *site, *tech, *home, policy.tier(job.severity), open, now}, travel);
    std::vector<std::string> blocking;
    for (const auto& rule : check.broken) {
      if (blocks_without_force(rule)) blocking.push_back(rule);
    }
    if (!blocking.empty() && !force) {
      return fail(ErrorCode::conflict,
                  "the technician cannot take the job; send \"force\": true to assign anyway",
                  blocking);
    }
    auto previous = job.technician_id;
    auto from_status = job.status;
    assign_to(job, tech->id, true, now);
    job.dispatch_reason.clear();
    writer_.save(tx, fx, job);
    auto e = job_event(job, "assigned", from_status, who.actor(), EventSource::dispatcher, now);
    e.detail = previous ? "manual; from technician " + std::to_string(*previous) : "manual";
    if (!check.broken.empty()) {
      e.detail += "; breaks";
      for (const auto& rule : check.broken) e.detail += " " + rule;
    }
    tx.insert_event(e);
    return {};
  });
  if (!assigned) return std::unexpected(assigned.error());
  return Assignment{std::move(*assigned), std::move(check)};
}

Result<Job> JobService::auto_assign(const Principal& who, JobId id, bool force) {
  auto now = clock().now();
  return on_job(who, id, [&](store::Tx& tx, Effects& fx, Job& job) -> Result<void> {
    if (!can_reassign(job.status) || job.status == JobStatus::en_route) {
      return no_longer(job, "dispatched");
    }
    // Dispatching an assigned job again is a deliberate act: without force, a second request
    // racing the first finds the job assigned and changes nothing.
    if (job.technician_id && !force) {
      return fail(ErrorCode::conflict, std::string("job is already assigned") +
                                           (job.assignment_locked ? " by a dispatcher" : "") +
                                           "; send \"force\": true to dispatch it again");
    }
    dispatcher_.auto_assign(tx, fx, job, who.actor(), now);
    return {};
  });
}

Result<Job> JobService::cancel(const Principal& who, JobId id,
                               const std::optional<std::string>& reason) {
  auto now = clock().now();
  return on_job(who, id, [&](store::Tx& tx, Effects& fx, Job& job) -> Result<void> {
    if (!can_cancel(job.status)) {
      return fail(ErrorCode::invalid_transition,
                  "a " + std::string(to_string(job.status)) + " job cannot be cancelled");
    }
    auto from_status = job.status;
    job.status = JobStatus::cancelled;
    job.hold_reason.reset();
    job.status_before_hold.reset();
    job.hold_started_at.reset();
    writer_.save(tx, fx, job);
    auto e = job_event(job, "status", from_status, who.actor(), EventSource::dispatcher, now);
    e.detail = reason.value_or("");
    tx.insert_event(e);
    return {};
  });
}

Result<MoveUpSuggestions> JobService::move_ups(int history_days, int max_moves,
                                               std::optional<CenterId> center,
                                               std::int64_t max_pairs) {
  auto now = clock().now();
  auto inputs = store_.read([&](store::Tx& tx) -> std::optional<MoveUpInputs> {
    if (center && !tx.center(*center)) return std::nullopt;
    return dispatcher_.gather_move_ups(tx, now, std::chrono::days(history_days), center);
  });
  if (!inputs) return not_found("center", *center);
  auto pairs = dispatcher_.move_up_pairs(*inputs, now);
  if (pairs > max_pairs) {
    return fail(ErrorCode::validation_failed,
                std::to_string(inputs->idle.size()) + " idle technicians and " +
                    std::to_string(inputs->calls.size()) + " critical calls are too many for one " +
                    "search (" + std::to_string(pairs) + " technician-cell pairs within reach, " +
                    "at most " + std::to_string(max_pairs) +
                    "): ask per center (center_id) or over fewer days (history_days)");
  }
  // The search runs with no transaction open: it may take a while over a large fleet.
  return dispatcher_.suggest_move_ups(std::move(*inputs), now, max_moves);
}

Result<OptimizerOutcome> JobService::optimize(const Principal& who, bool dry_run) {
  auto now = clock().now();
  auto policy = writer_.policy().policy();
  const auto& travel = dispatcher_.travel();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<OptimizerOutcome> {
    std::map<CenterId, Center> centers;
    for (auto& c : tx.all_centers()) centers.emplace(c.id, std::move(c));
    std::map<SiteId, geo::LatLon> sites;
    auto site_of = [&](SiteId id) {
      auto [it, inserted] = sites.try_emplace(id);
      if (inserted) {
        auto s = tx.site(id);
        it->second = s ? s->location : geo::LatLon{};
      }
      return it->second;
    };

    std::vector<dispatch::OptimizeJob> jobs;
    std::vector<Job> job_rows;
    for (auto& j : tx.unfinished_jobs()) {
      if (!movable(j)) continue;
      jobs.push_back({j.id, j.severity, site_of(j.site_id), j.required_skills,
                      j.clock(SlaTarget::arrival).due, j.technician_id});
      job_rows.push_back(std::move(j));
    }

    std::vector<Technician> techs;
    store::Page page{0, 500};
    for (;;) {
      auto rows = tx.technicians(page, {});
      for (auto& t : rows) techs.push_back(std::move(t));
      if (static_cast<int>(rows.size()) < page.limit) break;
      page.after_id = techs.back().id;
    }
    std::vector<dispatch::OptimizeTechnician> technicians;
    for (const auto& t : techs) {
      auto home = centers.find(t.home_center_id);
      dispatch::OptimizeTechnician o{
          &t, t.location.value_or(home != centers.end() ? home->second.location : geo::LatLon{}),
          home != centers.end() ? home->second.time_zone : "UTC", now, 0};
      // The work that stays with them (started or locked) comes first: on site first, then by due.
      auto staying = tx.open_jobs_of(t.id);
      std::erase_if(staying, movable);
      std::sort(staying.begin(), staying.end(), [](const Job& a, const Job& b) {
        bool a_on = a.status == JobStatus::on_site, b_on = b.status == JobStatus::on_site;
        if (a_on != b_on) return a_on;
        return a.clock(SlaTarget::arrival).due < b.clock(SlaTarget::arrival).due;
      });
      for (const auto& j : staying) {
        if (j.status == JobStatus::on_hold) continue;
        auto where = site_of(j.site_id);
        if (j.status == JobStatus::on_site) {
          o.free_at = std::max(now, j.clock(SlaTarget::arrival).done_at.value_or(now) +
                                        kServiceEstimate);
        } else {
          o.free_at += travel.travel_time(o.position, where) + kServiceEstimate;
        }
        o.position = where;
      }
      o.free_places = t.max_open_jobs - static_cast<int>(staying.size());
      technicians.push_back(o);
    }

    auto plan = dispatch::optimize(jobs, technicians, policy, now, travel);
    OptimizerOutcome out;
    out.dry_run = dry_run;
    out.jobs_considered = jobs.size();
    out.technicians_considered = technicians.size();
    out.before = plan.before;
    out.after = plan.after;
    std::vector<Job> moved;
    for (std::size_t i = 0; i < plan.assignment.size(); ++i) {
      const auto& to = plan.assignment[i].second;
      auto& job = job_rows[i];
      // Nobody may take it: it stays where it is rather than lose its technician.
      if (!to || to == job.technician_id) continue;
      out.moves.push_back({job.id, job.technician_id, *to});
      if (dry_run) continue;
      auto from_status = job.status;
      auto previous = job.technician_id;
      assign_to(job, *to, false, now);
      job.dispatch_reason = "optimizer";
      writer_.save(tx, fx, job);
      auto e = job_event(job, "assigned", from_status, who.actor(), EventSource::dispatcher, now);
      e.detail = "optimizer" +
                 (previous ? "; from technician " + std::to_string(*previous) : std::string());
      tx.insert_event(e);
      moved.push_back(job);
    }
    // Each job's explanation then names the technician the plan gave it.
    dispatcher_.explain_moves(tx, moved, now);
    return out;
  });
}

}  // namespace fieldserve::app
