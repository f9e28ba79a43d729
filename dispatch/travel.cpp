#include "dispatch/travel.h"

#include <cmath>

#include "geo/distance.h"

namespace fieldserve::dispatch {

double GeodesicTravel::road_km(const geo::LatLon& from, const geo::LatLon& to) const {
  return geo::geodesic_km(from, to) * circuity_;
}

std::chrono::seconds GeodesicTravel::travel_time(const geo::LatLon& from,
                                                 const geo::LatLon& to) const {
  // Rounded up: an ETA that is a second early would call a late arrival on time.
  return std::chrono::seconds{static_cast<std::int64_t>(std::ceil(road_km(from, to) / speed_kmh_ * 3600))};
}

}  // namespace fieldserve::dispatch
