// sync/clock_skew: device event times are shifted by the device's clock offset, then bounded to
// [reported_at, received_at + 2 min] (docs/sla.md). Raw and corrected are both kept.
#include <gtest/gtest.h>

#include <chrono>

#include "sync/clock_skew.h"

namespace fieldserve::sync {
namespace {

using namespace std::chrono_literals;

const Instant kReceived = from_epoch_s(1'790'000'000);
const Instant kReported = kReceived - 6h;

TEST(CorrectDeviceTime, AccurateClockLeavesTheTimeAlone) {
  Instant raw = kReceived - 20min;
  auto t = correct_device_time(raw, kReceived, kReceived, kReported);
  EXPECT_EQ(t.raw, raw);
  EXPECT_EQ(t.corrected, raw);
  EXPECT_FALSE(t.clamped);
}

TEST(CorrectDeviceTime, DeviceThreeHoursAheadIsCorrectedBack) {
  // The device said 3 h later than the server when it pushed; an event it stamped 40 min before
  // the push happened 40 min before the server received it.
  Instant client_time = kReceived + 3h;
  Instant raw = client_time - 40min;
  auto t = correct_device_time(raw, client_time, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReceived - 40min);
  EXPECT_EQ(t.raw, raw);
  EXPECT_FALSE(t.clamped);
}

TEST(CorrectDeviceTime, DeviceBehindIsCorrectedForward) {
  Instant client_time = kReceived - 90s;
  Instant raw = client_time - 10min;
  auto t = correct_device_time(raw, client_time, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReceived - 10min);
  EXPECT_FALSE(t.clamped);
}

TEST(CorrectDeviceTime, NeverBeforeReportedAt) {
  // Offset zero, but the device claims the event happened before the job was reported.
  Instant raw = kReported - 1h;
  auto t = correct_device_time(raw, kReceived, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReported);
  EXPECT_EQ(t.raw, raw);
  EXPECT_TRUE(t.clamped);
}

TEST(CorrectDeviceTime, ExactlyReportedAtIsNotClamped) {
  auto t = correct_device_time(kReported, kReceived, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReported);
  EXPECT_FALSE(t.clamped);
}

TEST(CorrectDeviceTime, NeverLaterThanReceivedPlusTwoMinutes) {
  // Offset zero; the event is stamped an hour in the future.
  Instant raw = kReceived + 1h;
  auto t = correct_device_time(raw, kReceived, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReceived + 2min);
  EXPECT_EQ(t.raw, raw);
  EXPECT_TRUE(t.clamped);
}

TEST(CorrectDeviceTime, UpToTwoMinutesAheadIsAccepted) {
  auto at_limit = correct_device_time(kReceived + 120s, kReceived, kReceived, kReported);
  EXPECT_EQ(at_limit.corrected, kReceived + 120s);
  EXPECT_FALSE(at_limit.clamped);
  auto past_limit = correct_device_time(kReceived + 121s, kReceived, kReceived, kReported);
  EXPECT_EQ(past_limit.corrected, kReceived + 120s);
  EXPECT_TRUE(past_limit.clamped);
}

TEST(CorrectDeviceTime, OffsetIsAppliedBeforeTheBounds) {
  // Raw is 2 h after the server's receive time, which alone would be clamped; the device clock
  // is 3 h ahead, so the event really happened 1 h before receipt and needs no clamp.
  Instant client_time = kReceived + 3h;
  auto t = correct_device_time(kReceived + 2h, client_time, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReceived - 1h);
  EXPECT_FALSE(t.clamped);
}

TEST(CorrectDeviceTime, ShiftedTimeBeforeReportedAtIsClampedUp) {
  // Device 5 h ahead: an event stamped 1 h after reported_at shifts to 4 h before it.
  Instant ahead_client = kReceived + 5h;
  auto t = correct_device_time(kReported + 1h, ahead_client, kReceived, kReported);
  EXPECT_EQ(t.corrected, kReported);
  EXPECT_TRUE(t.clamped);
}

TEST(CorrectDeviceTime, JobReportedInTheFutureStillGivesATimeNoLaterThanTheLimit) {
  // Validation forbids this, but the bound must hold anyway.
  Instant reported = kReceived + 1h;
  auto t = correct_device_time(kReceived, kReceived, kReceived, reported);
  EXPECT_LE(t.corrected, kReceived + 2min);
}

}  // namespace
}  // namespace fieldserve::sync
