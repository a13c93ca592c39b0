package dgc

import (
	"context"
	"strings"
	"testing"
)

// Failures: each comes back as an *Error with libdgc's code, its name and a
// message naming what is at fault.

const unreachableHost = "unix:///nonexistent/docker.sock"

// wantError fails the test unless err is an *Error with the given name and
// a message containing fragment.
func wantError(t *testing.T, err error, name, fragment string) *Error {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T), want an *Error %s", err, err, name)
	}
	if e.Name != name || !strings.Contains(e.Message, fragment) {
		t.Errorf("error %q, want %s with a message containing %q", e, name, fragment)
	}
	return e
}

func TestMissingPolicyFileIsNotFound(t *testing.T) {
	_, err := PlanFromSnapshot("/nonexistent/gc.json", exampleSnapshot)
	e := wantError(t, err, "DGC_ENOTFOUND", "file not found: /nonexistent/gc.json")
	if e.Code != ErrCodeNotFound || !HasCode(err, ErrCodeNotFound) {
		t.Errorf("code %d, want ErrCodeNotFound", e.Code)
	}
	if got := e.Error(); got != "DGC_ENOTFOUND: "+e.Message {
		t.Errorf("Error() = %q", got)
	}
}

func TestMissingSnapshotIsNotFound(t *testing.T) {
	_, err := DFFromSnapshot("/nonexistent/snapshot.json")
	wantError(t, err, "DGC_ENOTFOUND", "/nonexistent/snapshot.json")
}

func TestInvalidPolicyNamesTheField(t *testing.T) {
	policy := writeFile(t, "gc.json", `{"rules": [{"match": "x", "keep_newest": "two"}]}`)
	_, err := PlanFromSnapshot(policy, exampleSnapshot)
	wantError(t, err, "DGC_EINVALID", "keep_newest")
}

func TestUnreachableEngineIsUnavailable(t *testing.T) {
	_, err := DF(unreachableHost)
	wantError(t, err, "DGC_EUNAVAILABLE", unreachableHost)
	_, err = Plan(examplePolicy, unreachableHost)
	wantError(t, err, "DGC_EUNAVAILABLE", unreachableHost)
}

func TestApplyToUnreachableEngineIsUnavailable(t *testing.T) {
	plan, err := PlanFromSnapshot(examplePolicy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), plan, unreachableHost, nil)
	wantError(t, err, "DGC_EUNAVAILABLE", unreachableHost)
}

func TestApplyOfAnInvalidPlanIsInvalid(t *testing.T) {
	_, err := Apply(context.Background(), &PlanDoc{}, unreachableHost, nil)
	wantError(t, err, "DGC_EINVALID", "schema")
}

func TestApplyWithADoneContextDoesNothing(t *testing.T) {
	plan, err := PlanFromSnapshot(examplePolicy, exampleSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Apply(ctx, plan, unreachableHost, nil); err != context.Canceled {
		t.Errorf("Apply with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestCodesAreLibdgcs(t *testing.T) {
	names := map[int]string{
		ErrCodeInvalid:      "DGC_EINVALID",
		ErrCodeNotFound:     "DGC_ENOTFOUND",
		ErrCodeUnavailable:  "DGC_EUNAVAILABLE",
		ErrCodeTimeout:      "DGC_ETIMEOUT",
		ErrCodePermission:   "DGC_EPERM",
		ErrCodePrecondition: "DGC_EPRECONDITION",
		ErrCodeEngine:       "DGC_EENGINE",
		ErrCodeProtocol:     "DGC_EPROTOCOL",
		ErrCodeCancelled:    "DGC_ECANCELLED",
		ErrCodeResource:     "DGC_ERESOURCE",
		ErrCodeIO:           "DGC_EIO",
		ErrCodeInternal:     "DGC_EINTERNAL",
	}
	if len(names) != 12 {
		t.Fatalf("%d distinct codes, want 12", len(names))
	}
	for code, name := range names {
		if got := newError(code, "").Name; got != name {
			t.Errorf("libdgc names code %d %q, want %q", code, got, name)
		}
	}
}

func TestVersionIsTheBuilds(t *testing.T) {
	metadata := binaryDocument[struct{ Version string }](t, "docker-cli-plugin-metadata")
	if Version() != metadata.Version {
		t.Errorf("Version() = %q, the docker-gc binary's is %q", Version(), metadata.Version)
	}
	if err := checkLibrary(); err != nil {
		t.Error(err)
	}
}

func TestOtherLibdgcVersionsAreRefused(t *testing.T) {
	for _, accepted := range []int{2000, 2017} {
		if err := checkVersion(accepted, ""); err != nil {
			t.Errorf("version number %d: %v", accepted, err)
		}
	}
	for number, version := range map[int]string{3000: "0.3.0", 1002000: "1.2.0", 1000: "0.1.0"} {
		err := checkVersion(number, version)
		wantError(t, err, "DGC_EPRECONDITION", "libdgc "+version+" is loaded, but this Go binding needs libdgc 0.2")
	}
}
