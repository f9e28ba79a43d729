#include "sync/op_rules.h"

namespace fieldserve::sync {

std::optional<OpType> parse_op_type(std::string_view s) {
  if (s == "status") return OpType::status;
  if (s == "signoff") return OpType::signoff;
  if (s == "note") return OpType::note;
  if (s == "parts_used") return OpType::parts_used;
  if (s == "location") return OpType::location;
  return std::nullopt;
}

std::string_view to_string(OpType t) {
  switch (t) {
    case OpType::status: return "status";
    case OpType::signoff: return "signoff";
    case OpType::note: return "note";
    case OpType::parts_used: return "parts_used";
    case OpType::location: return "location";
  }
  return "status";
}

bool is_fact(OpType t) {
  return t == OpType::signoff || t == OpType::note || t == OpType::parts_used;
}

std::optional<OpStatus> parse_op_status(std::string_view s) {
  if (s == "applied") return OpStatus::applied;
  if (s == "duplicate") return OpStatus::duplicate;
  if (s == "conflict") return OpStatus::conflict;
  if (s == "rejected") return OpStatus::rejected;
  return std::nullopt;
}

std::string_view to_string(OpStatus s) {
  switch (s) {
    case OpStatus::applied: return "applied";
    case OpStatus::duplicate: return "duplicate";
    case OpStatus::conflict: return "conflict";
    case OpStatus::rejected: return "rejected";
  }
  return "rejected";
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

Standing standing_of(const std::optional<Job>& job, TechnicianId me, bool ever_assigned) {
  if (!job) return Standing::not_yours;
  bool mine_now = job->technician_id == me;
  if (!mine_now && !ever_assigned) return Standing::not_yours;
  if (job->status == JobStatus::cancelled) return Standing::cancelled;
  if (!mine_now) return Standing::reassigned;
  if (job->status == JobStatus::closed) return Standing::closed;
  return Standing::yours;
}

OpVerdict judge_op(OpType type, Standing standing, JobId job_id) {
  std::string job = "job " + std::to_string(job_id);
  switch (standing) {
    case Standing::yours: return {OpAction::apply, OpStatus::applied, OpCode::none, ""};
    case Standing::not_yours:
      return {OpAction::refuse, OpStatus::conflict, OpCode::not_your_job,
              job + " is not assigned to you; nothing was stored"};
    case Standing::reassigned:
    case Standing::cancelled:
    case Standing::closed: {
      OpCode code = standing == Standing::reassigned  ? OpCode::job_reassigned
                    : standing == Standing::cancelled ? OpCode::job_cancelled
                                                      : OpCode::job_closed;
      std::string why = standing == Standing::reassigned  ? " was reassigned"
                        : standing == Standing::cancelled ? " was cancelled"
                                                          : " was closed";
      if (is_fact(type)) {
        return {OpAction::keep_and_flag, OpStatus::conflict, code,
                job + why + " meanwhile; the " + std::string(to_string(type)) +
                    " was stored and the job flagged for review"};
      }
      return {OpAction::record_only, OpStatus::conflict, code,
              job + why + " meanwhile; the status change was recorded but not applied"};
    }
  }
  return {OpAction::refuse, OpStatus::rejected, OpCode::internal, "unknown standing"};
}

}  // namespace fieldserve::sync
