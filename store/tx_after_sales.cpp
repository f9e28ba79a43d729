// After-sales records (docs/after-sales.md): exchanges of units under warranty.
#include "store/sqlite.h"
#include "store/sqlite_tx.h"

namespace fieldserve::store {

std::vector<EquipmentExchange> SqliteTx::exchanges_of(EquipmentId unit) {
  auto q = conn_.prepare(
      "SELECT id, equipment_id, at, note, actor, recorded_at FROM equipment_exchanges "
      "WHERE equipment_id = :unit ORDER BY at, id");
  q->bind(":unit", unit);
  std::vector<EquipmentExchange> out;
  while (q->step()) {
    out.push_back({q->get_int(0), q->get_int(1), from_epoch_s(q->get_int(2)), q->get_text(3),
                   q->get_text(4), from_epoch_s(q->get_int(5))});
  }
  return out;
}

std::int64_t SqliteTx::insert_exchange(const EquipmentExchange& e) {
  auto q = conn_.prepare(
      "INSERT INTO equipment_exchanges (equipment_id, at, note, actor, recorded_at) "
      "VALUES (:unit, :at, :note, :actor, :recorded)");
  q->bind(":unit", e.equipment_id)
      .bind(":at", to_epoch_s(e.at))
      .bind(":note", e.note)
      .bind(":actor", e.actor)
      .bind(":recorded", to_epoch_s(e.recorded_at))
      .exec();
  return conn_.last_insert_id();
}

}  // namespace fieldserve::store
