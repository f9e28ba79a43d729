#pragma once
// Pull cursors (docs/sync-protocol.md). A cursor is opaque to devices; inside it names the
// database, the technician, the change sequence the device has seen, and, while a snapshot is being
// paged, the last job id sent. It never holds a wall-clock time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.h"

namespace fieldserve::sync {

struct Cursor {
  std::string database_id;
  TechnicianId technician_id = 0;
  std::int64_t seq = 0;  // every change up to here is reflected on the device
  // Set while a snapshot pinned at `seq` is paged by job id: the last id sent.
  std::optional<JobId> snapshot_after;
};

std::string encode_cursor(const Cursor& c);
// nullopt when the text is not a cursor this server made (garbage, truncated, edited).
std::optional<Cursor> decode_cursor(std::string_view text);

// What the server knows about its feed when a cursor arrives.
struct FeedBounds {
  std::string database_id;
  std::int64_t last_seq = 0;  // the newest change committed
  std::int64_t floor = 0;     // changes at or below this seq were pruned
};

enum class CursorVerdict {
  resume,       // continue from the cursor
  reset,        // unknown database, pruned past it, or ahead of the server: start a snapshot
  wrong_owner,  // issued to another technician: a client error, never data
};

CursorVerdict judge_cursor(const Cursor& c, TechnicianId technician, const FeedBounds& bounds);

// The staff change feed's cursor (GET /api/v1/feed, docs/web.md): the database and the last
// change the console has seen. Opaque to clients, checksummed like a pull cursor.
struct StaffCursor {
  std::string database_id;
  std::int64_t seq = 0;
};

std::string encode_staff_cursor(const StaffCursor& c);
std::optional<StaffCursor> decode_staff_cursor(std::string_view text);

}  // namespace fieldserve::sync
