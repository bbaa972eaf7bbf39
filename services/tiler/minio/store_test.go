package minio_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/minio"
)

// The slides bucket on real MinIO: a stream is stored with its size and
// SHA-256, one over the limit is refused and leaves nothing behind, ranges
// and misses read as the tile path expects, and a multipart upload sent
// part by part is whole once completed.
func TestSlidesBucket(t *testing.T) {
	cl, cfg := testenv.MustS3(t)
	s := minio.New(cl, cfg.SlidesBucket, time.Minute)
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789"), 1000)
	sum := sha256.Sum256(body)

	n, got, err := s.PutStream(ctx, "a", bytes.NewReader(body), int64(len(body)))
	if err != nil || n != int64(len(body)) || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("PutStream = %d, %s, %v; want %d bytes, %x", n, got, err, len(body), sum)
	}
	if _, _, err := s.PutStream(ctx, "big", bytes.NewReader(body), int64(len(body))-1); platform.ErrorCode(err) != platform.ETOOLARGE {
		t.Fatalf("one byte over the limit: %v, want too_large", err)
	}
	if _, err := s.Get(ctx, "big"); platform.ErrorCode(err) != platform.ENOTFOUND {
		t.Fatalf("the refused upload left an object behind: %v", err)
	}
	if b, err := s.GetRange(ctx, "a", 10, 5); err != nil || string(b) != "01234" {
		t.Fatalf("GetRange = %q, %v", b, err)
	}

	id, err := s.StartMultipart(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	first := bytes.Repeat([]byte{'x'}, 5<<20) // S3's smallest part but the last
	var sent []tiler.Part
	for i, p := range [][]byte{first, []byte("tail")} {
		part, err := s.PutPart(ctx, "m", id, i+1, bytes.NewReader(p), int64(len(p)))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, part)
	}
	parts, err := s.Parts(ctx, "m", id)
	if err != nil || len(parts) != 2 || parts[1].Size != 4 {
		t.Fatalf("Parts = %+v, %v", parts, err)
	}
	if err := s.CompleteMultipart(ctx, "m", id, sent); err != nil {
		t.Fatal(err)
	}
	if b, err := s.GetRange(ctx, "m", int64(len(first)), 4); err != nil || string(b) != "tail" {
		t.Fatalf("the completed upload ends with %q, %v", b, err)
	}
}
