#pragma once
// Loads a sample_data folder (centers, customers, sites, equipment, technicians, jobs with their
// events, and the SLA policy) into an empty database in one transaction: all of it or none.
#include <nlohmann/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "app/effects.h"
#include "app/history_import.h"
#include "domain/error.h"
#include "server/api/services.h"
#include "store/tx.h"

namespace fieldserve::server {

struct ImportCounts {
  int centers = 0, customers = 0, sites = 0, equipment = 0, technicians = 0, jobs = 0, events = 0;
  int exchanges = 0, complaints = 0, follow_up_results = 0;
  std::chrono::seconds shift{0};  // how far the folder's times were moved (whole weeks)
};

// `error` with the file and its 1-based row in front of its message.
std::unexpected<Error> at_row(const char* file, std::size_t row, Error error);

// One job of jobs.json with its events, into a database that holds its site, center and
// technician. Returns the number of events stored (its "created" event included).
Result<int> import_job(Services& s, store::Tx& tx, app::Effects& fx, const nlohmann::json& row,
                       Instant now);
// A jobs.json row as a history to import; validation_failed naming the first bad fields.
Result<app::HistoricJob> read_historic_job(const nlohmann::json& row, Instant now);

// `progress(stage, done, total)` is called as rows are read. Fails with validation_failed
// naming the file and row of the first bad records, or conflict if the database is not empty.
// A folder with a manifest.json naming when its history ends has every time moved by whole
// weeks so that the history ends in the week before `as_of` (default now).
Result<ImportCounts> import_folder(
    Services& s, const std::filesystem::path& folder,
    const std::function<void(const std::string&, int, int)>& progress,
    std::optional<Instant> as_of = std::nullopt);

// The after-sales files (server/cli/import_after_sales.cpp), into the same transaction; each
// returns how many rows it stored, or the first bad row's error.
Result<int> import_exchanges(store::Tx& tx, const nlohmann::json& rows, Instant now);
Result<int> import_complaints(store::Tx& tx, const nlohmann::json& rows,
                              const dispatch::ComplaintDeadlines& deadlines, Instant now);
Result<int> import_follow_up_results(store::Tx& tx, const nlohmann::json& rows, Instant now);

}  // namespace fieldserve::server
