package dgc

import "time"

// The JSON documents of docker gc (SPEC.md §4) as Go types. Byte counts are
// in bytes; times are UTC. libdgc may add fields to its documents later;
// those it writes today are all here.

// Action ops (Action.Op, ActionResult.Op).
const (
	OpDelete = "delete"
	OpUntag  = "untag"
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
)

// Engine identifies the engine a document is about.
type Engine struct {
	Host          string `json:"host"`
	ID            string `json:"id"`
	APIVersion    string `json:"api_version"`
	ServerVersion string `json:"server_version"`
	StorageDriver string `json:"storage_driver"`
}

// PlanDoc is a dgc.plan/v1 document: what applying a policy would do.
//
// A PlanDoc made by Plan, or read with encoding/json, keeps the text libdgc
// wrote, so that Apply performs exactly that plan (see MarshalJSON).
type PlanDoc struct {
	Schema   string      `json:"schema"` // "dgc.plan/v1"
	Engine   Engine      `json:"engine"`
	Now      time.Time   `json:"now"`    // the clock ages were measured at
	Policy   string      `json:"policy"` // where the policy came from
	Summary  PlanSummary `json:"summary"`
	Actions  []Action    `json:"actions"` // in the order they run
	Kept     []KeptImage `json:"kept"`
	Warnings []string    `json:"warnings"`

	raw []byte // the document as libdgc wrote it
}

// PlanSummary counts a plan's images and bytes.
type PlanSummary struct {
	Images int `json:"images"`
	Delete int `json:"delete"`
	Untag  int `json:"untag"`
	Keep   int `json:"keep"`
	// ReclaimableBytes is exactly what the engine frees when every action
	// succeeds: the sizes of the distinct layers only deleted images use.
	ReclaimableBytes uint64 `json:"reclaimable_bytes"`
	// NaiveBytes is the sum of the deleted images' sizes: the usual,
	// wrong, estimate.
	NaiveBytes uint64 `json:"naive_bytes"`
}

// Action is one step of a plan: delete an image, or untag some of its
// references.
type Action struct {
	Op     string   `json:"op"`    // OpDelete or OpUntag
	Image  string   `json:"image"` // "sha256:..."
	Refs   []string `json:"refs"`
	Rule   string   `json:"rule"`
	Reason string   `json:"reason"`
	// Bytes is what the action frees given that the actions before it
	// succeeded; a plan's Bytes add up to its ReclaimableBytes.
	Bytes       uint64    `json:"bytes"`
	AlsoRemoves []string  `json:"also_removes"`
	Prune       bool      `json:"prune"`
	Created     time.Time `json:"created"`
	Size        uint64    `json:"size"`
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

// DFDoc is a dgc.df/v1 document: disk usage per image and repository.
type DFDoc struct {
	Schema       string            `json:"schema"` // "dgc.df/v1"
	Engine       Engine            `json:"engine"`
	CapturedAt   time.Time         `json:"captured_at"`
	Totals       DFTotals          `json:"totals"`
	Images       []ImageUsage      `json:"images"`
	Repositories []RepositoryUsage `json:"repositories"`
	Warnings     []string          `json:"warnings"`
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

// ApplyReport is a dgc.apply/v1 document: what an apply did.
type ApplyReport struct {
	Schema  string         `json:"schema"` // "dgc.apply/v1"
	Engine  Engine         `json:"engine"`
	Summary ApplySummary   `json:"summary"`
	Results []ActionResult `json:"results"` // one per action of the plan
}

// ApplySummary counts an apply's results and bytes.
type ApplySummary struct {
	Done           int    `json:"done"`
	Skipped        int    `json:"skipped"`
	Failed         int    `json:"failed"`
	PredictedBytes uint64 `json:"predicted_bytes"`
	// FreedBytes is what the engine actually freed, from what it reports
	// as deleted.
	FreedBytes uint64 `json:"freed_bytes"`
	// Stopped says why the apply stopped before the end of the plan
	// (cancelled, the engine stopped answering); "" when it did not.
	Stopped string `json:"stopped"`
}

// ActionResult is what became of one action.
type ActionResult struct {
	Op             string   `json:"op"`
	Image          string   `json:"image"`
	Refs           []string `json:"refs"`
	Status         string   `json:"status"` // StatusDone, StatusSkipped or StatusFailed
	Detail         string   `json:"detail"`
	PredictedBytes uint64   `json:"predicted_bytes"`
	FreedBytes     uint64   `json:"freed_bytes"`
	Untagged       []string `json:"untagged"` // references the engine untagged
	Deleted        []string `json:"deleted"`  // image and layer IDs it deleted
}
