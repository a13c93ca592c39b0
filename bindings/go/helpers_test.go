package dgc

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The example policy and snapshot the project ships.
var (
	examplePolicy   = filepath.Join("..", "..", "packaging", "examples", "gc.json")
	exampleSnapshot = filepath.Join("..", "..", "packaging", "examples", "snapshot.json")
)

// runBinary runs the docker-gc binary named by DGC_BIN with args and
// returns its stdout; it fails the test when the binary fails.
func runBinary(t *testing.T, args ...string) []byte {
	t.Helper()
	binary := os.Getenv("DGC_BIN")
	if binary == "" {
		t.Fatal("DGC_BIN is unset: set it to the docker-gc binary to compare with")
	}
	out, err := exec.Command(binary, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", binary, args, err, stderrOf(err))
	}
	return out
}

// binaryDocument runs the docker-gc binary with args and decodes its JSON
// output into a new T.
func binaryDocument[T any](t *testing.T, args ...string) *T {
	t.Helper()
	doc := new(T)
	if err := json.Unmarshal(runBinary(t, args...), doc); err != nil {
		t.Fatalf("docker-gc %v: %v", args, err)
	}
	return doc
}

// stderrOf returns what a failed command wrote to stderr, when exec kept it.
func stderrOf(err error) []byte {
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.Stderr
	}
	return nil
}

// planFieldsOf returns the fields of plan, without the text it was read
// from, for comparing plans decoded from different texts.
func planFieldsOf(plan *PlanDoc) planFields {
	fields := planFields(*plan)
	fields.raw = nil
	return fields
}

// writeFile writes text to a new file in a temporary directory of the
// test and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
