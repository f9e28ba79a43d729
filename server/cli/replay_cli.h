#pragma once
// `fieldserve replay`: reads centers.csv, technicians.csv and requests.csv from a folder, runs the
// what-if replay, and writes the JSON result of docs/decisions.md.
#include <string>

#include "domain/error.h"

namespace fieldserve::server {

struct ReplayCommand {
  std::string folder;
  std::string strategy = "sla";
  std::string policy_file;        // empty: the default policy
  std::string out_file;           // empty: stdout
  std::string requests_out_file;  // non-empty: one CSV row per request, as it went
  bool no_move_up = false;        // ablations of the engine's parts, for comparing them
  bool no_replan = false;         // all three below
  bool no_optimizer_replan = false;
  bool no_take_over = false;
  bool no_rescue = false;
};

// Returns the process exit code; problems are described on stderr with file and line.
int run_replay(const ReplayCommand& command);

}  // namespace fieldserve::server
