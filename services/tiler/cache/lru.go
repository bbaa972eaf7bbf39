// Package cache holds the two tile caches in front of the object store: a
// per-replica in-memory LRU and the shared Redis.
package cache

import (
	"container/list"
	"sync"
)

// LRU is a size-bounded least-recently-used map, safe for concurrent use.
// Cost is what an entry counts against the budget (bytes for tiles).
type LRU[K comparable, V any] struct {
	mu     sync.Mutex
	budget int64
	used   int64
	order  *list.List // front is most recent
	items  map[K]*list.Element
	cost   func(V) int64
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	cost int64
}

// NewLRU returns an LRU holding at most budget cost; budget 0 disables it.
func NewLRU[K comparable, V any](budget int64, cost func(V) int64) *LRU[K, V] {
	return &LRU[K, V]{budget: budget, order: list.New(), items: map[K]*list.Element{}, cost: cost}
}

// Get returns the value and marks it recently used.
func (c *LRU[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[K, V]).val, true
}

// Add stores v, evicting the least recently used entries to stay in budget.
// A value bigger than the whole budget is not kept.
func (c *LRU[K, V]) Add(k K, v V) {
	cost := c.cost(v)
	if cost > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.used -= e.Value.(*lruEntry[K, V]).cost
		c.order.Remove(e)
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{k, v, cost})
	c.used += cost
	for c.used > c.budget {
		last := c.order.Back()
		ent := last.Value.(*lruEntry[K, V])
		c.order.Remove(last)
		delete(c.items, ent.key)
		c.used -= ent.cost
	}
}

// Len is the number of entries.
func (c *LRU[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
