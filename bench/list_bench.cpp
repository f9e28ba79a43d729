// Where a page of the job list spends its time, in-process: the store's read of 50 jobs against
// a read of one job (the baseline), and the rendering of the page. The database is the sample
// data, made by bench/list_bench.sh and named by FIELDSERVE_BENCH_DB.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "dispatch/sla_policy.h"
#include "server/api/json/job_page.h"
#include "store/store.h"

namespace {

using namespace fieldserve;

store::Store& bench_store() {
  static std::unique_ptr<store::Store> store = [] {
    const char* path = std::getenv("FIELDSERVE_BENCH_DB");
    if (!path) {
      std::cerr << "FIELDSERVE_BENCH_DB must name a database with the sample data\n";
      std::exit(2);
    }
    return store::Store::open(path, 1);
  }();
  return *store;
}

constexpr int kJobs = 700;  // the sample data's jobs; pages start at cursors 0, 50, ... 650

void BM_ReadOneJob(benchmark::State& state) {
  auto& store = bench_store();
  JobId id = 0;
  for (auto _ : state) {
    auto job = store.read([&](store::Tx& tx) { return tx.job(id % kJobs + 1); });
    benchmark::DoNotOptimize(job);
    ++id;
  }
}

void BM_ReadPageOf50(benchmark::State& state) {
  auto& store = bench_store();
  std::int64_t page = 0;
  for (auto _ : state) {
    store::Page p{(page * 50) % kJobs, 50};
    auto jobs = store.read([&](store::Tx& tx) { return tx.jobs(p, {}); });
    benchmark::DoNotOptimize(jobs);
    ++page;
  }
}

void BM_ReadPageStamps(benchmark::State& state) {
  auto& store = bench_store();
  std::int64_t page = 0;
  for (auto _ : state) {
    store::Page p{(page * 50) % kJobs, 50};
    auto stamps = store.read([&](store::Tx& tx) { return tx.job_stamps(p, {}); });
    benchmark::DoNotOptimize(stamps);
    ++page;
  }
}

std::vector<app::ListedJob> listed_page() {
  auto jobs = bench_store().read([&](store::Tx& tx) { return tx.jobs(store::Page{100, 50}, {}); });
  std::vector<app::ListedJob> rows;
  for (auto& j : jobs) rows.push_back({{j.id, j.version}, std::move(j)});
  return rows;
}

// Every job rendered: a page no request has seen.
void BM_RenderPageOf50(benchmark::State& state) {
  auto rows = listed_page();
  auto policy = dispatch::default_policy();
  auto now = from_epoch_s(1'795'000'000);
  for (auto _ : state) {
    server::JobRenderCache cache;
    server::JobPageRenderer renderer(cache, policy, 0, now);
    auto reply = renderer.reply(rows, 50);
    benchmark::DoNotOptimize(reply);
  }
}

// Every job held in the cache at its version: the page is copied together.
void BM_AssemblePageOf50(benchmark::State& state) {
  auto rows = listed_page();
  auto policy = dispatch::default_policy();
  auto now = from_epoch_s(1'795'000'000);
  server::JobRenderCache cache;
  server::JobPageRenderer(cache, policy, 0, now).reply(rows, 50);
  for (auto& row : rows) row.job.reset();
  for (auto _ : state) {
    server::JobPageRenderer renderer(cache, policy, 0, now);
    for (const auto& row : rows) renderer.held(row.stamp);
    auto reply = renderer.reply(rows, 50);
    benchmark::DoNotOptimize(reply);
  }
}

}  // namespace

BENCHMARK(BM_ReadOneJob)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReadPageOf50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReadPageStamps)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RenderPageOf50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AssemblePageOf50)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
