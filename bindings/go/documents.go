package dgc

import "time"

// The JSON documents of docker gc (SPEC.md §4, §7, §8) as Go types. Byte
// counts are in bytes; times are UTC. libdgc may add fields to its
// documents later; those it writes today are all here.

// Action ops (Action.Op, ActionResult.Op).
const (
	OpDelete = "delete"
	OpUntag  = "untag"
	// OpRemoveContainer removes a stopped container (Action.Container).
	OpRemoveContainer = "remove_container"
	// OpRemoveVolume removes an unused anonymous volume (Action.Volume).
	OpRemoveVolume = "remove_volume"
	// OpPruneBuildCache prunes build cache records (Action.Records).
	OpPruneBuildCache = "prune_build_cache"
)

// Result statuses (ActionResult.Status).
const (
	// StatusDone: the engine performed the action.
	StatusDone = "done"
	// StatusSkipped: not run, because the re-check found it no longer safe
	// or already done, or because the apply stopped before it.
	StatusSkipped = "skipped"
	// StatusFailed: the engine refused or errored (see Detail).
	StatusFailed = "failed"
	// StatusUnknown: the engine's answer was lost and nothing could tell
	// whether it did the action (see Detail).
	StatusUnknown = "unknown"
)

// Kinds of kept resources (KeptResource.Kind).
const (
	KindContainer = "container"
	KindVolume    = "volume"
)

// Watermark measures (Watermark.Measure).
const (
	// MeasureDisk: the used share of the filesystem holding the engine's
	// data (a threshold in percent).
	MeasureDisk = "disk"
	// MeasureDocker: Docker's own usage, image layers, build cache,
	// containers' writable layers and volumes (a threshold in sizes).
	MeasureDocker = "docker"
)

// Engine identifies the engine a document is about.
type Engine struct {
	Host          string `json:"host"`
	ID            string `json:"id"`
	APIVersion    string `json:"api_version"`
	ServerVersion string `json:"server_version"`
	StorageDriver string `json:"storage_driver"`
	// ImageStore is "graphdriver" or "containerd" (SPEC §10).
	ImageStore string `json:"image_store"`
}

// PlanDoc is a dgc.plan/v1 document: what applying a policy would do.
//
// A PlanDoc made by Plan, or read with encoding/json, keeps the text libdgc
// wrote, so that Apply performs exactly that plan (see MarshalJSON).
type PlanDoc struct {
	Schema  string      `json:"schema"` // "dgc.plan/v1"
	Engine  Engine      `json:"engine"`
	Now     time.Time   `json:"now"`    // the clock ages were measured at
	Policy  string      `json:"policy"` // where the policy came from
	Summary PlanSummary `json:"summary"`
	// Actions run in this order: containers first (their images may go in
	// the same plan), then untags, deletions (children before parents),
	// volumes, and build cache.
	Actions []Action    `json:"actions"`
	Kept    []KeptImage `json:"kept"`
	// KeptResources are the containers and volumes the policy's resource
	// sections looked at and left, and why.
	KeptResources []KeptResource `json:"kept_resources"`
	// Watermark is what the policy's threshold measured and what the plan
	// does to it; nil when the policy has no threshold.
	Watermark *Watermark `json:"watermark,omitempty"`
	Warnings  []string   `json:"warnings"`

	raw []byte // the document as libdgc wrote it
}

// PlanSummary counts a plan's images, other resources and bytes.
type PlanSummary struct {
	Images int `json:"images"`
	Delete int `json:"delete"`
	Untag  int `json:"untag"`
	// RemoveContainer and RemoveVolume count the remove_container and
	// remove_volume actions.
	RemoveContainer int `json:"remove_container"`
	RemoveVolume    int `json:"remove_volume"`
	// PruneBuildCache counts the build cache records the
	// prune_build_cache actions remove.
	PruneBuildCache int `json:"prune_build_cache"`
	Keep            int `json:"keep"`
	// ReclaimableBytes is exactly what the engine frees when every action
	// succeeds: the sum of the actions' Bytes.
	ReclaimableBytes uint64 `json:"reclaimable_bytes"`
	// Exact is false, with the bounds below, when some action's bytes are
	// bounds (the containerd store without its content store); nil when
	// every figure is exact.
	Exact               *bool   `json:"exact,omitempty"`
	ReclaimableBytesMin *uint64 `json:"reclaimable_bytes_min,omitempty"`
	ReclaimableBytesMax *uint64 `json:"reclaimable_bytes_max,omitempty"`
	// NaiveBytes is the sum of the deleted images' sizes: the usual,
	// wrong, estimate.
	NaiveBytes uint64 `json:"naive_bytes"`
}

// Action is one step of a plan: delete an image or untag some of its
// references, remove a container or a volume, or prune build cache
// records.
//
// Container, ContainerName and StoppedAt are in the JSON of remove_container
// actions only, Volume of remove_volume ones, Records of prune_build_cache
// ones; a time libdgc does not know (the Created of a prune_build_cache
// action) is the zero time.Time, written "".
type Action struct {
	Op string `json:"op"` // OpDelete, OpUntag, OpRemoveContainer, ...
	// Image is the image acted on (untag, delete), or the image of the
	// container removed (remove_container): "sha256:..."; "" otherwise.
	Image  string   `json:"image"`
	Refs   []string `json:"refs"`
	Rule   string   `json:"rule"` // "containers", "volumes", "build_cache" for those ops
	Reason string   `json:"reason"`
	// Bytes is what the action frees given that the actions before it
	// succeeded; a plan's Bytes add up to its ReclaimableBytes.
	Bytes uint64 `json:"bytes"`
	// Exact is false when Bytes is only the lower bound BytesMin of what
	// the action frees, BytesMax the upper; all three nil when exact.
	Exact       *bool     `json:"exact,omitempty"`
	BytesMin    *uint64   `json:"bytes_min,omitempty"`
	BytesMax    *uint64   `json:"bytes_max,omitempty"`
	AlsoRemoves []string  `json:"also_removes"`
	Prune       bool      `json:"prune"`
	Created     time.Time `json:"created"`
	Size        uint64    `json:"size"`
	// remove_container: the container's ID and name, and when it stopped
	// (its FinishedAt, or its creation when it never ran).
	Container     string    `json:"container"`
	ContainerName string    `json:"container_name"`
	StoppedAt     time.Time `json:"stopped_at"`
	// remove_volume: the volume's name.
	Volume string `json:"volume"`
	// prune_build_cache: the records' IDs, children before parents.
	Records []string `json:"records"`
}

// KeptImage is an image a plan leaves alone, and why.
type KeptImage struct {
	Image     string    `json:"image"`
	Refs      []string  `json:"refs"`
	Rule      string    `json:"rule"` // "" when no rule decided
	Reason    string    `json:"reason"`
	Protected bool      `json:"protected"`
	Created   time.Time `json:"created"`
}

// KeptResource is a container or volume a plan leaves alone, and why (a
// restart policy, a label, too young, mounted...).
type KeptResource struct {
	Kind   string `json:"kind"`   // KindContainer or KindVolume
	ID     string `json:"id"`     // the container's ID, the volume's name
	Name   string `json:"name"`   // the container's name; "" for a volume
	Reason string `json:"reason"` // why it stays
}

// Watermark is what a policy's threshold measured (SPEC.md §7) and what
// the plan does to it, or, in an ApplyReport, what the apply did to it.
type Watermark struct {
	Measure   string `json:"measure"` // MeasureDisk or MeasureDocker
	HighBytes uint64 `json:"high_bytes"`
	LowBytes  uint64 `json:"low_bytes"`
	// TotalBytes is the size of the disk measured; nil for MeasureDocker.
	TotalBytes      *uint64 `json:"total_bytes"`
	UsedBeforeBytes uint64  `json:"used_before_bytes"`
	// UsedAfterBytes is predicted in a plan, measured in an apply report.
	UsedAfterBytes uint64 `json:"used_after_bytes"`
	// ShortfallBytes is how far above LowBytes the usage stays even after
	// everything the policy allows.
	ShortfallBytes uint64 `json:"shortfall_bytes"`
	// BelowHigh: the usage was below HighBytes, so nothing was taken.
	BelowHigh bool `json:"below_high"`
}

// DFDoc is a dgc.df/v1 document: disk usage per image and repository, of
// every other resource kind and of the data disk, and, from DFWithPolicy
// and DFFromSnapshotWithPolicy, what a policy would reclaim.
type DFDoc struct {
	Schema       string            `json:"schema"` // "dgc.df/v1"
	Engine       Engine            `json:"engine"`
	CapturedAt   time.Time         `json:"captured_at"`
	Totals       DFTotals          `json:"totals"`
	Images       []ImageUsage      `json:"images"`
	Repositories []RepositoryUsage `json:"repositories"`
	Resources    ResourceUsage     `json:"resources"`
	// Disk is the filesystem holding the engine's data; nil when it was
	// not measured (a remote engine, a snapshot).
	Disk *DiskSpace `json:"disk"`
	// Policy is what a policy would reclaim; nil unless asked for.
	Policy   *PolicyUsage `json:"policy,omitempty"`
	Warnings []string     `json:"warnings"`
	// Exact is false when content bytes could not be counted (the
	// containerd store without its content store): figures are then
	// lower bounds.
	Exact bool `json:"exact"`
}

// DFTotals sums an engine's disk usage.
type DFTotals struct {
	Images int `json:"images"`
	// LayersBytes is the bytes of all distinct image layers (the engine's
	// own LayersSize).
	LayersBytes uint64 `json:"layers_bytes"`
	UniqueBytes uint64 `json:"unique_bytes"`
	SharedBytes uint64 `json:"shared_bytes"`
	InUseBytes  uint64 `json:"in_use_bytes"`
	// UnusedReclaimableBytes is exactly what deleting every image no
	// container uses frees.
	UnusedReclaimableBytes uint64 `json:"unused_reclaimable_bytes"`
	// ContentBytes is the bytes of the distinct content blobs (layer
	// blobs, configs, manifests, indexes) of the containerd store; 0 on
	// the graphdriver store.
	ContentBytes uint64 `json:"content_bytes"`
}

// ImageUsage is one image's disk usage.
type ImageUsage struct {
	ID      string    `json:"id"`
	Refs    []string  `json:"refs"`
	Digests []string  `json:"digests"`
	Created time.Time `json:"created"`
	Size    uint64    `json:"size"`
	// UniqueBytes is the bytes of the layers no other image uses.
	UniqueBytes uint64 `json:"unique_bytes"`
	SharedBytes uint64 `json:"shared_bytes"`
	Containers  int    `json:"containers"`
}

// RepositoryUsage is one repository's disk usage.
type RepositoryUsage struct {
	Name        string `json:"name"`
	Images      int    `json:"images"`
	Size        uint64 `json:"size"`
	UniqueBytes uint64 `json:"unique_bytes"`
}

// ResourceUsage is the disk usage of the resources besides images.
type ResourceUsage struct {
	Containers ContainersUsage `json:"containers"`
	Volumes    VolumesUsage    `json:"volumes"`
	BuildCache BuildCacheUsage `json:"build_cache"`
	// DockerBytes is Docker's own usage: image layers, build cache,
	// containers' writable layers and volumes (what a threshold in sizes
	// measures).
	DockerBytes uint64 `json:"docker_bytes"`
}

// ContainersUsage counts containers and their writable layers' bytes.
type ContainersUsage struct {
	Count int `json:"count"`
	// Stopped counts the containers not running (created, exited, dead).
	Stopped       int    `json:"stopped"`
	WritableBytes uint64 `json:"writable_bytes"`
}

// VolumesUsage counts volumes and their bytes.
type VolumesUsage struct {
	Count     int `json:"count"`
	Anonymous int `json:"anonymous"`
	// Unused counts the volumes no container mounts.
	Unused int    `json:"unused"`
	Bytes  uint64 `json:"bytes"`
}

// BuildCacheUsage counts build cache records and their bytes.
type BuildCacheUsage struct {
	Records int `json:"records"`
	Shared  int `json:"shared"`
	// UnsharedBytes is the bytes of the records not shared with images.
	UnsharedBytes uint64 `json:"unshared_bytes"`
}

// DiskSpace is the filesystem holding an engine's data.
type DiskSpace struct {
	Path       string `json:"path"`
	TotalBytes uint64 `json:"total_bytes"`
	UsedBytes  uint64 `json:"used_bytes"`
}

// PolicyUsage is what a policy would reclaim: its plan, in sums.
type PolicyUsage struct {
	Source           string           `json:"source"` // where the policy came from
	Now              time.Time        `json:"now"`    // the clock it was planned at
	ReclaimableBytes ReclaimableBytes `json:"reclaimable_bytes"`
	// Watermark is the plan's; nil when the policy has no threshold.
	Watermark *Watermark `json:"watermark,omitempty"`
}

// ReclaimableBytes is what a plan frees, per resource kind.
type ReclaimableBytes struct {
	Images     uint64 `json:"images"` // untag and delete actions
	Containers uint64 `json:"containers"`
	Volumes    uint64 `json:"volumes"`
	BuildCache uint64 `json:"build_cache"`
	Total      uint64 `json:"total"` // the plan's ReclaimableBytes
}

// ApplyReport is a dgc.apply/v1 document: what an apply did.
type ApplyReport struct {
	Schema  string         `json:"schema"` // "dgc.apply/v1"
	Engine  Engine         `json:"engine"`
	Summary ApplySummary   `json:"summary"`
	Results []ActionResult `json:"results"` // one per action of the plan
	// Watermark is the plan's, with UsedAfterBytes as measured; nil when
	// the policy had no threshold.
	Watermark *Watermark `json:"watermark,omitempty"`
}

// ApplySummary counts an apply's results and bytes.
type ApplySummary struct {
	Done           int    `json:"done"`
	Skipped        int    `json:"skipped"`
	Failed         int    `json:"failed"`
	Unknown        int    `json:"unknown"`
	PredictedBytes uint64 `json:"predicted_bytes"`
	// FreedBytes is what the engine actually freed, from what it reports
	// as deleted.
	FreedBytes uint64 `json:"freed_bytes"`
	// FreedMeasuredBy says how images' FreedBytes were measured:
	// "deleted_layers", "layers_size_and_content_store" or "layers_size"
	// (the containerd store without its content store: a lower bound).
	FreedMeasuredBy string `json:"freed_measured_by"`
	// Stopped says why the apply stopped before the end of the plan
	// (cancelled, the engine stopped answering); "" when it did not.
	Stopped string `json:"stopped"`
}

// ActionResult is what became of one action. Container is in its JSON for
// remove_container only, Volume for remove_volume, Records for
// prune_build_cache.
type ActionResult struct {
	Op             string   `json:"op"`
	Image          string   `json:"image"`
	Refs           []string `json:"refs"`
	Status         string   `json:"status"` // StatusDone, StatusSkipped or StatusFailed
	Detail         string   `json:"detail"`
	PredictedBytes uint64   `json:"predicted_bytes"`
	FreedBytes     uint64   `json:"freed_bytes"`
	Untagged       []string `json:"untagged"`  // references the engine untagged
	Deleted        []string `json:"deleted"`   // image and layer IDs it deleted
	Container      string   `json:"container"` // remove_container: the container's ID
	Volume         string   `json:"volume"`    // remove_volume: the volume's name
	Records        []string `json:"records"`   // prune_build_cache: the records' IDs
}
