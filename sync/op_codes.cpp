#include "sync/op_codes.h"

#include <array>

namespace fieldserve::sync {
namespace {

constexpr std::array kCatalogue{
    OpCodeInfo{OpCode::none, "", OpStatus::applied},
    OpCodeInfo{OpCode::not_your_job, "not_your_job", OpStatus::conflict},
    OpCodeInfo{OpCode::job_reassigned, "job_reassigned", OpStatus::conflict},
    OpCodeInfo{OpCode::job_cancelled, "job_cancelled", OpStatus::conflict},
    OpCodeInfo{OpCode::job_closed, "job_closed", OpStatus::conflict},
    OpCodeInfo{OpCode::op_id_reused, "op_id_reused", OpStatus::rejected},
    OpCodeInfo{OpCode::unknown_op_type, "unknown_op_type", OpStatus::rejected},
    OpCodeInfo{OpCode::malformed_op, "malformed_op", OpStatus::rejected},
    OpCodeInfo{OpCode::validation_failed, "validation_failed", OpStatus::rejected},
    OpCodeInfo{OpCode::invalid_signature, "invalid_signature", OpStatus::rejected},
    OpCodeInfo{OpCode::signoff_exists, "signoff_exists", OpStatus::rejected},
    OpCodeInfo{OpCode::invalid_transition, "invalid_transition", OpStatus::rejected},
    OpCodeInfo{OpCode::unknown_reference, "unknown_reference", OpStatus::rejected},
    OpCodeInfo{OpCode::internal, "internal", OpStatus::rejected},
};

}  // namespace

std::span<const OpCodeInfo> op_code_catalogue() { return kCatalogue; }

std::string_view to_string(OpCode code) {
  for (const auto& info : kCatalogue) {
    if (info.code == code) return info.name;
  }
  return "internal";
}

std::optional<OpCode> parse_op_code(std::string_view name) {
  for (const auto& info : kCatalogue) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

OpCode op_code_for(ErrorCode error) {
  switch (error) {
    case ErrorCode::invalid_transition: return OpCode::invalid_transition;
    case ErrorCode::validation_failed: return OpCode::validation_failed;
    case ErrorCode::unknown_reference: return OpCode::unknown_reference;
    default: return OpCode::internal;
  }
}

}  // namespace fieldserve::sync
