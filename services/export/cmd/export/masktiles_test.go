package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/export"
)

// TestMaskTilesPairImagesAndLabels: with mask_tile_size every tile a mark
// touches comes as an image tile (the slide's own pixels) and a label
// tile of the same name (class ids, holes left unlabelled), both palette
// coloured like the categories; the slide mask has a palette copy.
func TestMaskTilesPairImagesAndLabels(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d],"formats":["masks"],"mask_tile_size":256}`, env.World.Project, m.he))
	if e.Status != export.StatusDone {
		t.Fatalf("status %s: %s", e.Status, e.Error)
	}
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	stem := fmt.Sprintf("case-7_HE_slide%d", m.he)
	images, labels := 0, 0
	for p := range files {
		if strings.HasPrefix(p, "mask_tiles/256/images/") {
			images++
			if _, ok := files[strings.Replace(p, "/images/", "/labels/", 1)]; !ok {
				t.Errorf("%s has no label tile", p)
			}
		}
		if strings.HasPrefix(p, "mask_tiles/256/labels/") {
			labels++
		}
	}
	// Marks on the H&E slide: dots at 700,900 (r 12), 1500,2000 (r 8),
	// 20,30 (r 5); the polygon 1000–1600 × 400–800 (3 × 2 tiles: x 768–1792,
	// y 256–1024 → tiles x 3..6, y 1..3 = 4 × 3), the rectangle 100–300 ×
	// 2500–2700 (x 0..1, y 9..10 = 2 × 2).
	if want := 1 + 1 + 1 + 4*3 + 2*2; images != want || labels != want || man.Counts.MaskTiles != int64(want) {
		t.Errorf("%d image tiles, %d label tiles, manifest says %d; want %d", images, labels, man.Counts.MaskTiles, want)
	}
	// The tile at 1024,512 holds the polygon's body and part of its hole.
	img := decodePNG(t, files[fmt.Sprintf("mask_tiles/256/images/%s_1024_512.png", stem)])
	if !bytes.Equal(rgbOf(img), reference(t, "CMU-1-Small-Region.svs", 1024, 512, 256)) {
		t.Error("image tile 1024,512 differs from vips extract_area of the slide")
	}
	label := decodePNG(t, files[fmt.Sprintf("mask_tiles/256/labels/%s_1024_512.png", stem)])
	pal, ok := label.(*image.Paletted)
	if !ok {
		t.Fatalf("label tile is %T, want a palette PNG", label)
	}
	for _, c := range []struct{ x, y, want int }{{1100, 600, 2}, {1250, 600, 0}, {1100, 450, 0}, {1270, 720, 2}, {1250, 750, 2}} {
		if got := int(pal.ColorIndexAt(c.x-1024, c.y-512)); got != c.want {
			t.Errorf("label at level-0 %d,%d = %d, want %d", c.x, c.y, got, c.want)
		}
	}
	if got := color.RGBAModel.Convert(pal.Palette[2]).(color.RGBA); got != (color.RGBA{0, 255, 0, 255}) {
		t.Errorf("palette colour of class 2 is %v, want stroma's #00ff00", got)
	}
	// The dot at 700,900 (r 12) in tile 512,768: a disc of about π·12² pixels.
	dot := decodePNG(t, files[fmt.Sprintf("mask_tiles/256/labels/%s_512_768.png", stem)]).(*image.Paletted)
	n := 0
	for _, v := range dot.Pix {
		if v == 1 {
			n++
		}
	}
	if n < 430 || n > 480 {
		t.Errorf("the dot covers %d label pixels, want about 452", n)
	}
	// The palette copy of the slide mask has the grey mask's values.
	grey := decodePNG(t, files["masks/"+stem+".png"])
	coloured, ok := decodePNG(t, files["masks/palette/"+stem+".png"]).(*image.Paletted)
	if !ok || coloured.Bounds() != grey.Bounds() {
		t.Fatalf("palette mask %T %v, grey %v", coloured, coloured.Bounds(), grey.Bounds())
	}
	for y := 0; y < grey.Bounds().Dy(); y++ {
		for x := 0; x < grey.Bounds().Dx(); x++ {
			g, _, _, _ := grey.At(x, y).RGBA()
			if uint8(g>>8) != coloured.ColorIndexAt(x, y) {
				t.Fatalf("mask pixel %d,%d: grey %d, palette index %d", x, y, g>>8, coloured.ColorIndexAt(x, y))
			}
		}
	}
	if !strings.Contains(string(files[export.ReadmePath]), "mask_tiles/<size>/labels/") {
		t.Error("README.md does not explain the mask tiles")
	}
}
