package patholabelv1_test

import (
	"encoding/json"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
)

// at is a fixed instant with nanoseconds, so a round trip that loses
// precision shows up.
var at = timestamppb.New(time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC))

func ingestJob() *patholabelv1.IngestJob {
	return &patholabelv1.IngestJob{
		SlideId:    1 << 40,
		ProjectId:  7,
		Source:     &patholabelv1.ObjectRef{Bucket: "slides", Key: "uploads/7/scan.svs"},
		Attempt:    2,
		EnqueuedAt: at,
	}
}

func exportJob() *patholabelv1.ExportJob {
	return &patholabelv1.ExportJob{ExportId: 99, ProjectId: 7, Attempt: 1, EnqueuedAt: at}
}

func slideReady() *patholabelv1.SlideReady {
	return &patholabelv1.SlideReady{
		SlideId: 1 << 40, ProjectId: 7, CaseId: 3,
		Width: 98304, Height: 71680, Levels: 9,
		Mpp: proto.Float64(0.2527), ReadyAt: at,
	}
}

func annotationsChanged() *patholabelv1.AnnotationsChanged {
	return &patholabelv1.AnnotationsChanged{
		SlideId: 1 << 40, ProjectId: 7, AuthorId: 12,
		AnnotationIds: []int64{1, 1 << 50, 3},
		Kind:          patholabelv1.AnnotationChangeKind_ANNOTATION_CHANGE_KIND_RESTORED,
		ChangedAt:     at,
	}
}

// envelopeOf wraps a job or event the way producers put it on Redis.
func envelopeOf(m proto.Message) *patholabelv1.Envelope {
	e := &patholabelv1.Envelope{
		Id: "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", CreatedAt: at,
		Producer: "tiler", RequestId: "req-1",
	}
	switch p := m.(type) {
	case *patholabelv1.IngestJob:
		e.Payload = &patholabelv1.Envelope_IngestJob{IngestJob: p}
	case *patholabelv1.ExportJob:
		e.Payload = &patholabelv1.Envelope_ExportJob{ExportJob: p}
	case *patholabelv1.SlideReady:
		e.Payload = &patholabelv1.Envelope_SlideReady{SlideReady: p}
	case *patholabelv1.AnnotationsChanged:
		e.Payload = &patholabelv1.Envelope_AnnotationsChanged{AnnotationsChanged: p}
	}
	return e
}

// contracts holds one fully set value of every message, plus the cases where
// presence matters: an unset optional must not come back as zero, nor zero as unset.
func contracts() map[string]proto.Message {
	uncalibrated := slideReady()
	uncalibrated.Mpp = nil
	calibratedZero := slideReady()
	calibratedZero.Mpp = proto.Float64(0)
	return map[string]proto.Message{
		"ingest job":                      ingestJob(),
		"export job":                      exportJob(),
		"slide ready":                     slideReady(),
		"slide ready without mpp":         uncalibrated,
		"slide ready with zero mpp":       calibratedZero,
		"annotations changed":             annotationsChanged(),
		"empty annotations changed":       &patholabelv1.AnnotationsChanged{},
		"envelope of ingest job":          envelopeOf(ingestJob()),
		"envelope of export job":          envelopeOf(exportJob()),
		"envelope of slide ready":         envelopeOf(slideReady()),
		"envelope of annotations changed": envelopeOf(annotationsChanged()),
		"envelope without payload":        envelopeOf(nil),
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	for name, want := range contracts() {
		t.Run(name, func(t *testing.T) {
			b, err := proto.Marshal(want)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			got := want.ProtoReflect().New().Interface()
			if err := proto.Unmarshal(b, got); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if !proto.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, want := range contracts() {
		t.Run(name, func(t *testing.T) {
			b, err := protojson.Marshal(want)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			got := want.ProtoReflect().New().Interface()
			if err := protojson.Unmarshal(b, got); err != nil {
				t.Fatalf("unmarshal %s: %v", b, err)
			}
			if !proto.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestJSONShape pins what non-Go readers (logs, the web viewer) see: camelCase
// names, 64-bit ids as strings, enums by name, RFC 3339 times.
func TestJSONShape(t *testing.T) {
	b, err := protojson.Marshal(envelopeOf(annotationsChanged()))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var got struct {
		CreatedAt          string `json:"createdAt"`
		RequestID          string `json:"requestId"`
		AnnotationsChanged struct {
			SlideID       string   `json:"slideId"`
			AnnotationIDs []string `json:"annotationIds"`
			Kind          string   `json:"kind"`
			ChangedAt     string   `json:"changedAt"`
		} `json:"annotationsChanged"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if n := len(got.AnnotationsChanged.AnnotationIDs); n != 3 {
		t.Fatalf("annotationIds: got %d ids, want 3 in %s", n, b)
	}
	tests := []struct{ field, got, want string }{
		{"createdAt", got.CreatedAt, "2025-03-14T15:09:26.535897932Z"},
		{"requestId", got.RequestID, "req-1"},
		{"slideId", got.AnnotationsChanged.SlideID, "1099511627776"},
		{"annotationIds[1]", got.AnnotationsChanged.AnnotationIDs[1], "1125899906842624"},
		{"kind", got.AnnotationsChanged.Kind, "ANNOTATION_CHANGE_KIND_RESTORED"},
		{"changedAt", got.AnnotationsChanged.ChangedAt, "2025-03-14T15:09:26.535897932Z"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q in %s", tt.field, tt.got, tt.want, b)
		}
	}
}

// TestEnvelopeUnknownPayload shows how a consumer older than its producer sees
// a payload type it does not know: metadata decodes, the payload is nil.
func TestEnvelopeUnknownPayload(t *testing.T) {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, "msg-1")
	b = protowire.AppendTag(b, 99, protowire.BytesType)
	b = protowire.AppendBytes(b, []byte{0x08, 0x01})
	var got patholabelv1.Envelope
	if err := proto.Unmarshal(b, &got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if got.GetId() != "msg-1" {
		t.Errorf("id: got %q, want %q", got.GetId(), "msg-1")
	}
	if got.GetPayload() != nil {
		t.Errorf("payload: got %T, want nil", got.GetPayload())
	}
}
