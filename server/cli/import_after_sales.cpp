// The after-sales files of a sample folder: exchanges, complaints (with their answers as
// history) and follow-up results (docs/after-sales.md, "Sample data").
#include "server/cli/importer.h"
#include "server/http/json_body.h"

namespace fieldserve::server {
namespace {

std::unexpected<Error> bad_row(const char* file, std::size_t row, const std::string& problem) {
  return at_row(file, row, Error{ErrorCode::validation_failed, problem, {}});
}

}  // namespace

Result<int> import_exchanges(store::Tx& tx, const nlohmann::json& rows, Instant now) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FieldReader r(rows[i]);
    EquipmentExchange e;
    e.equipment_id = r.integer("equipment_id", true, 1, INT64_MAX).value_or(0);
    e.at = r.instant("at", true).value_or(now);
    e.note = r.text("note", false, 1000, true).value_or("");
    if (auto ok = r.finish(); !ok) return at_row("exchanges.json", i, ok.error());
    auto unit = tx.equipment(e.equipment_id);
    if (!unit) return bad_row("exchanges.json", i, "equipment_id names no unit");
    if (e.at < unit->sold_at || e.at > now) {
      return bad_row("exchanges.json", i, "at must lie between the sale and now");
    }
    e.actor = "import";
    e.recorded_at = e.at;
    (void)tx.insert_exchange(e);
  }
  return static_cast<int>(rows.size());
}

Result<int> import_complaints(store::Tx& tx, const nlohmann::json& rows,
                              const dispatch::ComplaintDeadlines& deadlines, Instant now) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FieldReader r(rows[i]);
    Complaint c;
    c.customer_id = r.integer("customer_id", true, 1, INT64_MAX).value_or(0);
    c.job_id = r.integer("job_id", false, 1, INT64_MAX);
    c.technician_id = r.integer("technician_id", false, 1, INT64_MAX);
    c.channel = r.one_of("channel", true, parse_complaint_channel, "phone, email, web, visit")
                    .value_or(ComplaintChannel::phone);
    c.severity = r.one_of("severity", false, parse_complaint_severity, "normal, serious")
                     .value_or(ComplaintSeverity::normal);
    c.text = r.text("text", true, 4000).value_or("");
    c.received_at = r.instant("received_at", true).value_or(now);
    auto answer = r.text("answer", false, 4000);
    c.answered_at = r.instant("answered_at", false);
    if (auto ok = r.finish(); !ok) return at_row("complaints.json", i, ok.error());
    auto customer = tx.customer(c.customer_id);
    if (!customer) return bad_row("complaints.json", i, "customer_id names no customer");
    if (c.job_id) {
      auto job = tx.job(*c.job_id);
      auto site = job ? tx.site(job->site_id) : std::nullopt;
      if (!site || site->customer_id != c.customer_id) {
        return bad_row("complaints.json", i, "job_id names no job of the customer");
      }
      if (!c.technician_id) c.technician_id = job->technician_id;
    }
    if (c.received_at > now) return bad_row("complaints.json", i, "received_at is in the future");
    if (answer.has_value() != c.answered_at.has_value()) {
      return bad_row("complaints.json", i, "answer and answered_at come together");
    }
    if (c.answered_at && (*c.answered_at < c.received_at || *c.answered_at > now)) {
      return bad_row("complaints.json", i, "answered_at must lie between received_at and now");
    }
    c.due = c.received_at + std::chrono::hours(deadlines.hours_for(customer->account_tier));
    c.created_by = "import";
    c.created_at = c.received_at;
    if (answer) {
      c.status = ComplaintStatus::answered;
      c.answer = *answer;
    }
    // Past its due unanswered, a running server escalated it at its due.
    bool escalated = c.due <= c.answered_at.value_or(now);
    if (escalated) c.escalated_at = c.due;
    c.id = tx.insert_complaint(c);
    tx.insert_complaint_event({0, c.id, "created", "import", c.received_at, ""});
    if (escalated) tx.insert_complaint_event({0, c.id, "escalated", "import", c.due, ""});
    if (c.answered_at)
      tx.insert_complaint_event({0, c.id, "answered", "import", *c.answered_at, ""});
  }
  return static_cast<int>(rows.size());
}

Result<int> import_follow_up_results(store::Tx& tx, const nlohmann::json& rows, Instant now) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FieldReader r(rows[i]);
    auto job = r.integer("job_id", true, 1, INT64_MAX);
    auto reached = r.boolean("reached", true);
    auto satisfaction = r.integer("satisfaction", false, 1, 5);
    auto comment = r.text("comment", false, 4000, true);
    auto at = r.instant("at", true);
    if (auto ok = r.finish(); !ok) return at_row("followups.json", i, ok.error());
    auto f = tx.follow_up_of_job(*job);
    if (!f) return bad_row("followups.json", i, "job_id names no closed job");
    if (satisfaction && !*reached) {
      return bad_row("followups.json", i, "a satisfaction needs a customer reached");
    }
    if (*at > now) return bad_row("followups.json", i, "at is in the future");
    if (f->status == FollowUpStatus::done) return bad_row("followups.json", i, "a second result");
    f->status = FollowUpStatus::done;
    f->reached = *reached;
    if (satisfaction) f->satisfaction = static_cast<int>(*satisfaction);
    f->comment = comment.value_or("");
    f->done_at = *at;
    f->done_by = "import";
    (void)tx.update_follow_up(*f);
  }
  return static_cast<int>(rows.size());
}

}  // namespace fieldserve::server
