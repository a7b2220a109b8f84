package auth

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
)

// cheap parameters keep the tests fast; the code paths are the same.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newCheap(t *testing.T) *Hasher {
	t.Helper()
	h, err := NewHasher(cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHashAndVerify(t *testing.T) {
	h := newCheap(t)
	enc, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(enc) || !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC string: %q", enc)
	}
	if ok, err := h.Verify("correct horse battery", enc); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery", "correct horse battery "} {
		if ok, err := h.Verify(wrong, enc); ok || err != nil {
			t.Errorf("wrong password %q: %v %v", wrong, ok, err)
		}
	}
	again, _ := h.Hash("correct horse battery")
	if again == enc {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestDefaultParams(t *testing.T) {
	if testing.Short() {
		t.Skip("full-cost hashes")
	}
	h, err := NewHasher(DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := h.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("encoded %q", enc)
	}
	start := time.Now()
	if ok, _ := h.Verify("a long enough password", enc); !ok {
		t.Error("does not verify")
	}
	// Logged, never asserted: wall-clock checks flake.
	t.Logf("one verification with the default parameters took %v", time.Since(start))
}

// A hash made with older parameters still verifies (the parameters are read
// from the string) and is flagged for rehashing.
func TestParametersComeFromTheHash(t *testing.T) {
	old, _ := NewHasher(Params{Memory: 32, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 16})
	enc, _ := old.Hash("an old password here")
	cur := newCheap(t)
	if ok, err := cur.Verify("an old password here", enc); !ok || err != nil {
		t.Fatalf("old hash with new hasher: %v %v", ok, err)
	}
	if !cur.NeedsRehash(enc) {
		t.Error("old parameters not flagged")
	}
	fresh, _ := cur.Hash("an old password here")
	if cur.NeedsRehash(fresh) {
		t.Error("current parameters flagged")
	}
	if !cur.NeedsRehash("garbage") {
		t.Error("garbage not flagged")
	}
	p, salt, key, err := ParseHash(enc)
	if err != nil || p != (Params{Memory: 32, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 16}) || len(salt) != 8 || len(key) != 16 {
		t.Errorf("parsed %+v %d %d %v", p, len(salt), len(key), err)
	}
}

func TestParseHashRefusesMalformed(t *testing.T) {
	for _, s := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=300$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=-1,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 95 GiB: refused, not allocated
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",        // 4-byte salt
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA",  // padded
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$!!",                       // not base64
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA$x", // extra part
	} {
		if _, _, _, err := ParseHash(s); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%q: %v", s, err)
		}
		h := newCheap(t)
		if ok, err := h.Verify("whatever password", s); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v", s, ok, err)
		}
	}
}

// The timing-shape test. Without measuring time (which would flake), it
// checks that the three outcomes of a sign-in with a password (right
// password, wrong password, unknown account) do the same work: exactly one
// argon2id derivation with the same parameters and the same output length.
func TestVerifyDummyDoesTheSameWork(t *testing.T) {
	type call struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
		saltLen      int
	}
	var mu sync.Mutex
	var calls []call
	orig := deriveKey
	deriveKey = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		mu.Lock()
		calls = append(calls, call{time, memory, threads, keyLen, len(salt)})
		mu.Unlock()
		return orig(pw, salt, time, memory, threads, keyLen)
	}
	t.Cleanup(func() { deriveKey = orig })

	h := newCheap(t)
	enc, _ := h.Hash("the real password")
	record := func(f func()) []call {
		calls = nil
		f()
		return calls
	}
	right := record(func() { h.Verify("the real password", enc) })
	wrong := record(func() { h.Verify("a wrong password", enc) })
	unknown := record(func() { h.VerifyDummy("a wrong password") })
	huge := record(func() { h.VerifyDummy(strings.Repeat("x", 1<<20)) })
	want := []call{{cheap.Time, cheap.Memory, cheap.Threads, cheap.KeyLen, int(cheap.SaltLen)}}
	for name, got := range map[string][]call{"right": right, "wrong": wrong, "unknown": unknown, "huge": huge} {
		if len(got) != 1 || got[0] != want[0] {
			t.Errorf("%s password: derivations %+v, want %+v", name, got, want)
		}
	}
	// The dummy hash itself carries the hasher's parameters.
	p, _, _, err := ParseHash(h.dummy)
	if err != nil || p != cheap {
		t.Errorf("dummy parameters %+v %v", p, err)
	}
}

func TestOverlongPasswords(t *testing.T) {
	h := newCheap(t)
	long := strings.Repeat("a", MaxPasswordLength+1)
	if _, err := h.Hash(long); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Errorf("hash of an overlong password: %v", err)
	}
	// A stored hash of the first MaxPasswordLength bytes must not accept a
	// longer password with the same prefix.
	enc, _ := h.Hash(long[:MaxPasswordLength])
	if ok, _ := h.Verify(long, enc); ok {
		t.Error("overlong password matched its truncation")
	}
}

func TestNewHasherRefusesBadParams(t *testing.T) {
	for _, p := range []Params{
		{},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
	} {
		if _, err := NewHasher(p); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, ok := range []string{
		"correct horse battery", "tr3llis-garden-gate", "ünïcödé pässwörd", strings.Repeat("ab", 6),
	} {
		if err := CheckPassword(ok, "ada@example.com", "Ada Lovelace"); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, tc := range []struct{ pw, msg string }{
		{"", "at least 12 characters (you used 0)"},
		{"short pass", "at least 12 characters (you used 10)"},
		{"ümlautsümla", "at least 12 characters (you used 11)"},
		{strings.Repeat("x", MaxPasswordLength+1), "at most 1024 bytes"},
		{"password1234", "too common"},
		{"Password 1234", "too common"},
		{"aaaaaaaaaaaaaa", "too common"},
		{"tab\tinside password", "control characters"},
		{"ada@example.com", "your name or email"},
		{"adalovelace", "at least 12"},
		{"Ada Lovelace", "your name or email"},
		{"adalovelace!!", "your name or email"},
	} {
		err := CheckPassword(tc.pw, "adalovelace@example.com", "Ada Lovelace")
		if tc.pw == "ada@example.com" {
			err = CheckPassword(tc.pw, "ada@example.com", "Ada Lovelace")
		}
		d := trellis.ErrorDetails(err)
		if trellis.ErrorCode(err) != trellis.EINVALID || len(d) != 1 || d[0].Field != "password" || !strings.Contains(d[0].Message, tc.msg) {
			t.Errorf("%q: %v %+v, want a password detail containing %q", tc.pw, err, d, tc.msg)
		}
	}
}
