#pragma once
// The catalogue of codes a pushed op's result may carry (docs/sync-protocol.md), like the HTTP
// error catalogue: one table gives each code its wire name and the status it goes with.
#include <optional>
#include <span>
#include <string_view>

#include "domain/error.h"

namespace fieldserve::sync {

enum class OpStatus { applied, duplicate, conflict, rejected };
std::optional<OpStatus> parse_op_status(std::string_view s);
std::string_view to_string(OpStatus s);

enum class OpCode {
  none,                // applied: no code
  not_your_job,        // conflict: the job was never the technician's; nothing stored
  job_reassigned,      // conflict: facts kept and the job flagged; status recorded only
  job_cancelled,       // conflict, as job_reassigned
  job_closed,          // conflict, as job_reassigned
  op_id_reused,        // rejected: the op_id came before with another op
  unknown_op_type,     // rejected: a type this server does not know
  malformed_op,        // rejected: not an op (no usable op_id, type, job_id, at or payload)
  validation_failed,   // rejected: the payload breaks a rule
  invalid_signature,   // rejected: the sign-off's image is not an acceptable PNG
  signoff_exists,      // rejected: a sign-off never changes
  invalid_transition,  // rejected: the job cannot make this status move
  unknown_reference,   // rejected: the job's site or center vanished
  internal,            // rejected: a fault on the server's side
};

struct OpCodeInfo {
  OpCode code;
  std::string_view name;
  OpStatus status;  // the result status that goes with it
};

std::span<const OpCodeInfo> op_code_catalogue();
std::string_view to_string(OpCode code);  // "" for none
std::optional<OpCode> parse_op_code(std::string_view name);
// A rule of the job lifecycle broken by an op, as its op code.
OpCode op_code_for(ErrorCode error);

}  // namespace fieldserve::sync
