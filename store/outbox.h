#pragma once
// A device's side of sync, kept in its own SQLite file: the outbox of ops recorded offline (each
// with its op_id and exact text, so a resend is byte-for-byte the same op), the job cache, and the
// pull cursor. Used by the device simulator (`fieldserve device`) and the sync tests.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fieldserve::store {

class Connection;

struct OutboxOp {
  std::int64_t seq = 0;
  std::string op_id;
  std::string body;                   // the op's JSON text as first recorded
  int attempts = 0;                   // pushes that carried it
  std::optional<std::string> status;  // the server's answer once one arrived
  std::optional<std::string> code;
};

struct OutboxCounts {
  std::int64_t pending = 0;  // no answer yet
  std::int64_t answered = 0;
  std::int64_t resent = 0;      // ops pushed more than once (a lost answer or a failed push)
  std::int64_t duplicates = 0;  // answered "duplicate": a resend the server had already applied
  std::int64_t jobs = 0;        // in the job cache
};

class Outbox {
 public:
  explicit Outbox(const std::string& path);
  ~Outbox();

  void add(const std::string& op_id, const std::string& body);
  std::vector<OutboxOp> pending(int limit);
  void mark_sent(const std::vector<std::string>& op_ids);  // attempts + 1
  struct Answer {
    std::string op_id;
    std::string status;  // for a duplicate, the first result's status
    std::string code;
    bool duplicate = false;  // the server had already applied it: an earlier answer was lost
  };
  void record_answers(const std::vector<Answer>& answers);
  std::vector<OutboxOp> all();
  OutboxCounts counts();

  std::optional<std::string> cursor();
  // One pull page applied atomically: cache changes and the cursor that follows them.
  void apply_page(bool reset, const std::vector<std::pair<std::int64_t, std::string>>& upserted,
                  const std::vector<std::int64_t>& removed, const std::string& cursor);
  std::vector<std::string> cached_jobs();

 private:
  std::unique_ptr<Connection> conn_;
};

}  // namespace fieldserve::store
