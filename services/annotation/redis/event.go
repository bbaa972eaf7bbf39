// Package redis announces committed changes of marks on a Redis stream.
package redis

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patholabel/patholabel/services/annotation"
	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
)

// StreamMaxLen bounds the stream: events are hints for caches and exports,
// a consumer that fell further behind refetches instead of replaying.
const StreamMaxLen = 100_000

// PublishTimeout bounds what a slow Redis can add to a committed write.
const PublishTimeout = 300 * time.Millisecond

// Publisher puts annotations.changed events on the stream
// prefix+annotation.EventStream, field "envelope" holding a proto-encoded
// patholabelv1.Envelope.
type Publisher struct {
	rdb    *goredis.Client
	stream string
	log    *slog.Logger
}

// NewPublisher returns a Publisher writing under the key prefix.
func NewPublisher(rdb *goredis.Client, prefix string, log *slog.Logger) *Publisher {
	return &Publisher{rdb: rdb, stream: prefix + annotation.EventStream, log: log}
}

// Stream is the full key of the stream.
func (p *Publisher) Stream() string { return p.stream }

// Publish sends one event per change. The changes are committed already,
// so a Redis failure is logged and swallowed: it must not fail the write
// the caller has been told succeeded, and consumers refetch anyway.
func (p *Publisher) Publish(ctx context.Context, changes []annotation.Change, requestID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), PublishTimeout)
	defer cancel()
	for _, c := range changes {
		if err := p.publish(ctx, c, requestID); err != nil {
			p.log.Warn("annotations.changed event not sent", "slide", c.SlideID, "marks", len(c.IDs), "err", err)
		}
	}
}

func (p *Publisher) publish(ctx context.Context, c annotation.Change, requestID string) error {
	b, err := proto.Marshal(Envelope(c, requestID))
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	err = p.rdb.XAdd(ctx, &goredis.XAddArgs{
		Stream: p.stream, MaxLen: StreamMaxLen, Approx: true, Values: []any{"envelope", b},
	}).Err()
	if err != nil {
		return fmt.Errorf("xadd %s: %w", p.stream, err)
	}
	return nil
}

// Envelope wraps a change as the proto contract describes.
func Envelope(c annotation.Change, requestID string) *patholabelv1.Envelope {
	return &patholabelv1.Envelope{
		Id:        uuid.NewString(),
		CreatedAt: timestamppb.Now(),
		Producer:  "annotation",
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
