// Package auth holds the credentials side of signing in: password hashing,
// API tokens, one-time reset links and the sign-in throttling rule. It does
// no I/O of its own; the stores keep the hashes and the attempts, the web
// layer carries them.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"trellis"
)

// Params are the argon2id cost parameters. They are written into every hash
// so that raising them later only affects new hashes; NeedsRehash tells when
// a stored hash is due for an upgrade at the next successful sign-in.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are OWASP's baseline for argon2id (19 MiB, 2 passes, one
// lane): on a two-core server one verification takes about a tenth of a second,
// so a burst of sign-ins neither stalls the node nor exhausts its memory,
// while each guess against a stolen hash still costs 19 MiB of memory
// traffic. Raise them with the hardware: old hashes keep verifying and are
// upgraded at the next sign-in (NeedsRehash).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read from a stored hash: a corrupt or hostile string
// must not make the server allocate gigabytes.
const (
	maxMemory  = 1 << 21 // 2 GiB in KiB
	maxTime    = 64
	maxSaltLen = 64
	maxKeyLen  = 128
)

// Password policy.
const (
	MinPasswordLength = 12   // characters
	MaxPasswordLength = 1024 // bytes: long passphrases yes, megabyte posts no
)

// deriveKey is argon2.IDKey. It is a variable only so that a test can check
// which parameters each verification path uses (the timing-shape test).
var deriveKey = argon2.IDKey

// ErrMalformedHash is returned for stored hashes that are not argon2id PHC
// strings this package can read. It is our fault, not the user's.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Hasher hashes and verifies passwords with fixed parameters.
type Hasher struct {
	params Params
	// dummy is a real hash with the same parameters, verified against when
	// the account does not exist so that "no such user" costs as much as
	// "wrong password".
	dummy string
}

// NewHasher returns a hasher for p. It computes the dummy hash once, so it
// costs one hash.
func NewHasher(p Params) (*Hasher, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	h := &Hasher{params: p}
	dummy, err := h.hash([]byte("no such account; this hash only spends time"))
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Params returns the hasher's parameters.
func (h *Hasher) Params() Params { return h.params }

func (p Params) check() error {
	switch {
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("auth: argon2 memory %d KiB out of range (at least 8 per thread, at most %d)", p.Memory, maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("auth: argon2 time %d out of range 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("auth: argon2 needs at least one thread")
	case p.SaltLen < 8 || p.SaltLen > maxSaltLen:
		return fmt.Errorf("auth: salt length %d out of range 8..%d", p.SaltLen, maxSaltLen)
	case p.KeyLen < 16 || p.KeyLen > maxKeyLen:
		return fmt.Errorf("auth: key length %d out of range 16..%d", p.KeyLen, maxKeyLen)
	}
	return nil
}

// Hash returns the PHC string of a new salted hash of password:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash> (unpadded standard base64).
// It does not apply the password policy; call CheckPassword first when the
// password is chosen by a person.
func (h *Hasher) Hash(password string) (string, error) {
	if len(password) > MaxPasswordLength {
		return "", passwordError(fmt.Sprintf("Use at most %d bytes.", MaxPasswordLength))
	}
	return h.hash([]byte(password))
}

func (h *Hasher) hash(password []byte) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading random salt: %w", err)
	}
	key := deriveKey(password, salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	return encodePHC(h.params, salt, key), nil
}

func encodePHC(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the stored PHC string. The key
// comparison takes constant time. A password longer than the policy allows
// never matches, but still costs a full hash so its length shows nothing.
func (h *Hasher) Verify(password, encoded string) (bool, error) {
	p, salt, key, err := ParseHash(encoded)
	if err != nil {
		return false, err
	}
	pw := []byte(password)
	tooLong := len(pw) > MaxPasswordLength
	if tooLong {
		pw = pw[:MaxPasswordLength]
	}
	got := deriveKey(pw, salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1 && !tooLong, nil
}

// VerifyDummy spends the same work as Verify against a hash made with the
// hasher's parameters, and always fails. Call it when the account is
// unknown (or cannot sign in with a password) so that the response time
// does not tell which accounts exist.
func (h *Hasher) VerifyDummy(password string) {
	_, _ = h.Verify(password, h.dummy)
}

// NeedsRehash reports whether a stored hash was made with parameters other
// than the hasher's, so that it should be replaced after the next
// successful verification (when the password is at hand).
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, salt, key, err := ParseHash(encoded)
	if err != nil {
		return true
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p != h.params
}

// ParseHash reads an argon2id PHC string. The parameters come back with
// SaltLen and KeyLen set from the decoded salt and hash.
func ParseHash(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	if len(seen) != 3 {
		return p, nil, nil, fmt.Errorf("%w: needs m, t and p", ErrMalformedHash)
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %v", ErrMalformedHash, err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash: %v", ErrMalformedHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// commonPasswords are refused whatever their length; the list is short on
// purpose: it catches the passwords people type when told "at least 12".
var commonPasswords = map[string]bool{
	"password1234": true, "password12345": true, "passwordpassword": true, "123456789012": true,
	"1234567890123": true, "qwertyuiopas": true, "qwerty123456": true, "iloveyou1234": true,
	"letmein12345": true, "welcome12345": true, "changeme1234": true, "administrator": true,
	"trellistrellis": true, "correcthorsebatterystaple": true, "aaaaaaaaaaaa": true,
}

// CheckPassword applies the minimum password policy: at least
// MinPasswordLength characters, at most MaxPasswordLength bytes, not a
// well-known password, not a single repeated character, and not the
// person's own email or name (pass those as personal). Length matters more
// than character classes, so there are no composition rules. The error is
// EINVALID with a detail on the "password" field.
func CheckPassword(password string, personal ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return passwordError(fmt.Sprintf("Use at least %d characters (you used %d); a few unrelated words make a good password.", MinPasswordLength, n))
	case len(password) > MaxPasswordLength:
		return passwordError(fmt.Sprintf("Use at most %d bytes.", MaxPasswordLength))
	case !utf8.ValidString(password) || strings.IndexFunc(password, unicode.IsControl) >= 0:
		return passwordError("The password contains characters that cannot be typed reliably (control characters).")
	}
	folded := strings.ToLower(strings.Join(strings.Fields(password), ""))
	if commonPasswords[folded] || strings.Count(folded, folded[:1]) == len(folded) {
		return passwordError("This password is too common; choose something others would not guess.")
	}
	for _, s := range personal {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		local, _, _ := strings.Cut(s, "@")
		if folded == strings.ReplaceAll(s, " ", "") || (len(local) >= 4 && strings.Contains(folded, local) && len(folded) < len(local)+6) {
			return passwordError("The password is too close to your name or email address.")
		}
	}
	return nil
}

func passwordError(msg string) error {
	return &trellis.Error{Code: trellis.EINVALID, Message: "The password does not meet the policy. " + msg,
		Details: []trellis.FieldError{{Field: "password", Message: msg}}}
}
