// Package minio keeps sources and pyramids in the S3-compatible slides
// bucket.
package minio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/platform"
)

// Store reads and writes objects of one bucket.
type Store struct {
	cl          *miniogo.Client
	core        *miniogo.Core
	bucket      string
	readTimeout time.Duration
}

// New returns a Store over bucket. Get and GetRange give up after
// readTimeout (unavailable): they serve tiles and thumbnails, which a
// viewer would rather see fail fast than hang.
func New(cl *miniogo.Client, bucket string, readTimeout time.Duration) *Store {
	return &Store{cl: cl, core: &miniogo.Core{Client: cl}, bucket: bucket, readTimeout: readTimeout}
}

// partSize bounds the memory one streamed upload holds: minio-go buffers a
// part of an upload of unknown length.
const partSize = 16 << 20

// PutStream stores r under key without holding it in memory, hashing as it
// goes. Errors: too_large past maxBytes (the partial object is removed).
func (s *Store) PutStream(ctx context.Context, key string, r io.Reader, maxBytes int64) (n int64, sum string, err error) {
	h := sha256.New()
	lr := &limitReader{r: io.TeeReader(r, h), left: maxBytes}
	info, err := s.cl.PutObject(ctx, s.bucket, key, lr, -1, miniogo.PutObjectOptions{
		PartSize: partSize, ContentType: "application/octet-stream",
	})
	if lr.over {
		_ = s.cl.RemoveObject(context.WithoutCancel(ctx), s.bucket, key, miniogo.RemoveObjectOptions{})
		return 0, "", platform.Errorf(platform.ETOOLARGE, "the file is larger than the limit of %d bytes", maxBytes)
	}
	if err != nil {
		return 0, "", wrap(err, "store "+key)
	}
	return info.Size, hex.EncodeToString(h.Sum(nil)), nil
}

type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

var errTooLarge = errors.New("upload over the size limit")

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return 0, errTooLarge
	}
	return n, err
}

// FetchFile copies key to the local file path.
func (s *Store) FetchFile(ctx context.Context, key, path string) error {
	return wrap(s.cl.FGetObject(ctx, s.bucket, key, path, miniogo.GetObjectOptions{}), "fetch "+key)
}

// PutFile uploads a local file; minio-go sends big files as parallel parts.
func (s *Store) PutFile(ctx context.Context, key, path, contentType string) error {
	_, err := s.cl.FPutObject(ctx, s.bucket, key, path, miniogo.PutObjectOptions{
		ContentType: contentType, PartSize: 64 << 20, NumThreads: 4,
	})
	return wrap(err, "upload "+key)
}

// PutBytes stores a small object.
func (s *Store) PutBytes(ctx context.Context, key string, b []byte, contentType string) error {
	_, err := s.cl.PutObject(ctx, s.bucket, key, bytes.NewReader(b), int64(len(b)), miniogo.PutObjectOptions{ContentType: contentType})
	return wrap(err, "upload "+key)
}

// Get reads a small object whole. Errors: not_found, unavailable.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.read(ctx, key, miniogo.GetObjectOptions{})
}

// GetRange reads n bytes at off. Errors: not_found, unavailable.
func (s *Store) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	opts := miniogo.GetObjectOptions{}
	if err := opts.SetRange(off, off+n-1); err != nil {
		return nil, fmt.Errorf("range of %s: %w", key, err)
	}
	return s.read(ctx, key, opts)
}

func (s *Store) read(ctx context.Context, key string, opts miniogo.GetObjectOptions) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.readTimeout)
	defer cancel()
	b, err := s.readAll(ctx, key, opts)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return nil, fmt.Errorf("read %s: no answer within %v: %w: %w", key, s.readTimeout, unavailable, err)
	}
	return b, err
}

func (s *Store) readAll(ctx context.Context, key string, opts miniogo.GetObjectOptions) ([]byte, error) {
	obj, err := s.cl.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return nil, wrap(err, "read "+key)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	return b, wrap(err, "read "+key)
}

// Remove deletes keys under prefix, best effort (cleanup of a failed upload).
func (s *Store) Remove(ctx context.Context, key string) error {
	return wrap(s.cl.RemoveObject(ctx, s.bucket, key, miniogo.RemoveObjectOptions{}), "remove "+key)
}

// wrap turns a missing object into not_found and any other store failure
// into unavailable, the code that means "try again", with the detail kept
// for the log.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var pe *platform.Error
	if errors.As(err, &pe) {
		return err
	}
	resp := miniogo.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" {
		return fmt.Errorf("%s: %w", what, &platform.Error{Code: platform.ENOTFOUND, Message: "not found in the object store"})
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w: %w", what, unavailable, err)
}

var unavailable = &platform.Error{Code: platform.EUNAVAILABLE, Message: "the object store is unavailable; try again shortly"}
