#include "app/sync_service.h"

#include <unordered_map>

#include "app/effects.h"
#include "domain/job_status.h"
#include "sync/clock_skew.h"

namespace fieldserve::app {
namespace {

// What a removal adds to a page, for the page's size limit.
constexpr std::size_t kRemovalBytes = 40;

Result<TechnicianId> technician_of(const Principal& who) {
  if (!who.technician_id) {
    return fail(ErrorCode::forbidden, "sync is for technician tokens that name a technician");
  }
  return *who.technician_id;
}

OpOutcome rejected(sync::OpCode code, std::string message) {
  return {sync::OpStatus::rejected, code, std::move(message), std::nullopt};
}

std::string request_name(StatusRequest r) {
  switch (r) {
    case StatusRequest::accepted: return "accepted";
    case StatusRequest::en_route: return "en_route";
    case StatusRequest::on_site: return "on_site";
    case StatusRequest::on_hold: return "on_hold";
    case StatusRequest::resumed: return "resumed";
    case StatusRequest::resolved: return "resolved";
    case StatusRequest::closed: return "closed";
  }
  return "?";
}

}  // namespace

// ---- pull ------------------------------------------------------------------------------------

// One page of a snapshot: the technician's jobs after `after` by id, rendered, or the same page
// rendered before if nothing in it can have changed since.
std::shared_ptr<const SnapshotPage> SyncService::snapshot_page(
    store::Tx& tx, const store::FeedState& feed, TechnicianId me, JobId after, int limit,
    const dispatch::SlaPolicy& policy, std::uint64_t generation, Instant now) {
  // Checking a page costs an index seek per 1,024 changes since it was rendered; a page older
  // than that many is rendered again instead.
  constexpr std::int64_t kMaxChangesToCheck = std::int64_t{64} * 1024;
  if (auto hit = pages_.find(me, after, limit, feed.floor, generation, now);
      hit && feed.last_seq - hit->feed_seq <= kMaxChangesToCheck &&
      !tx.feed_has_after(me, hit->feed_seq)) {
    return hit;
  }
  auto jobs = tx.device_jobs(me, after, limit + 1);
  auto page = std::make_shared<SnapshotPage>();
  page->more = static_cast<int>(jobs.size()) > limit;
  if (page->more) jobs.resize(static_cast<std::size_t>(limit));
  page->feed_seq = feed.last_seq;
  page->floor = feed.floor;
  page->policy_generation = generation;
  page->valid_until = Instant::max();
  DocumentSet docs(tx, std::move(jobs));
  for (const auto& job : docs.jobs()) {
    if (page->count > 0 && page->upserted.size() > kPageBytes) {
      page->more = true;
      break;
    }
    if (auto doc = docs.document(job)) {
      if (!page->upserted.empty()) page->upserted += ',';
      render_(page->upserted, *doc, policy, now, page->valid_until);
    }
    page->last_id = job.id;
    ++page->count;
  }
  pages_.put(me, after, limit, page);
  return page;
}

std::int64_t SyncService::prune_feed(std::chrono::days retention) {
  auto before = writer_.clock().now() - retention;
  return store_.write([&](store::Tx& tx) { return tx.prune_feed(before); });
}

Result<PullPage> SyncService::pull(const Principal& who, const std::optional<sync::Cursor>& given,
                                   int limit) {
  auto technician = technician_of(who);
  if (!technician) return std::unexpected(technician.error());
  auto now = writer_.clock().now();
  // The generation first: if the policy changes in between, the page is tagged older than the
  // policy it was rendered with, and is never served again.
  auto generation = writer_.policy().generation();
  auto policy = writer_.policy().policy();
  TechnicianId me = *technician;

  return store_.read([&](store::Tx& tx) -> Result<PullPage> {
    auto feed = tx.feed_state();
    sync::FeedBounds bounds{feed.database_id, feed.last_seq, feed.floor};
    // No cursor, or one that cannot be resumed: a snapshot pinned at the newest change.
    sync::Cursor at{feed.database_id, me, feed.last_seq, JobId{0}};
    PullPage out;
    out.server_time = now;
    if (given) {
      switch (sync::judge_cursor(*given, me, bounds)) {
        case sync::CursorVerdict::wrong_owner:
          return fail(ErrorCode::invalid_cursor, "this cursor was issued to another technician");
        case sync::CursorVerdict::reset: out.reset = true; break;
        case sync::CursorVerdict::resume: at = *given; break;
      }
    }

    if (at.snapshot_after) {
      out.snapshot = snapshot_page(tx, feed, me, *at.snapshot_after, limit, policy, generation,
                                   now);
      out.cursor = sync::Cursor{at.database_id, me, at.seq, std::nullopt};
      out.has_more = out.snapshot->more;
      if (out.snapshot->more) out.cursor.snapshot_after = out.snapshot->last_id;
      else out.has_more = tx.feed_has_after(me, at.seq);
      return out;
    }

    auto rows = tx.feed_after(me, at.seq, limit);
    std::vector<sync::FeedEntry> entries;
    entries.reserve(rows.size());
    for (const auto& r : rows) {
      entries.push_back({r.seq, r.job_id,
                         r.removed ? sync::parse_removal_reason(*r.removed) : std::nullopt});
    }
    auto collapsed = sync::collapse(entries);
    std::vector<JobId> upsert_ids;
    for (const auto& c : collapsed) {
      if (!c.removed) upsert_ids.push_back(c.job_id);
    }
    DocumentSet docs(tx, tx.device_jobs_by_id(me, upsert_ids));
    out.cursor = sync::Cursor{at.database_id, me, feed.last_seq, std::nullopt};
    if (static_cast<int>(rows.size()) == limit) {
      out.cursor.seq = rows.back().seq;
      out.has_more = tx.feed_has_after(me, rows.back().seq);
    }
    // Otherwise caught up: the cursor moves to the newest change overall, so an idle device's
    // cursor stays ahead of pruning.
    Instant valid_until = Instant::max();
    for (const auto& c : collapsed) {
      if (out.upserted.size() + out.removed.size() * kRemovalBytes > kPageBytes) {
        out.cursor.seq = c.last_seq - 1;  // everything before this item has been sent
        out.has_more = true;
        break;
      }
      if (c.removed) {
        out.removed.push_back({c.job_id, *c.removed});
      } else if (const Job* job = docs.job(c.job_id)) {
        if (auto doc = docs.document(*job)) {
          if (!out.upserted.empty()) out.upserted += ',';
          render_(out.upserted, *doc, policy, now, valid_until);
        }
      }
      // An upsert for a job no longer on the device's list is skipped: its removal comes later.
    }
    return out;
  });
}

// ---- push ------------------------------------------------------------------------------------

// Everything one push shares while its ops are applied in order.
struct SyncService::PushContext {
  const Principal& who;
  TechnicianId technician;
  Instant client_time;
  Instant received_at;
  // Jobs as read in this push's transaction; a batch usually names one job many times. An entry
  // is dropped whenever the push changes that job.
  std::unordered_map<JobId, std::optional<Job>> jobs{};
  // The ledger's entries for this push's op_ids, read with one query before the first op, and
  // each op's own entry added once it is written (an op_id sent twice in one push is a resend).
  std::unordered_map<std::string, store::LedgerEntry> ledger{};

  const std::optional<Job>& job(store::Tx& tx, JobId id) {
    auto it = jobs.find(id);
    if (it == jobs.end()) it = jobs.emplace(id, tx.job(id)).first;
    return it->second;
  }
  void changed(JobId id) { jobs.erase(id); }

  JobEvent event(const Job& job, std::string type, std::optional<JobStatus> from, Instant at,
                 Instant device_at) const {
    auto e = job_event(job, std::move(type), from, who.actor(), EventSource::sync, at);
    e.received_at = received_at;
    e.device_at = device_at;
    return e;
  }
};

// Stores a note, parts or a sign-off pushed for `job`.
void SyncService::store_fact(const PushContext& c, store::Tx& tx, const sync::PushOp& op,
                             const Job& job, Instant at) {
  switch (*op.type) {
    case sync::OpType::note:
      tx.insert_note({0, job.id, c.technician, c.who.actor(), op.text, at, c.received_at,
                      op.op_id});
      break;
    case sync::OpType::parts_used:
      for (const auto& part : op.parts) {
        tx.insert_part({0, job.id, c.technician, part, std::nullopt, at, c.received_at, op.op_id});
      }
      break;
    case sync::OpType::signoff: {
      Signoff s = op.signoff;
      s.job_id = job.id;
      s.technician_id = c.technician;
      s.signed_at = sync::correct_device_time(s.signed_at_device, c.client_time, c.received_at,
                                              job.reported_at)
                        .corrected;
      s.received_at = c.received_at;
      s.op_id = op.op_id;
      tx.insert_signoff(s);
      auto e = c.event(job, "signoff", job.status, s.signed_at, s.signed_at_device);
      e.detail = "signed by " + s.signer_name;
      tx.insert_event(e);
      break;
    }
    default: break;
  }
}

OpOutcome SyncService::decide_and_apply(PushContext& c, store::Tx& tx, Effects& fx,
                                        const sync::PushOp& op, std::optional<Instant>& corrected) {
  if (op.reject_code != sync::OpCode::none) return rejected(op.reject_code, op.reject_message);
  if (*op.type == sync::OpType::location) {
    corrected =
        sync::correct_device_time(*op.at, c.client_time, c.received_at, Instant{}).corrected;
    if (tx.move_technician(c.technician, *op.location, *corrected)) {
      if (auto t = tx.technician(c.technician)) dispatcher_.technician_changed(tx, fx, *t);
    }
    return {};
  }
  // A reference into the push's job cache: most ops (notes) only read the job, and copying it per
  // op showed in the committer's profile. Whatever changes the job works on a copy, and the
  // reference is not used after c.changed() drops the entry.
  const std::optional<Job>& cached = c.job(tx, *op.job_id);
  bool ever = cached && cached->technician_id != c.technician &&
              tx.ever_assigned(cached->id, c.technician);
  auto verdict = sync::judge_op(*op.type, sync::standing_of(cached, c.technician, ever),
                                *op.job_id);
  OpOutcome result{verdict.status, verdict.code, verdict.message, std::nullopt};
  if (verdict.action == sync::OpAction::refuse) return result;
  corrected = sync::correct_device_time(*op.at, c.client_time, c.received_at, cached->reported_at)
                  .corrected;
  if (*op.type == sync::OpType::signoff && tx.signoff_exists(op.signoff.id)) {
    return rejected(sync::OpCode::signoff_exists,
                    "sign-off " + op.signoff.id + " is already stored; a sign-off never changes");
  }
  switch (verdict.action) {
    case sync::OpAction::refuse: return result;
    case sync::OpAction::record_only: {
      auto e = c.event(*cached, "status_not_applied", cached->status, *corrected, *op.at);
      e.detail = "device asked for " + request_name(*op.status_to) + "; " +
                 std::string(sync::to_string(verdict.code));
      tx.insert_event(e);
      return result;
    }
    case sync::OpAction::keep_and_flag: {
      store_fact(c, tx, op, *cached, *corrected);
      if (!cached->needs_review) {
        Job job = *cached;
        job.needs_review = true;
        writer_.save(tx, fx, job);
        c.changed(job.id);
        auto e = c.event(job, "needs_review", job.status, c.received_at, *op.at);
        e.detail = std::string(to_string(*op.type)) + " from a device after the job moved on: " +
                   std::string(sync::to_string(verdict.code));
        tx.insert_event(e);
      }
      return result;
    }
    case sync::OpAction::apply: break;
  }
  auto advance_when_signed = [&](JobId id) {
    bool moved = writer_.advance_if_signed(tx, fx, id, [&](const Job& job) {
      return c.event(job, "status", JobStatus::resolved, *corrected, *op.at);
    });
    if (moved) c.changed(id);
  };
  if (*op.type == sync::OpType::status) {
    Job job = *cached;
    auto change = plan_status_change(job, *op.status_to, op.hold_reason);
    if (!change) return rejected(sync::op_code_for(change.error().code), change.error().message);
    auto from = job.status;
    auto ok = writer_.store_status_change(tx, fx, job, *change, *corrected);
    c.changed(job.id);
    if (!ok) return rejected(sync::op_code_for(ok.error().code), ok.error().message);
    auto e = c.event(job, "status", from, *corrected, *op.at);
    if (change->hold_reason) e.detail = std::string(to_string(*change->hold_reason));
    if (!op.text.empty()) e.detail += (e.detail.empty() ? "" : "; ") + op.text;
    tx.insert_event(e);
    if (change->to == JobStatus::resolved) {
      advance_when_signed(job.id);
      dispatcher_.technician_freed(tx, fx, job, c.who.actor(), c.received_at);
    }
    return result;
  }
  JobId id = cached->id;
  store_fact(c, tx, op, *cached, *corrected);
  if (*op.type == sync::OpType::signoff) advance_when_signed(id);
  return result;
}

OpOutcome SyncService::apply_op(PushContext& c, store::Tx& tx, Effects& fx,
                                const sync::PushOp& op) {
  // Without a usable op_id the result cannot be kept, so the device cannot tell a resend apart.
  if (op.op_id.empty()) return rejected(op.reject_code, op.reject_message);
  if (auto found = c.ledger.find(op.op_id); found != c.ledger.end()) {
    const auto& seen = found->second;
    if (seen.digest == op.digest && seen.technician_id == c.technician) {
      auto code = sync::parse_op_code(seen.code).value_or(sync::OpCode::internal);
      return {sync::OpStatus::duplicate, code, "already received; the first result stands", seen};
    }
    return rejected(sync::OpCode::op_id_reused,
                    "op_id " + op.op_id +
                        " was already used for a different op; give every op a fresh UUID");
  }
  std::optional<Instant> corrected;
  OpOutcome result = decide_and_apply(c, tx, fx, op, corrected);
  store::LedgerEntry entry;
  entry.op_id = op.op_id;
  entry.technician_id = c.technician;
  entry.token_id = c.who.token_id;
  entry.job_id = op.job_id;
  entry.type = op.type_name;
  entry.digest = op.digest;
  entry.status = std::string(sync::to_string(result.status));
  entry.code = std::string(sync::to_string(result.code));
  entry.message = result.message;
  entry.device_at = op.at;
  entry.at = corrected;
  entry.received_at = c.received_at;
  // An applied op's effect is its record, so only the fields this server does not know are kept
  // with it (normally none: the push path stays lean); an op not applied is kept whole, for
  // whoever has to find out why.
  entry.body = result.status == sync::OpStatus::applied ? op.unknown_fields : op.body;
  tx.insert_ledger(entry);
  c.ledger.insert_or_assign(entry.op_id, std::move(entry));
  return result;
}

Result<std::vector<OpOutcome>> SyncService::push(const Principal& who, Instant client_time,
                                                 const std::vector<sync::PushOp>& ops) {
  auto technician = technician_of(who);
  if (!technician) return std::unexpected(technician.error());
  if (ops.size() > kMaxOpsPerPush) {
    return fail(ErrorCode::payload_too_large,
                "a push holds at most 500 ops; send the rest in the next push");
  }
  PushContext context{who, *technician, client_time, writer_.clock().now()};
  auto apply_all = [&](store::Tx& tx, Effects& fx) {
    // A group commit may run this twice: nothing read in an attempt that did not commit may stay.
    context.jobs.clear();
    context.ledger.clear();
    std::vector<std::string> op_ids;
    op_ids.reserve(ops.size());
    for (const auto& op : ops) {
      if (!op.op_id.empty()) op_ids.push_back(op.op_id);
    }
    for (auto& entry : tx.ledger_entries(op_ids)) {
      context.ledger.insert_or_assign(entry.op_id, std::move(entry));
    }
    std::vector<OpOutcome> results;
    results.reserve(ops.size());
    for (const auto& op : ops) results.push_back(apply_op(context, tx, fx, op));
    return results;
  };
  return options_.group_commit ? write_grouped(store_, apply_all) : write(store_, apply_all);
}

}  // namespace fieldserve::app
