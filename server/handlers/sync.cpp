// Mobile sync (SPEC section 5): a technician's device pulls its job list by cursor and pushes
// what happened offline. The rules live in sync/; this file maps them onto HTTP and the store.
#include <fmt/format.h>

#include <unordered_map>

#include "domain/job_status.h"
#include "server/app.h"
#include "server/handlers/handlers.h"
#include "server/handlers/support.h"
#include "server/http/error_catalogue.h"
#include "server/json/sync_json.h"
#include "sync/clock_skew.h"
#include "sync/cursor.h"
#include "sync/feed.h"

namespace fieldserve::server {
namespace {

constexpr int kDefaultPullLimit = 200;
constexpr int kMaxPullLimit = 1000;
constexpr std::size_t kPageBytes = 4u << 20;  // a page stops growing once past this
constexpr std::size_t kMaxOpsPerPush = 500;

Result<TechnicianId> technician_of(const RouteRequest& req) {
  if (!req.who().technician_id) {
    return fail(ErrorCode::forbidden, "sync is for technician tokens that name a technician");
  }
  return *req.who().technician_id;
}

// ---- pull ------------------------------------------------------------------------------------

// The page's documents with what they embed, fetched in one statement per kind.
class DocumentSet {
 public:
  DocumentSet(store::Tx& tx, std::vector<Job> jobs) : jobs_(std::move(jobs)) {
    std::vector<JobId> ids;
    std::vector<SiteId> site_ids;
    std::vector<EquipmentId> equipment_ids;
    for (const auto& j : jobs_) {
      ids.push_back(j.id);
      site_ids.push_back(j.site_id);
      if (j.equipment_id) equipment_ids.push_back(*j.equipment_id);
    }
    for (auto& s : tx.sites_by_id(site_ids)) sites_.emplace(s.id, std::move(s));
    std::vector<CustomerId> customer_ids;
    for (const auto& [id, s] : sites_) customer_ids.push_back(s.customer_id);
    for (auto& c : tx.customers_by_id(customer_ids)) customers_.emplace(c.id, std::move(c));
    for (auto& e : tx.equipment_by_id(equipment_ids)) equipment_.emplace(e.id, std::move(e));
    notes_ = tx.notes_of(ids);
    parts_ = tx.parts_of(ids);
    signoffs_ = tx.signoffs_of(ids);
    for (const auto& j : jobs_) by_id_.emplace(j.id, &j);
  }

  const Job* job(JobId id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  const std::vector<Job>& jobs() const { return jobs_; }

  // Null site or customer means the row vanished under the job: not sendable.
  std::optional<JobDocument> document(const Job& j) const {
    JobDocument doc;
    doc.job = &j;
    auto site = sites_.find(j.site_id);
    if (site == sites_.end()) return std::nullopt;
    doc.site = &site->second;
    auto customer = customers_.find(site->second.customer_id);
    if (customer == customers_.end()) return std::nullopt;
    doc.customer = &customer->second;
    if (j.equipment_id) {
      auto e = equipment_.find(*j.equipment_id);
      if (e != equipment_.end()) doc.equipment = &e->second;
    }
    for (const auto& n : notes_) if (n.job_id == j.id) doc.notes.push_back(&n);
    for (const auto& p : parts_) if (p.job_id == j.id) doc.parts.push_back(&p);
    for (const auto& s : signoffs_) if (s.job_id == j.id) doc.signoffs.push_back(&s);
    return doc;
  }

 private:
  std::vector<Job> jobs_;
  std::unordered_map<JobId, const Job*> by_id_;
  std::unordered_map<SiteId, Site> sites_;
  std::unordered_map<CustomerId, Customer> customers_;
  std::unordered_map<EquipmentId, Equipment> equipment_;
  std::vector<JobNote> notes_;
  std::vector<JobPart> parts_;
  std::vector<Signoff> signoffs_;
};

Reply page_reply(const sync::Cursor& end, bool has_more, bool reset, Instant now,
                 const std::string& upserted, const std::string& removed) {
  Reply reply;
  reply.content_type = "application/json; charset=utf-8";
  std::string& out = reply.text;
  out.reserve(upserted.size() + removed.size() + 256);
  out += R"({"cursor":)";
  append_json_string(out, sync::encode_cursor(end));
  fmt::format_to(std::back_inserter(out), R"(,"has_more":{},"reset":{},"server_time":")", has_more,
                 reset);
  out += format_rfc3339(now);
  out += R"(","jobs":{"upserted":[)";
  out += upserted;
  out += R"(],"removed":[)";
  out += removed;
  out += "]}}";
  return reply;
}

// One page of a snapshot: the technician's jobs after `after` by id, rendered, or the same page
// rendered before if nothing in it can have changed since.
std::shared_ptr<const SnapshotPage> snapshot_page(App& app, store::Tx& tx,
                                                  const store::FeedState& feed, TechnicianId me,
                                                  JobId after, int limit,
                                                  const dispatch::SlaPolicy& policy,
                                                  std::uint64_t generation, Instant now) {
  // Checking a page costs an index seek per 1,024 changes since it was rendered; a page older
  // than that many is rendered again instead.
  constexpr std::int64_t kMaxChangesToCheck = 64 * 1024;
  if (auto hit = app.sync_pages().find(me, after, limit, feed.floor, generation, now);
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
      append_job_document(page->upserted, *doc, policy, now, page->valid_until);
    }
    page->last_id = job.id;
    ++page->count;
  }
  app.sync_pages().put(me, after, limit, page);
  return page;
}

Result<Reply> pull(RouteRequest& req) {
  auto technician = technician_of(req);
  if (!technician) return std::unexpected(technician.error());
  auto limit_param = req.query_int("limit");
  if (!limit_param) return std::unexpected(limit_param.error());
  auto wanted = limit_param->value_or(kDefaultPullLimit);
  if (wanted < 1 || wanted > kMaxPullLimit) {
    return fail(ErrorCode::bad_request, "limit must be an integer from 1 to 1000");
  }
  int limit = static_cast<int>(wanted);
  std::optional<sync::Cursor> given;
  if (auto text = req.query("cursor"); text && !text->empty()) {
    given = sync::decode_cursor(*text);
    if (!given) {
      return fail(ErrorCode::invalid_cursor,
                  "the cursor is not one this server issued; pull without a cursor to start over");
    }
  }
  auto now = req.app.clock().now();
  // The generation first: if the policy changes in between, the page is tagged older than the
  // policy it was rendered with, and is never served again.
  auto generation = req.app.policy_generation();
  auto policy = req.app.policy();
  TechnicianId me = *technician;

  return req.app.store().read([&](store::Tx& tx) -> Result<Reply> {
    auto feed = tx.feed_state();
    sync::FeedBounds bounds{feed.database_id, feed.last_seq, feed.floor};
    // No cursor, or one that cannot be resumed: a snapshot pinned at the newest change.
    sync::Cursor at{feed.database_id, me, feed.last_seq, JobId{0}};
    bool reset = false;
    if (given) {
      switch (sync::judge_cursor(*given, me, bounds)) {
        case sync::CursorVerdict::wrong_owner:
          return fail(ErrorCode::invalid_cursor, "this cursor was issued to another technician");
        case sync::CursorVerdict::reset: reset = true; break;
        case sync::CursorVerdict::resume: at = *given; break;
      }
    }

    if (at.snapshot_after) {
      auto page = snapshot_page(req.app, tx, feed, me, *at.snapshot_after, limit, policy,
                                generation, now);
      sync::Cursor end{at.database_id, me, at.seq, std::nullopt};
      bool has_more = page->more;
      if (page->more) end.snapshot_after = page->last_id;
      else has_more = tx.feed_has_after(me, at.seq);
      return page_reply(end, has_more, reset, now, page->upserted, "");
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
    sync::Cursor end{at.database_id, me, feed.last_seq, std::nullopt};
    bool has_more = false;
    if (static_cast<int>(rows.size()) == limit) {
      end.seq = rows.back().seq;
      has_more = tx.feed_has_after(me, rows.back().seq);
    }
    // Otherwise caught up: the cursor moves to the newest change overall, so an idle device's
    // cursor stays ahead of pruning.
    std::string upserted, removed;
    Instant valid_until = Instant::max();
    for (const auto& c : collapsed) {
      if (upserted.size() + removed.size() > kPageBytes) {
        end.seq = c.last_seq - 1;  // everything before this item has been sent
        has_more = true;
        break;
      }
      if (c.removed) {
        fmt::format_to(std::back_inserter(removed), R"({}{{"id":{},"reason":"{}"}})",
                       removed.empty() ? "" : ",", c.job_id, sync::to_string(*c.removed));
      } else if (const Job* job = docs.job(c.job_id)) {
        if (auto doc = docs.document(*job)) {
          if (!upserted.empty()) upserted += ',';
          append_job_document(upserted, *doc, policy, now, valid_until);
        }
      }
      // An upsert for a job no longer on the device's list is skipped: its removal comes later.
    }
    return page_reply(end, has_more, reset, now, upserted, removed);
  });
}

// ---- push ------------------------------------------------------------------------------------

struct OpResult {
  sync::OpStatus status = sync::OpStatus::applied;
  std::string code;
  std::string message;
  std::optional<store::LedgerEntry> first;  // for a duplicate: the result first given
};

OpResult rejected(std::string code, std::string message) {
  return {sync::OpStatus::rejected, std::move(code), std::move(message), std::nullopt};
}

// Everything one push shares while its ops are applied in order.
struct PushContext {
  App& app;
  const Principal& who;
  TechnicianId technician;
  Instant client_time;
  Instant received_at;
  // Jobs as read in this push's transaction; a batch usually names one job many times. An entry
  // is dropped whenever the push changes that job.
  std::unordered_map<JobId, std::optional<Job>> jobs{};

  const std::optional<Job>& job(store::Tx& tx, JobId id) {
    auto it = jobs.find(id);
    if (it == jobs.end()) it = jobs.emplace(id, tx.job(id)).first;
    return it->second;
  }
  void changed(JobId id) { jobs.erase(id); }
};

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

JobEvent sync_event(const PushContext& c, const Job& job, std::string type,
                    std::optional<JobStatus> from, Instant at, Instant device_at) {
  auto e = job_event(job, std::move(type), from, c.who.actor(), EventSource::sync, at);
  e.received_at = c.received_at;
  e.device_at = device_at;
  return e;
}

void advance_when_signed(PushContext& c, store::Tx& tx, JobId id, Instant at, Instant device_at) {
  if (server::advance_if_signed(c.app, tx, id, [&](const Job& job) {
        return sync_event(c, job, "status", JobStatus::resolved, at, device_at);
      })) {
    c.changed(id);
  }
}

// Stores a note, parts or a sign-off pushed for `job`.
void store_fact(const PushContext& c, store::Tx& tx, const sync::PushOp& op, const Job& job,
                Instant at) {
  switch (*op.type) {
    case sync::OpType::note:
      tx.insert_note({0, job.id, c.technician, c.who.actor(), op.text, at, c.received_at, op.op_id});
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
                                              job.reported_at).corrected;
      s.received_at = c.received_at;
      s.op_id = op.op_id;
      tx.insert_signoff(s);
      auto e = sync_event(c, job, "signoff", job.status, s.signed_at, s.signed_at_device);
      e.detail = "signed by " + s.signer_name;
      tx.insert_event(e);
      break;
    }
    default: break;
  }
}

OpResult decide_and_apply(PushContext& c, store::Tx& tx, const sync::PushOp& op,
                          std::optional<Instant>& corrected) {
  if (!op.reject_code.empty()) return rejected(op.reject_code, op.reject_message);
  if (*op.type == sync::OpType::location) {
    corrected = sync::correct_device_time(*op.at, c.client_time, c.received_at, Instant{}).corrected;
    if (tx.move_technician(c.technician, *op.location, *corrected)) {
      if (auto t = tx.technician(c.technician)) c.app.dispatcher().technician_changed(tx, *t);
    }
    return {};
  }
  // A reference into the push's job cache: most ops (notes) only read the job, and copying it per
  // op showed in the committer's profile. Whatever changes the job works on a copy, and the
  // reference is not used after c.changed() drops the entry.
  const std::optional<Job>& cached = c.job(tx, *op.job_id);
  bool ever = cached && cached->technician_id != c.technician &&
              tx.ever_assigned(cached->id, c.technician);
  auto verdict = sync::judge_op(*op.type, sync::standing_of(cached, c.technician, ever), *op.job_id);
  OpResult result{verdict.status, verdict.code, verdict.message, std::nullopt};
  if (verdict.action == sync::OpAction::refuse) return result;
  corrected = sync::correct_device_time(*op.at, c.client_time, c.received_at, cached->reported_at).corrected;
  if (*op.type == sync::OpType::signoff && tx.signoff_exists(op.signoff.id)) {
    return rejected("signoff_exists", "sign-off " + op.signoff.id +
                                          " is already stored; a sign-off never changes");
  }
  switch (verdict.action) {
    case sync::OpAction::refuse: return result;
    case sync::OpAction::record_only: {
      auto e = sync_event(c, *cached, "status_not_applied", cached->status, *corrected, *op.at);
      e.detail = "device asked for " + request_name(*op.status_to) + "; " + verdict.code;
      tx.insert_event(e);
      return result;
    }
    case sync::OpAction::keep_and_flag: {
      store_fact(c, tx, op, *cached, *corrected);
      if (!cached->needs_review) {
        Job job = *cached;
        job.needs_review = true;
        save_job(c.app, tx, job);
        c.changed(job.id);
        auto e = sync_event(c, job, "needs_review", job.status, c.received_at, *op.at);
        e.detail = std::string(to_string(*op.type)) + " from a device after the job moved on: " +
                   verdict.code;
        tx.insert_event(e);
      }
      return result;
    }
    case sync::OpAction::apply: break;
  }
  if (*op.type == sync::OpType::status) {
    Job job = *cached;
    auto change = plan_status_change(job, *op.status_to, op.hold_reason);
    if (!change) return rejected(std::string(error_info(change.error().code).code), change.error().message);
    auto from = job.status;
    auto ok = store_status_change(c.app, tx, job, *change, *corrected);
    c.changed(job.id);
    if (!ok) return rejected(std::string(error_info(ok.error().code).code), ok.error().message);
    auto e = sync_event(c, job, "status", from, *corrected, *op.at);
    if (change->hold_reason) e.detail = std::string(to_string(*change->hold_reason));
    if (!op.text.empty()) e.detail += (e.detail.empty() ? "" : "; ") + op.text;
    tx.insert_event(e);
    if (change->to == JobStatus::resolved) advance_when_signed(c, tx, job.id, *corrected, *op.at);
    return result;
  }
  JobId id = cached->id;
  store_fact(c, tx, op, *cached, *corrected);
  if (*op.type == sync::OpType::signoff) advance_when_signed(c, tx, id, *corrected, *op.at);
  return result;
}

OpResult apply_op(PushContext& c, store::Tx& tx, const sync::PushOp& op) {
  // Without a usable op_id the result cannot be kept, so the device cannot tell a resend apart.
  if (op.op_id.empty()) return rejected(op.reject_code, op.reject_message);
  if (auto seen = tx.ledger_entry(op.op_id)) {
    if (seen->digest == op.digest && seen->technician_id == c.technician) {
      return {sync::OpStatus::duplicate, seen->code, "already received; the first result stands",
              std::move(seen)};
    }
    return rejected("op_id_reused", "op_id " + op.op_id +
                                        " was already used for a different op; give every op a "
                                        "fresh UUID");
  }
  std::optional<Instant> corrected;
  OpResult result = decide_and_apply(c, tx, op, corrected);
  store::LedgerEntry entry;
  entry.op_id = op.op_id;
  entry.technician_id = c.technician;
  entry.token_id = c.who.token_id;
  entry.job_id = op.job_id;
  entry.type = op.type_name;
  entry.digest = op.digest;
  entry.status = std::string(sync::to_string(result.status));
  entry.code = result.code;
  entry.message = result.message;
  entry.device_at = op.at;
  entry.at = corrected;
  entry.received_at = c.received_at;
  // An applied op's effect is its record; the op as sent is kept only when it was not applied,
  // for whoever has to find out why. Under load this halves what a push writes.
  if (result.status != sync::OpStatus::applied) entry.body = op.body;
  tx.insert_ledger(entry);
  return result;
}

void append_result(std::string& out, const std::string& op_id, const OpResult& r) {
  out += R"({"op_id":)";
  if (op_id.empty()) out += "null";
  else append_json_string(out, op_id);
  fmt::format_to(std::back_inserter(out), R"(,"status":"{}")", sync::to_string(r.status));
  if (!r.code.empty()) {
    out += R"(,"code":)";
    append_json_string(out, r.code);
  }
  if (!r.message.empty()) {
    out += R"(,"message":)";
    append_json_string(out, r.message);
  }
  if (r.first) {
    out += R"(,"first":{"status":)";
    append_json_string(out, r.first->status);
    if (!r.first->code.empty()) {
      out += R"(,"code":)";
      append_json_string(out, r.first->code);
    }
    if (!r.first->message.empty()) {
      out += R"(,"message":)";
      append_json_string(out, r.first->message);
    }
    out += R"(,"received_at":)";
    append_json_string(out, format_rfc3339(r.first->received_at));
    out += '}';
  }
  out += '}';
}

Result<Reply> push(RouteRequest& req) {
  auto technician = technician_of(req);
  if (!technician) return std::unexpected(technician.error());
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto client_time_field = body->find("client_time");
  std::optional<Instant> client_time;
  if (client_time_field != body->end() && client_time_field->is_string()) {
    client_time = parse_rfc3339(client_time_field->get_ref<const std::string&>());
  }
  if (!client_time) {
    return fail(ErrorCode::validation_failed,
                "client_time is required: the device's clock when it sent the push (RFC 3339)");
  }
  auto ops_field = body->find("ops");
  if (ops_field == body->end() || !ops_field->is_array()) {
    return fail(ErrorCode::validation_failed, "ops is required: a list of ops");
  }
  if (ops_field->size() > kMaxOpsPerPush) {
    return fail(ErrorCode::payload_too_large,
                "a push holds at most 500 ops; send the rest in the next push");
  }
  std::vector<sync::PushOp> ops;
  ops.reserve(ops_field->size());
  for (const auto& element : *ops_field) ops.push_back(parse_push_op(element));

  PushContext context{req.app, req.who(), *technician, *client_time, req.app.clock().now()};
  int attempts = 0;
  auto apply_all = [&](store::Tx& tx) {
    // A group commit may run this twice: nothing read in the first attempt may stay, and a
    // location op of the rolled-back attempt may have patched the dispatcher's index.
    context.jobs.clear();
    if (++attempts > 1) req.app.dispatcher().forget_index();
    std::vector<OpResult> results;
    results.reserve(ops.size());
    for (const auto& op : ops) results.push_back(apply_op(context, tx, op));
    return results;
  };
  auto results = req.app.group_commit() ? req.app.store().write_grouped(apply_all)
                                        : req.app.store().write(apply_all);
  Reply reply;
  reply.content_type = "application/json; charset=utf-8";
  std::string& out = reply.text;
  out += R"({"results":[)";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i) out += ',';
    append_result(out, ops[i].op_id, results[i]);
  }
  out += "]}";
  return reply;
}

}  // namespace

void add_sync_routes(RouteTable& routes) {
  routes.push_back({"GET", "/api/v1/sync/pull", kTechnician, "A technician's job list: a snapshot without a cursor, then changes and removals after it", pull});
  routes.push_back({"POST", "/api/v1/sync/push", kTechnician, "Ops a device recorded offline, applied in order exactly once, committed before the answer", push});
}

}  // namespace fieldserve::server
