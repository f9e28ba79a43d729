#include "app/staff_feed_service.h"

#include "sync/cursor.h"

namespace fieldserve::app {

Result<StaffFeedPage> StaffFeedService::changes(const std::optional<std::string>& cursor,
                                                int limit) {
  std::optional<sync::StaffCursor> from;
  if (cursor) {
    from = sync::decode_staff_cursor(*cursor);
    if (!from) return fail(ErrorCode::bad_request, "cursor is not one this server gave");
  }
  return store_.read([&](store::Tx& tx) -> Result<StaffFeedPage> {
    auto database = tx.feed_state().database_id;
    auto last = tx.staff_feed_last();
    StaffFeedPage page;
    if (!from || from->database_id != database || from->seq > last) {
      page.reset = from.has_value();
      page.cursor = sync::encode_staff_cursor({database, last});
      return page;
    }
    auto rows = tx.staff_changes(from->seq, limit + 1);
    page.has_more = static_cast<int>(rows.size()) > limit;
    if (page.has_more) rows.resize(static_cast<std::size_t>(limit));
    std::vector<JobId> jobs;
    std::vector<TechnicianId> technicians;
    for (const auto& r : rows) (r.technician ? technicians : jobs).push_back(r.id);
    page.jobs = tx.jobs_by_id(jobs);
    page.technicians = tx.technicians_by_id(technicians);
    page.cursor = sync::encode_staff_cursor({database, rows.empty() ? from->seq : rows.back().seq});
    return page;
  });
}

}  // namespace fieldserve::app
