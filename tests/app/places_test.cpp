// Customer records and report use cases in process: what a change sets off happens in the same
// transaction, an edit that refuses leaves nothing behind, and the audit rows name the fields.
#include <gtest/gtest.h>

#include "app/places_service.h"
#include "app/report_service.h"
#include "app_fixture.h"

namespace fieldserve::app {
namespace {

using namespace std::chrono_literals;

// Stand-ins for the edge's encodings: one field per member the tests look at.
AuditEncoders plain_encoders() {
  return {
      [](const Customer& c) {
        return AuditFields{{"id", std::to_string(c.id)},
                           {"name", c.name},
                           {"notes", c.notes},
                           {"version", std::to_string(c.version)}};
      },
      [](const Site& s, const dispatch::SlaPolicy&) {
        return AuditFields{{"address", s.address}, {"center_id", std::to_string(s.center_id)}};
      },
      [](const Equipment& e) {
        return AuditFields{{"serial", e.serial}};
      },
  };
}

class PlacesTest : public AppTest {
 protected:
  PlacesService places{*store, writer, dispatcher, plain_encoders()};
  Principal admin{5, Role::admin, "admin", std::nullopt};

  std::vector<AuditEntry> audit_of(const std::string& entity, std::int64_t id) {
    return places.audit(entity, id, store::Page{0, 100});
  }
};

TEST_F(PlacesTest, CustomerChangesAreAuditedFieldByFieldAndARefusedEditLeavesNothing) {
  auto created = places.create_customer(admin, Customer{.name = "Harbour Cold Storage"});
  ASSERT_TRUE(created);
  auto rows = audit_of("customer", created->id);
  ASSERT_EQ(rows.size(), 2u) << "name and notes, not id or version";
  EXPECT_EQ(rows[0].action, "create");
  EXPECT_EQ(rows[0].actor, "token:5");

  auto refused = places.patch_customer(admin, created->id, created->version, [](Customer& c) {
    c.name = "half-applied";
    return Result<void>(fail(ErrorCode::validation_failed, "no"));
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(places.customer(created->id)->name, "Harbour Cold Storage");
  EXPECT_EQ(audit_of("customer", created->id).size(), 2u);

  auto stale = places.patch_customer(admin, created->id, created->version + 1,
                                     [](Customer&) { return Result<void>(); });
  EXPECT_EQ(stale.error().code, ErrorCode::stale_version);

  auto changed = places.patch_customer(admin, created->id, created->version, [](Customer& c) {
    c.notes = "gate code 4411";
    return Result<void>();
  });
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->version, created->version + 1);
  rows = audit_of("customer", created->id);
  ASSERT_EQ(rows.size(), 3u);
  const auto& update = rows[0].action == "update" ? rows[0] : rows[2];
  EXPECT_EQ(update.field, "notes");
  EXPECT_EQ(update.old_value, "");
  EXPECT_EQ(update.new_value, "gate code 4411");
  EXPECT_EQ(update.at, kMonday10);
}

TEST_F(PlacesTest, ANewNearerCenterTakesOverSitesAndTheMoveIsAudited) {
  auto s = places.create_site(admin, SiteChanges{.customer_id = 1,
                                                 .address = "9 Riverside",
                                                 .location = geo::LatLon{31.10, 121.20}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->center_id, center);
  auto nearer = places.create_center(admin, Center{.name = "Songjiang",
                                                   .location = {31.11, 121.21},
                                                   .time_zone = "Asia/Shanghai"});
  ASSERT_TRUE(nearer);
  auto moved = places.site(s->id);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->center_id, nearer->id);
  EXPECT_LT(moved->distance_km, 2.0);
  bool audited = false;
  for (const auto& e : audit_of("site", s->id)) {
    audited = audited || (e.action == "update" && e.field == "center_id" &&
                          e.new_value == std::to_string(nearer->id));
  }
  EXPECT_TRUE(audited);

  auto unknown = places.create_site(
      admin, SiteChanges{.customer_id = 999, .address = "x", .location = geo::LatLon{31, 121}});
  EXPECT_EQ(unknown.error().code, ErrorCode::unknown_reference);
}

TEST_F(PlacesTest, ATechnicianReadsOnlyItsOwnRecord) {
  Principal me{8, Role::technician, "me", tech};
  EXPECT_TRUE(places.technician(me, tech));
  EXPECT_EQ(places.technician(me, tech + 1).error().code, ErrorCode::forbidden);
  auto moved = places.patch_technician(admin, tech, std::nullopt, [](Technician& t) {
    t.home_center_id = 999;
    return Result<void>();
  });
  EXPECT_EQ(moved.error().code, ErrorCode::unknown_reference);
}

TEST_F(PlacesTest, ReportWindowsHaveDefaultsAndBounds) {
  ReportService reports{*store, clock, dispatcher.travel(), CostRates{}};
  auto w = reports.window(std::nullopt, std::nullopt);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->to, kMonday10 + 1s);
  EXPECT_EQ(w->to - w->from, std::chrono::days{30});
  EXPECT_EQ(reports.window(kMonday10, kMonday10).error().code, ErrorCode::validation_failed);
  EXPECT_FALSE(reports.window(kMonday10 - std::chrono::days{733}, kMonday10));
  EXPECT_TRUE(reports.window(kMonday10 - std::chrono::days{732}, kMonday10));
}

}  // namespace
}  // namespace fieldserve::app
