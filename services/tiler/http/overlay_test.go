package http

import "testing"

func TestOverlayModel(t *testing.T) {
	m, err := overlayModel("patho@fusion@v3")
	if err != nil || m.Name != "patho@fusion" || m.Version != "v3" {
		t.Fatalf("got %+v %v", m, err)
	}
	for _, bad := range []string{"nover", "@v1", "x@"} {
		if _, err := overlayModel(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
