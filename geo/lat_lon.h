#pragma once
// WGS84 coordinates in degrees.
namespace fieldserve::geo {

struct LatLon {
  double lat = 0;
  double lon = 0;
  bool operator==(const LatLon&) const = default;
};

// lat in [-90, 90], lon in [-180, 180], both finite.
bool is_valid(const LatLon& p);

}  // namespace fieldserve::geo
