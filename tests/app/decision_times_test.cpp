#include "app/decision_times.h"

#include <gtest/gtest.h>

namespace fieldserve::app {
namespace {

TEST(DecisionTimes, EachDecisionCountsInItsBucketAndEveryWiderOne) {
  DecisionTimes times;
  times.record(0.00005);  // ≤ 0.1 ms
  times.record(0.0008);   // ≤ 1 ms, not ≤ 0.75 ms
  times.record(0.001);    // a bound belongs to its own bucket
  times.record(3.0);      // past the widest: only in the count
  auto f = times.figures();
  EXPECT_EQ(f.count, 4u);
  EXPECT_EQ(f.at_most[0], 1u);  // 0.1 ms
  EXPECT_EQ(f.at_most[4], 1u);  // 0.75 ms
  EXPECT_EQ(f.at_most[5], 3u);  // 1 ms
  EXPECT_EQ(f.at_most.back(), 3u);
  EXPECT_NEAR(f.sum_seconds, 3.00185, 1e-6);
}

}  // namespace
}  // namespace fieldserve::app
