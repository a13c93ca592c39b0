package dgc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// The snapshot tests: plans and disk usage of packaging/examples, compared
// with what the docker-gc binary computes from the same files.

func TestPlanFromSnapshotEqualsTheBinary(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	plan, err := Planner{Now: now}.PlanFromSnapshot(examplePolicy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[PlanDoc](t, "plan", "--from", exampleSnapshot,
		"-p", examplePolicy, "--now", now.Format(time.RFC3339), "--format", "json")
	if !plan.Now.Equal(now) {
		t.Errorf("Now = %v, want %v", plan.Now, now)
	}
	if plan.Summary != want.Summary {
		t.Errorf("Summary = %+v, want %+v", plan.Summary, want.Summary)
	}
	if !reflect.DeepEqual(plan.Actions, want.Actions) {
		t.Errorf("Actions = %+v\nwant %+v", plan.Actions, want.Actions)
	}
	if !reflect.DeepEqual(plan.Kept, want.Kept) {
		t.Errorf("Kept = %+v\nwant %+v", plan.Kept, want.Kept)
	}
	if !reflect.DeepEqual(planFieldsOf(plan), planFieldsOf(want)) {
		t.Errorf("plan = %+v\nwant %+v", planFieldsOf(plan), planFieldsOf(want))
	}
}

func TestPlanFromSnapshotMeasuresAgesAtCapturedAtByDefault(t *testing.T) {
	plan, err := PlanFromSnapshot(examplePolicy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[PlanDoc](t, "plan", "--from", exampleSnapshot,
		"-p", examplePolicy, "--format", "json")
	if !reflect.DeepEqual(planFieldsOf(plan), planFieldsOf(want)) {
		t.Errorf("plan = %+v\nwant %+v", planFieldsOf(plan), planFieldsOf(want))
	}
	capturedAt := time.Date(2026, 11, 25, 23, 18, 50, 0, time.UTC)
	if !plan.Now.Equal(capturedAt) {
		t.Errorf("Now = %v, want the snapshot's captured_at %v", plan.Now, capturedAt)
	}
	var sum uint64
	for _, action := range plan.Actions {
		sum += action.Bytes
	}
	if sum != plan.Summary.ReclaimableBytes || sum == 0 {
		t.Errorf("actions add up to %d bytes, summary.reclaimable_bytes is %d",
			sum, plan.Summary.ReclaimableBytes)
	}
}

func TestDFFromSnapshotEqualsTheBinary(t *testing.T) {
	usage, err := DFFromSnapshot(exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[DFDoc](t, "df", "--from", exampleSnapshot, "--format", "json")
	if usage.Schema != "dgc.df/v1" || len(usage.Images) == 0 {
		t.Errorf("schema %q with %d images, want dgc.df/v1 with images",
			usage.Schema, len(usage.Images))
	}
	if !reflect.DeepEqual(usage, want) {
		t.Errorf("DF = %+v\nwant %+v", usage, want)
	}
}

func TestPlanMarshalsAsLibdgcWroteIt(t *testing.T) {
	plan, err := PlanFromSnapshot(examplePolicy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	text, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer // json.Marshal compacts what MarshalJSON gives
	if err := json.Compact(&compact, plan.raw); err != nil {
		t.Fatal(err)
	}
	if string(text) != compact.String() {
		t.Errorf("json.Marshal(plan) is not libdgc's text:\n%s\nwant\n%s", text, &compact)
	}
	var extended map[string]any
	withExtraField := `{"schema":"dgc.plan/v1","actions":[],"future":{"x":1}}`
	if err := json.Unmarshal([]byte(withExtraField), plan); err != nil {
		t.Fatal(err)
	}
	if text, err = json.Marshal(plan); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(text, &extended); err != nil || extended["future"] == nil {
		t.Errorf("a field PlanDoc lacks was lost: %s", text)
	}
}

func TestChangedPlanMarshalsItsFields(t *testing.T) {
	plan, err := PlanFromSnapshot(examplePolicy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	plan.Actions = plan.Actions[:1]
	text, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var again PlanDoc
	if err := json.Unmarshal(text, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(planFieldsOf(&again), planFieldsOf(plan)) {
		t.Errorf("a changed plan marshals as %s", text)
	}
}
