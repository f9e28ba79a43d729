#pragma once
// A uniform latitude/longitude grid of points with O(1) insert, move and erase, for "who is within
// R km of here" over thousands of moving technicians. Queries return a superset (whole cells
// around a bounding box); callers measure exact geodesic distances only for those survivors.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "geo/lat_lon.h"

namespace fieldserve::geo {

class GridIndex {
 public:
  // `cell_deg`: cell size in degrees; ~0.25° (≈28 km north-south) suits dispatch radii of 10–150
  // km.
  explicit GridIndex(double cell_deg = 0.25);

  void upsert(std::int64_t id, const LatLon& p);  // insert or move
  void erase(std::int64_t id);
  std::size_t size() const { return positions_.size(); }
  const LatLon* position(std::int64_t id) const;
  std::vector<std::int64_t> ids() const;  // every point, in no particular order

  // Ids of every point that may lie within `radius_km` of `center`: every point that does is
  // returned; some farther ones may be too. Near the poles and the antimeridian the box widens.
  std::vector<std::int64_t> near(const LatLon& center, double radius_km) const;

 private:
  using CellKey = std::int64_t;
  CellKey key(int row, int col) const;
  int row_of(double lat) const;
  int col_of(double lon) const;

  double cell_deg_;
  int rows_, cols_;
  std::unordered_map<CellKey, std::vector<std::int64_t>> cells_;
  struct Entry {
    LatLon position;
    CellKey cell;
    std::size_t slot;  // index inside the cell's vector, for O(1) erase
  };
  std::unordered_map<std::int64_t, Entry> positions_;
};

}  // namespace fieldserve::geo
