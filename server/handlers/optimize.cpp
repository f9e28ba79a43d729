// POST /api/v1/dispatch/optimize: the batch optimizer over every job not yet started.
#include "dispatch/optimizer.h"
#include "domain/job_status.h"
#include "server/app.h"
#include "server/handlers/handlers.h"
#include "server/handlers/support.h"
#include "server/json/json_body.h"

namespace fieldserve::server {
namespace {

constexpr std::chrono::minutes kServiceEstimate{60};

json score_json(const dispatch::Score& s) {
  return {{"weighted_breaches", s.weighted_breaches},
          {"km", std::round(s.km * 1000) / 1000},
          {"unassigned", s.unassigned}};
}

bool movable(const Job& j) {
  return (j.status == JobStatus::new_ || j.status == JobStatus::assigned ||
          j.status == JobStatus::accepted) &&
         !j.assignment_locked;
}

Result<Reply> optimize(RouteRequest& req) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  FieldReader r(*body);
  bool dry_run = r.boolean("dry_run", false).value_or(true);
  if (auto ok = r.finish(); !ok) return std::unexpected(ok.error());
  auto now = req.app.clock().now();
  auto policy = req.app.policy();
  const auto& travel = req.app.dispatcher().travel();
  return req.app.store().write([&](store::Tx& tx) -> Result<Reply> {
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
      dispatch::OptimizeTechnician o{&t, t.location.value_or(home != centers.end() ? home->second.location : geo::LatLon{}),
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
          o.free_at = std::max(now, j.clock(SlaTarget::arrival).done_at.value_or(now) + kServiceEstimate);
        } else {
          o.free_at += travel.travel_time(o.position, where) + kServiceEstimate;
        }
        o.position = where;
      }
      o.free_places = t.max_open_jobs - static_cast<int>(staying.size());
      technicians.push_back(o);
    }

    auto plan = dispatch::optimize(jobs, technicians, policy, now, travel);
    json moves = json::array();
    for (std::size_t i = 0; i < plan.assignment.size(); ++i) {
      const auto& to = plan.assignment[i].second;
      auto& job = job_rows[i];
      // Nobody may take it: it stays where it is rather than lose its technician.
      if (!to || to == job.technician_id) continue;
      moves.push_back({{"job_id", job.id},
                       {"from_technician_id", job.technician_id ? json(*job.technician_id) : json(nullptr)},
                       {"to_technician_id", *to}});
      if (dry_run) continue;
      auto from_status = job.status;
      auto previous = job.technician_id;
      assign_to(job, *to, false, now);
      job.dispatch_reason.clear();
      save_job(req.app, tx, job);
      auto e = job_event(job, "assigned", from_status, req.who().actor(), EventSource::dispatcher, now);
      e.detail = "optimizer" + (previous ? "; from technician " + std::to_string(*previous) : std::string());
      tx.insert_event(e);
    }
    return json_reply({{"dry_run", dry_run},
                       {"jobs_considered", jobs.size()},
                       {"technicians_considered", technicians.size()},
                       {"moves", moves},
                       {"before", score_json(plan.before)},
                       {"after", score_json(plan.after)}});
  });
}

}  // namespace

void add_optimize_routes(RouteTable& routes) {
  routes.push_back({"POST", "/api/v1/dispatch/optimize", kOperate,
                    "Reassign every unstarted, unlocked job to minimise weighted breaches, then km (dry_run defaults to true)",
                    optimize});
}

}  // namespace fieldserve::server
