#include "app/complaint_service.h"

#include "app/effects.h"

namespace fieldserve::app {
namespace {

const Instant kEarliest = from_epoch_s(946684800);  // 2000-01-01
constexpr int kEscalationBatch = 500;

std::unexpected<Error> invalid(const std::string& field, const std::string& problem) {
  return fail(ErrorCode::validation_failed, "the request is not valid", {field + ": " + problem});
}

std::unexpected<Error> unknown(const std::string& field, std::int64_t id) {
  return fail(ErrorCode::unknown_reference, field + " " + std::to_string(id) + " does not exist",
              {field + ": does not exist"});
}

Result<Instant> when(const std::optional<Instant>& given, Instant now, const std::string& field) {
  if (!given) return now;
  if (*given > now + kClientClockTolerance) return invalid(field, "must not be in the future");
  if (*given < kEarliest) return invalid(field, "must not be before 2000");
  return std::min(*given, now);
}

}  // namespace

Result<Complaint> ComplaintService::create(const Principal& who, const NewComplaint& in) {
  auto now = clock_.now();
  auto received = when(in.received_at, now, "received_at");
  if (!received) return std::unexpected(received.error());
  auto deadlines = policy_.policy().complaints;
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Complaint> {
    auto customer = tx.customer(in.customer_id);
    if (!customer) return unknown("customer_id", in.customer_id);
    Complaint c;
    c.customer_id = in.customer_id;
    c.technician_id = in.technician_id;
    if (in.job_id) {
      auto job = tx.job(*in.job_id);
      if (!job) return unknown("job_id", *in.job_id);
      auto site = tx.site(job->site_id);
      if (!site || site->customer_id != in.customer_id) {
        return invalid("job_id", "job " + std::to_string(*in.job_id) +
                                     " is not at a site of customer " +
                                     std::to_string(in.customer_id));
      }
      c.job_id = in.job_id;
      if (!c.technician_id) c.technician_id = job->technician_id;
    }
    if (in.technician_id && !tx.technician(*in.technician_id)) {
      return unknown("technician_id", *in.technician_id);
    }
    c.channel = in.channel;
    c.severity = in.severity;
    c.text = in.text;
    c.received_at = *received;
    c.due = *received + std::chrono::hours(deadlines.hours_for(customer->account_tier));
    c.created_by = who.actor();
    c.created_at = now;
    c.id = tx.insert_complaint(c);
    tx.insert_complaint_event({0, c.id, "created", who.actor(), now,
                               "due " + format_rfc3339(c.due) + " (" +
                                   std::string(to_string(customer->account_tier)) + " account)"});
    fx.log(
        LogLevel::info, "complaint received",
        {{"complaint_id", c.id}, {"customer_id", c.customer_id}, {"due", format_rfc3339(c.due)}});
    return *tx.complaint(c.id);
  });
}

Result<Complaint> ComplaintService::get(ComplaintId id) {
  auto c = store_.read([&](store::Tx& tx) { return tx.complaint(id); });
  if (!c) return not_found("complaint", id);
  return std::move(*c);
}

std::vector<Complaint> ComplaintService::list(const store::Page& page,
                                              std::optional<ComplaintStatus> status, bool overdue,
                                              std::optional<CustomerId> customer) {
  store::ComplaintFilter filter{status, std::nullopt, customer};
  if (overdue) filter.overdue_at = clock_.now();
  return store_.read([&](store::Tx& tx) { return tx.complaints(page, filter); });
}

Result<Complaint> ComplaintService::answer(const Principal& who, ComplaintId id,
                                           const ComplaintAnswer& in) {
  auto now = clock_.now();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<Complaint> {
    auto c = tx.complaint(id);
    if (!c) return not_found("complaint", id);
    if (c->status == ComplaintStatus::answered) {
      return fail(ErrorCode::conflict, "complaint " + std::to_string(id) + " was answered at " +
                                           format_rfc3339(*c->answered_at));
    }
    auto at = when(in.answered_at, now, "answered_at");
    if (!at) return std::unexpected(at.error());
    if (*at < c->received_at) {
      return invalid("answered_at", "must not be before the complaint was received (" +
                                        format_rfc3339(c->received_at) + ")");
    }
    c->status = ComplaintStatus::answered;
    c->answer = in.answer;
    c->answered_at = *at;
    if (!tx.update_complaint(*c))
      return fail(ErrorCode::conflict, "the complaint changed meanwhile");
    bool late = *c->answered_late();
    tx.insert_complaint_event({0, id, "answered", who.actor(), now,
                               late ? "after its due" : "within its due"});
    fx.log(LogLevel::info, "complaint answered",
           {{"complaint_id", id},
            {"late", std::string(late ? "true" : "false")},
            {"answered_at", format_rfc3339(*at)}});
    return *tx.complaint(id);
  });
}

std::vector<ComplaintEvent> ComplaintService::events(ComplaintId id) {
  return store_.read([&](store::Tx& tx) { return tx.complaint_events(id); });
}

int escalate_complaints(store::Store& store, Instant now) {
  int total = 0;
  for (;;) {
    int done = write(store, [&](store::Tx& tx, Effects& fx) {
      auto due = tx.complaints_to_escalate(now, kEscalationBatch);
      for (auto& c : due) {
        c.escalated_at = now;
        if (!tx.update_complaint(c)) continue;
        tx.insert_complaint_event({0, c.id, "escalated", "complaint-monitor", now,
                                   "unanswered at its due " + format_rfc3339(c.due)});
        fx.log(LogLevel::warn, "complaint escalated",
               {{"complaint_id", c.id},
                {"customer_id", c.customer_id},
                {"due", format_rfc3339(c.due)},
                {"severity", std::string(to_string(c.severity))}});
      }
      return static_cast<int>(due.size());
    });
    total += done;
    if (done < kEscalationBatch) return total;
  }
}

}  // namespace fieldserve::app
