#include "dispatch/travel.h"

#include <cmath>

#include "geo/distance.h"

namespace fieldserve::dispatch {

double GeodesicTravel::road_km(const geo::LatLon& from, const geo::LatLon& to) const {
  return geo::geodesic_km(from, to) * circuity_;
}

std::chrono::seconds GeodesicTravel::time_for(double road_km) const {
  // Rounded up: an ETA that is a second early would call a late arrival on time.
  return std::chrono::seconds{static_cast<std::int64_t>(std::ceil(road_km / speed_kmh_ * 3600))};
}

std::chrono::seconds GeodesicTravel::travel_time(const geo::LatLon& from,
                                                 const geo::LatLon& to) const {
  return time_for(road_km(from, to));
}

Leg GeodesicTravel::leg(const geo::LatLon& from, const geo::LatLon& to) const {
  double km = road_km(from, to);
  return {km, time_for(km)};
}

}  // namespace fieldserve::dispatch
