#include "geo/distance.h"

#include <GeographicLib/Geodesic.hpp>
#include <cmath>

namespace fieldserve::geo {

bool is_valid(const LatLon& p) {
  return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90 && p.lat <= 90 &&
         p.lon >= -180 && p.lon <= 180;
}

double geodesic_km(const LatLon& a, const LatLon& b) {
  double meters = 0;
  GeographicLib::Geodesic::WGS84().Inverse(a.lat, a.lon, b.lat, b.lon, meters);
  return meters / 1000.0;
}

double haversine_km(const LatLon& a, const LatLon& b) {
  constexpr double kMeanRadiusKm = 6371.0088;
  constexpr double kRad = M_PI / 180.0;
  double dlat = (b.lat - a.lat) * kRad, dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kMeanRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

std::optional<std::size_t> nearest(const LatLon& from, std::span<const LatLon> points) {
  std::optional<std::size_t> best;
  double best_km = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    double km = geodesic_km(from, points[i]);
    if (!best || km < best_km) {
      best = i;
      best_km = km;
    }
  }
  return best;
}

}  // namespace fieldserve::geo
