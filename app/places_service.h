#pragma once
// Where service happens and who does it: service centers, customers, their sites and equipment,
// technicians. A create or change runs in one transaction with what it sets off: sites moving to
// a nearer center, open jobs getting new due times, the dispatcher's view of a technician, and the
// audit rows of customer records (customers, sites, equipment). Callable with no HTTP and no JSON.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/auth.h"
#include "app/dispatcher.h"
#include "app/job_writer.h"
#include "domain/error.h"
#include "store/store.h"

namespace fieldserve::app {

// A change to a stored record: the edge turns a request into one, and the service runs it inside
// its transaction on the record as stored (it refuses with an error when the change does not
// fit). So request formats stay at the edge while the transaction stays here.
template <class T>
using Edit = std::function<Result<void>(T&)>;

// A record's fields as the audit log keeps them: each name with its value as text, in the
// encoding the API shows records in. The edge supplies the encoders; app/ has no format of its
// own.
using AuditFields = std::vector<std::pair<std::string, std::string>>;
struct AuditEncoders {
  std::function<AuditFields(const Customer&)> customer;
  std::function<AuditFields(const Site&, const dispatch::SlaPolicy&)> site;
  std::function<AuditFields(const Equipment&)> equipment;
};

// One audit row per field whose text differs between `before` and `after` (`id` and `version`
// are not fields of the record's history). A create passes an empty `before`.
void record_changes(store::Tx& tx, const std::string& entity, std::int64_t id,
                    const std::string& action, const AuditFields& before, const AuditFields& after,
                    const std::string& actor, Instant at);

// A site's create or PATCH: only what is given changes.
struct SiteChanges {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> address;
  std::optional<geo::LatLon> location;
  bool center_given = false;          // center_id was sent
  std::optional<CenterId> center_id;  // given and null: back to the nearest center
};

class PlacesService {
 public:
  PlacesService(store::Store& store, JobWriter& writer, Dispatcher& dispatcher, AuditEncoders audit)
      : store_(store), writer_(writer), dispatcher_(dispatcher), audit_(std::move(audit)) {}

  // Centers. A new or moved center re-homes the sites that follow the nearest center; a changed
  // time zone or business hours gives the center's open jobs new due times.
  Result<Center> create_center(const Principal& who, Center center);
  Result<Center> center(CenterId id);
  std::vector<Center> centers(const store::Page& page);
  Result<Center> patch_center(const Principal& who, CenterId id,
                              std::optional<std::int64_t> if_match, const Edit<Center>& edit);

  Result<Customer> create_customer(const Principal& who, Customer customer);
  Result<Customer> customer(CustomerId id);
  std::vector<Customer> customers(const store::Page& page, std::optional<AccountTier> tier);
  Result<Customer> patch_customer(const Principal& who, CustomerId id,
                                  std::optional<std::int64_t> if_match, const Edit<Customer>& edit);

  // Sites are placed at their nearest center unless one is named; a changed site gives its open
  // jobs new due times.
  Result<Site> create_site(const Principal& who, const SiteChanges& in);
  Result<Site> site(SiteId id);
  std::vector<Site> sites(const store::Page& page, std::optional<CustomerId> customer,
                          std::optional<CenterId> center);
  Result<Site> patch_site(const Principal& who, SiteId id, std::optional<std::int64_t> if_match,
                          const SiteChanges& in);

  // Equipment: its site must exist and (model, serial) must be unique.
  Result<Equipment> create_equipment(const Principal& who, Equipment equipment);
  Result<Equipment> equipment(EquipmentId id);
  std::vector<Equipment> equipment_list(const store::Page& page, std::optional<SiteId> site);
  Result<Equipment> patch_equipment(const Principal& who, EquipmentId id,
                                    std::optional<std::int64_t> if_match,
                                    const Edit<Equipment>& edit);

  // Technicians: the home center must exist; every change reaches the dispatcher. A technician
  // token reads only its own record.
  Result<Technician> create_technician(const Principal& who, Technician technician);
  Result<Technician> technician(const Principal& who, TechnicianId id);
  std::vector<Technician> technicians(const store::Page& page,
                                      const store::TechnicianFilter& filter);
  Result<Technician> patch_technician(const Principal& who, TechnicianId id,
                                      std::optional<std::int64_t> if_match,
                                      const Edit<Technician>& edit);

  // The audit log of customer records; `entity` "" and `entity_id` absent list everything.
  std::vector<AuditEntry> audit(const std::string& entity, std::optional<std::int64_t> entity_id,
                                const store::Page& page);

  // Replaces the SLA policy and gives every open job new due times, in one transaction that
  // also stores `document` (the policy as the edge keeps it). The new policy is live while the
  // jobs are recomputed with it, and put back if the transaction fails.
  void replace_policy(const dispatch::SlaPolicy& policy, const std::string& document);

 private:
  Result<void> place_site(store::Tx& tx, const SiteChanges& in, Site& site);
  // What JobWriter::rehome_sites calls for each site it moved: its audit rows.
  std::function<void(const Site&, const Site&)> site_auditor(store::Tx& tx, const Principal& who,
                                                             Instant at,
                                                             const dispatch::SlaPolicy& policy);

  store::Store& store_;
  JobWriter& writer_;
  Dispatcher& dispatcher_;
  AuditEncoders audit_;
};

}  // namespace fieldserve::app
