#pragma once
// What the field sent about a job (notes, parts, sign-offs), for the office: staff read it here,
// not only the technician's tablet. Access follows the job's (docs/after-sales.md, "Field facts").
#include <optional>
#include <string>
#include <vector>

#include "app/auth.h"
#include "domain/error.h"
#include "domain/model.h"
#include "store/store.h"

namespace fieldserve::app {

struct NoteFact {
  JobNote note;
  std::optional<Instant> device_at;  // the note's time on the tablet's clock; none over REST
};

struct JobFacts {
  std::vector<NoteFact> notes;
  std::vector<JobPart> parts;
  std::vector<Signoff> signoffs;  // with their checklists, without the image (fetched alone)
};

class FactsService {
 public:
  explicit FactsService(store::Store& store) : store_(store) {}

  Result<JobFacts> facts(const Principal& who, JobId job);
  // The PNG bytes the tablet sent; not found unless the sign-off belongs to the job.
  Result<std::string> signature(const Principal& who, JobId job, const std::string& signoff_id);

 private:
  store::Store& store_;
};

}  // namespace fieldserve::app
