package cache

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics holds the tile cache's counters; the per-result children are
// resolved once, since every tile request counts at least one of them.
type metrics struct {
	memHit, memMiss                              prometheus.Counter
	redisHit, redisMiss, redisError, redisForged prometheus.Counter
	fetch                                        prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	requests := f.NewCounterVec(prometheus.CounterOpts{
		Name: "patholabel_tile_cache_requests_total",
		Help: "Tile cache lookups by layer (memory, redis) and result (hit, miss, error, forged: a Redis entry whose seal did not verify, ignored).",
	}, []string{"layer", "result"})
	return &metrics{
		memHit:      requests.WithLabelValues("memory", "hit"),
		memMiss:     requests.WithLabelValues("memory", "miss"),
		redisHit:    requests.WithLabelValues("redis", "hit"),
		redisMiss:   requests.WithLabelValues("redis", "miss"),
		redisError:  requests.WithLabelValues("redis", "error"),
		redisForged: requests.WithLabelValues("redis", "forged"),
		fetch: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "patholabel_tile_store_fetch_seconds",
			Help:    "Time to read a tile or thumbnail from the object store after both caches missed.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
	}
}
