package minio

import (
	"context"
	"io"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/tiler"
)

// StartMultipart opens an S3 multipart upload at key and returns its id.
func (s *Store) StartMultipart(ctx context.Context, key string) (string, error) {
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, key, miniogo.PutObjectOptions{ContentType: "application/octet-stream"})
	return id, wrap(err, "start upload of "+key)
}

// PutPart streams one part; S3 keeps it until the upload completes or is
// aborted, so a dropped connection loses only this part.
func (s *Store) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (tiler.Part, error) {
	p, err := s.core.PutObjectPart(ctx, s.bucket, key, uploadID, n, r, size, miniogo.PutObjectPartOptions{})
	if err != nil {
		return tiler.Part{}, wrap(err, "store part "+key)
	}
	return tiler.Part{Number: p.PartNumber, Size: p.Size, ETag: p.ETag}, nil
}

// Parts lists the parts S3 holds, the only record of what arrived.
func (s *Store) Parts(ctx context.Context, key, uploadID string) ([]tiler.Part, error) {
	var out []tiler.Part
	marker := 0
	for {
		res, err := s.core.ListObjectParts(ctx, s.bucket, key, uploadID, marker, 1000)
		if err != nil {
			return nil, wrap(err, "list parts of "+key)
		}
		for _, p := range res.ObjectParts {
			out = append(out, tiler.Part{Number: p.PartNumber, Size: p.Size, ETag: p.ETag})
		}
		if !res.IsTruncated {
			return out, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// CompleteMultipart assembles the parts into the object.
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []tiler.Part) error {
	cp := make([]miniogo.CompletePart, len(parts))
	for i, p := range parts {
		cp[i] = miniogo.CompletePart{PartNumber: p.Number, ETag: p.ETag}
	}
	_, err := s.core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, cp, miniogo.PutObjectOptions{})
	return wrap(err, "complete upload of "+key)
}

// AbortMultipart drops the parts received so far.
func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	return wrap(s.core.AbortMultipartUpload(ctx, s.bucket, key, uploadID), "abort upload of "+key)
}
