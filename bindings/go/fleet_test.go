package dgc

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The fleet calls against the private dockerd at DGC_TEST_DOCKER_HOST and
// an endpoint where no engine listens.

func TestLiveFleetPlanHasEachEnginesPlanOrItsError(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-fleet", 3000, 5000))
	policy := policySelecting(t, "gotest-fleet-*")
	nowhere := "unix://" + filepath.Join(t.TempDir(), "nobody.sock")
	now := time.Now().UTC().Truncate(time.Second)
	planner := Planner{Now: now}
	fleet, err := planner.FleetPlan(policy, nil, []string{host, nowhere})
	if err != nil {
		t.Fatal(err)
	}
	if fleet.Schema != "dgc.fleet/v1" || fleet.Command != "plan" || len(fleet.Engines) != 2 {
		t.Fatalf("fleet %+v, want a plan fleet of 2 engines", fleet)
	}
	alone, err := planner.Plan(policy, host)
	if err != nil {
		t.Fatal(err)
	}
	first := fleet.Engines[0]
	if first.Error != nil || first.Doc == nil ||
		!reflect.DeepEqual(planFieldsOf(first.Doc), planFieldsOf(alone)) {
		t.Errorf("engine 0 = %+v, want the plan %+v", first, alone)
	}
	second := fleet.Engines[1]
	if second.Error == nil || second.Error.Code != "DGC_EUNAVAILABLE" || second.Doc != nil ||
		second.Host != nowhere {
		t.Errorf("engine 1 = %+v, want DGC_EUNAVAILABLE at %s", second, nowhere)
	}
	summary := fleet.Summary
	if summary.Engines != 2 || summary.Failed != 1 ||
		summary.ReclaimableBytes != alone.Summary.ReclaimableBytes ||
		alone.Summary.ReclaimableBytes != 8000 || fleet.ExitCode != 1 {
		t.Errorf("summary %+v, exit code %d: want 2 engines, 1 failed, 8000 bytes, exit 1",
			summary, fleet.ExitCode)
	}
}

func TestLiveFleetApplyFreesWhatEachPlanPredicts(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-fleetapply", 30000, 50000))
	policy := policySelecting(t, "gotest-fleetapply-*")
	before := layersSize(t, host)
	fleet, err := Planner{}.FleetApply(context.Background(), policy, nil, []string{host}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fleet.Engines) != 1 || fleet.Engines[0].Doc == nil || fleet.ExitCode != 0 {
		t.Fatalf("fleet %+v, want one engine's report and exit 0", fleet)
	}
	report := fleet.Engines[0].Doc
	freed := before - layersSize(t, host)
	if report.Summary.Done != 2 || report.Summary.FreedBytes != 80000 || freed != 80000 ||
		fleet.Summary.FreedBytes != 80000 || fleet.Summary.Done != 2 {
		t.Errorf("report %+v, fleet %+v, the engine freed %d: want 2 done freeing 80000",
			report.Summary, fleet.Summary, freed)
	}
}

func TestFleetWithoutEnginesIsInvalid(t *testing.T) {
	_, err := FleetDF(nil, nil)
	if e, ok := err.(*Error); !ok || e.Code != ErrCodeInvalid {
		t.Errorf("FleetDF() = %v, want ErrCodeInvalid", err)
	}
}

func TestFleetWithAnUnknownContextIsNotFound(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	_, err := FleetDF([]string{"no-such-context"}, nil)
	if e, ok := err.(*Error); !ok || e.Code != ErrCodeNotFound {
		t.Errorf("FleetDF(no-such-context) = %v, want ErrCodeNotFound", err)
	}
}
