#pragma once
// Travel-time estimate: geodesic km × circuity ÷ speed (docs/decisions.md). A seam for a road
// router later (STYLE 5): callers depend on TravelModel, not on the formula.
#include <chrono>

#include "geo/lat_lon.h"

namespace fieldserve::dispatch {

struct Leg {
  double road_km = 0;
  std::chrono::seconds time{0};
};

class TravelModel {
 public:
  virtual ~TravelModel() = default;
  // Both figures of one leg; models that can share the work between them override it.
  virtual Leg leg(const geo::LatLon& from, const geo::LatLon& to) const {
    return {road_km(from, to), travel_time(from, to)};
  }
  virtual double road_km(const geo::LatLon& from, const geo::LatLon& to) const = 0;
  virtual std::chrono::seconds travel_time(const geo::LatLon& from,
                                           const geo::LatLon& to) const = 0;
};

class GeodesicTravel final : public TravelModel {
 public:
  explicit GeodesicTravel(double circuity = 1.3, double speed_kmh = 40)
      : circuity_(circuity), speed_kmh_(speed_kmh) {}
  double road_km(const geo::LatLon& from, const geo::LatLon& to) const override;
  std::chrono::seconds travel_time(const geo::LatLon& from, const geo::LatLon& to) const override;
  Leg leg(const geo::LatLon& from, const geo::LatLon& to) const override;  // one geodesic

 private:
  std::chrono::seconds time_for(double road_km) const;
  double circuity_;
  double speed_kmh_;
};

}  // namespace fieldserve::dispatch
