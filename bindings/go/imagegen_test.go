package dgc

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Images for the live tests, written as the tarball `docker save` makes, so
// that `docker load` turns them into real images without a registry (as
// tests/fixtures/dgc_fixtures/imagegen.py does for the Python tests). Each
// image has one layer holding one file of deterministic bytes, so the bytes
// deleting it frees are known before any engine counts them.

// testImage is an image to load: its tag, its creation time and the size
// of the one file in its layer.
type testImage struct {
	tag     string
	created time.Time
	size    int
}

// tarEntry is a file, or a directory when its name ends in "/".
type tarEntry struct {
	name string
	data []byte
}

// tarOf returns an uncompressed tar of entries, in their order, with
// fixed times and owners so that equal entries give equal bytes.
func tarOf(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var out bytes.Buffer
	w := tar.NewWriter(&out)
	for _, entry := range entries {
		header := &tar.Header{Typeflag: tar.TypeReg, Name: entry.name, Mode: 0o644,
			Size: int64(len(entry.data)), ModTime: time.Unix(0, 0)}
		if strings.HasSuffix(entry.name, "/") {
			header.Typeflag, header.Mode = tar.TypeDir, 0o755
		}
		if err := w.WriteHeader(header); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entry.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// layerTar returns the layer of img: the file gotest/<tag> of img.size
// bytes that depend only on the tag. The engine counts img.size bytes.
func (img testImage) layerTar(t *testing.T) []byte {
	content := make([]byte, 0, img.size+sha256.Size)
	for block := 0; len(content) < img.size; block++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", img.tag, block)))
		content = append(content, sum[:]...)
	}
	return tarOf(t, []tarEntry{
		{name: "gotest/"},
		{name: "gotest/" + img.tag, data: content[:img.size]},
	})
}

// config returns the image config of img, whose layer has the given diff ID.
func (img testImage) config(t *testing.T, diffID string) []byte {
	created := img.created.UTC().Format(time.RFC3339)
	config, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      created,
		"config":       map[string]any{"Cmd": []string{"/bin/true"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{diffID}},
		"history":      []map[string]any{{"created": created, "created_by": "gotest " + img.tag}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return config
}

// sha256Hex returns the hex sha256 of data.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeSaveTarball writes images as one docker-save tarball in a temporary
// directory of the test and returns its path and the images' IDs, in the
// order of images.
func writeSaveTarball(t *testing.T, images []testImage) (string, []string) {
	t.Helper()
	var entries []tarEntry
	var manifest []map[string]any
	var ids []string
	for _, img := range images {
		layer := img.layerTar(t)
		layerHex := sha256Hex(layer)
		config := img.config(t, "sha256:"+layerHex)
		configHex := sha256Hex(config)
		entries = append(entries,
			tarEntry{name: layerHex + "/layer.tar", data: layer},
			tarEntry{name: configHex + ".json", data: config})
		manifest = append(manifest, map[string]any{
			"Config":   configHex + ".json",
			"RepoTags": []string{img.tag},
			"Layers":   []string{layerHex + "/layer.tar"},
		})
		ids = append(ids, "sha256:"+configHex)
	}
	manifestJSON, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, tarEntry{name: "manifest.json", data: manifestJSON})
	path := filepath.Join(t.TempDir(), "images.tar")
	if err := os.WriteFile(path, tarOf(t, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, ids
}
