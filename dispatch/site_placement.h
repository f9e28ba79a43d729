#pragma once
// A site belongs to the nearest service center (geodesic) unless one is set explicitly; its
// distance band is measured from that center (the domain model).
#include <optional>
#include <span>

#include "domain/model.h"

namespace fieldserve::dispatch {

struct Placement {
  CenterId center_id = 0;
  double distance_km = 0;
};

// nullopt when there is no center, or the explicit center is not among `centers`.
std::optional<Placement> place_site(const geo::LatLon& site, std::span<const Center> centers,
                                    std::optional<CenterId> explicit_center);

}  // namespace fieldserve::dispatch
