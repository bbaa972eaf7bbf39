// Package minio writes export files to the exports bucket and reads slide
// files from the slides bucket of the S3-compatible store.
package minio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/url"
	"os"
	"path"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform"
)

// Store reads slides and writes exports.
type Store struct {
	cl      *miniogo.Client
	signer  *miniogo.Client // signs download links for the address browsers use
	slides  string
	exports string
}

// New returns a Store over the two buckets; signer signs download links
// (objstore.NewPresigner), nil signs them with cl.
func New(cl, signer *miniogo.Client, slidesBucket, exportsBucket string) *Store {
	if signer == nil {
		signer = cl
	}
	return &Store{cl: cl, signer: signer, slides: slidesBucket, exports: exportsBucket}
}

// Bucket is the exports bucket.
func (s *Store) Bucket() string { return s.exports }

// FetchSlide copies a slide's original file to the local path. Errors:
// not_found when the object is missing.
func (s *Store) FetchSlide(ctx context.Context, key, local string) error {
	if key == "" {
		return platform.Errorf(platform.ENOTFOUND, "the slide has no stored file")
	}
	err := s.cl.FGetObject(ctx, s.slides, key, local, miniogo.GetObjectOptions{})
	if miniogo.ToErrorResponse(err).Code == "NoSuchKey" {
		return platform.Errorf(platform.ENOTFOUND, "the slide's file is missing from storage")
	}
	if err != nil {
		return fmt.Errorf("fetch slide %s: %w", key, err)
	}
	return nil
}

// Sink writes one export's files under its prefix.
type Sink struct {
	s      *Store
	prefix string
}

// Sink returns the sink of an export prefix.
func (s *Store) Sink(prefix string) *Sink { return &Sink{s: s, prefix: prefix} }

// Put stores data at path under the prefix.
func (k *Sink) Put(ctx context.Context, p string, data []byte) (export.File, error) {
	sum := sha256.Sum256(data)
	_, err := k.s.cl.PutObject(ctx, k.s.exports, k.prefix+p, bytes.NewReader(data), int64(len(data)),
		miniogo.PutObjectOptions{ContentType: contentType(p), DisableContentSha256: true})
	if err != nil {
		return export.File{}, fmt.Errorf("store %s: %w", p, err)
	}
	return export.File{Path: p, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// PutFile stores a local file at path under the prefix, hashing it first.
func (k *Sink) PutFile(ctx context.Context, p, local string) (export.File, error) {
	f, err := os.Open(local)
	if err != nil {
		return export.File{}, fmt.Errorf("open %s: %w", local, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return export.File{}, fmt.Errorf("hash %s: %w", local, err)
	}
	_, err = k.s.cl.FPutObject(ctx, k.s.exports, k.prefix+p, local, miniogo.PutObjectOptions{ContentType: contentType(p), PartSize: 64 << 20})
	if err != nil {
		return export.File{}, fmt.Errorf("store %s: %w", p, err)
	}
	return export.File{Path: p, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".db":
		return "application/vnd.sqlite3"
	case ".geojson":
		return "application/geo+json"
	case ".md":
		return "text/markdown; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Prune removes every object under the prefix not in keep (paths relative
// to the prefix): leftovers of an interrupted attempt that the finished
// export does not list.
func (k *Sink) Prune(ctx context.Context, keep map[string]bool) error {
	objs := make(chan miniogo.ObjectInfo)
	go func() {
		defer close(objs)
		for o := range k.s.cl.ListObjects(ctx, k.s.exports, miniogo.ListObjectsOptions{Prefix: k.prefix, Recursive: true}) {
			if o.Err == nil && !keep[o.Key[len(k.prefix):]] {
				objs <- o
			}
		}
	}()
	for e := range k.s.cl.RemoveObjects(ctx, k.s.exports, objs, miniogo.RemoveObjectsOptions{}) {
		return fmt.Errorf("remove %s: %w", e.ObjectName, e.Err)
	}
	return nil
}

// Remove deletes one file; a missing file is not an error.
func (k *Sink) Remove(ctx context.Context, p string) error {
	if err := k.s.cl.RemoveObject(ctx, k.s.exports, k.prefix+p, miniogo.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}

// RemoveAll deletes an export's files (after a cancel).
func (k *Sink) RemoveAll(ctx context.Context) error { return k.Prune(ctx, nil) }

// PresignGet is a time-limited download URL of one file.
func (s *Store) PresignGet(ctx context.Context, prefix, p string, ttl time.Duration) (string, error) {
	params := url.Values{}
	params.Set("response-content-disposition", "attachment; filename=\""+path.Base(p)+"\"")
	u, err := s.signer.PresignedGetObject(ctx, s.exports, prefix+p, ttl, params)
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", p, err)
	}
	return u.String(), nil
}
