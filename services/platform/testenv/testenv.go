// Package testenv gives tests their own real MariaDB database, Redis key
// prefix and MinIO bucket, so tests never share state and need no mocks.
//
// The servers come from PATHOLABEL_TEST_* variables, which `make test`
// sets after starting whatever was missing (scripts/testenv.sh). A test
// that cannot reach them fails; it never skips.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/migrate"
	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Name returns a short random name with prefix, for databases and buckets.
func Name(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Logger discards logs unless PATHOLABEL_TEST_LOG=1.
func Logger() *slog.Logger {
	if os.Getenv("PATHOLABEL_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// MySQLConfig is a config for a fresh, not yet created database.
func MySQLConfig() mysql.Config {
	return mysql.Config{
		Addr:     env("PATHOLABEL_TEST_MYSQL_ADDR", "127.0.0.1:3306"),
		User:     env("PATHOLABEL_TEST_MYSQL_USER", "root"),
		Password: os.Getenv("PATHOLABEL_TEST_MYSQL_PASSWORD"),
		Database: Name("pltest_"),
		MaxOpen:  10,
	}
}

// MustDB creates a database, applies every migration, and drops it when
// the test ends. It returns the pool and the config (for booting services).
func MustDB(tb testing.TB) (*sql.DB, mysql.Config) {
	tb.Helper()
	cfg := MySQLConfig()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := mysql.CreateDatabase(ctx, cfg); err != nil {
		tb.Fatalf("testenv: %v (is MariaDB running? `make test` starts it)", err)
	}
	db, err := mysql.Open(cfg)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		if err := mysql.DropDatabase(context.Background(), cfg); err != nil {
			tb.Errorf("testenv: %v", err)
		}
	})
	if err := migrate.Up(ctx, db, Logger()); err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return db, cfg
}

// RedisConfig is a config with a fresh key prefix and cache key, shared
// by the services a test boots with it (as replicas share theirs).
func RedisConfig() redis.Config {
	return redis.Config{Addr: env("PATHOLABEL_TEST_REDIS_ADDR", "127.0.0.1:6379"), Prefix: Name("pltest:") + ":",
		CacheKey: cacheKey()}
}

func cacheKey() string {
	var b [redis.MinCacheKey]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MustRedis returns a client and a fresh key prefix; the prefix's keys are
// deleted when the test ends.
func MustRedis(tb testing.TB) (*goredis.Client, redis.Config) {
	tb.Helper()
	cfg := RedisConfig()
	rdb := redis.New(cfg)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("testenv: redis at %s: %v (`make test` starts it)", cfg.Addr, err)
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, cfg.Prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, cfg
}

// S3Config is a config whose buckets are fresh names.
func S3Config() objstore.Config {
	return objstore.Config{
		Endpoint:      env("PATHOLABEL_TEST_S3_ENDPOINT", "127.0.0.1:19000"),
		AccessKey:     env("PATHOLABEL_TEST_S3_ACCESS_KEY", "patholabel"),
		SecretKey:     env("PATHOLABEL_TEST_S3_SECRET_KEY", "patholabel-test-secret"),
		Region:        "us-east-1",
		SlidesBucket:  strings.ReplaceAll(Name("pltest-slides-"), "_", "-"),
		ExportsBucket: strings.ReplaceAll(Name("pltest-exports-"), "_", "-"),
		Timeout:       objstore.DefaultTimeout,
		ReadTimeout:   objstore.DefaultReadTimeout,
	}
}

// MustS3 creates both buckets and empties and removes them when the test ends.
func MustS3(tb testing.TB) (*minio.Client, objstore.Config) {
	tb.Helper()
	return MustS3At(tb, "")
}

// MustS3At is MustS3 on the store at endpoint (a MustMinIO's), or on the
// shared one when endpoint is "".
func MustS3At(tb testing.TB, endpoint string) (*minio.Client, objstore.Config) {
	tb.Helper()
	cfg := S3Config()
	if endpoint != "" {
		cfg.Endpoint = endpoint
	}
	cl, err := objstore.New(cfg)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, b := range []string{cfg.SlidesBucket, cfg.ExportsBucket} {
		if err := objstore.EnsureBucket(ctx, cl, b, cfg.Region); err != nil {
			tb.Fatalf("testenv: %v (is MinIO running at %s? `make test` starts it)", err, cfg.Endpoint)
		}
		tb.Cleanup(func() { removeBucket(tb, cl, b) })
	}
	return cl, cfg
}

func removeBucket(tb testing.TB, cl *minio.Client, bucket string) {
	ctx := context.Background()
	objs := cl.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true})
	for e := range cl.RemoveObjects(ctx, bucket, objs, minio.RemoveObjectsOptions{}) {
		tb.Errorf("testenv: remove %s/%s: %v", bucket, e.ObjectName, e.Err)
	}
	if err := cl.RemoveBucket(ctx, bucket); err != nil {
		tb.Errorf("testenv: remove bucket %s: %v", bucket, err)
	}
}

// FreeAddr returns a loopback address nothing listens on, for a server the
// test starts itself (the port is free when returned; a race with another
// process taking it is possible but harmless to a test that then fails).
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testenv: free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
