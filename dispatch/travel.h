#pragma once
// Travel-time estimate: geodesic km × circuity ÷ speed (SPEC section 4). A seam for a road
// router later (STYLE 5): callers depend on TravelModel, not on the formula.
#include <chrono>

#include "geo/lat_lon.h"

namespace fieldserve::dispatch {

class TravelModel {
 public:
  virtual ~TravelModel() = default;
  virtual double road_km(const geo::LatLon& from, const geo::LatLon& to) const = 0;
  virtual std::chrono::seconds travel_time(const geo::LatLon& from, const geo::LatLon& to) const = 0;
};

class GeodesicTravel final : public TravelModel {
 public:
  explicit GeodesicTravel(double circuity = 1.3, double speed_kmh = 40)
      : circuity_(circuity), speed_kmh_(speed_kmh) {}
  double road_km(const geo::LatLon& from, const geo::LatLon& to) const override;
  std::chrono::seconds travel_time(const geo::LatLon& from, const geo::LatLon& to) const override;

 private:
  double circuity_;
  double speed_kmh_;
};

}  // namespace fieldserve::dispatch
