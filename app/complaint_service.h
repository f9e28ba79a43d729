#pragma once
// Complaints: recorded with a deadline by the customer's account tier, escalated when the deadline
// passes unanswered, and answered on record (docs/after-sales.md, "Complaints").
#include <optional>
#include <string>
#include <vector>

#include "app/auth.h"
#include "app/policy_source.h"
#include "domain/after_sales.h"
#include "domain/error.h"
#include "store/store.h"

namespace fieldserve::app {

struct NewComplaint {
  CustomerId customer_id = 0;
  std::optional<JobId> job_id;
  std::optional<TechnicianId> technician_id;  // the job's technician when a job is named
  ComplaintChannel channel = ComplaintChannel::phone;
  ComplaintSeverity severity = ComplaintSeverity::normal;
  std::string text;
  std::optional<Instant> received_at;  // now when absent
};

struct ComplaintAnswer {
  std::string answer;
  std::optional<Instant> answered_at;  // now when absent
};

class ComplaintService {
 public:
  ComplaintService(store::Store& store, PolicySource& policy, const Clock& clock)
      : store_(store), policy_(policy), clock_(clock) {}

  Result<Complaint> create(const Principal& who, const NewComplaint& in);
  Result<Complaint> get(ComplaintId id);
  // `overdue`: open complaints past their due at now.
  std::vector<Complaint> list(const store::Page& page, std::optional<ComplaintStatus> status,
                              bool overdue, std::optional<CustomerId> customer);
  // A second answer is a conflict; an answer dated before the complaint was received is refused.
  Result<Complaint> answer(const Principal& who, ComplaintId id, const ComplaintAnswer& in);
  std::vector<ComplaintEvent> events(ComplaintId id);

 private:
  store::Store& store_;
  PolicySource& policy_;
  const Clock& clock_;
};

// Escalates every open complaint whose due has passed at `now`: escalated_at, a complaint event
// and a warning log line each. Run by the SLA ticker every second; returns how many it escalated.
int escalate_complaints(store::Store& store, Instant now);

}  // namespace fieldserve::app
