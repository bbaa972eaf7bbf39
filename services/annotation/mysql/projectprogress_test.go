package mysql_test

import (
	"context"
	"slices"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

func TestProjectProgressBySlideAndModel(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor := w.Categories["tumor"]
	poster := mustModelUser(t, w)
	ids := mustPost(t, s, poster, w.Slide,
		suggestPoint(100, 100, map[int64]float64{tumor: 0.9}),
		suggestPoint(200, 200, map[int64]float64{tumor: 0.8}),
		suggestPoint(300, 300, map[int64]float64{tumor: 0.7}),
	)
	other := w.MustSlide(t, w.Project, 1000, 1000)
	v4 := annotation.Model{Name: "pathofusion", Version: "v4"}
	if _, err := s.PostSuggestions(ctx, poster, mustSlide(t, s, other), v4, []annotation.SuggestionDraft{suggestPoint(10, 10, map[int64]float64{tumor: 1})}); err != nil {
		t.Fatal(err)
	}
	ann := w.Users["annotator"].Principal
	if _, err := s.AcceptSuggestion(ctx, ann, mustSlide(t, s, w.Slide), ids[0], annotation.AcceptEdit{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RejectSuggestion(ctx, ann, mustSlide(t, s, w.Slide), ids[1]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		model annotation.Model
		want  map[int64]annotation.SuggestionProgress
	}{
		{"every model", annotation.Model{}, map[int64]annotation.SuggestionProgress{
			w.Slide: {Total: 3, Reviewed: 2, Undecided: 1, Accepted: 1, Rejected: 1},
			other:   {Total: 1, Undecided: 1},
		}},
		{"v3 only", model3, map[int64]annotation.SuggestionProgress{
			w.Slide: {Total: 3, Reviewed: 2, Undecided: 1, Accepted: 1, Rejected: 1},
		}},
		{"v4 only", v4, map[int64]annotation.SuggestionProgress{other: {Total: 1, Undecided: 1}}},
		{"a version nobody posted", annotation.Model{Name: "unet", Version: "1"}, map[int64]annotation.SuggestionProgress{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pp, err := s.ProjectSuggestionProgress(ctx, w.Project, tc.model)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]annotation.SuggestionProgress{}
			var sum annotation.SuggestionProgress
			for _, sp := range pp.Slides {
				got[sp.SlideID] = sp.SuggestionProgress
				sum.Add(annotation.SuggestionUndecided, sp.Undecided)
				sum.Add(annotation.SuggestionAccepted, sp.Accepted)
				sum.Add(annotation.SuggestionRejected, sp.Rejected)
			}
			if sum != pp.SuggestionProgress {
				t.Fatalf("project totals %+v, the slides' sum %+v", pp.SuggestionProgress, sum)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			// Every version of the project, whichever was asked for: a comparison's choices.
			if want := []string{model3.String(), v4.String()}; !slices.Equal(pp.Models, want) {
				t.Fatalf("models %q, want %q", pp.Models, want)
			}
			for slide, want := range tc.want {
				if got[slide] != want {
					t.Fatalf("slide %d: got %+v, want %+v", slide, got[slide], want)
				}
			}
		})
	}
}
