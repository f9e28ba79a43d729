#pragma once
// Repository operations inside one transaction. Every method runs SQL on the transaction's
// connection and returns domain values; none of them commits. Writes that change a row check and
// bump its version in the same statement.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "domain/model.h"
#include "domain/sla_row.h"

namespace fieldserve::store {

class Connection;

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
  std::optional<Instant> at;         // corrected (SPEC section 3)
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
  std::int64_t rating_sum = 0;  // the customers' sign-off ratings (1–5) and how many there are
  int ratings = 0;
  double parts_cost = 0;  // parts with a known price
  int unpriced_parts = 0;
};

struct VisitRow {
  TechnicianId technician_id = 0;
  JobId job_id = 0;
  Instant at{};
  geo::LatLon site;
};

class Tx {
 public:
  explicit Tx(Connection& conn) : conn_(conn) {}

  // Centers. insert_* keeps a non-zero id (import) or assigns one; returns the id.
  CenterId insert_center(const Center& c);
  std::optional<Center> center(CenterId id);
  std::vector<Center> centers(const Page& page);
  std::vector<Center> all_centers();
  bool update_center(const Center& c);  // false if c.version is not the stored one

  CustomerId insert_customer(const Customer& c);
  std::optional<Customer> customer(CustomerId id);
  std::vector<Customer> customers(const Page& page, const std::optional<AccountTier>& tier);
  bool update_customer(const Customer& c);

  SiteId insert_site(const Site& s);
  std::optional<Site> site(SiteId id);
  std::vector<Site> sites(const Page& page, std::optional<CustomerId> customer,
                          std::optional<CenterId> center);
  std::vector<Site> all_sites();  // re-homed when a center is added or moved
  bool update_site(const Site& s);

  EquipmentId insert_equipment(const Equipment& e);
  std::optional<Equipment> equipment(EquipmentId id);
  std::vector<Equipment> equipment_list(const Page& page, std::optional<SiteId> site);
  bool serial_taken(const std::string& model, const std::string& serial, EquipmentId except);
  bool update_equipment(const Equipment& e);

  TechnicianId insert_technician(const Technician& t);
  std::optional<Technician> technician(TechnicianId id);
  std::vector<Technician> technicians(const Page& page, const TechnicianFilter& filter);
  bool update_technician(const Technician& t);
  int open_job_count(TechnicianId id);
  std::vector<Job> open_jobs_of(TechnicianId id);
  // Several technicians at once, in one statement each: the dispatcher's gather.
  std::vector<Technician> technicians_by_id(const std::vector<TechnicianId>& ids);
  std::vector<QueuedRow> queues_of(const std::vector<TechnicianId>& ids);
  // Bumped by the database on every technician insert or update.
  std::int64_t technicians_revision();

  JobId insert_job(const Job& j);
  std::optional<Job> job(JobId id);
  std::vector<Job> jobs(const Page& page, const JobFilter& filter);
  // Open jobs (not resolved/closed/cancelled) whose SLA depends on the policy.
  std::vector<Job> unfinished_jobs();
  bool update_job(const Job& j);  // writes every mutable field, version + 1

  // The SLA monitor: jobs whose next threshold is at or before `now`, earliest first; and its
  // bookkeeping (durations, announced states, next threshold), which leaves the version alone.
  std::vector<Job> jobs_due_for_sla_check(Instant now, int limit);
  void mark_sla(const Job& j);

  // Reports. Rows of jobs reported in [from, to).
  void visit_sla_rows(Instant from, Instant to, const SlaRowFilter& filter,
                      const std::function<void(const SlaRow&)>& visit);
  // Breached targets at `now`, after `after`, at most `limit`.
  std::vector<BreachRow> breaches(Instant from, Instant to, Instant now, const SlaRowFilter& filter,
                                  std::optional<SlaTarget> target,
                                  const std::optional<BreachPosition>& after, int limit);
  std::vector<DoneJobRow> jobs_done(Instant from, Instant to);  // resolved in [from, to)
  std::vector<VisitRow> visits(Instant from, Instant to);       // on_site events, by technician
  void put_part_price(const std::string& part_number, double unit_price);

  // Sync: the jobs a technician's device holds (assigned until closed or cancelled).
  std::vector<Job> device_jobs(TechnicianId technician, JobId after, int limit);
  std::vector<Job> device_jobs_by_id(TechnicianId technician, const std::vector<JobId>& ids);
  bool ever_assigned(JobId job, TechnicianId technician);  // per the job's event log
  std::vector<Site> sites_by_id(const std::vector<SiteId>& ids);
  std::vector<Customer> customers_by_id(const std::vector<CustomerId>& ids);
  std::vector<Equipment> equipment_by_id(const std::vector<EquipmentId>& ids);

  // The change feed, written by triggers in the same transaction as the change itself.
  FeedState feed_state();
  std::vector<FeedRow> feed_after(TechnicianId technician, std::int64_t after_seq, int limit);
  // Whether the technician has a change after `seq`: what a cached snapshot page checks.
  bool feed_has_after(TechnicianId technician, std::int64_t seq);
  // A new random database id: every cursor issued before becomes unknown, so devices reset.
  void renew_database_id();
  // Drops changes made before `before`; returns the new floor (cursors below it must reset).
  std::int64_t prune_feed(Instant before);

  std::optional<LedgerEntry> ledger_entry(const std::string& op_id);
  void insert_ledger(const LedgerEntry& e);

  // The note is written at once; the run that finds it by job is written by finish() (or by
  // notes_of), so a push's notes for one job cost one index entry.
  std::int64_t insert_note(const JobNote& n);
  void insert_part(const JobPart& p);
  bool signoff_exists(const std::string& id);
  bool job_signed(JobId job);
  void insert_signoff(const Signoff& s);  // its checklist and parts with it
  std::vector<JobNote> notes_of(const std::vector<JobId>& jobs);
  std::vector<JobPart> parts_of(const std::vector<JobId>& jobs);
  std::vector<Signoff> signoffs_of(const std::vector<JobId>& jobs);  // without the image
  // A location ping: kept only if newer than the one stored. True when it moved the technician.
  bool move_technician(TechnicianId id, geo::LatLon at, Instant when);

  void insert_decision(const DecisionRecord& d);
  std::optional<DecisionRecord> latest_decision(JobId job);

  std::int64_t insert_event(const JobEvent& e);
  std::vector<JobEvent> events(JobId job, const Page& page);

  TokenId insert_token(const Token& t, const std::string& sha256_hex);
  std::optional<Token> token_by_hash(const std::string& sha256_hex);
  std::vector<Token> tokens(const Page& page);
  bool revoke_token(TokenId id);
  void touch_token(TokenId id, Instant at);

  void insert_audit(const AuditEntry& e);
  std::vector<AuditEntry> audit(const std::string& entity, std::optional<std::int64_t> entity_id,
                                const Page& page);

  // Small named documents (the SLA policy); the store keeps them as opaque text.
  std::optional<std::string> setting(const std::string& key);
  void put_setting(const std::string& key, const std::string& value);

  // Writes what this Tx still holds back (note runs). The store calls it before every commit or
  // savepoint release; a Tx dropped without it (a rollback) leaves nothing behind.
  void finish();

 private:
  struct NoteRun {
    JobId job;
    std::int64_t first_id;
    std::int64_t last_id;
  };
  void write_note_runs();
  std::int64_t newest_feed_seq();

  // Notes and parts enter the feed from here rather than from triggers: a trigger made every
  // insert keep a statement journal (a page copy per table touched), most of a pushed note's cost.
  // One feed row per job per transaction is enough: a pull reads whole commits and sends each
  // changed job's current document.
  void feed_job_once(JobId job);

  Connection& conn_;
  std::unordered_set<JobId> fed_jobs_;
  std::vector<NoteRun> note_runs_;  // written (and chained to their job's head) by write_note_runs
};

}  // namespace fieldserve::store
