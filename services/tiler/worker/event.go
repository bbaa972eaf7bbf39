package worker

import (
	"context"
	"strconv"

	"google.golang.org/protobuf/types/known/timestamppb"

	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/tiler"
)

// announce publishes slide.ready for a slide whose ready state is
// committed. A Redis failure is only logged: the slide is ready whether or
// not anyone heard, and subscribers refetch.
func (p *Pool) announce(ctx context.Context, sl *tiler.Slide) {
	if p.events == nil {
		return
	}
	p.events.Publish(ctx, tiler.SlideReadyStream, SlideReady(sl), "slide", sl.ID)
}

// SlideReady wraps a ready slide as the proto contract describes.
func SlideReady(sl *tiler.Slide) *plv1.Envelope {
	ev := &plv1.SlideReady{SlideId: sl.ID, ProjectId: sl.ProjectID, CaseId: caseNumber(sl.CaseID), CaseLabel: sl.CaseID,
		Width: sl.Width, Height: sl.Height, Levels: uint32(sl.Levels), Mpp: sl.MPPX}
	if sl.ReadyAt != nil {
		ev.ReadyAt = timestamppb.New(*sl.ReadyAt)
	}
	return &plv1.Envelope{Payload: &plv1.Envelope_SlideReady{SlideReady: ev}}
}

// caseNumber maps the slide's case label onto the contract's numeric case
// id: slides file cases as free text ("C1"), so only a label that is a
// positive number carries over; any other is sent as 0, "no case id".
func caseNumber(label string) int64 {
	n, err := strconv.ParseInt(label, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
