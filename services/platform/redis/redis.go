// Package redis connects to the shared Redis. Redis is a cache and a
// wake-up channel for queues, never the only copy of anything: every caller
// must keep working (more slowly) when it is flushed or down. Nor is it an
// authority: whatever a process reads back that others could have written
// (cached principals, tiles) is sealed with a key Redis never sees.
package redis

import (
	"crypto/tls"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config locates Redis. Prefix namespaces every key so several
// installations (or test runs) can share one server.
type Config struct {
	Addr     string
	Username string // an ACL user; empty: Redis' "default" user
	Password string
	DB       int
	Prefix   string
	TLS      *tls.Config // nil: plain TCP
	// CacheKey seals cached values (see Sealer). Empty gives each Sealer a
	// random key of its own, so nothing one process caches can be read by
	// another: safe, but the shared cache then only serves its writer.
	CacheKey string
}

// MinCacheKey is the shortest PATHOLABEL_CACHE_KEY accepted: 32 random
// characters, as the chart and scripts/stack.sh generate.
const MinCacheKey = 32

// ReadConfig reads PATHOLABEL_REDIS_* and PATHOLABEL_CACHE_KEY with
// local-development defaults; the password and the cache key have them
// only in development mode (an explicitly empty password is allowed, for a
// Redis without AUTH).
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Addr:     r.String("PATHOLABEL_REDIS_ADDR", "127.0.0.1:6379"),
		Username: r.String("PATHOLABEL_REDIS_USERNAME", ""),
		Password: r.Credential("PATHOLABEL_REDIS_PASSWORD", ""),
		DB:       r.Int("PATHOLABEL_REDIS_DB", 0),
		Prefix:   r.String("PATHOLABEL_REDIS_PREFIX", "patholabel:"),
		TLS:      r.TLS("PATHOLABEL_REDIS_TLS", "PATHOLABEL_REDIS_TLS_CA_FILE"),
		CacheKey: r.Secret("PATHOLABEL_CACHE_KEY", MinCacheKey),
	}
	r.Check(c.DB >= 0 && c.DB < 16, "PATHOLABEL_REDIS_DB", fmt.Sprint(c.DB), "a database number from 0 to 15")
	return c
}

// New returns a client with short timeouts: a slow Redis must degrade a
// request to the MySQL/MinIO path, not stall it.
func New(c Config) *goredis.Client {
	var tc *tls.Config
	if c.TLS != nil {
		tc = c.TLS.Clone() // crypto/tls takes the server name from the address
	}
	return goredis.NewClient(&goredis.Options{
		Addr:         c.Addr,
		Username:     c.Username,
		Password:     c.Password,
		DB:           c.DB,
		TLSConfig:    tc,
		DialTimeout:  time.Second,
		ReadTimeout:  500 * time.Millisecond,
		WriteTimeout: 500 * time.Millisecond,
		PoolTimeout:  time.Second,
		MaxRetries:   1,
	})
}

// Sealer returns the Sealer of CacheKey.
func (c Config) Sealer() *Sealer { return NewSealer([]byte(c.CacheKey)) }
