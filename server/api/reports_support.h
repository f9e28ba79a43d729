#pragma once
// Query parameters the report routes share.
#include "server/api/services.h"
#include "server/http/route.h"
#include "store/tx.h"

namespace fieldserve::server {

// from and to (RFC 3339), with the defaults and bounds of app::ReportService::window.
Result<app::ReportWindow> report_window(Services& s, const RouteRequest& req);

// tier, center_id, technician_id.
Result<store::SlaRowFilter> report_filter(const RouteRequest& req);

Result<Reply> technician_report(Services& s, RouteRequest& req);

}  // namespace fieldserve::server
