// dispatch/optimizer: the min-cost-flow plan is optimal, proved against a brute-force oracle that
// tries every assignment of small random instances.
#include "dispatch/optimizer.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace fieldserve::dispatch {
namespace {

using namespace std::chrono_literals;

const Instant kNow = from_epoch_s(1'795'000'000);

struct Instance {
  std::vector<Technician> techs;
  std::vector<OptimizeTechnician> technicians;
  std::vector<OptimizeJob> jobs;
};

Instance random_instance(unsigned seed, int n_jobs, int n_techs) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> off(-0.3, 0.3);  // ±33 km around (10, 10)
  std::uniform_int_distribution<int> places(0, 3), sev(0, 3), due_min(10, 120), skill(0, 2);
  const std::vector<std::string> skills{"a", "b", "c"};
  Instance in;
  in.techs.resize(n_techs);
  for (int k = 0; k < n_techs; ++k) {
    auto& t = in.techs[k];
    t.id = k + 1;
    t.skills = {skills[skill(rng)], skills[skill(rng)]};
    for (auto& d : t.shift) d = DaySpan{0, 1440};
  }
  for (int k = 0; k < n_techs; ++k) {
    in.technicians.push_back({&in.techs[k],
                              {10 + off(rng), 10 + off(rng)},
                              "UTC",
                              kNow + std::chrono::minutes(places(rng) * 10),
                              places(rng)});
  }
  for (int i = 0; i < n_jobs; ++i) {
    OptimizeJob j;
    j.id = i + 1;
    j.severity = static_cast<Severity>(sev(rng));
    j.site = {10 + off(rng), 10 + off(rng)};
    j.required_skills = {skills[skill(rng)]};
    j.arrival_due = kNow + std::chrono::minutes(due_min(rng));
    in.jobs.push_back(j);
  }
  return in;
}

// Every assignment of jobs to technicians (or nobody) within capacity and may_take; the best
// (weighted breaches, then km).
Score brute_force(const Instance& in, const SlaPolicy& policy, const TravelModel& travel) {
  std::vector<std::optional<TechnicianId>> current(in.jobs.size());
  std::vector<int> used(in.technicians.size(), 0);
  Score best{INT32_MAX, 0, 0};
  std::function<void(std::size_t)> go = [&](std::size_t i) {
    if (i == in.jobs.size()) {
      auto s = score_assignment(in.jobs, in.technicians, current, kNow, travel);
      if (s.weighted_breaches < best.weighted_breaches ||
          (s.weighted_breaches == best.weighted_breaches && s.km < best.km - 1e-9)) {
        best = s;
      }
      return;
    }
    current[i].reset();
    go(i + 1);
    for (std::size_t k = 0; k < in.technicians.size(); ++k) {
      if (used[k] >= in.technicians[k].free_places) continue;
      if (!may_take(in.technicians[k], in.jobs[i], policy, kNow)) continue;
      ++used[k];
      current[i] = in.technicians[k].technician->id;
      go(i + 1);
      --used[k];
    }
    current[i].reset();
  };
  go(0);
  return best;
}

TEST(Optimizer, MatchesTheBruteForceOptimumOnRandomSmallInstances) {
  auto policy = default_policy();
  GeodesicTravel travel;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    auto in = random_instance(seed, 6, 3);
    auto plan = optimize(in.jobs, in.technicians, policy, kNow, travel);
    auto oracle = brute_force(in, policy, travel);
    EXPECT_EQ(plan.after.weighted_breaches, oracle.weighted_breaches) << "seed " << seed;
    EXPECT_NEAR(plan.after.km, oracle.km, 0.01) << "seed " << seed;  // metres rounding
  }
}

TEST(Optimizer, NeverWorseThanTheCurrentAssignmentAndRespectsCapacity) {
  auto policy = default_policy();
  GeodesicTravel travel;
  for (unsigned seed = 100; seed < 130; ++seed) {
    auto in = random_instance(seed, 8, 4);
    // Current: a valid greedy assignment, first technician with room that may take the job.
    std::vector<int> used(in.technicians.size(), 0);
    for (auto& j : in.jobs) {
      for (std::size_t k = 0; k < in.technicians.size(); ++k) {
        if (used[k] < in.technicians[k].free_places &&
            may_take(in.technicians[k], j, policy, kNow)) {
          j.current = in.technicians[k].technician->id;
          ++used[k];
          break;
        }
      }
    }
    auto plan = optimize(in.jobs, in.technicians, policy, kNow, travel);
    EXPECT_LE(plan.after.weighted_breaches, plan.before.weighted_breaches) << seed;
    if (plan.after.weighted_breaches == plan.before.weighted_breaches) {
      EXPECT_LE(plan.after.km, plan.before.km + 0.01) << seed;
    }
    std::map<TechnicianId, int> load;
    for (const auto& [job, tech] : plan.assignment) {
      if (tech) ++load[*tech];
    }
    for (const auto& t : in.technicians) EXPECT_LE(load[t.technician->id], t.free_places);
  }
}

TEST(Optimizer, IsDeterministic) {
  auto policy = default_policy();
  GeodesicTravel travel;
  auto in = random_instance(7, 12, 5);
  auto a = optimize(in.jobs, in.technicians, policy, kNow, travel);
  auto b = optimize(in.jobs, in.technicians, policy, kNow, travel);
  EXPECT_EQ(a.assignment, b.assignment);
}

TEST(Optimizer, PrefersFewerBreachesOverFewerKilometres) {
  // One technician next to the site but busy for two hours; one 20 km away and free. The job is
  // due in 45 minutes: the far one is on time, so it wins despite the kilometres.
  Technician near_t, far_t;
  near_t.id = 1;
  far_t.id = 2;
  for (auto* t : {&near_t, &far_t}) {
    t->skills = {"a"};
    for (auto& d : t->shift) d = DaySpan{0, 1440};
  }
  std::vector<OptimizeTechnician> techs{{&near_t, {0, 0.001}, "UTC", kNow + 2h, 1},
                                        {&far_t, {0, 0.18}, "UTC", kNow, 1}};
  std::vector<OptimizeJob> jobs{{1, Severity::critical, {0, 0}, {"a"}, kNow + 45min, 1}};
  auto plan = optimize(jobs, techs, default_policy(), kNow, GeodesicTravel{});
  ASSERT_TRUE(plan.assignment[0].second);
  EXPECT_EQ(*plan.assignment[0].second, 2);
  EXPECT_EQ(plan.before.weighted_breaches, 8);
  EXPECT_EQ(plan.after.weighted_breaches, 0);
}

}  // namespace
}  // namespace fieldserve::dispatch

namespace fieldserve::dispatch {
namespace {

TEST(Optimizer, PricesTheQueueAJobJoins) {
  // Two critical jobs at the same spot, due in 45 minutes. A stands there; B is 20 km away
  // (39 minutes). Both to A would make the second wait an hour of service: one breach. The plan
  // splits them.
  Technician a, b;
  a.id = 1;
  b.id = 2;
  for (auto* t : {&a, &b}) {
    t->skills = {"x"};
    for (auto& d : t->shift) d = DaySpan{0, 1440};
  }
  std::vector<OptimizeTechnician> techs{{&a, {0, 0}, "UTC", kNow, 3},
                                        {&b, {0, 20 / 111.319491}, "UTC", kNow, 3}};
  std::vector<OptimizeJob> jobs{{1, Severity::critical, {0, 0}, {"x"}, kNow + 45min, std::nullopt},
                                {2, Severity::critical, {0, 0}, {"x"}, kNow + 45min, std::nullopt}};
  GeodesicTravel travel;
  EXPECT_EQ(score_assignment(jobs, techs, {1, 1}, kNow, travel).weighted_breaches, 8);
  auto plan = optimize(jobs, techs, default_policy(), kNow, travel);
  EXPECT_EQ(plan.after.weighted_breaches, 0);
  ASSERT_TRUE(plan.assignment[0].second && plan.assignment[1].second);
  EXPECT_NE(*plan.assignment[0].second, *plan.assignment[1].second);
}

}  // namespace
}  // namespace fieldserve::dispatch
