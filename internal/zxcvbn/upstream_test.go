package zxcvbn_test

import (
	"reflect"
	"testing"

	upstream "github.com/trustelem/zxcvbn"

	"github.com/gatehouse/gatehouse/internal/zxcvbn"
)

// The copy scores every password as upstream does: the same guesses, score
// and match sequence, for common, dictionary, leet, spatial, dated,
// repeated and random passwords, with and without user inputs.
func TestStrengthIsUpstreams(t *testing.T) {
	passwords := []string{
		"", "a", "password", "P@ssw0rd", "correct horse battery staple", "qwertyuiop", "1qaz2wsx",
		"Tr0ub4dor&3", "19/04/1987", "abcabcabcabc", "zxcvbn", "jane.doe@acme.test", "JaneDoe1987",
		"ünïcødé pässwörd", "aaaaaaaaaaaaaaaa", "9oi8uy7t", "mother board", "d8f!Kq2#xZ0p", "sam lee staff",
		"correct horse battery", "another long passphrase", "Summer2026!", "asdfghjkl;'", "0123456789",
	}
	inputs := [][]string{nil, {"Jane", "Doe", "jane.doe@acme.test"}, {"sam", "lee"}}
	for _, pw := range passwords {
		for _, in := range inputs {
			got, want := zxcvbn.PasswordStrength(pw, in), upstream.PasswordStrength(pw, in)
			if got.Score != want.Score || got.Guesses != want.Guesses || !reflect.DeepEqual(got.Sequence, want.Sequence) {
				t.Errorf("%q with %q: score %d guesses %g, upstream %d %g", pw, in, got.Score, got.Guesses, want.Score, want.Guesses)
			}
		}
	}
}
