#pragma once
// The staff change feed: what the dispatcher console polls to stay live without reloading
// (docs/web.md, "Live updates"). Every job and technician changed after a cursor, each once with
// its current state; a cursor from another database, or ahead of this one, asks for a reload.
#include <optional>
#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/model.h"
#include "store/store.h"

namespace fieldserve::app {

struct StaffFeedPage {
  std::string cursor;     // after everything in this page
  bool has_more = false;  // more changes after `cursor`: poll again at once
  bool reset = false;     // the cursor was not this database's: reload the lists
  std::vector<Job> jobs;
  std::vector<Technician> technicians;
};

class StaffFeedService {
 public:
  explicit StaffFeedService(store::Store& store) : store_(store) {}

  // Without a cursor: no changes, only where the feed stands now (take it before loading the
  // lists, so nothing that changes while they load is missed). A cursor that is not one this
  // server made is bad_request.
  Result<StaffFeedPage> changes(const std::optional<std::string>& cursor, int limit);

 private:
  store::Store& store_;
};

}  // namespace fieldserve::app
