// Package redis connects to the shared Redis. Redis is a cache and a
// wake-up channel for queues, never the only copy of anything: every caller
// must keep working (more slowly) when it is flushed or down.
package redis

import (
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config locates Redis. Prefix namespaces every key so several
// installations (or test runs) can share one server.
type Config struct {
	Addr     string
	Password string
	DB       int
	Prefix   string
}

// ReadConfig reads PATHOLABEL_REDIS_* with local-development defaults.
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Addr:     r.String("PATHOLABEL_REDIS_ADDR", "127.0.0.1:6379"),
		Password: r.String("PATHOLABEL_REDIS_PASSWORD", ""),
		DB:       r.Int("PATHOLABEL_REDIS_DB", 0),
		Prefix:   r.String("PATHOLABEL_REDIS_PREFIX", "patholabel:"),
	}
	r.Check(c.DB >= 0 && c.DB < 16, "PATHOLABEL_REDIS_DB", fmt.Sprint(c.DB), "a database number from 0 to 15")
	return c
}

// New returns a client with short timeouts: a slow Redis must degrade a
// request to the MySQL/MinIO path, not stall it.
func New(c Config) *goredis.Client {
	return goredis.NewClient(&goredis.Options{
		Addr:         c.Addr,
		Password:     c.Password,
		DB:           c.DB,
		DialTimeout:  time.Second,
		ReadTimeout:  500 * time.Millisecond,
		WriteTimeout: 500 * time.Millisecond,
		PoolTimeout:  time.Second,
		MaxRetries:   1,
	})
}
