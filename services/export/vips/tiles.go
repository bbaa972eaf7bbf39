package vips

import (
	"container/list"
	"sync"
)

// tileCache keeps recently read tiles of the slide's own grid as packed
// RGB, bounded in bytes. Neighbouring patches (the sizes of one centre,
// dense dots, grid samples) share tiles, and a tile costs a JPEG decode:
// each is decoded about once instead of once per patch touching it. It is
// shared by the goroutines reading one slide; a tile two of them want at
// once is decoded by the first while the other waits for it.
type tileCache struct {
	size int // tile side

	mu       sync.Mutex
	max, now int // bytes
	order    *list.List
	tiles    map[[2]int]*list.Element
	loading  map[[2]int]*pending
	// uses counts the planned reads of each tile still to come (plan). A
	// tile is dropped as soon as its last one is done, so the bound holds
	// tiles still to be read rather than used-up ones, which in a sweep
	// across a wide slide push out tiles the next band needs again.
	uses map[[2]int]int
}

// tile is immutable once cached: readers copy out of it without a lock.
type tile struct {
	key  [2]int
	w, h int
	rgb  []byte
}

type pending struct {
	done chan struct{}
	t    *tile
	err  error
}

func newTileCache(size, maxBytes int) *tileCache {
	return &tileCache{size: size, max: maxBytes, order: list.New(), tiles: map[[2]int]*list.Element{},
		loading: map[[2]int]*pending{}, uses: map[[2]int]int{}}
}

// get returns the cached tile, or the one load reads (once, however many
// goroutines ask for it meanwhile). A failed load is not cached.
func (c *tileCache) get(key [2]int, load func([2]int) (*tile, error)) (*tile, error) {
	c.mu.Lock()
	if e, ok := c.tiles[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*tile), nil
	}
	if p, ok := c.loading[key]; ok {
		c.mu.Unlock()
		<-p.done
		return p.t, p.err
	}
	p := &pending{done: make(chan struct{})}
	c.loading[key] = p
	c.mu.Unlock()

	p.t, p.err = load(key)
	c.mu.Lock()
	delete(c.loading, key)
	if p.err == nil {
		c.put(p.t)
	}
	c.mu.Unlock()
	close(p.done)
	return p.t, p.err
}

// put adds a tile and evicts the least recently used beyond the bound;
// c.mu is held.
func (c *tileCache) put(t *tile) {
	c.tiles[t.key] = c.order.PushFront(t)
	c.now += len(t.rgb)
	for c.now > c.max && c.order.Len() > 1 {
		old := c.order.Remove(c.order.Back()).(*tile)
		delete(c.tiles, old.key)
		c.now -= len(old.rgb)
	}
}

// plan counts one read to come of each tile in keys.
func (c *tileCache) plan(keys [][2]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		c.uses[k]++
	}
}

// used records that one planned read of key is done; after the last one
// the tile leaves the cache. A tile no plan counts is left to the LRU.
func (c *tileCache) used(key [2]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.uses[key]
	if !ok {
		return
	}
	if n > 1 {
		c.uses[key] = n - 1
		return
	}
	delete(c.uses, key)
	if e, ok := c.tiles[key]; ok {
		c.now -= len(c.order.Remove(e).(*tile).rgb)
		delete(c.tiles, key)
	}
}

// unplan forgets the reads still counted: the tiles stay, under the LRU.
func (c *tileCache) unplan() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.uses)
}
