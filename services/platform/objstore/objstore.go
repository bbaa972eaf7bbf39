// Package objstore connects to the S3-compatible object store (MinIO in
// development) that holds slides, pyramids, overlays and exports.
package objstore

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

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
	// Timeout bounds how long one S3 connection may make no progress: to
	// connect, to accept the next bytes of a request (an upload part), and
	// to start answering. A partitioned store accepts and never answers;
	// without it every request waits as long as the partition lasts.
	Timeout time.Duration
	// ReadTimeout bounds a whole small read (a tile, a thumbnail): a viewer
	// is better served by a quick 503 than by a tile that never comes.
	ReadTimeout time.Duration
	// PublicURL is where browsers reach the same store (scheme://host[:port]),
	// when the endpoint above is an address only the cluster resolves.
	// Download links are signed for it; empty signs them for Endpoint.
	PublicURL string
}

// ReadConfig reads PATHOLABEL_S3_* with local-development defaults; the
// keys have them only in development mode.
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Endpoint:      r.String("PATHOLABEL_S3_ENDPOINT", "127.0.0.1:9000"),
		AccessKey:     r.Credential("PATHOLABEL_S3_ACCESS_KEY", "patholabel"),
		SecretKey:     r.Credential("PATHOLABEL_S3_SECRET_KEY", "patholabel-dev-secret"),
		TLS:           r.Bool("PATHOLABEL_S3_TLS", false),
		Region:        r.String("PATHOLABEL_S3_REGION", "us-east-1"),
		SlidesBucket:  r.String("PATHOLABEL_S3_BUCKET_SLIDES", "patholabel-slides"),
		ExportsBucket: r.String("PATHOLABEL_S3_BUCKET_EXPORTS", "patholabel-exports"),
		CreateBuckets: r.Bool("PATHOLABEL_S3_CREATE_BUCKETS", true),
		Timeout:       r.Duration("PATHOLABEL_S3_TIMEOUT", DefaultTimeout),
		ReadTimeout:   r.Duration("PATHOLABEL_S3_READ_TIMEOUT", DefaultReadTimeout),
		PublicURL:     r.String("PATHOLABEL_S3_PUBLIC_URL", ""),
	}
	r.Check(c.Timeout > 0, "PATHOLABEL_S3_TIMEOUT", c.Timeout.String(), "a positive duration such as 30s")
	r.Check(c.ReadTimeout > 0, "PATHOLABEL_S3_READ_TIMEOUT", c.ReadTimeout.String(), "a positive duration such as 5s")
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

// Defaults of Config.Timeout and Config.ReadTimeout.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultReadTimeout = 5 * time.Second
)

// New returns a client; it does not connect yet. Every call it makes is
// bounded by c.Timeout of no progress (see Config), and retried at most
// twice, so a hung store fails requests in bounded time.
func New(c Config) (*minio.Client, error) {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	tr, err := minio.DefaultTransport(c.TLS)
	if err != nil {
		return nil, fmt.Errorf("s3 transport: %w", err)
	}
	dialer := &net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &progressConn{Conn: conn, timeout: c.Timeout}, nil
	}
	tr.ResponseHeaderTimeout = c.Timeout
	cl, err := minio.New(c.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure:     c.TLS,
		Region:     c.Region,
		Transport:  tr,
		MaxRetries: 3,
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

// progressConn fails a write that makes no progress for timeout: a store
// that stops reading leaves an upload blocked in Write for good otherwise.
// Reads are bounded by the transport's ResponseHeaderTimeout and the
// callers' contexts; a read deadline here would also end idle pooled
// connections.
type progressConn struct {
	net.Conn
	timeout time.Duration
}

func (c *progressConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
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
