// The policy file reference (see policy_reference.h for its layout rules).
#include "plugin/policy_reference.h"

namespace dgc {
namespace {

constexpr std::string_view kReference = R"(gc.json - the docker gc policy file

DESCRIPTION
  A policy says what docker gc may remove: images, and optionally stopped
  containers, anonymous volumes and build cache records. It is one JSON
  object. Unknown fields are errors, not ignored, so a misspelt field
  cannot silently match nothing. Check a file with
  "docker gc policy check FILE", and look at "docker gc plan -p FILE"
  before applying it.

  docker gc plan, apply and df read the file given with -p (--policy),
  else $DOCKER_CONFIG/gc.json (DOCKER_CONFIG defaults to ~/.docker), else
  /etc/docker/gc.json. With none of them, the built-in default policy
  applies: dangling images older than 24h.

EXAMPLE
    {
      "rules": [
        {"name": "releases", "match": "myapp-main-*", "keep_newest": 2},
        {"name": "legacy", "match": "docker-*", "older_than": "7d"},
        {"name": "dangling", "dangling": true, "older_than": "24h"}
      ],
      "protect": {"match": ["postgres:*"], "labels": ["gc.keep=true"]},
      "min_age": "1h"
    }

  Keeps the 2 newest images of each myapp-main-* repository, removes
  docker-* images older than a week and dangling images older than a day,
  and never touches postgres images, images labelled gc.keep=true or
  images younger than an hour.

TOP-LEVEL FIELDS
  rules (array of rules, required)
      The image rules, in order; see RULES. May be empty.
  protect.match (glob or array of globs)
      Images with a reference matching one of these are protected.
  protect.labels (array of KEY or KEY=VALUE)
      Images with one of these labels (or, for KEY alone, with the label
      at any value) are protected.
  min_age (duration, default "1h")
      Images younger than this are protected, measured from the later of
      their creation and their last tagging.
  threshold.high, threshold.low (percentage or size)
      Watermarks: act only at or above high, and then only until usage
      is down to low; see WATERMARKS. Give both, both percentages or both
      sizes, with low below high.
  order ("policy" or "lru", default "policy")
      What a watermark may take: see WATERMARKS.
  build_cache.older_than (duration)
      Build cache records unused for longer than this are removed (never
      one in use or shared with an image).
  build_cache.keep_storage (size)
      Removes build cache records, least recently used first, only while
      the cache is larger than this. Give older_than, keep_storage or both.
  containers.stopped_older_than (duration, required in the section)
      Created, exited and dead containers that stopped longer ago than
      this (or, never started, were created longer ago) are removed.
      Running, paused and restarting containers never are.
  containers.protect_labels (array of KEY or KEY=VALUE)
      Containers with one of these labels are never removed.
  containers.include_restart_policies (boolean, default false)
      Also remove containers whose restart policy is "always" or
      "unless-stopped". Off by default: on a host whose containers all
      stopped in an outage, those are expected back.
  volumes.anonymous_unused_older_than (duration, required in the section)
      Anonymous volumes that no container of any state mounts, created
      longer ago than this, are removed. Named volumes never are.

  The build_cache, containers and volumes sections are off unless
  present.

RULES
  Each rule decides about image references (repository:tag). A rule has
  exactly one of match and dangling, and at least one of keep_newest,
  older_than and keep.

  name (string, default "rule N")
      Names the rule in plans, logs and errors; N counts from 1.
  match (glob or array of globs)
      The references the rule decides; see glob under VALUES.
  dangling (true)
      The rule decides images that have no tag; only such rules do.
  labels (array of KEY or KEY=VALUE)
      The rule matches only images that have all of these labels (KEY
      alone: the label at any value).
  keep_newest (whole number N)
      In each group, the N newest images are kept and the others are
      selected; with older_than as well, only those also older than it.
      Newest orders by creation time, then by ID; the count includes
      protected images.
  older_than (duration)
      Selects matched images older than this, measured from their
      creation.
  group_by ("repository", "rule" or "label:KEY", default "repository")
      With keep_newest: the groups. "repository" groups by repository;
      "rule" makes every image the rule matches one group (a family of
      repositories such as myapp-main-*); "label:KEY" groups by the
      value of a label, e.g. label:com.docker.compose.project.
  keep (true)
      Matched references are kept: an explicit allow rule, for exceptions
      placed before broader rules. Not combined with keep_newest or
      older_than.

EVALUATION
  Each reference of each image is decided by the first rule, in file
  order, that matches it: kept or selected. References no rule matches
  are kept. Dangling images are decided by dangling rules alone.

  An image is protected, and nothing at all is done to it, when a
  container of any state (created, running, paused, restarting, exited,
  dead) uses it; when it matches protect.match or protect.labels; when it
  is younger than min_age; or when it is the parent of an image that
  stays.

  An unprotected image whose references are all selected is deleted. One
  with only some of its references selected has those untagged, which
  frees nothing. Nothing is ever forced: untags come first, then
  deletions, children before their parents.

WATERMARKS
  Without threshold, everything the policy selects is removed. With it,
  nothing is done while usage is below high; at or above high,
  candidates are taken, least recently used first, until the exactly
  predicted usage reaches low, and no more. apply measures again after
  each action and stops once usage is at or below low.

  Percentages are of the filesystem holding the engine's data (its
  DockerRootDir, and containerd's root when that is on another
  filesystem: the fullest counts); they need an engine on this machine.
  Sizes are of Docker's own usage (image layers, containers' writable
  layers, volumes and build cache, as the engine reports them) and work
  with any engine.

  order "policy" takes only what the rules and the resource sections
  select. order "lru" also takes any unprotected image that no container
  uses and no keep or keep_newest keeps. An image's last use is the
  latest of its creation, its last tagging, and the creation and start of
  the containers that used it.

VALUES
  duration
      A whole number and a unit: m (minutes), h (hours), d (days) or w
      (weeks), e.g. "90m", "36h", "7d", "2w".
  size
      A number and a unit: B, kB, MB, GB, TB (powers of 1000) or KiB,
      MiB, GiB, TiB (powers of 1024), e.g. "40GB", "512MiB", "1000B".
  percentage
      A number and %, e.g. "85%".
  glob
      Shell-style and anchored: the whole text must match. * matches any
      run of characters, / included; ? one character; [a-z] one
      character of a class, [!0-9] or [^0-9] one outside it; \ takes the
      next character literally. A glob with a : after its last / matches
      repository:tag; any other matches the repository alone, registry
      and path included (in localhost:5000/app the : is a port).

FILES
  /etc/docker/gc.json
      The system-wide policy.
  $DOCKER_CONFIG/gc.json
      The user's policy, read first (default ~/.docker/gc.json).

SEE ALSO
  docker-gc(1), docker(1)
)";

}  // namespace

std::string_view PolicyReference() { return kReference; }

}  // namespace dgc
