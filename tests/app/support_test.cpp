// The application layer's small parts: the sync page cache, token hashing, the rate limiter.
#include <gtest/gtest.h>

#include "app/auth.h"
#include "app/rate_limiter.h"
#include "app/sync_page_cache.h"

// ---- the sync pull's page cache ----

namespace fieldserve::app {
namespace {

TEST(SyncPageCache, APageIsOfferedOnlyWhileItsPolicyFloorAndClocksStand) {
  SyncPageCache cache(2);
  Instant t0 = from_epoch_s(1'790'000'000);
  auto page = std::make_shared<SnapshotPage>();
  page->upserted = "{}";
  page->feed_seq = 40;
  page->floor = 10;
  page->policy_generation = 3;
  page->valid_until = t0 + std::chrono::minutes(5);
  cache.put(7, 0, 50, page);
  EXPECT_EQ(cache.find(7, 0, 50, 10, 4, t0), nullptr) << "the SLA policy changed";
  EXPECT_EQ(cache.find(7, 0, 50, 10, 3, t0), page);
  EXPECT_EQ(cache.find(7, 0, 50, 12, 3, t0), nullptr) << "the feed was pruned";
  EXPECT_EQ(cache.find(7, 0, 50, 10, 3, t0 + std::chrono::minutes(5)), nullptr)
      << "an SLA state in the page changes now";
  EXPECT_EQ(cache.find(8, 0, 50, 10, 3, t0), nullptr) << "another technician";
  EXPECT_EQ(cache.find(7, 0, 20, 10, 3, t0), nullptr) << "another page size";
  cache.put(7, 100, 50, page);
  cache.put(7, 200, 50, page);  // over capacity: starts over
  EXPECT_EQ(cache.find(7, 0, 50, 10, 3, t0), nullptr);
  EXPECT_EQ(cache.find(7, 200, 50, 10, 3, t0), page);
}

// The digest is stored in the op ledger: it must stay SHA-256 as written, call after call.
TEST(Sha256Hex, MatchesTheStandardVectorsEveryTime) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}

TEST(RateLimiter, RefusesPastTheBurstPerToken) {
  // A limiter with a burst of 3 and almost no refill: the fourth request in a row is refused.
  RateLimiter limiter(0.001, 3);
  EXPECT_TRUE(limiter.allow(1));
  EXPECT_TRUE(limiter.allow(1));
  EXPECT_TRUE(limiter.allow(1));
  EXPECT_FALSE(limiter.allow(1));
  EXPECT_TRUE(limiter.allow(2));
}

}  // namespace
}  // namespace fieldserve::app
