# Sourced by scripts/run and scripts/test: installs the Debian packages fieldserve needs, only
# when one is missing, so a second run is quiet.
FIELDSERVE_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libcpp-httplib-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libgeographiclib-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libcli11-dev libhowardhinnant-date-dev
  libssl-dev libbenchmark-dev liblemon-dev libjemalloc-dev libpq-dev postgresql nginx tzdata openssl
  wrk curl
)

install_missing_packages() {
  local missing=()
  for pkg in "${FIELDSERVE_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}

# Builds the Release fieldserve users run (build/release/server/fieldserve), quietly unless it
# fails. Used by scripts/run and scripts/run_pair.
build_release_fieldserve() {
  mkdir -p build/release
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFIELDSERVE_TESTS=OFF \
    -DFIELDSERVE_BENCH=ON > build/release/configure.log 2>&1 \
    || { cat build/release/configure.log >&2; exit 1; }
  echo "building fieldserve (release)..." >&2
  cmake --build build/release --target fieldserve > build/release/build.log 2>&1 \
    || { tail -60 build/release/build.log >&2; exit 1; }
}
