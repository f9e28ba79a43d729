#pragma once
// A job with everything a tablet needs to work on it offline (its site, customer contact,
// equipment, notes, parts and sign-offs), and the set of them a pull page sends, read with one
// statement per kind.
#include <optional>
#include <unordered_map>
#include <vector>

#include "domain/model.h"
#include "store/tx.h"

namespace fieldserve::app {

struct JobDocument {
  const Job* job = nullptr;
  const Site* site = nullptr;
  const Customer* customer = nullptr;
  const Equipment* equipment = nullptr;  // null when the job names none
  std::vector<const JobNote*> notes;
  std::vector<const JobPart*> parts;
  std::vector<const Signoff*> signoffs;
};

class DocumentSet {
 public:
  DocumentSet(store::Tx& tx, std::vector<Job> jobs);

  const Job* job(JobId id) const;
  const std::vector<Job>& jobs() const { return jobs_; }
  // Empty when the job's site or customer vanished under it: not sendable.
  std::optional<JobDocument> document(const Job& j) const;

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

}  // namespace fieldserve::app
