package forge

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"trellis"
)

// EnvSecretKey names the environment variable holding the key tokens are
// sealed with at rest.
const EnvSecretKey = "TRELLIS_SECRET_KEY"

// ErrNoKey refuses to store a token when no secret key is configured.
var ErrNoKey = &trellis.Error{Code: trellis.ERULE, Message: "Tokens cannot be stored: this server has no secret key to encrypt them with. " +
	"An administrator sets " + EnvSecretKey + " to 32 random bytes in base64 (for example the output of `openssl rand -base64 32`) and restarts Trellis. " +
	"Until then, connect without a token of your own if the server has an instance token for this forge."}

// Sealer encrypts tokens at rest with AES-256-GCM. The additional data
// binds a sealed token to its account, so a sealed value copied onto
// another row does not open.
type Sealer struct {
	aead cipher.AEAD
}

// sealedPrefix marks the format of a sealed value: v1 is base64 of the
// 12-byte nonce followed by the ciphertext and tag.
const sealedPrefix = "v1:"

// NewSealer makes a sealer from the key as configured: 32 bytes written in
// standard or URL-safe base64, or as 64 hex digits. An empty key gives a
// nil sealer and no error (tokens then cannot be stored); a malformed one
// is an error that says how to make a good one.
func NewSealer(key string) (*Sealer, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, nil
	}
	raw := decodeKey(key)
	if len(raw) != 32 {
		return nil, trellis.Errorf(trellis.EINVALID, "%s must be 32 random bytes written in base64 or as 64 hex digits (for example the output of `openssl rand -base64 32`); the value given is not", EnvSecretKey)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

func decodeKey(key string) []byte {
	if len(key) == 64 {
		if b, err := hex.DecodeString(key); err == nil {
			return b
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(key); err == nil {
			return b
		}
	}
	return nil
}

// Seal encrypts plaintext bound to ad.
func (s *Sealer) Seal(plaintext, ad string) (string, error) {
	if s == nil {
		return "", ErrNoKey
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(ad))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// errUnseal is returned, in words, when a stored token does not open.
var errUnseal = &trellis.Error{Code: trellis.ERULE, Message: "The stored token cannot be decrypted with the secret key this server has now (" +
	EnvSecretKey + " was changed or removed). Remove the connection and add it again with a token."}

// Open decrypts a sealed value bound to ad.
func (s *Sealer) Open(sealed, ad string) (string, error) {
	if s == nil {
		return "", errUnseal
	}
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errUnseal
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errUnseal
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(ad))
	if err != nil {
		return "", errUnseal
	}
	return string(plain), nil
}

// IsUnsealError reports whether err says a stored token did not open.
func IsUnsealError(err error) bool { return errors.Is(err, errUnseal) }
