package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/export"
)

// wdsSample is one sample of a shard, its files by extension.
type wdsSample map[string][]byte

// readShard groups a tar shard's files into samples by key, in order,
// as WebDataset does (the key is the name up to the first dot).
func readShard(t *testing.T, b []byte) ([]string, map[string]wdsSample) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var keys []string
	out := map[string]wdsSample{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("shard: %v", err)
		}
		if h.ModTime.Unix() != 0 || h.Uid != 0 || h.Uname != "" {
			t.Errorf("%s: header carries time or owner: %+v", h.Name, h)
		}
		key, ext, _ := strings.Cut(h.Name, ".")
		if out[key] == nil {
			keys = append(keys, key)
			out[key] = wdsSample{}
		}
		out[key][ext], _ = io.ReadAll(tr)
	}
	return keys, out
}

// TestWebDatasetShards: every patch is a sample (image, .cls, .json) in
// shards no larger than shard_bytes (unless one sample is larger), the
// image is the ImageFolder file's bytes, the label carries the class and
// provenance, and a re-export writes the same shards.
func TestWebDatasetShards(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	body := fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d,%d],"formats":["patches","webdataset"],"patch_sizes":[64,256],"stride":150,
		"shard_bytes":65536,"splits":{"train":0.5,"validation":0.5,"test":0,"seed":3}}`, env.World.Project, m.he, m.ihc)
	e, again := env.mustExport(t, body), env.mustExport(t, body)
	if e.Status != export.StatusDone {
		t.Fatalf("status %s: %s", e.Status, e.Error)
	}
	sameFiles(t, e, again)
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	var index export.ShardsIndex
	if err := json.Unmarshal(files[export.ShardsIndexPath], &index); err != nil {
		t.Fatal(err)
	}
	byPlace := map[string]string{} // slide_x_y_class → ImageFolder path
	for _, r := range indexRows(t, files) {
		byPlace[fmt.Sprintf("%s_%s_%s_%s_%s", r["size"], r["slide_id"], r["x"], r["y"], r["class_id"])] = r["path"]
	}
	var classes struct {
		Classes []struct {
			ClassID int  `json:"class_id"`
			Cls     *int `json:"webdataset_cls"`
		}
	}
	if err := json.Unmarshal(files[export.ClassesPath], &classes); err != nil {
		t.Fatal(err)
	}
	cls := map[int]int{}
	for _, c := range classes.Classes {
		if c.Cls == nil {
			t.Fatalf("classes.json: class %d has no webdataset_cls", c.ClassID)
		}
		cls[c.ClassID] = *c.Cls
	}
	samples := map[string]int64{}
	for root, ix := range index {
		var n int64
		for i, name := range ix.Shards {
			path := root + "/" + name
			if name != fmt.Sprintf("shard-%06d.tar", i) {
				t.Errorf("%s: shard %d is named %s", root, i, name)
			}
			keys, got := readShard(t, files[path])
			if len(keys) > 1 && len(files[path]) > 65536 {
				t.Errorf("%s: %d bytes in %d samples, over shard_bytes", path, len(files[path]), len(keys))
			}
			for _, k := range keys {
				s := got[k]
				var label export.SampleLabel
				if err := json.Unmarshal(s["json"], &label); err != nil || len(s) != 3 || s["png"] == nil {
					t.Fatalf("%s: sample %s has %d files, label %v", path, k, len(s), err)
				}
				if string(s["cls"]) != strconv.Itoa(cls[label.ClassID]) || label.ClassIndex != cls[label.ClassID] {
					t.Errorf("%s: .cls %s, class_index %d for class %d; want %d", k, s["cls"], label.ClassIndex, label.ClassID, cls[label.ClassID])
				}
				if !strings.HasPrefix(root, fmt.Sprintf("webdataset/%d/%s", label.Size, label.Split)) || label.MarkID == 0 || label.MarkVersion != 1 {
					t.Errorf("%s in %s: label %+v", k, root, label)
				}
				file := byPlace[fmt.Sprintf("%d_%d_%d_%d_%d", label.Size, label.SlideID, label.X, label.Y, label.ClassID)]
				if file == "" || !bytes.Equal(files[file], s["png"]) {
					t.Errorf("%s: image differs from the ImageFolder file %q", k, file)
				}
				n++
			}
		}
		if n != ix.Samples {
			t.Errorf("%s: %d samples, shards.json says %d", root, n, ix.Samples)
		}
		size := strings.Split(root, "/")[1]
		samples[size] += n
	}
	for size, n := range man.Counts.Patches {
		if samples[size] != n || n == 0 {
			t.Errorf("%s px: %d samples, %d patches", size, samples[size], n)
		}
	}
	for root, ix := range index {
		if len(ix.Shards) < 2 {
			t.Errorf("%s: %d shard(s) of at most 64 KiB for %d samples; want several", root, len(ix.Shards), ix.Samples)
		}
	}
	if len(index) != 2 { // two sizes; both slides are case-7's, so in one split
		t.Errorf("shard roots %v, want 2", index)
	}
}
