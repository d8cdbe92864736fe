package attach

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// The request written by hand reads back as json.Marshal's does, whatever
// the command line holds: quotes, controls, invalid UTF-8, every plane.
func TestRequestMarshal(t *testing.T) {
	pieces := []string{"", "a", "users", "--db", "Ann O'Neil", `"quoted"`, `back\slash`, "tab\there", "new\nline",
		"\r", "\b\f\v\x00\x01\x1f\x7f", "<&>", "é", "日本", "😀", "\u2028\u2029", "\xff", "\xc3", "a\xe2\x82", "\xed\xa0\x80",
		"\ufffd", "\U0010ffff", "--where=name~'x'"}
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var b bytes.Buffer
		for n := r.IntN(4); n >= 0; n-- {
			if r.IntN(4) == 0 {
				b.WriteByte(byte(r.IntN(256)))
			} else {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		return b.String()
	}
	words := func() []string {
		if r.IntN(8) == 0 {
			return nil
		}
		ws := make([]string, r.IntN(6))
		for i := range ws {
			ws[i] = word()
		}
		return ws
	}
	for i := 0; i < 5000; i++ {
		req := Request{Protocol: r.IntN(3), Args: words(), Env: words(), TTY: [3]bool{r.IntN(2) == 0, r.IntN(2) == 0, r.IntN(2) == 0},
			ArgsFollow: r.IntN(5) == 0}
		if r.IntN(2) == 0 {
			req.User = word()
		}
		if r.IntN(2) == 0 {
			req.BuildID = word()
		}
		want, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		got := req.marshal()
		var a, b Request
		if err := json.Unmarshal(want, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &b); err != nil {
			t.Fatalf("%q does not read back: %v", got, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("json.Marshal %s reads back as %#v,\nmarshal     %s as %#v", want, a, got, b)
		}
		if !json.Valid(got) {
			t.Fatalf("%q is not valid JSON", got)
		}
	}
}
