package minio

import (
	"context"
	"fmt"
	"io"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/export"
)

// Opener reads the files of the export under prefix, for export.WriteZip:
// each object is streamed from the store as the archive is written.
func (s *Store) Opener(prefix string) export.Opener {
	return func(ctx context.Context, p string) (io.ReadCloser, error) {
		obj, err := s.cl.GetObject(ctx, s.exports, prefix+p, miniogo.GetObjectOptions{})
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		return obj, nil
	}
}
