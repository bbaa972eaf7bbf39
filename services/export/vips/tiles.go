package vips

import "container/list"

// tileCache keeps recently read tiles of the slide's own grid as packed
// RGB, bounded in bytes. Neighbouring patches (the sizes of one centre,
// dense dots, grid samples) share tiles, and a tile read through OpenSlide
// costs a JPEG decode: each is decoded about once instead of once per
// patch touching it.
type tileCache struct {
	size     int // tile side
	max, now int // bytes
	order    *list.List
	tiles    map[[2]int]*list.Element
}

type tile struct {
	key  [2]int
	w, h int
	rgb  []byte
}

func newTileCache(size, maxBytes int) *tileCache {
	return &tileCache{size: size, max: maxBytes, order: list.New(), tiles: map[[2]int]*list.Element{}}
}

func (c *tileCache) get(key [2]int) *tile {
	if e, ok := c.tiles[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*tile)
	}
	return nil
}

func (c *tileCache) put(t *tile) {
	c.tiles[t.key] = c.order.PushFront(t)
	c.now += len(t.rgb)
	for c.now > c.max && c.order.Len() > 1 {
		old := c.order.Remove(c.order.Back()).(*tile)
		delete(c.tiles, old.key)
		c.now -= len(old.rgb)
	}
}
