#pragma once
// Mobile sync (docs/sync-protocol.md): a technician's device pulls its job list by cursor and
// pushes what happened offline. The rules live in sync/; this service runs them against the
// store. Job documents are rendered by the renderer the edge gives it, so that snapshot pages
// can be kept rendered and reused while nothing in them changed.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/auth.h"
#include "app/dispatcher.h"
#include "app/job_document.h"
#include "app/job_writer.h"
#include "app/sync_page_cache.h"
#include "domain/error.h"
#include "store/store.h"
#include "sync/cursor.h"
#include "sync/feed.h"
#include "sync/push_op.h"

namespace fieldserve::app {

// Appends one job document to `out`; lowers `valid_until` to the first instant after `now` at
// which something in the document changes by itself (an SLA state).
using DocumentRenderer =
    std::function<void(std::string& out, const JobDocument& doc, const dispatch::SlaPolicy& policy,
                       Instant now, Instant& valid_until)>;

struct Removal {
  JobId job_id = 0;
  sync::RemovalReason reason = sync::RemovalReason::reassigned;
};

struct PullPage {
  sync::Cursor cursor;
  bool has_more = false;
  bool reset = false;  // the device must replace its job cache (never its outbox)
  Instant server_time{};
  std::vector<Removal> removed;
  // The rendered documents, comma-separated: a cached snapshot page's, or this page's own.
  std::string_view documents() const { return snapshot ? snapshot->upserted : upserted; }

  std::shared_ptr<const SnapshotPage> snapshot;
  std::string upserted;
};

struct OpOutcome {
  sync::OpStatus status = sync::OpStatus::applied;
  sync::OpCode code = sync::OpCode::none;
  std::string message;
  std::optional<store::LedgerEntry> first;  // for a duplicate: the result first given
};

struct SyncOptions {
  // Pushes share commits (Store::write_grouped). Off only to measure the baseline of one commit
  // per push.
  bool group_commit = true;
};

class SyncService {
 public:
  static constexpr int kDefaultPullLimit = 200;
  static constexpr int kMaxPullLimit = 1000;
  static constexpr std::size_t kPageBytes = 4u << 20;  // a page stops growing once past this
  static constexpr std::size_t kMaxOpsPerPush = 500;

  SyncService(store::Store& store, JobWriter& writer, Dispatcher& dispatcher,
              DocumentRenderer render, SyncOptions options = {})
      : store_(store),
        writer_(writer),
        dispatcher_(dispatcher),
        render_(std::move(render)),
        options_(options) {}

  // forbidden for a token that names no technician; invalid_cursor for a cursor this server did
  // not issue or issued to another technician. A cursor that cannot be resumed resets.
  Result<PullPage> pull(const Principal& who, const std::optional<sync::Cursor>& cursor, int limit);

  // Applies `ops` in order, each exactly once, in one transaction committed before this returns;
  // one outcome per op. Throws StoreBusy/StoreError when nothing could be committed.
  Result<std::vector<OpOutcome>> push(const Principal& who, Instant client_time,
                                      const std::vector<sync::PushOp>& ops);

  // Drops the changes older than `retention` (at the writer clock's now) and returns the feed's
  // new floor: a device whose cursor is below it resets (a fresh snapshot; its outbox stays).
  std::int64_t prune_feed(std::chrono::days retention);

 private:
  struct PushContext;
  std::shared_ptr<const SnapshotPage> snapshot_page(store::Tx& tx, const store::FeedState& feed,
                                                    TechnicianId me, JobId after, int limit,
                                                    const dispatch::SlaPolicy& policy,
                                                    std::uint64_t generation, Instant now);
  OpOutcome apply_op(PushContext& c, store::Tx& tx, Effects& fx, const sync::PushOp& op);
  OpOutcome decide_and_apply(PushContext& c, store::Tx& tx, Effects& fx, const sync::PushOp& op,
                             std::optional<Instant>& corrected);
  void store_fact(const PushContext& c, store::Tx& tx, const sync::PushOp& op, const Job& job,
                  Instant at);

  store::Store& store_;
  JobWriter& writer_;
  Dispatcher& dispatcher_;
  DocumentRenderer render_;
  SyncOptions options_;
  SyncPageCache pages_;
};

}  // namespace fieldserve::app
