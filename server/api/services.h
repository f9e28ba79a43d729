#pragma once
// The application as the API sees it: every service, built once from a store and a clock and
// wired together here, the one place that knows them all (the composition root). Handlers take
// what they use from it; the services themselves receive their dependencies explicitly.
#include <memory>

#include "app/auth.h"
#include "app/complaint_service.h"
#include "app/dispatcher.h"
#include "app/facts_service.h"
#include "app/follow_up_service.h"
#include "app/job_service.h"
#include "app/job_writer.h"
#include "app/places_service.h"
#include "app/policy_source.h"
#include "app/rate_limiter.h"
#include "app/report_service.h"
#include "app/sla_ticker.h"
#include "app/staff_feed_service.h"
#include "app/sync_service.h"
#include "app/warranty_service.h"
#include "domain/time.h"
#include "server/api/json/job_page.h"
#include "server/http/metrics.h"
#include "store/store.h"

namespace fieldserve::server {

struct ServiceOptions {
  double rate_per_s = 200;  // per token
  double rate_burst = 400;
  // Sync pushes share commits (Store::write_grouped). Off only to measure the baseline of one
  // commit per push.
  bool group_commit = true;
  app::CostRates costs{};
  // Jobs kept rendered for the job list (JobRenderCache); 0 renders every job every time.
  std::size_t job_render_capacity = 20'000;
};

class Services {
 public:
  // Reads the stored SLA policy (the defaults if there is none or it cannot be read, logged).
  Services(store::Store& store, const Clock& clock, ServiceOptions options = {});
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  store::Store& store;
  const Clock& clock;
  app::PolicySource policy;
  app::JobWriter writer;
  app::Dispatcher dispatcher;
  app::JobService jobs;
  app::FactsService facts;
  app::WarrantyService warranty;
  app::ComplaintService complaints;
  app::FollowUpService follow_ups;
  app::PlacesService places;
  app::ReportService reports;
  app::SyncService sync;
  app::StaffFeedService staff_feed;
  app::Authenticator auth;
  app::RateLimiter limiter;
  Metrics metrics;
  JobRenderCache job_renders;
};

}  // namespace fieldserve::server
