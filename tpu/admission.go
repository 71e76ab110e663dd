package tpu

import (
	"net/netip"
	"sync"
	"time"
)

// refusal is why admission turned a connection attempt away.
type refusal int

const (
	admitted refusal = iota
	refusedMaxConnections
	refusedMaxConnectionsPerIP
	refusedConnectionRate
)

// admission decides whether a new connection may start its handshake. It is a
// plain type: time comes in as an argument and it starts no goroutines, so its
// rules are tested without sockets or sleeps. The server's shell calls it from
// quic-go's accept path, which is why every method is a few map operations
// under one mutex and never waits.
type admission struct {
	maxConns      int
	maxConnsPerIP int
	ratePerMinute int

	mu      sync.Mutex
	open    int
	perIP   map[netip.Addr]int
	buckets map[netip.Addr]*bucket
	refused map[netip.AddrPort]refusedAttempt
}

// refusedAttempt remembers a refusal for a moment. A client's first flight
// can span several Initial packets (a post-quantum key share makes the
// ClientHello larger than one packet), and quic-go asks about each of them
// when it has refused the first; without this memory one attempt would be
// counted, and charged a rate token, once per packet.
type refusedAttempt struct {
	reason refusal
	until  time.Time
}

const (
	// refusedMemory is how long a refusal is repeated to the same address and
	// port without being counted again: longer than one client flight.
	refusedMemory = time.Second
	// refusedMemoryEntries bounds that memory against floods from spoofed
	// addresses; past it, an attempt's later packets are simply counted too.
	refusedMemoryEntries = 4096
)

// bucket is a token bucket of new connections for one IP, kept in time rather
// than tokens so that refills are exact: credit grows with elapsed time up to a
// minute, and a connection costs a minute divided by ratePerMinute.
type bucket struct {
	credit time.Duration
	last   time.Time
}

func newAdmission(maxConns, maxConnsPerIP, ratePerMinute int) *admission {
	return &admission{
		maxConns:      maxConns,
		maxConnsPerIP: maxConnsPerIP,
		ratePerMinute: ratePerMinute,
		perIP:         make(map[netip.Addr]int),
		buckets:       make(map[netip.Addr]*bucket),
		refused:       make(map[netip.AddrPort]refusedAttempt),
	}
}

// admit reserves a connection slot for the attempt from ap at now, or says
// which limit refuses it; repeat is true when the same address and port was
// refused a moment ago, so the caller does not count one attempt twice. The
// rate limit is checked first so that an IP hammering at a full server still
// spends its tokens; a refused attempt reserves nothing. A successful admit
// must be paired with one release.
func (a *admission) admit(ap netip.AddrPort, now time.Time) (r refusal, repeat bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if prev, ok := a.refused[ap]; ok {
		if now.Before(prev.until) {
			return prev.reason, true
		}
		delete(a.refused, ap)
	}
	r = a.decide(ap.Addr(), now)
	if r != admitted && len(a.refused) < refusedMemoryEntries {
		a.refused[ap] = refusedAttempt{reason: r, until: now.Add(refusedMemory)}
	}
	return r, false
}

func (a *admission) decide(ip netip.Addr, now time.Time) refusal {
	b := a.buckets[ip]
	if b == nil {
		b = &bucket{credit: time.Minute, last: now}
		a.buckets[ip] = b
	}
	b.refill(now)
	cost := time.Minute / time.Duration(a.ratePerMinute)
	if b.credit < cost {
		return refusedConnectionRate
	}
	b.credit -= cost
	if a.open >= a.maxConns {
		return refusedMaxConnections
	}
	if a.perIP[ip] >= a.maxConnsPerIP {
		return refusedMaxConnectionsPerIP
	}
	a.open++
	a.perIP[ip]++
	return admitted
}

// release returns the slot that admit reserved for an attempt from ip.
func (a *admission) release(ip netip.Addr) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.open--
	if n := a.perIP[ip] - 1; n > 0 {
		a.perIP[ip] = n
	} else {
		delete(a.perIP, ip)
	}
}

// sweep forgets the buckets that have refilled completely by now: they behave
// exactly like a fresh bucket, so dropping them changes no decision and keeps
// the map as small as the set of recently active IPs.
func (a *admission) sweep(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for ap, r := range a.refused {
		if !now.Before(r.until) {
			delete(a.refused, ap)
		}
	}
	for ip, b := range a.buckets {
		b.refill(now)
		if b.credit >= time.Minute {
			delete(a.buckets, ip)
		}
	}
}

// trackedIPs reports how many IPs are tracked, for tests.
func (a *admission) trackedIPs() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.buckets)
}

func (b *bucket) refill(now time.Time) {
	elapsed := now.Sub(b.last)
	if elapsed <= 0 {
		return // a clock that stepped back grants nothing
	}
	b.last = now
	b.credit = min(b.credit+elapsed, time.Minute)
}
