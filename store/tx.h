#pragma once
// Repository operations inside one transaction: the interface every store implements (SQLite
// today, store/sqlite_tx.h). Every method returns domain values; none of them commits. Writes
// that change a row check and bump its version in the same statement. The store's invariants
// are in docs/architecture.md ("The store").
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "domain/after_sales.h"
#include "domain/model.h"
#include "domain/sla_row.h"

namespace fieldserve::store {

struct Page {
  std::int64_t after_id = 0;  // rows with id > after_id
  int limit = 50;
};

struct JobFilter {
  std::optional<JobStatus> status;
  std::optional<Severity> severity;
  std::optional<TechnicianId> technician_id;
  std::optional<CenterId> center_id;
  std::optional<SiteId> site_id;
  std::optional<Instant> reported_from;  // inclusive
  std::optional<Instant> reported_to;    // exclusive
  std::optional<bool> needs_review;
  // Jobs still being worked with a target in this state, as the SLA monitor last announced it:
  // the dispatcher's at-risk and breached lists.
  std::optional<SlaState> sla_state;
};

struct TechnicianFilter {
  std::optional<CenterId> home_center_id;
  std::optional<bool> active;
  std::optional<std::string> skill;
};

// A job's identity and version: enough to tell whether a copy held elsewhere is current, since
// every change to a job's stored fields (other than the SLA monitor's bookkeeping) bumps it.
struct JobStamp {
  JobId id = 0;
  std::int64_t version = 0;
};

// What the dispatcher needs of a job in a technician's queue, with its site's location.
struct QueuedRow {
  JobId id = 0;
  TechnicianId technician_id = 0;
  Severity severity = Severity::general;
  JobStatus status = JobStatus::assigned;
  geo::LatLon site;
  Instant arrival_due{};
  std::optional<Instant> arrival_done;
  bool locked = false;  // assigned by a dispatcher
  JobKind kind = JobKind::repair;
  std::vector<std::string> required_skills;
  std::string equipment_model;  // "" without equipment
};

// Where and when a critical job was reported, and the skills it needed: the demand move-up
// learns from (dispatch/coverage.h).
struct CriticalCall {
  geo::LatLon site;
  std::vector<std::string> required_skills;
  Instant reported_at{};
};

// A completed job's time on site, for the learned service-time estimates.
struct ServiceRecord {
  JobKind kind = JobKind::repair;
  std::vector<std::string> required_skills;
  std::string equipment_model;
  double minutes = 0;  // arrival to restore, less time on hold
};

struct DecisionRecord {
  JobId job_id = 0;
  Instant decided_at{};
  std::optional<TechnicianId> chosen;
  std::string reason;
  double radius_km = 0;
  std::string candidates;  // the server's JSON text; the store keeps it opaque
};

// The sync feed's position: which database, the newest change, and how far it was pruned.
struct FeedState {
  std::string database_id;
  std::int64_t last_seq = 0;
  std::int64_t floor = 0;
};

struct FeedRow {
  std::int64_t seq = 0;
  JobId job_id = 0;
  std::optional<std::string> removed;  // why the job left the technician's list
};

// One pushed op's result, kept under its op_id.
struct LedgerEntry {
  std::string op_id;
  TechnicianId technician_id = 0;
  TokenId token_id = 0;
  std::optional<JobId> job_id;
  std::string type;
  std::string digest;  // of the op as sent: the same op_id with another digest is a reuse
  std::string status;
  std::string code;
  std::string message;
  std::optional<Instant> device_at;  // the op's time on the device's clock
  std::optional<Instant> at;         // corrected (docs/sla.md)
  Instant received_at{};
  std::string body;  // the op as sent (unknown fields included) if not applied, else empty
};

// Report filters; unset fields match everything.
struct SlaRowFilter {
  std::optional<Severity> severity;
  std::optional<TechnicianId> technician_id;
  std::optional<CenterId> center_id;
};

// Where a page of the breach list ended: breaches are ordered by reported_at, job, target.
struct BreachPosition {
  Instant reported_at{};
  JobId job_id = 0;
  int target = 0;  // SlaTarget
};

struct BreachRow {
  SlaRow job;
  SlaTarget target = SlaTarget::response;
  std::string dispatch_reason;
};

// A job its technician finished (resolved) in the report's window.
struct DoneJobRow {
  JobId job_id = 0;
  TechnicianId technician_id = 0;
  std::array<Instant, 3> due{};
  std::array<std::optional<Instant>, 3> done_at{};
  int visits = 0;              // on_site events: more than one means it was not fixed first time
  std::int64_t on_site_s = 0;  // labour: time from each on_site event to the job's next event
  // The customers' scores (1–5), sign-off ratings and follow-up satisfaction, and how many.
  std::int64_t rating_sum = 0;
  int ratings = 0;
  double parts_cost = 0;  // parts with a known price
  int unpriced_parts = 0;
};

// A sign-off's image, with the job it belongs to (for the job's access rules).
struct SignatureImage {
  JobId job_id = 0;
  std::string png;
};

struct VisitRow {
  TechnicianId technician_id = 0;
  JobId job_id = 0;
  Instant at{};
  geo::LatLon site;
};

// A job or technician that changed, at its place in the staff change feed.
struct StaffChange {
  std::int64_t seq = 0;
  bool technician = false;  // else a job
  std::int64_t id = 0;
};

struct ComplaintFilter {
  std::optional<ComplaintStatus> status;
  std::optional<Instant> overdue_at;  // open complaints whose due is before this instant
  std::optional<CustomerId> customer_id;
};

struct FollowUpFilter {
  std::optional<FollowUpStatus> status;
  std::optional<Instant> due_before;  // exclusive
};

// Where a page of follow-ups ended: they are listed earliest due first, then by id.
struct FollowUpPosition {
  Instant due{};
  FollowUpId id = 0;
};

// Parts used on repair jobs of one center's sites, recorded in a report's window.
struct PartUsageRow {
  std::string part_number;
  CenterId center_id = 0;
  std::int64_t used = 0;
};

// Mutators that can fail softly (a stale version, nothing to revoke) or that make the id a
// caller needs are [[nodiscard]]: ignoring their answer is almost always a bug.
class Tx {
 public:
  virtual ~Tx() = default;

  // Centers. insert_* keeps a non-zero id (import) or assigns one; returns the id.
  [[nodiscard]] virtual CenterId insert_center(const Center& c) = 0;
  virtual std::optional<Center> center(CenterId id) = 0;
  virtual std::vector<Center> centers(const Page& page) = 0;
  virtual std::vector<Center> all_centers() = 0;
  [[nodiscard]] virtual bool update_center(
      const Center& c) = 0;  // false if c.version is not the stored one

  [[nodiscard]] virtual CustomerId insert_customer(const Customer& c) = 0;
  virtual std::optional<Customer> customer(CustomerId id) = 0;
  virtual std::vector<Customer> customers(const Page& page,
                                          const std::optional<AccountTier>& tier) = 0;
  [[nodiscard]] virtual bool update_customer(const Customer& c) = 0;

  [[nodiscard]] virtual SiteId insert_site(const Site& s) = 0;
  virtual std::optional<Site> site(SiteId id) = 0;
  virtual std::vector<Site> sites(const Page& page, std::optional<CustomerId> customer,
                                  std::optional<CenterId> center) = 0;
  virtual std::vector<Site> all_sites() = 0;  // re-homed when a center is added or moved
  [[nodiscard]] virtual bool update_site(const Site& s) = 0;

  [[nodiscard]] virtual EquipmentId insert_equipment(const Equipment& e) = 0;
  virtual std::optional<Equipment> equipment(EquipmentId id) = 0;
  virtual std::vector<Equipment> equipment_list(const Page& page, std::optional<SiteId> site) = 0;
  virtual bool serial_taken(const std::string& model, const std::string& serial,
                            EquipmentId except) = 0;
  [[nodiscard]] virtual bool update_equipment(const Equipment& e) = 0;

  [[nodiscard]] virtual TechnicianId insert_technician(const Technician& t) = 0;
  virtual std::optional<Technician> technician(TechnicianId id) = 0;
  virtual std::vector<Technician> technicians(const Page& page, const TechnicianFilter& filter) = 0;
  [[nodiscard]] virtual bool update_technician(const Technician& t) = 0;
  virtual int open_job_count(TechnicianId id) = 0;
  virtual std::vector<Job> open_jobs_of(TechnicianId id) = 0;
  // Several technicians at once, in one statement each: the dispatcher's gather.
  virtual std::vector<Technician> technicians_by_id(const std::vector<TechnicianId>& ids) = 0;
  virtual std::vector<QueuedRow> queues_of(const std::vector<TechnicianId>& ids) = 0;
  // The most recently restored jobs' times on site, newest first, at most `limit`.
  virtual std::vector<ServiceRecord> service_history(int limit) = 0;
  // Critical jobs reported at or after `since` (at the sites of `center` only, if given), oldest
  // first, at most `limit` (the newest kept).
  virtual std::vector<CriticalCall> critical_calls(Instant since, std::optional<CenterId> center,
                                                   int limit) = 0;
  // Bumped by the database on every technician insert or update.
  virtual std::int64_t technicians_revision() = 0;
  // In one read: that revision, and the centers' count and the sum of their versions, which
  // change with every center added or updated (centers are never deleted).
  struct DispatchRevisions {
    std::int64_t technicians = 0;
    std::int64_t center_count = 0;
    std::int64_t center_versions = 0;
    bool operator==(const DispatchRevisions&) const = default;
  };
  virtual DispatchRevisions dispatch_revisions() = 0;

  [[nodiscard]] virtual JobId insert_job(const Job& j) = 0;
  virtual std::optional<Job> job(JobId id) = 0;
  virtual std::vector<Job> jobs(const Page& page, const JobFilter& filter) = 0;
  // The same page as jobs() gives, as stamps only; and whole jobs by id, in id order (ids that
  // do not exist are left out).
  virtual std::vector<JobStamp> job_stamps(const Page& page, const JobFilter& filter) = 0;
  virtual std::vector<Job> jobs_by_id(const std::vector<JobId>& ids) = 0;
  // Open jobs (not resolved/closed/cancelled) whose SLA depends on the policy.
  virtual std::vector<Job> unfinished_jobs() = 0;
  [[nodiscard]] virtual bool update_job(
      const Job& j) = 0;  // writes every mutable field, version + 1

  // The SLA monitor: jobs whose next threshold is at or before `now`, earliest first; and its
  // bookkeeping (durations, announced states, next threshold), which leaves the version alone.
  virtual std::vector<Job> jobs_due_for_sla_check(Instant now, int limit) = 0;
  virtual void mark_sla(const Job& j) = 0;

  // Reports. Rows of jobs reported in [from, to).
  virtual void visit_sla_rows(Instant from, Instant to, const SlaRowFilter& filter,
                              const std::function<void(const SlaRow&)>& visit) = 0;
  // Breached targets at `now`, after `after`, at most `limit`.
  virtual std::vector<BreachRow> breaches(
      Instant from, Instant to, Instant now, const SlaRowFilter& filter,
      std::optional<SlaTarget> target, const std::optional<BreachPosition>& after, int limit) = 0;
  virtual std::vector<DoneJobRow> jobs_done(Instant from,
                                            Instant to) = 0;  // resolved in [from, to)
  virtual std::vector<VisitRow> visits(Instant from,
                                       Instant to) = 0;  // on_site events, by technician
  virtual void put_part_price(const std::string& part_number, double unit_price) = 0;
  // Parts on repair jobs recorded in [from, to), per center: a job's sign-off list when a
  // sign-off lists parts, else its pushed records, never both. By center, then part.
  virtual std::vector<PartUsageRow> part_usage(Instant from, Instant to,
                                               std::optional<CenterId> center) = 0;
  // Equipment at each center's sites sold before `before`.
  virtual std::map<CenterId, std::int64_t> installed_units(Instant before,
                                                           std::optional<CenterId> center) = 0;

  // Sync: the jobs a technician's device holds (assigned until closed or cancelled).
  virtual std::vector<Job> device_jobs(TechnicianId technician, JobId after, int limit) = 0;
  virtual std::vector<Job> device_jobs_by_id(TechnicianId technician,
                                             const std::vector<JobId>& ids) = 0;
  virtual bool ever_assigned(JobId job, TechnicianId technician) = 0;  // per the job's event log
  virtual std::vector<Site> sites_by_id(const std::vector<SiteId>& ids) = 0;
  virtual std::vector<Customer> customers_by_id(const std::vector<CustomerId>& ids) = 0;
  virtual std::vector<Equipment> equipment_by_id(const std::vector<EquipmentId>& ids) = 0;

  // The staff change feed: each job and technician changed after `after_seq`, oldest change
  // first, and the newest seq handed out (0 when none).
  virtual std::vector<StaffChange> staff_changes(std::int64_t after_seq, int limit) = 0;
  virtual std::int64_t staff_feed_last() = 0;

  // The change feed, written by triggers in the same transaction as the change itself.
  virtual FeedState feed_state() = 0;
  virtual std::vector<FeedRow> feed_after(TechnicianId technician, std::int64_t after_seq,
                                          int limit) = 0;
  // Whether the technician has a change after `seq`: what a cached snapshot page checks.
  virtual bool feed_has_after(TechnicianId technician, std::int64_t seq) = 0;
  // A new random database id: every cursor issued before becomes unknown, so devices reset.
  virtual void renew_database_id() = 0;
  // Drops changes made before `before`; returns the new floor (cursors below it must reset).
  [[nodiscard]] virtual std::int64_t prune_feed(Instant before) = 0;

  virtual std::optional<LedgerEntry> ledger_entry(const std::string& op_id) = 0;
  // The entries of those of `op_ids` already received, in no particular order: a push asks once
  // for all its ops rather than once per op.
  virtual std::vector<LedgerEntry> ledger_entries(const std::vector<std::string>& op_ids) = 0;
  virtual void insert_ledger(const LedgerEntry& e) = 0;

  // A store may index a transaction's notes when it commits (the SQLite store chains a push's
  // notes for one job into one run), and may send the note's row ahead without waiting for it
  // (so no id comes back); notes_of sees them either way.
  virtual void insert_note(const JobNote& n) = 0;
  virtual void insert_part(const JobPart& p) = 0;
  virtual bool signoff_exists(const std::string& id) = 0;
  virtual bool job_signed(JobId job) = 0;
  virtual void insert_signoff(const Signoff& s) = 0;  // its checklist and parts with it
  virtual std::vector<JobNote> notes_of(const std::vector<JobId>& jobs) = 0;
  virtual std::vector<JobPart> parts_of(const std::vector<JobId>& jobs) = 0;
  virtual std::vector<Signoff> signoffs_of(
      const std::vector<JobId>& jobs) = 0;  // without the image
  virtual std::vector<ChecklistItem> signoff_checklist(const std::string& signoff_id) = 0;
  virtual std::optional<SignatureImage> signature(const std::string& signoff_id) = 0;
  // Each op's time on the device's clock, from the op ledger; ops not in it are left out.
  virtual std::map<std::string, Instant> device_times(const std::vector<std::string>& op_ids) = 0;
  // A location ping: kept only if newer than the one stored. True when it moved the technician.
  [[nodiscard]] virtual bool move_technician(TechnicianId id, geo::LatLon at, Instant when) = 0;

  virtual void insert_decision(const DecisionRecord& d) = 0;
  virtual std::optional<DecisionRecord> latest_decision(JobId job) = 0;

  virtual std::int64_t insert_event(const JobEvent& e) = 0;
  virtual std::vector<JobEvent> events(JobId job, const Page& page) = 0;
  // The status events of these jobs, per job in time order: holds, resolution, cancellation.
  virtual std::vector<JobEvent> status_events_of(const std::vector<JobId>& jobs) = 0;

  // Warranty: a unit's repair jobs and exchanges.
  virtual std::vector<Job> repair_jobs_of(EquipmentId unit) = 0;
  virtual std::vector<EquipmentExchange> exchanges_of(EquipmentId unit) = 0;  // by time
  virtual std::int64_t insert_exchange(const EquipmentExchange& e) = 0;

  [[nodiscard]] virtual TokenId insert_token(const Token& t, const std::string& sha256_hex) = 0;
  virtual std::optional<Token> token_by_hash(const std::string& sha256_hex) = 0;
  virtual std::vector<Token> tokens(const Page& page) = 0;
  [[nodiscard]] virtual bool revoke_token(TokenId id) = 0;
  virtual void touch_token(TokenId id, Instant at) = 0;

  virtual void insert_audit(const AuditEntry& e) = 0;
  virtual std::vector<AuditEntry> audit(const std::string& entity,
                                        std::optional<std::int64_t> entity_id,
                                        const Page& page) = 0;

  // Complaints (docs/after-sales.md). update_complaint checks and bumps the version.
  [[nodiscard]] virtual ComplaintId insert_complaint(const Complaint& c) = 0;
  virtual std::optional<Complaint> complaint(ComplaintId id) = 0;
  virtual std::vector<Complaint> complaints(const Page& page, const ComplaintFilter& filter) = 0;
  [[nodiscard]] virtual bool update_complaint(const Complaint& c) = 0;
  // Open complaints not yet escalated whose due is at or before `now`, earliest due first.
  virtual std::vector<Complaint> complaints_to_escalate(Instant now, int limit) = 0;
  virtual void insert_complaint_event(const ComplaintEvent& e) = 0;
  virtual std::vector<ComplaintEvent> complaint_events(ComplaintId id) = 0;
  // Complaints naming each technician, received in [from, to).
  virtual std::map<TechnicianId, std::int64_t> complaints_per_technician(Instant from,
                                                                         Instant to) = 0;

  // Follow-up calls: one per job, made when it closes.
  [[nodiscard]] virtual FollowUpId insert_follow_up(const FollowUp& f) = 0;
  virtual std::optional<FollowUp> follow_up(FollowUpId id) = 0;
  virtual std::optional<FollowUp> follow_up_of_job(JobId job) = 0;
  virtual std::vector<FollowUp> follow_ups(const FollowUpFilter& filter,
                                           const std::optional<FollowUpPosition>& after,
                                           int limit) = 0;
  [[nodiscard]] virtual bool update_follow_up(const FollowUp& f) = 0;

  // Small named documents (the SLA policy); the store keeps them as opaque text.
  virtual std::optional<std::string> setting(const std::string& key) = 0;
  virtual void put_setting(const std::string& key, const std::string& value) = 0;
};

}  // namespace fieldserve::store
