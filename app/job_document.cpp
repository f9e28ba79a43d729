#include "app/job_document.h"

namespace fieldserve::app {

DocumentSet::DocumentSet(store::Tx& tx, std::vector<Job> jobs) : jobs_(std::move(jobs)) {
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
  customer_ids.reserve(sites_.size());
  for (const auto& [id, s] : sites_) customer_ids.push_back(s.customer_id);
  for (auto& c : tx.customers_by_id(customer_ids)) customers_.emplace(c.id, std::move(c));
  for (auto& e : tx.equipment_by_id(equipment_ids)) equipment_.emplace(e.id, std::move(e));
  notes_ = tx.notes_of(ids);
  parts_ = tx.parts_of(ids);
  signoffs_ = tx.signoffs_of(ids);
  for (const auto& j : jobs_) by_id_.emplace(j.id, &j);
}

const Job* DocumentSet::job(JobId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::optional<JobDocument> DocumentSet::document(const Job& j) const {
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
  for (const auto& n : notes_)
    if (n.job_id == j.id) doc.notes.push_back(&n);
  for (const auto& p : parts_)
    if (p.job_id == j.id) doc.parts.push_back(&p);
  for (const auto& s : signoffs_)
    if (s.job_id == j.id) doc.signoffs.push_back(&s);
  return doc;
}

}  // namespace fieldserve::app
