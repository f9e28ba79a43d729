// sync/: cursors, collapsing the change feed into a page, the conflict table, signatures.
#include <gtest/gtest.h>

#include <set>

#include "sync/cursor.h"
#include "sync/feed.h"
#include "sync/op_rules.h"
#include "sync/signature.h"

namespace fieldserve::sync {
namespace {

const std::string kPng = *decode_base64(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==");

TEST(Cursor, RoundTripsWithAndWithoutASnapshotPosition) {
  Cursor delta{"a1b2c3d4e5f60718", 42, 1234, std::nullopt};
  Cursor paging{"a1b2c3d4e5f60718", 42, 1234, 977};
  for (const auto& c : {delta, paging}) {
    auto back = decode_cursor(encode_cursor(c));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->database_id, c.database_id);
    EXPECT_EQ(back->technician_id, c.technician_id);
    EXPECT_EQ(back->seq, c.seq);
    EXPECT_EQ(back->snapshot_after, c.snapshot_after);
  }
}

TEST(Cursor, GarbageTruncatedOrEditedTextIsNotACursor) {
  auto text = encode_cursor({"a1b2c3d4e5f60718", 42, 1234, std::nullopt});
  EXPECT_FALSE(decode_cursor(""));
  EXPECT_FALSE(decode_cursor("garbage"));
  EXPECT_FALSE(decode_cursor(text.substr(0, text.size() - 1)));
  auto edited = text;
  edited.replace(edited.find(".1234."), 6, ".9234.");  // a later position, same checksum
  EXPECT_FALSE(decode_cursor(edited));
  EXPECT_FALSE(decode_cursor(text + "0"));
  EXPECT_FALSE(decode_cursor(std::string(500, 'c')));
}

TEST(Cursor, JudgedAgainstTheFeed) {
  FeedBounds bounds{"a1b2c3d4e5f60718", 500, 100};
  auto at = [](std::string db, TechnicianId t, std::int64_t seq) {
    return Cursor{db, t, seq, std::nullopt};
  };
  EXPECT_EQ(judge_cursor(at(bounds.database_id, 7, 300), 7, bounds), CursorVerdict::resume);
  EXPECT_EQ(judge_cursor(at(bounds.database_id, 7, 100), 7, bounds), CursorVerdict::resume);
  EXPECT_EQ(judge_cursor(at(bounds.database_id, 7, 500), 7, bounds), CursorVerdict::resume);
  EXPECT_EQ(judge_cursor(at(bounds.database_id, 8, 300), 7, bounds), CursorVerdict::wrong_owner);
  EXPECT_EQ(judge_cursor(at(bounds.database_id, 7, 99), 7, bounds), CursorVerdict::reset)
      << "pruned";
  EXPECT_EQ(judge_cursor(at(bounds.database_id, 7, 501), 7, bounds), CursorVerdict::reset)
      << "ahead";
  EXPECT_EQ(judge_cursor(at("ffffffffffffffff", 8, 300), 7, bounds), CursorVerdict::reset)
      << "another database: whose it was means nothing here";
}

TEST(Feed, CollapseKeepsEachJobsLatestEntryInSeqOrder) {
  std::vector<FeedEntry> entries{{1, 10, std::nullopt},
                                 {2, 11, std::nullopt},
                                 {3, 10, RemovalReason::reassigned},
                                 {4, 12, std::nullopt},
                                 {5, 11, std::nullopt}};
  auto items = collapse(entries);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].job_id, 10);
  EXPECT_EQ(items[0].removed, RemovalReason::reassigned);
  EXPECT_EQ(items[0].last_seq, 3);
  EXPECT_EQ(items[1].job_id, 12);
  EXPECT_EQ(items[2].job_id, 11);
  EXPECT_EQ(items[2].last_seq, 5);
  EXPECT_TRUE(collapse({}).empty());
}

TEST(Feed, APrefixOfTheCollapsedPageCoversEveryEntryUpToItsCursor) {
  // The property the pull's size cap relies on: after sending items[0..k], every entry with
  // seq <= items[k].last_seq belongs to a job already sent or to one that comes again later.
  std::vector<FeedEntry> entries;
  for (int i = 1; i <= 60; ++i) entries.push_back({i, (i * 7) % 13, std::nullopt});
  auto items = collapse(entries);
  for (std::size_t k = 0; k < items.size(); ++k) {
    std::set<JobId> sent, later;
    for (std::size_t i = 0; i <= k; ++i) sent.insert(items[i].job_id);
    for (std::size_t i = k + 1; i < items.size(); ++i) later.insert(items[i].job_id);
    for (const auto& e : entries) {
      if (e.seq <= items[k].last_seq) {
        EXPECT_TRUE(sent.contains(e.job_id) || later.contains(e.job_id));
      }
    }
  }
}

TEST(OpRules, StandingFollowsOwnershipAndStatus) {
  Job job;
  job.id = 5;
  job.technician_id = 1;
  job.status = JobStatus::on_site;
  EXPECT_EQ(standing_of(job, 1, false), Standing::yours);
  EXPECT_EQ(standing_of(job, 2, true), Standing::reassigned);
  EXPECT_EQ(standing_of(job, 2, false), Standing::not_yours);
  EXPECT_EQ(standing_of(std::nullopt, 1, false), Standing::not_yours);
  job.status = JobStatus::cancelled;
  EXPECT_EQ(standing_of(job, 1, false), Standing::cancelled);
  EXPECT_EQ(standing_of(job, 2, true), Standing::cancelled);
  job.status = JobStatus::closed;
  EXPECT_EQ(standing_of(job, 1, false), Standing::closed);
}

TEST(OpRules, FactsAreKeptAndFlaggedWhileStatusChangesAreOnlyRecorded) {
  struct Row {
    OpType type;
    Standing standing;
    OpAction action;
    OpStatus status;
    const char* code;
  };
  const Row table[] = {
      {OpType::note, Standing::yours, OpAction::apply, OpStatus::applied, ""},
      {OpType::status, Standing::yours, OpAction::apply, OpStatus::applied, ""},
      {OpType::signoff, Standing::reassigned, OpAction::keep_and_flag, OpStatus::conflict,
       "job_reassigned"},
      {OpType::parts_used, Standing::cancelled, OpAction::keep_and_flag, OpStatus::conflict,
       "job_cancelled"},
      {OpType::note, Standing::closed, OpAction::keep_and_flag, OpStatus::conflict, "job_closed"},
      {OpType::status, Standing::reassigned, OpAction::record_only, OpStatus::conflict,
       "job_reassigned"},
      {OpType::status, Standing::cancelled, OpAction::record_only, OpStatus::conflict,
       "job_cancelled"},
      {OpType::note, Standing::not_yours, OpAction::refuse, OpStatus::conflict, "not_your_job"},
      {OpType::status, Standing::not_yours, OpAction::refuse, OpStatus::conflict, "not_your_job"},
  };
  for (const auto& row : table) {
    auto v = judge_op(row.type, row.standing, 9);
    EXPECT_EQ(v.action, row.action) << to_string(row.type);
    EXPECT_EQ(v.status, row.status) << to_string(row.type);
    EXPECT_EQ(to_string(v.code), row.code) << to_string(row.type);
  }
}

TEST(OpCodes, EveryCodeHasOneNameAndReadsBackAsItself) {
  std::set<std::string_view> names;
  for (const auto& info : op_code_catalogue()) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    EXPECT_EQ(to_string(info.code), info.name);
    EXPECT_EQ(parse_op_code(info.name), info.code);
    // Only "none" goes with applied; a code names why an op was not simply applied.
    EXPECT_EQ(info.code == OpCode::none, info.status == OpStatus::applied) << info.name;
  }
  EXPECT_EQ(parse_op_code("teleported"), std::nullopt);
  EXPECT_EQ(op_code_for(ErrorCode::invalid_transition), OpCode::invalid_transition);
  EXPECT_EQ(op_code_for(ErrorCode::validation_failed), OpCode::validation_failed);
  EXPECT_EQ(op_code_for(ErrorCode::stale_version), OpCode::internal);
}

TEST(OpRules, OpTypesAndUuids) {
  for (auto t :
       {OpType::status, OpType::signoff, OpType::note, OpType::parts_used, OpType::location}) {
    EXPECT_EQ(parse_op_type(to_string(t)), t);
  }
  EXPECT_FALSE(parse_op_type("teleport"));
  EXPECT_TRUE(is_uuid("8d3e6f1a-0b2c-4d5e-8f90-a1b2c3d4e5f6"));
  EXPECT_TRUE(is_uuid("8D3E6F1A-0B2C-4D5E-8F90-A1B2C3D4E5F6"));
  EXPECT_FALSE(is_uuid("8d3e6f1a0b2c4d5e8f90a1b2c3d4e5f6"));
  EXPECT_FALSE(is_uuid("8d3e6f1a-0b2c-4d5e-8f90-a1b2c3d4e5fg"));
  EXPECT_FALSE(is_uuid(""));
}

TEST(Signature, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 20; ++n) {
    EXPECT_EQ(decode_base64(encode_base64(bytes)), bytes) << n;
    bytes.push_back(static_cast<char>(n * 37 + 200));
  }
  EXPECT_FALSE(decode_base64("ab$d"));
  EXPECT_FALSE(decode_base64("a"));
}

TEST(Signature, AcceptsACompletePngAndNamesWhatIsWrongOtherwise) {
  EXPECT_TRUE(decode_signature_png(encode_base64(kPng)));
  auto bad_magic = kPng;
  bad_magic[1] = 'Q';
  auto no_ihdr = kPng;
  no_ihdr[12] = 'X';
  auto cut = kPng.substr(0, kPng.size() - 5);
  auto big = kPng.substr(0, 33) + std::string(kMaxSignatureBytes, 'x') +
             kPng.substr(kPng.size() - 12);
  for (const auto& [bytes, why] : {std::pair{bad_magic, "not a PNG"},
                                   {no_ihdr, "IHDR"},
                                   {cut, "cut short"},
                                   {big, "larger than"}}) {
    auto r = decode_signature_png(encode_base64(bytes));
    ASSERT_FALSE(r) << why;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_signature);
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(decode_signature_png("not base64!"));
}

}  // namespace
}  // namespace fieldserve::sync
