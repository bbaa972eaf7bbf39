package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
)

// python is Debian's interpreter, with python3-torch and
// python3-torchvision (scripts/deps.sh installs them for make test);
// PATHOLABEL_TEST_PYTHON names another.
func python() string {
	if p := os.Getenv("PATHOLABEL_TEST_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// mlDocs is the repository's docs/ml folder, whose example scripts the
// README and docs/ml/README.md tell ML teams to run.
func mlDocs(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../../docs/ml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "train_imagefolder.py")); err != nil {
		t.Fatalf("docs/ml: %v", err)
	}
	return dir
}

// runScript runs one docs/ml script and returns its JSON output lines.
func runScript(t *testing.T, script string, args ...string) []map[string]any {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(python(), append([]string{filepath.Join(mlDocs(t), script)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s%s", script, args, err, out, stderr.String())
	}
	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: output line %q: %v", script, sc.Text(), err)
		}
		lines = append(lines, m)
	}
	t.Logf("%s: %d lines in %v", script, len(lines), time.Since(start).Round(time.Millisecond))
	return lines
}

// trained checks a training script's summary: the steps taken, each with
// a finite loss.
func trained(t *testing.T, script string, out map[string]any, steps int) {
	t.Helper()
	losses, _ := out["losses"].([]any)
	if out["steps"] != float64(steps) || len(losses) != steps {
		t.Fatalf("%s: %v, want %d steps", script, out, steps)
	}
	for _, l := range losses {
		if f, ok := l.(float64); !ok || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
			t.Errorf("%s: loss %v", script, l)
		}
	}
}

// TestTrainingOnARealExport is the ML team's path end to end: an export of
// the real slides in every format, written to disk as `patholabel exports
// pull` leaves it, loaded by the example scripts in docs/ml with Debian's
// torch and torchvision exactly as a training script would (ImageFolder,
// WebDataset shards, the PathoFusion pair of databases) for a few optimiser
// steps on the CPU; and the COCO annotations, decoded as COCO defines them,
// cover the marks' exact pixel areas.
func TestTrainingOnARealExport(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"formats":["coco","patches","pathofusion","webdataset"],
		"patch_sizes":[64,128],"stride":150,"shard_bytes":262144}`, env.World.Project))
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for path, b := range env.checkManifest(t, e, man) {
		p := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const steps = 3

	out := runScript(t, "train_imagefolder.py", dir, "--size", "64", "--steps", fmt.Sprint(steps))
	trained(t, "train_imagefolder.py", out[0], steps)
	if out[0]["samples"] != float64(man.Counts.Patches["64"]) || fmt.Sprint(out[0]["classes"]) != "[01_tumor 02_stroma]" {
		t.Errorf("ImageFolder: %v samples of classes %v; the export has %d patches of 64 px", out[0]["samples"], out[0]["classes"],
			man.Counts.Patches["64"])
	}

	var shards export.ShardsIndex
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, export.ShardsIndexPath)), &shards); err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, name := range shards["webdataset/128"].Shards {
		urls = append(urls, filepath.Join(dir, "webdataset/128", name))
	}
	out = runScript(t, "train_webdataset.py", append([]string{"--num-classes", "2", "--steps", fmt.Sprint(steps)}, urls...)...)
	trained(t, "train_webdataset.py", out[0], steps)
	if out[0]["samples"] != float64(man.Counts.Patches["128"]) || len(urls) < 2 {
		t.Errorf("WebDataset: %v samples from %d shards; the export has %d patches of 128 px", out[0]["samples"], len(urls),
			man.Counts.Patches["128"])
	}

	out = runScript(t, "train_pathofusion.py", filepath.Join(dir, "pathofusion/patches_64.db"),
		filepath.Join(dir, "pathofusion/patches_128.db"), "--steps", fmt.Sprint(steps))
	trained(t, "train_pathofusion.py", out[0], steps)
	if out[0]["pairs"] != float64(man.Counts.Patches["64"]) {
		t.Errorf("PathoFusion: %v pairs, %d patches", out[0]["pairs"], man.Counts.Patches["64"])
	}

	anns := runScript(t, "coco_decode.py", filepath.Join(dir, export.COCOPath))
	want := map[float64]float64{float64(m.poly): 600*400 - 200*200} // the polygon less its hole
	for _, a := range anns {
		if a["id"] != float64(m.poly) {
			want[a["id"].(float64)] = 200 * 200 // the rectangle
		}
	}
	if len(anns) != 2 {
		t.Fatalf("COCO: %d annotations, want the polygon and the rectangle", len(anns))
	}
	for _, a := range anns {
		if a["decoded_pixels"] != want[a["id"].(float64)] || a["area"] != a["decoded_pixels"] {
			t.Errorf("COCO annotation %v: decoded %v pixels, area %v; want %v", a["id"], a["decoded_pixels"], a["area"], want[a["id"].(float64)])
		}
	}
	if !strings.Contains(string(readFile(t, filepath.Join(mlDocs(t), "README.md"))), "train_webdataset.py") {
		t.Error("docs/ml/README.md does not show the WebDataset example")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
