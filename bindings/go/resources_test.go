package dgc

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The snapshot tests of the other resource kinds (SPEC.md §8) and of
// watermarks (§7): packaging/examples with stopped containers' details,
// volumes and build cache added, compared with what the docker-gc binary
// computes from the same files.

// resourcesNow is the clock the resource plans are made at.
var resourcesNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// The volumes and build cache records resourcesSnapshot adds.
const (
	anonymousVolume = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	namedVolume     = "gotest-data"
	oldRecord       = "gotest-record-old"
	sharedRecord    = "gotest-record-shared"
)

// readJSONObject reads the JSON object in the file at path.
func readJSONObject(t *testing.T, path string) map[string]any {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	decoder := json.NewDecoder(bytes.NewReader(text))
	decoder.UseNumber() // keeps the integers exact
	var object map[string]any
	if err := decoder.Decode(&object); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return object
}

// writeJSON writes value as JSON to a new file of the test and returns its
// path.
func writeJSON(t *testing.T, name string, value any) string {
	t.Helper()
	text, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, string(text))
}

// resourcesSnapshot writes the example snapshot with the details of its
// stopped containers (frontend-1, created and never started; the exited
// docker-worker-1), an old unused anonymous volume, a named volume and two
// build cache records (one old, one shared and recently used), and
// returns its path.
func resourcesSnapshot(t *testing.T) string {
	t.Helper()
	snapshot := readJSONObject(t, exampleSnapshot)
	details := map[string]any{}
	for _, item := range snapshot["containers"].([]any) {
		container := item.(map[string]any)
		state := container["State"].(string)
		if !needsDetails(state) {
			continue
		}
		inspect := map[string]any{
			"Id": container["Id"],
			"State": map[string]any{"Status": state,
				"StartedAt": "0001-01-01T00:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z"},
			"HostConfig": map[string]any{"RestartPolicy": map[string]any{"Name": "no"}},
		}
		if state == "exited" {
			inspect["State"] = map[string]any{"Status": state,
				"StartedAt": "2026-11-10T08:00:00Z", "FinishedAt": "2026-11-20T08:00:00Z"}
		}
		details[container["Id"].(string)] = inspect
	}
	snapshot["container_details"] = details
	systemDF := snapshot["system_df"].(map[string]any)
	systemDF["Volumes"] = []any{
		map[string]any{"Name": anonymousVolume, "Driver": "local",
			"Labels":    map[string]any{"com.docker.volume.anonymous": ""},
			"CreatedAt": "2026-10-01T00:00:00Z",
			"UsageData": map[string]any{"Size": 12000, "RefCount": 0}},
		map[string]any{"Name": namedVolume, "Driver": "local",
			"Labels": map[string]any{}, "CreatedAt": "2026-10-01T00:00:00Z",
			"UsageData": map[string]any{"Size": 34000, "RefCount": 0}},
	}
	systemDF["BuildCache"] = []any{
		map[string]any{"ID": oldRecord, "Type": "regular", "InUse": false,
			"Shared": false, "Size": 7000, "CreatedAt": "2026-10-01T00:00:00Z",
			"LastUsedAt": "2026-10-02T00:00:00Z", "UsageCount": 1},
		map[string]any{"ID": sharedRecord, "Type": "regular", "InUse": false,
			"Shared": true, "Size": 5000, "CreatedAt": "2026-10-01T00:00:00Z",
			"LastUsedAt": "2026-11-30T00:00:00Z", "UsageCount": 1},
	}
	return writeJSON(t, "snapshot.json", snapshot)
}

// needsDetails says whether libdgc reads the details of a container in
// state: those not running.
func needsDetails(state string) bool {
	return state == "created" || state == "exited" || state == "dead"
}

// examplePolicyWith writes the example policy with the given sections
// added, and returns its path.
func examplePolicyWith(t *testing.T, sections map[string]any) string {
	t.Helper()
	policy := readJSONObject(t, examplePolicy)
	for key, value := range sections {
		policy[key] = value
	}
	return writeJSON(t, "gc.json", policy)
}

// resourcesPolicy writes the example policy with containers, volumes and
// build_cache sections, and returns its path.
func resourcesPolicy(t *testing.T) string {
	return examplePolicyWith(t, map[string]any{
		"containers":  map[string]any{"stopped_older_than": "7d"},
		"volumes":     map[string]any{"anonymous_unused_older_than": "7d"},
		"build_cache": map[string]any{"older_than": "7d"},
	})
}

// actionOf returns the plan's first action of op, or fails the test.
func actionOf(t *testing.T, plan *PlanDoc, op string) Action {
	t.Helper()
	for _, action := range plan.Actions {
		if action.Op == op {
			return action
		}
	}
	t.Fatalf("the plan has no %s action: %+v", op, plan.Actions)
	return Action{}
}

func TestPlanOfOtherResourcesEqualsTheBinary(t *testing.T) {
	snapshot, policy := resourcesSnapshot(t), resourcesPolicy(t)
	plan, err := Planner{Now: resourcesNow}.PlanFromSnapshot(policy, snapshot)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[PlanDoc](t, "plan", "--from", snapshot, "-p", policy,
		"--now", resourcesNow.Format(time.RFC3339), "--format", "json")
	if !reflect.DeepEqual(planFieldsOf(plan), planFieldsOf(want)) {
		t.Errorf("plan = %+v\nwant %+v", planFieldsOf(plan), planFieldsOf(want))
	}

	summary := plan.Summary
	if summary.RemoveContainer != 1 || summary.RemoveVolume != 1 || summary.PruneBuildCache != 1 {
		t.Errorf("summary %+v, want 1 container, 1 volume, 1 build cache record", summary)
	}
	container := actionOf(t, plan, OpRemoveContainer)
	if container.Container == "" || container.ContainerName != "docker-worker-1" ||
		!container.StoppedAt.Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) ||
		container.Rule != "containers" || container.Created.IsZero() {
		t.Errorf("remove_container action %+v", container)
	}
	volume := actionOf(t, plan, OpRemoveVolume)
	if volume.Volume != anonymousVolume || volume.Bytes != 12000 || volume.Container != "" {
		t.Errorf("remove_volume action %+v", volume)
	}
	cache := actionOf(t, plan, OpPruneBuildCache)
	if !reflect.DeepEqual(cache.Records, []string{oldRecord}) || cache.Bytes != 7000 ||
		!cache.Created.IsZero() {
		t.Errorf("prune_build_cache action %+v, want %s, 7000 bytes, no created",
			cache, oldRecord)
	}
	for _, action := range plan.Actions {
		if (action.Op == OpDelete || action.Op == OpUntag) && (action.Records != nil ||
			action.Container != "" || !action.StoppedAt.IsZero()) {
			t.Errorf("an image action with fields of other ops: %+v", action)
		}
	}
	kept := map[string]KeptResource{}
	for _, resource := range plan.KeptResources {
		kept[resource.ID] = resource
	}
	frontend := kept["c02312bebf347d9748f78d5aa129dfd06dad320a883e94b28d494b437823fc6e"]
	if frontend.Kind != KindContainer || frontend.Name != "frontend-1" || frontend.Reason == "" {
		t.Errorf("frontend-1, stopped for 6 days, kept as %+v in %+v",
			frontend, plan.KeptResources)
	}
	if plan.Watermark != nil {
		t.Errorf("Watermark = %+v without a threshold, want nil", plan.Watermark)
	}
}

// jsonValue decodes text as a generic JSON value, numbers kept as text.
func jsonValue(t *testing.T, text []byte) any {
	t.Helper()
	decoder := json.NewDecoder(bytes.NewReader(text))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	return value
}

func TestPlanFieldsMarshalAsLibdgcWritesThem(t *testing.T) {
	for name, policy := range map[string]string{
		"resources": resourcesPolicy(t),
		"watermark": examplePolicyWith(t, map[string]any{
			"threshold": map[string]any{"high": "1kB", "low": "1B"}}),
	} {
		plan, err := Planner{Now: resourcesNow}.PlanFromSnapshot(policy, resourcesSnapshot(t))
		if err != nil {
			t.Fatal(err)
		}
		// Its fields, not the text it was read from.
		text, err := json.Marshal(planFieldsOf(plan))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := jsonValue(t, text), jsonValue(t, plan.raw); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the plan's fields marshal as\n%s\nlibdgc wrote\n%s", name, text, plan.raw)
		}
	}
}

func TestActionResultMarshalsTheFieldsOfItsOp(t *testing.T) {
	for _, test := range []struct {
		result ActionResult
		want   string // the op's own field; "" for none
	}{
		{ActionResult{Op: OpDelete}, ""},
		{ActionResult{Op: OpUntag}, ""},
		{ActionResult{Op: OpRemoveContainer}, `"container":""`},
		{ActionResult{Op: OpRemoveVolume, Volume: "v"}, `"volume":"v"`},
		{ActionResult{Op: OpPruneBuildCache, Records: []string{"r"}}, `"records":["r"]`},
	} {
		text, err := json.Marshal(test.result)
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{`"container":`, `"volume":`, `"records":`} {
			has := strings.Contains(string(text), field)
			if has != (test.want != "" && strings.HasPrefix(test.want, field)) {
				t.Errorf("%s result: %s", test.result.Op, text)
			}
		}
		if test.want != "" && !strings.Contains(string(text), test.want) {
			t.Errorf("%s result: %s, want %s", test.result.Op, text, test.want)
		}
		var again ActionResult
		if err := json.Unmarshal(text, &again); err != nil || !reflect.DeepEqual(again, test.result) {
			t.Errorf("%s reads back as %+v (%v)", text, again, err)
		}
	}
}

func TestPlanWithWatermarkRoundTrips(t *testing.T) {
	// Sizes measure Docker's own usage, which a snapshot records: no disk.
	policy := examplePolicyWith(t, map[string]any{
		"threshold": map[string]any{"high": "1kB", "low": "1B"}})
	plan, err := Planner{Now: resourcesNow}.PlanFromSnapshot(policy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	mark := plan.Watermark
	if mark == nil {
		t.Fatal("Watermark = nil, want the threshold's")
	}
	if mark.Measure != MeasureDocker || mark.TotalBytes != nil || mark.HighBytes != 1000 ||
		mark.LowBytes != 1 || mark.BelowHigh || mark.UsedBeforeBytes == 0 ||
		mark.UsedAfterBytes != mark.UsedBeforeBytes-plan.Summary.ReclaimableBytes ||
		mark.ShortfallBytes != mark.UsedAfterBytes-mark.LowBytes {
		t.Errorf("Watermark = %+v, reclaimable %d", *mark, plan.Summary.ReclaimableBytes)
	}
	want := binaryDocument[PlanDoc](t, "plan", "--from", exampleSnapshot, "-p", policy,
		"--now", resourcesNow.Format(time.RFC3339), "--format", "json")
	if !reflect.DeepEqual(planFieldsOf(plan), planFieldsOf(want)) {
		t.Errorf("plan = %+v\nwant %+v", planFieldsOf(plan), planFieldsOf(want))
	}
	text, err := json.Marshal(planFieldsOf(plan))
	if err != nil {
		t.Fatal(err)
	}
	var again PlanDoc
	if err := json.Unmarshal(text, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(planFieldsOf(&again), planFieldsOf(plan)) {
		t.Errorf("the plan reads back as %+v\nwant %+v", planFieldsOf(&again), planFieldsOf(plan))
	}
}

func TestDFFromSnapshotWithPolicyEqualsTheBinary(t *testing.T) {
	for name, files := range map[string][2]string{
		"example":   {examplePolicy, exampleSnapshot},
		"resources": {resourcesPolicy(t), resourcesSnapshot(t)},
		"watermark": {examplePolicyWith(t, map[string]any{
			"threshold": map[string]any{"high": "1kB", "low": "1B"}}), exampleSnapshot},
	} {
		policy, snapshot := files[0], files[1]
		usage, err := Planner{Now: resourcesNow}.DFFromSnapshot(policy, snapshot)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text := runBinary(t, "df", "--from", snapshot, "-p", policy,
			"--now", resourcesNow.Format(time.RFC3339), "--format", "json")
		var want DFDoc
		if err := json.Unmarshal(text, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*usage, want) {
			t.Errorf("%s: DF = %+v\nwant %+v", name, usage, want)
		}
		// Every field libdgc writes is in DFDoc, and only those.
		mirrored, err := json.Marshal(usage)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(jsonValue(t, mirrored), jsonValue(t, text)) {
			t.Errorf("%s: DFDoc marshals as\n%s\nlibdgc wrote\n%s", name, mirrored, text)
		}
		plan, err := Planner{Now: resourcesNow}.PlanFromSnapshot(policy, snapshot)
		if err != nil {
			t.Fatal(err)
		}
		if usage.Policy == nil {
			t.Fatalf("%s: Policy = nil", name)
		}
		got := usage.Policy
		if !got.Now.Equal(resourcesNow) || got.Source != plan.Policy ||
			got.ReclaimableBytes.Total != plan.Summary.ReclaimableBytes ||
			!reflect.DeepEqual(got.Watermark, plan.Watermark) {
			t.Errorf("%s: Policy = %+v, the plan's summary %+v", name, got, plan.Summary)
		}
		sum := got.ReclaimableBytes
		if sum.Images+sum.Containers+sum.Volumes+sum.BuildCache != sum.Total {
			t.Errorf("%s: reclaimable bytes %+v do not add up", name, sum)
		}
	}
}

func TestDFFromSnapshotCountsOtherResources(t *testing.T) {
	usage, err := DFFromSnapshot(resourcesSnapshot(t))
	if err != nil {
		t.Fatal(err)
	}
	resources := usage.Resources
	if resources.Containers.Count != 3 || resources.Containers.Stopped != 2 ||
		resources.Volumes != (VolumesUsage{Count: 2, Anonymous: 1, Unused: 2, Bytes: 46000}) ||
		resources.BuildCache != (BuildCacheUsage{Records: 2, Shared: 1, UnsharedBytes: 7000}) {
		t.Errorf("Resources = %+v", resources)
	}
	if resources.DockerBytes != usage.Totals.LayersBytes+resources.Containers.WritableBytes+46000+7000 {
		t.Errorf("DockerBytes = %d, want the sum of %+v and layers %d",
			resources.DockerBytes, resources, usage.Totals.LayersBytes)
	}
	if usage.Disk != nil || usage.Policy != nil {
		t.Errorf("a snapshot's df without a policy: Disk %+v, Policy %+v, want nil",
			usage.Disk, usage.Policy)
	}
}
