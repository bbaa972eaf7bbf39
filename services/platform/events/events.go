// Package events puts committed-change events (patholabel.v1.Envelope) on
// Redis streams. Events are hints that consumers refetch on, never a log,
// so a lost event costs a refetch and publishing never fails the write that
// caused it.
package events

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
)

// StreamMaxLen bounds every stream: a consumer that fell further behind
// refetches instead of replaying.
const StreamMaxLen = 100_000

// PublishTimeout bounds what a slow Redis can add to a committed write.
const PublishTimeout = 300 * time.Millisecond

// Field is the stream entry field holding the proto-encoded Envelope.
const Field = "envelope"

// Publisher writes envelopes of one producer to streams under a key prefix.
type Publisher struct {
	rdb      *goredis.Client
	prefix   string
	producer string
	log      *slog.Logger
}

// NewPublisher returns a Publisher; producer ("tiler", "annotation") is
// stamped on every envelope.
func NewPublisher(rdb *goredis.Client, prefix, producer string, log *slog.Logger) *Publisher {
	return &Publisher{rdb: rdb, prefix: prefix, producer: producer, log: log}
}

// Stream is the full key of the named stream ("events:slide.ready").
func (p *Publisher) Stream(name string) string { return p.prefix + name }

// Publish sends env to the named stream, filling its id, time and producer.
// The change is committed already, so a failure is logged and swallowed,
// and the caller's cancellation does not cut the send short.
func (p *Publisher) Publish(ctx context.Context, stream string, env *patholabelv1.Envelope, logArgs ...any) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), PublishTimeout)
	defer cancel()
	if err := p.Send(ctx, stream, env); err != nil {
		p.log.Warn("event not sent", append([]any{"stream", stream, "err", err}, logArgs...)...)
	}
}

// Send is Publish returning the error instead of logging it.
func (p *Publisher) Send(ctx context.Context, stream string, env *patholabelv1.Envelope) error {
	if env.Id == "" {
		env.Id = NewID()
	}
	if env.CreatedAt == nil {
		env.CreatedAt = timestamppb.Now()
	}
	env.Producer = p.producer
	b, err := proto.Marshal(env)
	if err != nil {
		return fmt.Errorf("encode event for %s: %w", stream, err)
	}
	key := p.Stream(stream)
	err = p.rdb.XAdd(ctx, &goredis.XAddArgs{Stream: key, MaxLen: StreamMaxLen, Approx: true, Values: []any{Field, b}}).Err()
	if err != nil {
		return fmt.Errorf("xadd %s: %w", key, err)
	}
	return nil
}

// NewID is a random (version 4) UUID, the envelope id consumers
// de-duplicate on.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
