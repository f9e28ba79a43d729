#pragma once
// The conflict rules of docs/sync-protocol.md: what a pushed op may do to a job, given where the
// job stands now relative to the technician who pushed it. Facts are never dropped; status changes
// apply only to a job that is still the technician's.
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.h"
#include "sync/op_codes.h"

namespace fieldserve::sync {

enum class OpType { status, signoff, note, parts_used, location };
std::optional<OpType> parse_op_type(std::string_view s);
std::string_view to_string(OpType t);
bool is_fact(OpType t);  // signoff, note, parts_used: kept even when the job moved on

// 8-4-4-4-12 hex digits, either case.
bool is_uuid(std::string_view s);

enum class Standing {
  yours,       // assigned to the technician and still open for work
  reassigned,  // it was the technician's, now it is someone else's (or nobody's)
  cancelled,
  closed,
  not_yours,  // absent, or never assigned to this technician: nothing may be learned or stored
};

// `ever_assigned` says whether the job was at some time assigned to `me` (from its event log).
Standing standing_of(const std::optional<Job>& job, TechnicianId me, bool ever_assigned);

enum class OpAction {
  apply,          // do what the op says
  keep_and_flag,  // store the fact, flag the job needs_review
  record_only,    // keep the op on the job's record without changing the job
  refuse,         // store nothing on the job
};

struct OpVerdict {
  OpAction action = OpAction::apply;
  OpStatus status = OpStatus::applied;
  OpCode code = OpCode::none;
  std::string message;
};

OpVerdict judge_op(OpType type, Standing standing, JobId job_id);

}  // namespace fieldserve::sync
