package cmd

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/pflag"
)

// documentedKinds reads the kinds table of JSON.md's Errors section: kind → exit code.
func documentedKinds(t *testing.T) map[string]int {
	t.Helper()
	b, err := os.ReadFile("JSON.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Errors")
	if !ok {
		t.Fatal("JSON.md has no Errors section")
	}
	kinds := map[string]int{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\| ([0-9]) \\|").FindAllStringSubmatch(section, -1) {
		kinds[m[1]], _ = strconv.Atoi(m[2])
	}
	return kinds
}

// Every kind of error names a kind JSON.md documents, with the exit code
// the error really gets; and JSON.md documents no kind that none has.
func TestErrorKindsAsDocumented(t *testing.T) {
	t.Parallel()
	doc := documentedKinds(t)
	errs := []error{
		&usageError{"x"}, &ruleError{"x"}, &runError{errors.New("x")},
		&badRowsError{&usageError{"x"}, nil},
		fmt.Errorf("unknown flag: %w", &pflag.NotExistError{}), // cobra's own
		&store.ConflictError{Entity: "user:x"},
	}
	for k := range storeKinds {
		errs = append(errs, &store.Error{Kind: k, Msg: "x"}, fmt.Errorf("wrapped: %w", &store.Error{Kind: k, Msg: "x"}))
	}
	seen := map[string]bool{}
	for _, err := range errs {
		kind := errorKind(err)
		seen[kind] = true
		code, ok := doc[kind]
		switch {
		case !ok:
			t.Errorf("%T %v: kind %q is not in JSON.md's Errors table", err, err, kind)
		case code != ExitCode(err):
			t.Errorf("%T %v: kind %q exits %d, JSON.md says %d", err, err, kind, ExitCode(err), code)
		}
	}
	for kind := range doc {
		if !seen[kind] {
			t.Errorf("JSON.md documents kind %q, which no error has", kind)
		}
	}
	if len(doc) != 10 {
		t.Errorf("JSON.md's kinds: %v", doc)
	}
}
