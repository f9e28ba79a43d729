// dispatch/optimizer: the min-cost-flow plan is optimal, proved against a brute-force oracle that
// tries every assignment of small random instances.
#include "dispatch/optimizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
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

// The price of one assignment in the optimizer's terms, written out again: each technician's
// jobs tried in every order over their first places (later places only add time), the cheapest
// order kept. Breaches × weight × 10^12, minutes late × weight × 10^6, metres, and a metre per
// place; nobody at all costs twice a breach.
std::int64_t price(const Instance& in, const std::vector<std::optional<TechnicianId>>& assigned,
                   const TravelModel& travel) {
  const std::array<std::int64_t, 4> w{8, 4, 2, 1};
  std::int64_t total = 0;
  std::map<std::size_t, std::vector<std::size_t>> by_tech;
  for (std::size_t i = 0; i < in.jobs.size(); ++i) {
    if (!assigned[i]) {
      total += 2'000'000'000'000 * w[static_cast<int>(in.jobs[i].severity)];
      continue;
    }
    by_tech[static_cast<std::size_t>(*assigned[i] - 1)].push_back(i);
  }
  for (auto& [k, list] : by_tech) {
    const auto& t = in.technicians[k];
    std::sort(list.begin(), list.end());
    std::int64_t best = INT64_MAX;
    do {
      std::int64_t c = 0;
      for (std::size_t place = 0; place < list.size(); ++place) {
        const auto& job = in.jobs[list[place]];
        auto leg = travel.leg(t.position, job.site);
        Instant eta = std::max(kNow, t.free_at) + std::chrono::minutes(60) * place + leg.time;
        auto late = std::chrono::duration_cast<std::chrono::minutes>(eta - job.arrival_due);
        std::int64_t wt = w[static_cast<int>(job.severity)];
        c += (eta > job.arrival_due ? 1'000'000'000'000 * wt : 0) +
             1'000'000 * wt * std::clamp<std::int64_t>(late.count(), 0, 10'000) +
             std::llround(leg.road_km * 1000) + static_cast<std::int64_t>(place);
      }
      best = std::min(best, c);
    } while (std::next_permutation(list.begin(), list.end()));
    total += best;
  }
  return total;
}

// Every assignment of jobs to technicians (or nobody) within capacity and may_take; the lowest
// price.
std::int64_t brute_force(const Instance& in, const SlaPolicy& policy, const TravelModel& travel) {
  std::vector<std::optional<TechnicianId>> current(in.jobs.size());
  std::vector<int> used(in.technicians.size(), 0);
  std::int64_t best = INT64_MAX;
  std::function<void(std::size_t)> go = [&](std::size_t i) {
    if (i == in.jobs.size()) {
      best = std::min(best, price(in, current, travel));
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
    EXPECT_EQ(plan.cost_after, brute_force(in, policy, travel)) << "seed " << seed;
    std::vector<std::optional<TechnicianId>> chosen;
    for (const auto& [job, tech] : plan.assignment) chosen.push_back(tech);
    EXPECT_EQ(plan.cost_after, price(in, chosen, travel)) << "seed " << seed;
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
    EXPECT_LE(plan.cost_after, plan.cost_before) << seed;
    std::vector<std::optional<TechnicianId>> current;
    for (const auto& j : in.jobs) current.push_back(j.current);
    EXPECT_EQ(plan.cost_before, price(in, current, travel)) << seed;
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

// One technician next to a site at (0, 0) but busy for two hours; one 20 km away and free. One
// critical job there, due in `due`.
OptimizePlan near_busy_or_far_free(std::chrono::minutes due) {
  Technician near_t, far_t;
  near_t.id = 1;
  far_t.id = 2;
  for (auto* t : {&near_t, &far_t}) {
    t->skills = {"a"};
    for (auto& d : t->shift) d = DaySpan{0, 1440};
  }
  std::vector<OptimizeTechnician> techs{{&near_t, {0, 0.001}, "UTC", kNow + 2h, 1},
                                        {&far_t, {0, 0.18}, "UTC", kNow, 1}};
  std::vector<OptimizeJob> jobs{{1, Severity::critical, {0, 0}, {"a"}, kNow + due, 1}};
  return optimize(jobs, techs, default_policy(), kNow, GeodesicTravel{});
}

TEST(Optimizer, PrefersFewerBreachesOverFewerKilometres) {
  // Due in 45 minutes: the far one (39 min) is on time, so it wins despite the kilometres.
  auto plan = near_busy_or_far_free(45min);
  ASSERT_TRUE(plan.assignment[0].second);
  EXPECT_EQ(*plan.assignment[0].second, 2);
  EXPECT_EQ(plan.before.weighted_breaches, 8);
  EXPECT_EQ(plan.after.weighted_breaches, 0);
}

TEST(Optimizer, AJobLateWhereverItGoesGoesWhereItIsLeastLate) {
  // Due in 10 minutes: nobody can make it. The near technician (about 0.1 km) is there at 120
  // min, 110 late; the far one at 39 min, 29 late. Fewest kilometres would pick the near one;
  // fewest minutes late picks the far one.
  auto plan = near_busy_or_far_free(10min);
  ASSERT_TRUE(plan.assignment[0].second);
  EXPECT_EQ(*plan.assignment[0].second, 2);
  EXPECT_EQ(plan.after.weighted_breaches, plan.before.weighted_breaches);  // 8 either way
  EXPECT_LT(plan.cost_after, plan.cost_before);
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
