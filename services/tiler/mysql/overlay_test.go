package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/mysql"
)

// An overlay keeps the model version it came from, and one uploaded
// without a model names none.
func TestOverlayKeepsItsModelVersion(t *testing.T) {
	db, _ := testenv.MustDB(t)
	f := testenv.MustPrincipals(t, db)
	ctx := context.Background()
	s := mysql.New(db, time.Now)
	admin := f.Users[testenv.Admin]
	sl := &tiler.Slide{ProjectID: f.Project, Name: "s.svs", SourceKey: "sources/a/source", TileSize: 254, TileOverlap: 1, TileFormat: "jpeg", CreatedBy: &admin}
	if err := s.CreateSlide(ctx, sl); err != nil {
		t.Fatal(err)
	}
	heat := &tiler.Overlay{SlideID: sl.ID, Name: "tumour heatmap", Opacity: 0.5, SourceKey: "overlays/a/source", CreatedBy: &admin,
		Model: &tiler.OverlayModel{Name: "pathofusion", Version: "v3"}}
	plain := &tiler.Overlay{SlideID: sl.ID, Name: "stain mask", Opacity: 0.5, SourceKey: "overlays/b/source", CreatedBy: &admin}
	for _, o := range []*tiler.Overlay{heat, plain} {
		if err := s.CreateOverlay(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Overlay(ctx, heat.ID)
	if err != nil || got.Model == nil || *got.Model != (tiler.OverlayModel{Name: "pathofusion", Version: "v3"}) {
		t.Fatalf("overlay %+v (%v), want model pathofusion v3", got, err)
	}
	list, err := s.Overlays(ctx, sl.ID)
	if err != nil || len(list) != 2 || list[1].Model != nil {
		t.Fatalf("overlays %+v (%v), want the second without a model", list, err)
	}
}
