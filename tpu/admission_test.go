package tpu

import (
	"net/netip"
	"testing"
	"time"
)

var (
	ipA = netip.MustParseAddr("10.0.0.1")
	ipB = netip.MustParseAddr("10.0.0.2")
	t0  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// port gives every attempt its own source port, as separate dials would.
var port uint16 = 1000

func (a *admission) try(ip netip.Addr, now time.Time) refusal {
	port++
	r, _ := a.admit(netip.AddrPortFrom(ip, port), now)
	return r
}

func TestAdmissionRepeatsARefusalWithoutChargingAgain(t *testing.T) {
	a := newAdmission(100, 1, 3)
	ap := netip.AddrPortFrom(ipA, 1)
	if r, _ := a.admit(netip.AddrPortFrom(ipA, 9), t0); r != admitted {
		t.Fatalf("first = %v", r)
	}
	if r, repeat := a.admit(ap, t0); r != refusedMaxConnectionsPerIP || repeat {
		t.Fatalf("second = %v repeat=%v, want a fresh per-IP refusal", r, repeat)
	}
	// The attempt's second Initial packet: same answer, not counted, no token.
	if r, repeat := a.admit(ap, t0.Add(time.Millisecond)); r != refusedMaxConnectionsPerIP || !repeat {
		t.Fatalf("second packet = %v repeat=%v, want a repeated refusal", r, repeat)
	}
	a.release(ipA)
	if r := a.try(ipA, t0); r != admitted {
		t.Fatalf("third attempt = %v, want admitted: only two tokens were spent", r)
	}
	a.sweep(t0.Add(2 * time.Second))
	if len(a.refused) != 0 {
		t.Fatalf("sweep kept %d expired refusals", len(a.refused))
	}
}

func TestAdmissionRefusesOverTotalAndPerIPLimits(t *testing.T) {
	a := newAdmission(3, 2, 100)
	for i, want := range []refusal{admitted, admitted, refusedMaxConnectionsPerIP} {
		if got := a.try(ipA, t0); got != want {
			t.Fatalf("admit %d from A = %v, want %v", i, got, want)
		}
	}
	if got := a.try(ipB, t0); got != admitted {
		t.Fatalf("first from B = %v, want admitted", got)
	}
	if got := a.try(ipB, t0); got != refusedMaxConnections {
		t.Fatalf("fourth connection = %v, want refusedMaxConnections", got)
	}
	a.release(ipA)
	if got := a.try(ipB, t0); got != admitted {
		t.Fatalf("after a release = %v, want admitted", got)
	}
}

func TestAdmissionRateRefillsOverAMinute(t *testing.T) {
	a := newAdmission(100, 100, 6)
	for i := range 6 {
		if got := a.try(ipA, t0); got != admitted {
			t.Fatalf("admit %d = %v, want admitted", i, got)
		}
	}
	if got := a.try(ipA, t0); got != refusedConnectionRate {
		t.Fatalf("seventh in the same instant = %v, want refusedConnectionRate", got)
	}
	if got := a.try(ipB, t0); got != admitted {
		t.Fatalf("another IP = %v, want admitted: buckets are per IP", got)
	}
	// Six per minute is one every ten seconds.
	if got := a.try(ipA, t0.Add(9*time.Second)); got != refusedConnectionRate {
		t.Fatalf("after 9s = %v, want refusedConnectionRate", got)
	}
	if got := a.try(ipA, t0.Add(10*time.Second)); got != admitted {
		t.Fatalf("after 10s = %v, want admitted", got)
	}
}

func TestAdmissionRateRefusalReservesNothing(t *testing.T) {
	a := newAdmission(1, 1, 1)
	if got := a.try(ipA, t0); got != admitted {
		t.Fatalf("first = %v", got)
	}
	a.release(ipA)
	if got := a.try(ipA, t0); got != refusedConnectionRate {
		t.Fatalf("second = %v, want refusedConnectionRate", got)
	}
	if got := a.try(ipB, t0); got != admitted {
		t.Fatalf("B = %v, want admitted: the refused attempt must not hold a slot", got)
	}
}

func TestAdmissionSweepForgetsOnlyRefilledBuckets(t *testing.T) {
	// Two per minute: a spent token takes 30s to come back.
	a := newAdmission(100, 100, 2)
	a.try(ipA, t0)
	a.try(ipB, t0.Add(30*time.Second))
	a.sweep(t0.Add(45 * time.Second))
	if got := a.trackedIPs(); got != 1 {
		t.Fatalf("tracked after sweep = %d, want 1 (B has not refilled)", got)
	}
	a.sweep(t0.Add(2 * time.Minute))
	if got := a.trackedIPs(); got != 0 {
		t.Fatalf("tracked after second sweep = %d, want 0", got)
	}
}
