#pragma once
// Hand-worked dispatch scenarios are laid out on the equator, where a degree of longitude is
// 111.319491 km (WGS84 semi-major axis × π/180): positions are "km east" of longitude 0, and with
// the default travel model (1.3 road km per geodesic km at 40 km/h) each km takes 117 s.
#include "domain/time.h"
#include "geo/lat_lon.h"

namespace fieldserve::dispatch::testing {

constexpr double kKmPerDegree = 111.319491;
inline const Instant kEquatorNow = from_epoch_s(1'795'000'000);  // Wed 2026-11-18 11:06:40 UTC

inline geo::LatLon east(double km) { return {0, km / kKmPerDegree}; }

}  // namespace fieldserve::dispatch::testing
