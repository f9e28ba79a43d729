#pragma once
// A dispatch decision's candidates as JSON text: how the store keeps the explanation (opaque to
// it) and how GET /jobs/{id}/candidates shows it.
#include <string>

#include "dispatch/engine.h"

namespace fieldserve::server {

std::string candidates_json(const dispatch::Decision& d);

}  // namespace fieldserve::server
