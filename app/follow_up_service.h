#pragma once
// Follow-up calls: every closed job gets one, due a week after it closed; staff work through the
// list and record whether they reached the customer and how satisfied they were
// (docs/after-sales.md, "Follow-ups").
#include <optional>
#include <string>
#include <vector>

#include "app/auth.h"
#include "domain/after_sales.h"
#include "domain/error.h"
#include "store/store.h"

namespace fieldserve::app {

inline constexpr std::chrono::hours kFollowUpAfter{7 * 24};

// The follow-up call of a job that closed at `closed_at`; none if the job already has one.
void open_follow_up(store::Tx& tx, const Job& job, Instant closed_at);

struct FollowUpResult {
  bool reached = false;
  std::optional<int> satisfaction;  // 1..5; only when the customer was reached
  std::string comment;
  std::optional<Instant> at;  // now when absent
};

class FollowUpService {
 public:
  FollowUpService(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Earliest due first.
  std::vector<FollowUp> list(const store::FollowUpFilter& filter,
                             const std::optional<store::FollowUpPosition>& after, int limit);
  Result<FollowUp> get(FollowUpId id);
  // A second result is a conflict; a satisfaction outside 1–5, or one given for a customer not
  // reached, is refused.
  Result<FollowUp> record(const Principal& who, FollowUpId id, const FollowUpResult& in);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace fieldserve::app
