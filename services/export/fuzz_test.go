package export_test

import (
	"bytes"
	"testing"

	"github.com/patholabel/patholabel/services/export"
)

// FuzzParams reads the body of POST /api/v1/exports. Parameters it accepts
// are within the documented limits, and normalising is idempotent: the
// canonical JSON reads back as itself, so two requests meaning the same
// export always name the same files.
func FuzzParams(f *testing.F) {
	for _, s := range []string{
		`{"project_id":3,"formats":["csv","geojson","csv"],"slide_ids":[9,2,9]}`,
		`{"project_id":1,"formats":["patches","pathofusion","masks","coco"],"patch_sizes":[8,2048],"target_mpp":0.5,"patch_format":"jpeg","jpeg_quality":1,"edge":"skip","sampling":"random","samples":10000,"seed":-7,"mask_downsample":1024}`,
		`{"project_id":1,"formats":["patches"],"patch_sizes":[0,-1,9999999999],"stride":-5}`,
		`{"project_id":1,"formats":["csv"],"target_mpp":1e400}`,
		`{"project_id":9223372036854775807,"formats":["csv"],"author_ids":[-1,0,1]}`,
		`[]`, `null`, `{"project_id":1,"formats":null}`,
		`{"project_id":1,"name":" a\u2028b ","formats":["webdataset","masks"],"shard_bytes":65536,"mask_tile_size":64,"target_magnification":3,"png_compression":"small"}`,
		`{"project_id":1,"formats":["patches"],"stain_normalization":{"method":"reinhard","target_mean":[3.6,-0.05,-0],"target_std":[0.2,0.04,0.01]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := export.ParseParams(body)
		if err != nil {
			return
		}
		for _, s := range p.PatchSizes {
			if s < export.MinPatchSize || s > export.MaxPatchSize {
				t.Fatalf("patch size %d accepted from %s", s, body)
			}
		}
		if p.ProjectID <= 0 || len(p.Formats) == 0 || p.Samples < 1 || p.Samples > export.MaxSamples {
			t.Fatalf("accepted %+v from %s", p, body)
		}
		canon := p.Canonical()
		again, err := export.ParseParams(canon)
		if err != nil || !bytes.Equal(again.Canonical(), canon) {
			t.Fatalf("canonical params %s read back as %s (%v)", canon, again.Canonical(), err)
		}
	})
}
