// Package objstore connects to the S3-compatible object store (MinIO in
// development) that holds slides, pyramids, overlays and exports.
package objstore

import (
	"context"
	"fmt"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config locates the store and names the buckets.
type Config struct {
	Endpoint      string
	AccessKey     string
	SecretKey     string
	TLS           bool
	Region        string
	SlidesBucket  string
	ExportsBucket string
	CreateBuckets bool // create missing buckets (needs the permission)
	// PublicURL is where browsers reach the same store (scheme://host[:port]),
	// when the endpoint above is an address only the cluster resolves.
	// Download links are signed for it; empty signs them for Endpoint.
	PublicURL string
}

// ReadConfig reads PATHOLABEL_S3_* with local-development defaults.
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Endpoint:      r.String("PATHOLABEL_S3_ENDPOINT", "127.0.0.1:9000"),
		AccessKey:     r.String("PATHOLABEL_S3_ACCESS_KEY", "patholabel"),
		SecretKey:     r.String("PATHOLABEL_S3_SECRET_KEY", "patholabel-dev-secret"),
		TLS:           r.Bool("PATHOLABEL_S3_TLS", false),
		Region:        r.String("PATHOLABEL_S3_REGION", "us-east-1"),
		SlidesBucket:  r.String("PATHOLABEL_S3_BUCKET_SLIDES", "patholabel-slides"),
		ExportsBucket: r.String("PATHOLABEL_S3_BUCKET_EXPORTS", "patholabel-exports"),
		CreateBuckets: r.Bool("PATHOLABEL_S3_CREATE_BUCKETS", true),
		PublicURL:     r.String("PATHOLABEL_S3_PUBLIC_URL", ""),
	}
	r.Check(c.PublicURL == "" || publicHost(c.PublicURL) != nil, "PATHOLABEL_S3_PUBLIC_URL", c.PublicURL,
		"empty or http(s)://host[:port] with no path")
	r.Check(validBucket(c.SlidesBucket), "PATHOLABEL_S3_BUCKET_SLIDES", c.SlidesBucket, "a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)")
	r.Check(validBucket(c.ExportsBucket), "PATHOLABEL_S3_BUCKET_EXPORTS", c.ExportsBucket, "a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)")
	return c
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for _, r := range b {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// New returns a client; it does not connect yet.
func New(c Config) (*minio.Client, error) {
	cl, err := minio.New(c.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: c.TLS,
		Region: c.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", c.Endpoint, err)
	}
	return cl, nil
}

// EnsureBucket creates bucket when missing. Local development and tests use
// it; in a cluster the operator may create buckets instead.
func EnsureBucket(ctx context.Context, cl *minio.Client, bucket, region string) error {
	ok, err := cl.BucketExists(ctx, bucket)
	if err != nil {
		return fmt.Errorf("check bucket %s: %w", bucket, err)
	}
	if ok {
		return nil
	}
	if err := cl.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: region}); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}

// publicHost parses a PublicURL: nil unless it is http(s)://host[:port].
func publicHost(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil
	}
	return u
}

// NewPresigner returns the client that signs download links: one for
// PublicURL when set, else the same as New. Signing needs no request to the
// store (the region is given), so the public address need not be reachable
// from the service.
func NewPresigner(c Config) (*minio.Client, error) {
	if c.PublicURL == "" {
		return New(c)
	}
	u := publicHost(c.PublicURL)
	if u == nil {
		return nil, fmt.Errorf("s3 public URL %q: want http(s)://host[:port]", c.PublicURL)
	}
	pub := c
	pub.Endpoint, pub.TLS = u.Host, u.Scheme == "https"
	return New(pub)
}
