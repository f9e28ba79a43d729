#include "geo/grid_index.h"

#include <algorithm>
#include <cmath>

namespace fieldserve::geo {
namespace {

// Kilometres per degree of latitude, rounded down so the box errs on the large side.
constexpr double kKmPerDegLat = 110.5;

}  // namespace

GridIndex::GridIndex(double cell_deg)
    : cell_deg_(cell_deg),
      rows_(static_cast<int>(std::ceil(180.0 / cell_deg))),
      cols_(static_cast<int>(std::ceil(360.0 / cell_deg))) {}

int GridIndex::row_of(double lat) const {
  return std::clamp(static_cast<int>(std::floor((lat + 90.0) / cell_deg_)), 0, rows_ - 1);
}

int GridIndex::col_of(double lon) const {
  int col = static_cast<int>(std::floor((lon + 180.0) / cell_deg_));
  return ((col % cols_) + cols_) % cols_;
}

GridIndex::CellKey GridIndex::key(int row, int col) const {
  return static_cast<CellKey>(row) * cols_ + col;
}

void GridIndex::upsert(std::int64_t id, const LatLon& p) {
  CellKey cell = key(row_of(p.lat), col_of(p.lon));
  auto it = positions_.find(id);
  if (it != positions_.end()) {
    if (it->second.cell == cell) {
      it->second.position = p;
      return;
    }
    erase(id);
  }
  auto& ids = cells_[cell];
  ids.push_back(id);
  positions_[id] = Entry{p, cell, ids.size() - 1};
}

void GridIndex::erase(std::int64_t id) {
  auto it = positions_.find(id);
  if (it == positions_.end()) return;
  auto& ids = cells_[it->second.cell];
  std::size_t slot = it->second.slot;
  // Swap-and-pop keeps erase O(1); the moved id learns its new slot.
  ids[slot] = ids.back();
  positions_[ids[slot]].slot = slot;
  ids.pop_back();
  if (ids.empty()) cells_.erase(it->second.cell);
  positions_.erase(id);
}

const LatLon* GridIndex::position(std::int64_t id) const {
  auto it = positions_.find(id);
  return it == positions_.end() ? nullptr : &it->second.position;
}

std::vector<std::int64_t> GridIndex::near(const LatLon& center, double radius_km) const {
  double dlat = radius_km / kKmPerDegLat;
  double lat_lo = std::max(-90.0, center.lat - dlat);
  double lat_hi = std::min(90.0, center.lat + dlat);
  // The widest parallel inside the box sets the longitude span.
  double widest = std::max(std::abs(lat_lo), std::abs(lat_hi));
  double cos_lat = std::cos(widest * M_PI / 180.0);
  double dlon = cos_lat < 1e-6 ? 360.0 : radius_km / (kKmPerDegLat * cos_lat);
  int row_lo = row_of(lat_lo), row_hi = row_of(lat_hi);
  int col_span = dlon >= 180.0 ? cols_ : static_cast<int>(std::ceil(dlon / cell_deg_)) * 2 + 1;
  col_span = std::min(col_span, cols_);
  int col_lo = col_of(center.lon - (col_span >= cols_ ? 180.0 : dlon));
  std::vector<std::int64_t> out;
  for (int row = row_lo; row <= row_hi; ++row) {
    for (int i = 0; i < col_span; ++i) {
      auto it = cells_.find(key(row, (col_lo + i) % cols_));
      if (it != cells_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
  return out;
}

std::vector<std::int64_t> GridIndex::ids() const {
  std::vector<std::int64_t> out;
  out.reserve(positions_.size());
  for (const auto& [id, entry] : positions_) out.push_back(id);
  return out;
}

}  // namespace fieldserve::geo
