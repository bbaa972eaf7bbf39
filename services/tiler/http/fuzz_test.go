package http_test

import (
	"bytes"
	"math"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patholabel/patholabel/services/tiler"
	tilerhttp "github.com/patholabel/patholabel/services/tiler/http"
)

// FuzzTilePath reads the three segments of /tiles/{name}/{level}/{tile}
// as the tile routes do. Whatever they accept must be the one spelling of
// a slide, level and tile: digits and a known suffix, nothing more, so no
// other string can reach a lookup or a cache key.
func FuzzTilePath(f *testing.F) {
	for _, s := range [][3]string{
		{"12_files", "14", "3_4.jpeg"}, {"12.dzi", "0", "0_0.png"}, {"7", "9", "10_20.jpeg"},
		{"12_files.dzi", "01", "3_4_5.jpeg"}, {"-1_files", "+1", "1_-1.jpeg"}, {"1%2e_files", "1", "..%2f1_1.jpeg"},
		{"999999999999_files", "9999999999999", "1_.jpeg"}, {"١٢_files", "٣", "١_٢.jpeg"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, name, level, tile string) {
		if id, ok := tilerhttp.SlideID(name); ok {
			stem := name // "12", "12.dzi" or "12_files": one suffix at most
			for _, suffix := range []string{".dzi", "_files"} {
				if s, cut := strings.CutSuffix(name, suffix); cut {
					stem = s
					break
				}
			}
			if !sameNumber(stem, id) {
				t.Fatalf("slide path %q read as slide %d", name, id)
			}
		}
		if n, ok := tilerhttp.Digits(level); ok && !sameNumber(level, n) {
			t.Fatalf("level %q read as %d", level, n)
		}
		for _, format := range []string{"jpeg", "png"} {
			col, row, ok := tilerhttp.TileName(tile, format)
			if !ok {
				continue
			}
			cs, rs, _ := strings.Cut(strings.TrimSuffix(tile, "."+format), "_")
			if !sameNumber(cs, int64(col)) || !sameNumber(rs, int64(row)) || tile != cs+"_"+rs+"."+format {
				t.Fatalf("tile %q (%s) read as column %d, row %d", tile, format, col, row)
			}
		}
	})
}

// sameNumber reports whether s is n written in decimal digits (leading
// zeros allowed), at most 12 of them.
func sameNumber(s string, n int64) bool {
	if s == "" || len(s) > 12 || n < 0 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	trimmed := strings.TrimLeft(s, "0")
	if trimmed == "" {
		trimmed = "0"
	}
	return trimmed == strconv.FormatInt(n, 10)
}

const fuzzBoundary = "fuzzboundary"

// form builds a multipart body as a browser sends a slide or overlay.
func form(fields [][2]string, filename string) []byte {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary(fuzzBoundary)
	for _, kv := range fields {
		_ = w.WriteField(kv[0], kv[1])
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		_, _ = fw.Write([]byte("II*\x00 not really a slide"))
	}
	_ = w.Close()
	return b.Bytes()
}

// FuzzUploadForm reads the form fields of POST /api/v1/slides and POST
// /api/v1/slides/{id}/overlays, everything the tiler parses of an upload
// before the file itself streams to the object store, and checks what the
// upload would store.
func FuzzUploadForm(f *testing.F) {
	f.Add(form([][2]string{{"project_id", "3"}, {"case_id", "case-7"}, {"stain", "H&E"}}, "CMU-1-Small-Region.svs"))
	f.Add(form([][2]string{{"name", "tumour probability"}, {"opacity", "0.4"}}, "heatmap.png"))
	f.Add(form([][2]string{{"name", ""}, {"opacity", "NaN"}}, `C:\slides\a b.ndpi`))
	f.Add(form([][2]string{{"stain", strings.Repeat("x", 1025)}}, "x"))
	f.Add(form(nil, "/"))
	f.Add(form([][2]string{{"name", "no file"}}, ""))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, known := range [][]string{tilerhttp.SlideFields, {"name", "opacity"}} {
			fields, part, err := tilerhttp.NextFile(multipart.NewReader(bytes.NewReader(body), fuzzBoundary), known)
			if err != nil {
				continue
			}
			if part.FormName() != "file" {
				t.Fatalf("returned part %q, not the file", part.FormName())
			}
			for k, v := range fields {
				if !slices.Contains(known, k) || len(v) > 1024 {
					t.Fatalf("field %q (%d bytes) kept, known are %v", k, len(v), known)
				}
			}
			checkSlideLabels(t, fields, part.FileName())
			checkOverlayFields(t, fields)
		}
	})
}

func checkSlideLabels(t *testing.T, fields map[string]string, filename string) {
	t.Helper()
	var sl tiler.Slide
	if tilerhttp.Labels(&sl, fields, filename) != nil {
		return
	}
	switch {
	case sl.Name == "" || sl.Name == "." || sl.Name == "/":
		t.Fatalf("slide stored without a name (file %q)", filename)
	case !utf8.ValidString(sl.Name + sl.CaseID + sl.Stain):
		t.Fatalf("labels are not UTF-8: %q %q %q", sl.Name, sl.CaseID, sl.Stain)
	case fields["name"] == "" && strings.ContainsAny(sl.Name, `/\`):
		t.Fatalf("name %q taken from file %q keeps a directory", sl.Name, filename)
	}
}

func checkOverlayFields(t *testing.T, fields map[string]string) {
	t.Helper()
	o, err := tilerhttp.OverlayFields(fields, &tiler.Slide{ID: 1}, 1)
	if err != nil {
		return
	}
	if math.IsNaN(o.Opacity) || o.Opacity < 0 || o.Opacity > 1 {
		t.Fatalf("overlay accepted with opacity %v from %q", o.Opacity, fields["opacity"])
	}
	if o.Name == "" || len(o.Name) > 128 {
		t.Fatalf("overlay accepted with name %q", o.Name)
	}
}
