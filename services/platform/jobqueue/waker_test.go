package jobqueue_test

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	plv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/jobqueue"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// A wake-up reaches real Redis as an envelope naming its producer and the
// request that queued the job; without Redis there is no Waker at all.
func TestWakerEnvelope(t *testing.T) {
	if jobqueue.NewWaker(nil, "q", "tiler") != nil {
		t.Fatal("a Waker without Redis: callers must see nil and rely on the scan")
	}
	rdb, rcfg := testenv.MustRedis(t)
	ctx := context.Background()
	queue := rcfg.Prefix + "wake"
	w := jobqueue.NewWaker(rdb, queue, "export")
	err := w.Wake(ctx, "req-1", func(env *plv1.Envelope) {
		env.Payload = &plv1.Envelope_ExportJob{ExportJob: &plv1.ExportJob{ExportId: 9}}
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rdb.RPop(ctx, queue).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var env plv1.Envelope
	if err := proto.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	if env.Producer != "export" || env.RequestId != "req-1" || env.GetExportJob().GetExportId() != 9 || env.Id == "" || env.CreatedAt == nil {
		t.Fatalf("envelope %v", &env)
	}
}
