package minio

import (
	"context"

	miniogo "github.com/minio/minio-go/v7"
)

// Object is one object found under a prefix.
type Object struct {
	Key  string
	Size int64
	ETag string
}

// List returns the objects under prefix in bucket (any bucket the
// credentials can read, such as a drop bucket hospital IT fills).
func (s *Store) List(ctx context.Context, bucket, prefix string) ([]Object, error) {
	var out []Object
	for o := range s.cl.ListObjects(ctx, bucket, miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, wrap(o.Err, "list "+bucket+"/"+prefix)
		}
		if o.Size > 0 {
			out = append(out, Object{Key: o.Key, Size: o.Size, ETag: o.ETag})
		}
	}
	return out, nil
}

// CopyIn copies bucket/key into this store's bucket at dst on the server
// side: the bytes never pass through the tiler. ComposeObject switches to a
// multipart copy for objects over 5 GiB.
func (s *Store) CopyIn(ctx context.Context, bucket, key, dst string) error {
	_, err := s.cl.ComposeObject(ctx,
		miniogo.CopyDestOptions{Bucket: s.bucket, Object: dst},
		miniogo.CopySrcOptions{Bucket: bucket, Object: key})
	return wrap(err, "copy "+bucket+"/"+key)
}
