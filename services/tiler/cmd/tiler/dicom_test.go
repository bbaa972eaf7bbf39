package main

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/tiler/dicom/dicomtest"
)

// TestDICOMIsCheckedAgainstItsFrames uploads DICOM-WSI files built from a
// real 512 × 300 image: frames that are not what the transfer syntax says
// (SVG, PDF, PNG behind a JPEG baseline header), hostile nesting, and the
// non-conformant layouts converters write. Each is refused with its reason
// or laid out as its own data say, never rendered by guess; the service
// stays healthy throughout.
func TestDICOMIsCheckedAgainstItsFrames(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	src := sourceImage(t, 512, 300)
	cut := dicomtest.MustCut(t, src, 128, 128, false)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" fill="red"/></svg>`)
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	var pngFrame bytes.Buffer
	png.Encode(&pngFrame, image.NewRGBA(image.Rect(0, 0, 128, 128)))
	good := dicomtest.Spec{Width: 512, Height: 300, FrameWidth: 128, FrameRows: 128, Organisation: "TILED_FULL", SpacingMM: 0.0005, Frames: cut}
	shuffle := []int{5, 0, 11, 3, 7, 1, 9, 2, 10, 4, 8, 6}
	tests := []struct {
		name string
		edit func(*dicomtest.Spec)
		want string // error substring; empty: ready
	}{
		{"every frame svg", func(s *dicomtest.Spec) { s.Frames = pick([][]byte{svg}, make([]int, 12)) }, "frame 1 is not the image its transfer syntax"},
		{"svg frame", func(s *dicomtest.Spec) { s.Frames = withFrame(cut, 4, svg) }, "frame 5 is not the image its transfer syntax 1.2.840.10008.1.2.4.50 promises"},
		{"pdf frame", func(s *dicomtest.Spec) { s.Frames = withFrame(cut, 0, pdf) }, "frame 1 is not the image its transfer syntax"},
		{"png frame", func(s *dicomtest.Spec) { s.Frames = withFrame(cut, 11, pngFrame.Bytes()) }, "Not a JPEG file"},
		{"nested sequences", func(s *dicomtest.Spec) { s.Nesting = 100_000 }, "sequences nested more than 16 deep"},
		{"swapped matrix", func(s *dicomtest.Spec) { s.Width, s.Height = 300, 512 }, "the two are swapped"},
		{"real DICOM, matrix swapped", func(s *dicomtest.Spec) {
			*s = dicomtest.Spec{Width: 2967, Height: 2220, FrameWidth: 500, FrameRows: 500, Organisation: "TILED_FULL", SpacingMM: 0.000499,
				Frames: dicomtest.MustFrames(t, testdata+"slides/CMU-1-Small-Region-dicom/level-0-frames-0-30.dcm")}
		}, "the two are swapped"},
		{"no organisation", func(s *dicomtest.Spec) { s.Organisation = "" }, "declares no DimensionOrganizationType"},
		{"sparse with a gap", func(s *dicomtest.Spec) {
			s.Organisation, s.Frames, s.Positions = "TILED_SPARSE", cut[:11], cellPositions(identity(11), 4, 128)
		}, "sparse tiling"},
		{"no pixel spacing", func(s *dicomtest.Spec) { s.SpacingMM = 0 }, ""},
		{"jpeg 2000 frames", func(s *dicomtest.Spec) {
			s.TransferSyntax, s.Frames = "1.2.840.10008.1.2.4.91", j2kFrames(t, src, 128)
		}, ""},
		{"jpeg frames behind a jpeg 2000 header", func(s *dicomtest.Spec) { s.TransferSyntax = "1.2.840.10008.1.2.4.91" }, "frame 1 is not the image its transfer syntax 1.2.840.10008.1.2.4.91 promises"},
		{"sparse, frames shuffled", func(s *dicomtest.Spec) {
			s.Organisation, s.Frames, s.Positions = "TILED_SPARSE", pick(cut, shuffle), cellPositions(shuffle, 4, 128)
		}, ""},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := good
			tt.edit(&spec)
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".dcm")
			if err := os.WriteFile(path, dicomtest.Build(spec), 0o600); err != nil {
				t.Fatal(err)
			}
			id := uploadID(t, base, u.member, u.project, path, nil)
			want := "failed"
			if tt.want == "" {
				want = "ready"
			}
			sl := waitFor(t, base, u.member, id, want, 60*time.Second)
			msg, _ := sl["error"].(string)
			if sl["status"] != want || !strings.Contains(msg, tt.want) {
				t.Fatalf("slide = %v, want %s with an error containing %q", sl, want, tt.want)
			}
			if want == "failed" {
				t.Logf("refused: %s", msg)
				return
			}
			if sl["width"] != 512.0 || sl["height"] != 300.0 || sl["mpp_x"] != mpp(spec.SpacingMM) {
				t.Fatalf("slide = %v, want 512 × 300 with mpp %v", sl, mpp(spec.SpacingMM))
			}
			checkTileMatches(t, base, u.member, id, src)
		})
	}
	if resp, _ := call(t, "GET", base+"/healthz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("healthz after hostile DICOM = %d", resp.StatusCode)
	}
}

// checkTileMatches compares the full-resolution tile (1, 1) with the
// source image it was cut from: a frame out of place would differ wildly.
func checkTileMatches(t *testing.T, base, token string, id int64, src image.Image) {
	t.Helper()
	resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d_files/%d/1_0.jpeg", base, id, levels(512, 300)-1), token, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("tile = %d %s", resp.StatusCode, b)
	}
	got, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := image.NewRGBA(got.Bounds())
	draw.Draw(want, want.Bounds(), src, image.Pt(253, 0), draw.Src)
	if d := meanAbsDiff(t, got, want); d > 6 {
		t.Fatalf("tile differs from the source by %.2f on average, want ≤ 6", d)
	}
}

// j2kFrames cuts src into JPEG 2000 codestreams as DICOM holds them: the
// vips command writes a JP2 file, whose "jp2c" box is the codestream.
func j2kFrames(t *testing.T, src image.Image, size int) [][]byte {
	t.Helper()
	dir := t.TempDir()
	var frames [][]byte
	b := src.Bounds()
	for y := 0; y < b.Dy(); y += size {
		for x := 0; x < b.Dx(); x += size {
			frame := image.NewRGBA(image.Rect(0, 0, min(size, b.Dx()-x), min(size, b.Dy()-y)))
			draw.Draw(frame, frame.Bounds(), src, image.Pt(x, y), draw.Src)
			in, out := filepath.Join(dir, "f.png"), filepath.Join(dir, "f.jp2")
			var buf bytes.Buffer
			png.Encode(&buf, frame)
			os.WriteFile(in, buf.Bytes(), 0o600)
			if msg, err := exec.Command("vips", "copy", in, out+"[lossless]").CombinedOutput(); err != nil {
				t.Fatalf("vips copy: %v %s", err, msg)
			}
			jp2, _ := os.ReadFile(out)
			i := bytes.Index(jp2, []byte("jp2c"))
			if i < 0 {
				t.Fatal("no codestream box in the JP2 file")
			}
			frames = append(frames, jp2[i+4:])
		}
	}
	return frames
}

// sourceImage is the top-left w × h of a real microscopy image.
func sourceImage(t *testing.T, w, h int) image.Image {
	t.Helper()
	im := decodePNG(t, testdata+"images/skimage-ihc.png")
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), im, image.Point{}, draw.Src)
	return out
}

func withFrame(frames [][]byte, i int, b []byte) [][]byte {
	out := append([][]byte(nil), frames...)
	out[i] = b
	return out
}

// pick returns frames in order: frame i of the result is cell order[i].
func pick(frames [][]byte, order []int) [][]byte {
	out := make([][]byte, len(order))
	for i, cell := range order {
		out[i] = frames[cell]
	}
	return out
}

// cellPositions are the 1-based pixel positions of the given cells.
func cellPositions(cells []int, across, size int) [][2]int {
	var p [][2]int
	for _, c := range cells {
		p = append(p, [2]int{c%across*size + 1, c/across*size + 1})
	}
	return p
}

func identity(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}

// mpp is the slide's mpp_x as JSON gives it: nil when unknown.
func mpp(spacingMM float64) any {
	if spacingMM == 0 {
		return nil
	}
	return spacingMM * 1000
}
