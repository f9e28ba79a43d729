#include "app/warranty_service.h"

#include "app/effects.h"
#include "app/warranty.h"

namespace fieldserve::app {
namespace {}  // namespace

Result<WarrantyAnswer> WarrantyService::warranty(EquipmentId id, const std::string& fault,
                                                 std::optional<Instant> at) {
  auto when = at.value_or(writer_.clock().now());
  return store_.read([&](store::Tx& tx) -> Result<WarrantyAnswer> {
    auto unit = tx.equipment(id);
    if (!unit) return not_found("equipment", id);
    if (when < unit->sold_at) {
      return fail(ErrorCode::validation_failed, "the request is not valid",
                  {"at: is before the unit was sold (" + format_rfc3339(unit->sold_at) + ")"});
    }
    return WarrantyAnswer{id, fault, assess_warranty(unit_history(tx, *unit), fault, when)};
  });
}

Result<EquipmentExchange> WarrantyService::exchange(const Principal& who, EquipmentId id,
                                                    const ExchangeRequest& in) {
  auto now = writer_.clock().now();
  return write(store_, [&](store::Tx& tx, Effects& fx) -> Result<EquipmentExchange> {
    auto unit = tx.equipment(id);
    if (!unit) return not_found("equipment", id);
    EquipmentExchange e{0, id, in.at.value_or(now), in.note, who.actor(), now};
    if (e.at < unit->sold_at) {
      return fail(ErrorCode::validation_failed, "the request is not valid",
                  {"at: an exchange cannot be dated before the sale (" +
                   format_rfc3339(unit->sold_at) + ")"});
    }
    if (e.at > now + kClientClockTolerance) {
      return fail(ErrorCode::validation_failed, "the request is not valid",
                  {"at: an exchange cannot be dated in the future"});
    }
    e.at = std::min(e.at, now);
    e.id = tx.insert_exchange(e);
    AuditEntry audit;
    audit.entity = "equipment";
    audit.entity_id = id;
    audit.action = "exchange";
    audit.field = "exchanged_at";
    // As JSON text, like every audit value (an RFC 3339 time needs no escaping inside quotes).
    audit.new_value = "\"" + format_rfc3339(e.at) + "\"";
    audit.actor = who.actor();
    audit.at = now;
    tx.insert_audit(audit);
    writer_.refresh_warranty(fx, id);
    return e;
  });
}

}  // namespace fieldserve::app
