#pragma once
#include <cstddef>
#include <optional>
#include <span>

#include "geo/lat_lon.h"

namespace fieldserve::geo {

// Geodesic distance on the WGS84 ellipsoid (GeographicLib), in kilometres. Exact to well under a
// metre, which matters at band boundaries: a site 10.0004 km away is in the 30 km band.
double geodesic_km(const LatLon& a, const LatLon& b);

// Great-circle distance on a sphere of the WGS84 mean radius: about 25 times cheaper than
// geodesic_km and within 0.5 % of it. For filtering and for figures that decide nothing.
double haversine_km(const LatLon& a, const LatLon& b);

// Index of the point nearest to `from` by geodesic distance, or nullopt if `points` is empty.
// Ties go to the lower index so the choice is stable.
std::optional<std::size_t> nearest(const LatLon& from, std::span<const LatLon> points);

}  // namespace fieldserve::geo
