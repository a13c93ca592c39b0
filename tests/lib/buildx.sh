# shellcheck shell=bash
# Docker's BuildKit client (the buildx CLI plugin) for tests, taken from
# Debian trixie's docker-buildx package without installing anything
# system-wide: bookworm has no docker-buildx, and the 20.10 CLI alone cannot
# fill an engine's build cache the way `docker buildx build` does.
#
# Source this file, then:
#   buildx_install "$dir"   # $dir/cli-plugins/docker-buildx, ready to use
#   DOCKER_CONFIG=$dir /usr/bin/docker buildx version
#
# The .deb is fetched once with a private apt configuration (its own
# sources.list naming this machine's Debian mirror with suite trixie, its
# own lists and cache under $dir/apt) and kept in BUILDX_CACHE_DIR, so later
# runs need no network. Needs root (for the cache directory), apt-get and
# dpkg-deb; trixie's Release file is checked against bookworm's
# debian-archive-keyring, which holds the trixie keys. That download,
# debian_download (any packages of any suite), and debian_cached_deb are
# shared with containerd_engine.sh.

BUILDX_CACHE_DIR=${BUILDX_CACHE_DIR:-/var/cache/dgc-tests}
BUILDX_SUITE=trixie
BUILDX_PACKAGE=docker-buildx
BUILDX_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
BUILDX_DEFAULT_MIRROR=http://deb.debian.org/debian
BUILDX_PLUGIN_PATH=usr/libexec/docker/cli-plugins/docker-buildx

# buildx_mirror: prints the URI of the machine's main Debian archive (not
# the security archive), from /etc/apt/sources.list.d/*.sources (deb822),
# else /etc/apt/sources.list, else BUILDX_DEFAULT_MIRROR.
buildx_mirror() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk '
      function flush() {
        if (!found && uri != "" && types ~ /(^| )deb( |$)/ &&
            suites !~ /-security/ && enabled !~ /^ *no/) {
          print uri
          found = 1
        }
        uri = ""; types = ""; suites = ""; enabled = ""
      }
      FNR == 1 { flush() }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      { key = tolower($1); $1 = "" }
      key == "uris:" { split($0, uris, " "); uri = uris[1] }
      key == "types:" { types = $0 }
      key == "suites:" { suites = $0 }
      key == "enabled:" { enabled = tolower($0) }
      END { flush() }
    ' /etc/apt/sources.list.d/*.sources)
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" {
        sub(/\[[^]]*\]/, "")
        if ($3 !~ /-security/) { print $2; exit }
      }' /etc/apt/sources.list)
  fi
  echo "${uri:-$BUILDX_DEFAULT_MIRROR}"
}

# buildx_cached_deb: prints the path of the cached docker-buildx .deb for
# this machine's architecture, if there is one.
buildx_cached_deb() {
  debian_cached_deb "$BUILDX_CACHE_DIR" "$BUILDX_PACKAGE"
}

# buildx_download DIR: downloads trixie's docker-buildx .deb into
# BUILDX_CACHE_DIR with a private apt configuration under DIR/apt; prints
# its path. On failure prints apt's output to stderr and returns 1.
buildx_download() {
  debian_download buildx "$1/apt" "$BUILDX_CACHE_DIR" "$BUILDX_SUITE" \
    "$BUILDX_PACKAGE"
}

# debian_cached_deb CACHE_DIR PACKAGE: prints the path of the newest cached
# .deb of PACKAGE (binary package name) in CACHE_DIR for this machine's
# architecture, if there is one.
debian_cached_deb() {
  local cache_dir=$1 package=$2 arch
  arch=$(dpkg --print-architecture)
  { compgen -G "$cache_dir/${package}_*_${arch}.deb" || true; } | sort -V |
    tail -n 1
}

# debian_download LABEL APT_DIR CACHE_DIR SUITE PACKAGE...: downloads the
# .debs of PACKAGEs (this architecture's, SUITE's version whatever is
# installed: apt-get download PACKAGE/SUITE) from SUITE of this machine's
# Debian mirror (buildx_mirror) into CACHE_DIR, with a private apt
# configuration (its own sources.list, lists and cache) under APT_DIR;
# installs nothing and leaves the machine's apt state alone. Prints the
# cached paths, one a line, in the order of the PACKAGEs. On failure
# prints "LABEL: ..." and apt's output to stderr and returns 1.
debian_download() {
  local label=$1 apt_dir=$2 cache_dir=$3 suite=$4
  shift 4
  local log="$apt_dir/apt.log" deb package name
  local -a debs=()
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
    "$apt_dir/download" "$cache_dir"
  echo "deb [signed-by=$BUILDX_KEYRING] $(buildx_mirror) $suite main" \
    >"$apt_dir/sources.list"
  local -a apt=(apt-get -q
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o APT::Sandbox::User=root)
  if ! "${apt[@]}" update >"$log" 2>&1 ||
    ! (cd "$apt_dir/download" && "${apt[@]}" download "${@/%//$suite}") \
      >>"$log" 2>&1; then
    echo "$label: cannot download $* from $suite" \
      "($(cat "$apt_dir/sources.list")); apt said:" >&2
    cat "$log" >&2
    return 1
  fi
  for package in "$@"; do
    deb=$(compgen -G "$apt_dir/download/${package}_*.deb" | head -n 1) || true
    if [[ -z "$deb" ]]; then
      echo "$label: apt-get download left no $package .deb; apt said:" >&2
      cat "$log" >&2
      return 1
    fi
    debs+=("$deb")
  done
  for deb in "${debs[@]}"; do
    # Into the cache under a temporary name, then renamed: a concurrent
    # run never sees half a file.
    name=$(basename "$deb")
    cp "$deb" "$cache_dir/.$name.$$"
    mv "$cache_dir/.$name.$$" "$cache_dir/$name"
    echo "$cache_dir/$name"
  done
}

# buildx_install DIR: makes DIR a DOCKER_CONFIG directory whose
# cli-plugins/docker-buildx is trixie's buildx (the cached .deb, downloaded
# first if missing), extracted under DIR/root. Prints nothing on success;
# returns 1 with the reason (and apt's output) on stderr.
buildx_install() {
  local dir=$1 deb
  mkdir -p "$dir"
  deb=$(buildx_cached_deb)
  if [[ -z "$deb" ]]; then
    deb=$(buildx_download "$dir") || return 1
  fi
  if [[ "$(dpkg-deb -f "$deb" Package)" != "$BUILDX_PACKAGE" ]]; then
    echo "buildx: $deb is not a $BUILDX_PACKAGE package" >&2
    return 1
  fi
  rm -rf "$dir/root"
  dpkg-deb -x "$deb" "$dir/root" || return 1
  mkdir -p "$dir/cli-plugins"
  install -m 0755 "$dir/root/$BUILDX_PLUGIN_PATH" "$dir/cli-plugins/docker-buildx"
  if ! DOCKER_CONFIG=$dir /usr/bin/docker buildx version >/dev/null 2>&1; then
    echo "buildx: /usr/bin/docker does not run $dir/cli-plugins/docker-buildx:" >&2
    DOCKER_CONFIG=$dir /usr/bin/docker buildx version >&2
    return 1
  fi
}
