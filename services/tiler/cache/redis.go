package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/redis"
)

// Redis is the shared tile cache. Redis is optional: any error is a miss,
// and after one the cache stays off for a while so a dead Redis costs the
// tile path nothing but this check. Eviction is Redis' own maxmemory policy
// (the operator's); entries also expire after ttl. Tiles are sealed with
// the cache key: whoever can write to Redis cannot swap a diagnostic image.
type Redis struct {
	rdb     *goredis.Client
	prefix  string
	seal    *redis.Sealer
	ttl     time.Duration
	maxSize int
	now     func() time.Time
	offTill atomic.Int64 // unix nanoseconds
}

// backoff is how long a failing Redis is left alone.
const backoff = 5 * time.Second

// NewRedis returns the cache on the Redis of rc (its prefix and cache key);
// values over maxSize bytes are not stored.
func NewRedis(rdb *goredis.Client, rc redis.Config, ttl time.Duration, maxSize int, now func() time.Time) *Redis {
	return &Redis{rdb: rdb, prefix: rc.Prefix + "tile:", seal: rc.Sealer(), ttl: ttl, maxSize: maxSize, now: now}
}

// ErrOff is returned while the cache is backing off after a failure.
var ErrOff = errors.New("redis tile cache backing off after a failure")

// ErrForged is returned for an entry whose seal does not verify: written by
// someone without the cache key (or before it was rotated). It is a miss.
var ErrForged = errors.New("redis tile cache entry with a bad seal")

// Get returns the cached tile; (nil, nil) on a miss.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	if r.now().UnixNano() < r.offTill.Load() {
		return nil, ErrOff
	}
	sealed, err := r.rdb.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		r.offTill.Store(r.now().Add(backoff).UnixNano())
		return nil, err
	}
	b, ok := r.seal.Open(r.prefix+key, sealed)
	if !ok {
		return nil, ErrForged
	}
	return b, nil
}

// Set stores a tile, best effort.
func (r *Redis) Set(ctx context.Context, key string, b []byte) {
	if len(b) > r.maxSize || r.now().UnixNano() < r.offTill.Load() {
		return
	}
	if err := r.rdb.Set(ctx, r.prefix+key, r.seal.Seal(r.prefix+key, b), r.ttl).Err(); err != nil {
		r.offTill.Store(r.now().Add(backoff).UnixNano())
	}
}
