package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress draws one status line on stderr for the current phase: a bar
// when the phase has a known size, and whatever detail the phase supplies.
// On a terminal the line is redrawn in place four times a second; into a
// file or pipe it is printed as a plain line every five seconds, so logs
// stay readable.
type progress struct {
	w   io.Writer
	tty bool

	done  atomic.Int64
	total atomic.Int64

	mu     sync.Mutex
	phase  string
	detail func() string
	began  time.Time
	stopc  chan struct{}
	exited chan struct{}
}

func newProgress(w io.Writer) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty}
}

// begin ends the previous phase and starts drawing a new one of total steps
// (0: unknown). detail, if not nil, adds text after the bar.
func (p *progress) begin(phase string, total int64, detail func() string) {
	p.end()
	p.mu.Lock()
	p.phase, p.detail, p.began = phase, detail, time.Now()
	p.done.Store(0)
	p.total.Store(total)
	p.stopc, p.exited = make(chan struct{}), make(chan struct{})
	stop, exited := p.stopc, p.exited
	p.mu.Unlock()
	every := 250 * time.Millisecond
	if !p.tty {
		every = 5 * time.Second
	}
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				p.draw(true)
				return
			case <-t.C:
				p.draw(false)
			}
		}
	}()
}

func (p *progress) add(n int64) { p.done.Add(n) }

// end stops the current phase's drawer and leaves its final line.
func (p *progress) end() {
	p.mu.Lock()
	stop, exited := p.stopc, p.exited
	p.stopc, p.exited = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-exited
	}
}

func (p *progress) draw(final bool) {
	p.mu.Lock()
	phase, detail, began := p.phase, p.detail, p.began
	p.mu.Unlock()
	done, total := p.done.Load(), p.total.Load()
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s", phase)
	if total > 0 {
		const width = 30
		filled := int(min(done, total) * width / total)
		fmt.Fprintf(&b, " [%s%s] %d/%d", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
	} else if done > 0 {
		fmt.Fprintf(&b, " %d", done)
	}
	fmt.Fprintf(&b, " %5.1fs", time.Since(began).Seconds())
	if detail != nil {
		b.WriteString("  ")
		b.WriteString(detail())
	}
	switch {
	case p.tty && final:
		fmt.Fprintf(p.w, "\r\033[K%s\n", b.String())
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K%s", b.String())
	default:
		fmt.Fprintln(p.w, b.String())
	}
}
