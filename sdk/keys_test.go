package sdk

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestPubkeyBase58(t *testing.T) {
	// The System program is the all-zero key: 32 leading zeros, 32 ones.
	sys, err := ParsePubkey("11111111111111111111111111111111")
	if err != nil || !sys.IsZero() {
		t.Fatalf("system program: %v %v", sys, err)
	}
	token := MustPubkey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	if token.String() != "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" {
		t.Fatalf("round trip: %s", token)
	}
	js, _ := json.Marshal(map[string]Pubkey{"k": token})
	if string(js) != `{"k":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"}` {
		t.Fatalf("JSON form %s", js)
	}
	var back map[string]Pubkey
	if err := json.Unmarshal(js, &back); err != nil || back["k"] != token {
		t.Fatalf("JSON back: %v %v", back, err)
	}
	for _, bad := range []string{"", "0OIl", "1111111111111111111111111111111", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DAA",
		string(make([]byte, 200))} {
		if _, err := ParsePubkey(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePubkey(%q) = %v, want ErrMalformed", bad, err)
		}
	}
	if _, err := ParseSignature(token.String()); !errors.Is(err, ErrMalformed) {
		t.Error("a 32-byte value parsed as a signature")
	}
}

// TestCreateProgramAddressMatchesSolana uses the vectors of solana-pubkey's
// own test_create_program_address.
func TestCreateProgramAddressMatchesSolana(t *testing.T) {
	program := MustPubkey("BPFLoaderUpgradeab1e11111111111111111111111")
	seedKey := MustPubkey("SeedPubey1111111111111111111111111111111111")
	cases := []struct {
		seeds [][]byte
		want  string
	}{
		{[][]byte{{}, {1}}, "BwqrghZA2htAcqq8dzP1WDAhTXYTYWj7CHxF5j7TDBAe"},
		{[][]byte{[]byte("☉"), {0}}, "13yWmRpaTR4r5nAktwLqMpRNr28tnVUZw26rTvPSSB19"},
		{[][]byte{[]byte("Talking"), []byte("Squirrels")}, "2fnQrngrQT4SeLcdToJAD96phoEjNL2man2kfRLCASVk"},
		{[][]byte{seedKey[:], {1}}, "976ymqVnfE32QFe6NfGDctSvVa36LWnvYxhU6G2232YL"},
	}
	for _, c := range cases {
		got, err := CreateProgramAddress(c.seeds, program)
		if err != nil || got.String() != c.want {
			t.Errorf("seeds %q: got %s, %v; want %s", c.seeds, got, err, c.want)
		}
		if got.IsOnCurve() {
			t.Errorf("%s is on the curve", got)
		}
	}
	long := make([]byte, MaxSeedLen+1)
	if _, err := CreateProgramAddress([][]byte{long}, program); !errors.Is(err, ErrMaxSeedLengthExceeded) {
		t.Errorf("33-byte seed: %v", err)
	}
	if _, err := CreateProgramAddress(make([][]byte, MaxSeeds+1), program); !errors.Is(err, ErrMaxSeedLengthExceeded) {
		t.Errorf("17 seeds: %v", err)
	}
	if _, err := CreateProgramAddress(make([][]byte, MaxSeeds), program); err != nil && !errors.Is(err, ErrInvalidSeeds) {
		t.Errorf("16 seeds: %v", err)
	}
}

func TestFindProgramAddressTakesHighestOffCurveBump(t *testing.T) {
	program := MustPubkey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
	rng := seededReader(7)
	sawLowerBump := false
	for i := 0; i < 200; i++ {
		var seed [32]byte
		rng.Read(seed[:])
		addr, bump, err := FindProgramAddress([][]byte{seed[:], []byte("x")}, program)
		if err != nil {
			t.Fatal(err)
		}
		again, err := CreateProgramAddress([][]byte{seed[:], []byte("x"), {bump}}, program)
		if err != nil || again != addr {
			t.Fatalf("bump %d does not recreate %s: %s %v", bump, addr, again, err)
		}
		// Every higher bump must have landed on the curve.
		for b := 255; b > int(bump); b-- {
			if _, err := CreateProgramAddress([][]byte{seed[:], []byte("x"), {byte(b)}}, program); !errors.Is(err, ErrInvalidSeeds) {
				t.Fatalf("bump %d was skipped but gives an address", b)
			}
			sawLowerBump = true
		}
	}
	if !sawLowerBump {
		t.Fatal("200 searches all succeeded at 255: the search loop is not exercised")
	}
	if _, _, err := FindProgramAddress(make([][]byte, MaxSeeds), program); !errors.Is(err, ErrMaxSeedLengthExceeded) {
		t.Fatalf("16 seeds plus a bump: %v", err)
	}
}

func TestIsOnCurve(t *testing.T) {
	kp, _ := NewKeypairFrom(seededReader(1))
	if !kp.Pubkey().IsOnCurve() {
		t.Fatal("an ed25519 public key is off the curve")
	}
	// y = 2 gives no square root for x: not a point.
	var notPoint Pubkey
	notPoint[0] = 2
	if notPoint.IsOnCurve() {
		t.Fatal("y=2 decoded as a point")
	}
}

func TestKeypairFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "id.json")
	kp, err := NewKeypairFrom(seededReader(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteKeypairFile(path, kp); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	raw, _ := os.ReadFile(path)
	// Byte for byte what solana-keygen writes: serde_json's compact array.
	if !regexp.MustCompile(`^\[([0-9]{1,3},){63}[0-9]{1,3}\]$`).Match(raw) {
		t.Fatalf("not solana-keygen's layout: %s", raw)
	}
	var ints []int
	if err := json.Unmarshal(raw, &ints); err != nil || len(ints) != 64 {
		t.Fatalf("file is not a 64-number array: %s", raw)
	}
	back, err := ReadKeypairFile(path)
	if err != nil || back.Pubkey() != kp.Pubkey() {
		t.Fatalf("read back %v, %v", back.Pubkey(), err)
	}
	msg := []byte("hello")
	if !Verify(kp.Pubkey(), msg, back.Sign(msg)) {
		t.Fatal("reloaded key signs badly")
	}
	if err := WriteKeypairFile(path, kp); !errors.Is(err, os.ErrExist) {
		t.Fatalf("overwrote an existing keypair file: %v", err)
	}
}

// TestReadKeypairFileFormats: a file solana-keygen wrote (seed then public
// key, pretty or compact, trailing newline) loads; anything else is refused.
func TestReadKeypairFileFormats(t *testing.T) {
	kp, _ := NewKeypairFrom(seededReader(4))
	good, _ := kp.MarshalJSON()
	bad := kp.Bytes()
	bad[63] ^= 1 // a public key that is not the seed's
	badJSON, _ := json.Marshal(func() []int {
		out := make([]int, len(bad))
		for i, b := range bad {
			out[i] = int(b)
		}
		return out
	}())
	short, _ := json.Marshal(make([]int, 63))
	cases := []struct {
		name, content string
		ok            bool
	}{
		{"compact", string(good), true},
		{"with newline and spaces", " " + string(good) + "\n", true},
		{"mismatched public key", string(badJSON), false},
		{"63 bytes", string(short), false},
		{"value over 255", "[256" + string(good[2:]), false},
		{"base64 string", `"` + "AAAA" + `"`, false},
		{"not JSON", "hello", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.json")
			os.WriteFile(path, []byte(c.content), 0o600)
			got, err := ReadKeypairFile(path)
			if c.ok && (err != nil || got.Pubkey() != kp.Pubkey()) {
				t.Fatalf("got %v, %v", got.Pubkey(), err)
			}
			if !c.ok && !errors.Is(err, ErrMalformed) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
		})
	}
	if _, err := ReadKeypairFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
