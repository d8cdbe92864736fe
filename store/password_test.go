package store

import (
	"strings"
	"testing"
)

// Point 8 of the security issue: weak passwords and ones made of the user's
// own details are refused with one line that says why.
func TestPasswordPolicy(t *testing.T) {
	u := &User{First: "Adaline", Last: "Lovelace", Email: "ada.l@example.com"}
	for _, c := range []struct {
		pw, refusal string // "" = accepted
	}{
		{"aaaaaaaaaa", "too easy to guess"},
		{"          ", "only spaces"},
		{strings.Repeat("\u200b", 10), "invisible"},
		{"ada.l@example.com", "email address"},
		{"ADA.L@EXAMPLE.COM!!", "email address"},
		{"adaline-1815-x", "first name"},
		{"mrs lovelace 1815", "last name"},
		{"Password123!", "too easy to guess"},
		{"qwertyuiop", "too easy to guess"},
		{"1234567890", "too easy to guess"},
		{"short", "at least 10"},
		{"tab\tin it here", "control"},
		{"bad\xffutf8 password", "valid text"},
		{strings.Repeat("x", 1025), "at most 1024"},
		{strings.Repeat("ab", 100), "too easy to guess"}, // judged on its first 64 runes
		{"correct horse battery staple", ""},
		{"a brand new passphrase", ""},
		{"Zoë-Ørsted-山田-42", ""},
	} {
		err := ValidatePasswordFor(u, c.pw)
		switch {
		case c.refusal == "" && err != nil:
			t.Errorf("%q refused: %v", c.pw, err)
		case c.refusal != "" && err == nil:
			t.Errorf("%q accepted, want refused for %q", c.pw, c.refusal)
		case c.refusal != "" && !strings.Contains(err.Error(), c.refusal):
			t.Errorf("%q refused with %q, want it to say %q", c.pw, err, c.refusal)
		case err != nil && (KindOf(err) != KindInput || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), c.pw) && len(c.pw) > 0):
			t.Errorf("%q: refusal %q is not one line of bad input without the password", c.pw, err)
		}
	}
}

// A stored hash that asks for absurd argon2 costs is refused without being computed.
func TestCheckPasswordRefusesAbsurdHashParameters(t *testing.T) {
	h := HashPassword("correct horse battery staple")
	if !CheckPassword(h, "correct horse battery staple") {
		t.Fatal("a good hash does not check")
	}
	for _, bad := range []string{
		strings.Replace(h, "m=19456", "m=4194304", 1),
		strings.Replace(h, "t=2", "t=100000", 1),
		strings.Replace(h, "p=1", "p=0", 1),
	} {
		if CheckPassword(bad, "correct horse battery staple") {
			t.Errorf("hash %s checked", bad)
		}
	}
}

// The strength check's cost: a typical passphrase, and the worst shape
// found (a repeated 4-rune pattern, judged on its first 64 runes).
func BenchmarkValidatePasswordFor(b *testing.B) {
	u := &User{First: "Adaline", Last: "Lovelace", Email: "ada.l@example.com"}
	for _, c := range []struct{ name, pw string }{
		{"passphrase", "correct horse battery staple"},
		{"worst-1024-bytes", strings.Repeat("x9Q!", 256)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				_ = ValidatePasswordFor(u, c.pw)
			}
		})
	}
}
