#pragma once
// Steps the resource handlers share: the versioned PATCH, and the audit trail of customer
// records (field by field, values as their JSON text).
#include <nlohmann/json.hpp>
#include <functional>
#include <string>

#include "app/effects.h"
#include "domain/error.h"
#include "server/api/services.h"
#include "server/http/route.h"
#include "store/tx.h"

namespace fieldserve::server {

// The shape every PATCH shares: read the body and If-Match, then in one write transaction load
// the resource at the path (404 if absent), check its version (409 if stale), and let
// `change(tx, fx, resource, body)` validate, store and render it.
template <class Load, class Change>
Result<Reply> versioned_patch(Services& s, RouteRequest& req, const char* what, Load load,
                              Change change) {
  auto body = req.body();
  if (!body) return std::unexpected(body.error());
  auto if_match = req.if_match();
  if (!if_match) return std::unexpected(if_match.error());
  return app::write(s.store, [&](store::Tx& tx, app::Effects& fx) -> Result<Reply> {
    auto resource = load(tx, req.path_id());
    if (!resource) return not_found(what, req.path_id());
    if (auto ok = check_version(*if_match, resource->version); !ok)
      return std::unexpected(ok.error());
    return change(tx, fx, *resource, *body);
  });
}

// stale_version for a row whose version moved between reading it and writing it in the same
// transaction: cannot happen with one writer, and is an answer rather than a lost update if it
// ever does.
inline std::unexpected<Error> changed_meanwhile() {
  return fail(ErrorCode::stale_version, "the resource changed meanwhile; read it again");
}

// One audit row per top-level field whose value differs between `before` and `after` (values as
// JSON text; `version` and `id` are skipped). A create passes an empty `before`.
void record_changes(store::Tx& tx, const std::string& entity, std::int64_t id,
                    const std::string& action, const nlohmann::json& before,
                    const nlohmann::json& after, const std::string& actor, Instant at);

// What JobWriter::rehome_sites calls for each site it moved: an audit row per changed field.
std::function<void(const Site&, const Site&)> site_auditor(Services& s, store::Tx& tx,
                                                           std::string actor, Instant at);

}  // namespace fieldserve::server
