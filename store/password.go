package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// Argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	minPassword  = 10
	maxPassword  = 1024 // bytes
	// zxcvbn's time grows fast with length (seconds at 1,000 characters):
	// the strength is judged on the first strengthRunes runes
	strengthRunes = 64
	// zxcvbn's scores run 0–4; 3 is "safely unguessable: moderate
	// protection from an offline slow-hash scenario" (about 10^10 guesses)
	minStrength = 3
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// CheckPassword compares a password with a stored hash in constant time.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, tm uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tm, &p); err != nil {
		return false
	}
	// a hash written by someone else's tool must not cost the server a
	// gigabyte or an hour per sign-in
	if m > 256*1024 || tm > 16 || p == 0 || p > 8 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, tm, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ValidatePassword is the shape of every password: valid text without
// control or invisible characters, at least 10 characters, at most 1024
// bytes. ValidatePasswordFor adds the strength a user's password needs.
func ValidatePassword(pw string) error {
	if !utf8.ValidString(pw) {
		return badInput("the password must be valid text")
	}
	if len(pw) > maxPassword {
		return badInput("the password must have at most %d bytes", maxPassword)
	}
	for _, r := range pw {
		if safetext.Hidden(r) {
			return badInput("the password may not contain control or invisible characters (%s); type it again", safetext.Escape(string(r)))
		}
	}
	if strings.TrimFunc(pw, unicode.IsSpace) == "" {
		return badInput("the password may not be only spaces")
	}
	if n := utf8.RuneCountInString(pw); n < minPassword {
		return badInput("the password must have at least %d characters (it has %d)", minPassword, n)
	}
	return nil
}

// ValidatePasswordFor checks a password u is to hold: ValidatePassword's
// shape, none of the user's own names or email in it, and a strength
// zxcvbn scores at least 3 of 4 (with the user's details counted as known
// to an attacker).
func ValidatePasswordFor(u *User, pw string) error {
	if err := ValidatePassword(pw); err != nil {
		return err
	}
	lpw := strings.ToLower(pw)
	local, _, _ := strings.Cut(u.Email, "@")
	for _, p := range []struct{ what, v string }{
		{"email address", u.Email}, {"email name", local}, {"first name", u.First}, {"last name", u.Last},
	} {
		if v := strings.ToLower(strings.TrimSpace(p.v)); utf8.RuneCountInString(v) >= 4 && strings.Contains(lpw, v) {
			return badInput("the password may not contain the user's %s; choose another", p.what)
		}
	}
	judged := pw
	if utf8.RuneCountInString(pw) > strengthRunes {
		judged = string([]rune(pw)[:strengthRunes])
	}
	inputs := []string{u.Email, local, u.First, u.Last, "gatehouse"}
	if r := zxcvbn.PasswordStrength(judged, inputs); r.Score < minStrength {
		return badInput("the password is too easy to guess (strength %d of 4, needs %d); use a longer passphrase of unrelated words", r.Score, minStrength)
	}
	return nil
}
