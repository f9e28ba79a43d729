#pragma once
// Loads a sample_data folder (centers, customers, sites, equipment, technicians, jobs with their
// events, and the SLA policy) into an empty database in one transaction: all of it or none.
#include <filesystem>
#include <functional>
#include <string>

#include "domain/error.h"
#include "server/app.h"

namespace fieldserve::server {

struct ImportCounts {
  int centers = 0, customers = 0, sites = 0, equipment = 0, technicians = 0, jobs = 0, events = 0;
};

// `progress(stage, done, total)` is called as rows are read. Fails with validation_failed
// naming the file and row of the first bad records, or conflict if the database is not empty.
Result<ImportCounts> import_folder(App& app, const std::filesystem::path& folder,
                                   const std::function<void(const std::string&, int, int)>& progress);

}  // namespace fieldserve::server
