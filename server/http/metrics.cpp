#include "server/http/metrics.h"

#include <sstream>

namespace fieldserve::server {

void Metrics::record(const std::string& method, const std::string& route, int status,
                     double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  auto& h = latency_[{method, route}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(const ScrapeFigures& figures) const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP fieldserve_http_requests_total HTTP requests by route and status.\n"
         "# TYPE fieldserve_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out << "fieldserve_http_requests_total{method=\"" << method << "\",route=\"" << route
        << "\",status=\"" << status << "\"} " << count << "\n";
  }
  out << "# HELP fieldserve_http_request_duration_seconds Time from the first byte read to the "
         "response written.\n"
         "# TYPE fieldserve_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "fieldserve_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i]
          << "\"} " << h.buckets[i] << "\n";
    }
    out << "fieldserve_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
        << h.count << "\n";
    out << "fieldserve_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n";
    out << "fieldserve_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  out << "# HELP fieldserve_db_seconds_total Wall time spent inside database transactions.\n"
         "# TYPE fieldserve_db_seconds_total counter\n"
         "fieldserve_db_seconds_total "
      << figures.db_seconds << "\n";
  // With group commit, sync pushes per commit = pushes / this.
  out << "# HELP fieldserve_db_commits_total Write transactions committed.\n"
         "# TYPE fieldserve_db_commits_total counter\n"
         "fieldserve_db_commits_total "
      << figures.db_commits << "\n";
  out << "# HELP fieldserve_db_committer_nice Nice value of the group-commit thread (-5 when "
         "raised).\n"
         "# TYPE fieldserve_db_committer_nice gauge\n"
         "fieldserve_db_committer_nice "
      << figures.committer_nice << "\n";
  out << "# HELP fieldserve_periodic_leader 1 on the one instance of those sharing a database "
         "that runs the periodic work (the SLA ticker).\n"
         "# TYPE fieldserve_periodic_leader gauge\n"
         "fieldserve_periodic_leader "
      << (figures.periodic_leader ? 1 : 0) << "\n";
  out << "# HELP fieldserve_dispatch_decision_seconds Time of each dispatch decision, from its "
         "first read to the choice (its writes not counted).\n"
         "# TYPE fieldserve_dispatch_decision_seconds histogram\n";
  const auto& d = figures.dispatch_decisions;
  for (std::size_t i = 0; i < d.bounds.size() && i < d.at_most.size(); ++i) {
    out << "fieldserve_dispatch_decision_seconds_bucket{le=\"" << d.bounds[i] << "\"} "
        << d.at_most[i] << "\n";
  }
  out << "fieldserve_dispatch_decision_seconds_bucket{le=\"+Inf\"} " << d.count << "\n"
      << "fieldserve_dispatch_decision_seconds_sum " << d.sum << "\n"
      << "fieldserve_dispatch_decision_seconds_count " << d.count << "\n";
  out << "# HELP fieldserve_instances Instances sharing the database, this one included; each "
         "grants a token this share of its rate.\n"
         "# TYPE fieldserve_instances gauge\n"
         "fieldserve_instances "
      << figures.instances << "\n";
  out << "# HELP fieldserve_http_waiting_connections Accepted connections waiting for a worker.\n"
         "# TYPE fieldserve_http_waiting_connections gauge\n"
         "fieldserve_http_waiting_connections "
      << figures.waiting_connections << "\n";
  return out.str();
}

}  // namespace fieldserve::server
