package cache

import (
	"container/list"
	"sync"
)

// Segmented is the tile memory: one byte budget shared by two LRU
// segments. "hot" holds tiles somebody asked for; "ahead" holds tiles a
// block read brought in beside them, until they are asked for (then they
// move to hot).
//
// Why one budget and not two caches: with a fixed quarter for read-ahead
// (the first design), a random walk over a big slide found its block's
// neighbours evicted long before it came back for them, so each miss read
// a whole block for one tile (cold random tiles fell to 0.8× IIPImage).
// Here read-ahead may fill whatever hot tiles leave free, yet cannot push
// hot tiles out beyond its reserve: when the budget is full, "ahead" gives
// way first while it holds more than its reserve, so the tiles viewers use
// stay (the warm benchmark's 2,000 tiles never miss).
type Segmented[K comparable] struct {
	mu      sync.Mutex
	budget  int64
	reserve int64 // "ahead" is evicted before "hot" only above this
	hot     segment
	ahead   segment
	items   map[K]*list.Element
}

type segment struct {
	order *list.List // front is most recent
	used  int64
}

type segEntry[K comparable] struct {
	key   K
	val   []byte
	cost  int64
	ahead bool
}

// NewSegmented returns a cache of budget bytes (0 disables it) of which
// read-ahead tiles keep at least reserve when hot tiles fill the rest.
func NewSegmented[K comparable](budget, reserve int64) *Segmented[K] {
	return &Segmented[K]{
		budget: budget, reserve: min(reserve, budget),
		hot: segment{order: list.New()}, ahead: segment{order: list.New()},
		items: map[K]*list.Element{},
	}
}

func tileCost(b []byte) int64 { return int64(len(b)) + 64 }

// Get returns a tile and marks it recently used; a read-ahead tile moves to
// the hot segment.
func (c *Segmented[K]) Get(k K) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	ent := e.Value.(*segEntry[K])
	if ent.ahead {
		c.ahead.order.Remove(e)
		c.ahead.used -= ent.cost
		ent.ahead = false
		c.items[k] = c.hot.order.PushFront(ent)
		c.hot.used += ent.cost
		return ent.val, true
	}
	c.hot.order.MoveToFront(e)
	return ent.val, true
}

// Add stores a tile somebody asked for.
func (c *Segmented[K]) Add(k K, v []byte) { c.add(k, v, false) }

// AddAhead stores a tile nobody asked for yet; a tile already held is left
// where it is.
func (c *Segmented[K]) AddAhead(k K, v []byte) { c.add(k, v, true) }

func (c *Segmented[K]) add(k K, v []byte, ahead bool) {
	cost := tileCost(v)
	if cost > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		if ahead {
			return
		}
		c.remove(e)
	}
	seg := &c.hot
	if ahead {
		seg = &c.ahead
	}
	c.items[k] = seg.order.PushFront(&segEntry[K]{key: k, val: v, cost: cost, ahead: ahead})
	seg.used += cost
	for c.hot.used+c.ahead.used > c.budget {
		victim := &c.hot
		if c.ahead.used > c.reserve || c.hot.order.Len() == 0 {
			victim = &c.ahead
		}
		c.remove(victim.order.Back())
	}
}

func (c *Segmented[K]) remove(e *list.Element) {
	ent := e.Value.(*segEntry[K])
	seg := &c.hot
	if ent.ahead {
		seg = &c.ahead
	}
	seg.order.Remove(e)
	seg.used -= ent.cost
	delete(c.items, ent.key)
}

// Used is the bytes held by each segment.
func (c *Segmented[K]) Used() (hot, ahead int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hot.used, c.ahead.used
}
