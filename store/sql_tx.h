#pragma once
// The repositories (Tx) in SQL, written once over the driver seam (store/db.h): SQLite and
// PostgreSQL run the same code on their own connection, inside a transaction the store opened.
// Only store/ includes this header.
#include <unordered_set>
#include <vector>

#include "store/tx.h"

namespace fieldserve::store {

class Connection;
class Statement;

// The id an `INSERT ... RETURNING id` just made. Throws StoreError if it gave no row.
std::int64_t returned_id(Statement& insert);

class SqlTx final : public Tx {
 public:
  explicit SqlTx(Connection& conn) : conn_(conn) {}

  CenterId insert_center(const Center& c) override;
  std::optional<Center> center(CenterId id) override;
  std::vector<Center> centers(const Page& page) override;
  std::vector<Center> all_centers() override;
  bool update_center(const Center& c) override;
  CustomerId insert_customer(const Customer& c) override;
  std::optional<Customer> customer(CustomerId id) override;
  std::vector<Customer> customers(const Page& page,
                                  const std::optional<AccountTier>& tier) override;
  bool update_customer(const Customer& c) override;
  SiteId insert_site(const Site& s) override;
  std::optional<Site> site(SiteId id) override;
  std::vector<Site> sites(const Page& page, std::optional<CustomerId> customer,
                          std::optional<CenterId> center) override;
  std::vector<Site> all_sites() override;
  bool update_site(const Site& s) override;
  EquipmentId insert_equipment(const Equipment& e) override;
  std::optional<Equipment> equipment(EquipmentId id) override;
  std::vector<Equipment> equipment_list(const Page& page, std::optional<SiteId> site) override;
  bool serial_taken(const std::string& model, const std::string& serial,
                    EquipmentId except) override;
  bool update_equipment(const Equipment& e) override;
  TechnicianId insert_technician(const Technician& t) override;
  std::optional<Technician> technician(TechnicianId id) override;
  std::vector<Technician> technicians(const Page& page, const TechnicianFilter& filter) override;
  bool update_technician(const Technician& t) override;
  int open_job_count(TechnicianId id) override;
  std::vector<Job> open_jobs_of(TechnicianId id) override;
  std::vector<Technician> technicians_by_id(const std::vector<TechnicianId>& ids) override;
  std::vector<QueuedRow> queues_of(const std::vector<TechnicianId>& ids) override;
  std::vector<ServiceRecord> service_history(int limit) override;
  std::vector<CriticalCall> critical_calls(Instant since, std::optional<CenterId> center,
                                           int limit) override;
  std::int64_t technicians_revision() override;
  DispatchRevisions dispatch_revisions() override;
  JobId insert_job(const Job& j) override;
  std::optional<Job> job(JobId id) override;
  std::vector<Job> jobs(const Page& page, const JobFilter& filter) override;
  std::vector<JobStamp> job_stamps(const Page& page, const JobFilter& filter) override;
  std::vector<Job> jobs_by_id(const std::vector<JobId>& ids) override;
  std::vector<Job> unfinished_jobs() override;
  bool update_job(const Job& j) override;
  std::vector<Job> jobs_due_for_sla_check(Instant now, int limit) override;
  void mark_sla(const Job& j) override;
  void visit_sla_rows(Instant from, Instant to, const SlaRowFilter& filter,
                      const std::function<void(const SlaRow&)>& visit) override;
  std::vector<BreachRow> breaches(Instant from, Instant to, Instant now, const SlaRowFilter& filter,
                                  std::optional<SlaTarget> target,
                                  const std::optional<BreachPosition>& after, int limit) override;
  std::vector<DoneJobRow> jobs_done(Instant from, Instant to) override;
  std::vector<VisitRow> visits(Instant from, Instant to) override;
  void put_part_price(const std::string& part_number, double unit_price) override;
  std::vector<Job> device_jobs(TechnicianId technician, JobId after, int limit) override;
  std::vector<Job> device_jobs_by_id(TechnicianId technician,
                                     const std::vector<JobId>& ids) override;
  bool ever_assigned(JobId job, TechnicianId technician) override;
  std::vector<Site> sites_by_id(const std::vector<SiteId>& ids) override;
  std::vector<Customer> customers_by_id(const std::vector<CustomerId>& ids) override;
  std::vector<Equipment> equipment_by_id(const std::vector<EquipmentId>& ids) override;
  std::vector<StaffChange> staff_changes(std::int64_t after_seq, int limit) override;
  std::int64_t staff_feed_last() override;
  FeedState feed_state() override;
  std::vector<FeedRow> feed_after(TechnicianId technician, std::int64_t after_seq,
                                  int limit) override;
  bool feed_has_after(TechnicianId technician, std::int64_t seq) override;
  void renew_database_id() override;
  std::int64_t prune_feed(Instant before) override;
  std::optional<LedgerEntry> ledger_entry(const std::string& op_id) override;
  std::vector<LedgerEntry> ledger_entries(const std::vector<std::string>& op_ids) override;
  void insert_ledger(const LedgerEntry& e) override;
  void insert_note(const JobNote& n) override;
  void insert_part(const JobPart& p) override;
  bool signoff_exists(const std::string& id) override;
  bool job_signed(JobId job) override;
  void insert_signoff(const Signoff& s) override;
  std::vector<JobNote> notes_of(const std::vector<JobId>& jobs) override;
  std::vector<JobPart> parts_of(const std::vector<JobId>& jobs) override;
  std::vector<Signoff> signoffs_of(const std::vector<JobId>& jobs) override;
  std::vector<ChecklistItem> signoff_checklist(const std::string& signoff_id) override;
  std::optional<SignatureImage> signature(const std::string& signoff_id) override;
  std::map<std::string, Instant> device_times(const std::vector<std::string>& op_ids) override;
  bool move_technician(TechnicianId id, geo::LatLon at, Instant when) override;
  void insert_decision(const DecisionRecord& d) override;
  std::optional<DecisionRecord> latest_decision(JobId job) override;
  std::int64_t insert_event(const JobEvent& e) override;
  std::vector<JobEvent> events(JobId job, const Page& page) override;
  std::vector<JobEvent> status_events_of(const std::vector<JobId>& jobs) override;
  std::vector<Job> repair_jobs_of(EquipmentId unit) override;
  std::vector<EquipmentExchange> exchanges_of(EquipmentId unit) override;
  std::int64_t insert_exchange(const EquipmentExchange& e) override;
  ComplaintId insert_complaint(const Complaint& c) override;
  std::optional<Complaint> complaint(ComplaintId id) override;
  std::vector<Complaint> complaints(const Page& page, const ComplaintFilter& filter) override;
  bool update_complaint(const Complaint& c) override;
  std::vector<Complaint> complaints_to_escalate(Instant now, int limit) override;
  void insert_complaint_event(const ComplaintEvent& e) override;
  std::vector<ComplaintEvent> complaint_events(ComplaintId id) override;
  std::map<TechnicianId, std::int64_t> complaints_per_technician(Instant from, Instant to) override;
  FollowUpId insert_follow_up(const FollowUp& f) override;
  std::optional<FollowUp> follow_up(FollowUpId id) override;
  std::optional<FollowUp> follow_up_of_job(JobId job) override;
  std::vector<FollowUp> follow_ups(const FollowUpFilter& filter,
                                   const std::optional<FollowUpPosition>& after,
                                   int limit) override;
  bool update_follow_up(const FollowUp& f) override;
  std::vector<PartUsageRow> part_usage(Instant from, Instant to,
                                       std::optional<CenterId> center) override;
  std::map<CenterId, std::int64_t> installed_units(Instant before,
                                                   std::optional<CenterId> center) override;
  TokenId insert_token(const Token& t, const std::string& sha256_hex) override;
  std::optional<Token> token_by_hash(const std::string& sha256_hex) override;
  std::vector<Token> tokens(const Page& page) override;
  bool revoke_token(TokenId id) override;
  void touch_token(TokenId id, Instant at) override;
  void insert_audit(const AuditEntry& e) override;
  std::vector<AuditEntry> audit(const std::string& entity, std::optional<std::int64_t> entity_id,
                                const Page& page) override;
  std::optional<std::string> setting(const std::string& key) override;
  void put_setting(const std::string& key, const std::string& value) override;

  // Writes what this Tx still holds back (note runs, jobs' visit tallies). The store calls it
  // before every commit or savepoint release; a Tx dropped without it (a rollback) leaves nothing
  // behind.
  void finish();

 private:
  struct NoteRun {
    JobId job;
    std::int64_t first_id;
    std::int64_t last_id;
  };
  void write_note_runs();
  // Each job whose status events changed gets its visit count and time on site worked out again,
  // once per transaction, from all its events (a pushed event may be older than those stored).
  void write_visit_tallies();
  std::int64_t newest_feed_seq();
  std::string newest_feed_seq_sql() const;

  // Notes and parts enter the feed from here rather than from triggers: a trigger made every
  // insert keep a statement journal (a page copy per table touched), most of a pushed note's cost.
  // One feed row per job per transaction is enough: a pull reads whole commits and sends each
  // changed job's current document.
  void feed_job_once(JobId job);

  Connection& conn_;
  std::unordered_set<JobId> fed_jobs_;
  std::unordered_set<JobId> tallies_due_;
  std::vector<NoteRun> note_runs_;  // written (and chained to their job's head) by write_note_runs
};

}  // namespace fieldserve::store
