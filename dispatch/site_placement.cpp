#include "dispatch/site_placement.h"

#include <vector>

#include "geo/distance.h"

namespace fieldserve::dispatch {

std::optional<Placement> place_site(const geo::LatLon& site, std::span<const Center> centers,
                                    std::optional<CenterId> explicit_center) {
  if (explicit_center) {
    for (const auto& c : centers) {
      if (c.id == *explicit_center) return Placement{c.id, geo::geodesic_km(site, c.location)};
    }
    return std::nullopt;
  }
  std::vector<geo::LatLon> points;
  points.reserve(centers.size());
  for (const auto& c : centers) points.push_back(c.location);
  auto best = geo::nearest(site, points);
  if (!best) return std::nullopt;
  return Placement{centers[*best].id, geo::geodesic_km(site, centers[*best].location)};
}

}  // namespace fieldserve::dispatch
