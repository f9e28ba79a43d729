#pragma once
// One op of a push as the server understood it, before it meets the database.
#include <optional>
#include <string>
#include <vector>

#include "domain/job_status.h"
#include "domain/model.h"
#include "sync/op_rules.h"

namespace fieldserve::sync {

struct PushOp {
  std::string op_id;  // empty when the op carried none usable: its result cannot be stored
  std::string type_name;
  std::optional<OpType> type;
  std::optional<JobId> job_id;
  std::optional<Instant> at;  // device clock, as sent
  std::string body;           // the op as sent, canonical JSON text (unknown fields kept)
  std::string digest;         // SHA-256 of body: tells a resend from a reused op_id
  // The fields this server does not know (at the op's top level and in its payload), as canonical
  // JSON text; empty when there are none. An applied op keeps only these in the ledger: its
  // effect is its record, and a newer app's fields must not be lost (docs/sync-protocol.md).
  std::string unknown_fields;

  // Set when the op cannot be applied as sent: rejected with this code and message.
  OpCode reject_code = OpCode::none;
  std::string reject_message;

  // Payload, per type.
  std::optional<StatusRequest> status_to;
  std::optional<HoldReason> hold_reason;
  std::string text;  // note text, or the note on a status op
  std::vector<PartUse> parts;
  std::optional<geo::LatLon> location;
  Signoff signoff;  // job, technician, times and op_id are filled in when applied
};

}  // namespace fieldserve::sync
