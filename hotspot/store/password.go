package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, with 64 MiB):
// about 40 ms per hash on one core of the test machine (BENCHMARKS.md).
const (
	argonTime    = 1
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// HashPassword returns an argon2id hash of password in PHC string form
// ($argon2id$v=19$m=...,t=...,p=...$salt$key).
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLen {
		return "", hotspot.Invalid("password", "must be at least %d characters", MinPasswordLen)
	}
	if len(password) > 1024 {
		return "", hotspot.Invalid("password", "must be at most 1024 bytes")
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash made by HashPassword.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("password hash: not argon2id")
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errors.New("password hash: unknown version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 100 {
		return false, errors.New("password hash: bad parameters")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, errors.New("password hash: bad salt")
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return false, errors.New("password hash: bad key")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is checked against when a user does not exist, so a wrong user
// name costs as much time as a wrong password.
var dummyHash = func() string {
	h, err := HashPassword("not-a-password-of-anyone")
	if err != nil {
		panic(err)
	}
	return h
}()
