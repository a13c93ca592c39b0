package dgc

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The live tests: against the private dockerd at DGC_TEST_DOCKER_HOST, with
// images each test loads, tagged gotest-*, and removes.

// liveHost returns the private engine's host, or skips the test.
func liveHost(t *testing.T) string {
	host := os.Getenv("DGC_TEST_DOCKER_HOST")
	if host == "" {
		t.Skip("DGC_TEST_DOCKER_HOST is unset: the live tests need a private " +
			"dockerd (tests/run.sh starts one and sets it)")
	}
	return host
}

// dockerCLI returns the docker CLI to use: DGC_TEST_DOCKER, else docker.
func dockerCLI() string {
	if cli := os.Getenv("DGC_TEST_DOCKER"); cli != "" {
		return cli
	}
	return "docker"
}

// loadImages loads images into the engine at host and, when the test ends,
// removes those still there. It returns their IDs.
func loadImages(t *testing.T, host string, images []testImage) []string {
	t.Helper()
	path, ids := writeSaveTarball(t, images)
	out, err := exec.Command(dockerCLI(), "-H", host, "load", "-i", path).CombinedOutput()
	if err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		for _, id := range ids {
			// Fails for the images the test deleted, as it should.
			_ = exec.Command(dockerCLI(), "-H", host, "rmi", id).Run()
		}
	})
	return ids
}

// layersSize returns the engine's own count of its layers' bytes
// (LayersSize of GET /system/df).
func layersSize(t *testing.T, host string) uint64 {
	t.Helper()
	socket := strings.TrimPrefix(host, "unix://")
	if socket == host {
		t.Fatalf("%s: the live tests need a unix:// engine", host)
	}
	client := http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, "unix", socket)
		},
	}}
	resp, err := client.Get("http://docker/system/df")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var df struct{ LayersSize uint64 }
	if err := json.NewDecoder(resp.Body).Decode(&df); err != nil {
		t.Fatalf("GET /system/df: %v", err)
	}
	return df.LayersSize
}

// oldImages returns images tagged prefix-<letter>:1, created in 2020, whose
// layers are the given sizes.
func oldImages(prefix string, sizes ...int) []testImage {
	images := make([]testImage, len(sizes))
	for i, size := range sizes {
		images[i] = testImage{
			tag:     prefix + "-" + string(rune('a'+i)) + ":1",
			created: time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC),
			size:    size,
		}
	}
	return images
}

// policySelecting writes a policy that deletes every image matching glob,
// however recently tagged, and returns its path.
func policySelecting(t *testing.T, glob string) string {
	return writeFile(t, "gc.json", `{"rules": [{"name": "gotest", "match": "`+
		glob+`", "older_than": "1d"}], "min_age": "0m"}`)
}

// actionCount returns the number of actions of the plan of the policy at
// policyPath for the engine at host.
func actionCount(t *testing.T, policyPath, host string) int {
	t.Helper()
	plan, err := Plan(policyPath, host)
	if err != nil {
		t.Fatal(err)
	}
	return len(plan.Actions)
}

func TestLiveDFEqualsTheBinary(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-df", 3000, 5000))
	usage, err := DF(host)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[DFDoc](t, "-H", host, "df", "--format", "json")
	clearMoving(usage, want)
	if !reflect.DeepEqual(usage, want) {
		t.Errorf("DF = %+v\nwant %+v", usage, want)
	}
	if usage.Disk == nil || usage.Disk.Path == "" || usage.Disk.TotalBytes == 0 {
		t.Errorf("Disk = %+v, want the data disk of the local engine", usage.Disk)
	}
	if engine := layersSize(t, host); usage.Totals.LayersBytes != engine {
		t.Errorf("LayersBytes = %d, the engine's LayersSize is %d",
			usage.Totals.LayersBytes, engine)
	}
}

// clearMoving zeroes what moves between two reads of an engine's disk
// usage: the time, and the used bytes of its disk (the filesystem changes
// on its own).
func clearMoving(docs ...*DFDoc) {
	for _, doc := range docs {
		doc.CapturedAt = time.Time{}
		if doc.Disk != nil {
			doc.Disk.UsedBytes = 0
		}
	}
}

func TestLiveDFWithPolicyEqualsTheBinary(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-dfp", 3000, 5000))
	policy := policySelecting(t, "gotest-dfp-*")
	now := time.Now().UTC().Truncate(time.Second)
	usage, err := Planner{Now: now}.DF(policy, host)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[DFDoc](t, "-H", host, "df", "-p", policy,
		"--now", now.Format(time.RFC3339), "--format", "json")
	clearMoving(usage, want)
	if !reflect.DeepEqual(usage, want) {
		t.Errorf("DF = %+v\nwant %+v", usage, want)
	}
	if usage.Policy == nil || usage.Policy.ReclaimableBytes.Images != 8000 ||
		usage.Policy.ReclaimableBytes.Total != 8000 || !usage.Policy.Now.Equal(now) {
		t.Errorf("Policy = %+v, want 8000 bytes of images at %v", usage.Policy, now)
	}
}

func TestLivePlanEqualsTheBinary(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-plan", 3000, 5000))
	policy := writeFile(t, "gc.json", `{"rules": [{"name": "gotest", "match": `+
		`"gotest-plan-*", "group_by": "rule", "keep_newest": 1}], "min_age": "0m"}`)
	now := time.Now().UTC().Truncate(time.Second)
	plan, err := Planner{Now: now}.Plan(policy, host)
	if err != nil {
		t.Fatal(err)
	}
	want := binaryDocument[PlanDoc](t, "-H", host, "plan", "-p", policy,
		"--now", now.Format(time.RFC3339), "--format", "json")
	if !reflect.DeepEqual(planFieldsOf(plan), planFieldsOf(want)) {
		t.Errorf("plan = %+v\nwant %+v", planFieldsOf(plan), planFieldsOf(want))
	}
	if len(plan.Actions) != 1 || !reflect.DeepEqual(plan.Actions[0].Refs, []string{"gotest-plan-a:1"}) {
		t.Errorf("actions %+v, want gotest-plan-a:1 deleted", plan.Actions)
	}
}

func TestLiveApplyFreesWhatThePlanPredicts(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-apply", 30000, 50000))
	policy := policySelecting(t, "gotest-apply-*")
	plan, err := Plan(policy, host)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Actions) != 2 || plan.Summary.ReclaimableBytes != 80000 {
		t.Fatalf("plan: %d actions freeing %d bytes, want 2 freeing 80000",
			len(plan.Actions), plan.Summary.ReclaimableBytes)
	}
	before := layersSize(t, host)
	var indexes []int
	onResult := func(result ActionResult, index, total int) {
		if total != len(plan.Actions) || result.Status != StatusDone {
			t.Errorf("result %d of %d: %+v", index, total, result)
		}
		indexes = append(indexes, index)
	}
	report, err := Apply(context.Background(), plan, host, &ApplyOptions{OnResult: onResult})
	if err != nil {
		t.Fatal(err)
	}
	freed := before - layersSize(t, host)
	summary := report.Summary
	if summary.Done != len(plan.Actions) || summary.Failed != 0 || summary.Stopped != "" {
		t.Errorf("summary %+v, want all %d actions done", summary, len(plan.Actions))
	}
	if summary.FreedBytes != plan.Summary.ReclaimableBytes || freed != summary.FreedBytes {
		t.Errorf("freed %d bytes (the engine: %d), the plan predicted %d",
			summary.FreedBytes, freed, plan.Summary.ReclaimableBytes)
	}
	if !reflect.DeepEqual(indexes, []int{0, 1}) {
		t.Errorf("OnResult called for results %v, want [0 1]", indexes)
	}
	if n := actionCount(t, policy, host); n != 0 {
		t.Errorf("after the apply, the plan has %d actions, want 0", n)
	}
}

func TestLiveApplyStopsWhenCancelled(t *testing.T) {
	host := liveHost(t)
	loadImages(t, host, oldImages("gotest-cancel", 3000, 4000, 5000))
	policy := policySelecting(t, "gotest-cancel-*")
	plan, err := Plan(policy, host)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Actions) != 3 {
		t.Fatalf("plan has %d actions, want 3", len(plan.Actions))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelAfterFirst := func(_ ActionResult, index, _ int) {
		if index == 0 {
			cancel()
		}
	}
	report, err := Apply(ctx, plan, host, &ApplyOptions{OnResult: cancelAfterFirst})
	if err != nil {
		t.Fatal(err)
	}
	summary := report.Summary
	if summary.Done != 1 || summary.Skipped != 2 || summary.Stopped == "" {
		t.Errorf("summary %+v, want 1 done, 2 skipped and why it stopped", summary)
	}
	for _, result := range report.Results[1:] {
		if result.Status != StatusSkipped {
			t.Errorf("result after the cancel: %+v, want skipped", result)
		}
	}
	if n := actionCount(t, policy, host); n != 2 {
		t.Errorf("after the cancelled apply, the plan has %d actions, want 2", n)
	}
}

func TestLiveApplyRemovesAStoppedContainer(t *testing.T) {
	host := liveHost(t)
	ids := loadImages(t, host, oldImages("gotest-ctr", 3000))
	out, err := exec.Command(dockerCLI(), "-H", host, "create", "--name",
		"gotest-ctr-1", ids[0]).CombinedOutput()
	if err != nil {
		t.Fatalf("docker create: %v\n%s", err, out)
	}
	container := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		// Fails once the apply removed it, as it should.
		_ = exec.Command(dockerCLI(), "-H", host, "rm", "-f", container).Run()
	})
	policy := writeFile(t, "gc.json", `{"rules": [{"name": "none", "match": `+
		`"gotest-none-*", "older_than": "1d"}], "min_age": "0m", `+
		`"containers": {"stopped_older_than": "1h"}}`)
	// Containers cannot be aged: plan two hours ahead instead.
	later := time.Now().UTC().Add(2 * time.Hour).Truncate(time.Second)
	plan, err := Planner{Now: later}.Plan(policy, host)
	if err != nil {
		t.Fatal(err)
	}
	var action *Action
	for i := range plan.Actions {
		if plan.Actions[i].Container == container {
			action = &plan.Actions[i]
		}
	}
	if action == nil || action.Op != OpRemoveContainer || action.ContainerName != "gotest-ctr-1" ||
		action.Image != ids[0] || action.StoppedAt.IsZero() || plan.Summary.RemoveContainer == 0 {
		t.Fatalf("no remove_container action of %s in %+v", container, plan.Actions)
	}
	report, err := Apply(context.Background(), plan, host, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, result := range report.Results {
		if result.Container == container {
			found = true
			if result.Op != OpRemoveContainer || result.Status != StatusDone {
				t.Errorf("result %+v, want the container removed", result)
			}
		}
	}
	if !found {
		t.Errorf("no result names container %s: %+v", container, report.Results)
	}
	if exec.Command(dockerCLI(), "-H", host, "inspect", container).Run() == nil {
		t.Errorf("container %s is still there after the apply", container)
	}
}
