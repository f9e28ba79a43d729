#pragma once
// Query parameters the report routes share.
#include "server/api/services.h"
#include "server/http/route.h"
#include "store/tx.h"

namespace fieldserve::server {

struct ReportWindow {
  Instant from{};
  Instant to{};
};

// from and to (RFC 3339); to defaults to now, from to 30 days before to. At most two years, so
// one request cannot make the server read the whole history of a large fleet by accident.
Result<ReportWindow> report_window(Services& s, const RouteRequest& req);

// tier, center_id, technician_id.
Result<store::SlaRowFilter> report_filter(const RouteRequest& req);

Result<Reply> technician_report(Services& s, RouteRequest& req);

}  // namespace fieldserve::server
