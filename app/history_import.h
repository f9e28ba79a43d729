#pragma once
// Importing history: a job as it happened, with its status events, into a database that holds
// its site, center and technician. Due times, pauses and durations are computed as for a live job,
// but the SLA monitor announces nothing (the history was not watched live). Reading the rows
// (JSON files) is the command line's business (server/cli/importer.h).
#include <optional>
#include <string>
#include <vector>

#include "app/effects.h"
#include "app/job_writer.h"
#include "domain/error.h"
#include "domain/model.h"
#include "store/tx.h"

namespace fieldserve::app {

struct HistoricEvent {
  std::string to;  // assigned, cancelled, or a status request (accepted … resolved, closed)
  Instant at{};
  EventSource source = EventSource::api;
  std::optional<HoldReason> reason;
};

struct HistoricJob {
  // id, kind, severity, site_id, equipment_id, required_skills, description, reported_at.
  Job job;
  std::optional<TechnicianId> technician;
  std::vector<HistoricEvent> events;
  std::vector<JobPart> parts;  // recorded by its technician, each at its own time
};

// Stores the job, a "created" event and its events in order; returns the number of events
// stored. Fails (validation_failed, invalid_transition) on an event the lifecycle does not allow.
Result<int> import_job(JobWriter& writer, store::Tx& tx, Effects& fx, HistoricJob history);

}  // namespace fieldserve::app
