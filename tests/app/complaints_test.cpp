// Complaints in process, on a clock the test moves: deadlines by account tier from the policy,
// escalation exactly once when the due passes (by the SLA ticker's own pass), answers on record.
#include "app/complaint_service.h"

#include "app_fixture.h"

namespace fieldserve::app {
namespace {

class ComplaintsTest : public AppTest {
 protected:
  ComplaintService complaints{*store_ptr(), policy, clock};
  CustomerId key = 0, standard = 0;

  void SetUp() override {
    AppTest::SetUp();
    std::tie(key, standard) = store->write([](store::Tx& tx) {
      auto k = tx.insert_customer(Customer{.name = "Grid Co", .account_tier = AccountTier::key});
      auto s = tx.insert_customer(Customer{.name = "Corner Shop"});
      return std::pair(k, s);
    });
  }
  Complaint make(CustomerId customer, std::chrono::seconds received_ago = {}) {
    auto c = complaints.create(dispatcher_who,
                               NewComplaint{.customer_id = customer,
                                            .text = "nobody came",
                                            .received_at = clock.now() - received_ago});
    EXPECT_TRUE(c) << c.error().message;
    return *c;
  }
};

TEST_F(ComplaintsTest, TheDueFollowsTheAccountTierAndThePolicy) {
  auto k = make(key);
  EXPECT_EQ(k.due, kMonday10 + std::chrono::hours(4));
  auto s = make(standard, std::chrono::hours(1));
  EXPECT_EQ(s.received_at, kMonday10 - std::chrono::hours(1));
  EXPECT_EQ(s.due, kMonday10 + std::chrono::hours(23));
  auto edited = policy.policy();
  edited.complaints.key_hours = 2;
  policy.set_policy(edited);
  EXPECT_EQ(make(key).due, kMonday10 + std::chrono::hours(2));
}

TEST_F(ComplaintsTest, AnUnansweredComplaintIsEscalatedOnceWhenItsDuePasses) {
  auto c = make(key);  // due at 14:00
  clock.advance(std::chrono::hours(4) - std::chrono::seconds(1));
  EXPECT_EQ(escalate_complaints(*store, clock.now()), 0) << "one second before its due";
  clock.advance(std::chrono::seconds(1));
  // The ticker's pass escalates it: the same monitor that watches the SLA targets.
  SlaTicker(*store, writer).run_once();
  auto after = complaints.get(c.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->escalated_at, c.due);
  EXPECT_EQ(after->status, ComplaintStatus::open);
  EXPECT_EQ(after->version, c.version + 1);
  EXPECT_EQ(LogLines::count_containing("complaint escalated complaint_id=" + std::to_string(c.id)),
            1u);
  clock.advance(std::chrono::minutes(5));
  EXPECT_EQ(escalate_complaints(*store, clock.now()), 0) << "escalated once";
  auto events = complaints.events(c.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "created");
  EXPECT_EQ(events[1].type, "escalated");
  EXPECT_EQ(events[1].at, c.due);
  // Answered late after the escalation.
  auto answered = complaints.answer(dispatcher_who, c.id, {.answer = "a technician comes at 3"});
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->answered_late(), true);
  EXPECT_EQ(complaints.events(c.id).back().type, "answered");
}

TEST_F(ComplaintsTest, AnAnsweredComplaintIsNeverEscalated) {
  auto c = make(standard);
  clock.advance(std::chrono::hours(23));
  auto answered = complaints.answer(dispatcher_who, c.id, {.answer = "refund sent"});
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->answered_late(), false);
  clock.advance(std::chrono::hours(2));
  EXPECT_EQ(escalate_complaints(*store, clock.now()), 0);
  auto again = complaints.answer(dispatcher_who, c.id, {.answer = "twice"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

TEST_F(ComplaintsTest, TenThousandComplaintsDueInTheSameMinuteAreAllEscalatedInOnePass) {
  store->write([&](store::Tx& tx) {
    for (int i = 0; i < 10'000; ++i) {
      Complaint c{.customer_id = standard,
                  .text = "late",
                  .received_at = kMonday10,
                  .due = kMonday10 + std::chrono::seconds(i % 60),
                  .created_by = "test",
                  .created_at = kMonday10};
      (void)tx.insert_complaint(c);
    }
    return 0;
  });
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(escalate_complaints(*store, clock.now()), 10'000);
  EXPECT_TRUE(complaints.list({0, 10}, ComplaintStatus::open, true, std::nullopt).size() == 10);
  EXPECT_EQ(escalate_complaints(*store, clock.now()), 0);
}

}  // namespace
}  // namespace fieldserve::app
