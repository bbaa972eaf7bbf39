// Package redis announces committed changes of marks on a Redis stream.
package redis

import (
	"context"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/events"
	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
)

// Publisher puts annotations.changed events on the stream
// prefix+annotation.EventStream, field "envelope" holding a proto-encoded
// patholabelv1.Envelope.
type Publisher struct{ events *events.Publisher }

// NewPublisher returns a Publisher writing under the key prefix.
func NewPublisher(rdb *goredis.Client, prefix string, log *slog.Logger) *Publisher {
	return &Publisher{events: events.NewPublisher(rdb, prefix, "annotation", log)}
}

// Stream is the full key of the stream.
func (p *Publisher) Stream() string { return p.events.Stream(annotation.EventStream) }

// Publish sends one event per change. The changes are committed already,
// so a Redis failure is logged and swallowed: it must not fail the write
// the caller has been told succeeded, and consumers refetch anyway.
func (p *Publisher) Publish(ctx context.Context, changes []annotation.Change, requestID string) {
	for _, c := range changes {
		p.events.Publish(ctx, annotation.EventStream, Envelope(c, requestID), "slide", c.SlideID, "marks", len(c.IDs))
	}
}

// Envelope wraps a change as the proto contract describes; the publisher
// stamps its id, time and producer.
func Envelope(c annotation.Change, requestID string) *patholabelv1.Envelope {
	return &patholabelv1.Envelope{
		RequestId: requestID,
		Payload: &patholabelv1.Envelope_AnnotationsChanged{AnnotationsChanged: &patholabelv1.AnnotationsChanged{
			SlideId:       c.SlideID,
			ProjectId:     c.ProjectID,
			AuthorId:      c.AuthorID,
			AnnotationIds: c.IDs,
			Kind:          patholabelv1.AnnotationChangeKind(c.Kind),
			ChangedAt:     timestamppb.New(c.At),
		}},
	}
}
