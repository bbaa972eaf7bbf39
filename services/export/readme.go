package export

import (
	"cmp"
	"fmt"
	"strings"
)

// Readme is the dataset card: what the export holds and what every file
// and column means. It holds no time, so a re-run writes the same bytes;
// the manifest carries the times.
func Readme(m *Manifest, s *Snapshot) []byte {
	var b strings.Builder
	p := &m.Params
	if p.Name != "" {
		fmt.Fprintf(&b, "# %s: Patholabel dataset of project %d\n\n", p.Name, m.ProjectID)
	} else {
		fmt.Fprintf(&b, "# Patholabel dataset of project %d\n\n", m.ProjectID)
	}
	fmt.Fprintf(&b, "Made by %s from a snapshot of %d marks on %d slides (snapshot sha256 `%s`).\n\n",
		m.Software, m.Counts.Marks, len(s.Slides), m.SnapshotSHA256)
	fmt.Fprintf(&b, "Formats: %s. Review states: %s.\n\n", strings.Join(p.Formats, ", "), p.Review)
	if p.CutsImages() {
		b.WriteString(resolutionDoc(m, s))
		if p.PatchFormat == "jpeg" {
			fmt.Fprintf(&b, "Patch and tile images are JPEG at quality %d (lossy).\n\n", p.JPEGQuality)
		} else {
			fmt.Fprintf(&b, "Patch and tile images are lossless PNG (`png_compression` %s).\n\n", cmp.Or(p.PNGCompression, PNGSmall))
		}
		if n := p.StainNormalization; n != nil {
			fmt.Fprintf(&b, "Patches and image tiles are stain-normalised (Reinhard et al. 2001): each one's pixels, pure black "+
				"padding left out, are moved in lαβ space (log10 LMS of 8-bit RGB) from their own mean and standard deviation "+
				"to the target's: mean %v, std %v (l, α, β; `params.stain_normalization` in the manifest). The PathoFusion "+
				"databases hold the normalised pixels too.\n\n", n.TargetMean, n.TargetStd)
		}
	}
	if sp := p.Splits; sp != nil {
		bySlide, cases := SplitOf(s, sp), map[string]map[string]bool{}
		for i := range s.Slides {
			split := bySlide[s.Slides[i].ID]
			if cases[split] == nil {
				cases[split] = map[string]bool{}
			}
			cases[split][CaseOf(&s.Slides[i])] = true
		}
		fmt.Fprintf(&b, "Split by case (patient), seed %d: %d cases train, %d validation, %d test (fractions %g / %g / %g); "+
			"`splits.json` lists them.\n\n", sp.Seed, len(cases[SplitTrain]), len(cases[SplitValidation]), len(cases[SplitTest]),
			sp.Train, sp.Validation, sp.Test)
	}
	b.WriteString(provenanceDoc)
	if p.HardNegatives {
		b.WriteString(hardNegativesDoc)
	}
	b.WriteString("## Classes\n\n| class id | name | colour | marks |\n|---|---|---|---|\n")
	for _, c := range s.Categories {
		fmt.Fprintf(&b, "| %d | %s | %s | %d |\n", c.ClassID, c.Name, c.Color, m.Counts.ByCategory[CategoryLabel(&c, c.ID)])
	}
	b.WriteString("\n## Files\n\n" + commonDoc)
	for _, f := range Formats {
		if p.Has(f) {
			b.WriteString(formatDoc[f])
		}
	}
	if p.Splits != nil {
		b.WriteString(splitsDoc)
	}
	if p.Has(FormatPatches) {
		b.WriteString("\n## patches/index.csv\n\nOne row per patch file:\n\n| column | meaning |\n|---|---|\n")
		for _, c := range PatchIndexColumns {
			fmt.Fprintf(&b, "| `%s` | %s |\n", c, indexDoc[c])
		}
	}
	b.WriteString("\n" + rulesDoc)
	return []byte(b.String())
}

// resolutionDoc states the physical resolution the patches were cut at.
func resolutionDoc(m *Manifest, s *Snapshot) string {
	p := &m.Params
	if p.TargetMPP == nil {
		return "Patches are cut at each slide's level-0 resolution (no `target_mpp`): their µm/px is the slide's, " +
			"given per patch in `index.csv` (`mpp`) and per slide in the manifest (`resolution`).\n\n"
	}
	asked := fmt.Sprintf("`target_mpp` %s µm/px", FormatMPP(*p.TargetMPP))
	if p.TargetMagnification != nil {
		asked = fmt.Sprintf("`target_magnification` %g× (taken as %s µm/px, 10 µm/px divided by the magnification)",
			*p.TargetMagnification, FormatMPP(*p.TargetMPP))
	}
	return "Patches are cut at " + asked + ": each patch covers size × target_mpp µm and was resampled by libvips " +
		"from the slide's level 0 (`origin_size` level-0 pixels per side, rounded to whole pixels, so its exact µm/px, " +
		"in `index.csv` column `mpp` and per slide in the manifest's `resolution`, may differ from the target in the " +
		"fourth digit).\n\n"
}

const commonDoc = "- `manifest.json`: written last; an export without it is incomplete. It lists every file with its size " +
	"and SHA-256 (check them with `sha256sum` or `patholabel exports verify`), the normalised request (`params`), " +
	"the counts (`counts.patches_by_size` is the number of patch files of each size), the resolution each slide's " +
	"patches were cut at, the slides that could not be read (`errors`), the software version that made the export " +
	"and when.\n" +
	"- `README.md`: this card.\n" +
	"- `snapshot.json`: everything the export was built from, read in one consistent database snapshot: the slides " +
	"(name, case, stain, size in pixels, µm/px, file SHA-256), the categories (class id, name, colour), the annotators " +
	"and every mark with its id, version, author, review state and exact geometry (integer millipixels: divide by " +
	"1000 for level-0 pixels). Its SHA-256 is the manifest's `snapshot_sha256`; the same snapshot and request always " +
	"give byte-identical files, so a dataset is reproducible from it.\n" +
	"- `classes.json`: the class map, by class id: category id, name, colour and the number each format of this " +
	"export uses for the class (ImageFolder folder and index per ImageFolder root, PathoFusion TYPE and TYPE − 1, mask " +
	"value, COCO category id).\n"

const splitsDoc = "- `splits.json`: each case and slide with its split (train, validation, test), the fractions and the " +
	"seed. Cases (patients), not patches, are split: all slides of a case, and so all their patches, are in one " +
	"split; a slide without a case id is a case of its own. With splits the patches sit in " +
	"`patches/<size>/<split>/<class id>_<category>/` (one ImageFolder root per size and split), `index.csv` has the " +
	"split in its `split` column, the WebDataset shards are per split, and each PathoFusion database has a SPLITS " +
	"table (PATIENT_ID, CASE_ID, SPLIT).\n"

var formatDoc = map[string]string{
	FormatGeoJSON: "- `geojson/<slide>.geojson`: one QuPath-compatible FeatureCollection per slide (pixels, level 0).\n",
	FormatCSV:     "- `csv/marks.csv`: one row per mark; points with x, y, radius, shapes with their bounding box; author and review state.\n",
	FormatCOCO: "- `coco/annotations.json`: COCO instances for polygons, rectangles, ellipses and freehand shapes; a shape with " +
		"holes is an uncompressed RLE (`iscrowd` 1, area = its pixels), since COCO readers fill every polygon.\n",
	FormatPatches: "- `patches/<size>/<class id>_<category>/<slide>_<x>_<y>.<ext>`: ImageFolder patches centred on the marks " +
		"(dots at their centre, shapes sampled by `sampling`); `patches/index.csv` lists them (columns below). The class " +
		"id comes first, zero-padded, so ImageFolder's indices follow the class ids.\n",
	FormatPathoFusion: "- `pathofusion/patches_<size>.db`: SQLite with PathoFusion's PICTURES and LABELS tables (PICTURE is " +
		"raw RGB); row N of every size is the same centre, so the sizes pair by ID.\n",
	FormatWebDataset: "- `webdataset/<size>/shard-NNNNNN.tar` (per split with splits: `webdataset/<size>/<split>/`): " +
		"WebDataset shards of at most `shard_bytes` each (default 1 GiB): per sample `<key>.<ext>` (the patch, as in " +
		"`patches/`), `<key>.cls` (the class index from 0 in class-id order, `webdataset_cls` in classes.json) and " +
		"`<key>.json` (the class and every column of index.csv). `<key>` is `<slide>_<x>_<y>_c<class id>` with dots " +
		"made dashes. `webdataset/shards.json` lists each folder's shards and samples, for a training script's list of " +
		"URLs; `docs/ml/` in the Patholabel repository has a PyTorch example streaming them.\n",
	FormatMasks: "- `masks/<slide>.png`: label masks at `mask_downsample`, pixel = class id, 0 = unlabelled (8-bit grey, " +
		"16-bit when a class id exceeds 255). `masks/palette/<slide>.png` is the same mask as a palette PNG: the pixel " +
		"values are the same class ids (PIL opens it in mode P, `numpy.array` gives the ids) and the palette colours " +
		"each class like its category, so it can be looked at.\n" +
		"- `mask_tiles/<size>/images/<slide>_<x>_<y>.<ext>` with `mask_tiles/<size>/labels/<slide>_<x>_<y>.png` " +
		"(when the request has `mask_tile_size`): image tiles and their label tiles, paired by file name, as QuPath's tile " +
		"exporter writes them, over every tile of the slide's grid a mark touches. `<x>_<y>` is the tile's top-left " +
		"corner at level 0; a tile covers `size` pixels at level 0, or `size` × `target_mpp` µm with `target_mpp`; " +
		"label pixels are class ids in a palette PNG coloured like the categories (0 = unlabelled); tiles crossing the " +
		"slide edge are padded with black. With splits they sit in `mask_tiles/<size>/<split>/`.\n",
}

var indexDoc = map[string]string{
	"path":          "the patch file, relative to the export",
	"size":          "pixels per side of the file",
	"origin_size":   "level-0 pixels per side it was cut from (differs from size with `target_mpp`)",
	"slide_id":      "the slide's id in Patholabel",
	"slide":         "the slide's name",
	"case_id":       "the case (patient) label of the slide; empty when it has none",
	"stain":         "the slide's stain",
	"category_id":   "the category's id in Patholabel",
	"class_id":      "the class id (classes.json)",
	"category":      "the category's name",
	"mark_id":       "the mark the patch was cut for",
	"mark_version":  "the version of that mark in the snapshot (each edit of a mark raises it)",
	"author_id":     "who drew the mark",
	"annotator":     "their user name",
	"review":        "the mark's review state when the snapshot was taken (pending, accepted, rejected)",
	"x":             "the patch centre, level-0 pixels from the left",
	"y":             "the patch centre, level-0 pixels from the top",
	"mpp":           "microns per pixel of the patch file; empty when the slide has no calibration",
	"padded":        "true when the patch crosses the slide's edge and was padded with black",
	"provenance":    "where the mark came from: hand, model, model_edited or hard_negative (see Provenance)",
	"model":         "the model whose suggestion the mark was (empty for hand)",
	"model_version": "that model's version",
	"score":         "the score the model gave the suggested category",
	"split":         "train, validation or test; empty without splits",
}

const provenanceDoc = "Provenance: a mark is drawn by hand (`hand`), a model's suggestion a person accepted as it was " +
	"(`model`) or accepted with another category or shape (`model_edited`). The CSV, `patches/index.csv` and the " +
	"WebDataset labels say so in `provenance`, `model`, `model_version` and `score`; COCO annotations in their " +
	"`attributes`; GeoJSON features in `properties.patholabel.source` (`{suggestion, model, version, score, edited}`, " +
	"absent for a mark drawn by hand).\n\n"

const hardNegativesDoc = "Hard negatives (`hard_negatives`): the model suggestions people rejected are in the export, each " +
	"in the class `hard_negative:<category>` of the category the model suggested (class id: the project's highest class " +
	"id plus the category's; category id: the category's negated), with provenance `hard_negative`, the person who " +
	"rejected it as author, the suggestion's id as mark id and no review state. They are taken whatever the `review` filter, and masks " +
	"paint them under the marks. COCO annotation ids of hard negatives follow the highest mark id; their attributes name the suggestion.\n\n"

const rulesDoc = "Two marks of one category at one place (the same dot made twice) make one patch, the lower mark id's, in " +
	"every format; `counts.patches_by_size` in the manifest is the number of patches of each size.\n" +
	"\n`<slide>` is `<case>_<stain>_slide<id>` when the slide has a case id (so the H&E and IHC slides of a case sit " +
	"side by side), else `slide<id>`. Coordinates are level-0 pixels.\n"
